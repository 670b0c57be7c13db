//! SVG figures drawn with plotters' SVG backend (text becomes `<text>` elements, so no font library
//! is involved), from the summary and the run records alone.
//!
//! The x axis is `noise.rate` when it varies, else the first axis with at least two numeric values;
//! "vs ε" figures use `method.epsilon` when it varies. Every other axis (the method included) tells
//! the lines apart, and each line has one legend entry whose text is the line's label. Figures that
//! do not apply to a grid are skipped; drawing problems are returned, never panicked on.

use super::export::{fixed, short_axes};
use super::summary::{axes_key, Cell, Summary};
use crate::engine::record::RunRecord;
use crate::metrics::ReliabilityBin;
use crate::scenario::spec::{AxisValue, MethodSpec, SmoothingStyle};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// One SVG figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// File name under `plots/`.
    pub file: &'static str,
    pub title: String,
    /// What is drawn and how, for the HTML page.
    pub caption: String,
    pub svg: String,
}

/// Every file this module may write (stale ones are removed when a figure no longer applies).
pub const FILES: &[&str] = &[
    "accuracy.svg",
    "delta_accuracy.svg",
    "train_loss.svg",
    "ece.svg",
    "norm_gap.svg",
    "reliability.svg",
    "trace.svg",
];

/// Tableau 10, a categorical palette made for line charts.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0xBA, 0xB0, 0xAC),
];
const REFERENCE: RGBColor = RGBColor(0x55, 0x55, 0x55);
const FONT: &str = "sans-serif";
const PANEL_W: u32 = 460;
const PANEL_H: u32 = 340;
const TITLE_H: u32 = 40;
const LEGEND_ROW: i32 = 22;

const BARS: &str = "error bars: ±1 sample standard deviation over seeds, as in the tables (none when a cell \
                    has one run); points of different lines at the same x are shifted slightly apart";

