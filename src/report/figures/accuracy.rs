//! `accuracy.svg`: mean test accuracy against the x axis, one line per method and setting.

use super::draw::draw_lines;
use super::series::mean_std_panel;
use super::{Attempt, Figure, BARS};
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn accuracy(s: &Summary, x: &Axis) -> Attempt {
    let panel = mean_std_panel(
        s,
        x,
        Metric::TestAccuracy,
        "clean test split",
        "test accuracy",
    )?;
    Some(draw_lines(
        Figure::ACCURACY,
        format!("Test accuracy vs {x}"),
        format!("Mean test accuracy over seeds, one line per method and setting; {BARS}."),
        vec![panel],
    ))
}
