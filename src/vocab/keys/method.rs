//! `[[method]]`: the training objective compared against hard-label cross entropy.

use super::DefaultValue as D;
use super::{Key, Kind, Kinds, Range, Ty};

pub const METHOD_KINDS: &[&str] = &[
    "ce",
    "label_smoothing",
    "forward_correction",
    "backward_correction",
    "bootstrap",
    "gce",
];
pub const STYLES: &[&str] = &["uniform", "others"];

pub const KIND: Key = Key::new(
    "kind",
    Ty::Choice(METHOD_KINDS),
    D::Str("label_smoothing"),
    "training objective",
);
pub const EPSILON: Key = Key::new(
    "epsilon",
    Ty::Float,
    D::Float(0.0),
    "label_smoothing: ε (negative only with l2 > 0)",
)
.range(Range::below(1.0), "ε < 1 (negative ε needs model.l2 > 0)");
pub const STYLE: Key = Key::new(
    "style",
    Ty::Choice(STYLES),
    D::Str("uniform"),
    "label_smoothing: onehot·(1−ε)+ε/K, or ε/(K−1) on others",
);
pub const MATRIX: Key = Key::new(
    "matrix",
    Ty::MatrixOrTrue,
    D::Str("true"),
    "corrections: \"true\" (the scenario's T), \"estimated\" (from the noisy labels, see `estimator`) or a K×K matrix",
);
pub const ESTIMATORS: &[&str] = &["anchor", "confident_joint"];
pub const ESTIMATOR: Key = Key::new(
    "estimator",
    Ty::Choice(ESTIMATORS),
    D::Str("anchor"),
    "matrix = \"estimated\": anchor (Patrini et al. 2017) or confident_joint (Northcutt et al. 2021)",
);
pub const ANCHOR_PERCENTILE: Key = Key::new(
    "anchor_percentile",
    Ty::Float,
    D::Float(97.0),
    "estimator = \"anchor\": the anchor of class i is the sample just below this percentile of p_i (Patrini's filter; 100: the most confident sample)",
)
.range(
    Range::new(super::Bound::Exclusive(0.0), super::Bound::Inclusive(100.0)),
    "a percentile in (0, 100]",
);
pub const FOLDS: Key = Key::new(
    "folds",
    Ty::Int,
    D::Int(5),
    "estimator = \"confident_joint\": cross-fitting folds (stratified)",
)
.range(Range::between(2.0, 100.0), "")
.unit("folds");
pub const BETA: Key = Key::new(
    "beta",
    Ty::Float,
    D::Float(0.95),
    "bootstrap: weight of the observed label",
)
.range(Range::UNIT, "β in [0, 1]");
pub const Q: Key = Key::new("q", Ty::Float, D::Float(0.7), "gce: exponent in (0, 1]").range(
    Range::new(super::Bound::Exclusive(0.0), super::Bound::Inclusive(1.0)),
    "q in (0, 1]",
);

/// Every `[[method]]` key, in documentation order.
pub const ALL: &[Key] = &[
    KIND,
    EPSILON,
    STYLE,
    MATRIX,
    ESTIMATOR,
    ANCHOR_PERCENTILE,
    FOLDS,
    BETA,
    Q,
];

/// The keys of a correction method.
const CORRECTION: &[&Key] = &[&MATRIX, &ESTIMATOR, &ANCHOR_PERCENTILE, &FOLDS];

/// The methods, keyed by `kind`, in the order of [`METHOD_KINDS`].
pub const KINDS: Kinds = Kinds {
    kind_key: &KIND,
    common: &[],
    kinds: &[
        Kind::new("ce", &[]),
        Kind::new("label_smoothing", &[&EPSILON, &STYLE]),
        Kind::new("forward_correction", CORRECTION),
        Kind::new("backward_correction", CORRECTION),
        Kind::new("bootstrap", &[&BETA]),
        Kind::new("gce", &[&Q]),
    ],
};
