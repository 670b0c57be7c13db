//! `norm_gap.svg`: weight norm and mean logit gap, with the free-logit optimum of a sample's gap
//! under label smoothing as dashed reference lines (a smooth curve of ε when ε is the x axis).

use super::draw::draw_lines;
use super::lines::references_note;
use super::series::{Mark, Point, Series};
use super::style::reference_colour;
use super::train_loss::stacked;
use super::{Attempt, Figure, Options, BARS};
use crate::report::summary::Summary;
use crate::scenario::spec::{MethodSpec, SmoothingStyle};
use crate::train::gap::free_logit_gap_optimum;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn norm_gap(s: &Summary, x: &Axis, o: &Options) -> Attempt {
    let mut grid = stacked(s, x, &[Metric::WeightNorm, Metric::LogitGap], o)?;
    let caps = if *x == Axis::EPSILON {
        cap_curves(s)
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
                "the dashed curve is the free-logit optimum, the gap that minimizes one sample's smoothed cross \
                 entropy when its logits are free, log(1 + K(1−ε)/ε) (binary: log((2−ε)/ε)); a reference, not a \
                 bound: a linear model's mean gap can exceed it; hard labels have no finite optimum; "
                    .to_string()
            },
            references_note(x)
        ),
        grid,
    ))
}

/// The free-logit optimum of the gap as a smooth curve of ε between the smallest positive and the
/// largest ε of the grid, one per (K, smoothing style) among the label-smoothing cells.
fn cap_curves(s: &Summary) -> Vec<Series> {
    let mut kinds: Vec<(usize, SmoothingStyle)> = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for c in &s.cells {
        if let MethodSpec::LabelSmoothing { epsilon, style } = c.spec {
            if epsilon > 0.0 && epsilon.is_finite() {
                lo = lo.min(epsilon);
                hi = hi.max(epsilon);
                if !kinds.contains(&(c.classes, style)) {
                    kinds.push((c.classes, style));
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
                "free-logit optimum".into()
            } else {
                format!("free-logit optimum K={k}, {style_name}")
            };
            let mut curve = Series::new(label, reference_colour(i), None, Mark::Dashed);
            curve.points = (0..n)
                .filter_map(|j| {
                    let epsilon = epsilon(j);
                    let method = MethodSpec::LabelSmoothing { epsilon, style };
                    Some(Point::at(epsilon, free_logit_gap_optimum(&method, k)?))
                })
                .collect();
            curve
        })
        .filter(|c: &Series| !c.points.is_empty())
        .collect()
}
