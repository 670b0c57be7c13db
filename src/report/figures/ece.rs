//! `ece.svg`: mean test expected calibration error against the ε axis (or the main axis).

use super::draw::draw_lines;
use super::series::mean_std_panel;
use super::{Attempt, Figure, BARS};
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn ece(s: &Summary, x: &Axis) -> Attempt {
    let title = "top-1 confidence, equal-width bins";
    let panel = mean_std_panel(s, x, Metric::TestEce, title, "test ECE")?;
    Some(draw_lines(
        Figure::ECE,
        format!("Expected calibration error vs {x}"),
        format!("Mean test ECE (Guo et al. 2017, equal-width bins (lo, hi] on top-1 confidence); {BARS}."),
        vec![panel],
    ))
}
