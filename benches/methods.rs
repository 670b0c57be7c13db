//! Per-evaluation cost of every method and of the logistic model at the reference size
//! (20,000 × 64, K = 10; binary labels of the same X for K = 2), on rayon's pool
//! (`RAYON_NUM_THREADS=1` for one thread), against label smoothing's: issue 17 asks each within
//! 1.3× of it.
//!
//! `LABELNOISE_PROBE=300 cargo bench --bench methods` prints the minimum and median time of one
//! evaluation per (kernel, method); `LABELNOISE_KERNEL=avx2` and `LABELNOISE_METHOD=fc` restrict
//! it. Under `valgrind --tool=callgrind` (which runs the avx2 kernel) it gives repeatable
//! instruction counts; `LABELNOISE_PROBE=1` keeps that run short.

mod common;

use labelnoise::scenario::spec::SmoothingStyle;
use labelnoise::train::loss::RowLoss;
use labelnoise::train::objective::{Kernel, Objective};
use labelnoise::train::targets::SmoothedTarget;
use labelnoise::vocab::matrix::TransitionMatrix;
use std::hint::black_box;

/// (name, classes K, outputs C, loss): C = 1 is the logistic model.
fn methods() -> Vec<(&'static str, usize, usize, RowLoss)> {
    let k = common::K;
    let t = TransitionMatrix::symmetric(0.3, k, false);
    let ls = |k| RowLoss::Soft(SmoothedTarget::new(0.1, k, SmoothingStyle::Uniform));
    vec![
        ("ls", k, k, ls(k)),
        (
            "ce",
            k,
            k,
            RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 }),
        ),
        ("fc", k, k, RowLoss::forward_correction(&t)),
        (
            "bc",
            k,
            k,
            RowLoss::backward_correction(&t).expect("invertible"),
        ),
        ("bootstrap", k, k, RowLoss::Bootstrap { beta: 0.8 }),
        ("gce", k, k, RowLoss::Gce { q: 0.7 }),
        ("softmax2", 2, 2, ls(2)),
        ("logistic", 2, 1, ls(2)),
        ("logistic-gce", 2, 1, RowLoss::Gce { q: 0.7 }),
    ]
}

fn main() {
    let evaluations: usize = std::env::var("LABELNOISE_PROBE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    common::print_threads();
    let only_kernel = std::env::var("LABELNOISE_KERNEL").ok();
    let only_method = std::env::var("LABELNOISE_METHOD").ok();
    let data = common::blobs(common::N, common::D, common::K, 0);
    let binary: Vec<usize> = data.y_train.iter().map(|y| y % 2).collect();
    for kernel in Kernel::available() {
        if only_kernel.as_ref().is_some_and(|o| o != kernel.name()) {
            continue;
        }
        for (name, k, c, loss) in methods() {
            if only_method.as_ref().is_some_and(|o| o != name) {
                continue;
            }
            let labels = if k == 2 { &binary } else { &data.y_train };
            let mut obj = Objective::new(data.x_train.view(), labels, k, c, loss, 1e-4);
            obj.set_kernel(kernel);
            let theta: Vec<f64> = (0..obj.n_params())
                .map(|i| ((i * 7919 % 13) as f64 - 6.0) / 50.0)
                .collect();
            let mut grad = vec![0.0; theta.len()];
            let mut f = 0.0;
            let mut times = Vec::with_capacity(evaluations);
            for _ in 0..evaluations {
                let start = std::time::Instant::now();
                f = obj.value_grad(black_box(&theta), &mut grad);
                times.push(start.elapsed().as_secs_f64() * 1e3);
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{:>8} {name:>12}: F = {f:.17e}, ms per evaluation: min {:.3}, median {:.3}",
                kernel.name(),
                times[0],
                times[times.len() / 2],
            );
        }
    }
}
