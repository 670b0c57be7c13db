//! `ece.svg`: mean test expected calibration error against the ε axis (or the main axis).

use super::draw::draw_lines;
use super::series::mean_std_panel;
use super::{metric, Attempt, Figure, BARS};
use crate::report::summary::Summary;

pub(super) fn ece(s: &Summary, x: &str) -> Attempt {
    let title = "top-1 confidence, equal-width bins";
    let panel = mean_std_panel(s, x, metric::ECE, title, "test ECE")?;
    Some(draw_lines(
        Figure::ECE,
        format!("Expected calibration error vs {x}"),
        format!("Mean test ECE (Guo et al. 2017, equal-width bins (lo, hi] on top-1 confidence); {BARS}."),
        vec![panel],
    ))
}
