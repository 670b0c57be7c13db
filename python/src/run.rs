//! `labelnoise.run` and `labelnoise.load`'s report step: the command line's `run` and `report`
//! ([`labelnoise::commands::library`]) with the GIL released while training, progress on Python's
//! `sys.stderr`, warnings as Python warnings, and Ctrl-C stopping the run the way the command
//! line's first Ctrl-C does (no new run starts, the runs in flight are stored, the folder resumes).

use crate::errors::error;
use labelnoise::commands::library::{self, Ran, Request, Source};
use labelnoise::engine::{Event, Shard};
use pyo3::exceptions::{PyKeyboardInterrupt, PyUserWarning};
use pyo3::prelude::*;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the waiting thread takes the GIL to look for Ctrl-C and show progress.
const POLL: Duration = Duration::from_millis(100);
/// How often the progress line is rewritten.
const REFRESH: Duration = Duration::from_millis(500);

/// What the engine's events said, gathered on its threads, shown by the waiting one.
#[derive(Default)]
struct Watch {
    pending: AtomicUsize,
    done: AtomicUsize,
    failed: AtomicUsize,
    started: AtomicBool,
    notes: Mutex<Vec<String>>,
}

impl Watch {
    fn see(&self, event: Event<'_>) {
        let note = match event {
            Event::Started { pending, .. } => {
                self.pending.store(pending, Ordering::SeqCst);
                self.started.store(true, Ordering::SeqCst);
                return;
            }
            Event::RunFinished(_) => {
                self.done.fetch_add(1, Ordering::SeqCst);
                return;
            }
            Event::RunFailed { .. } => {
                self.failed.fetch_add(1, Ordering::SeqCst);
                return;
            }
            Event::Finished => return,
            Event::StartingAfresh { dir, what, .. } => {
                format!("{} held {what}; starting it afresh", dir.display())
            }
            Event::ScenarioGrew { dir, kept, from, to } => format!(
                "{}: the scenario changed from {from} to {to} runs; its {kept} stored run(s) are kept, only new runs are trained",
                dir.display()
            ),
            Event::TornLineDropped { path, bytes } => format!(
                "{}: dropped a torn last line ({bytes} bytes, a run interrupted mid-write); that run will be redone",
                path.display()
            ),
            Event::TornLineIgnored { path } => {
                format!("{}: the last line is torn and was ignored", path.display())
            }
        };
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(note);
        }
    }

    /// Issues the notes gathered so far as Python warnings.
    fn warn(&self, py: Python<'_>) -> PyResult<()> {
        let notes = std::mem::take(&mut *self.notes.lock().expect("not poisoned"));
        notes.iter().try_for_each(|n| warn(py, n))
    }
}

fn warn(py: Python<'_>, message: &str) -> PyResult<()> {
    let text = CString::new(message.replace('\0', " ")).expect("no NUL left");
    PyErr::warn(py, &py.get_type::<PyUserWarning>(), &text, 1)
}

/// Progress on `sys.stderr`: a tqdm bar when tqdm is installed, else a line rewritten in place
/// (runs done, runs per second, time left).
struct Progress {
    show: bool,
    since: Instant,
    last: Option<Instant>,
    /// The tqdm bar, made when training starts (the number of runs is known then).
    bar: Option<Py<PyAny>>,
    /// Runs the bar has been told of.
    counted: usize,
    /// Whether to look for tqdm (not looked for again once missing).
    try_tqdm: bool,
}

impl Progress {
    fn line(&self, watch: &Watch) -> String {
        let done = watch.done.load(Ordering::SeqCst) + watch.failed.load(Ordering::SeqCst);
        let pending = watch.pending.load(Ordering::SeqCst);
        let secs = self.since.elapsed().as_secs_f64();
        let pace = if done == 0 {
            "ETA estimating".to_string()
        } else {
            let rate = done as f64 / secs;
            format!(
                "{rate:.1} runs/s, ETA {:.0} s",
                (pending - done.min(pending)) as f64 / rate
            )
        };
        format!("\rlabelnoise: {done}/{pending} runs, {pace}")
    }

    fn update(&mut self, py: Python<'_>, watch: &Watch, end: bool) -> PyResult<()> {
        let due = self.last.is_none_or(|t| t.elapsed() >= REFRESH);
        if !self.show || !watch.started.load(Ordering::SeqCst) || !(due || end) {
            return Ok(());
        }
        self.last = Some(Instant::now());
        if self.bar.is_none() && self.try_tqdm {
            self.bar = tqdm_bar(py, watch.pending.load(Ordering::SeqCst));
            self.try_tqdm = self.bar.is_some();
        }
        if let Some(bar) = &self.bar {
            let done = watch.done.load(Ordering::SeqCst) + watch.failed.load(Ordering::SeqCst);
            let bar = bar.bind(py);
            if done > self.counted {
                bar.call_method1("update", (done - self.counted,))?;
                self.counted = done;
            }
            if end {
                bar.call_method0("close")?;
            }
            return Ok(());
        }
        let text = self.line(watch) + if end { "\n" } else { "" };
        let stderr = py.import("sys")?.getattr("stderr")?;
        stderr.call_method1("write", (text,))?;
        stderr.call_method0("flush")?;
        Ok(())
    }
}

