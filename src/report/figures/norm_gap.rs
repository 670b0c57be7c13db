//! `norm_gap.svg`: weight norm and mean logit gap, with the theoretical cap of the logit gap under
//! label smoothing as dashed reference lines (a smooth curve of ε when ε is the x axis).

use super::draw::draw_lines;
use super::lines::references_note;
use super::series::{Mark, Point, Series};
use super::style::reference_colour;
use super::train_loss::stacked;
use super::{Attempt, Figure, Options, RunsByCell, BARS};
use crate::report::summary::Summary;
use crate::scenario::spec::{MethodSpec, SmoothingStyle};
use crate::train::gap::logit_gap_cap;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn norm_gap(s: &Summary, by_cell: &RunsByCell, x: &Axis, o: &Options) -> Attempt {
    let mut grid = stacked(s, x, &[Metric::WeightNorm, Metric::LogitGap], o)?;
    let caps = if *x == Axis::EPSILON {
        cap_curves(by_cell)
    } else {
        Vec::new()
    };
    for p in grid.panels.iter_mut().flatten() {
        if p.y_label == Metric::LogitGap.title() {
            p.series.extend(caps.iter().cloned());
        }
    }
    Some(draw_lines(
        Figure::NORM_GAP,
        format!("Weight norm and logit gap vs {}", x.human()),
        format!(
            "Weight norm (Frobenius, intercept excluded) and mean logit gap on the training split; {}{}; {BARS}.",
            if caps.is_empty() {
                String::new()
            } else {
                "the dashed curve is the gap at the optimum of smoothed cross entropy, log(1 + K(1−ε)/ε) \
                 (binary: log((2−ε)/ε)); hard labels have no finite cap; "
                    .to_string()
            },
            references_note(x)
        ),
        grid,
    ))
}

/// The theoretical logit-gap cap as a smooth curve of ε between the smallest positive and the
/// largest ε of the grid, one per (K, smoothing style) among the label-smoothing runs.
fn cap_curves(by_cell: &RunsByCell) -> Vec<Series> {
    let mut kinds: Vec<(usize, SmoothingStyle)> = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for r in by_cell.values().flatten() {
        if let MethodSpec::LabelSmoothing { epsilon, style } = r.config.method {
            if epsilon > 0.0 && epsilon.is_finite() {
                lo = lo.min(epsilon);
                hi = hi.max(epsilon);
                if !kinds.contains(&(r.data.classes, style)) {
                    kinds.push((r.data.classes, style));
                }
            }
        }
    }
    kinds.sort_by_key(|(k, style)| (*k, *style == SmoothingStyle::Others));
    let single = kinds.len() == 1;
    let n = if hi > lo { 60 } else { 1 };
    let epsilon = |j: usize| {
        if n == 1 {
            lo
        } else {
            lo + (hi - lo) * j as f64 / (n - 1) as f64
        }
    };
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, (k, style))| {
            let style_name = match style {
                SmoothingStyle::Uniform => "uniform",
                SmoothingStyle::Others => "others",
            };
            let label = if single {
                "theoretical cap".into()
            } else {
                format!("cap K={k}, {style_name}")
            };
            let mut curve = Series::new(label, reference_colour(i), None, Mark::Dashed);
            curve.points = (0..n)
                .filter_map(|j| {
                    let epsilon = epsilon(j);
                    let method = MethodSpec::LabelSmoothing { epsilon, style };
                    Some(Point::at(epsilon, logit_gap_cap(&method, k)?))
                })
                .collect();
            curve
        })
        .filter(|c: &Series| !c.points.is_empty())
        .collect()
}