#[derive(Clone, Copy, Debug)]
struct Point {
    x: f64,
    y: f64,
    /// Error bar (low, high).
    bar: Option<(f64, f64)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mark {
    /// Line with point markers.
    Line,
    /// Line without markers.
    Plain,
    Dashed,
    Box,
}

#[derive(Clone, Debug)]
struct Series {
    label: String,
    color: RGBColor,
    mark: Mark,
    points: Vec<Point>,
}

#[derive(Clone, Debug)]
struct Panel {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<Series>,
}

/// Draws every figure that applies; returns them with the problems met on the way.
pub fn render(s: &Summary, records: &[RunRecord]) -> (Vec<Figure>, Vec<String>) {
    let mut recs: Vec<&RunRecord> = records.iter().collect();
    // Pooled sums must not depend on the order runs finished in.
    recs.sort_by(|a, b| a.index.cmp(&b.index).then(a.id.cmp(&b.id)));
    let mut by_cell: BTreeMap<String, Vec<&RunRecord>> = BTreeMap::new();
    for r in recs {
        by_cell.entry(axes_key(&r.axes)).or_default().push(r);
    }
    let x = main_axis(s);
    let eps = numeric_axes(s)
        .into_iter()
        .find(|a| a == "method.epsilon")
        .or_else(|| x.clone());
    let attempts = [
        x.as_deref().and_then(|x| accuracy(s, x)),
        x.as_deref().and_then(|x| delta_accuracy(s, x)),
        x.as_deref().and_then(|x| train_loss(s, x)),
        eps.as_deref().and_then(|e| ece(s, e)),
        eps.as_deref().and_then(|e| norm_gap(s, &by_cell, e)),
        reliability(s, &by_cell, x.as_deref()),
        traces(s, &by_cell, x.as_deref()),
    ];
    let mut figures = Vec::new();
    let mut problems = Vec::new();
    for a in attempts.into_iter().flatten() {
        match a {
            Ok(f) => figures.push(f),
            Err(e) => problems.push(e),
        }
    }
    (figures, problems)
}

fn numeric(v: &AxisValue) -> Option<f64> {
    match v {
        AxisValue::Int(i) => Some(*i as f64),
        AxisValue::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

fn axis_value<'a>(c: &'a Cell, axis: &str) -> Option<&'a AxisValue> {
    c.axes.iter().find(|(k, _)| k == axis).map(|(_, v)| v)
}

/// Axes with at least two distinct numeric values, in column order.
pub fn numeric_axes(s: &Summary) -> Vec<String> {
    s.axes
        .iter()
        .filter(|a| {
            let mut v: Vec<f64> = s
                .cells
                .iter()
                .filter_map(|c| axis_value(c, a).and_then(numeric))
                .collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v.len() >= 2
        })
        .cloned()
        .collect()
}

/// The x axis of the "vs noise" figures: `noise.rate` when it varies, else the first numeric axis.
pub fn main_axis(s: &Summary) -> Option<String> {
    let n = numeric_axes(s);
    if n.iter().any(|a| a == "noise.rate") {
        Some("noise.rate".into())
    } else {
        n.into_iter().next()
    }
}

fn short_of(s: &Summary, axis: &str) -> String {
    let short = short_axes(&s.axes);
    let name = s
        .axes
        .iter()
        .position(|a| a == axis)
        .map_or(axis.to_string(), |i| short[i].clone());
    if name == "epsilon" {
        "ε".into()
    } else {
        name
    }
}

/// Axes other than `x` whose value differs among `cells`.
fn varying_axes(s: &Summary, cells: &[&Cell], x: &str) -> Vec<String> {
    let Some(first) = cells.first() else {
        return Vec::new();
    };
    s.axes
        .iter()
        .filter(|a| {
            *a != x
                && cells
                    .iter()
                    .any(|c| axis_value(c, a) != axis_value(first, a))
        })
        .cloned()
        .collect()
}

/// A line's legend text: the method label (when a method setting other than `x` varies) and
/// `name=value` for the other varying axes.
fn series_label(s: &Summary, c: &Cell, x: &str, varying: &[String]) -> String {
    let x_is_method = x.starts_with("method.");
    let mut parts = Vec::new();
    if !x_is_method && varying.iter().any(|a| a.starts_with("method.")) {
        parts.push(c.method.clone());
    }
    for (k, v) in &c.axes {
        if varying.contains(k) && (x_is_method || !k.starts_with("method.")) {
            parts.push(format!("{}={v}", short_of(s, k)));
        }
    }
    if !parts.is_empty() {
        parts.join(", ")
    } else if x_is_method {
        // The line runs along a method setting: name the method family only (`ls`, `gce`, …).
        c.method.split(' ').next().unwrap_or_default().to_string()
    } else {
        c.method.clone()
    }
}

fn series_key(c: &Cell, x: &str) -> String {
    let rest: Vec<(String, AxisValue)> = c.axes.iter().filter(|(k, _)| k != x).cloned().collect();
    axes_key(&rest)
}

/// What a line shows of a metric.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Values {
    /// The mean over seeds.
    Mean,
    /// The mean with ±1 standard deviation bars.
    MeanStd,
    /// The mean paired difference against the baseline with its 95% t-interval.
    PairedCi,
}

/// One line per setting of the other axes: the cells' `metric` against their value on `x`.
/// Colours follow the grid order, so a line keeps its colour in every panel and figure.
fn series_for(s: &Summary, x: &str, metric: &str, values: Values) -> Vec<Series> {
    let on_x: Vec<&Cell> = s
        .cells
        .iter()
        .filter(|c| axis_value(c, x).and_then(numeric).is_some())
        .collect();
    let varying = varying_axes(s, &on_x, x);
    let mut keys: Vec<String> = Vec::new();
    let mut out: Vec<Series> = Vec::new();
    for c in on_x {
        let Some(xv) = axis_value(c, x).and_then(numeric) else {
            continue;
        };
        let key = series_key(c, x);
        let i = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
            keys.push(key);
            out.push(Series {
                label: series_label(s, c, x, &varying),
                color: PALETTE[out.len() % PALETTE.len()],
                mark: Mark::Line,
                points: Vec::new(),
            });
            out.len() - 1
        });
        let source = if values == Values::PairedCi {
            &c.paired
        } else {
            &c.stats
        };
        let Some(st) = source.get(metric).filter(|st| st.mean.is_finite()) else {
            continue;
        };
        let bar = match values {
            Values::Mean => None,
            Values::MeanStd => st
                .std
                .is_finite()
                .then_some((st.mean - st.std, st.mean + st.std)),
            Values::PairedCi => {
                (st.ci_low.is_finite() && st.ci_high.is_finite()).then_some((st.ci_low, st.ci_high))
            }
        };
        out[i].points.push(Point {
            x: xv,
            y: st.mean,
            bar,
        });
    }
    for series in &mut out {
        series.points.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out
}

