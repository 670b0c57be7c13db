//! The results folder: `runs.jsonl` (append-only, flushed per record), `scenario.json` (what the
//! folder holds), a lock against two writers, and the noise sidecars.

use super::record::RunRecord;
use crate::scenario::Scenario;
use fs2::FileExt;
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

pub const RUNS: &str = "runs.jsonl";
pub const MANIFEST: &str = "scenario.json";
const LOCK: &str = ".lock";

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0}")]
    Refused(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.display().to_string(), source }
}

/// What a results folder holds: written once, checked on every later run into it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub scenario: String,
    pub scenario_hash: String,
    pub version: String,
    /// `I/N` when the folder holds one shard.
    pub shard: Option<String>,
    pub total_runs: usize,
    /// Folder of the scenario file (relative paths in the resolved config are relative to it).
    pub scenario_path: String,
}

/// An open results folder, locked for this process.
pub struct Store {
    pub dir: PathBuf,
    runs: File,
    _lock: File,
}

/// Records read back from `runs.jsonl`, with what was dropped.
pub struct Loaded {
    pub records: Vec<RunRecord>,
    /// A last line without its newline (a crash mid-write) was dropped.
    pub torn_tail: bool,
}

impl Store {
    /// Opens (creating) `dir` for `scenario`. Refuses a folder holding another scenario, another
    /// version of it, or another process's run, unless `force` (which starts the folder afresh).
    pub fn open(dir: &Path, scenario: &Scenario, shard: Option<String>, total: usize, force: bool) -> Result<Store, StoreError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let lock_path = dir.join(LOCK);
        let lock = OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path).map_err(io(&lock_path))?;
        lock.try_lock_exclusive().map_err(|_| {
            StoreError::Refused(format!(
                "{} is in use by another labelnoise process (lock file {}); wait for it or use another --out folder",
                dir.display(),
                lock_path.display()
            ))
        })?;
        let manifest = Manifest {
            scenario: scenario.name.clone(),
            scenario_hash: scenario.content_hash.clone(),
            version: crate::VERSION.to_string(),
            shard,
            total_runs: total,
            scenario_path: scenario.path.display().to_string(),
        };
        let mpath = dir.join(MANIFEST);
        if let Ok(text) = fs::read_to_string(&mpath) {
            let old: Option<Manifest> = serde_json::from_str(&text).ok();
            let same = old.as_ref().is_some_and(|o| {
                o.scenario == manifest.scenario && o.scenario_hash == manifest.scenario_hash && o.version == manifest.version && o.shard == manifest.shard
            });
            if !same {
                if !force {
                    let what = match &old {
                        Some(o) if o.scenario != manifest.scenario => format!("scenario `{}`", o.scenario),
                        Some(o) if o.version != manifest.version => format!("results of labelnoise {}", o.version),
                        Some(o) if o.shard != manifest.shard => format!("shard {}", o.shard.as_deref().unwrap_or("(all)")),
                        Some(_) => "an earlier version of this scenario file (its content changed)".to_string(),
                        None => "an unreadable manifest".to_string(),
                    };
                    return Err(StoreError::Refused(format!(
                        "{} holds {what}; use --force to start it afresh, or --out to pick another folder",
                        dir.display()
                    )));
                }
                for f in [RUNS, MANIFEST] {
                    let _ = fs::remove_file(dir.join(f));
                }
            }
        }
        if !mpath.exists() {
            write_atomic(&mpath, (serde_json::to_string_pretty(&manifest).expect("serializes") + "\n").as_bytes())?;
        }
        let rpath = dir.join(RUNS);
        // Drop a torn last line before appending, so a new record never glues onto it.
        truncate_torn_tail(&rpath)?;
        let runs = OpenOptions::new().create(true).append(true).open(&rpath).map_err(io(&rpath))?;
        Ok(Store { dir: dir.to_path_buf(), runs, _lock: lock })
    }

    /// Appends one record and flushes it to the OS, so a crash loses at most the runs in flight.
    pub fn append(&mut self, record: &RunRecord) -> Result<(), StoreError> {
        let mut line = serde_json::to_string(record).expect("serializes");
        line.push('\n');
        let path = self.dir.join(RUNS);
        self.runs.write_all(line.as_bytes()).map_err(io(&path))?;
        self.runs.flush().map_err(io(&path))
    }

    /// Writes the noise sidecar once (its content depends only on its id).
    pub fn write_sidecar(&self, noise_id: &str, body: &serde_json::Value) -> Result<(), StoreError> {
        let dir = self.dir.join("noise");
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(format!("{noise_id}.json"));
        if path.exists() {
            return Ok(());
        }
        write_atomic(&path, (serde_json::to_string(body).expect("serializes") + "\n").as_bytes())
    }
}

/// Reads `runs.jsonl` in `dir`, dropping a torn last line (one without its newline).
pub fn load(dir: &Path) -> Result<Loaded, StoreError> {
    let path = dir.join(RUNS);
    let file = File::open(&path).map_err(io(&path))?;
    let mut records = Vec::new();
    let mut torn_tail = false;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(io(&path))?;
        if n == 0 {
            break;
        }
        number += 1;
        if !line.ends_with('\n') {
            torn_tail = true;
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let rec: RunRecord = serde_json::from_str(&line).map_err(|e| {
            StoreError::Refused(format!("{}:{number}: not a run record: {e}", path.display()))
        })?;
        records.push(rec);
    }
    Ok(Loaded { records, torn_tail })
}

pub fn read_manifest(dir: &Path) -> Result<Manifest, StoreError> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(io(&path))?;
    serde_json::from_str(&text).map_err(|e| StoreError::Refused(format!("{}: {e}", path.display())))
}

fn truncate_torn_tail(path: &Path) -> Result<(), StoreError> {
    let Ok(bytes) = fs::read(path) else { return Ok(()) };
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(());
    }
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    eprintln!(
        "warning: {}: dropped a torn last line ({} bytes, a run interrupted mid-write); that run will be redone",
        path.display(),
        bytes.len() - keep
    );
    let f = OpenOptions::new().write(true).open(path).map_err(io(path))?;
    f.set_len(keep as u64).map_err(io(path))
}

/// Writes a file by writing a temporary sibling and renaming it over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension(format!(
        "{}.tmp{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
        std::process::id()
    ));
    {
        let mut f = File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io(path))
}
