//! `[dataset]`: where the data comes from, its split and preprocessing.

use super::limits::MAX_CLASSES;
use super::DefaultValue::{self as D};
use super::{Key, Kind, Kinds, Range, Ty};

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

/// Training and test samples of a generated dataset when not given.
pub const SYNTHETIC_SIZE: usize = 1000;

const NUMBER_AT_LEAST_0: &str = "a number ≥ 0";

pub const SOURCE: Key = Key::new(
    "source",
    Ty::Choice(SOURCES),
    D::Str("blobs"),
    "where the data comes from",
);
pub const CLASSES: Key = Key::new(
    "classes",
    Ty::Int,
    D::Int(3),
    "synthetic: number of classes K",
)
.range(Range::between(2.0, MAX_CLASSES as f64), "")
.unit("classes");
pub const FEATURES: Key = Key::new(
    "features",
    Ty::Int,
    D::Int(10),
    "synthetic: number of features D",
)
.range(Range::at_least(1.0), "")
.unit("features");
pub const TRAIN: Key = Key::new(
    "train",
    Ty::Int,
    D::Derived("1000 synthetic; from test_fraction otherwise"),
    "training samples",
)
.range(Range::at_least(1.0), "")
.unit("samples");
pub const TEST: Key = Key::new(
    "test",
    Ty::Int,
    D::Derived("1000 synthetic; from test_fraction otherwise"),
    "test samples",
)
.range(Range::at_least(1.0), "")
.unit("samples");
pub const TEST_FRACTION: Key = Key::new(
    "test_fraction",
    Ty::Float,
    D::Float(0.25),
    "held-out fraction when sizes are not given (stratified; ⌈fraction·n⌉ test samples, as scikit-learn)",
)
.range(Range::FRACTION, "a fraction in (0, 1)");

/// Samples a fraction holds out of `n`, as scikit-learn's `train_test_split` counts its test side:
/// ⌈fraction·n⌉ in floating point (digits: 0.3·1797 = 539.1 → 540; wine: 0.3·178 → 54), at most n.
pub fn held_out_size(n: usize, fraction: f64) -> usize {
    ((n as f64 * fraction).ceil() as usize).min(n)
}

pub const STANDARDIZE: Key = Key::new(
    "standardize",
    Ty::Bool,
    D::Bool(true),
    "standardize features with training-split statistics",
);
pub const SEPARATION: Key = Key::new(
    "separation",
    Ty::Float,
    D::Float(1.0),
    "blobs: std of the class means",
)
.range(Range::at_least(0.0), NUMBER_AT_LEAST_0);
pub const INFORMATIVE: Key = Key::new(
    "informative",
    Ty::Int,
    D::Derived("min(features, 2)"),
    "classification: informative features",
)
.range(Range::at_least(1.0), "")
.unit("features");
pub const REDUNDANT: Key = Key::new(
    "redundant",
    Ty::Int,
    D::Int(0),
    "classification: linear combinations of informative features",
)
.unit("features");
pub const CLUSTERS_PER_CLASS: Key = Key::new(
    "clusters_per_class",
    Ty::Int,
    D::Int(1),
    "classification: Gaussian clusters per class",
)
.range(Range::at_least(1.0), "");
pub const CLASS_SEP: Key = Key::new(
    "class_sep",
    Ty::Float,
    D::Float(1.0),
    "classification: hypercube half-side of cluster centres",
)
.range(Range::at_least(0.0), NUMBER_AT_LEAST_0);
pub const MARGIN: Key = Key::new(
    "margin",
    Ty::Float,
    D::Float(0.5),
    "separable: minimum distance to the separating boundary",
)
.range(Range::above(0.0), "a number > 0");
/// Red wine quality scores take the values 3..=8: a threshold outside (3, 8] leaves one class.
pub const BINARIZE_THRESHOLD: Key = Key::new(
    "binarize_threshold",
    Ty::Float,
    D::None,
    "winequality: quality ≥ threshold → class 1",
)
.range(
    Range::new(super::Bound::Exclusive(3.0), super::Bound::Inclusive(8.0)),
    "a threshold in (3, 8]: quality ≥ threshold is class 1",
);
const FILE: &str = "a path to a .csv or .npy file, relative to the scenario file";
pub const PATH: Key = Key::new(
    "path",
    Ty::Choice(&[]),
    D::None,
    "csv: data file, relative to the scenario file (.csv or .npy)",
)
.check(super::Check::Choice(&[]), FILE);
pub const TEST_PATH: Key = Key::new(
    "test_path",
    Ty::Choice(&[]),
    D::None,
    "csv: a given test split",
)
.check(super::Check::Choice(&[]), FILE);
pub const LABEL: Key = Key::new(
    "label",
    Ty::Column,
    D::Derived("last column"),
    "csv: label column (name or 0-based index)",
);
pub const HEADER: Key = Key::new(
    "header",
    Ty::Bool,
    D::Bool(true),
    "csv: first line holds column names",
);
pub const DELIMITER: Key = Key::new(
    "delimiter",
    Ty::Choice(&[]),
    D::Str(","),
    "csv: field delimiter (one character)",
)
.check(
    super::Check::Choice(&[]),
    "one character, e.g. \",\" or \";\" or \"\\t\"",
);
pub const COLUMNS: Key = Key::new(
    "columns",
    Ty::Columns,
    D::Derived("all but the label"),
    "csv: feature columns (names or indices)",
);
pub const LABELS_PATH: Key = Key::new(
    "labels_path",
    Ty::Choice(&[]),
    D::None,
    "npy: 1-D label array for the features in `path`",
)
.check(super::Check::Choice(&[]), FILE);
pub const TEST_LABELS_PATH: Key = Key::new(
    "test_labels_path",
    Ty::Choice(&[]),
    D::None,
    "npy: 1-D label array for the features in `test_path`",
)
.check(super::Check::Choice(&[]), FILE);

