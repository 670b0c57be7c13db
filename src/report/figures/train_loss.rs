//! `train_loss.svg`: cross entropy against the observed label on corrupted and on clean training
//! samples (a low loss on corrupted samples means the wrong labels were fitted).

use super::draw::draw_lines;
use super::series::Panel;
use super::series::{has_points, series_for, Values};
use super::{Attempt, Figure, BARS};
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

pub(super) fn train_loss(s: &Summary, x: &Axis) -> Attempt {
    let corrupted = series_for(s, x, Metric::TrainLossCorrupted, Values::MeanStd);
    let clean = series_for(s, x, Metric::TrainLossClean, Values::MeanStd);
    if !has_points(&corrupted) && !has_points(&clean) {
        return None;
    }
    let panels = vec![
        Panel {
            title: "corrupted training samples".into(),
            x_label: x.to_string(),
            y_label: "CE vs observed (wrong) label".into(),
            series: corrupted,
        },
        Panel {
            title: "clean training samples".into(),
            x_label: x.to_string(),
            y_label: "CE vs observed label".into(),
            series: clean,
        },
    ];
    Some(draw_lines(
        Figure::TRAIN_LOSS,
        format!("Training loss on corrupted and clean samples vs {x}"),
        format!(
            "Mean cross entropy against the observed label ({}, {}): a low loss \
             on corrupted samples means the wrong labels were fitted; {BARS}.",
            Metric::TrainLossCorrupted,
            Metric::TrainLossClean
        ),
        panels,
    ))
}
