//! `trace.svg`: recorded training curves over epochs (or L-BFGS iterations), one column per
//! setting of the non-method axes and one row per traced quantity; one line per method: the mean
//! over seeds with a band from the lowest to the highest seed.

use super::draw::draw_lines;
use super::facet::{facets, Facet};
use super::lines::Palette;
use super::series::{runs_of, Grid, Mark, Panel, Point, Series};
use super::{Attempt, Figure, Options, RunsByCell};
use crate::engine::record::TracePoint;
use crate::report::summary::{Cell, Summary};
use crate::vocab::metric::Metric;
use std::collections::BTreeMap;

/// Columns of the figure at most: later settings are named in the caption, not drawn.
const MAX_FACETS: usize = 4;

/// A traced quantity: its metric (the y label) and how to read it off a trace point.
type Traced = (Metric, fn(&TracePoint) -> Option<f64>);

const TRACED: [Traced; 4] = [
    (Metric::TestAccuracy, |t| Some(t.test_accuracy)),
    (Metric::TrainLossCorrupted, |t| t.train_loss_corrupted),
    (Metric::TrainLossClean, |t| t.train_loss_clean),
    (Metric::Memorized, |t| t.memorized),
];

/// The facets drawn (at most [`MAX_FACETS`]) and how many were left out.
fn drawn<'s>(s: &'s Summary, o: &Options) -> (Vec<Facet<'s>>, usize) {
    let all: Vec<Facet<'s>> = facets(s, None, &o.facets)
        .slots
        .into_iter()
        .flatten()
        .collect();
    let left = all.len().saturating_sub(MAX_FACETS);
    (all.into_iter().take(MAX_FACETS).collect(), left)
}

/// The cells whose runs the figure reads.
pub(super) fn cells<'s>(s: &'s Summary, o: &Options) -> Vec<&'s Cell> {
    drawn(s, o).0.into_iter().flat_map(|f| f.cells).collect()
}

/// Mean, lowest and highest of `pick` at each step over `runs` (runs that stopped early count
/// until their last step).
fn band(
    runs: &[&crate::engine::record::RunRecord],
    pick: fn(&TracePoint) -> Option<f64>,
) -> Vec<Point> {
    let mut at: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for r in runs {
        for t in &r.trace {
            if let Some(v) = pick(t).filter(|v| v.is_finite()) {
                at.entry(t.step).or_default().push(v);
            }
        }
    }
    at.into_iter()
        .map(|(step, v)| {
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            Point {
                x: step as f64,
                y: mean,
                bar: Some((lo, hi)),
            }
        })
        .collect()
}

pub(super) fn traces(s: &Summary, by_cell: &RunsByCell, o: &Options) -> Attempt {
    if by_cell.values().flatten().all(|r| r.trace.is_empty()) {
        return None;
    }
    let palette = Palette::of(s);
    let (shown, left) = drawn(s, o);
    let cols = shown.len().max(1);
    let mut panels: Vec<Option<Panel>> = Vec::new();
    for (metric, pick) in TRACED {
        for f in &shown {
            let mut series = Vec::new();
            for c in &f.cells {
                let runs: Vec<_> = runs_of(by_cell, c)
                    .iter()
                    .copied()
                    .filter(|r| !r.trace.is_empty())
                    .collect();
                let (color, shape) = palette.get(&c.method);
                let mut line = Series::new(c.method.clone(), color, Some(shape), Mark::Band);
                line.points = band(&runs, pick);
                series.push(line);
            }
            panels.push(Some(Panel {
                title: f.title.clone(),
                x_label: "epoch (or L-BFGS iteration)".into(),
                y_label: metric.title(),
                series,
            }));
        }
    }
    // Rows of a quantity no run traced are left out.
    let mut rows: Vec<Vec<Option<Panel>>> = Vec::new();
    let mut it = panels.into_iter();
    loop {
        let row: Vec<Option<Panel>> = it.by_ref().take(cols).collect();
        if row.is_empty() {
            break;
        }
        if row
            .iter()
            .flatten()
            .any(|p| super::series::has_points(&p.series))
        {
            rows.push(row);
        }
    }
    let grid = Grid {
        panels: rows.into_iter().flatten().collect(),
        cols,
    };
    if !grid.has_points() {
        return None;
    }
    let left_out = if left > 0 {
        format!(" The figure shows the first {MAX_FACETS} settings in grid order; {left} more are in trace data only.")
    } else {
        String::new()
    };
    Some(draw_lines(
        Figure::TRACE,
        "Training curves over epochs".into(),
        format!(
            "Recorded training traces: test accuracy, cross entropy against the observed label on corrupted and on \
             clean training samples, and the fraction of corrupted samples predicted as their wrong label; one \
             column per setting, one line per method: the mean over the seeds still training at that step, the \
             band spans the lowest to the highest seed (min–max).{left_out}"
        ),
        grid,
    ))
}