fn has_points(series: &[Series]) -> bool {
    series.iter().any(|s| !s.points.is_empty())
}

fn accuracy(s: &Summary, x: &str) -> Option<Result<Figure, String>> {
    let series = series_for(s, x, "test_accuracy", Values::MeanStd);
    if !has_points(&series) {
        return None;
    }
    let panel = Panel {
        title: "clean test split".into(),
        x_label: x.into(),
        y_label: "test accuracy".into(),
        series,
    };
    Some(draw_lines(
        "accuracy.svg",
        format!("Test accuracy vs {x}"),
        format!("Mean test accuracy over seeds, one line per method and setting; {BARS}."),
        vec![panel],
    ))
}

fn delta_accuracy(s: &Summary, x: &str) -> Option<Result<Figure, String>> {
    let mut series = series_for(s, x, "test_accuracy", Values::PairedCi);
    if !has_points(&series) {
        return None;
    }
    let xs = series.iter().flat_map(|l| l.points.iter().map(|p| p.x));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let baseline = super::export::baseline_name(s);
    series.push(Series {
        label: format!("{baseline} (Δ = 0)"),
        color: REFERENCE,
        mark: Mark::Dashed,
        points: vec![
            Point {
                x: lo,
                y: 0.0,
                bar: None,
            },
            Point {
                x: hi,
                y: 0.0,
                bar: None,
            },
        ],
    });
    let panel = Panel {
        title: format!("paired with {baseline} on the same noisy labels"),
        x_label: x.into(),
        y_label: "Δ test accuracy".into(),
        series,
    };
    Some(draw_lines(
        "delta_accuracy.svg",
        format!("Test accuracy gained over {baseline} vs {x}"),
        format!(
            "Mean over seeds of the per-seed difference in test accuracy against {baseline} trained on the same \
             noisy labels; error bars: 95% t-interval of that mean (the tables mark ▲/▼ when it excludes 0); \
             points of different lines at the same x are shifted slightly apart."
        ),
        vec![panel],
    ))
}

fn train_loss(s: &Summary, x: &str) -> Option<Result<Figure, String>> {
    let corrupted = series_for(s, x, "train_loss_corrupted", Values::MeanStd);
    let clean = series_for(s, x, "train_loss_clean", Values::MeanStd);
    if !has_points(&corrupted) && !has_points(&clean) {
        return None;
    }
    let panels = vec![
        Panel {
            title: "corrupted training samples".into(),
            x_label: x.into(),
            y_label: "CE vs observed (wrong) label".into(),
            series: corrupted,
        },
        Panel {
            title: "clean training samples".into(),
            x_label: x.into(),
            y_label: "CE vs observed label".into(),
            series: clean,
        },
    ];
    Some(draw_lines(
        "train_loss.svg",
        format!("Training loss on corrupted and clean samples vs {x}"),
        format!(
            "Mean cross entropy against the observed label (train_loss_corrupted, train_loss_clean): a low loss \
             on corrupted samples means the wrong labels were fitted; {BARS}."
        ),
        panels,
    ))
}

