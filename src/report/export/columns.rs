//! Which metrics the tables show: the only place the exporters choose metrics (their names, short
//! headers and definitions come from [`Metric`]).

use crate::report::summary::Summary;
use crate::vocab::metric::Metric;

/// Metrics of the terminal table unless the user picks others (`--metrics`, `[report] metrics`);
/// dropped from the end while the table would be wider than
/// [`TERMINAL_WIDTH`](super::terminal::TERMINAL_WIDTH).
pub const DEFAULT_TABLE_METRICS: &[Metric] = &[
    Metric::TestAccuracy,
    Metric::TestEce,
    Metric::Memorized,
    Metric::WeightNorm,
    Metric::TrainLossCorrupted,
];

/// Metrics of the tables in `summary.md` and `report.html` (those present in the data).
pub const DOCUMENT_METRICS: &[Metric] = &[
    Metric::TestAccuracy,
    Metric::TestNll,
    Metric::TestEce,
    Metric::TrainLossCorrupted,
    Metric::TrainLossClean,
    Metric::Memorized,
    Metric::Recovered,
    Metric::WeightNorm,
    Metric::LogitGap,
];

/// The metric ranked by the "best method" tables.
pub const BEST_BY: Metric = Metric::TestAccuracy;

/// `metrics` that the summary holds, in the order of `metrics`.
pub(super) fn present(s: &Summary, metrics: &[Metric]) -> Vec<Metric> {
    metrics
        .iter()
        .copied()
        .filter(|m| s.metrics.contains(m))
        .collect()
}

/// Metrics of the document tables (Markdown, HTML).
pub fn document_metrics(s: &Summary) -> Vec<Metric> {
    present(s, DOCUMENT_METRICS)
}

/// How the documents name a metric in their column legend: `` `acc` = `test_accuracy` ``, or the
/// name alone when it is its own header (`quote` wraps each name, e.g. in backticks).
pub fn legend_name(m: Metric, quote: impl Fn(&str) -> String) -> String {
    if m.label() == m.name() {
        quote(m.name())
    } else {
        format!("{} = {}", quote(m.label()), quote(m.name()))
    }
}
