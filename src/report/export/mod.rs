//! One exporter per format, all from the same [`Summary`] (as hyperfine's `src/export/`):
//! `summary.csv` and `summary.json` (every number, full precision), `summary.md` and the terminal
//! table (compact, for people); `report.html` is [`Html`](crate::report::html::Html).
//!
//! Numbers in CSV and JSON use Rust's shortest round-trip formatting, so equal results give equal
//! bytes. The human tables show mean±std with 3 decimals and the paired difference against the
//! hard-label baseline as `+0.002 ±0.003 ▲` (mean, half-width of the 95% t-interval, ▲ better / ▼
//! worse by the metric's direction when the difference is told apart from 0: see
//! [`significance`]); CSV and JSON give the verdict as `better`, `worse` or `none`.

mod columns;
mod csv;
mod format;
mod json;
mod markdown;
mod runs_csv;
pub mod selection;
pub mod significance;
mod summary_long;
mod table;
mod terminal;

pub use self::csv::Csv;
pub use columns::{
    document_metrics, legend_name, BEST_BY, DEFAULT_TABLE_METRICS, DOCUMENT_METRICS,
};
pub use format::{delta_text, fixed, mean_std, num, width};
pub use json::Json;
pub use markdown::{render_markdown, Markdown};
#[allow(unused_imports)] // figures no longer read it; other exporters may.
pub use runs_csv::{trace_quantities, RunColumns, RunsCsvWriter, TraceCsvWriter};
pub use significance::{comparisons, Comparison, Verdict};
pub use summary_long::{SummaryLong, STATISTICS};
pub use table::{
    baseline_name, best_legend, best_table, best_title, delta_legend, notes, table, TextTable,
};
pub use terminal::{render_terminal, table_metrics, terminal, Terminal, TERMINAL_WIDTH};

use super::summary::Summary;

/// A format the summary is written in.
pub trait Exporter {
    /// The whole text of the format for `summary`.
    fn serialize(&self, summary: &Summary) -> String;
}
