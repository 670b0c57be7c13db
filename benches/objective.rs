//! One objective-and-gradient evaluation and one full fit at the reference size (20,000 × 64,
//! K = 10), on rayon's pool (`RAYON_NUM_THREADS=1` for one thread): every kernel this CPU runs,
//! and the issue-2 evaluation (ndarray's `general_mat_mul`) it replaced; also softmax with K = 2
//! and the logistic model (one output) on 20,000 × 64.
//!
//! `cargo bench --bench objective`. On a busy machine, `LABELNOISE_PROBE=1000` runs 1000
//! evaluations per kernel and shape without criterion and prints the minimum and median time of
//! one, next to the floor measured on this machine ([`Floor`]: the shape's multiply-adds at the
//! rate of a well-blocked GEMM, or reading X once at the streaming bandwidth, whichever is
//! longer). `LABELNOISE_KERNEL=avx2` restricts it to one kernel (`baseline` is the old
//! evaluation), `LABELNOISE_SHAPE=k2` to one shape (`k10`, `k2`, `logistic`), `LABELNOISE_N` sets
//! the rows. Under `valgrind --tool=callgrind` it gives repeatable instruction counts (valgrind has
//! no AVX-512, so there the avx2 kernel runs; `LABELNOISE_FLOOR=off` skips the floor's GEMM there).

mod common;

use common::floor::Floor;

use common::baseline::Baseline;
use criterion::{criterion_group, Criterion};
use labelnoise::scenario::spec::SmoothingStyle;
use labelnoise::train::loss::RowLoss;
use labelnoise::train::objective::{Kernel, Objective};
use labelnoise::train::targets::SmoothedTarget;
use labelnoise::train::{fit, FitInput};
use std::hint::black_box;
use std::time::Instant;

/// An evaluation shape on the blobs data: `classes` K and `outputs` C (K, or 1 for logistic).
#[derive(Clone, Copy)]
struct Shape {
    name: &'static str,
    classes: usize,
    outputs: usize,
}

const SHAPES: [Shape; 3] = [
    Shape {
        name: "k10",
        classes: common::K,
        outputs: common::K,
    },
    Shape {
        name: "k2",
        classes: 2,
        outputs: 2,
    },
    Shape {
        name: "logistic",
        classes: 2,
        outputs: 1,
    },
];

fn theta_for(n_params: usize) -> Vec<f64> {
    (0..n_params)
        .map(|i| ((i * 7919 % 13) as f64 - 6.0) / 50.0)
        .collect()
}

fn loss(classes: usize) -> RowLoss {
    RowLoss::Soft(SmoothedTarget::new(0.1, classes, SmoothingStyle::Uniform))
}

/// (name, evaluation) for the old evaluation and every kernel of this CPU.
type Eval<'a> = Box<dyn FnMut(&[f64], &mut [f64]) -> f64 + 'a>;

fn candidates(data: &labelnoise::data::Dataset, shape: Shape) -> Vec<(String, Eval<'_>)> {
    let (k, c, l2) = (shape.classes, shape.outputs, 1e-4);
    let mut out: Vec<(String, Eval<'_>)> = Vec::new();
    let mut old = Baseline::new(data.x_train.view(), &data.y_train, k, c, loss(k), l2);
    out.push((
        "baseline".into(),
        Box::new(move |t: &[f64], g: &mut [f64]| old.value_grad(t, g)),
    ));
    for kernel in Kernel::available() {
        let mut obj = Objective::new(data.x_train.view(), &data.y_train, k, c, loss(k), l2);
        obj.set_kernel(kernel);
        out.push((
            kernel.name().into(),
            Box::new(move |t: &[f64], g: &mut [f64]| obj.value_grad(t, g)),
        ));
    }
    out
}

fn evaluation(c: &mut Criterion) {
    let data = common::blobs(common::N, common::D, common::K, 0);
    let mut group = c.benchmark_group("evaluation 20000x64x10");
    for (name, mut eval) in candidates(&data, SHAPES[0]) {
        let theta = theta_for((common::D + 1) * common::K);
        let mut grad = vec![0.0; theta.len()];
        group.bench_function(name, |b| {
            b.iter(|| black_box(eval(black_box(&theta), &mut grad)))
        });
    }
    group.finish();
}

fn one_fit(c: &mut Criterion) {
    let data = common::blobs(common::N, common::D, common::K, 0);
    let model = common::reference_model();
    let method = common::smoothing(0.1);
    let mut group = c.benchmark_group("fit");
    group.sample_size(10);
    group.bench_function("fit 20000x64x10 eps=0.1", |b| {
        b.iter(|| {
            let input = FitInput {
                x: data.x_train.view(),
                labels: &data.y_train,
                classes: common::K,
                model: &model,
                method: &method,
                true_matrix: None,
                train_rng: labelnoise::rng::derive("train", 0, &[]),
            };
            black_box(fit(&input, &mut |_: &labelnoise::train::Progress<'_>| {}).expect("fit"))
        })
    });
    group.finish();
}

/// Runs `evaluations` evaluations per candidate and shape with no benchmark harness.
fn probe(evaluations: usize) {
    common::print_threads();
    let n = std::env::var("LABELNOISE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(common::N);
    let only = std::env::var("LABELNOISE_KERNEL").ok();
    let only_shape = std::env::var("LABELNOISE_SHAPE").ok();
    for shape in SHAPES {
        if only_shape.as_ref().is_some_and(|s| s != shape.name) {
            continue;
        }
        let data = common::blobs(n, common::D, shape.classes, 0);
        let floor_ms = if std::env::var("LABELNOISE_FLOOR").is_ok_and(|v| v == "off") {
            println!(
                "{n} x {} K = {} C = {}",
                common::D,
                shape.classes,
                shape.outputs
            );
            f64::NAN
        } else {
            let floor = Floor::measure(data.x_train.view());
            let ms = floor.evaluation_seconds(n, common::D, shape.outputs) * 1e3;
            println!(
                "{n} x {} K = {} C = {}: floor {ms:.3} ms (GEMM {:.1} GFLOP/s, reading X {:.1} GB/s)",
                common::D,
                shape.classes,
                shape.outputs,
                floor.gemm_gflops,
                floor.bandwidth_gbs,
            );
            ms
        };
        for (name, mut eval) in candidates(&data, shape) {
            if only.as_ref().is_some_and(|o| *o != name) {
                continue;
            }
            let theta = theta_for((common::D + 1) * shape.outputs);
            let mut grad = vec![0.0; theta.len()];
            let mut f = 0.0;
            let mut times = Vec::with_capacity(evaluations);
            for _ in 0..evaluations {
                let start = Instant::now();
                f = eval(black_box(&theta), &mut grad);
                times.push(start.elapsed().as_secs_f64() * 1e3);
            }
            times.sort_by(f64::total_cmp);
            let pick = |q: f64| {
                times
                    .get((q * times.len() as f64) as usize)
                    .copied()
                    .unwrap_or(f64::NAN)
            };
            let ratio = if floor_ms.is_nan() {
                String::new()
            } else {
                format!(" ({:.2}× the floor)", pick(0.0) / floor_ms)
            };
            println!(
                "{name:>8}: F = {f:.17e}, ms per evaluation: min {:.3}{ratio}, median {:.3}; µs per 1000 rows: min {:.1}",
                pick(0.0),
                pick(0.5),
                pick(0.0) * 1e6 / n as f64,
            );
        }
    }
}

criterion_group!(benches, evaluation, one_fit);

fn main() {
    if let Some(n) = std::env::var("LABELNOISE_PROBE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        probe(n);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
