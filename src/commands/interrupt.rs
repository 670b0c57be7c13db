//! Ctrl-C and SIGTERM (Slurm's `scancel` and time limit) during `run`: the first signal stops
//! scheduling runs and gives the runs in flight [`GRACE`] to be stored; the process then quits
//! within about 2 s whatever it was doing (a long fit, loading data, writing the report). Nothing
//! stored is lost: records are whole lines, a torn last line is cut on the next run, reports are
//! written atomically. A second signal quits at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long the runs in flight get after the first signal. A run cut off is not stored and is
/// trained again on resume, so waiting longer would buy little and miss Slurm's expectation.
pub const GRACE: Duration = Duration::from_millis(1500);

/// Exit code of an interrupted run (128 + SIGINT, as shells report it).
pub const EXIT_CODE: i32 = 130;

/// What to tell the user when the grace period ends (how to resume), set by the command.
static RESUME_HINT: Mutex<String> = Mutex::new(String::new());

/// Set once the command has finished its own interrupted ending: the watchdog then stays quiet.
static ENDING: AtomicBool = AtomicBool::new(false);

/// The process-wide stop flag (cleared), with the handler installed on first use.
pub fn flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    let flag = FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let _ = ctrlc::set_handler(move || {
            if f.swap(true, Ordering::SeqCst) {
                std::process::exit(EXIT_CODE);
            }
            eprintln!(
                "\ninterrupt: stopping; runs in flight get {:.1} s to be stored (interrupt again to quit at once)",
                GRACE.as_secs_f64()
            );
            std::thread::spawn(|| {
                std::thread::sleep(GRACE);
                if !ENDING.load(Ordering::SeqCst) {
                    let hint = RESUME_HINT.lock().map(|h| h.clone()).unwrap_or_default();
                    eprintln!("{hint}");
                    std::process::exit(EXIT_CODE);
                }
            });
        });
        flag
    });
    flag.store(false, Ordering::SeqCst);
    ENDING.store(false, Ordering::SeqCst);
    flag.clone()
}

/// Sets what the watchdog prints when it ends the process.
pub fn set_resume_hint(hint: String) {
    if let Ok(mut h) = RESUME_HINT.lock() {
        *h = hint;
    }
}

/// Tells the watchdog the command is ending by itself (it has printed its own summary).
pub fn ending() {
    ENDING.store(true, Ordering::SeqCst);
}
