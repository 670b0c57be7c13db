//! The checks every record line of a results folder must pass when the folder is read, by `run`
//! (resume), `report` and `repair` alike: the same checks `merge` applies to its inputs. A line of
//! another scenario, of another version of it, beyond its grid, or repeating a run is refused with
//! its line number, never pooled into a summary.

pub use super::layout::repair_hint;
use super::layout::{self as store, Manifest, RecordHead, StoreError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Checks record heads, one line at a time, against the folder's manifest (when it has one) and
/// against the lines before them.
pub struct LineCheck {
    manifest: Option<Manifest>,
    /// Run id → the line it was first seen on.
    seen: HashMap<String, usize>,
    runs: PathBuf,
    dir: PathBuf,
}

impl LineCheck {
    /// For the folder `dir`; its manifest is read when present (a folder without one is checked
    /// for repeated runs only).
    pub fn new(dir: &Path) -> LineCheck {
        LineCheck {
            manifest: store::read_manifest(dir).ok(),
            seen: HashMap::new(),
            runs: dir.join(store::RUNS),
            dir: dir.to_path_buf(),
        }
    }

    /// What is wrong with the record on line `number`, if anything. A line found good counts as
    /// seen: a later line with its id is a repeat.
    pub fn problem(&mut self, head: &RecordHead, number: usize) -> Option<String> {
        if let Some(m) = &self.manifest {
            if head.scenario != m.scenario {
                return Some(format!(
                    "a record of scenario `{}`, but the folder's {} holds `{}`",
                    head.scenario,
                    store::MANIFEST,
                    m.scenario
                ));
            }
            if head.scenario_hash != m.scenario_hash || head.version != m.version {
                return Some(format!(
                    "a record of scenario version {} by labelnoise {}, but the folder's {} says {} by {}",
                    head.scenario_hash,
                    head.version,
                    store::MANIFEST,
                    m.scenario_hash,
                    m.version
                ));
            }
            if head.index >= m.grid_runs {
                return Some(format!(
                    "grid index {} is beyond the grid's {} runs",
                    head.index, m.grid_runs
                ));
            }
        }
        if let Some(first) = self.seen.get(&head.id) {
            return Some(format!("run {} repeats line {first}", head.id));
        }
        self.seen.insert(head.id.clone(), number);
        None
    }

    /// [`Self::problem`] as an error naming `runs.jsonl:LINE` and the fix.
    pub fn check(&mut self, head: &RecordHead, number: usize) -> Result<(), StoreError> {
        match self.problem(head, number) {
            None => Ok(()),
            Some(what) => Err(self.refused(number, &what)),
        }
    }

    /// The error for a bad line `number`.
    pub fn refused(&self, number: usize, what: &str) -> StoreError {
        StoreError::Refused(format!(
            "{}:{number}: {what}; {}",
            self.runs.display(),
            repair_hint(&self.dir)
        ))
    }
}
