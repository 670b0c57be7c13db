//! Every key a scenario file may contain: its type, whether it may be a list (a grid axis), and its
//! default. Defaults live here and only here; `labelnoise plan` shows them.

/// The type of a key's value (each element's type, for sweepable keys).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    Float,
    Int,
    Bool,
    /// A string from a fixed set (empty set: any string).
    Choice(&'static [&'static str]),
    /// A K×K matrix of numbers (never an axis).
    Matrix,
    /// A column name or 0-based index.
    Column,
    /// A list of column names or indices (never an axis).
    Columns,
    /// A matrix, or the string "true" (correction methods).
    MatrixOrTrue,
}

#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub ty: Ty,
    /// May be given as a list, making it a grid axis.
    pub sweep: bool,
    pub default: Option<&'static str>,
    pub doc: &'static str,
}

const fn key(name: &'static str, ty: Ty, default: Option<&'static str>, doc: &'static str) -> Key {
    Key {
        name,
        ty,
        sweep: !matches!(ty, Ty::Matrix | Ty::Columns | Ty::MatrixOrTrue),
        default,
        doc,
    }
}

pub const SOURCES: &[&str] = &[
    "blobs",
    "classification",
    "separable",
    "iris",
    "wine",
    "breast_cancer",
    "digits",
    "winequality",
    "csv",
];
pub const BUNDLED: &[&str] = &["iris", "wine", "breast_cancer", "digits", "winequality"];

pub const DATASET: &[Key] = &[
    key(
        "source",
        Ty::Choice(SOURCES),
        Some("blobs"),
        "where the data comes from",
    ),
    key(
        "classes",
        Ty::Int,
        Some("3"),
        "synthetic: number of classes K",
    ),
    key(
        "features",
        Ty::Int,
        Some("10"),
        "synthetic: number of features D",
    ),
    key(
        "train",
        Ty::Int,
        Some("1000 synthetic; from test_fraction otherwise"),
        "training samples",
    ),
    key(
        "test",
        Ty::Int,
        Some("1000 synthetic; from test_fraction otherwise"),
        "test samples",
    ),
    key(
        "test_fraction",
        Ty::Float,
        Some("0.25"),
        "held-out fraction when sizes are not given (stratified)",
    ),
    key(
        "standardize",
        Ty::Bool,
        Some("true"),
        "standardize features with training-split statistics",
    ),
    key(
        "separation",
        Ty::Float,
        Some("1.0"),
        "blobs: std of the class means",
    ),
    key(
        "informative",
        Ty::Int,
        Some("min(features, 2)"),
        "classification: informative features",
    ),
    key(
        "redundant",
        Ty::Int,
        Some("0"),
        "classification: linear combinations of informative features",
    ),
    key(
        "clusters_per_class",
        Ty::Int,
        Some("1"),
        "classification: Gaussian clusters per class",
    ),
    key(
        "class_sep",
        Ty::Float,
        Some("1.0"),
        "classification: hypercube half-side of cluster centres",
    ),
    key(
        "margin",
        Ty::Float,
        Some("0.5"),
        "separable: minimum distance to the separating boundary",
    ),
    key(
        "binarize_threshold",
        Ty::Float,
        None,
        "winequality: quality ≥ threshold → class 1",
    ),
    key(
        "path",
        Ty::Choice(&[]),
        None,
        "csv: data file, relative to the scenario file (.csv or .npy)",
    ),
    key(
        "test_path",
        Ty::Choice(&[]),
        None,
        "csv: a given test split",
    ),
    key(
        "label",
        Ty::Column,
        Some("last column"),
        "csv: label column (name or 0-based index)",
    ),
    key(
        "header",
        Ty::Bool,
        Some("true"),
        "csv: first line holds column names",
    ),
    key(
        "delimiter",
        Ty::Choice(&[]),
        Some(","),
        "csv: field delimiter (one character)",
    ),
    key(
        "columns",
        Ty::Columns,
        Some("all but the label"),
        "csv: feature columns (names or indices)",
    ),
    key(
        "labels_path",
        Ty::Choice(&[]),
        None,
        "npy: 1-D label array for the features in `path`",
    ),
    key(
        "test_labels_path",
        Ty::Choice(&[]),
        None,
        "npy: 1-D label array for the features in `test_path`",
    ),
];

pub const NOISE_KINDS: &[&str] = &[
    "none",
    "symmetric",
    "pairflip",
    "asymmetric",
    "matrix",
    "instance",
    "boundary",
];
pub const COUNT_MODES: &[&str] = &["exact", "bernoulli"];

