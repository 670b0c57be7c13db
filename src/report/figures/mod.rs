//! SVG figures, drawn from the summary and the run records alone: [`axes`] chooses what runs along
//! x and which setting is looked at closely, [`series`] turns cells into lines, [`draw`] draws
//! panels and legends, and each figure has its own file. Figures that do not apply to a grid are
//! skipped; drawing problems are returned, never panicked on.

mod accuracy;
mod axes;
mod delta_accuracy;
mod draw;
mod ece;
mod norm_gap;
mod reliability;
mod selected;
mod series;
mod style;
mod traces;
mod train_loss;

pub use axes::{main_axis, numeric_axes};

use crate::engine::record::RunRecord;
use crate::report::summary::{Setting, Summary};
use std::collections::{HashMap, HashSet};

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

impl Figure {
    pub const ACCURACY: &'static str = "accuracy.svg";
    pub const DELTA_ACCURACY: &'static str = "delta_accuracy.svg";
    pub const TRAIN_LOSS: &'static str = "train_loss.svg";
    pub const ECE: &'static str = "ece.svg";
    pub const NORM_GAP: &'static str = "norm_gap.svg";
    pub const RELIABILITY: &'static str = "reliability.svg";
    pub const TRACE: &'static str = "trace.svg";
    pub const SELECTED: &'static str = "selected.svg";
}

/// Every file this module may write (stale ones are removed when a figure no longer applies).
pub const FILES: &[&str] = &[
    Figure::ACCURACY,
    Figure::DELTA_ACCURACY,
    Figure::TRAIN_LOSS,
    Figure::ECE,
    Figure::NORM_GAP,
    Figure::RELIABILITY,
    Figure::TRACE,
    Figure::SELECTED,
];

/// A figure, the problem met drawing it, or `None` when it does not apply to the grid.
type Attempt = Option<Result<Figure, String>>;

/// Runs grouped by the setting of their cell's axes.
type RunsByCell<'r> = HashMap<Setting, Vec<&'r RunRecord>>;

const BARS: &str = "error bars: ±1 sample standard deviation over seeds, as in the tables (none when a cell \
                    has one run); points of different lines at the same x are shifted slightly apart";

/// The cells whose run records [`render`] needs (the others are drawn from the summary alone):
/// the cells of the focus setting, for reliability diagrams and training traces.
pub fn record_cells(s: &Summary) -> HashSet<Setting> {
    let x = main_axis(s);
    axes::focus(s, x.as_ref())
        .map(|(cells, _)| cells.iter().map(|c| Setting::of(&c.axes)).collect())
        .unwrap_or_default()
}

/// Draws every figure that applies from the summary and the records of (at least) the cells of
/// [`record_cells`]; returns them with the problems met on the way.
pub fn render(s: &Summary, records: &[RunRecord]) -> (Vec<Figure>, Vec<String>) {
    let by_cell = series::runs_by_cell(records);
    let x = main_axis(s);
    let eps = axes::epsilon_axis(s, x.as_ref());
    let (x, eps) = (x.as_ref(), eps.as_ref());
    let attempts = [
        x.and_then(|x| accuracy::accuracy(s, x)),
        x.and_then(|x| delta_accuracy::delta_accuracy(s, x)),
        x.and_then(|x| train_loss::train_loss(s, x)),
        eps.and_then(|e| ece::ece(s, e)),
        eps.and_then(|e| norm_gap::norm_gap(s, e)),
        reliability::reliability(s, &by_cell, x),
        traces::traces(s, &by_cell, x),
        selected::selected(s),
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
