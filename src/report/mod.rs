//! Reports: summaries over seeds, tables (terminal, CSV, Markdown, JSON). Everything here is built
//! from run records alone, so `labelnoise report DIR` rebuilds the same files without training.

pub mod export;
pub mod stats;
pub mod summary;

use crate::engine::store::{self, StoreError};
use std::path::Path;
pub use summary::{summarize, Summary};

/// Metrics shown in the terminal table unless the user picks others.
pub const DEFAULT_TABLE_METRICS: &[&str] = &[
    "test_accuracy",
    "train_loss_corrupted",
    "train_loss_clean",
    "memorized",
    "test_ece",
    "weight_norm",
];

/// Reads `runs.jsonl` in `dir` and writes every summary file there; returns the summary.
pub fn write_all(dir: &Path) -> Result<Summary, StoreError> {
    let loaded = store::load(dir)?;
    if loaded.torn_tail {
        eprintln!("warning: {}: the last line is torn (interrupted write) and was ignored", dir.join(store::RUNS).display());
    }
    let name = store::read_manifest(dir).map(|m| m.scenario).unwrap_or_else(|_| {
        loaded.records.first().map(|r| r.scenario.clone()).unwrap_or_default()
    });
    let summary = summarize(&name, &loaded.records);
    store::write_atomic(&dir.join("summary.csv"), export::csv(&summary).as_bytes())?;
    store::write_atomic(&dir.join("summary.md"), export::markdown(&summary).as_bytes())?;
    store::write_atomic(&dir.join("summary.json"), export::json(&summary).as_bytes())?;
    Ok(summary)
}
