//! What the engine has to say while it works (warnings, progress), as values: the library never
//! prints; its caller (the command line) decides what to show and where.

use super::record::RunRecord;
use std::path::Path;

/// One thing worth telling whoever watches a run or a merge.
#[derive(Debug)]
pub enum Event<'a> {
    /// `--force` found `dir` holding `what` (other results, or other files) and starts it afresh,
    /// deleting `deleting` (labelnoise's own files there; nothing else is touched).
    StartingAfresh {
        dir: &'a Path,
        what: &'a str,
        deleting: &'a [String],
    },
    /// The scenario of `dir` was edited and its grid grew from `from` to `to` runs; the `kept`
    /// stored runs are still in it and are kept (only the new runs are trained).
    ScenarioGrew {
        dir: &'a Path,
        kept: usize,
        from: usize,
        to: usize,
    },
    /// `path` ended in a torn line (a run killed mid-write) of `bytes` bytes, cut off before
    /// appending; that run will be redone.
    TornLineDropped { path: &'a Path, bytes: u64 },
    /// `merge` ignored the torn last line of `path`.
    TornLineIgnored { path: &'a Path },
    /// Training starts: `pending` runs to train, `skipped` finished ones already in the folder.
    Started { pending: usize, skipped: usize },
    /// A run was trained (and stored, unless writing failed: then [`super::run`] returns the error).
    RunFinished(&'a RunRecord),
    /// A run failed; its error is in [`super::Outcome::failed`].
    RunFailed { id: &'a str },
    /// No run will finish after this.
    Finished,
}

/// Where events go; called from the worker threads, so it must be `Sync`.
pub type OnEvent<'a> = &'a (dyn Fn(Event<'_>) + Sync);

/// Drops every event (for callers that show nothing, such as tests).
pub fn ignore(_: Event<'_>) {}
