//! Turns one cell of a table (every key a single value) into a concrete spec, checking the rules
//! that involve one section. Rules that combine sections are in `cross.rs`.
//!
//! Every problem points at the value it is about (or at its table when the key is missing) and
//! says what is allowed.

use super::diag::Problem;
use super::reader::{Scalar, Span};
use super::schema::{self, limits};
use crate::scenario::spec::*;
use std::collections::BTreeMap;
use std::path::Path;

/// One combination of a table's values.
pub type Cell = BTreeMap<&'static str, (Scalar, Span)>;

/// Reads typed values out of a cell, recording problems with their spans.
pub struct Reader<'a> {
    pub section: &'static str,
    pub cell: &'a Cell,
    pub table_span: Span,
    pub problems: &'a mut Vec<Problem>,
}

impl Reader<'_> {
    pub fn span(&self, key: &str) -> Span {
        self.cell
            .get(key)
            .and_then(|(_, s)| s.clone())
            .or(self.table_span.clone())
    }
    pub fn has(&self, key: &str) -> bool {
        self.cell.contains_key(key)
    }
    /// The key was given but its value failed its type check (already reported).
    pub fn invalid(&self, key: &str) -> bool {
        matches!(self.cell.get(key), Some((Scalar::Invalid, _)))
    }
    pub fn str_or(&self, key: &str, default: &str) -> String {
        match self.cell.get(key) {
            Some((Scalar::Str(s), _)) => s.clone(),
            _ => default.to_string(),
        }
    }
    pub fn float(&self, key: &str) -> Option<f64> {
        match self.cell.get(key) {
            Some((Scalar::Float(v), _)) => Some(*v),
            Some((Scalar::Int(v), _)) => Some(*v as f64),
            _ => None,
        }
    }
    pub fn int(&self, key: &str) -> Option<usize> {
        match self.cell.get(key) {
            Some((Scalar::Int(v), _)) => Some(*v as usize),
            _ => None,
        }
    }
    pub fn bool_or(&self, key: &str, default: bool) -> bool {
        match self.cell.get(key) {
            Some((Scalar::Bool(b), _)) => *b,
            _ => default,
        }
    }
    /// Reports a value outside its allowed range.
    pub fn bad(&mut self, key: &str, message: String, allowed: &str) {
        let span = self.span(key);
        self.problems.push(
            Problem::new(span, format!("{}.{key}: {message}", self.section))
                .help(format!("allowed: {allowed}")),
        );
    }
    /// A float in a range, with a default; `ok` decides validity.
    pub fn float_in(
        &mut self,
        key: &str,
        default: f64,
        ok: impl Fn(f64) -> bool,
        allowed: &str,
    ) -> f64 {
        let v = self.float(key).unwrap_or(default);
        if !ok(v) {
            self.bad(key, format!("{v} is out of range"), allowed);
        }
        v
    }
    pub fn int_at_least(&mut self, key: &str, default: usize, min: usize) -> usize {
        let v = self.int(key).unwrap_or(default);
        if v < min {
            self.bad(
                key,
                format!("{v} is too small"),
                &format!("a whole number ≥ {min}"),
            );
        }
        v
    }
    /// A whole number in `min..=max`, with a default.
    pub fn int_in(&mut self, key: &str, default: usize, min: usize, max: usize) -> usize {
        let v = self.int(key).unwrap_or(default);
        if v < min {
            self.bad(
                key,
                format!("{v} is too small"),
                &format!("a whole number from {min} to {max}"),
            );
        } else if v > max {
            self.bad(
                key,
                format!("{v} is too large"),
                &format!("a whole number from {min} to {max}"),
            );
        }
        v
    }
    /// Rejects keys the chosen kind does not take.
    pub fn only(&mut self, kind_key: &str, kind: &str, common: &[&str], allowed: &[&str]) {
        if self.invalid(kind_key) {
            // The kind is unknown (already reported): which keys apply cannot be said.
            return;
        }
        let extra: Vec<&'static str> = self
            .cell
            .keys()
            .copied()
            .filter(|k| *k != kind_key && !common.contains(k) && !allowed.contains(k))
            .collect();
        for k in extra {
            let span = self.span(k);
            let takes: Vec<&str> = common.iter().chain(allowed).copied().collect();
            self.problems.push(
                Problem::new(
                    span,
                    format!(
                        "{}.{k} does not apply to {kind_key} = \"{kind}\"",
                        self.section
                    ),
                )
                .help(if takes.is_empty() {
                    format!("{kind_key} = \"{kind}\" takes no other keys")
                } else {
                    format!("{kind_key} = \"{kind}\" takes: {}", takes.join(", "))
                }),
            );
        }
    }
}

