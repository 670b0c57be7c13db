//! The reference grid of issue 8: N = 20,000, D = 64, K = 10, symmetric noise {0, 0.2, 0.4} ×
//! ε {0, 0.1, 0.2} × 3 seeds = 27 full-batch L-BFGS fits (l2 = 1e-4, tolerance 1e-6, history 10),
//! on 1 and 2 threads. Data from the crate's own generators; `benches/peers.sh` runs the same grid
//! on the peers' data next to scikit-learn, SciPy and PyTorch.
//!
//! Also one large fit alone (issue 17: fewer runs than threads): 50,000 × 512, K = 100 (a
//! CIFAR-100-style linear probe), l2 = 1e-4, 5 L-BFGS iterations, on 1 and 2 threads; the second
//! thread can only help through the objective's row chunks.
//!
//! `cargo bench --bench grid`. On a busy machine, `LABELNOISE_PROBE=5 cargo bench --bench grid`
//! runs the large fit 5 times on 1 and on 2 threads, alternating, without criterion, and prints the
//! minimum and median of each and the ratio of the minima.

mod common;

use common::GridRun;
use criterion::{criterion_group, Criterion};
use labelnoise::data::Dataset;
use labelnoise::scenario::spec::ModelSpec;
use labelnoise::train::{fit, FitInput, Progress};
use std::sync::{Arc, Mutex};
use std::time::Instant;

fn grid(c: &mut Criterion) {
    let own = common::OwnGrid::new(common::N, 3);
    let runs = own.runs();
    let model = common::reference_model();
    let mut group = c.benchmark_group("reference grid (27 fits)");
    group.sample_size(10);
    for threads in [1, 2] {
        group.bench_function(format!("{threads} threads"), |b| {
            b.iter(|| common::run_grid(&runs, common::K, &model, threads))
        });
    }
    group.finish();
}

/// The large fit's shape and model.
const LARGE: (usize, usize, usize) = (50_000, 512, 100);

fn large_problem() -> (Dataset, ModelSpec) {
    let (n, d, k) = LARGE;
    let model = ModelSpec {
        max_iter: 5,
        ..common::reference_model()
    };
    (common::blobs(n, d, k, 0), model)
}

fn large_run(data: &Dataset) -> [GridRun<'_>; 1] {
    [GridRun {
        seed: 0,
        rate: 0.0,
        epsilon: 0.1,
        x: data.x_train.view(),
        labels: &data.y_train,
    }]
}

fn large_fit(c: &mut Criterion) {
    let (data, model) = large_problem();
    let run = large_run(&data);
    let mut group = c.benchmark_group("one fit 50000x512x100, 5 iterations");
    group.sample_size(10);
    for threads in [1, 2] {
        group.bench_function(format!("{threads} threads"), |b| {
            b.iter(|| common::run_grid(&run, LARGE.2, &model, threads))
        });
    }
    group.finish();
}

/// The large fit `repeats` times on 1 and 2 threads, alternating. Prints wall seconds (min and
/// median) and each worker's CPU seconds: on a busy machine the wall clock says little, while
/// `balance` = total CPU / busiest worker's CPU is the speedup the split allows on idle cores.
fn probe(repeats: usize) {
    let (data, model) = large_problem();
    let method = common::smoothing(0.1);
    let input = FitInput {
        x: data.x_train.view(),
        labels: &data.y_train,
        classes: LARGE.2,
        model: &model,
        method: &method,
        true_matrix: None,
        train_rng: labelnoise::rng::derive("train", 0, &[]),
    };
    let mut seconds = [Vec::new(), Vec::new()];
    let mut objectives = [0.0; 2];
    for _ in 0..repeats {
        for (slot, threads) in [1, 2].into_iter().enumerate() {
            let (wall, cpu, objective) = timed_fit(&input, threads);
            seconds[slot].push(wall);
            objectives[slot] = objective;
            let total: f64 = cpu.iter().sum();
            let busiest = cpu.iter().copied().fold(0.0, f64::max);
            println!(
                "{threads} thread(s): wall {wall:.3} s, worker CPU {cpu:.2?} s, balance {:.2}",
                total / busiest
            );
        }
    }
    let mut mins = [0.0; 2];
    for (slot, s) in seconds.iter_mut().enumerate() {
        s.sort_by(f64::total_cmp);
        mins[slot] = s[0];
        println!(
            "{} thread(s): min {:.3} s, median {:.3} s, F = {:.17e}",
            slot + 1,
            s[0],
            s[s.len() / 2],
            objectives[slot]
        );
    }
    assert_eq!(
        objectives[0].to_bits(),
        objectives[1].to_bits(),
        "F differs"
    );
    println!(
        "wall-clock speedup of the minima: {:.2}x",
        mins[0] / mins[1]
    );
}

/// One fit on a fresh pool of `threads`: wall seconds, each worker's CPU seconds, the objective.
fn timed_fit(input: &FitInput<'_>, threads: usize) -> (f64, Vec<f64>, f64) {
    let cpu = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&cpu);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .exit_handler(move |_| sink.lock().unwrap().push(thread_cpu_seconds()))
        .build()
        .expect("thread pool");
    let start = Instant::now();
    let out = pool.install(|| fit(input, &mut |_: &Progress<'_>| {}).expect("fit"));
    let wall = start.elapsed().as_secs_f64();
    drop(pool);
    // The workers exit after the pool is dropped, not before `drop` returns.
    while cpu.lock().unwrap().len() < threads {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let cpu = cpu.lock().unwrap().clone();
    (wall, cpu, out.report.objective)
}

/// CPU seconds (user + system) of the calling thread, from /proc/thread-self/stat (Linux; fields
/// 14 and 15, in clock ticks of 1/100 s); 0 where that file is missing.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // After the command name's closing parenthesis the fields start at field 3.
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    fields
        .get(11)
        .zip(fields.get(12))
        .map_or(0.0, |(u, s)| (u + s) / 100.0)
}

criterion_group!(benches, grid, large_fit);

fn main() {
    match std::env::var("LABELNOISE_PROBE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(repeats) => probe(repeats),
        None => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
