//! The integration tests, one module per subject, in one test binary: each separate file under
//! `tests/` would be its own crate linking the whole library, and linking dominated the build time.
//! Property-test regressions of `noise` are in `tests/proptest-regressions/noise.txt` (proptest's
//! default place for a test beside a `main.rs`).

mod cli;
mod crosscheck;
mod datasets;
mod diagnostics;
mod figures;
mod fit_exact;
mod given;
mod kernel_choice;
mod markers;
mod memory;
mod methods;
mod never_panic;
mod noise;
mod noisify;
mod nonfinite;
mod notebook;
mod numerics;
mod preflight;
mod readme;
mod reliability;
mod report;
mod scale;
mod selection;
mod store;
mod studies;
mod terminal;

/// The `.toml` files directly in `dir`, sorted by path.
pub(crate) fn toml_files(dir: impl AsRef<std::path::Path>) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}
