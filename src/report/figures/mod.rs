//! SVG figures, drawn from the summary and the run records alone: [`axes`] chooses what runs along
//! x and which setting is looked at closely, [`series`] turns cells into lines, [`draw`] draws
//! panels and legends, and each figure has its own file. Figures that do not apply to a grid are
//! skipped; drawing problems are returned, never panicked on.

mod accuracy;
mod axes;
mod delta_accuracy;
mod draw;
mod ece;
mod facet;
mod lines;
mod norm_gap;
mod reliability;
mod selected;
mod series;
mod style;
mod traces;
mod train_loss;

pub use axes::{main_axis, numeric_axes};
pub use draw::MIN_FONT_PX;
pub use facet::FacetChoice;

use crate::engine::record::RunRecord;
use crate::report::summary::{Cell, Setting, Summary};
use std::collections::HashMap;

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

/// The figures' names in `[report] figures` (each file's name without `.svg`), in drawing order.
pub const NAMES: &[&str] = crate::vocab::keys::report::FIGURE_NAMES;

/// What the scenario's `[report]` section asks of the figures: which to draw (`None`: all that
/// apply) and how to lay out the panels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    pub figures: Option<Vec<String>>,
    pub facets: FacetChoice,
}

impl Options {
    fn wants(&self, file: &str) -> bool {
        let name = file.trim_end_matches(".svg");
        self.figures
            .as_ref()
            .is_none_or(|f| f.iter().any(|n| n == name))
    }
}

/// A figure, the problem met drawing it, or `None` when it does not apply to the grid.
type Attempt = Option<Result<Figure, String>>;

/// Runs grouped by the setting of their cell's axes.
pub(crate) type RunsByCell<'r> = HashMap<Setting, Vec<&'r RunRecord>>;

const BARS: &str = "error bars: ±1 sample standard deviation over seeds, as in the tables (none when a cell \
                    has one run); points of different lines at the same x are shifted slightly apart";

/// Draws every figure that applies, with the default options; returns them with the problems met
/// on the way.
pub fn render(s: &Summary, records: &[RunRecord]) -> (Vec<Figure>, Vec<String>) {
    render_with(s, records, &Options::default())
}

/// Draws the figures `options` choose among those that apply.
pub fn render_with(
    s: &Summary,
    records: &[RunRecord],
    options: &Options,
) -> (Vec<Figure>, Vec<String>) {
    let by_cell = series::runs_by_cell(records);
    let x = main_axis(s);
    let eps = axes::epsilon_axis(s, x.as_ref());
    let (x, eps, o) = (x.as_ref(), eps.as_ref(), options);
    let attempts: [(&str, &dyn Fn() -> Attempt); 8] = [
        (Figure::ACCURACY, &|| {
            x.and_then(|x| accuracy::accuracy(s, x, o))
        }),
        (Figure::DELTA_ACCURACY, &|| {
            x.and_then(|x| delta_accuracy::delta_accuracy(s, x, o))
        }),
        (Figure::TRAIN_LOSS, &|| {
            x.and_then(|x| train_loss::train_loss(s, x, o))
        }),
        (Figure::ECE, &|| eps.and_then(|e| ece::ece(s, e, o))),
        (Figure::NORM_GAP, &|| {
            eps.and_then(|e| norm_gap::norm_gap(s, e, o))
        }),
        (Figure::RELIABILITY, &|| {
            reliability::reliability(s, &by_cell, x)
        }),
        (Figure::TRACE, &|| traces::traces(s, &by_cell, o)),
        (Figure::SELECTED, &|| selected::selected(s)),
    ];
    let mut figures = Vec::new();
    let mut problems = Vec::new();
    for (file, attempt) in attempts {
        if !o.wants(file) {
            continue;
        }
        match attempt() {
            Some(Ok(f)) => figures.push(f),
            Some(Err(e)) => problems.push(e),
            None => {}
        }
    }
    (figures, problems)
}

/// The cells whose run records the figures read (the others are drawn from the summary alone):
/// the reliability diagrams' cells and the cells of the training-curve panels. A streaming caller
/// loads only these cells' runs into the [`RunsByCell`] it passes on; `traced`: some run recorded
/// a training trace (else the trace panels' runs are not needed).
pub(crate) fn record_cells<'s>(s: &'s Summary, options: &Options, traced: bool) -> Vec<&'s Cell> {
    let mut cells: Vec<&Cell> = Vec::new();
    if options.wants(Figure::RELIABILITY) {
        cells.extend(reliability::cells(s, main_axis(s).as_ref()));
    }
    if traced && options.wants(Figure::TRACE) {
        for c in traces::cells(s, options) {
            if !cells.iter().any(|k| std::ptr::eq(*k, c)) {
                cells.push(c);
            }
        }
    }
    cells
}

impl From<&crate::scenario::figures::FigureSettings> for Options {
    fn from(f: &crate::scenario::figures::FigureSettings) -> Options {
        Options {
            figures: f.figures.clone(),
            facets: FacetChoice {
                rows: f.facet_rows.clone(),
                cols: f.facet_cols.clone(),
            },
        }
    }
}