const DATASET_COMMON: &[&str] = &["train", "test", "test_fraction", "standardize"];

pub fn dataset(r: &mut Reader<'_>, base_dir: &Path) -> DatasetSpec {
    let source = r.str_or("source", "blobs");
    let synthetic_classes = |r: &mut Reader<'_>| {
        let k = r.int_in("classes", 3, 2, limits::MAX_CLASSES);
        let d = r.int_at_least("features", 10, 1);
        (k, d)
    };
    let src = match source.as_str() {
        "blobs" => {
            r.only(
                "source",
                &source,
                DATASET_COMMON,
                &["classes", "features", "separation"],
            );
            let (classes, features) = synthetic_classes(r);
            let separation = r.float_in("separation", 1.0, |v| v >= 0.0, "a number ≥ 0");
            DataSource::Blobs {
                classes,
                features,
                separation,
            }
        }
        "classification" => {
            r.only(
                "source",
                &source,
                DATASET_COMMON,
                &[
                    "classes",
                    "features",
                    "informative",
                    "redundant",
                    "clusters_per_class",
                    "class_sep",
                ],
            );
            let (classes, features) = synthetic_classes(r);
            let informative = r.int_at_least("informative", features.min(2), 1);
            let redundant = r.int("redundant").unwrap_or(0);
            let clusters_per_class = r.int_at_least("clusters_per_class", 1, 1);
            if informative.saturating_add(redundant) > features {
                r.bad(
                    "informative",
                    format!("informative ({informative}) + redundant ({redundant}) exceeds features ({features})"),
                    "informative + redundant ≤ features",
                );
            }
            if classes.saturating_mul(clusters_per_class) > 1usize << informative.min(30) {
                r.bad(
                    "clusters_per_class",
                    format!(
                        "classes × clusters_per_class = {} exceeds 2^informative = {}",
                        classes.saturating_mul(clusters_per_class),
                        1usize << informative.min(30)
                    ),
                    "classes × clusters_per_class ≤ 2^informative (cluster centres are hypercube vertices)",
                );
            }
            let class_sep = r.float_in("class_sep", 1.0, |v| v >= 0.0, "a number ≥ 0");
            DataSource::Classification {
                classes,
                features,
                informative,
                redundant,
                clusters_per_class,
                class_sep,
            }
        }
        "separable" => {
            r.only(
                "source",
                &source,
                DATASET_COMMON,
                &["classes", "features", "margin"],
            );
            let (classes, features) = synthetic_classes(r);
            let margin = r.float_in("margin", 0.5, |v| v > 0.0, "a number > 0");
            DataSource::Separable {
                classes,
                features,
                margin,
            }
        }
        "csv" => {
            r.only(
                "source",
                &source,
                DATASET_COMMON,
                &[
                    "path",
                    "test_path",
                    "label",
                    "header",
                    "delimiter",
                    "columns",
                    "labels_path",
                    "test_labels_path",
                ],
            );
            let file = |r: &mut Reader<'_>, key: &str| -> Option<std::path::PathBuf> {
                let rel = match r.cell.get(key) {
                    Some((Scalar::Str(s), _)) => s.clone(),
                    Some(_) => return Some(Default::default()),
                    None => return None,
                };
                let full = base_dir.join(&rel);
                let allowed = "a path to a .csv or .npy file, relative to the scenario file";
                if full.is_dir() {
                    r.bad(
                        key,
                        format!("{} is a folder, not a file", full.display()),
                        allowed,
                    );
                } else if !full.is_file() {
                    r.bad(
                        key,
                        format!("file {} does not exist", full.display()),
                        allowed,
                    );
                }
                Some(std::path::PathBuf::from(rel))
            };
            let path = file(r, "path").unwrap_or_else(|| {
                let span = r.table_span.clone();
                r.problems.push(
                    Problem::new(span, "dataset.path is required for source = \"csv\"")
                        .help("path = \"data/my.csv\" (relative to the scenario file)"),
                );
                Default::default()
            });
            let test_path = file(r, "test_path");
            let labels_path = file(r, "labels_path");
            let test_labels_path = file(r, "test_labels_path");
            let label = match r.cell.get("label") {
                Some((Scalar::Column(c), _)) => c.clone(),
                _ => LabelColumn::Name(String::new()),
            };
            let delim = r.str_or("delimiter", ",");
            let mut chars = delim.chars();
            let delimiter = match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii() => c,
                _ => {
                    r.bad(
                        "delimiter",
                        format!("\"{delim}\" is not one ASCII character"),
                        "one character, e.g. \",\" or \";\" or \"\\t\"",
                    );
                    ','
                }
            };
            let columns = match r.cell.get("columns") {
                Some((Scalar::Columns(c), _)) => Some(c.clone()),
                _ => None,
            };
            let header = r.bool_or("header", true);
            check_columns(r, header, &label, columns.as_deref());
            DataSource::Csv {
                path,
                test_path,
                label,
                header,
                delimiter,
                columns,
                labels_path,
                test_labels_path,
            }
        }
        name => {
            let allowed: &[&str] = if name == "winequality" {
                &["binarize_threshold"]
            } else {
                &[]
            };
            r.only("source", &source, DATASET_COMMON, allowed);
            let binarize_threshold = r.float("binarize_threshold");
            if let Some(t) = binarize_threshold {
                // Red wine quality scores take the values 3..=8 (static_shape).
                if !(t > 3.0 && t <= 8.0) {
                    r.bad(
                        "binarize_threshold",
                        format!(
                            "{t} would put every wine in one class (quality scores are 3 to 8)"
                        ),
                        "a threshold in (3, 8]: quality ≥ threshold is class 1",
                    );
                }
            }
            DataSource::Bundled {
                name: name.to_string(),
                binarize_threshold,
            }
        }
    };
    let synthetic = matches!(
        src,
        DataSource::Blobs { .. } | DataSource::Classification { .. } | DataSource::Separable { .. }
    );
    let train = r.int("train").or(synthetic.then_some(1000));
    let test = r.int("test").or(synthetic.then_some(1000));
    if train == Some(0) {
        r.bad(
            "train",
            "the training split cannot be empty".into(),
            "a whole number ≥ 1",
        );
    }
    if test == Some(0) {
        r.bad(
            "test",
            "the test split cannot be empty (every test metric would be undefined)".into(),
            "a whole number ≥ 1",
        );
    }
    if let (Some(k), Some(n_train)) = (synthetic_k(&src), train) {
        if n_train > 0 && n_train < k {
            r.bad(
                "train",
                format!(
                    "{n_train} training samples cannot hold the {k} classes (each class needs one)"
                ),
                &format!("train ≥ classes = {k}"),
            );
        }
    }
    if let (Some(d), Some(n_train), Some(n_test)) = (synthetic_d(&src), train, test) {
        let values = n_train.saturating_add(n_test).saturating_mul(d);
        if values > limits::MAX_DATASET_VALUES {
            let key = if r.has("train") { "train" } else { "features" };
            r.bad(
                key,
                format!(
                    "(train + test) × features = {values} feature values ({:.1} GiB) is more than one dataset may hold",
                    values as f64 * 8.0 / (1u64 << 30) as f64
                ),
                &format!("at most {} values (4 GiB of f64) per dataset", limits::MAX_DATASET_VALUES),
            );
        }
    }
    let test_fraction = r.float_in(
        "test_fraction",
        0.25,
        |v| v > 0.0 && v < 1.0,
        "a fraction in (0, 1)",
    );
    DatasetSpec {
        source: src,
        train,
        test,
        test_fraction,
        standardize: r.bool_or("standardize", true),
    }
}

