//! The `run` and `report` commands without their printing, for front ends other than the command
//! line (the Python package): check a scenario (a file, or TOML text), train its pending runs
//! into a results folder, write the report. The caller shows the engine's events and the warnings.

use crate::engine::{self, OnEvent, Shard};
use crate::report::{self, export::Exporter, Summary};
use crate::scenario::{Scenario, ScenarioError};
use crate::vocab::metric::Metric;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Where a scenario comes from.
pub enum Source<'a> {
    File(&'a Path),
    /// TOML text; its relative paths resolve against `base_dir`. Messages name it [`TEXT_NAME`].
    Text {
        text: &'a str,
        base_dir: &'a Path,
    },
}

/// How messages name a scenario given as text (`<string>:3:7: …`).
pub const TEXT_NAME: &str = "<string>";

pub struct Request<'a> {
    pub source: Source<'a>,
    /// Default: `results/<name>` (`results/<name>/shard-I-of-N` with a shard), as for
    /// `labelnoise run`.
    pub out: Option<PathBuf>,
    /// At least 1; more than 4 × the cores are cut to that (results never depend on the count).
    pub threads: Option<usize>,
    /// `--shard`: train only this shard of the grid.
    pub shard: Option<Shard>,
    /// `--force`: start the results folder afresh even if it holds other results.
    pub force: bool,
    /// `--allow-other-build`: add runs to a folder made by another build of labelnoise.
    pub allow_other_build: bool,
    /// `--metrics`: metric names of the terminal table (checked as the command line checks them).
    pub metrics: Option<Vec<String>>,
    /// Set from outside (an interrupt): no new run starts; the runs in flight are stored.
    pub stop: Arc<AtomicBool>,
    pub on_event: OnEvent<'a>,
}

