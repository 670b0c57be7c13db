//! Summaries of a large results folder (issue 13, item 9): `summarize` on 100,000 synthetic run
//! records (10 noise rates × 10 values of ε × 1,000 seeds: 100 cells of 1,000 runs, each paired
//! with the ε = 0 run of its seed), then the CSV table and the figures. Grouping is one pass over typed keys, so
//! the time grows linearly with the runs (a pairing that scanned each cell per run was quadratic
//! in the runs per cell).
//!
//! `cargo bench --bench report`

use criterion::{criterion_group, criterion_main, Criterion};
use labelnoise::engine::record::RunRecord;
use labelnoise::report::export::{Csv, Exporter};
use labelnoise::report::{figures, summarize};
#[path = "common/records.rs"]
mod synthetic_records;
use synthetic_records::{EPSILONS, RATES};

const SEEDS: usize = 1_000;

/// `RATES × EPSILONS × SEEDS` records with distinct ids, axes and metric values, in a scrambled
/// order (the order runs finish in).
fn records() -> Vec<RunRecord> {
    let mut template = synthetic_records::template();
    template.reliability.clear();
    let out: Vec<RunRecord> = (0..RATES * EPSILONS * SEEDS)
        .map(|index| synthetic_records::record(&template, index, SEEDS))
        .collect();
    // A fixed permutation: stride coprime with the count.
    let n = out.len();
    let mut scrambled = Vec::with_capacity(n);
    let mut slots: Vec<Option<RunRecord>> = out.into_iter().map(Some).collect();
    for k in 0..n {
        scrambled.push(slots[(k * 7_919) % n].take().expect("a permutation"));
    }
    scrambled
}

fn report(c: &mut Criterion) {
    let recs = records();
    let mut group = c.benchmark_group("report (100,000 runs)");
    group.sample_size(10);
    group.bench_function("summarize", |b| b.iter(|| summarize("bench", &recs)));
    let summary = summarize("bench", &recs);
    assert_eq!(summary.cells.len(), RATES * EPSILONS);
    group.bench_function("summary.csv", |b| b.iter(|| Csv.serialize(&summary)));
    group.bench_function("figures", |b| b.iter(|| figures::render(&summary, &recs)));
    group.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
