//! Shared by the benches: the reference problem (N × D features, K classes) built by the crate's
//! own blobs generator, so the benches need no files.

#![allow(dead_code)]

pub mod baseline;
pub mod floor;

use labelnoise::data::Dataset;
use labelnoise::scenario::spec::{DataSource, DatasetSpec, MethodSpec, ModelKind, ModelSpec};
use labelnoise::scenario::spec::{OptimizerSpec, SmoothingStyle};

/// `LABELNOISE_PROBE=<evaluations>`: a bench's quick mode, timed without criterion.
pub fn probe_evaluations() -> Option<usize> {
    std::env::var("LABELNOISE_PROBE")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// Says how many threads an evaluation may use: an evaluation of 8,192 rows or more splits its
/// rows over rayon's pool (every core, or `RAYON_NUM_THREADS`), so one-thread figures need
/// `RAYON_NUM_THREADS=1`.
pub fn print_threads() {
    println!(
        "threads: {} (RAYON_NUM_THREADS=1 for one; evaluations of >= 8,192 rows use all of them)",
        rayon::current_num_threads()
    );
}

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
        noise_stream: Default::default(),
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

/// One fit of the reference grid: features of a repetition, its noisy labels, the smoothing ε.
pub struct GridRun<'a> {
    pub seed: u64,
    pub rate: f64,
    pub epsilon: f64,
    pub x: ndarray::ArrayView2<'a, f64>,
    pub labels: &'a [usize],
}

/// What one fit did.
#[derive(Clone, Debug)]
pub struct FitRow {
    pub seed: u64,
    pub rate: f64,
    pub epsilon: f64,
    pub seconds: f64,
    pub evaluations: usize,
    pub iterations: usize,
    pub objective: f64,
    pub grad_max: f64,
    pub converged: bool,
}

/// Fits every run on a pool of `threads` threads (one fit per task, single-threaded inside, as the
/// engine does). Returns the rows in run order and the wall time of the whole grid.
pub fn run_grid(
    runs: &[GridRun<'_>],
    classes: usize,
    model: &ModelSpec,
    threads: usize,
) -> (Vec<FitRow>, f64) {
    use rayon::prelude::*;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let start = std::time::Instant::now();
    let rows = pool.install(|| {
        runs.par_iter()
            .map(|run| {
                let method = smoothing(run.epsilon);
                let input = labelnoise::train::FitInput {
                    x: run.x.view(),
                    labels: run.labels,
                    classes,
                    model,
                    method: &method,
                    true_matrix: None,
                    train_rng: labelnoise::rng::derive("train", 0, &[]),
                };
                let t = std::time::Instant::now();
                let out =
                    labelnoise::train::fit(&input, &mut |_: &labelnoise::train::Progress<'_>| {})
                        .expect("fit");
                FitRow {
                    seed: run.seed,
                    rate: run.rate,
                    epsilon: run.epsilon,
                    seconds: t.elapsed().as_secs_f64(),
                    evaluations: out.report.evaluations,
                    iterations: out.report.iterations,
                    objective: out.report.objective,
                    grad_max: out.report.grad_max,
                    converged: out.report.converged(),
                }
            })
            .collect()
    });
    (rows, start.elapsed().as_secs_f64())
}

/// The reference grid's noise rates and smoothing rates.
pub const RATES: [f64; 3] = [0.0, 0.2, 0.4];
pub const EPSILONS: [f64; 3] = [0.0, 0.1, 0.2];

/// Blobs of each seed and their symmetric noise (exactly round(rate·n) flips), from the crate's own
/// generators: the reference grid without any file.
pub struct OwnGrid {
    pub data: Vec<Dataset>,
    /// labels[seed][rate index]
    pub labels: Vec<Vec<Vec<usize>>>,
}

impl OwnGrid {
    pub fn new(n: usize, seeds: u64) -> OwnGrid {
        use labelnoise::scenario::spec::{CountMode, NoiseSpec};
        let data: Vec<Dataset> = (0..seeds).map(|s| blobs(n, D, K, s)).collect();
        let labels = data
            .iter()
            .enumerate()
            .map(|(s, ds)| {
                RATES
                    .iter()
                    .map(|&rate| {
                        let spec = NoiseSpec::Symmetric {
                            rate,
                            count: CountMode::Exact,
                            include_true: false,
                        };
                        let mut rng =
                            labelnoise::rng::derive("noise", s as u64, &[&rate.to_string()]);
                        labelnoise::noise::apply(&spec, &ds.y_train, K, &ds.x_train, &mut rng)
                            .expect("noise")
                            .observed
                    })
                    .collect()
            })
            .collect();
        OwnGrid { data, labels }
    }

    pub fn runs(&self) -> Vec<GridRun<'_>> {
        let mut runs = Vec::new();
        for (s, ds) in self.data.iter().enumerate() {
            for (r, &rate) in RATES.iter().enumerate() {
                for &epsilon in &EPSILONS {
                    runs.push(GridRun {
                        seed: s as u64,
                        rate,
                        epsilon,
                        x: ds.x_train.view(),
                        labels: &self.labels[s][r],
                    });
                }
            }
        }
        runs
    }
}
