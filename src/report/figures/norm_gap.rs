//! `norm_gap.svg`: weight norm and mean logit gap, with the free-logit optimum of a sample's gap
//! under label smoothing as dashed reference lines (a smooth curve of ε when ε is the x axis).

use super::draw::draw_lines;
use super::series::Panel;
use super::series::{has_points, series_for, Mark, Point, Series, Values};
use super::style::{PALETTE, REFERENCE};
use super::{Attempt, Figure, BARS};
use crate::report::summary::Summary;
use crate::scenario::spec::{MethodSpec, SmoothingStyle};
use crate::train::gap::free_logit_gap_optimum;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;
use std::collections::HashSet;

pub(super) fn norm_gap(s: &Summary, x: &Axis) -> Attempt {
    let norm = series_for(s, x, Metric::WeightNorm, Values::MeanStd);
    let mut gap = series_for(s, x, Metric::LogitGap, Values::MeanStd);
    if !has_points(&norm) && !has_points(&gap) {
        return None;
    }
    if *x == Axis::EPSILON {
        gap.extend(cap_curves(s));
    } else {
        gap.extend(cap_lines(s, x));
    }
    let panels = vec![
        Panel {
            title: "weights".into(),
            x_label: x.to_string(),
            y_label: "‖W‖ (Frobenius, no intercept)".into(),
            series: norm,
        },
        Panel {
            title: "logits (training split)".into(),
            x_label: x.to_string(),
            y_label: "mean top-1 − top-2 logit".into(),
            series: gap,
        },
    ];
    Some(draw_lines(
        Figure::NORM_GAP,
        format!("Weight norm and logit gap vs {x}"),
        format!(
            "Weight norm and mean logit gap; the dashed line is the free-logit optimum, the gap that minimizes \
             one sample's smoothed cross entropy when its logits are free, log(1 + K(1−ε)/ε) (binary: log((2−ε)/ε)); \
             a reference, not a bound: a linear model's mean gap can exceed it; hard labels have no finite optimum; {BARS}."
        ),
        panels,
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
            let points = (0..n)
                .filter_map(|j| {
                    let epsilon = epsilon(j);
                    let method = MethodSpec::LabelSmoothing { epsilon, style };
                    Some(Point::at(epsilon, free_logit_gap_optimum(&method, k)?))
                })
                .collect();
            let style_name = match style {
                SmoothingStyle::Uniform => "uniform",
                SmoothingStyle::Others => "others",
            };
            Series {
                label: if single {
                    "free-logit optimum".into()
                } else {
                    format!("free-logit optimum K={k}, {style_name}")
                },
                color: if single {
                    REFERENCE
                } else {
                    PALETTE[PALETTE.len() - 1 - i % PALETTE.len()]
                },
                mark: Mark::Dashed,
                points,
            }
        })
        .filter(|c: &Series| !c.points.is_empty())
        .collect()
}

/// The optimum as recorded per cell (`logit_gap_free_optimum`), when the x axis is not ε: each distinct line once.
fn cap_lines(s: &Summary, x: &Axis) -> Vec<Series> {
    let mut caps: Vec<Series> = Vec::new();
    // A line's points by value (`+ 0.0` makes −0 equal 0, as `==` did): a set, not a scan of the
    // lines kept so far, so many settings stay linear.
    let mut seen: HashSet<Vec<(u64, u64)>> = HashSet::new();
    for c in series_for(s, x, Metric::LogitGapFreeOptimum, Values::Mean)
        .into_iter()
        .filter(|c| !c.points.is_empty())
    {
        let key = c
            .points
            .iter()
            .map(|p| ((p.x + 0.0).to_bits(), (p.y + 0.0).to_bits()))
            .collect();
        if seen.insert(key) {
            caps.push(c);
        }
    }
    let single = caps.len() == 1;
    let mut out = Vec::new();
    for mut c in caps {
        c.label = if single {
            "free-logit optimum".into()
        } else {
            format!("free-logit optimum: {}", c.label)
        };
        if single {
            c.color = REFERENCE;
        }
        c.mark = Mark::Dashed;
        out.push(c);
    }
    out
}
