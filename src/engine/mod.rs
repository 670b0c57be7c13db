//! Runs a scenario's grid: shared datasets and noise draws, parallel runs (rayon), records appended
//! to the results folder as they finish, resume, shards and interruption.

pub mod build;
mod error;
pub mod estimated;
pub mod event;
pub mod execute;
mod folder;
pub mod grow;
pub mod inputs;
mod layout;
pub mod lines;
pub mod merge;
pub mod preflight;
pub mod provenance;
pub mod record;
pub mod repair;
pub mod shard;
mod shared;
pub mod store;

use crate::noise::NoisyLabels;
use crate::scenario::spec::RunSpec;
use crate::scenario::Scenario;
pub use error::{EngineError, RunError};
pub use event::{Event, OnEvent};
use rayon::prelude::*;
use record::RunRecord;
pub use shard::Shard;
use shared::Shared;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use store::Store;

pub struct Options {
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub shard: Option<Shard>,
    pub force: bool,
    /// Add runs to a folder made by another build of labelnoise (the folder is then marked mixed).
    pub allow_other_build: bool,
    /// Set from outside (Ctrl-C): stop scheduling new runs.
    pub stop: Arc<AtomicBool>,
}

/// What a call to [`run`] did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub total: usize,
    pub skipped: usize,
    pub ran: usize,
    /// Run id and why it failed.
    pub failed: Vec<(String, RunError)>,
    pub interrupted: bool,
    pub torn_tail: bool,
}

/// Runs every pending run of the scenario (or of one shard) into `opts.out`, telling `on_event`
/// what happens (warnings, each run finished or failed).
///
/// Memory: the engine holds the grid's run specs and, per worker thread, the dataset and noise draw in
/// use (with a selection, also the draw's held-out split: a copy of the training split's features,
/// made once per draw and shared by its runs); records go to disk as they finish and are never
/// kept, and resuming reads only their ids.
///
/// Threads: one run per task on the pool; each fit's objective also cuts its rows into chunks of
/// tasks on the same pool (`train::objective`), so threads left without a run (fewer pending runs
/// than threads) help the fits still going, with the same results on any thread count.
pub fn run(
    scenario: &Scenario,
    opts: &Options,
    on_event: OnEvent<'_>,
) -> Result<Outcome, EngineError> {
    run_loaded(scenario, opts, preflight::Loaded::default(), on_event)
}

/// [`run`], with datasets the preflight has built already ([`preflight::load_data`]): a data
/// file is then read once for the check and the run together.
pub fn run_loaded(
    scenario: &Scenario,
    opts: &Options,
    loaded: preflight::Loaded,
    on_event: OnEvent<'_>,
) -> Result<Outcome, EngineError> {
    let mut runs = scenario.runs();
    refuse_repeated_runs(&runs)?;
    let grid = runs.len();
    if let Some(shard) = opts.shard {
        runs = shard.select(runs);
    }
    let total = runs.len();
    let manifest = store::Manifest::new(scenario, opts.shard.map(|s| s.to_string()), total);
    debug_assert_eq!(manifest.grid_runs, grid);
    // Without a shard, `runs` is the whole grid: the folder may grow to it.
    let growth = opts.shard.is_none().then(|| store::Growth {
        grid: &runs,
        ece_bins: scenario.ece_bins,
    });
    let mut store = Store::open(
        &opts.out,
        &manifest,
        growth,
        store::Admit {
            force: opts.force,
            allow_other_build: opts.allow_other_build,
        },
        on_event,
    )?;
    let text = std::fs::read_to_string(&scenario.path).ok();
    let kernel = crate::train::objective::Kernel::for_runs();
    provenance::record(&opts.out, text.as_deref(), Some(kernel))?;
    let mut outcome = Outcome {
        total,
        torn_tail: store.torn_bytes.is_some(),
        ..Outcome::default()
    };
    let pending = pending_runs(&opts.out, runs)?;
    outcome.skipped = total - pending.len();
    let shared = Shared::new(&pending, scenario.selection.is_some());
    shared.adopt(loaded);
    check_inputs(&pending, &shared)?;
    let ctx = execute::Context {
        scenario: &scenario.name,
        scenario_hash: &scenario.content_hash,
        ece_bins: scenario.ece_bins,
        build: build::id(),
        selection: scenario.selection.as_ref(),
    };
    on_event(Event::Started {
        pending: pending.len(),
        skipped: outcome.skipped,
    });
    let tally = Mutex::new(Tally {
        store: &mut store,
        failed: Vec::new(),
        ran: 0,
        err: None,
    });
    in_pool(opts.threads, || {
        pending
            .par_iter()
            .for_each(|run| train_one(run, &ctx, &shared, &tally, &opts.stop, on_event));
    })?;
    on_event(Event::Finished);
    let tally = tally.into_inner().unwrap();
    if let Some(e) = tally.err {
        return Err(e.into());
    }
    outcome.ran = tally.ran;
    outcome.failed = tally.failed;
    outcome.interrupted =
        opts.stop.load(Ordering::SeqCst) && outcome.ran + outcome.failed.len() < pending.len();
    Ok(outcome)
}

