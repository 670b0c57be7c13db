//! The results folder: `runs.jsonl` (append-only, one record per line, flushed per record),
//! `scenario.json` (what the folder holds), a lock against two writers, and the noise sidecars.
//!
//! Crash safety: a record is written with one `write` of the whole line, newline last, straight to
//! the file (no user-space buffer), so a killed process leaves at most one line without its newline.
//! Such a torn last line is never parsed: readers skip it, and the next writer cuts it off (with a
//! warning event) before appending. A flushed record survives the process being killed; it is not
//! `fsync`ed per record, so a power loss may lose the last few seconds (the runs are then redone).

use super::event::{Event, OnEvent};
use super::folder;
use super::record::RunRecord;
use crate::scenario::Scenario;
use fs2::FileExt;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
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
}

impl Manifest {
    pub fn new(scenario: &Scenario, shard: Option<String>, total_runs: usize) -> Manifest {
        let path = fs::canonicalize(&scenario.path).unwrap_or_else(|_| scenario.path.clone());
        Manifest {
            scenario: scenario.name.clone(),
            scenario_hash: scenario.content_hash.clone(),
            version: crate::VERSION.to_string(),
            build: super::build::id().to_string(),
            shard,
            total_runs,
            grid_runs: scenario.run_count(),
            scenario_path: path.display().to_string(),
            inputs: super::inputs::hashes(scenario),
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

/// An open results folder, locked for this process.
pub struct Store {
    pub dir: PathBuf,
    runs: File,
    _lock: File,
    /// Bytes of a torn last line cut off when the folder was opened.
    pub torn_bytes: Option<u64>,
}

/// Records read back from `runs.jsonl`, with what was dropped.
pub struct Loaded {
    pub records: Vec<RunRecord>,
    /// A last line without its newline (a crash mid-write) was dropped.
    pub torn_tail: bool,
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

/// Takes the folder's lock, or says who holds it.
pub fn lock(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io(&path))?;
    FileExt::try_lock_exclusive(&file).map_err(|_| {
        StoreError::Refused(format!(
            "{} is in use by another labelnoise process (it holds the lock {}); wait for it to finish, or use another --out folder",
            dir.display(),
            path.display()
        ))
    })?;
    Ok(file)
}

/// Whether a process is writing `dir` now (holds its lock).
pub fn is_locked(dir: &Path) -> bool {
    match File::open(dir.join(LOCK)) {
        // fs2's, not std's (File::try_lock_shared needs Rust 1.89)
        Ok(f) => FileExt::try_lock_shared(&f).is_err(),
        Err(_) => false,
    }
}

impl Store {
    /// Opens (creating) `dir` for runs described by `manifest`. Refuses a folder holding another
    /// scenario, another version of it, another shard or another program version, unless `force`,
    /// which starts the folder afresh. Tells `on_event` when it starts afresh or cuts a torn line.
    pub fn open(
        dir: &Path,
        manifest: &Manifest,
        growth: Option<Growth<'_>>,
        admit: Admit,
        on_event: OnEvent<'_>,
    ) -> Result<Store, StoreError> {
        let force = admit.force;
        fs::create_dir_all(dir).map_err(io(dir))?;
        if !force {
            folder::refuse_foreign(dir)?;
        }
        let lock = lock(dir)?;
        let mpath = dir.join(MANIFEST);
        let rpath = dir.join(RUNS);
        let conflict = folder::settle(dir, manifest, growth, admit, on_event)?;
        if conflict || !mpath.exists() {
            write_manifest(dir, manifest)?;
        }
        // Cut a torn last line before appending, so a new record never glues onto it.
        let torn_bytes = truncate_torn_tail(&rpath)?;
        if let Some(n) = torn_bytes {
            on_event(Event::TornLineDropped {
                path: &rpath,
                bytes: n,
            });
        }
        let runs = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&rpath)
            .map_err(io(&rpath))?;
        Ok(Store {
            dir: dir.to_path_buf(),
            runs,
            _lock: lock,
            torn_bytes,
        })
    }

    /// Appends one record (one `write` of the whole line) and flushes it to the OS, so a crash loses
    /// at most the runs in flight.
    pub fn append(&mut self, record: &RunRecord) -> Result<(), StoreError> {
        let mut line = serde_json::to_string(record).expect("serializes");
        line.push('\n');
        let path = self.dir.join(RUNS);
        self.runs.write_all(line.as_bytes()).map_err(io(&path))?;
        self.runs.flush().map_err(io(&path))
    }

    /// Writes the noise sidecar once (its content depends only on its id).
    pub fn write_sidecar(
        &self,
        noise_id: &str,
        body: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let dir = self.dir.join(NOISE);
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(format!("{noise_id}.json"));
        if path.exists() {
            return Ok(());
        }
        write_atomic(
            &path,
            (serde_json::to_string(body).expect("serializes") + "\n").as_bytes(),
        )
    }
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

fn not_a_record(dir: &Path, number: usize, e: serde_json::Error) -> StoreError {
    StoreError::Refused(format!(
        "{}:{number}: not a run record: {e}; {}",
        dir.join(RUNS).display(),
        super::lines::repair_hint(dir)
    ))
}

/// Reads `runs.jsonl` in `dir`, dropping a torn last line (one without its newline). Refuses a
/// line that is not a record of the folder's scenario and grid, or repeats a run ([`LineCheck`]).
///
/// [`LineCheck`]: super::lines::LineCheck
pub fn load(dir: &Path) -> Result<Loaded, StoreError> {
    let mut records = Vec::new();
    let mut check = super::lines::LineCheck::new(dir);
    let torn_tail = scan(dir, |number, _, line| {
        check.check(&record_head(dir, number, line)?, number)?;
        records.push(serde_json::from_str(line).map_err(|e| not_a_record(dir, number, e))?);
        Ok(())
    })?;
    Ok(Loaded { records, torn_tail })
}

/// Ids of the records in `dir` (a torn last line excluded), reading one line at a time, with the
/// checks of [`load`]; a run not in `grid` (the ids of the grid) is refused too.
pub fn read_ids(dir: &Path, grid: &HashSet<&str>) -> Result<HashSet<String>, StoreError> {
    let mut ids = HashSet::new();
    let mut check = super::lines::LineCheck::new(dir);
    scan(dir, |number, _, line| {
        let head = record_head(dir, number, line)?;
        check.check(&head, number)?;
        if !grid.contains(head.id.as_str()) {
            return Err(check.refused(
                number,
                &format!("run {} is not among the runs this folder is for (the scenario's grid, or its shard)", head.id),
            ));
        }
        ids.insert(head.id);
        Ok(())
    })?;
    Ok(ids)
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

/// Cuts everything after the last newline of `path`; returns how many bytes were cut, if any.
/// Reads backwards from the end in blocks, so a large file is not read whole.
fn truncate_torn_tail(path: &Path) -> Result<Option<u64>, StoreError> {
    let mut f = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    let len = f.metadata().map_err(io(path))?.len();
    let mut end = len;
    let mut block = vec![0u8; 64 * 1024];
    let keep = loop {
        if end == 0 {
            break 0;
        }
        let start = end.saturating_sub(block.len() as u64);
        let chunk = &mut block[..(end - start) as usize];
        f.seek(SeekFrom::Start(start)).map_err(io(path))?;
        f.read_exact(chunk).map_err(io(path))?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            break start + i as u64 + 1;
        }
        end = start;
    };
    if keep == len {
        return Ok(None);
    }
    f.set_len(keep).map_err(io(path))?;
    Ok(Some(len - keep))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_tail_is_cut_after_the_last_newline() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(RUNS);
        // A tail longer than one read block, so the backwards search crosses blocks.
        let tail = "x".repeat(70_000);
        fs::write(&p, format!("{{\"a\":1}}\n{{\"b\":2}}\n{tail}")).unwrap();
        assert_eq!(truncate_torn_tail(&p).unwrap(), Some(70_000));
        assert_eq!(fs::read_to_string(&p).unwrap(), "{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(truncate_torn_tail(&p).unwrap(), None);
        fs::write(&p, "no newline at all").unwrap();
        assert_eq!(truncate_torn_tail(&p).unwrap(), Some(17));
        assert_eq!(fs::read(&p).unwrap(), b"");
    }

    #[test]
    fn a_failed_atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory cannot be replaced by a file: the rename fails after the temporary is written.
        let target = dir.path().join("summary.csv");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), "x").unwrap();
        let err = write_atomic(&target, b"a,b\n").unwrap_err();
        assert!(matches!(err, StoreError::Io { .. }), "{err}");
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, vec!["summary.csv".to_string()]);
        // A missing folder fails at create: nothing is written anywhere.
        assert!(write_atomic(&dir.path().join("no/such/file.csv"), b"x").is_err());
    }

    #[test]
    fn scan_skips_a_torn_line_and_reports_offsets() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(RUNS), "ab\n\ncd\nef").unwrap();
        let mut seen = Vec::new();
        let torn = scan(dir.path(), |n, off, line| {
            seen.push((n, off, line.to_string()));
            Ok(())
        })
        .unwrap();
        assert!(torn);
        assert_eq!(
            seen,
            vec![(1, 0, "ab\n".to_string()), (3, 4, "cd\n".to_string())]
        );
    }
}