pub const NOISE_STREAMS: &[&str] = &["dataset", "labels"];
pub const NOISE_STREAM: Key = Key::new(
    "noise_stream",
    Ty::Choice(NOISE_STREAMS),
    D::Str("dataset"),
    "what keys the noise draw besides the seed and the noise settings: this dataset's settings, or its training labels' content (the draw of `labelnoise noisify` on those labels)",
);

/// Every `[dataset]` key, in documentation order.
pub const ALL: &[Key] = &[
    SOURCE,
    CLASSES,
    FEATURES,
    TRAIN,
    TEST,
    TEST_FRACTION,
    STANDARDIZE,
    NOISE_STREAM,
    SEPARATION,
    INFORMATIVE,
    REDUNDANT,
    CLUSTERS_PER_CLASS,
    CLASS_SEP,
    MARGIN,
    BINARIZE_THRESHOLD,
    PATH,
    TEST_PATH,
    LABEL,
    HEADER,
    DELIMITER,
    COLUMNS,
    LABELS_PATH,
    TEST_LABELS_PATH,
];

/// Generated data has a fixed default size; file-backed data is split by `test_fraction`.
const SYNTHETIC_SIZES: &[(&Key, super::DefaultValue)] = &[
    (&TRAIN, D::Int(SYNTHETIC_SIZE)),
    (&TEST, D::Int(SYNTHETIC_SIZE)),
];

pub const BLOBS: Kind =
    Kind::new("blobs", &[&CLASSES, &FEATURES, &SEPARATION]).defaults(SYNTHETIC_SIZES);
pub const CLASSIFICATION: Kind = Kind::new(
    "classification",
    &[
        &CLASSES,
        &FEATURES,
        &INFORMATIVE,
        &REDUNDANT,
        &CLUSTERS_PER_CLASS,
        &CLASS_SEP,
    ],
)
.defaults(SYNTHETIC_SIZES);
pub const SEPARABLE: Kind =
    Kind::new("separable", &[&CLASSES, &FEATURES, &MARGIN]).defaults(SYNTHETIC_SIZES);
pub const WINEQUALITY: Kind = Kind::new("winequality", &[&BINARIZE_THRESHOLD]);
pub const CSV: Kind = Kind::new(
    "csv",
    &[
        &PATH,
        &TEST_PATH,
        &LABEL,
        &HEADER,
        &DELIMITER,
        &COLUMNS,
        &LABELS_PATH,
        &TEST_LABELS_PATH,
    ],
);

/// The sources, keyed by `source`, in the order of [`SOURCES`].
pub const KINDS: Kinds = Kinds {
    kind_key: &SOURCE,
    common: &[&TRAIN, &TEST, &TEST_FRACTION, &STANDARDIZE, &NOISE_STREAM],
    kinds: &[
        BLOBS,
        CLASSIFICATION,
        SEPARABLE,
        Kind::new("iris", &[]),
        Kind::new("wine", &[]),
        Kind::new("breast_cancer", &[]),
        Kind::new("digits", &[]),
        WINEQUALITY,
        CSV,
    ],
};
