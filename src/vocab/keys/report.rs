//! `[report]`: what the terminal table and calibration metrics show.

use super::limits::MAX_ECE_BINS;
use super::DefaultValue as D;
use super::{Check, Key, Range, Ty};

// 15 bins, as Guo et al. 2017.
pub const ECE_BINS: Key = Key::new("ece_bins", Ty::Int, D::Int(15), "calibration bins")
    .range(Range::between(1.0, MAX_ECE_BINS as f64), "")
    .unit("bins");
pub const METRICS: Key = Key::new(
    "metrics",
    Ty::Columns,
    D::None,
    "metrics shown in the terminal table",
);

pub const MULTIPLE_COMPARISONS: Key = Key::new(
    "multiple_comparisons",
    Ty::Choice(crate::vocab::correction::Correction::NAMES),
    D::Str("none"),
    "correction of a table's paired comparisons before marking them ▲ better / ▼ worse: \"none\" (each 95% t-interval alone) or \"holm\" (Holm's step-down over the table's comparisons of the metric, 5% family-wise)",
)
.single();

/// The figures `figures` may name, in drawing order (the file names without `.svg`).
pub const FIGURE_NAMES: &[&str] = &[
    "accuracy",
    "delta_accuracy",
    "train_loss",
    "ece",
    "norm_gap",
    "reliability",
    "trace",
    "selected",
];
pub const FIGURES: Key = Key::new(
    "figures",
    Ty::Columns,
    D::Str("all"),
    "figures drawn under plots/: \"all\" or names from accuracy, delta_accuracy, train_loss, ece, norm_gap, reliability, trace, selected",
)
.check(
    Check::Any,
    "\"all\" or a list of: accuracy, delta_accuracy, train_loss, ece, norm_gap, reliability, trace, selected",
);
/// What `facet_rows` and `facet_cols` accept, in words.
pub const FACET_ALLOWED: &str =
    "\"auto\" or an axis of the grid written section.key (e.g. noise.kind, model.early_stopping)";
pub const FACET_ROWS: Key = facet(
    "facet_rows",
    "axis (section.key) whose values are the rows of faceted figures, or \"auto\"",
);
pub const FACET_COLS: Key = facet(
    "facet_cols",
    "axis (section.key) whose values are the columns of faceted figures, or \"auto\"",
);

/// A layout key: a string given once, never a list (a layout choice is not a grid axis).
const fn facet(name: &'static str, doc: &'static str) -> Key {
    let mut k =
        Key::new(name, Ty::Choice(&[]), D::Str("auto"), doc).check(Check::Any, FACET_ALLOWED);
    k.sweep = false;
    k
}

/// Every `[report]` key, in documentation order.
pub const ALL: &[Key] = &[
    ECE_BINS,
    METRICS,
    MULTIPLE_COMPARISONS,
    FIGURES,
    FACET_ROWS,
    FACET_COLS,
];
