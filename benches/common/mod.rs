//! Shared by the benches: the reference problem (N × D features, K classes) built by the crate's
//! own blobs generator, so the benches need no files.

#![allow(dead_code)]

pub mod baseline;

use labelnoise::data::Dataset;
use labelnoise::scenario::spec::{DataSource, DatasetSpec, MethodSpec, ModelKind, ModelSpec};
use labelnoise::scenario::spec::{OptimizerSpec, SmoothingStyle};

/// The reference grid's problem size (issue 8): 20,000 × 64, 10 classes.
pub const N: usize = 20_000;
pub const D: usize = 64;
pub const K: usize = 10;

/// Standardized blobs with `n` train rows (the test split is kept small: benches only fit).
pub fn blobs(n: usize, d: usize, k: usize, seed: u64) -> Dataset {
    let spec = DatasetSpec {
        source: DataSource::Blobs {
            classes: k,
            features: d,
            separation: 0.3,
        },
        train: Some(n),
        test: Some(k.max(10)),
        test_fraction: 0.25,
        standardize: true,
    };
    labelnoise::data::build(&spec, std::path::Path::new("."), seed).expect("blobs build")
}

/// Softmax, L-BFGS with history 10, the reference grid's l2 and tolerance.
pub fn reference_model() -> ModelSpec {
    ModelSpec {
        kind: ModelKind::Softmax,
        l2: 1e-4,
        max_iter: 200,
        tolerance: 1e-6,
        optimizer: OptimizerSpec::Lbfgs { history: 10 },
        trace: false,
        trace_every: 1,
        early_stopping: false,
        validation_fraction: 0.1,
        patience: 10,
    }
}

pub fn smoothing(epsilon: f64) -> MethodSpec {
    MethodSpec::LabelSmoothing {
        epsilon,
        style: SmoothingStyle::Uniform,
    }
}
