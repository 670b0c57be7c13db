//! Any text given as a scenario file: `parse` returns a scenario or problems, never panics, and
//! the problems render (positions, underlines) without panicking either.
#![no_main]

use labelnoise::scenario;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match scenario::parse(text, "fuzz.toml", Path::new("/nonexistent-fuzz-dir")) {
        Ok(s) => {
            assert!(s.run_count() >= 1);
            // Expanding is linear in the grid; keep each input fast.
            if s.run_count() <= 10_000 {
                let runs = s.runs();
                assert_eq!(runs.len(), s.run_count());
                let _ = labelnoise::commands::plan_text(&s);
            }
        }
        Err(e) => {
            assert!(!e.problems.is_empty());
            let _ = e.plain();
            let _ = e.render();
        }
    }
});