/// The runs of `runs` not yet stored in `out` (read by id, one line at a time), with runs sharing
/// a dataset and noise draw next to each other so shared data is freed early.
fn pending_runs(out: &std::path::Path, runs: Vec<RunSpec>) -> Result<Vec<RunSpec>, EngineError> {
    let grid_ids: HashSet<&str> = runs.iter().map(|r| r.id.as_str()).collect();
    let done = store::read_ids(out, &grid_ids)?;
    drop(grid_ids);
    let mut pending: Vec<RunSpec> = runs.into_iter().filter(|r| !done.contains(&r.id)).collect();
    pending.sort_by(|a, b| {
        (a.dataset_key(), a.seed, a.noise_key(), a.index).cmp(&(
            b.dataset_key(),
            b.seed,
            b.noise_key(),
            b.index,
        ))
    });
    Ok(pending)
}

/// Runs `work` on a pool of `threads` workers, or on rayon's global pool (all cores).
fn in_pool(threads: Option<usize>, work: impl FnOnce() + Send) -> Result<(), EngineError> {
    match threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map_err(|e| EngineError::Threads {
                threads: t,
                message: e.to_string(),
            })?
            .install(work),
        None => work(),
    }
    Ok(())
}

/// The results folder and what the worker threads have done, behind one lock.
struct Tally<'s> {
    store: &'s mut Store,
    failed: Vec<(String, RunError)>,
    ran: usize,
    /// The first failed write: no record is written after it, and `stop` is set.
    err: Option<store::StoreError>,
}

/// Trains one run (unless `stop` is set) and stores its record and noise sidecar.
fn train_one(
    run: &RunSpec,
    ctx: &execute::Context<'_>,
    shared: &Shared,
    tally: &Mutex<Tally<'_>>,
    stop: &AtomicBool,
    on_event: OnEvent<'_>,
) {
    if stop.load(Ordering::SeqCst) {
        return;
    }
    let started = Instant::now();
    let result = shared
        .dataset(run)
        .map_err(RunError::from)
        .and_then(|data| {
            let noisy = shared.noisy(run, &data)?;
            let held = shared.held_out(run, ctx.selection, (&data, &noisy))?;
            let inputs = (&*data, &*noisy, held.as_deref());
            let rec = execute::execute_held(ctx, run, inputs, started)?;
            Ok((rec, noisy))
        });
    shared.release(run);
    let mut tally = tally.lock().unwrap();
    match result {
        Ok((rec, noisy)) => {
            if tally.err.is_none() {
                let side = sidecar(&rec, &noisy);
                let written = tally
                    .store
                    .write_sidecar(&rec.noise.noise_id, &side)
                    .and_then(|_| tally.store.append(&rec));
                match written {
                    Ok(()) => tally.ran += 1,
                    Err(e) => {
                        tally.err = Some(e);
                        stop.store(true, Ordering::SeqCst);
                    }
                }
            }
            on_event(Event::RunFinished(&rec));
        }
        Err(e) => {
            tally.failed.push((run.id.clone(), e));
            on_event(Event::RunFailed { id: &run.id });
        }
    }
}

