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
pub mod store;

use crate::data::{self, DataError, Dataset};
use crate::noise::{self, NoiseError, NoisyLabels};
use crate::scenario::spec::RunSpec;
use crate::scenario::Scenario;
pub use error::{EngineError, RunError};
pub use event::{Event, OnEvent};
use rayon::prelude::*;
use record::RunRecord;
pub use shard::Shard;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
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

type Cached<T, E> = Arc<OnceLock<Result<Arc<T>, Arc<E>>>>;
/// Cells by key, each with the number of pending runs that still need it.
type Counted<K, T, E> = Mutex<HashMap<K, (Cached<T, E>, usize)>>;

/// Datasets and noise draws shared by the runs that use them, released after their last run.
#[derive(Default)]
struct Shared {
    data: Counted<(String, u64), Dataset, DataError>,
    noise: Counted<(String, String, u64), NoisyLabels, NoiseError>,
}

impl Shared {
    fn new(runs: &[RunSpec]) -> Shared {
        let s = Shared::default();
        for r in runs {
            s.data
                .lock()
                .unwrap()
                .entry((r.dataset_key(), r.seed))
                .or_default()
                .1 += 1;
            s.noise
                .lock()
                .unwrap()
                .entry((r.dataset_key(), r.noise_key(), r.seed))
                .or_default()
                .1 += 1;
        }
        s
    }

    fn dataset(&self, run: &RunSpec) -> Result<Arc<Dataset>, Arc<DataError>> {
        let cell = self.data.lock().unwrap()[&(run.dataset_key(), run.seed)]
            .0
            .clone();
        cell.get_or_init(|| {
            data::build(&run.dataset, &run.base_dir, run.seed)
                .map(Arc::new)
                .map_err(Arc::new)
        })
        .clone()
    }

    fn noisy(&self, run: &RunSpec, data: &Dataset) -> Result<Arc<NoisyLabels>, Arc<NoiseError>> {
        let key = (run.dataset_key(), run.noise_key(), run.seed);
        let cell = self.noise.lock().unwrap()[&key].0.clone();
        cell.get_or_init(|| noise::draw(run, data).map(Arc::new).map_err(Arc::new))
            .clone()
    }

    /// Forgets a run's dataset and noise draw once no pending run needs them.
    fn release(&self, run: &RunSpec) {
        let mut d = self.data.lock().unwrap();
        let key = (run.dataset_key(), run.seed);
        if let Some(e) = d.get_mut(&key) {
            e.1 -= 1;
            if e.1 == 0 {
                d.remove(&key);
            }
        }
        let mut n = self.noise.lock().unwrap();
        let key = (run.dataset_key(), run.noise_key(), run.seed);
        if let Some(e) = n.get_mut(&key) {
            e.1 -= 1;
            if e.1 == 0 {
                n.remove(&key);
            }
        }
    }
}

/// Runs every pending run of the scenario (or of one shard) into `opts.out`, telling `on_event`
/// what happens (warnings, each run finished or failed).
///
/// Memory: the engine holds the grid's run specs and, per worker thread, the dataset and noise draw in
/// use; records go to disk as they finish and are never kept, and resuming reads only their ids.
///
/// Threads: one run per task on the pool; each fit's objective also cuts its rows into chunks of
/// tasks on the same pool (`train::objective`), so threads left without a run (fewer pending runs
/// than threads) help the fits still going, with the same results on any thread count.
pub fn run(
    scenario: &Scenario,
    opts: &Options,
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
    let shared = Shared::new(&pending);
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
            let rec = execute::execute(ctx, run, &data, &noisy, started)?;
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
    use super::*;

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
        let opts = Options {
            out: dir.path().join("out"),
            threads: Some(2),
            shard: None,
            force: false,
            allow_other_build: false,
            stop: Arc::default(),
        };
        let outcome = run(&scenario, &opts, &event::ignore).unwrap();
        assert_eq!((outcome.ran, outcome.failed.len()), (8, 0));
        let key = scenario.runs()[0].dataset_key();
        let builds = data::BUILDS.lock().unwrap();
        assert_eq!(builds.get(&(key.clone(), 0)), Some(&1));
        assert_eq!(builds.get(&(key, 1)), Some(&1));
    }
}
