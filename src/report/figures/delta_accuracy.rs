//! `delta_accuracy.svg`: the paired gain in test accuracy over the baseline trained on the same
//! noisy labels, with its 95% t-interval, against the x axis.

use super::draw::draw_lines;
use super::lines::{metric_panels, references_note, Values};
use super::series::{Mark, Point, Series};
use super::style::REFERENCE;
use super::{Attempt, Figure, Options};
use crate::report::export::baseline_name;
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn delta_accuracy(s: &Summary, x: &Axis, o: &Options) -> Attempt {
    let mut grid = metric_panels(s, x, Metric::TestAccuracy, Values::PairedCi, &o.facets)?;
    let baseline = baseline_name(s);
    for p in grid.panels.iter_mut().flatten() {
        let mut zero = Series::new(format!("{baseline} (Δ = 0)"), REFERENCE, None, Mark::Level);
        zero.points.push(Point::at(0.0, 0.0));
        p.series.push(zero);
        p.y_label = format!("Δ {}", Metric::TestAccuracy.title());
    }
    Some(draw_lines(
        Figure::DELTA_ACCURACY,
        format!("Test accuracy gained over {baseline} vs {}", x.human()),
        format!(
            "Mean over seeds of the per-seed difference in test accuracy against {baseline} trained on the same \
             noisy labels; error bars: 95% t-interval of that mean (the tables mark ▲/▼ when it excludes 0); {}; \
             points of different lines at the same x are shifted slightly apart.",
            references_note(x)
        ),
        grid,
    ))
}
