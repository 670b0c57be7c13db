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
pub(crate) use super::layout::io;
use super::layout::not_a_record;
pub use super::layout::{
    read_manifest, record_head, repair_hint, scan, write_atomic, write_manifest, Admit, Growth,
    Manifest, RecordHead, StoreError, LOCK, MANIFEST, NOISE, REJECTED, RUNS,
};
use super::record::RunRecord;
use fs2::FileExt;
use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

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

/// A view of a record line (a few of its fields) that knows the fields every line is checked on.
pub trait RecordView: serde::de::DeserializeOwned {
    fn head(&self) -> RecordHead;
}

/// Calls `each(byte_offset, view)` for every record of `runs.jsonl` in `dir`, read as `V` (only the
/// fields a reader needs), with the checks of [`load`], one line in memory at a time; returns
/// whether a torn last line was skipped. The offsets let [`read_at`] fetch whole records later.
pub fn stream<V: RecordView>(
    dir: &Path,
    mut each: impl FnMut(u64, V) -> Result<(), StoreError>,
) -> Result<bool, StoreError> {
    let mut check = super::lines::LineCheck::new(dir);
    scan(dir, |number, offset, line| {
        let view: V = serde_json::from_str(line).map_err(|e| not_a_record(dir, number, e))?;
        check.check(&view.head(), number)?;
        each(offset, view)
    })
}

/// The whole records starting at `offsets` (byte offsets of lines of `runs.jsonl` in `dir`, as
/// [`stream`] gave them), in the order given.
pub fn read_at(dir: &Path, offsets: &[u64]) -> Result<Vec<RunRecord>, StoreError> {
    let mut records = Vec::with_capacity(offsets.len());
    for_each_at(dir, offsets, |r| {
        records.push(r);
        Ok(())
    })?;
    Ok(records)
}

/// Calls `each` with the whole record starting at each of `offsets`, in the order given, one record
/// in memory at a time; where an offset follows the previous line, it reads straight on (no seek),
/// so offsets in file order cost one sequential read.
pub fn for_each_at(
    dir: &Path,
    offsets: &[u64],
    mut each: impl FnMut(RunRecord) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    use std::io::BufRead;
    let path = dir.join(RUNS);
    let mut reader = std::io::BufReader::new(File::open(&path).map_err(io(&path))?);
    let mut line = String::new();
    let mut at = 0u64;
    for &offset in offsets {
        if offset != at {
            reader.seek(SeekFrom::Start(offset)).map_err(io(&path))?;
        }
        line.clear();
        at = offset + reader.read_line(&mut line).map_err(io(&path))? as u64;
        let record = serde_json::from_str(&line).map_err(|e| {
            StoreError::Refused(format!(
                "{} at byte {offset}: not a run record ({e}); was the file changed while it was read?",
                path.display()
            ))
        })?;
        each(record)?;
    }
    Ok(())
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
