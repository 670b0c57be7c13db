//! Reports: summaries over seeds, tables (terminal, CSV, Markdown, JSON), SVG figures and one HTML
//! page. Everything here is built from run records alone, so `labelnoise report DIR` rebuilds the
//! same bytes `labelnoise run` wrote, without training.

pub mod export;
pub mod html;
pub mod plots;
pub mod stats;
pub mod summary;

use crate::engine::store::{self, StoreError};
pub use export::DEFAULT_TABLE_METRICS;
use std::path::Path;
pub use summary::{summarize, Summary};

/// Files [`write_all`] writes in the results folder (besides `plots/*.svg`).
pub const FILES: &[&str] = &["summary.csv", "summary.md", "summary.json", "report.html"];

/// Reads `runs.jsonl` in `dir` and writes every summary file, every figure that applies
/// (`plots/*.svg`, figures that no longer apply are removed) and `report.html`; returns the summary.
/// The single entry used by both `run` and `report`.
pub fn write_all(dir: &Path) -> Result<Summary, StoreError> {
    let loaded = store::load(dir)?;
    if loaded.torn_tail {
        eprintln!(
            "warning: {}: the last line is torn (interrupted write) and was ignored",
            dir.join(store::RUNS).display()
        );
    }
    let name = store::read_manifest(dir)
        .map(|m| m.scenario)
        .unwrap_or_else(|_| {
            loaded
                .records
                .first()
                .map(|r| r.scenario.clone())
                .unwrap_or_default()
        });
    let summary = summarize(&name, &loaded.records);
    store::write_atomic(&dir.join("summary.csv"), export::csv(&summary).as_bytes())?;
    store::write_atomic(
        &dir.join("summary.md"),
        export::markdown(&summary).as_bytes(),
    )?;
    store::write_atomic(&dir.join("summary.json"), export::json(&summary).as_bytes())?;

    let (figures, problems) = plots::render(&summary, &loaded.records);
    for p in &problems {
        eprintln!("warning: a figure could not be drawn: {p}");
    }
    let plot_dir = dir.join("plots");
    std::fs::create_dir_all(&plot_dir).map_err(|source| StoreError::Io {
        path: plot_dir.display().to_string(),
        source,
    })?;
    for f in &figures {
        store::write_atomic(&plot_dir.join(f.file), f.svg.as_bytes())?;
    }
    for stale in plots::FILES
        .iter()
        .filter(|name| !figures.iter().any(|f| f.file == **name))
    {
        let path = plot_dir.join(stale);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(StoreError::Io {
                    path: path.display().to_string(),
                    source: e,
                })
            }
            _ => {}
        }
    }
    store::write_atomic(
        &dir.join("report.html"),
        html::page(&summary, &figures).as_bytes(),
    )?;
    Ok(summary)
}
