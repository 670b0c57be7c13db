//! `train_loss.svg`: cross entropy against the observed label on corrupted and on clean training
//! samples (a low loss on corrupted samples means the wrong labels were fitted), one row each.

use super::draw::draw_lines;
use super::lines::{metric_panels, references_note, Values};
use super::series::Grid;
use super::{Attempt, Figure, Options, BARS};
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn train_loss(s: &Summary, x: &Axis, o: &Options) -> Attempt {
    let grid = stacked(
        s,
        x,
        &[Metric::TrainLossCorrupted, Metric::TrainLossClean],
        o,
    )?;
    Some(draw_lines(
        Figure::TRAIN_LOSS,
        format!(
            "Training loss on corrupted and clean samples vs {}",
            x.human()
        ),
        format!(
            "Mean cross entropy against the observed label ({}, {}), one row each: a low loss \
             on corrupted samples means the wrong labels were fitted; {}; {BARS}.",
            Metric::TrainLossCorrupted,
            Metric::TrainLossClean,
            references_note(x)
        ),
        grid,
    ))
}

/// The faceted panels of each metric, one metric under the other (`None` when none has a point).
pub(super) fn stacked(s: &Summary, x: &Axis, metrics: &[Metric], o: &Options) -> Option<Grid> {
    let grids: Vec<Grid> = metrics
        .iter()
        .filter_map(|&m| metric_panels(s, x, m, Values::MeanStd, &o.facets))
        .collect();
    let cols = grids.iter().map(|g| g.cols).max()?;
    let mut panels = Vec::new();
    for g in grids {
        // Each metric starts on a new row of the common width.
        let base = panels.len();
        panels.resize(base + g.panels.len().div_ceil(g.cols) * cols, None);
        for (i, p) in g.panels.into_iter().enumerate() {
            panels[base + (i / g.cols) * cols + i % g.cols] = p;
        }
    }
    Some(Grid { panels, cols })
}
