//! Groups run records over seeds: per-cell statistics and paired differences against the
//! hard-label baseline trained on the same noisy labels.

use super::stats::Stat;
use crate::engine::record::RunRecord;
use crate::metrics::METRICS;
use crate::scenario::spec::{AxisValue, MatrixSource, MethodSpec, SmoothingStyle};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Values on a list of axes (key path, value).
pub type Axes = Vec<(String, AxisValue)>;

/// One cell of the grid (every axis fixed, seeds pooled).
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub axes: Vec<(String, AxisValue)>,
    /// Human-readable method name (`ce`, `ls ε=0.1`, …).
    pub method: String,
    pub is_baseline: bool,
    /// Method label of the baseline the paired differences are taken against (`None` for the
    /// baseline itself or when no baseline shares this cell's noisy labels).
    pub paired_against: Option<String>,
    pub n: usize,
    /// Runs whose optimizer did not converge.
    pub not_converged: usize,
    pub stats: BTreeMap<String, Stat>,
    /// Per-seed difference (this cell − baseline on the same noisy labels), pooled.
    pub paired: BTreeMap<String, Stat>,
    /// Mean realized flip rate over the cell's runs.
    pub flip_rate: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub axes: Vec<String>,
    pub metrics: Vec<String>,
    pub cells: Vec<Cell>,
}

/// Readable name of a method.
pub fn method_label(m: &MethodSpec) -> String {
    match m {
        MethodSpec::Ce => "ce".into(),
        MethodSpec::LabelSmoothing { epsilon, style } => match style {
            SmoothingStyle::Uniform => format!("ls ε={epsilon}"),
            SmoothingStyle::Others => format!("ls-others ε={epsilon}"),
        },
        MethodSpec::ForwardCorrection { matrix } => format!("forward T={}", matrix_label(matrix)),
        MethodSpec::BackwardCorrection { matrix } => format!("backward T={}", matrix_label(matrix)),
        MethodSpec::Bootstrap { beta } => format!("bootstrap β={beta}"),
        MethodSpec::Gce { q } => format!("gce q={q}"),
    }
}

fn matrix_label(m: &MatrixSource) -> &'static str {
    match m {
        MatrixSource::True => "true",
        MatrixSource::Given(_) => "given",
    }
}

/// Key of everything but the method: runs with the same key and seed share their noisy labels.
fn pairing_key(r: &RunRecord) -> Vec<(String, AxisValue)> {
    r.axes
        .iter()
        .filter(|(k, _)| !k.starts_with("method."))
        .cloned()
        .collect()
}

/// Canonical text of a list of axis values (grouping key).
pub fn axes_key(axes: &[(String, AxisValue)]) -> String {
    serde_json::to_string(axes).expect("serializes")
}

/// Summarizes records (any order; the result depends only on their content).
pub fn summarize(scenario: &str, records: &[RunRecord]) -> Summary {
    let mut recs: Vec<&RunRecord> = records.iter().collect();
    recs.sort_by(|a, b| a.index.cmp(&b.index).then(a.id.cmp(&b.id)));
    let axes: Vec<String> = recs
        .first()
        .map(|r| r.axes.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let present: BTreeSet<&str> = recs
        .iter()
        .flat_map(|r| r.metrics.keys().map(String::as_str))
        .collect();
    let mut metrics: Vec<String> = METRICS
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| present.contains(n))
        .map(String::from)
        .collect();
    metrics.extend(
        present
            .iter()
            .filter(|n| !METRICS.iter().any(|(m, _)| m == *n))
            .map(|s| s.to_string()),
    );

    // Baseline per (pairing key, seed): prefer `ce`, else label smoothing with ε = 0.
    let mut baseline: BTreeMap<(String, u64), &RunRecord> = BTreeMap::new();
    for r in &recs {
        if r.config.method.is_baseline() {
            let key = (axes_key(&pairing_key(r)), r.seed);
            let better = match baseline.get(&key) {
                None => true,
                Some(b) => {
                    !matches!(b.config.method, MethodSpec::Ce)
                        && matches!(r.config.method, MethodSpec::Ce)
                }
            };
            if better {
                baseline.insert(key, r);
            }
        }
    }

    let baseline_ids: HashSet<&str> = baseline.values().map(|b| b.id.as_str()).collect();

    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<&RunRecord>> = BTreeMap::new();
    for r in &recs {
        let key = axes_key(&r.axes);
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(r);
    }
    let cells = order
        .iter()
        .map(|key| {
            let group = &groups[key];
            let first = group[0];
            let mut stats = BTreeMap::new();
            let mut paired = BTreeMap::new();
            for m in &metrics {
                let values: Vec<f64> = group
                    .iter()
                    .filter_map(|r| r.metrics.get(m).copied())
                    .collect();
                if !values.is_empty() {
                    stats.insert(m.clone(), Stat::of(&values));
                }
                let diffs: Vec<f64> = group
                    .iter()
                    .filter_map(|r| {
                        let b = baseline.get(&(axes_key(&pairing_key(r)), r.seed))?;
                        if b.id == r.id {
                            return None;
                        }
                        Some(r.metrics.get(m)? - b.metrics.get(m)?)
                    })
                    .collect();
                if !diffs.is_empty() {
                    paired.insert(m.clone(), Stat::of(&diffs));
                }
            }
            let is_baseline = group.iter().all(|r| baseline_ids.contains(r.id.as_str()));
            let paired_against = group
                .iter()
                .filter_map(|r| baseline.get(&(axes_key(&pairing_key(r)), r.seed)))
                .find(|b| !group.iter().any(|r| r.id == b.id))
                .map(|b| method_label(&b.config.method));
            Cell {
                axes: first.axes.clone(),
                method: method_label(&first.config.method),
                is_baseline,
                paired_against,
                n: group.len(),
                not_converged: group.iter().filter(|r| !r.optimizer.converged()).count(),
                flip_rate: group.iter().map(|r| r.noise.rate).sum::<f64>() / group.len() as f64,
                stats,
                paired,
            }
        })
        .collect();
    Summary {
        scenario: scenario.to_string(),
        axes,
        metrics,
        cells,
    }
}

/// For every setting of the non-method axes, the cell with the best mean of `metric` (the first in
/// grid order on ties), in grid order.
pub fn best_by<'a>(
    summary: &'a Summary,
    metric: &str,
    higher_is_better: bool,
) -> Vec<(Axes, &'a Cell)> {
    let mut order: Vec<String> = Vec::new();
    let mut best: BTreeMap<String, (Axes, &Cell)> = BTreeMap::new();
    for c in &summary.cells {
        let key_axes: Vec<(String, AxisValue)> = c
            .axes
            .iter()
            .filter(|(k, _)| !k.starts_with("method."))
            .cloned()
            .collect();
        let key = axes_key(&key_axes);
        let Some(v) = c.stats.get(metric).map(|s| s.mean).filter(|v| !v.is_nan()) else {
            continue;
        };
        match best.get(&key) {
            None => {
                order.push(key.clone());
                best.insert(key, (key_axes, c));
            }
            Some((_, b)) => {
                let bv = b.stats[metric].mean;
                if (higher_is_better && v > bv) || (!higher_is_better && v < bv) {
                    best.insert(key, (key_axes, c));
                }
            }
        }
    }
    order
        .into_iter()
        .map(|k| best.remove(&k).expect("present"))
        .collect()
}