fn synthetic_k(src: &DataSource) -> Option<usize> {
    match src {
        DataSource::Blobs { classes, .. }
        | DataSource::Classification { classes, .. }
        | DataSource::Separable { classes, .. } => Some(*classes),
        _ => None,
    }
}

fn synthetic_d(src: &DataSource) -> Option<usize> {
    match src {
        DataSource::Blobs { features, .. }
        | DataSource::Classification { features, .. }
        | DataSource::Separable { features, .. } => Some(*features),
        _ => None,
    }
}

/// CSV columns: names need a header line; no column twice; the label is not a feature.
fn check_columns(
    r: &mut Reader<'_>,
    header: bool,
    label: &LabelColumn,
    columns: Option<&[LabelColumn]>,
) {
    let by_name = |c: &LabelColumn| matches!(c, LabelColumn::Name(n) if !n.is_empty());
    if !header {
        if by_name(label) {
            r.bad(
                "label",
                "a column name needs header = true".into(),
                "a 0-based column index when header = false",
            );
        }
        if columns.is_some_and(|c| c.iter().any(by_name)) {
            r.bad(
                "columns",
                "column names need header = true".into(),
                "0-based column indices when header = false",
            );
        }
    }
    if let Some(cols) = columns {
        for (i, c) in cols.iter().enumerate() {
            if cols[..i].contains(c) {
                r.bad(
                    "columns",
                    format!("column {} is listed twice", show(c)),
                    "each feature column once",
                );
            }
        }
        if r.has("label") && cols.contains(label) {
            r.bad(
                "columns",
                format!(
                    "the label column {} is also listed as a feature",
                    show(label)
                ),
                "feature columns other than the label",
            );
        }
    }
}