/// A tqdm bar of `total` runs (`tqdm.auto`: a widget in notebooks), or `None` without tqdm.
fn tqdm_bar(py: Python<'_>, total: usize) -> Option<Py<PyAny>> {
    let tqdm = py.import("tqdm.auto").ok()?.getattr("tqdm").ok()?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("total", total).ok()?;
    kwargs.set_item("unit", "run").ok()?;
    kwargs.set_item("desc", "labelnoise").ok()?;
    tqdm.call((), Some(&kwargs)).ok().map(Bound::unbind)
}

/// Runs a scenario (a file, or TOML text whose relative paths resolve against the working
/// folder) and returns the results folder. Ctrl-C: no new run starts, the runs in flight are
/// stored, then `KeyboardInterrupt` (a second Ctrl-C stops waiting for the runs in flight).
/// `shard`, `force`, `allow_other_build` and `metrics` are the command line's `--shard`,
/// `--force`, `--allow-other-build` and `--metrics`. Returns the folder and the table the command
/// line prints.
#[pyfunction]
#[pyo3(signature = (source, is_text, out=None, threads=None, progress=true, shard=None, force=false, allow_other_build=false, metrics=None))]
#[allow(clippy::too_many_arguments)] // one per keyword of labelnoise.run
pub fn run(
    py: Python<'_>,
    source: String,
    is_text: bool,
    out: Option<PathBuf>,
    threads: Option<usize>,
    progress: bool,
    shard: Option<String>,
    force: bool,
    allow_other_build: bool,
    metrics: Option<Vec<String>>,
) -> PyResult<(String, Option<String>)> {
    let shard = shard
        .map(|s| s.parse::<Shard>())
        .transpose()
        .map_err(error)?;
    let base_dir = std::env::current_dir()?;
    let stop = Arc::new(AtomicBool::new(false));
    let watch = Arc::new(Watch::default());
    let (tx, rx) = mpsc::channel();
    let rx = Mutex::new(rx); // the wait below runs without the GIL, so it must be Sync
    {
        let (stop, watch) = (stop.clone(), watch.clone());
        // A thread of its own, so this (the main) thread can take the GIL to see Ctrl-C.
        std::thread::Builder::new()
            .name("labelnoise-run".into())
            .spawn(move || {
                let source = if is_text {
                    Source::Text {
                        text: &source,
                        base_dir: &base_dir,
                    }
                } else {
                    Source::File(Path::new(&source))
                };
                let on_event = |e: Event<'_>| watch.see(e);
                let _ = tx.send(library::run(Request {
                    source,
                    out,
                    threads,
                    shard,
                    force,
                    allow_other_build,
                    metrics,
                    stop,
                    on_event: &on_event,
                }));
            })?;
    }
    let mut shown = Progress {
        show: progress,
        since: Instant::now(),
        last: None,
        bar: None,
        counted: 0,
        try_tqdm: true,
    };
    let mut interrupt: Option<PyErr> = None;
    let result = loop {
        match py.detach(|| rx.lock().expect("one waiter").recv_timeout(POLL)) {
            Ok(result) => break result,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(error(
                    "the run ended without a result (labelnoise panicked)",
                ))
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        watch.warn(py)?;
        if let Err(e) = py.check_signals() {
            if interrupt.is_some() {
                return Err(e);
            }
            stop.store(true, Ordering::SeqCst);
            interrupt = Some(e);
        }
        shown.update(py, &watch, false)?;
    };
    shown.update(py, &watch, true)?;
    watch.warn(py)?;
    let ran = result.map_err(error)?;
    ran.warnings.iter().try_for_each(|w| warn(py, w))?;
    if let Some(e) = interrupt {
        return Err(interrupted(py, e, &ran));
    }
    if !ran.outcome.failed.is_empty() {
        let lines: Vec<String> = ran
            .outcome
            .failed
            .iter()
            .map(|(id, e)| format!("run {id} failed: {e}"))
            .collect();
        return Err(error(format!(
            "{}\n{} of {} run(s) failed; the others are in {}",
            lines.join("\n"),
            lines.len(),
            ran.outcome.total,
            ran.out.display()
        )));
    }
    Ok((ran.out.display().to_string(), ran.table))
}

/// The exception to raise after an interrupted run stopped: `KeyboardInterrupt` saying what is
/// stored and how to resume; another exception raised by a signal handler, as it is.
fn interrupted(py: Python<'_>, raised: PyErr, ran: &Ran) -> PyErr {
    if !raised.is_instance_of::<PyKeyboardInterrupt>(py) {
        return raised;
    }
    let o = &ran.outcome;
    PyKeyboardInterrupt::new_err(format!(
        "interrupted: {} of {} runs are stored in {}; resume with labelnoise.run(the same scenario, out={:?})",
        o.ran + o.skipped,
        o.total,
        ran.out.display(),
        ran.out.display().to_string()
    ))
}

/// `labelnoise report DIR`: rebuilds the report files of a results folder (no training); returns
/// the warnings.
#[pyfunction]
pub fn report(py: Python<'_>, folder: PathBuf) -> PyResult<Vec<String>> {
    py.detach(|| library::report(&folder)).map_err(error)
}

/// Names the extension module's file as the code whose hash is the build id of the records.
#[pyfunction]
pub fn set_code_file(path: PathBuf) {
    labelnoise::engine::build::set_code_file(path);
}
