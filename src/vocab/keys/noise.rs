//! `[noise]`: how training labels are corrupted.

use super::DefaultValue as D;
use super::{Key, Kind, Kinds, Range, Ty};

pub const NOISE_KINDS: &[&str] = &[
    "none",
    "symmetric",
    "pairflip",
    "asymmetric",
    "matrix",
    "instance",
    "boundary",
    "given",
];
pub const COUNT_MODES: &[&str] = &["exact", "bernoulli"];

const A_RATE: &str = "a rate in [0, 1]";

pub const KIND: Key = Key::new(
    "kind",
    Ty::Choice(NOISE_KINDS),
    D::Str("symmetric"),
    "noise model",
);
pub const RATE: Key = Key::new("rate", Ty::Float, D::Float(0.0), "nominal flip rate")
    .range(Range::UNIT, A_RATE)
    .unit("fraction of training labels");
pub const COUNT: Key = Key::new(
    "count",
    Ty::Choice(COUNT_MODES),
    D::Str("exact"),
    "exact round(rate·n) flips, or independent draws",
);
pub const INCLUDE_TRUE: Key = Key::new(
    "include_true",
    Ty::Bool,
    D::Bool(false),
    "symmetric: redraw from all K classes (realized rate·(K−1)/K)",
);
pub const RATE_POS: Key = Key::new(
    "rate_pos",
    Ty::Float,
    D::Float(0.0),
    "asymmetric: P(observed 0 | true 1)",
)
.range(Range::UNIT, A_RATE)
.unit("probability");
pub const RATE_NEG: Key = Key::new(
    "rate_neg",
    Ty::Float,
    D::Float(0.0),
    "asymmetric: P(observed 1 | true 0)",
)
.range(Range::UNIT, A_RATE)
.unit("probability");
pub const MATRIX: Key = Key::new(
    "matrix",
    Ty::Matrix,
    D::None,
    "matrix: row-stochastic T, T[i][j] = P(observed j | true i)",
);
pub const STD: Key = Key::new(
    "std",
    Ty::Float,
    D::Float(0.1),
    "instance: std of the per-sample flip rate (Xia et al. 2020)",
)
.range(Range::at_least(0.0), "a number ≥ 0");
pub const FLOOR: Key = Key::new(
    "floor",
    Ty::Float,
    D::Float(0.05),
    "boundary: weight added to every sample's entropy",
)
.range(Range::at_least(0.0), "a number ≥ 0")
.unit("nats");

pub const OBSERVED_LABEL: Key = Key::new(
    "observed_label",
    Ty::Column,
    D::None,
    "given: column of the training file with the observed labels (training split only; test metrics use the true labels); a list is an axis, e.g. one column per annotator",
);
pub const OBSERVED_LABELS_PATH: Key = Key::new(
    "observed_labels_path",
    Ty::Choice(&[]),
    D::None,
    "given: .npy (1-D) or .npz array of observed labels, row i for row i of dataset.path (training split only)",
)
.check(
    super::Check::Choice(&[]),
    "a path to a .npy or .npz file, relative to the scenario file",
);
pub const OBSERVED_LABELS_KEY: Key = Key::new(
    "observed_labels_key",
    Ty::Choice(&[]),
    D::None,
    "given: the array's name inside a .npz file (e.g. CIFAR-10N's aggre_label, worse_label)",
);

/// Every `[noise]` key, in documentation order.
pub const ALL: &[Key] = &[
    KIND,
    RATE,
    COUNT,
    INCLUDE_TRUE,
    RATE_POS,
    RATE_NEG,
    MATRIX,
    STD,
    FLOOR,
    OBSERVED_LABEL,
    OBSERVED_LABELS_PATH,
    OBSERVED_LABELS_KEY,
];

/// The noise kinds, keyed by `kind`, in the order of [`NOISE_KINDS`].
pub const KINDS: Kinds = Kinds {
    kind_key: &KIND,
    common: &[],
    kinds: &[
        Kind::new("none", &[]),
        Kind::new("symmetric", &[&RATE, &COUNT, &INCLUDE_TRUE]),
        Kind::new("pairflip", &[&RATE, &COUNT]),
        Kind::new("asymmetric", &[&RATE_POS, &RATE_NEG, &COUNT]),
        Kind::new("matrix", &[&MATRIX, &COUNT]),
        Kind::new("instance", &[&RATE, &STD]),
        Kind::new("boundary", &[&RATE, &COUNT, &FLOOR]),
        Kind::new(
            "given",
            &[&OBSERVED_LABEL, &OBSERVED_LABELS_PATH, &OBSERVED_LABELS_KEY],
        ),
    ],
};