pub const NOISE: &[Key] = &[
    key(
        "kind",
        Ty::Choice(NOISE_KINDS),
        Some("symmetric"),
        "noise model",
    ),
    key("rate", Ty::Float, Some("0.0"), "nominal flip rate"),
    key(
        "count",
        Ty::Choice(COUNT_MODES),
        Some("exact"),
        "exact round(rate·n) flips, or independent draws",
    ),
    key(
        "include_true",
        Ty::Bool,
        Some("false"),
        "symmetric: redraw from all K classes (realized rate·(K−1)/K)",
    ),
    key(
        "rate_pos",
        Ty::Float,
        Some("0.0"),
        "asymmetric: P(observed 0 | true 1)",
    ),
    key(
        "rate_neg",
        Ty::Float,
        Some("0.0"),
        "asymmetric: P(observed 1 | true 0)",
    ),
    key(
        "matrix",
        Ty::Matrix,
        None,
        "matrix: row-stochastic T, T[i][j] = P(observed j | true i)",
    ),
    key(
        "std",
        Ty::Float,
        Some("0.1"),
        "instance: std of the per-sample flip rate (Xia et al. 2020)",
    ),
    key(
        "floor",
        Ty::Float,
        Some("0.05"),
        "boundary: weight added to every sample's entropy",
    ),
];

/// Which noise keys each kind takes (besides `kind`).
pub fn noise_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "none" => &[],
        "symmetric" => &["rate", "count", "include_true"],
        "pairflip" => &["rate", "count"],
        "asymmetric" => &["rate_pos", "rate_neg", "count"],
        "matrix" => &["matrix", "count"],
        "instance" => &["rate", "std"],
        "boundary" => &["rate", "count", "floor"],
        _ => &[],
    }
}

pub const MODEL_KINDS: &[&str] = &["softmax", "logistic"];
pub const OPTIMIZERS: &[&str] = &["lbfgs", "sgd", "adam"];
pub const SCHEDULES: &[&str] = &["constant", "cosine"];

pub const MODEL: &[Key] = &[
    key(
        "kind",
        Ty::Choice(MODEL_KINDS),
        Some("softmax"),
        "softmax (K logits) or logistic (binary, sigmoid)",
    ),
    key(
        "l2",
        Ty::Float,
        Some("1e-4"),
        "penalty (l2/2)·‖W‖², intercept unpenalized",
    ),
    key("max_iter", Ty::Int, Some("1000"), "L-BFGS iteration limit"),
    key(
        "tolerance",
        Ty::Float,
        Some("1e-6"),
        "L-BFGS stops when max |gradient| ≤ tolerance",
    ),
    key(
        "optimizer",
        Ty::Choice(OPTIMIZERS),
        Some("lbfgs"),
        "full-batch L-BFGS, or mini-batch sgd / adam",
    ),
    key("history", Ty::Int, Some("10"), "L-BFGS memory"),
    key(
        "epochs",
        Ty::Int,
        Some("100"),
        "mini-batch: passes over the training split",
    ),
    key(
        "batch_size",
        Ty::Int,
        Some("64"),
        "mini-batch: samples per step",
    ),
    key(
        "learning_rate",
        Ty::Float,
        Some("0.1 sgd, 0.01 adam"),
        "mini-batch: step size",
    ),
    key(
        "momentum",
        Ty::Float,
        Some("0.9"),
        "sgd: heavy-ball momentum",
    ),
    key(
        "schedule",
        Ty::Choice(SCHEDULES),
        Some("constant"),
        "mini-batch: learning-rate schedule",
    ),
    key(
        "trace",
        Ty::Bool,
        Some("false (true for mini-batch)"),
        "record a training trace",
    ),
    key(
        "trace_every",
        Ty::Int,
        Some("1"),
        "trace every k iterations (L-BFGS) or epochs",
    ),
    key(
        "early_stopping",
        Ty::Bool,
        Some("false"),
        "mini-batch: stop on held-out noisy-label loss",
    ),
    key(
        "validation_fraction",
        Ty::Float,
        Some("0.1"),
        "early stopping: held-out share of the noisy training split",
    ),
    key(
        "patience",
        Ty::Int,
        Some("10"),
        "early stopping: epochs without improvement",
    ),
];

pub const METHOD_KINDS: &[&str] = &[
    "ce",
    "label_smoothing",
    "forward_correction",
    "backward_correction",
    "bootstrap",
    "gce",
];
pub const STYLES: &[&str] = &["uniform", "others"];

