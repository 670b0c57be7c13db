//! The data of the panels: lines of points with error bars or bands, panels in a grid, and the
//! reliability bins of a cell pooled over seeds.

use super::style::Shape;
use super::RunsByCell;
use crate::engine::record::RunRecord;
use crate::metrics::ReliabilityBin;
use crate::report::summary::{Cell, Setting};
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

/// Panels in rows of `cols` (`None`: an empty slot of the grid).
#[derive(Clone, Debug)]
pub(super) struct Grid {
    pub panels: Vec<Option<Panel>>,
    pub cols: usize,
}

impl Grid {
    pub fn has_points(&self) -> bool {
        self.panels.iter().flatten().any(|p| has_points(&p.series))
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Point {
    pub x: f64,
    pub y: f64,
    /// Error bar or band (low, high).
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
    /// Line with markers and error bars.
    Line,
    /// Line without markers, its bars drawn as a shaded band.
    Band,
    Dashed,
    /// A dashed horizontal line across the panel at the one point's y (a cell without x value).
    Level,
    Box,
}

#[derive(Clone, Debug)]
pub(super) struct Series {
    pub label: String,
    pub color: RGBColor,
    pub shape: Option<Shape>,
    pub mark: Mark,
    pub points: Vec<Point>,
}

impl Series {
    pub fn new(label: String, color: RGBColor, shape: Option<Shape>, mark: Mark) -> Series {
        Series {
            label,
            color,
            shape,
            mark,
            points: Vec::new(),
        }
    }
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
