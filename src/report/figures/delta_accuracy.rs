//! `delta_accuracy.svg`: the paired gain in test accuracy over the baseline trained on the same
//! noisy labels, with its 95% t-interval, against the x axis.

use super::draw::draw_lines;
use super::series::Panel;
use super::series::{has_points, series_for, Mark, Point, Series, Values};
use super::style::REFERENCE;
use super::{Attempt, Figure};
use crate::report::export::baseline_name;
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn delta_accuracy(s: &Summary, x: &Axis) -> Attempt {
    let mut series = series_for(s, x, Metric::TestAccuracy, Values::PairedCi);
    if !has_points(&series) {
        return None;
    }
    let xs = series.iter().flat_map(|l| l.points.iter().map(|p| p.x));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let baseline = baseline_name(s);
    series.push(Series {
        label: format!("{baseline} (Δ = 0)"),
        color: REFERENCE,
        mark: Mark::Dashed,
        points: vec![Point::at(lo, 0.0), Point::at(hi, 0.0)],
    });
    let panel = Panel {
        title: format!("paired with {baseline} on the same noisy labels"),
        x_label: x.to_string(),
        y_label: "Δ test accuracy".into(),
        series,
    };
    Some(draw_lines(
        Figure::DELTA_ACCURACY,
        format!("Test accuracy gained over {baseline} vs {x}"),
        format!(
            "Mean over seeds of the per-seed difference in test accuracy against {baseline} trained on the same \
             noisy labels; error bars: 95% t-interval of that mean (the tables mark ▲/▼ when it excludes 0); \
             points of different lines at the same x are shifted slightly apart."
        ),
        vec![panel],
    ))
}
