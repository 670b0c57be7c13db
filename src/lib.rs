//! labelnoise: how much does label smoothing (and its rivals) help when training labels are wrong?
//!
//! The crate follows one data flow, one module per stage:
//! `scenario` (TOML → checked [`scenario::Scenario`] → [`scenario::RunSpec`] grid) →
//! `data` (datasets, splits, standardization) → `noise` (label corruption with the realized noise on
//! record) → `train` (targets, objectives, optimizers) → `metrics` (per-run numbers) →
//! `estimate` (transition-matrix estimators and wrong-label finding, pure functions of predicted
//! probabilities, used by the engine for `matrix = "estimated"` and `[detection]`) →
//! `engine` (runs the grid, stores one JSON record per run) → `report` (summaries, tables, plots).
//! Each stage takes plain values and returns plain values.

pub mod commands;
pub mod data;
pub mod engine;
pub mod estimate;
pub mod metrics;
pub mod noise;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod train;
pub mod vocab;

/// Program version written into every run record; `merge` refuses to mix versions.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
