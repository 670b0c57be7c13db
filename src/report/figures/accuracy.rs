//! `accuracy.svg`: mean test accuracy against the x axis, one panel per facet, one line per method.

use super::draw::draw_lines;
use super::lines::{metric_panels, references_note, Values};
use super::{Attempt, Figure, Options, BARS};
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn accuracy(s: &Summary, x: &Axis, o: &Options) -> Attempt {
    let grid = metric_panels(s, x, Metric::TestAccuracy, Values::MeanStd, &o.facets)?;
    Some(draw_lines(
        Figure::ACCURACY,
        format!("Test accuracy vs {}", x.human()),
        format!(
            "Mean test accuracy on the clean test split over seeds, one line per method; {}; {BARS}.",
            references_note(x)
        ),
        grid,
    ))
}