fn show(c: &LabelColumn) -> String {
    match c {
        LabelColumn::Name(n) => format!("\"{n}\""),
        LabelColumn::Index(i) => i.to_string(),
    }
}

pub fn noise(r: &mut Reader<'_>) -> NoiseSpec {
    let kind = r.str_or("kind", "symmetric");
    r.only("kind", &kind, &[], schema::noise_keys(&kind));
    let rate_ok = |v: f64| (0.0..=1.0).contains(&v);
    let count = match r.str_or("count", "exact").as_str() {
        "bernoulli" => CountMode::Bernoulli,
        _ => CountMode::Exact,
    };
    match kind.as_str() {
        "none" => NoiseSpec::None,
        "symmetric" => NoiseSpec::Symmetric {
            rate: r.float_in("rate", 0.0, rate_ok, "a rate in [0, 1]"),
            count,
            include_true: r.bool_or("include_true", false),
        },
        "pairflip" => NoiseSpec::Pairflip {
            rate: r.float_in("rate", 0.0, rate_ok, "a rate in [0, 1]"),
            count,
        },
        "asymmetric" => NoiseSpec::Asymmetric {
            rate_pos: r.float_in("rate_pos", 0.0, rate_ok, "a rate in [0, 1]"),
            rate_neg: r.float_in("rate_neg", 0.0, rate_ok, "a rate in [0, 1]"),
            count,
        },
        "matrix" => {
            let matrix = match r.cell.get("matrix") {
                Some((Scalar::Matrix(m), _)) => {
                    let m = m.clone();
                    check_stochastic(r, "matrix", &m);
                    m
                }
                Some(_) => vec![],
                None => {
                    let span = r.table_span.clone();
                    r.problems.push(
                        Problem::new(span, "noise.matrix is required for kind = \"matrix\"").help(
                            "matrix = [[0.8, 0.2], [0.3, 0.7]]: row i is P(observed j | true i)",
                        ),
                    );
                    vec![]
                }
            };
            NoiseSpec::Matrix { matrix, count }
        }
        "instance" => NoiseSpec::Instance {
            rate: r.float_in("rate", 0.0, rate_ok, "a rate in [0, 1]"),
            std: r.float_in("std", 0.1, |v| v >= 0.0, "a number ≥ 0"),
        },
        _ => NoiseSpec::Boundary {
            rate: r.float_in("rate", 0.0, rate_ok, "a rate in [0, 1]"),
            count,
            floor: r.float_in("floor", 0.05, |v| v >= 0.0, "a number ≥ 0"),
        },
    }
}

/// A square row-stochastic matrix: entries in [0, 1], rows summing to 1 within 1e-9 (the rules
/// of [`crate::vocab::matrix::TransitionMatrix::new`]); every problem is reported at `key`.
pub fn check_stochastic(r: &mut Reader<'_>, key: &str, m: &[Vec<f64>]) {
    for problem in crate::vocab::matrix::problems(m) {
        r.bad(key, problem.to_string(), problem.help());
    }
}