fn ece(s: &Summary, x: &str) -> Option<Result<Figure, String>> {
    let series = series_for(s, x, "test_ece", Values::MeanStd);
    if !has_points(&series) {
        return None;
    }
    let panel = Panel {
        title: "top-1 confidence, equal-width bins".into(),
        x_label: x.into(),
        y_label: "test ECE".into(),
        series,
    };
    Some(draw_lines(
        "ece.svg",
        format!("Expected calibration error vs {x}"),
        format!("Mean test ECE (Guo et al. 2017, equal-width bins (lo, hi] on top-1 confidence); {BARS}."),
        vec![panel],
    ))
}

/// The theoretical logit-gap cap as a smooth curve of ε between the smallest positive and the
/// largest ε of the grid, one per (K, smoothing style) among the label-smoothing runs.
fn cap_curves(by_cell: &BTreeMap<String, Vec<&RunRecord>>) -> Vec<Series> {
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
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, (k, style))| {
            let points = (0..n)
                .filter_map(|j| {
                    let e = if n == 1 {
                        lo
                    } else {
                        lo + (hi - lo) * j as f64 / (n - 1) as f64
                    };
                    let cap = crate::engine::execute::logit_gap_cap(
                        &MethodSpec::LabelSmoothing { epsilon: e, style },
                        k,
                    )?;
                    Some(Point {
                        x: e,
                        y: cap,
                        bar: None,
                    })
                })
                .collect();
            let style_name = match style {
                SmoothingStyle::Uniform => "uniform",
                SmoothingStyle::Others => "others",
            };
            Series {
                label: if single {
                    "theoretical cap".into()
                } else {
                    format!("cap K={k}, {style_name}")
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

fn norm_gap(
    s: &Summary,
    by_cell: &BTreeMap<String, Vec<&RunRecord>>,
    x: &str,
) -> Option<Result<Figure, String>> {
    let norm = series_for(s, x, "weight_norm", Values::MeanStd);
    let mut gap = series_for(s, x, "logit_gap", Values::MeanStd);
    if !has_points(&norm) && !has_points(&gap) {
        return None;
    }
    if x == "method.epsilon" {
        gap.extend(cap_curves(by_cell));
    } else {
        gap.extend(cap_lines(s, x));
    }
    let panels = vec![
        Panel {
            title: "weights".into(),
            x_label: x.into(),
            y_label: "‖W‖ (Frobenius, no intercept)".into(),
            series: norm,
        },
        Panel {
            title: "logits (training split)".into(),
            x_label: x.into(),
            y_label: "mean top-1 − top-2 logit".into(),
            series: gap,
        },
    ];
    Some(draw_lines(
        "norm_gap.svg",
        format!("Weight norm and logit gap vs {x}"),
        format!(
            "Weight norm and mean logit gap; the dashed line is the gap at the optimum of smoothed cross entropy, \
             log(1 + K(1−ε)/ε) (binary: log((2−ε)/ε)); hard labels have no finite cap; {BARS}."
        ),
        panels,
    ))
}

/// The cap as recorded per cell (`logit_gap_cap`), when the x axis is not ε: each distinct line once.
fn cap_lines(s: &Summary, x: &str) -> Vec<Series> {
    let mut caps: Vec<Series> = Vec::new();
    for c in series_for(s, x, "logit_gap_cap", Values::Mean)
        .into_iter()
        .filter(|c| !c.points.is_empty())
    {
        let same = |a: &Series| {
            a.points.len() == c.points.len()
                && a.points
                    .iter()
                    .zip(&c.points)
                    .all(|(p, q)| p.x == q.x && p.y == q.y)
        };
        if !caps.iter().any(same) {
            caps.push(c);
        }
    }
    let single = caps.len() == 1;
    let mut out = Vec::new();
    for mut c in caps {
        c.label = if single {
            "theoretical cap".into()
        } else {
            format!("cap: {}", c.label)
        };
        if single {
            c.color = REFERENCE;
        }
        c.mark = Mark::Dashed;
        out.push(c);
    }
    out
}

/// The cells of one setting to look at closely: the highest value of the x axis (when it is not a
/// method setting) and the first setting of the other non-method axes. Returns them with a
/// description of the setting.
fn focus<'a>(s: &'a Summary, x: Option<&str>) -> Option<(Vec<&'a Cell>, String)> {
    let mut cells: Vec<&Cell> = s.cells.iter().collect();
    if let Some(x) = x.filter(|a| !a.starts_with("method.")) {
        let max = cells
            .iter()
            .filter_map(|c| axis_value(c, x).and_then(numeric))
            .fold(f64::NEG_INFINITY, f64::max);
        cells.retain(|c| axis_value(c, x).and_then(numeric) == Some(max));
    }
    let setting = |c: &Cell| -> Vec<(String, AxisValue)> {
        c.axes
            .iter()
            .filter(|(k, _)| !k.starts_with("method."))
            .cloned()
            .collect()
    };
    let first = setting(cells.first()?);
    cells.retain(|c| setting(c) == first);
    let desc: Vec<String> = first
        .iter()
        .map(|(k, v)| format!("{}={v}", short_of(s, k)))
        .collect();
    Some((cells, desc.join(", ")))
}

/// Reliability bins of a cell pooled over its runs (counts summed, means weighted by counts).
fn pooled(runs: &[&RunRecord]) -> Vec<ReliabilityBin> {
    // Keyed by the bin edges' bits; the value sums count·confidence and count·accuracy in place.
    let mut acc: BTreeMap<(u64, u64), ReliabilityBin> = BTreeMap::new();
    for r in runs {
        for b in &r.reliability {
            let e = acc
                .entry((b.lo.to_bits(), b.hi.to_bits()))
                .or_insert(ReliabilityBin {
                    lo: b.lo,
                    hi: b.hi,
                    count: 0,
                    confidence: 0.0,
                    accuracy: 0.0,
                });
            e.count += b.count;
            e.confidence += b.confidence * b.count as f64;
            e.accuracy += b.accuracy * b.count as f64;
        }
    }
    let mut bins: Vec<ReliabilityBin> = acc
        .into_values()
        .filter(|e| e.count > 0)
        .map(|e| ReliabilityBin {
            confidence: e.confidence / e.count as f64,
            accuracy: e.accuracy / e.count as f64,
            ..e
        })
        .collect();
    bins.sort_by(|a, b| a.lo.total_cmp(&b.lo));
    bins
}

fn reliability(
    s: &Summary,
    by_cell: &BTreeMap<String, Vec<&RunRecord>>,
    x: Option<&str>,
) -> Option<Result<Figure, String>> {
    let (cells, setting) = focus(s, x)?;
    let baseline = cells.iter().copied().find(|c| c.is_baseline);
    let acc = |c: &&Cell| {
        c.stats
            .get("test_accuracy")
            .map_or(f64::NEG_INFINITY, |st| st.mean)
    };
    let best =
        cells
            .iter()
            .copied()
            .filter(|c| !c.is_baseline)
            .fold(None::<&Cell>, |b, c| match b {
                Some(b) if acc(&b) >= acc(&c) => Some(b),
                _ => Some(c),
            });
    let chosen: Vec<&Cell> = [baseline, best].into_iter().flatten().collect();
    let panels: Vec<(String, Vec<ReliabilityBin>)> = chosen
        .iter()
        .map(|c| {
            let runs = by_cell
                .get(&axes_key(&c.axes))
                .map_or(&[][..], Vec::as_slice);
            let ece = c
                .stats
                .get("test_ece")
                .map_or(String::new(), |st| format!(", mean ECE {}", fixed(st.mean)));
            (format!("{}{ece}", c.method), pooled(runs))
        })
        .filter(|(_, bins)| !bins.is_empty())
        .collect();
    if panels.is_empty() {
        return None;
    }
    let title = if setting.is_empty() {
        "Reliability diagrams".to_string()
    } else {
        format!("Reliability diagrams at {setting}")
    };
    Some(draw_reliability(title, panels).map(|svg| Figure {
        file: "reliability.svg",
        title: "Reliability diagrams".into(),
        caption: format!(
            "Test accuracy (bars) and mean top-1 confidence (red ticks) per confidence bin, against the diagonal \
             of perfect calibration, for the hard-label baseline and the most accurate other method{}; bins \
             pooled over seeds (counts summed). Ticks below the bar top: under-confident; above: over-confident.",
            if setting.is_empty() { String::new() } else { format!(" at {setting}") }
        ),
        svg,
    }))
}

fn traces(
    s: &Summary,
    by_cell: &BTreeMap<String, Vec<&RunRecord>>,
    x: Option<&str>,
) -> Option<Result<Figure, String>> {
    if by_cell.values().flatten().all(|r| r.trace.is_empty()) {
        return None;
    }
    let (cells, setting) = focus(s, x)?;
    type Pick = fn(&crate::engine::record::TracePoint) -> Option<f64>;
    let metrics: [(&str, &str, Pick); 4] = [
        ("test accuracy", "test_accuracy", |t| Some(t.test_accuracy)),
        ("memorized (corrupted samples fitted)", "memorized", |t| {
            t.memorized
        }),
        ("CE on corrupted samples", "train_loss_corrupted", |t| {
            t.train_loss_corrupted
        }),
        ("weight norm", "weight_norm", |t| Some(t.weight_norm)),
    ];
    let mut panels: Vec<Panel> = metrics
        .iter()
        .map(|(title, name, _)| Panel {
            title: (*title).into(),
            x_label: "step (L-BFGS iteration or epoch)".into(),
            y_label: (*name).into(),
            series: Vec::new(),
        })
        .collect();
    let mut seeds = Vec::new();
    let varying = varying_axes(s, &cells, "");
    for (i, c) in cells.iter().enumerate() {
        let runs = by_cell
            .get(&axes_key(&c.axes))
            .map_or(&[][..], Vec::as_slice);
        let Some(run) = runs
            .iter()
            .filter(|r| !r.trace.is_empty())
            .min_by_key(|r| r.seed)
        else {
            continue;
        };
        seeds.push(run.seed);
        for (panel, (_, _, pick)) in panels.iter_mut().zip(&metrics) {
            let points = run
                .trace
                .iter()
                .filter_map(|t| {
                    pick(t).filter(|v| v.is_finite()).map(|y| Point {
                        x: t.step as f64,
                        y,
                        bar: None,
                    })
                })
                .collect();
            panel.series.push(Series {
                label: series_label(s, c, "", &varying),
                color: PALETTE[i % PALETTE.len()],
                mark: Mark::Line,
                points,
            });
        }
    }
    panels.retain(|p| has_points(&p.series));
    if panels.is_empty() {
        return None;
    }
    seeds.sort_unstable();
    seeds.dedup();
    let seed_text = match seeds.as_slice() {
        [one] => format!("seed {one}"),
        _ => "lowest seed of each cell".into(),
    };
    let at = if setting.is_empty() {
        String::new()
    } else {
        format!(" at {setting}")
    };
    Some(draw_lines(
        "trace.svg",
        format!("Training curves{at} ({seed_text})"),
        format!("Recorded training traces{at}, one run per method ({seed_text})."),
        panels,
    ))
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// A padded, finite, non-empty range holding every finite value.
fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-1e300, 1e300))
    {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    let size = hi.abs().max(lo.abs());
    // A (nearly) flat line gets a range of ±5% of its level, so tick labels stay distinct.
    let pad = if hi - lo > 1e-3 * size {
        (hi - lo) * 0.06
    } else {
        (0.05 * size).max(0.05)
    };
    (lo - pad, hi + pad)
}

struct Entry {
    label: String,
    color: RGBColor,
    mark: Mark,
}

fn legend_width(entries: &[Entry]) -> u32 {
    let longest = entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0) as u32;
    (64 + 8 * longest).clamp(140, 440)
}

