//! `[report]`: what the terminal table and calibration metrics show.

use super::limits::MAX_ECE_BINS;
use super::DefaultValue as D;
use super::{Key, Range, Ty};

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

/// Every `[report]` key, in documentation order.
pub const ALL: &[Key] = &[ECE_BINS, METRICS, MULTIPLE_COMPARISONS];
