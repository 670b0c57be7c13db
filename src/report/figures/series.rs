//! The data of the lines: one series per setting of the non-x axes, its legend text, and the
//! reliability bins of a cell pooled over seeds.

use super::axes::{is_method_axis, numeric_value, short_of, varying_axes};
use super::draw::{Panel, PALETTE};
use crate::engine::record::RunRecord;
use crate::metrics::ReliabilityBin;
use crate::report::summary::{axes_key, Cell, Summary};
use crate::scenario::spec::AxisValue;
use plotters::style::RGBColor;
use std::collections::BTreeMap;

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

/// Runs grouped by cell (the key of their axes), each group in grid order so pooled sums do not
/// depend on the order runs finished in.
pub(super) fn runs_by_cell(records: &[RunRecord]) -> BTreeMap<String, Vec<&RunRecord>> {
    let mut recs: Vec<&RunRecord> = records.iter().collect();
    recs.sort_by(|a, b| a.index.cmp(&b.index).then(a.id.cmp(&b.id)));
    let mut by_cell: BTreeMap<String, Vec<&RunRecord>> = BTreeMap::new();
    for r in recs {
        by_cell.entry(axes_key(&r.axes)).or_default().push(r);
    }
    by_cell
}

/// The runs of a cell (none when the records hold none).
pub(super) fn runs_of<'a, 'r>(
    by_cell: &'a BTreeMap<String, Vec<&'r RunRecord>>,
    c: &Cell,
) -> &'a [&'r RunRecord] {
    by_cell
        .get(&axes_key(&c.axes))
        .map_or(&[][..], Vec::as_slice)
}

/// A line's legend text: the method label (when a method setting other than `x` varies) and
/// `name=value` for the other varying axes.
pub(super) fn series_label(s: &Summary, c: &Cell, x: &str, varying: &[String]) -> String {
    let x_is_method = is_method_axis(x);
    let mut parts = Vec::new();
    if !x_is_method && varying.iter().any(|a| is_method_axis(a)) {
        parts.push(c.method.clone());
    }
    for (k, v) in &c.axes {
        if varying.contains(k) && (x_is_method || !is_method_axis(k)) {
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

/// The point of a cell on a line: its value on `x` and the `values` of `metric`.
fn point(c: &Cell, x: f64, metric: &str, values: Values) -> Option<Point> {
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
pub(super) fn series_for(s: &Summary, x: &str, metric: &str, values: Values) -> Vec<Series> {
    let on_x: Vec<&Cell> = s
        .cells
        .iter()
        .filter(|c| numeric_value(c, x).is_some())
        .collect();
    let varying = varying_axes(s, &on_x, x);
    let mut keys: Vec<String> = Vec::new();
    let mut out: Vec<Series> = Vec::new();
    for c in on_x {
        let Some(xv) = numeric_value(c, x) else {
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
    x: &str,
    metric: &str,
    title: &str,
    y_label: &str,
) -> Option<Panel> {
    let series = series_for(s, x, metric, Values::MeanStd);
    has_points(&series).then(|| Panel {
        title: title.into(),
        x_label: x.into(),
        y_label: y_label.into(),
        series,
    })
}
