//! Summaries of a large results folder (issue 13, item 9): `summarize` on 100,000 synthetic run
//! records (10 noise rates × 10 values of ε × 1,000 seeds: 100 cells of 1,000 runs, each paired
//! with the ε = 0 run of its seed), then the CSV table and the figures. Grouping is one pass over typed keys, so
//! the time grows linearly with the runs (a pairing that scanned each cell per run was quadratic
//! in the runs per cell).
//!
//! `cargo bench --bench report`

use criterion::{criterion_group, criterion_main, Criterion};
use labelnoise::engine::record::RunRecord;
use labelnoise::metrics::Metric;
use labelnoise::report::export::{Csv, Exporter};
use labelnoise::report::{figures, summarize};
use labelnoise::scenario::spec::{AxisValue, MethodSpec, SmoothingStyle};
use labelnoise::vocab::axis::Axis;

const RATES: usize = 10;
const EPSILONS: usize = 10;
const SEEDS: usize = 1_000;

/// A real record (quickstart) as the template of every synthetic one.
const TEMPLATE: &str = include_str!("../src/engine/testdata/quickstart_run.json");

/// `RATES × EPSILONS × SEEDS` records with distinct ids, axes and metric values, in a scrambled
/// order (the order runs finish in).
fn records() -> Vec<RunRecord> {
    let mut template: RunRecord = serde_json::from_str(TEMPLATE).expect("a run record");
    template.reliability.clear();
    template.trace.clear();
    let mut out = Vec::with_capacity(RATES * EPSILONS * SEEDS);
    for r in 0..RATES {
        for e in 0..EPSILONS {
            for seed in 0..SEEDS {
                let index = (r * EPSILONS + e) * SEEDS + seed;
                let (rate, epsilon) = (r as f64 / 20.0, e as f64 / 50.0);
                let mut rec = template.clone();
                rec.index = index;
                rec.id = format!("{index:016x}");
                rec.seed = seed as u64;
                rec.axes = vec![
                    (Axis::NOISE_RATE, AxisValue::Float(rate)),
                    (Axis::EPSILON, AxisValue::Float(epsilon)),
                ];
                rec.config.method = MethodSpec::LabelSmoothing {
                    epsilon,
                    style: SmoothingStyle::Uniform,
                };
                let wobble = (index % 97) as f64 / 970.0;
                rec.metrics
                    .insert(Metric::TestAccuracy, 0.9 - rate + wobble);
                rec.metrics
                    .insert(Metric::TestEce, 0.1 + epsilon - wobble / 2.0);
                out.push(rec);
            }
        }
    }
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
