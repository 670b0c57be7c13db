//! The synthetic run records of the report benches: a real quickstart record as the template, one
//! per grid index of (noise rate × ε × seed), each with its own id, axes and metric values.

use labelnoise::engine::record::RunRecord;
use labelnoise::metrics::Metric;
use labelnoise::scenario::spec::{AxisValue, MethodSpec, SmoothingStyle};
use labelnoise::vocab::axis::Axis;

pub const RATES: usize = 10;
pub const EPSILONS: usize = 10;

/// A real record (quickstart), its trace removed.
pub fn template() -> RunRecord {
    let mut t: RunRecord = serde_json::from_str(include_str!(
        "../../src/engine/testdata/quickstart_run.json"
    ))
    .expect("a run record");
    t.trace.clear();
    t
}

/// The record of grid position `index` of a `RATES × EPSILONS × seeds` grid, from `template`.
pub fn record(template: &RunRecord, index: usize, seeds: usize) -> RunRecord {
    let (cell, seed) = (index / seeds, index % seeds);
    let (r, e) = (cell / EPSILONS, cell % EPSILONS);
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
    rec
}
