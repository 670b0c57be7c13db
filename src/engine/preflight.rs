//! Checks before any training. The scenario's rules that need the data run here, where the data
//! module is known: the shapes of bundled datasets (classes, fixed size) are handed to the
//! scenario's cross-section rules, and file-backed data is loaded once ([`check_data`]); their
//! problems point at the scenario's keys (file, line, column). Then the results folder: it can be
//! created, a file in it can be written, synced and removed, and its disk has room for what the
//! runs will write. A read-only or full folder is reported at once, naming the folder, instead of
//! failing after hours of training.

use super::shard::Shard;
use super::store;
use crate::data::{self, Dataset};
use crate::scenario::cross::expected_train;
use crate::scenario::spec::{DataSource, NoiseSpec, OptimizerSpec, RunSpec};
use crate::scenario::{self, DataShape, Problem, Scenario, ScenarioError};
use std::collections::{HashMap, HashSet};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PreflightError {
    #[error("cannot create the results folder {dir}: {err}")]
    Create { dir: PathBuf, err: std::io::Error },
    #[error("cannot write in the results folder {dir} (read-only, or no permission?): {err}")]
    Write { dir: PathBuf, err: std::io::Error },
    #[error("cannot tell the free space of the results folder {dir}: {err}")]
    Space { dir: PathBuf, err: std::io::Error },
    #[error(
        "the results folder {dir} has {} free, but these {runs} run(s) need about {}; free some space or pick another folder with --out",
        human(*available), human(*needed)
    )]
    Full {
        dir: PathBuf,
        runs: usize,
        needed: u64,
        available: u64,
    },
}

/// What the data module knows of a dataset before loading it: the classes of generated data, the
/// size and classes of a bundled dataset; nothing for CSV files.
pub fn data_shape(source: &DataSource) -> Option<DataShape> {
    data::static_shape(source).map(|s| DataShape {
        samples: s.samples,
        classes: s.classes,
    })
}

/// Reads and checks a scenario file with every rule, those needing the datasets' shapes included.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    scenario::load_with(path, &data_shape)
}

/// Checks scenario text with every rule (see [`load_scenario`]).
pub fn parse_scenario(text: &str, path: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
    scenario::parse_with(text, path, base_dir, &data_shape)
}

/// Loads each distinct dataset that comes from a file (CSV, bundled) once, with the first seed, so
/// that `labelnoise check` reports a bad data file without training, at the dataset's `path`
/// value (else its table). Synthetic data cannot fail once the scenario is valid, and is skipped.
pub fn check_data(s: &Scenario) -> Vec<Problem> {
    load_data(s).1
}

/// Datasets built before the grid runs (by [`load_data`]), by (dataset key, seed): the engine
/// takes them instead of reading their files again ([`super::run_loaded`]).
#[derive(Default)]
pub struct Loaded {
    pub(super) datasets: HashMap<(String, u64), Arc<Dataset>>,
}

/// [`check_data`], keeping the datasets it built for the run that follows.
pub fn load_data(s: &Scenario) -> (Loaded, Vec<Problem>) {
    let mut out = Vec::new();
    let mut loaded = Loaded::default();
    let Some(&seed) = s.seeds.first() else {
        return (loaded, out);
    };
    for (i, v) in s.datasets.iter().enumerate() {
        if !matches!(
            v.spec.source,
            DataSource::Csv { .. } | DataSource::Bundled { .. }
        ) {
            continue;
        }
        let key = (
            serde_json::to_string(&v.spec).expect("spec serializes"),
            seed,
        );
        if loaded.datasets.contains_key(&key) {
            continue;
        }
        match data::build(&v.spec, &s.base_dir, seed) {
            Ok(d) => {
                loaded.datasets.insert(key, Arc::new(d));
            }
            Err(e) => {
                let what = match &v.spec.source {
                    DataSource::Csv { path, .. } => format!("csv file {}", path.display()),
                    DataSource::Bundled { name, .. } => format!("bundled dataset {name}"),
                    _ => String::new(),
                };
                out.push(
                    Problem::new(
                        s.dataset_spans.get(i).cloned().flatten(),
                        format!("dataset ({what}): {e}"),
                    )
                    .help("the scenario is valid, but its data cannot be loaded as given"),
                );
            }
        }
    }
    if out.is_empty() {
        out.extend(check_given(s, seed, &loaded));
    }
    (loaded, out)
}

