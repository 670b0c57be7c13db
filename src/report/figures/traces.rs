//! `trace.svg`: recorded training curves at the focus setting, one run (the lowest seed) per cell.

use super::axes::{at_setting, focus, varying_axes};
use super::draw::draw_lines;
use super::series::Panel;
use super::series::{has_points, runs_of, series_label, Mark, Point, Series};
use super::style::PALETTE;
use super::{Attempt, Figure, RunsByCell};
use crate::engine::record::TracePoint;
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

/// A traced quantity: panel title, metric name (the y label) and how to read it off a trace point.
type Traced = (&'static str, Metric, fn(&TracePoint) -> Option<f64>);

const TRACED: [Traced; 4] = [
    ("test accuracy", Metric::TestAccuracy, |t| {
        Some(t.test_accuracy)
    }),
    (
        "memorized (corrupted samples fitted)",
        Metric::Memorized,
        |t| t.memorized,
    ),
    ("CE on corrupted samples", Metric::TrainLossCorrupted, |t| {
        t.train_loss_corrupted
    }),
    ("weight norm", Metric::WeightNorm, |t| Some(t.weight_norm)),
];

pub(super) fn traces(s: &Summary, by_cell: &RunsByCell, x: Option<&Axis>) -> Attempt {
    if by_cell.values().flatten().all(|r| r.trace.is_empty()) {
        return None;
    }
    let (cells, setting) = focus(s, x)?;
    let mut panels: Vec<Panel> = TRACED
        .iter()
        .map(|(title, name, _)| Panel {
            title: (*title).into(),
            x_label: "step (L-BFGS iteration or epoch)".into(),
            y_label: name.to_string(),
            series: Vec::new(),
        })
        .collect();
    let mut seeds = Vec::new();
    let varying = varying_axes(s, &cells, None);
    for (i, c) in cells.iter().enumerate() {
        let Some(run) = runs_of(by_cell, c)
            .iter()
            .filter(|r| !r.trace.is_empty())
            .min_by_key(|r| r.seed)
        else {
            continue;
        };
        seeds.push(run.seed);
        for (panel, (_, _, pick)) in panels.iter_mut().zip(&TRACED) {
            let points = run
                .trace
                .iter()
                .filter_map(|t| {
                    pick(t)
                        .filter(|v| v.is_finite())
                        .map(|y| Point::at(t.step as f64, y))
                })
                .collect();
            panel.series.push(Series {
                label: series_label(s, c, None, &varying),
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
    let at = at_setting(&setting);
    Some(draw_lines(
        Figure::TRACE,
        format!("Training curves{at} ({seed_text})"),
        format!("Recorded training traces{at}, one run per method ({seed_text})."),
        panels,
    ))
}
