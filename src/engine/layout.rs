//! What a results folder is made of: its file names, the manifest (`scenario.json`), the error
//! type, and reading and writing its files line by line or atomically. The folder's other modules
//! (store, folder checks, line checks, growth, repair) build on this one.

use crate::scenario::figures::FigureSettings;
use crate::scenario::Scenario;
use crate::train::objective::{Arithmetic, Kernel};
use crate::vocab::correction::Correction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use thiserror::Error;

pub const RUNS: &str = "runs.jsonl";
pub const MANIFEST: &str = "scenario.json";
/// Where `repair` moves the bad lines of `runs.jsonl` (appended, with their line numbers).
pub const REJECTED: &str = "runs.rejected.jsonl";
/// Lock file: held (exclusive, `flock`) by the process writing the folder.
pub const LOCK: &str = ".lock";
/// Folder of the noise sidecars, `noise/<noise_id>.json`.
pub const NOISE: &str = "noise";

/// Errors of the results folder. The io error is a field, not a `source`, and the message shows it:
/// a source would be printed a second time by error chains (`anyhow`'s `{:#}`).
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{path}: {err}")]
    Io { path: String, err: std::io::Error },
    #[error("{0}")]
    Refused(String),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |err| StoreError::Io {
        path: path.display().to_string(),
        err,
    }
}

/// What a results folder holds: written once, checked on every later run into it. A folder made by
/// `merge` has the same manifest as one made by a single process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub scenario: String,
    pub scenario_hash: String,
    pub version: String,
    /// The build that made the folder ([`super::build::id`]); absent in older folders.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub build: String,
    /// How the runs' kernel rounds a multiply-add ([`Arithmetic`]); absent when fused (every
    /// kernel before the unfused one was), so such folders keep their bytes.
    #[serde(default, skip_serializing_if = "Arithmetic::is_fused")]
    pub arithmetic: Arithmetic,
    /// `I/N` when the folder holds one shard.
    pub shard: Option<String>,
    /// Runs this folder is meant to hold (the shard's size, or the whole grid).
    pub total_runs: usize,
    /// Runs in the whole grid; `merge` uses it to name missing runs by grid index.
    pub grid_runs: usize,
    /// The scenario file, absolute where it could be resolved (relative paths in the resolved config
    /// are relative to its folder).
    pub scenario_path: String,
    /// SHA-256 of every data file and bundled set the scenario reads ([`super::inputs::hashes`]);
    /// absent when it reads none (generated data), so such folders keep their bytes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, String>,
    /// `[report] multiple_comparisons`, so `report` marks the tables as `run` did; absent when
    /// "none", so such folders keep their bytes.
    #[serde(default, skip_serializing_if = "Correction::is_none")]
    pub multiple_comparisons: Correction,
    /// `[report] figures`, `facet_rows`, `facet_cols`, so `report` draws what `run` drew; absent
    /// when the default.
    #[serde(default, skip_serializing_if = "FigureSettings::is_default")]
    pub figures: FigureSettings,
}

impl Manifest {
    pub fn new(scenario: &Scenario, shard: Option<String>, total_runs: usize) -> Manifest {
        let path = fs::canonicalize(&scenario.path).unwrap_or_else(|_| scenario.path.clone());
        Manifest {
            scenario: scenario.name.clone(),
            scenario_hash: scenario.content_hash.clone(),
            version: crate::VERSION.to_string(),
            build: super::build::id().to_string(),
            arithmetic: Kernel::for_runs().arithmetic(),
            shard,
            total_runs,
            grid_runs: scenario.run_count(),
            scenario_path: path.display().to_string(),
            inputs: super::inputs::hashes(scenario),
            multiple_comparisons: scenario.multiple_comparisons,
            figures: scenario.figures.clone(),
        }
    }

    /// Why a folder holding `self` cannot take runs described by `new`, if it cannot.
    pub(super) fn conflict(&self, new: &Manifest, allow_other_build: bool) -> Option<String> {
        let whole = |s: &Option<String>| {
            s.as_ref()
                .map_or("the whole grid".to_string(), |s| format!("shard {s}"))
        };
        if self.scenario != new.scenario {
            Some(format!(
                "results of scenario `{}`, not `{}`",
                self.scenario, new.scenario
            ))
        } else if self.version != new.version {
            Some(format!(
                "results of labelnoise {} (this is {}); versions are never mixed in one folder",
                self.version, new.version
            ))
        } else if self.build != new.build && !allow_other_build {
            Some(format!(
                "results of another build of labelnoise (build {} made them, this is {}): a changed program may give other numbers for the same runs, so builds are not mixed unless --allow-other-build is given (the folder is then marked \"mixed builds\")",
                if self.build.is_empty() { "unrecorded" } else { &self.build },
                new.build
            ))
        } else if self.arithmetic != new.arithmetic {
            Some(mixed_arithmetic(self.arithmetic, new.arithmetic))
        } else if let Some(change) = super::inputs::changed(&self.inputs, &new.inputs) {
            Some(format!("results made from other data: {change}"))
        } else if self.scenario_hash != new.scenario_hash || self.grid_runs != new.grid_runs {
            Some(format!(
                "results of an earlier version of this scenario: its file changed since (content hash {} then, {} now)",
                self.scenario_hash, new.scenario_hash
            ))
        } else if self.shard != new.shard || self.total_runs != new.total_runs {
            Some(format!("{}, not {}", whole(&self.shard), whole(&new.shard)))
        } else {
            None
        }
    }
}