/// Reads the observed labels of every `kind = "given"` noise setting for every dataset (first
/// seed): wrong length, values that are no class, a missing column, an unreadable file, a source
/// that is not a file. Each problem points at the noise setting's observed-label key.
fn check_given(s: &Scenario, seed: u64, loaded: &Loaded) -> Vec<Problem> {
    let mut out = Vec::new();
    for (n, noise) in s.noises.iter().enumerate() {
        let NoiseSpec::Given { observed } = &noise.spec else {
            continue;
        };
        for d in &s.datasets {
            let key = (
                serde_json::to_string(&d.spec).expect("spec serializes"),
                seed,
            );
            let built = match loaded.datasets.get(&key) {
                Some(data) => Ok(Arc::clone(data)),
                None => data::build(&d.spec, &s.base_dir, seed).map(Arc::new),
            };
            let read = built.and_then(|data| {
                data::observed::train_labels(
                    &d.spec,
                    observed,
                    &s.base_dir,
                    seed,
                    &data.class_names,
                )
            });
            if let Err(e) = read {
                out.push(
                    Problem::new(
                        s.noise_spans.get(n).cloned().flatten(),
                        format!("noise (kind = \"given\"): {e}"),
                    )
                    .help("observed labels align row by row with dataset.path and take the true labels' values"),
                );
            }
        }
    }
    out
}

/// What the check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preflight {
    /// Runs still to do in this folder (after resume and sharding).
    pub pending: usize,
    /// Estimated bytes they will write.
    pub needed: u64,
    pub available: u64,
}

/// Creates `dir`, proves it writable (write + fsync + remove a probe file) and compares its free
/// space with [`estimate_bytes`] for the runs still to do. Runs already in `runs.jsonl` are not
/// counted, unless `force` (which starts the folder afresh).
pub fn check(
    dir: &Path,
    scenario: &Scenario,
    shard: Option<Shard>,
    force: bool,
) -> Result<Preflight, PreflightError> {
    fs::create_dir_all(dir).map_err(|err| PreflightError::Create {
        dir: dir.to_path_buf(),
        err,
    })?;
    probe(dir)?;
    let mut runs = scenario.runs();
    if let Some(s) = shard {
        runs = s.select(runs);
    }
    if !force {
        if let Ok(loaded) = store::load(dir) {
            let done: HashSet<String> = loaded.records.into_iter().map(|r| r.id).collect();
            runs.retain(|r| !done.contains(&r.id));
        }
    }
    let needed = estimate_bytes(&runs);
    let available = fs2::available_space(dir).map_err(|err| PreflightError::Space {
        dir: dir.to_path_buf(),
        err,
    })?;
    if needed > available {
        return Err(PreflightError::Full {
            dir: dir.to_path_buf(),
            runs: runs.len(),
            needed,
            available,
        });
    }
    Ok(Preflight {
        pending: runs.len(),
        needed,
        available,
    })
}

fn probe(dir: &Path) -> Result<(), PreflightError> {
    let path = dir.join(format!(".labelnoise-probe-{}", std::process::id()));
    let fail = |err| PreflightError::Write {
        dir: dir.to_path_buf(),
        err,
    };
    let result = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .and_then(|mut f| {
            f.write_all(&[0u8; 4096])?;
            f.sync_all()
        });
    let removed = fs::remove_file(&path);
    result.map_err(fail)?;
    removed.map_err(fail)
}

/// Estimated bytes a set of runs writes into its results folder, by kind of file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// `runs.jsonl`: one record per run.
    pub records: u64,
    /// `noise/*.json`: one per distinct (dataset, noise, seed) draw.
    pub sidecars: u64,
    /// `summary.{csv,md,json}`: one row per grid cell.
    pub summaries: u64,
    /// Plots and the HTML report: a fixed allowance.
    pub report_files: u64,
}

impl Estimate {
    pub fn total(&self) -> u64 {
        self.records
            .saturating_add(self.sidecars)
            .saturating_add(self.summaries)
            .saturating_add(self.report_files)
    }
}

/// Upper estimate of what `runs` write (see [`estimate_parts`]).
pub fn estimate_bytes(runs: &[RunSpec]) -> u64 {
    estimate_parts(runs).total()
}

