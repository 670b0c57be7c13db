//! What `run` and `merge` show on stderr while the engine works: its warnings as they come, and the
//! progress of training (a bar on a terminal, plain lines otherwise).

use crate::engine::record::RunRecord;
use crate::engine::Event;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Shows the engine's events; `quiet` hides progress, never warnings.
pub struct Reporter {
    quiet: bool,
    runs: OnceLock<Runs>,
}

impl Reporter {
    pub fn new(quiet: bool) -> Reporter {
        Reporter {
            quiet,
            runs: OnceLock::new(),
        }
    }

    pub fn show(&self, event: Event<'_>) {
        match event {
            Event::StartingAfresh {
                dir,
                what,
                deleting,
            } => eprintln!(
                "warning: --force: {} held {what}; starting it afresh ({})",
                dir.display(),
                if deleting.is_empty() {
                    "no labelnoise file to delete".to_string()
                } else {
                    format!("deleting {}", deleting.join(", "))
                }
            ),
            Event::ScenarioGrew {
                dir,
                kept,
                from,
                to,
            } => eprintln!(
                "note: {}: the scenario changed from {from} to {to} runs; its {kept} stored run(s) are unchanged by the edit and kept, only new runs are trained",
                dir.display()
            ),
            Event::TornLineDropped { path, bytes } => eprintln!(
                "warning: {}: dropped a torn last line ({bytes} bytes, a run interrupted mid-write); that run will be redone",
                path.display()
            ),
            Event::TornLineIgnored { path } => eprintln!(
                "warning: {}: the last line is torn (a run interrupted mid-write) and was ignored",
                path.display()
            ),
            Event::Started { pending, skipped } => {
                if !self.quiet && skipped > 0 {
                    eprintln!("skipping {skipped} finished run(s) already in the results folder");
                }
                let _ = self.runs.set(Runs::new(pending, self.quiet));
            }
            Event::RunFinished(record) => self.with_runs(|r| r.finished(record)),
            Event::RunFailed { .. } => self.with_runs(Runs::failed),
            Event::Finished => self.with_runs(Runs::done),
        }
    }

    /// Progress events come only between `Started` and `Finished`.
    fn with_runs(&self, f: impl FnOnce(&Runs)) {
        if let Some(r) = self.runs.get() {
            f(r);
        }
    }
}

/// A bar when stderr is a terminal, a plain line every 5 s (and at the end) otherwise: runs done
/// of pending, runs per second, ETA, and the cell of the slowest run so far.
struct Runs {
    bar: Option<ProgressBar>,
    plain: Option<Mutex<(Instant, usize)>>,
    total: usize,
    start: Instant,
    slowest: Mutex<(f64, String)>,
    done: Mutex<usize>,
}

impl Runs {
    fn new(total: usize, quiet: bool) -> Runs {
        let tty = std::io::stderr().is_terminal();
        let bar = (!quiet && tty && total > 0).then(|| {
            let b = ProgressBar::new(total as u64);
            b.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} runs  {msg}")
                    .expect("valid template"),
            );
            b.set_message(rate_text(0, total, Duration::ZERO));
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        if !quiet && !tty && total > 0 {
            eprintln!("[0/{total}] {}", rate_text(0, total, Duration::ZERO));
        }
        Runs {
            bar,
            plain: (!quiet && !tty).then(|| Mutex::new((Instant::now(), 0))),
            total,
            start: Instant::now(),
            slowest: Mutex::new((0.0, String::new())),
            done: Mutex::new(0),
        }
    }

    fn finished(&self, rec: &RunRecord) {
        let mut s = self.slowest.lock().unwrap();
        if rec.timing.total_seconds > s.0 {
            // Axes a method does not have (ε of ce) are empty: left out.
            let cell: Vec<String> = rec
                .axes
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .filter(|kv| !kv.ends_with('='))
                .collect();
            *s = (rec.timing.total_seconds, cell.join(" "));
        }
        let msg = format!("slowest run {:.2}s: {}", s.0, s.1);
        drop(s);
        self.tick(msg);
    }

    fn failed(&self) {
        self.tick("a run failed".into());
    }

    fn tick(&self, msg: String) {
        let mut done = self.done.lock().unwrap();
        *done += 1;
        let rate = rate_text(*done, self.total, self.start.elapsed());
        if let Some(b) = &self.bar {
            b.set_message(format!("{rate}  {msg}"));
            b.inc(1);
        }
        if let Some(p) = &self.plain {
            let mut p = p.lock().unwrap();
            if p.0.elapsed() >= Duration::from_secs(5) || *done == self.total {
                eprintln!("[{}/{}] {rate}  {msg}", *done, self.total);
                *p = (Instant::now(), *done);
            }
        }
    }

    fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Runs per second and time left, both from every run finished since the start (an average over
/// the whole run, so it settles instead of jumping with each run); "estimating" until a run ends.
fn rate_text(done: usize, total: usize, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if done == 0 || seconds <= 0.0 {
        return "ETA estimating (until the first run ends)".into();
    }
    let rate = done as f64 / seconds;
    let left = total.saturating_sub(done) as f64 / rate;
    let per = if rate >= 1.0 {
        format!("{rate:.1} runs/s")
    } else {
        format!("{:.1} s/run", 1.0 / rate)
    };
    format!("{per}  ETA {}", duration_text(left))
}

/// `45s`, `3m20s`, `2h05m`.
fn duration_text(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eta_waits_for_a_finished_run_then_averages_since_the_start() {
        assert!(rate_text(0, 10, Duration::from_secs(7)).contains("estimating"));
        // 4 runs in 8 s: 2 s per run, 6 runs left → 12 s.
        assert_eq!(
            rate_text(4, 10, Duration::from_secs(8)),
            "2.0 s/run  ETA 12s"
        );
        // 300 runs in 60 s: 5 runs/s, 1500 left → 300 s.
        assert_eq!(
            rate_text(300, 1800, Duration::from_secs(60)),
            "5.0 runs/s  ETA 5m00s"
        );
        assert_eq!(duration_text(7530.0), "2h05m");
    }
}
