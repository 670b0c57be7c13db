//! `labelnoise repair DIR`: moves the bad lines of `runs.jsonl` (not a record, a torn last line, a
//! record of another scenario or grid, a repeated run) to `runs.rejected.jsonl` and keeps the rest,
//! so one corrupted line no longer costs every run (`--force`). The folder's lock is held
//! throughout; the new `runs.jsonl` is written beside the old one and renamed over it, so a crash
//! leaves either file whole.

use super::lines::LineCheck;
use super::record::RunRecord;
use super::store::{self, io, RecordHead, StoreError};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// What a repair did.
#[derive(Debug)]
pub struct Repaired {
    /// Records kept in `runs.jsonl`.
    pub kept: usize,
    /// Lines moved to `runs.rejected.jsonl`: line number and why.
    pub moved: Vec<(usize, String)>,
    pub rejected_file: PathBuf,
}

/// Why line `number` (`bytes`, newline included unless torn) is bad, if it is.
fn judge(check: &mut LineCheck, number: usize, bytes: &[u8]) -> Option<String> {
    let Some(text) = bytes.strip_suffix(b"\n") else {
        return Some("a torn last line (no newline: a run interrupted mid-write)".into());
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return Some("not a run record (not UTF-8 text)".into());
    };
    if let Err(e) = serde_json::from_str::<RunRecord>(text) {
        return Some(format!("not a run record: {e}"));
    }
    let head: RecordHead = serde_json::from_str(text).ok()?;
    check.problem(&head, number)
}

/// Repairs the folder `dir` (see the module's documentation).
pub fn repair(dir: &Path) -> Result<Repaired, StoreError> {
    let path = dir.join(store::RUNS);
    if !path.is_file() {
        return Err(StoreError::Refused(format!(
            "{} holds no {}: nothing to repair",
            dir.display(),
            store::RUNS
        )));
    }
    let _lock = store::lock(dir)?;
    let mut check = LineCheck::new(dir);
    let mut reader = BufReader::new(File::open(&path).map_err(io(&path))?);
    let tmp = dir.join(format!("{}.tmp{}", store::RUNS, std::process::id()));
    let mut kept_file = BufWriter::new(File::create(&tmp).map_err(io(&tmp))?);
    let mut rejected = Vec::new();
    let (mut kept, mut moved, mut number) = (0, Vec::new(), 0);
    let mut line = Vec::new();
    let result = loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break Ok(()),
            Ok(_) => {}
            Err(e) => break Err(io(&path)(e)),
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match judge(&mut check, number, &line) {
            None => {
                kept += 1;
                if let Err(e) = kept_file.write_all(&line) {
                    break Err(io(&tmp)(e));
                }
            }
            Some(why) => {
                let text = String::from_utf8_lossy(&line);
                let entry = serde_json::json!({
                    "line": number,
                    "reason": why,
                    "text": text.strip_suffix('\n').unwrap_or(&text),
                });
                rejected.push(entry.to_string() + "\n");
                moved.push((number, why));
            }
        }
    };
    let finished = result.and_then(|_| {
        let f = kept_file
            .into_inner()
            .map_err(|e| io(&tmp)(e.into_error()))?;
        f.sync_all().map_err(io(&tmp))
    });
    let rejected_file = dir.join(store::REJECTED);
    let done = finished.and_then(|_| {
        if moved.is_empty() {
            return Ok(());
        }
        // The rejected lines are safe on disk before they leave runs.jsonl.
        let mut side = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&rejected_file)
            .map_err(io(&rejected_file))?;
        side.write_all(rejected.concat().as_bytes())
            .and_then(|_| side.sync_all())
            .map_err(io(&rejected_file))?;
        fs::rename(&tmp, &path).map_err(io(&path))
    });
    let _ = fs::remove_file(&tmp);
    done?;
    Ok(Repaired {
        kept,
        moved,
        rejected_file,
    })
}
