//! One objective-and-gradient evaluation at the shapes users have (issue 17), on rayon's pool
//! (`RAYON_NUM_THREADS=1` for one thread), with this machine's floor (benches/common/floor.rs):
//! 20,000 × 64 × 10 (the reference grid), 50,000 × 512 × 100 (a CIFAR-100-style linear probe),
//! 200,000 × 2048 × 10 (3.3 GB of features) and 1,000,000 × 32 × 2. Cost should be linear in N: compare µs per 1,000 rows.
//!
//! `cargo bench --bench shapes` (criterion). On a busy machine `LABELNOISE_PROBE=20` runs 20
//! evaluations per shape without criterion and prints min and median ms, µs per 1,000 rows and the
//! floor. `LABELNOISE_SHAPES=20000x64x10,1000000x32x2` picks shapes (N×D×K).
//!
//! Features are written straight into one row-major array (label i mod K, a class centre plus
//! hashed noise): no generator output is split or copied, so 200,000 × 2048 holds 3.3 GB once.

mod common;

use common::floor::Floor;
use criterion::{criterion_group, Criterion};
use labelnoise::scenario::spec::SmoothingStyle;
use labelnoise::train::loss::RowLoss;
use labelnoise::train::objective::Objective;
use labelnoise::train::targets::SmoothedTarget;
use ndarray::Array2;
use std::hint::black_box;

const SHAPES: [(usize, usize, usize); 4] = [
    (20_000, 64, 10),
    (50_000, 512, 100),
    (200_000, 2048, 10),
    (1_000_000, 32, 2),
];

/// A shape's features and labels, built in place.
struct Problem {
    x: Array2<f64>,
    y: Vec<usize>,
    k: usize,
}

/// splitmix64: a fast, well-mixed hash of the element index.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Problem {
    fn new(n: usize, d: usize, k: usize) -> Problem {
        let y: Vec<usize> = (0..n).map(|i| i % k).collect();
        let mut x = Array2::<f64>::zeros((n, d));
        for (i, mut row) in x.rows_mut().into_iter().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                let centre =
                    ((mix((y[i] * d + j) as u64) >> 11) as f64 / (1u64 << 53) as f64) - 0.5;
                let noise =
                    ((mix((i * d + j) as u64 ^ 0xABCD) >> 11) as f64 / (1u64 << 53) as f64) - 0.5;
                *v = centre + 2.0 * noise;
            }
        }
        Problem { x, y, k }
    }

    fn objective(&self) -> Objective<'_> {
        let loss = RowLoss::Soft(SmoothedTarget::new(0.1, self.k, SmoothingStyle::Uniform));
        Objective::new(self.x.view(), &self.y, self.k, self.k, loss, 1e-4)
    }

    fn theta(&self) -> Vec<f64> {
        (0..(self.x.ncols() + 1) * self.k)
            .map(|i| ((i * 7919 % 13) as f64 - 6.0) / 50.0)
            .collect()
    }
}

fn name((n, d, k): (usize, usize, usize)) -> String {
    format!("{n}x{d}x{k}")
}

/// The shapes to run: `LABELNOISE_SHAPES` (comma-separated N×D×K) or all four.
fn shapes() -> Vec<(usize, usize, usize)> {
    let Ok(list) = std::env::var("LABELNOISE_SHAPES") else {
        return SHAPES.to_vec();
    };
    list.split(',')
        .map(|s| {
            let v: Vec<usize> = s
                .split('x')
                .map(|p| {
                    p.trim()
                        .parse()
                        .expect("LABELNOISE_SHAPES: N×D×K, e.g. 20000x64x10")
                })
                .collect();
            assert_eq!(v.len(), 3, "LABELNOISE_SHAPES: N×D×K, e.g. 20000x64x10");
            (v[0], v[1], v[2])
        })
        .collect()
}

fn evaluation(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluation by shape");
    group.sample_size(10);
    for shape in shapes() {
        let p = Problem::new(shape.0, shape.1, shape.2);
        let mut obj = p.objective();
        let theta = p.theta();
        let mut grad = vec![0.0; theta.len()];
        group.bench_function(name(shape), |b| {
            b.iter(|| black_box(obj.value_grad(black_box(&theta), &mut grad)))
        });
        let floor = Floor::measure(p.x.view());
        println!(
            "{}: floor {:.3} ms (GEMM {:.1} GFLOP/s, reading X {:.1} GB/s)",
            name(shape),
            floor.evaluation_seconds(shape.0, shape.1, shape.2) * 1e3,
            floor.gemm_gflops,
            floor.bandwidth_gbs
        );
    }
    group.finish();
}

/// `evaluations` evaluations per shape with no benchmark harness, against the floor.
fn probe(evaluations: usize) {
    common::print_threads();
    println!(
        "{:>20} {:>10} {:>10} {:>12} {:>10} {:>10} {:>8}",
        "shape", "min ms", "median ms", "µs/1000 rows", "floor ms", "GFLOP/s", "× floor"
    );
    for shape in shapes() {
        let (n, d, k) = shape;
        let p = Problem::new(n, d, k);
        let mut obj = p.objective();
        let theta = p.theta();
        let mut grad = vec![0.0; theta.len()];
        let mut times: Vec<f64> = (0..evaluations.max(1))
            .map(|_| {
                let t = std::time::Instant::now();
                black_box(obj.value_grad(black_box(&theta), &mut grad));
                t.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let (min, median) = (times[0], times[times.len() / 2]);
        let floor = Floor::measure(p.x.view());
        let (gemm, memory) = floor.evaluation(n, d, k);
        println!(
            "{:>20} {:>10.3} {:>10.3} {:>12.1} {:>10.3} {:>10.1} {:>8.2}",
            name(shape),
            min * 1e3,
            median * 1e3,
            min * 1e9 / n as f64,
            gemm.max(memory) * 1e3,
            4.0 * (n * d * k) as f64 / min / 1e9,
            min / gemm.max(memory)
        );
        println!(
            "{:>20} floor: GEMM {:.1} GFLOP/s → {:.3} ms; reading X {:.1} GB/s → {:.3} ms",
            "",
            floor.gemm_gflops,
            gemm * 1e3,
            floor.bandwidth_gbs,
            memory * 1e3
        );
    }
}

criterion_group!(benches, evaluation);

fn main() {
    match common::probe_evaluations() {
        Some(n) => probe(n),
        None => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