/// Upper estimate of what `runs` write: one record each (fixed part, K×K transition counts, trace
/// points; with their rows of runs.csv and trace.csv), one noise sidecar per distinct (dataset, noise, seed) draw (the ids and new labels of
/// the flipped samples), and the summary files (per grid cell). Measured on the quickstart: a record
/// is about 1.8 KB with K = 5, a sidecar about 7.5 bytes per flip, summaries about 10 KB per cell.
/// CSV data of unknown size contributes no sidecar estimate.
pub fn estimate_parts(runs: &[RunSpec]) -> Estimate {
    // A record, and its row of runs.csv (about 0.35 KB).
    const RECORD: u64 = (3 << 10) + 512;
    // A point in runs.jsonl (about 150 bytes) and its rows of trace.csv (7 quantities, about 435).
    const TRACE_POINT: u64 = 768;
    const PER_FLIP: u64 = 16;
    const SIDECAR: u64 = 1 << 10;
    const PER_CELL: u64 = 16 << 10;
    const REPORT_FILES: u64 = 4 << 20;
    let mut e = Estimate {
        report_files: REPORT_FILES,
        ..Estimate::default()
    };
    let mut draws = HashSet::new();
    let mut cells = HashSet::new();
    for run in runs {
        let shape = data_shape(&run.dataset.source);
        let k = shape.map_or(10, |s| s.classes) as u64;
        let trace_points = if run.model.trace {
            let steps = match &run.model.optimizer {
                OptimizerSpec::Lbfgs { .. } => run.model.max_iter,
                OptimizerSpec::Sgd { epochs, .. } | OptimizerSpec::Adam { epochs, .. } => *epochs,
            };
            (steps / run.model.trace_every.max(1)) as u64 + 1
        } else {
            0
        };
        e.records = e
            .records
            .saturating_add(RECORD + 16 * k * k + 16 * k)
            .saturating_add(trace_points.saturating_mul(TRACE_POINT));
        if draws.insert((run.dataset_key(), run.noise_key(), run.seed)) {
            let n = expected_train(&run.dataset, shape.and_then(|s| s.samples)).unwrap_or(0) as f64;
            let flips = (worst_rate(&run.noise) * n * 1.1 + 10.0).min(n);
            e.sidecars = e
                .sidecars
                .saturating_add(SIDECAR + 8 * k * k + (flips as u64).saturating_mul(PER_FLIP));
        }
        let cell: Vec<String> = run
            .axes
            .iter()
            .map(|(name, v)| format!("{name}={v}"))
            .collect();
        cells.insert(cell);
    }
    e.summaries = (cells.len() as u64).saturating_mul(PER_CELL);
    e
}

/// The largest share of a class's labels the noise may flip.
fn worst_rate(noise: &NoiseSpec) -> f64 {
    match noise {
        NoiseSpec::None => 0.0,
        NoiseSpec::Asymmetric {
            rate_pos, rate_neg, ..
        } => rate_pos.max(*rate_neg),
        NoiseSpec::Matrix { matrix, .. } => matrix
            .iter()
            .enumerate()
            .map(|(i, row)| 1.0 - row.get(i).copied().unwrap_or(0.0))
            .fold(0.0, f64::max),
        // Instance noise draws per-sample rates around `rate`: allow for its spread.
        NoiseSpec::Instance { rate, std } => (rate + 2.0 * std).min(1.0),
        other => other.nominal_rate(),
    }
}

/// Bytes for people: 1.5 GiB, 320 KiB.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human(512), "512 bytes");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(3 << 30), "3.0 GiB");
    }

    #[test]
    fn a_file_in_place_of_the_folder_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        fs::write(&file, "x").unwrap();
        let target = file.join("results");
        let s =
            crate::scenario::parse("name = \"p\"\n[dataset]\n", "p.toml", Path::new(".")).unwrap();
        let err = check(&target, &s, None, false).unwrap_err();
        assert!(matches!(err, PreflightError::Create { .. }), "{err}");
        assert!(
            err.to_string().contains(&target.display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn the_probe_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let s =
            crate::scenario::parse("name = \"p\"\n[dataset]\n", "p.toml", Path::new(".")).unwrap();
        let p = check(dir.path(), &s, None, false).unwrap();
        assert_eq!(p.pending, 3);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