pub fn model(r: &mut Reader<'_>) -> ModelSpec {
    let kind = match r.str_or("kind", "softmax").as_str() {
        "logistic" => ModelKind::Logistic,
        _ => ModelKind::Softmax,
    };
    let optimizer_name = r.str_or("optimizer", "lbfgs");
    let minibatch = optimizer_name != "lbfgs";
    let mb_keys: &[&str] = &[
        "epochs",
        "batch_size",
        "learning_rate",
        "schedule",
        "early_stopping",
        "validation_fraction",
        "patience",
    ];
    let common: &[&str] = &[
        "kind",
        "l2",
        "max_iter",
        "tolerance",
        "trace",
        "trace_every",
    ];
    let allowed: Vec<&str> = match optimizer_name.as_str() {
        "lbfgs" => vec!["history"],
        "sgd" => mb_keys.iter().copied().chain(["momentum"]).collect(),
        _ => mb_keys.to_vec(),
    };
    r.only("optimizer", &optimizer_name, common, &allowed);
    let schedule = match r.str_or("schedule", "constant").as_str() {
        "cosine" => Schedule::Cosine,
        _ => Schedule::Constant,
    };
    let epochs = r.int_at_least("epochs", 100, 1);
    let batch_size = r.int_at_least("batch_size", 64, 1);
    let optimizer = match optimizer_name.as_str() {
        "sgd" => OptimizerSpec::Sgd {
            epochs,
            batch_size,
            learning_rate: r.float_in("learning_rate", 0.1, |v| v > 0.0, "a number > 0"),
            momentum: r.float_in(
                "momentum",
                0.9,
                |v| (0.0..1.0).contains(&v),
                "a number in [0, 1)",
            ),
            schedule,
        },
        "adam" => OptimizerSpec::Adam {
            epochs,
            batch_size,
            learning_rate: r.float_in("learning_rate", 0.01, |v| v > 0.0, "a number > 0"),
            schedule,
        },
        _ => OptimizerSpec::Lbfgs {
            history: r.int_in("history", 10, 1, limits::MAX_HISTORY),
        },
    };
    ModelSpec {
        kind,
        l2: r.float_in("l2", 1e-4, |v| v >= 0.0, "a number ≥ 0"),
        max_iter: r.int_at_least("max_iter", 1000, 1),
        tolerance: r.float_in("tolerance", 1e-6, |v| v >= 0.0, "a number ≥ 0"),
        optimizer,
        trace: r.bool_or("trace", minibatch),
        trace_every: r.int_at_least("trace_every", 1, 1),
        early_stopping: r.bool_or("early_stopping", false),
        validation_fraction: r.float_in(
            "validation_fraction",
            0.1,
            |v| v > 0.0 && v < 1.0,
            "a fraction in (0, 1)",
        ),
        patience: r.int_at_least("patience", 10, 1),
    }
}

pub fn method(r: &mut Reader<'_>) -> MethodSpec {
    let kind = r.str_or("kind", "label_smoothing");
    r.only("kind", &kind, &[], schema::method_keys(&kind));
    let matrix = |r: &mut Reader<'_>, invertible: bool| match r.cell.get("matrix") {
        Some((Scalar::Matrix(m), _)) => {
            let m = m.clone();
            let before = r.problems.len();
            check_stochastic(r, "matrix", &m);
            if invertible && r.problems.len() == before && is_singular(&m) {
                r.bad(
                    "matrix",
                    "backward correction multiplies by T⁻¹, but this matrix is singular".into(),
                    "an invertible row-stochastic matrix (Patrini et al. 2017)",
                );
            }
            MatrixSource::Given(m)
        }
        _ => MatrixSource::True,
    };
    match kind.as_str() {
        "ce" => MethodSpec::Ce,
        "forward_correction" => MethodSpec::ForwardCorrection {
            matrix: matrix(r, false),
        },
        "backward_correction" => MethodSpec::BackwardCorrection {
            matrix: matrix(r, true),
        },
        "bootstrap" => MethodSpec::Bootstrap {
            beta: r.float_in("beta", 0.95, |v| (0.0..=1.0).contains(&v), "β in [0, 1]"),
        },
        "gce" => MethodSpec::Gce {
            q: r.float_in("q", 0.7, |v| v > 0.0 && v <= 1.0, "q in (0, 1]"),
        },
        _ => MethodSpec::LabelSmoothing {
            epsilon: r.float_in(
                "epsilon",
                0.0,
                |v| v < 1.0,
                "ε < 1 (negative ε needs model.l2 > 0)",
            ),
            style: match r.str_or("style", "uniform").as_str() {
                "others" => SmoothingStyle::Others,
                _ => SmoothingStyle::Uniform,
            },
        },
    }
}

/// Whether a valid transition matrix is singular
/// ([`crate::vocab::matrix::TransitionMatrix::is_singular`]: one relative
/// threshold for every check). A matrix with problems of its own is not judged here (they are
/// reported by [`check_stochastic`]).
pub fn is_singular(m: &[Vec<f64>]) -> bool {
    crate::vocab::matrix::TransitionMatrix::new(m).is_ok_and(|t| t.is_singular())
}

#[cfg(test)]
mod tests {
    use super::is_singular;

    #[test]
    fn singular_valid_matrices_only() {
        assert!(is_singular(&[vec![0.5, 0.5], vec![0.5, 0.5]]));
        assert!(!is_singular(&[vec![0.8, 0.2], vec![0.3, 0.7]]));
        assert!(
            !is_singular(&[vec![1.0, 0.0], vec![1.0]]),
            "ragged: not judged"
        );
    }
}