pub const METHOD: &[Key] = &[
    key(
        "kind",
        Ty::Choice(METHOD_KINDS),
        Some("label_smoothing"),
        "training objective",
    ),
    key(
        "epsilon",
        Ty::Float,
        Some("0.0"),
        "label_smoothing: ε (negative only with l2 > 0)",
    ),
    key(
        "style",
        Ty::Choice(STYLES),
        Some("uniform"),
        "label_smoothing: onehot·(1−ε)+ε/K, or ε/(K−1) on others",
    ),
    key(
        "matrix",
        Ty::MatrixOrTrue,
        Some("\"true\""),
        "corrections: \"true\" (the scenario's T) or a K×K matrix",
    ),
    key(
        "beta",
        Ty::Float,
        Some("0.95"),
        "bootstrap: weight of the observed label",
    ),
    key("q", Ty::Float, Some("0.7"), "gce: exponent in (0, 1]"),
];

pub fn method_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "ce" => &[],
        "label_smoothing" => &["epsilon", "style"],
        "forward_correction" | "backward_correction" => &["matrix"],
        "bootstrap" => &["beta"],
        "gce" => &["q"],
        _ => &[],
    }
}

pub const REPORT: &[Key] = &[
    key("ece_bins", Ty::Int, Some("15"), "calibration bins"),
    key(
        "metrics",
        Ty::Columns,
        None,
        "metrics shown in the terminal table",
    ),
];

pub const TOP: &[&str] = &[
    "name",
    "description",
    "seeds",
    "dataset",
    "noise",
    "model",
    "method",
    "report",
];

pub fn find(keys: &'static [Key], name: &str) -> Option<&'static Key> {
    keys.iter().find(|k| k.name == name)
}

pub fn names(keys: &[Key]) -> Vec<&'static str> {
    keys.iter().map(|k| k.name).collect()
}

/// Limits that keep one scenario within one machine. A value past them is reported with the file
/// position instead of failing an allocation hours into a run.
pub mod limits {
    /// Runs in one grid (every run's spec is held in memory while the grid runs).
    pub const MAX_RUNS: usize = 1_000_000;
    /// Classes K: the noise model and the realized transition counts are K×K.
    pub const MAX_CLASSES: usize = 4096;
    /// Feature values (samples × features) of one generated dataset: 4 GiB of f64.
    pub const MAX_DATASET_VALUES: usize = 1 << 29;
    /// L-BFGS memory pairs.
    pub const MAX_HISTORY: usize = 1000;
    /// Memory of one full-batch fit: (2·history + 6) vectors of K·D + K parameters, f64.
    pub const MAX_OPTIMIZER_BYTES: usize = 8 << 30;
    /// Calibration bins.
    pub const MAX_ECE_BINS: usize = 10_000;
}

/// Help for an unknown `dataset.source`: the sources by kind.
pub fn sources_help() -> String {
    format!(
        "synthetic: blobs, classification, separable; bundled: {} (`labelnoise datasets` lists them); \
         or csv with path = \"your.csv\"",
        BUNDLED.join(", ")
    )
}

/// The schema as Markdown tables (README's "Scenario files" section is this text).
pub fn markdown() -> String {
    let mut out = String::new();
    let sections: [(&str, &[Key], &str); 5] = [
        ("[dataset]", DATASET, "repeatable as [[dataset]]"),
        (
            "[noise]",
            NOISE,
            "repeatable as [[noise]]; absent: no noise",
        ),
        ("[model]", MODEL, "repeatable as [[model]]"),
        ("[[method]]", METHOD, "repeatable; absent: `ce` only"),
        ("[report]", REPORT, "optional"),
    ];
    for (title, keys, note) in sections {
        out.push_str(&format!("#### `{title}` ({note})\n\n| key | type | default | meaning |\n| --- | --- | --- | --- |\n"));
        for k in keys {
            let ty = match k.ty {
                Ty::Float => "number".to_string(),
                Ty::Int => "integer".to_string(),
                Ty::Bool => "bool".to_string(),
                Ty::Choice([]) => "string".to_string(),
                Ty::Choice(c) => c
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(" \\| "),
                Ty::Matrix => "K×K numbers".to_string(),
                Ty::Column => "name or index".to_string(),
                Ty::Columns => "list of names or indices".to_string(),
                Ty::MatrixOrTrue => "`\"true\"` or K×K numbers".to_string(),
            };
            let ty = if k.sweep {
                format!("{ty} (list = axis)")
            } else {
                ty
            };
            out.push_str(&format!(
                "| `{}` | {ty} | {} | {} |\n",
                k.name,
                k.default.unwrap_or("—"),
                k.doc
            ));
        }
        out.push('\n');
    }
    out
}