/// Why runs of arithmetic `new` are not added to a folder of arithmetic `old`. Not overridden by
/// --allow-other-build: unlike an older build, the folder's arithmetic is always at hand (every
/// CPU runs a fused and an unfused kernel), so pinning it keeps the folder's runs comparable bit
/// for bit.
fn mixed_arithmetic(old: Arithmetic, new: Arithmetic) -> String {
    format!(
        "results computed with {} arithmetic, while this process would use {} arithmetic (kernel {}): fused and unfused multiply-adds differ in the last digits, so a folder holds one of them; run with {} to add to it",
        old.name(),
        new.name(),
        Kernel::for_runs().name(),
        old.pin_hint()
    )
}

/// What may be done to a folder holding other results.
#[derive(Clone, Copy, Debug, Default)]
pub struct Admit {
    /// Start it afresh (deleting labelnoise's files in it).
    pub force: bool,
    /// Add this build's runs to a folder of another build.
    pub allow_other_build: bool,
}

/// What a folder may grow to when its scenario gained runs ([`super::grow`]).
pub struct Growth<'a> {
    /// The whole grid of the edited scenario.
    pub grid: &'a [crate::scenario::spec::RunSpec],
    pub ece_bins: usize,
}

/// The fields of a record that identify it, read without the rest (for resume and merge).
#[derive(Debug, Deserialize)]
pub struct RecordHead {
    pub id: String,
    pub scenario: String,
    pub index: usize,
    pub scenario_hash: String,
    pub version: String,
}

/// Calls `each(line_number, byte_offset, line)` for every complete, non-empty line of `runs.jsonl`
/// in `dir`, one line in memory at a time. Returns whether a torn last line (no newline) was skipped.
pub fn scan(
    dir: &Path,
    mut each: impl FnMut(usize, u64, &str) -> Result<(), StoreError>,
) -> Result<bool, StoreError> {
    let path = dir.join(RUNS);
    let file = File::open(&path).map_err(io(&path))?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut offset = 0u64;
    let mut number = 0;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(io(&path))?;
        if n == 0 {
            return Ok(false);
        }
        number += 1;
        if line.last() != Some(&b'\n') {
            return Ok(true);
        }
        let text = std::str::from_utf8(&line).map_err(|_| {
            StoreError::Refused(format!(
                "{}:{number}: not a run record (not UTF-8 text)",
                path.display()
            ))
        })?;
        if !text.trim().is_empty() {
            each(number, offset, text)?;
        }
        offset += n as u64;
    }
}

pub(super) fn not_a_record(dir: &Path, number: usize, e: serde_json::Error) -> StoreError {
    StoreError::Refused(format!(
        "{}:{number}: not a run record: {e}; {}",
        dir.join(RUNS).display(),
        repair_hint(dir)
    ))
}

/// What to do with a folder's bad lines, for every message that refuses one.
pub fn repair_hint(dir: &Path) -> String {
    format!(
        "`labelnoise repair {}` moves such lines to {} and keeps the rest",
        dir.display(),
        REJECTED
    )
}

/// Parses the identifying fields of one record line.
pub fn record_head(dir: &Path, number: usize, line: &str) -> Result<RecordHead, StoreError> {
    serde_json::from_str(line).map_err(|e| not_a_record(dir, number, e))
}

/// Writes `scenario.json` (the one format, so that merged and single-process folders match).
pub fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), StoreError> {
    let text = serde_json::to_string_pretty(manifest).expect("serializes") + "\n";
    write_atomic(&dir.join(MANIFEST), text.as_bytes())
}

pub fn read_manifest(dir: &Path) -> Result<Manifest, StoreError> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(io(&path))?;
    serde_json::from_str(&text).map_err(|e| StoreError::Refused(format!("{}: {e}", path.display())))
}

/// Writes a file by writing a temporary sibling and renaming it over the target. On failure (a full
/// disk, a target that cannot be replaced) the temporary file is removed, never left behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension(format!(
        "{}.tmp{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
        std::process::id()
    ));
    let mut f = File::create(&tmp).map_err(io(&tmp))?;
    let written = f
        .write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(io(&tmp))
        .and_then(|_| fs::rename(&tmp, path).map_err(io(path)));
    drop(f);
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}
