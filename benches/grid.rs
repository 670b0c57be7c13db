//! The reference grid of issue 8: N = 20,000, D = 64, K = 10, symmetric noise {0, 0.2, 0.4} ×
//! ε {0, 0.1, 0.2} × 3 seeds = 27 full-batch L-BFGS fits (l2 = 1e-4, tolerance 1e-6, history 10),
//! on 1 and 2 threads. Data from the crate's own generators; `benches/peers.sh` runs the same grid
//! on the peers' data next to scikit-learn, SciPy and PyTorch.
//!
//! `cargo bench --bench grid`

mod common;

use criterion::{criterion_group, criterion_main, Criterion};

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

criterion_group!(benches, grid);
criterion_main!(benches);