/// Two identical cells (say, a `[[method]]` table given twice) would share one run id, so resume,
/// shards and merge could not tell them apart: refuse them, naming both grid positions.
fn refuse_repeated_runs(runs: &[RunSpec]) -> Result<(), EngineError> {
    let mut first: HashMap<&str, &RunSpec> = HashMap::new();
    for r in runs {
        if let Some(f) = first.insert(&r.id, r) {
            let cell = |r: &RunSpec| {
                r.axes
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            return Err(EngineError::Input(format!(
                "runs #{} and #{} of the grid are identical ({} seed={}): the scenario repeats a value or a table; remove the repeat",
                f.index,
                r.index,
                cell(r),
                r.seed
            )));
        }
    }
    Ok(())
}

/// Builds each distinct dataset of the first seed before any training, so that a bad file or
/// impossible split is reported at once rather than after hours. The datasets go into the shared
/// cache, so the runs of that seed reuse them: every (dataset, seed) is built once.
fn check_inputs(pending: &[RunSpec], shared: &Shared) -> Result<(), EngineError> {
    let mut seen = HashSet::new();
    for run in pending {
        if seen.insert(run.dataset_key()) {
            let data = shared.dataset(run)?;
            if let crate::scenario::spec::NoiseSpec::Matrix { matrix, .. } = &run.noise {
                if matrix.len() != data.classes {
                    return Err(EngineError::Input(format!(
                        "noise.matrix is {}×{} but the dataset has K = {} classes",
                        matrix.len(),
                        matrix.len(),
                        data.classes
                    )));
                }
            }
        }
    }
    Ok(())
}

fn sidecar(rec: &RunRecord, noisy: &NoisyLabels) -> serde_json::Value {
    serde_json::json!({
        "noise_id": rec.noise.noise_id,
        "seed": rec.seed,
        "dataset": rec.config.dataset,
        "noise": rec.config.noise,
        "flipped": noisy.realized.flipped,
        "transitions": noisy.realized.transitions,
        "flipped_ids": noisy.realized.flipped_ids,
        "observed_of_flipped": noisy.realized.flipped_ids.iter().map(|&i| noisy.observed[i]).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::shared::{draw_key, DrawKey};
    use super::*;
    use crate::data;

    /// Runs `scenario` into `dir/out` on two threads.
    fn run_on_two_threads(
        scenario: &Scenario,
        dir: &std::path::Path,
        loaded: preflight::Loaded,
    ) -> Outcome {
        let opts = Options {
            out: dir.join("out"),
            threads: Some(2),
            shard: None,
            force: false,
            allow_other_build: false,
            stop: Arc::default(),
        };
        run_loaded(scenario, &opts, loaded, &event::ignore).unwrap()
    }

    /// The scenario's dataset was built once for seed 0 and once for seed 1.
    fn assert_built_once_per_seed(scenario: &Scenario) {
        let key = scenario.runs()[0].dataset_key();
        let builds = data::BUILDS.lock().unwrap();
        assert_eq!(builds.get(&(key.clone(), 0)), Some(&1));
        assert_eq!(builds.get(&(key, 1)), Some(&1));
    }

    /// Four noise × method cells and two seeds: each (dataset, seed) is built exactly once,
    /// including the up-front input check, and shared by the four runs that use it.
    #[test]
    fn each_dataset_of_a_repetition_is_built_once_and_shared() {
        let text = r#"
name = "sharing"
seeds = [0, 1]
[dataset]
source = "blobs"
classes = 2
features = 3
train = 40
test = 20
separation = 1.2345678   # unique to this test, so no other test touches its build count
[noise]
kind = "symmetric"
rate = [0.0, 0.1]
[[method]]
kind = "label_smoothing"
epsilon = [0.0, 0.1]
"#;
        let scenario =
            crate::scenario::parse(text, "sharing.toml", std::path::Path::new(".")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let outcome = run_on_two_threads(&scenario, dir.path(), preflight::Loaded::default());
        assert_eq!((outcome.ran, outcome.failed.len()), (8, 0));
        assert_built_once_per_seed(&scenario);
    }

    /// The preflight's data check builds a file's dataset (first seed); the run takes it instead of
    /// reading the file again: one build per (dataset, seed) for check and run together.
    #[test]
    fn a_data_file_is_read_once_for_the_check_and_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let rows: Vec<String> = (0..40)
            .map(|i| format!("{},{},{}", i % 7, (i * 3) % 11, i % 2))
            .collect();
        std::fs::write(
            dir.path().join("d.csv"),
            format!("a,b,y\n{}\n", rows.join("\n")),
        )
        .unwrap();
        let text =
            "name = \"once\"\nseeds = [0, 1]\n[dataset]\nsource = \"csv\"\npath = \"d.csv\"\n\
                    [noise]\nkind = \"symmetric\"\nrate = 0.1\n[[method]]\nkind = \"ce\"\n";
        let scenario = crate::scenario::parse(text, "once.toml", dir.path()).unwrap();
        let (loaded, problems) = preflight::load_data(&scenario);
        assert!(problems.is_empty());
        let outcome = run_on_two_threads(&scenario, dir.path(), loaded);
        assert_eq!((outcome.ran, outcome.failed.len()), (2, 0));
        assert_built_once_per_seed(&scenario);
    }

    /// With a selection, each noise draw's held-out split is made once and shared by the draw's
    /// four runs (2 methods × 2 l2), on two threads.
    #[test]
    fn each_noise_draw_holds_out_its_rows_once() {
        let text = r#"
name = "held"
seeds = [0, 1]
[dataset]
source = "blobs"
classes = 3
features = 4
train = 120
test = 30
separation = 2.3456789   # unique to this test
[noise]
kind = "symmetric"
rate = [0.1, 0.2]
[model]
l2 = [1e-3, 1e-1]
[[method]]
kind = "ce"
[[method]]
kind = "label_smoothing"
epsilon = 0.1
[selection]
fraction = 0.25
tune = ["model.l2"]
"#;
        let scenario =
            crate::scenario::parse(text, "held.toml", std::path::Path::new(".")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let outcome = run_on_two_threads(&scenario, dir.path(), preflight::Loaded::default());
        assert_eq!((outcome.ran, outcome.failed.len()), (16, 0));
        let draws: HashSet<DrawKey> = scenario.runs().iter().map(draw_key).collect();
        assert_eq!(draws.len(), 4);
        let made = execute::validation::HOLD_OUTS.lock().unwrap();
        for key in &draws {
            assert_eq!(made.get(key), Some(&1), "{key:?}");
        }
    }
}
