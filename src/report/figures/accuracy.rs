//! `accuracy.svg`: mean test accuracy against the x axis, one line per method and setting.

use super::draw::draw_lines;
use super::series::mean_std_panel;
use super::{metric, Attempt, Figure, BARS};
use crate::report::summary::Summary;

pub(super) fn accuracy(s: &Summary, x: &str) -> Attempt {
    let panel = mean_std_panel(s, x, metric::ACCURACY, "clean test split", "test accuracy")?;
    Some(draw_lines(
        Figure::ACCURACY,
        format!("Test accuracy vs {x}"),
        format!("Mean test accuracy over seeds, one line per method and setting; {BARS}."),
        vec![panel],
    ))
}