fn draw_legend(area: &DrawingArea<SVGBackend<'_>, Shift>, entries: &[Entry]) -> Result<(), String> {
    for (i, e) in entries.iter().enumerate() {
        let y = 40 + LEGEND_ROW * i as i32;
        match e.mark {
            Mark::Line | Mark::Plain => {
                area.draw(&PathElement::new(
                    vec![(10, y), (40, y)],
                    e.color.stroke_width(2),
                ))
                .map_err(err)?;
                if e.mark == Mark::Line {
                    area.draw(&Circle::new((25, y), 3, e.color.filled()))
                        .map_err(err)?;
                }
            }
            Mark::Dashed => {
                for k in 0..3 {
                    area.draw(&PathElement::new(
                        vec![(10 + 11 * k, y), (17 + 11 * k, y)],
                        e.color.stroke_width(2),
                    ))
                    .map_err(err)?;
                }
            }
            Mark::Box => {
                area.draw(&Rectangle::new(
                    [(12, y - 6), (38, y + 6)],
                    e.color.filled(),
                ))
                .map_err(err)?;
            }
        }
        area.draw(&Text::new(
            e.label.clone(),
            (48, y - 7),
            (FONT, 14).into_font(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Panels in a grid (1×n up to 3, else 2 columns) with one legend on the right.
fn layout(panels: usize, legend: &[Entry]) -> (u32, u32, usize, usize, u32) {
    let cols = if panels <= 3 { panels.max(1) } else { 2 };
    let rows = panels.max(1).div_ceil(cols);
    let lw = legend_width(legend);
    let legend_h = 60 + LEGEND_ROW as u32 * legend.len() as u32;
    let h = (TITLE_H + rows as u32 * PANEL_H).max(TITLE_H + legend_h);
    (cols as u32 * PANEL_W + lw, h, rows, cols, lw)
}

fn draw_lines(
    file: &'static str,
    title: String,
    caption: String,
    panels: Vec<Panel>,
) -> Result<Figure, String> {
    let mut entries: Vec<Entry> = Vec::new();
    for p in &panels {
        for s in p.series.iter().filter(|s| !s.points.is_empty()) {
            if !entries.iter().any(|e| e.label == s.label) {
                entries.push(Entry {
                    label: s.label.clone(),
                    color: s.color,
                    mark: s.mark,
                });
            }
        }
    }
    let (w, h, rows, cols, lw) = layout(panels.len(), &entries);
    // Panels share the x range so they read side by side.
    let x_range = padded(
        panels
            .iter()
            .flat_map(|p| p.series.iter().flat_map(|s| s.points.iter().map(|q| q.x))),
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(&title, (FONT, 20).into_font()).map_err(err)?;
        let (plots, legend) = body.split_horizontally(w - lw);
        for (area, panel) in plots.split_evenly((rows, cols)).iter().zip(&panels) {
            draw_panel(area, panel, x_range)?;
        }
        draw_legend(&legend, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(Figure {
        file,
        title,
        caption,
        svg,
    })
}

fn draw_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    p: &Panel,
    (x0, x1): (f64, f64),
) -> Result<(), String> {
    let points = || p.series.iter().flat_map(|s| s.points.iter());
    let (y0, y1) = padded(
        points()
            .flat_map(|q| [Some(q.y), q.bar.map(|b| b.0), q.bar.map(|b| b.1)])
            .flatten(),
    );
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, (FONT, 16).into_font())
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .max_light_lines(1)
        .x_labels(6)
        .y_labels(6)
        .draw()
        .map_err(err)?;
    // Lines with error bars are shifted apart by up to ±1.5% of the x range so bars stay visible.
    let barred: Vec<&Series> = p
        .series
        .iter()
        .filter(|s| s.points.iter().any(|q| q.bar.is_some()))
        .collect();
    let step = if barred.len() > 1 {
        0.03 * (x1 - x0) / (barred.len() - 1) as f64
    } else {
        0.0
    };
    for s in p.series.iter().filter(|s| !s.points.is_empty()) {
        let shift = barred
            .iter()
            .position(|b| std::ptr::eq(*b, s))
            .map_or(0.0, |i| (i as f64 - (barred.len() - 1) as f64 / 2.0) * step);
        let xy: Vec<(f64, f64)> = s.points.iter().map(|q| (q.x + shift, q.y)).collect();
        if s.mark == Mark::Dashed {
            // A one-point reference line is drawn as a short level segment so it stays visible.
            let xy = match xy.as_slice() {
                [(x, y)] => vec![(x - 0.03 * (x1 - x0), *y), (x + 0.03 * (x1 - x0), *y)],
                _ => xy,
            };
            chart
                .draw_series(DashedLineSeries::new(xy, 6, 4, s.color.stroke_width(2)))
                .map_err(err)?;
            continue;
        }
        chart
            .draw_series(LineSeries::new(xy.iter().copied(), s.color.stroke_width(2)))
            .map_err(err)?;
        chart
            .draw_series(xy.iter().map(|&p| Circle::new(p, 3, s.color.filled())))
            .map_err(err)?;
        chart
            .draw_series(s.points.iter().filter_map(|q| {
                q.bar.map(|(lo, hi)| {
                    ErrorBar::new_vertical(q.x + shift, lo, q.y, hi, s.color.stroke_width(1), 8)
                })
            }))
            .map_err(err)?;
    }
    Ok(())
}

const ACCURACY_BAR: RGBColor = RGBColor(0x4E, 0x79, 0xA7);
const CONFIDENCE: RGBColor = RGBColor(0xE1, 0x57, 0x59);

fn draw_reliability(
    title: String,
    panels: Vec<(String, Vec<ReliabilityBin>)>,
) -> Result<String, String> {
    let entries = vec![
        Entry {
            label: "accuracy in bin".into(),
            color: ACCURACY_BAR,
            mark: Mark::Box,
        },
        Entry {
            label: "mean confidence in bin".into(),
            color: CONFIDENCE,
            mark: Mark::Plain,
        },
        Entry {
            label: "perfect calibration".into(),
            color: REFERENCE,
            mark: Mark::Dashed,
        },
    ];
    let (w, h, rows, cols, lw) = layout(panels.len(), &entries);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(&title, (FONT, 20).into_font()).map_err(err)?;
        let (plots, legend) = body.split_horizontally(w - lw);
        for (area, (name, bins)) in plots.split_evenly((rows, cols)).iter().zip(&panels) {
            let mut chart = ChartBuilder::on(area)
                .caption(name, (FONT, 16).into_font())
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(0f64..1f64, 0f64..1f64)
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("top-1 confidence")
                .y_desc("accuracy")
                .max_light_lines(1)
                .draw()
                .map_err(err)?;
            chart
                .draw_series(bins.iter().map(|b| {
                    Rectangle::new(
                        [(b.lo, 0.0), (b.hi, b.accuracy)],
                        ACCURACY_BAR.mix(0.75).filled(),
                    )
                }))
                .map_err(err)?;
            chart
                .draw_series(bins.iter().map(|b| {
                    PathElement::new(
                        vec![(b.lo, b.confidence), (b.hi, b.confidence)],
                        CONFIDENCE.stroke_width(2),
                    )
                }))
                .map_err(err)?;
            chart
                .draw_series(DashedLineSeries::new(
                    [(0.0, 0.0), (1.0, 1.0)],
                    6,
                    4,
                    REFERENCE.stroke_width(1),
                ))
                .map_err(err)?;
        }
        draw_legend(&legend, &entries)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_finite_and_non_empty() {
        for values in [
            vec![],
            vec![f64::NAN],
            vec![2.0],
            vec![0.0, 0.0],
            vec![-1e308, 1e308, f64::INFINITY],
            vec![1e16, 1e16 + 2.0],
        ] {
            let (lo, hi) = padded(values.iter().copied());
            assert!(
                lo.is_finite() && hi.is_finite() && lo < hi,
                "{values:?} → {lo}..{hi}"
            );
            for v in values
                .iter()
                .filter(|v| v.is_finite())
                .map(|v| v.clamp(-1e300, 1e300))
            {
                assert!(lo <= v && v <= hi);
            }
        }
    }
}
