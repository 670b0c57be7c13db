//! The notebook files of a results folder: `runs.csv` and `trace.csv` (streamed, one record at a
//! time) and `summary_long.csv`. Written by [`super::write_all`], so `run` and `report` give the same
//! bytes.

use super::export::{Exporter, RunColumns, RunsCsvWriter, SummaryLong, TraceCsvWriter};
use super::summary::Summary;
use crate::engine::record::RunRecord;
use crate::engine::store::{self, StoreError};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub const RUNS_CSV: &str = "runs.csv";
pub const TRACE_CSV: &str = "trace.csv";
pub const SUMMARY_LONG_CSV: &str = "summary_long.csv";

type Out = BufWriter<File>;

/// Writes the three files; the runs are the records of `runs.jsonl` at `order` (byte offsets of
/// its lines, in grid order), read back one at a time.
pub fn write(dir: &Path, summary: &Summary, order: &[u64]) -> Result<(), StoreError> {
    store::write_atomic(
        &dir.join(SUMMARY_LONG_CSV),
        SummaryLong.serialize(summary).as_bytes(),
    )?;
    let mut w = RunsWriter::new(dir, RunColumns::new(&summary.axes, &summary.metrics))?;
    store::for_each_at(dir, order, |r| w.row(&r))?;
    w.finish()
}

/// `runs.csv` and, from the first record with a trace on, `trace.csv`, each written through a
/// temporary file renamed into place by [`RunsWriter::finish`]. Holds no records: a caller that
/// streams records feeds them here in grid order (index, then id) one at a time.
pub struct RunsWriter {
    dir: PathBuf,
    columns: RunColumns,
    runs: RunsCsvWriter<Out>,
    trace: Option<TraceCsvWriter<Out>>,
}

impl RunsWriter {
    pub fn new(dir: &Path, columns: RunColumns) -> Result<RunsWriter, StoreError> {
        let path = dir.join(RUNS_CSV);
        let runs = RunsCsvWriter::new(create(&path)?, columns.clone()).map_err(io(&tmp(&path)))?;
        Ok(RunsWriter {
            dir: dir.to_path_buf(),
            columns,
            runs,
            trace: None,
        })
    }

    pub fn row(&mut self, rec: &RunRecord) -> Result<(), StoreError> {
        let runs = self.dir.join(RUNS_CSV);
        self.runs.row(rec).map_err(io(&tmp(&runs)))?;
        if rec.trace.is_empty() {
            return Ok(());
        }
        let path = self.dir.join(TRACE_CSV);
        if self.trace.is_none() {
            let w = TraceCsvWriter::new(create(&path)?, self.columns.clone());
            self.trace = Some(w.map_err(io(&tmp(&path)))?);
        }
        let trace = self.trace.as_mut().expect("created above");
        trace.row(rec).map_err(io(&tmp(&path)))
    }

    /// Moves the files into place; removes a `trace.csv` of an earlier report when no run has a
    /// trace.
    pub fn finish(self) -> Result<(), StoreError> {
        commit(&self.dir.join(RUNS_CSV), self.runs.finish())?;
        let trace = self.dir.join(TRACE_CSV);
        match self.trace {
            Some(w) => commit(&trace, w.finish()),
            None => match std::fs::remove_file(&trace) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&trace)(e)),
                _ => Ok(()),
            },
        }
    }
}

/// The temporary name of `path` while it is written.
fn tmp(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    path.with_file_name(format!("{name}.tmp{}", std::process::id()))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |err| StoreError::Io {
        path: path.display().to_string(),
        err,
    }
}

fn create(path: &Path) -> Result<Out, StoreError> {
    let t = tmp(path);
    File::create(&t).map(BufWriter::new).map_err(io(&t))
}

/// Flushes, syncs and renames the temporary of `path` into place (removing it on failure).
fn commit(path: &Path, finished: std::io::Result<Out>) -> Result<(), StoreError> {
    let t = tmp(path);
    let done = finished
        .and_then(|mut out| {
            out.flush()?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()
        })
        .map_err(io(&t))
        .and_then(|()| std::fs::rename(&t, path).map_err(io(path)));
    if done.is_err() {
        let _ = std::fs::remove_file(&t);
    }
    done
}
