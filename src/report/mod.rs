//! Reports: summaries over seeds, tables (terminal, CSV, Markdown, JSON), SVG figures and one HTML
//! page. Everything here is built from run records alone, so `labelnoise report DIR` rebuilds the
//! same bytes `labelnoise run` wrote, without training.

mod cells;
mod collect;
pub mod export;
pub mod figures;
pub mod html;
pub mod notebook;
pub mod per_metric;
pub mod selection;
pub mod stats;
pub mod summary;
pub mod view;

use crate::engine::store::{self, StoreError};
pub use collect::summarize;
use collect::Collector;
pub use export::DEFAULT_TABLE_METRICS;
use export::{Csv, Exporter, Json, Markdown};
use std::path::Path;
pub use summary::Summary;
use view::RunView;

/// Files [`write_all`] writes in the results folder (besides `plots/*.svg`, and `trace.csv` when
/// runs recorded traces).
pub const FILES: &[&str] = &[
    "summary.csv",
    "summary.md",
    "summary.json",
    "report.html",
    notebook::RUNS_CSV,
    notebook::SUMMARY_LONG_CSV,
];

/// What [`write_all`] built: the summary, and warnings for the caller to show (the library does
/// not print).
#[derive(Clone, Debug)]
pub struct Report {
    pub summary: Summary,
    /// Problems that did not stop the report (a torn last line, a figure that could not be drawn),
    /// as sentences without a `warning:` prefix.
    pub warnings: Vec<String>,
}

/// Reads `runs.jsonl` in `dir` and writes every summary file, every figure that applies
/// (`plots/*.svg`, figures that no longer apply are removed) and `report.html`; returns the summary
/// and the warnings met. The single entry used by both `run` and `report`.
pub fn write_all(dir: &Path) -> Result<Report, StoreError> {
    let mut warnings = Vec::new();
    // Shared, so a writer cannot start meanwhile; a writer already at work is said, not waited for.
    let reading = read_lock(dir);
    if reading.is_none() && store::is_locked(dir) {
        warnings.push(format!(
            "{} is being written by another labelnoise process; this report holds the runs finished so far",
            dir.display()
        ));
    }
    let manifest = store::read_manifest(dir).ok();
    let manifest_figures = manifest.as_ref().map(|m| m.figures.clone());
    // One pass over runs.jsonl keeping a few fields per run; whole records are read back later
    // only for the cells the figures look at closely.
    let mut collector = Collector::default();
    let mut first_scenario: Option<String> = None;
    let mut candidates = Vec::new();
    let torn_tail = store::stream(dir, |offset, run: RunView| {
        first_scenario.get_or_insert_with(|| run.scenario.clone());
        candidates.extend(selection::Candidate::of_view(&run));
        collector.add(offset, run);
        Ok(())
    })?;
    if torn_tail {
        warnings.push(format!(
            "{}: the last line is torn (interrupted write) and was ignored",
            dir.join(store::RUNS).display()
        ));
    }
    let name = manifest.as_ref().map_or_else(
        || first_scenario.unwrap_or_default(),
        |m| m.scenario.clone(),
    );
    let collected = collector.finish(&name);
    let runs: usize = collected.builds.values().sum();
    let mixed_builds = crate::engine::build::mixed(&collected.builds);
    warnings.extend(mixed_builds.clone());
    let mut summary = collected.summary.clone();
    summary.multiple_comparisons = manifest
        .as_ref()
        .map_or_else(Default::default, |m| m.multiple_comparisons);
    summary.partial = manifest
        .filter(|m| runs < m.total_runs)
        .map(|m| summary::Partial {
            runs,
            expected: m.total_runs,
        });
    summary.mixed_builds = mixed_builds;
    summary.selected = export::selection::write(dir, candidates)?;
    let tables: [(&str, &dyn Exporter); 3] = [
        ("summary.csv", &Csv),
        ("summary.md", &Markdown),
        ("summary.json", &Json),
    ];
    for (file, exporter) in tables {
        store::write_atomic(&dir.join(file), exporter.serialize(&summary).as_bytes())?;
    }
    notebook::write(dir, &summary, &collected.order)?;

    let options: figures::Options = manifest_figures
        .as_ref()
        .map(Into::into)
        .unwrap_or_default();
    let cells: std::collections::HashSet<summary::Setting> =
        figures::record_cells(&summary, &options, collected.traced)
            .iter()
            .map(|c| summary::Setting::of(&c.axes))
            .collect();
    let wanted = store::read_at(dir, &collected.offsets_of(&cells))?;
    let (figures, problems) = figures::render_with(&summary, &wanted, &options);
    warnings.extend(
        problems
            .iter()
            .map(|p| format!("a figure could not be drawn: {p}")),
    );
    write_figures(&dir.join("plots"), &figures)?;
    let folder = html::Folder::read(dir);
    let page = html::Html {
        figures: &figures,
        folder: &folder,
    }
    .serialize(&summary);
    store::write_atomic(&dir.join("report.html"), page.as_bytes())?;
    Ok(Report { summary, warnings })
}

/// A shared lock on the folder's lock file while reading, if no writer holds it (None otherwise,
/// or when the folder has no lock file yet).
fn read_lock(dir: &Path) -> Option<std::fs::File> {
    let file = std::fs::File::open(dir.join(store::LOCK)).ok()?;
    fs2::FileExt::try_lock_shared(&file).ok()?;
    Some(file)
}

/// Writes `figures` into `plot_dir` and removes the figures of [`figures::FILES`] that no longer
/// apply (other files are the user's and stay).
fn write_figures(plot_dir: &Path, figures: &[figures::Figure]) -> Result<(), StoreError> {
    std::fs::create_dir_all(plot_dir).map_err(|err| StoreError::Io {
        path: plot_dir.display().to_string(),
        err,
    })?;
    for f in figures {
        store::write_atomic(&plot_dir.join(f.file), f.svg.as_bytes())?;
    }
    for stale in figures::FILES
        .iter()
        .filter(|name| !figures.iter().any(|f| f.file == **name))
    {
        let path = plot_dir.join(stale);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(StoreError::Io {
                    path: path.display().to_string(),
                    err: e,
                })
            }
            _ => {}
        }
    }
    Ok(())
}
