//! `ece.svg`: mean test expected calibration error against the ε axis (or the main axis).

use super::draw::draw_lines;
use super::lines::{metric_panels, references_note, Values};
use super::{Attempt, Figure, Options, BARS};
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn ece(s: &Summary, x: &Axis, o: &Options) -> Attempt {
    let grid = metric_panels(s, x, Metric::TestEce, Values::MeanStd, &o.facets)?;
    Some(draw_lines(
        Figure::ECE,
        format!("Expected calibration error vs {}", x.human()),
        format!(
            "Mean test ECE (Guo et al. 2017, equal-width bins (lo, hi] on top-1 confidence); {}; {BARS}.",
            references_note(x)
        ),
        grid,
    ))
}
