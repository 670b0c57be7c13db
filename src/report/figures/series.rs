//! The data of the lines: one series per setting of the non-x axes, its legend text, and the
//! reliability bins of a cell pooled over seeds.

use super::axes::{numeric_value, short_of, varying_axes};
use super::style::PALETTE;
use super::RunsByCell;
use crate::engine::record::RunRecord;
use crate::metrics::ReliabilityBin;
use crate::report::summary::{Cell, Setting, Summary};
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;
use plotters::style::RGBColor;
use std::collections::{BTreeMap, HashMap};

/// One panel of lines.
#[derive(Clone, Debug)]
pub(super) struct Panel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Point {
    pub x: f64,
    pub y: f64,
    /// Error bar (low, high).
    pub bar: Option<(f64, f64)>,
}

impl Point {
    /// A point without an error bar.
    pub fn at(x: f64, y: f64) -> Point {
        Point { x, y, bar: None }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Mark {
    /// Line with point markers.
    Line,
    /// Line without markers.
    Plain,
    Dashed,
    Box,
}

#[derive(Clone, Debug)]
pub(super) struct Series {
    pub label: String,
    pub color: RGBColor,
    pub mark: Mark,
    pub points: Vec<Point>,
}

/// What a line shows of a metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Values {
    /// The mean over seeds.
    Mean,
    /// The mean with ±1 standard deviation bars.
    MeanStd,
    /// The mean paired difference against the baseline with its 95% t-interval.
    PairedCi,
}

pub(super) fn has_points(series: &[Series]) -> bool {
    series.iter().any(|s| !s.points.is_empty())
}

/// Runs grouped by cell (the setting of their axes), each group in grid order so pooled sums do
/// not depend on the order runs finished in.
pub(super) fn runs_by_cell(records: &[RunRecord]) -> RunsByCell<'_> {
    let mut recs: Vec<&RunRecord> = records.iter().collect();
    recs.sort_by(|a, b| a.index.cmp(&b.index).then(a.id.cmp(&b.id)));
    let mut by_cell: RunsByCell<'_> = HashMap::new();
    for r in recs {
        by_cell.entry(Setting::of(&r.axes)).or_default().push(r);
    }
    by_cell
}

/// The runs of a cell (none when the records hold none).
pub(super) fn runs_of<'a, 'r>(by_cell: &'a RunsByCell<'r>, c: &Cell) -> &'a [&'r RunRecord] {
    by_cell
        .get(&Setting::of(&c.axes))
        .map_or(&[][..], Vec::as_slice)
}

/// A line's legend text: the method label (when a method setting other than `x` varies) and
/// `name=value` for the other varying axes.
pub(super) fn series_label(s: &Summary, c: &Cell, x: Option<&Axis>, varying: &[Axis]) -> String {
    let x_is_method = x.is_some_and(Axis::is_method);
    let mut parts = Vec::new();
    if !x_is_method && varying.iter().any(Axis::is_method) {
        parts.push(c.method.clone());
    }
    for (a, v) in &c.axes {
        if varying.contains(a) && (x_is_method || !a.is_method()) {
            parts.push(format!("{}={v}", short_of(s, a)));
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

/// The setting of every axis but `x`: cells on one line share it.
fn series_key(c: &Cell, x: &Axis) -> Setting {
    Setting::of(c.axes.iter().filter(|(a, _)| a != x))
}

/// The point of a cell on a line: its value on `x` and the `values` of `metric`.
fn point(c: &Cell, x: f64, metric: Metric, values: Values) -> Option<Point> {
    let source = if values == Values::PairedCi {
        &c.paired
    } else {
        &c.stats
    };
    let st = source.get(metric).filter(|st| st.mean.is_finite())?;
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
    Some(Point { x, y: st.mean, bar })
}

/// One line per setting of the other axes: the cells' `metric` against their value on `x`.
/// Colours follow the grid order, so a line keeps its colour in every panel and figure.
pub(super) fn series_for(s: &Summary, x: &Axis, metric: Metric, values: Values) -> Vec<Series> {
    let on_x: Vec<&Cell> = s
        .cells
        .iter()
        .filter(|c| numeric_value(c, x).is_some())
        .collect();
    let varying = varying_axes(s, &on_x, Some(x));
    let mut line_of: HashMap<Setting, usize> = HashMap::new();
    let mut out: Vec<Series> = Vec::new();
    for c in on_x {
        let Some(xv) = numeric_value(c, x) else {
            continue;
        };
        let next = out.len();
        let i = *line_of.entry(series_key(c, x)).or_insert(next);
        if i == next {
            out.push(Series {
                label: series_label(s, c, Some(x), &varying),
                color: PALETTE[next % PALETTE.len()],
                mark: Mark::Line,
                points: Vec::new(),
            });
        }
        out[i].points.extend(point(c, xv, metric, values));
    }
    for series in &mut out {
        series.points.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out
}

/// Reliability bins of a cell pooled over its runs (counts summed, means weighted by counts).
pub(super) fn pooled(runs: &[&RunRecord]) -> Vec<ReliabilityBin> {
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

/// A panel of `metric` (mean ± std over seeds) against `x`; `None` when no cell has a value.
pub(super) fn mean_std_panel(
    s: &Summary,
    x: &Axis,
    metric: Metric,
    title: &str,
    y_label: &str,
) -> Option<Panel> {
    let series = series_for(s, x, metric, Values::MeanStd);
    has_points(&series).then(|| Panel {
        title: title.into(),
        x_label: x.to_string(),
        y_label: y_label.into(),
        series,
    })
}