/// What a call did.
pub struct Ran {
    pub out: PathBuf,
    pub outcome: engine::Outcome,
    /// The report's warnings (none when interrupted: no report is written then, as in the CLI).
    pub warnings: Vec<String>,
    /// The table `labelnoise run` prints ([`terminal_table`]); none when interrupted.
    pub table: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The scenario's problems, as `labelnoise check` prints them (miette, source underlined).
    #[error("{}", .0.render())]
    Scenario(ScenarioError),
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

/// A scenario given as text, checked with every rule including its data files (as
/// [`super::load_checked`] checks a file). It is recorded in the folder as `scenario.toml`.
fn text_checked(
    text: &str,
    base_dir: &Path,
) -> Result<(Scenario, engine::preflight::Loaded), ScenarioError> {
    let s = engine::preflight::parse_scenario(text, TEXT_NAME, base_dir)?;
    super::with_data_loaded(s, TEXT_NAME, || text.to_string())
}

/// `labelnoise run` as a function: the same checks, engine and report, nothing printed.
pub fn run(req: Request<'_>) -> Result<Ran, Failure> {
    crate::train::objective::Kernel::configured().map_err(anyhow::Error::from)?;
    // The datasets the check built go to the engine, so data files are parsed once.
    let (mut scenario, loaded) = match req.source {
        Source::File(path) => super::load_with_data(path),
        Source::Text { text, base_dir } => text_checked(text, base_dir),
    }
    .map_err(Failure::Scenario)?;
    if req.threads == Some(0) {
        return Err(anyhow::anyhow!("threads must be at least 1").into());
    }
    let threads = req.threads.map(|t| t.min(super::max_threads()));
    let metrics = super::checked_metrics(req.metrics)?;
    let out = req.out.unwrap_or_else(|| {
        let base = Path::new("results").join(&scenario.name);
        req.shard
            .map_or(base.clone(), |s| base.join(s.folder_name()))
    });
    if let Source::Text { .. } = req.source {
        // The engine copies the scenario from its path; text has none until it is stored below.
        scenario.path = std::path::absolute(&out)
            .unwrap_or_else(|_| out.clone())
            .join(engine::provenance::SCENARIO_COPY);
    }
    engine::preflight::check(&out, &scenario, req.shard, req.force).map_err(anyhow::Error::from)?;
    let opts = engine::Options {
        out: out.clone(),
        threads,
        shard: req.shard,
        force: req.force,
        allow_other_build: req.allow_other_build,
        stop: req.stop,
    };
    let outcome =
        engine::run_loaded(&scenario, &opts, loaded, req.on_event).map_err(anyhow::Error::from)?;
    if let Source::Text { text, .. } = req.source {
        // After the engine admitted the folder (another scenario's folder is refused untouched).
        std::fs::write(&scenario.path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", scenario.path.display()))?;
    }
    let mut ran = Ran {
        out,
        outcome,
        warnings: Vec::new(),
        table: None,
    };
    if opts.stop.load(Ordering::SeqCst) {
        ran.outcome.interrupted = true;
        return Ok(ran);
    }
    let written = write_report(&ran.out)?;
    ran.warnings = written.warnings;
    ran.table = Some(terminal_table(
        &written.summary,
        &scenario,
        metrics,
        req.shard,
    ));
    Ok(ran)
}

/// `labelnoise report DIR` as a function: rebuilds every report file of a results folder from its
/// `runs.jsonl` (no training); returns the warnings.
pub fn report(dir: &Path) -> Result<Vec<String>, Failure> {
    Ok(write_report(dir)?.warnings)
}

fn write_report(dir: &Path) -> Result<report::Report, Failure> {
    require_runs(dir)?;
    let written = report::write_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot build the report of {}: {e}", dir.display()))?;
    Ok(written)
}

/// The table `labelnoise run` prints after training: the `metrics` given (`--metrics`), else
/// `[report] metrics`, else the default metrics that fit the terminal; the best-method table only
/// for a whole grid (a shard says so instead).
pub fn terminal_table(
    summary: &Summary,
    scenario: &Scenario,
    metrics: Option<Vec<Metric>>,
    shard: Option<Shard>,
) -> String {
    // `check` has refused unknown names in `[report] metrics`.
    let chosen: Option<Vec<Metric>> = metrics.or_else(|| {
        let names = scenario.table_metrics.as_ref()?;
        Some(names.iter().filter_map(|n| Metric::from_name(n)).collect())
    });
    let metrics = report::export::table_metrics(summary, chosen.as_deref());
    let table = report::export::Terminal {
        metrics: &metrics,
        best: shard.is_none(),
    };
    let mut text = table.serialize(summary);
    if let Some(s) = shard {
        text.push_str(&format!(
            "shard {s}: the best-method table needs every shard (`labelnoise merge`)\n"
        ));
    }
    text
}

/// Refuses a folder without `runs.jsonl` (not a results folder).
pub fn require_runs(dir: &Path) -> anyhow::Result<()> {
    if !dir.join(engine::store::RUNS).is_file() {
        anyhow::bail!(
            "{} holds no {}: give a results folder written by `labelnoise run FILE --out DIR`",
            dir.display(),
            engine::store::RUNS
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"library-text\"\nseeds = 1\n[dataset]\nsource = \"blobs\"\nclasses = 2\nfeatures = 2\ntrain = 30\ntest = 10\n";

    fn request<'a>(text: &'a str, dir: &'a Path, stop: bool) -> Request<'a> {
        Request {
            source: Source::Text {
                text,
                base_dir: dir,
            },
            out: Some(dir.join("out")),
            threads: Some(1),
            shard: None,
            force: false,
            allow_other_build: false,
            metrics: None,
            stop: Arc::new(AtomicBool::new(stop)),
            on_event: &engine::event::ignore,
        }
    }

    #[test]
    fn text_is_run_stored_as_written_and_named_in_its_errors() {
        let dir = tempfile::tempdir().unwrap();
        let ran = run(request(TEXT, dir.path(), false)).unwrap();
        assert_eq!((ran.outcome.total, ran.outcome.ran), (1, 1));
        let out = dir.path().join("out");
        assert_eq!(
            std::fs::read_to_string(out.join("scenario.toml")).unwrap(),
            TEXT
        );
        assert!(out.join("summary.csv").is_file());
        let bad = TEXT.replace("features", "featurs");
        let Err(Failure::Scenario(e)) = run(request(&bad, dir.path(), false)) else {
            panic!("a misspelt key must be a scenario problem");
        };
        // `featurs` is on line 6, column 1.
        assert!(e.plain().starts_with("<string>:6:1: "), "{}", e.plain());
    }

    #[test]
    fn a_stop_set_before_training_trains_nothing_and_writes_no_report() {
        let dir = tempfile::tempdir().unwrap();
        let ran = run(request(TEXT, dir.path(), true)).unwrap();
        assert!(ran.outcome.interrupted);
        assert_eq!(ran.outcome.ran, 0);
        assert!(!dir.path().join("out/summary.csv").exists());
    }
}
