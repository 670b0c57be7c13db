//! Which metrics the tables show and under what short headers: the only place the exporters name
//! metrics.

use crate::vocab::metric::Metric;
use crate::report::summary::Summary;

/// Metrics of the terminal table unless the user picks others (`--metrics`, `[report] metrics`);
/// dropped from the end while the table would be wider than
/// [`TERMINAL_WIDTH`](super::terminal::TERMINAL_WIDTH).
pub const DEFAULT_TABLE_METRICS: &[&str] = &[
    "test_accuracy",
    "test_ece",
    "memorized",
    "weight_norm",
    "train_loss_corrupted",
];

/// Metrics of the tables in `summary.md` and `report.html` (those present in the data).
pub const DOCUMENT_METRICS: &[&str] = &[
    "test_accuracy",
    "test_nll",
    "test_ece",
    "train_loss_corrupted",
    "train_loss_clean",
    "memorized",
    "recovered",
    "weight_norm",
    "logit_gap",
];

/// The metric ranked by the "best method" tables.
pub const BEST_BY: &str = "test_accuracy";

/// Short column header of a metric (the legend under each table spells them out).
pub fn short_name(metric: &str) -> &str {
    match metric {
        "test_accuracy" => "acc",
        "test_nll" => "nll",
        "test_brier" => "brier",
        "test_ece" => "ece",
        "test_mce" => "mce",
        "test_ece_pos" => "ece_pos",
        "train_loss_corrupted" => "loss_corr",
        "train_loss_clean" => "loss_clean",
        "train_loss_corrupted_true" => "loss_corr_true",
        "train_accuracy_observed" => "train_acc",
        "weight_norm" => "|W|",
        "logit_gap" => "gap",
        "logit_gap_cap" => "gap_cap",
        other => other,
    }
}

/// Definition of a metric from [`Metric`].
pub fn definition(metric: &str) -> Option<&'static str> {
    Metric::from_name(metric).map(Metric::definition)
}

/// `names` that the summary holds, in the order of `names`.
pub(super) fn present(s: &Summary, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .filter(|m| s.metrics.iter().any(|x| x == *m))
        .map(|m| m.to_string())
        .collect()
}

/// Metrics of the document tables (Markdown, HTML).
pub fn document_metrics(s: &Summary) -> Vec<String> {
    present(s, DOCUMENT_METRICS)
}
