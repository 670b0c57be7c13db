//! Groups run records over seeds: per-cell statistics and paired differences against the
//! hard-label baseline trained on the same noisy labels. One pass over the records, grouping by
//! typed keys: linear in the number of runs.

use super::per_metric::PerMetric;
use super::stats::Stat;
use crate::engine::record::RunRecord;
use crate::scenario::spec::{AxisValue, MatrixSource, MethodSpec, SmoothingStyle};
use crate::vocab::axis::Axis;
use crate::vocab::metric::{Better, Metric};
use serde::Serialize;
use std::collections::HashMap;

/// Values on a list of axes.
pub type Axes = Vec<(Axis, AxisValue)>;

/// One grid setting as a map key: axes with their exact values (floats by their bits, as their
/// shortest round-trip text would tell them apart).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Setting(Vec<(Axis, ValueKey)>);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ValueKey {
    Int(i64),
    Float(u64),
    Text(String),
    Bool(bool),
}

impl Setting {
    pub fn of<'a>(axes: impl IntoIterator<Item = &'a (Axis, AxisValue)>) -> Setting {
        let key = |v: &AxisValue| match v {
            AxisValue::Int(i) => ValueKey::Int(*i),
            AxisValue::Float(f) => ValueKey::Float(f.to_bits()),
            AxisValue::Text(t) => ValueKey::Text(t.clone()),
            AxisValue::Bool(b) => ValueKey::Bool(*b),
        };
        Setting(axes.into_iter().map(|(a, v)| (a.clone(), key(v))).collect())
    }

    /// The setting of the axes that are not method settings: runs with the same one (and seed)
    /// share their noisy labels.
    pub fn labels_of<'a>(axes: impl IntoIterator<Item = &'a (Axis, AxisValue)>) -> Setting {
        Setting::of(axes.into_iter().filter(|(a, _)| !a.is_method()))
    }
}

/// One cell of the grid (every axis fixed, seeds pooled).
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub axes: Axes,
    /// Human-readable method name (`ce`, `ls ε=0.1`, …).
    pub method: String,
    pub is_baseline: bool,
    /// Method label of the baseline the paired differences are taken against (`None` for the
    /// baseline itself or when no baseline shares this cell's noisy labels).
    pub paired_against: Option<String>,
    pub n: usize,
    /// Runs whose optimizer did not converge.
    pub not_converged: usize,
    /// Over the runs whose value is finite (see `non_finite`).
    pub stats: PerMetric<Stat>,
    /// Per-seed difference (this cell − baseline on the same noisy labels), pooled over the seeds
    /// where both values are finite.
    pub paired: PerMetric<Stat>,
    /// Mean realized flip rate over the cell's runs.
    pub flip_rate: f64,
    /// Runs whose value of a metric is NaN or infinite (a diverged fit), left out of `stats`; only
    /// metrics with at least one such run are listed (written only when there is one).
    #[serde(skip_serializing_if = "PerMetric::is_empty")]
    pub non_finite: PerMetric<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub axes: Vec<Axis>,
    pub metrics: Vec<Metric>,
    pub cells: Vec<Cell>,
    /// Set when the folder holds fewer runs than it is meant to (an interrupted or running grid,
    /// or a shard): every table says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<Partial>,
    /// "mixed builds: A (n runs), B (m runs)" when runs of several program builds were pooled
    /// (allowed only by `--allow-other-build`): every table says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mixed_builds: Option<String>,
}

/// How many of the folder's runs the summary holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Partial {
    pub runs: usize,
    pub expected: usize,
}

impl Summary {
    /// Metrics with a non-finite value in some run, in table order.
    pub fn non_finite_metrics(&self) -> Vec<Metric> {
        self.metrics
            .iter()
            .copied()
            .filter(|&m| self.cells.iter().any(|c| c.non_finite.contains_key(m)))
            .collect()
    }
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
        MatrixSource::Estimated(e) => e.name(),
    }
}

/// The metrics present in any record, in table order.
fn present_metrics(recs: &[&RunRecord]) -> Vec<Metric> {
    let mut seen = [false; Metric::COUNT];
    for r in recs {
        for (m, _) in r.metrics.iter() {
            seen[m as usize] = true;
        }
    }
    Metric::ALL
        .into_iter()
        .filter(|&m| seen[m as usize])
        .collect()
}

/// The records in grid order, grouped by cell and by noisy labels, in one pass.
struct Grouped<'r> {
    recs: Vec<&'r RunRecord>,
    /// Record positions of each cell, cells in grid order.
    cells: Vec<Vec<usize>>,
    /// The cell of each record.
    cell_of: Vec<usize>,
    /// The baseline record of each record's (non-method setting, seed), if any.
    baseline_of: Vec<Option<usize>>,
}

impl<'r> Grouped<'r> {
    fn new(records: &'r [RunRecord]) -> Self {
        let mut recs: Vec<&RunRecord> = records.iter().collect();
        recs.sort_by(|a, b| a.index.cmp(&b.index).then(a.id.cmp(&b.id)));
        let mut cell_ids: HashMap<Setting, usize> = HashMap::new();
        let mut cells: Vec<Vec<usize>> = Vec::new();
        let mut cell_of = Vec::with_capacity(recs.len());
        let mut label_ids: HashMap<(Setting, u64), usize> = HashMap::new();
        let mut labels_of = Vec::with_capacity(recs.len());
        // The baseline of each noisy-label set: `ce` when there is one, else label smoothing with
        // ε = 0 (the first in grid order).
        let mut baseline: Vec<Option<usize>> = Vec::new();
        for (i, r) in recs.iter().enumerate() {
            let next = cells.len();
            let c = *cell_ids.entry(Setting::of(&r.axes)).or_insert(next);
            if c == next {
                cells.push(Vec::new());
            }
            cells[c].push(i);
            cell_of.push(c);
            let next = baseline.len();
            let l = *label_ids
                .entry((Setting::labels_of(&r.axes), r.seed))
                .or_insert(next);
            if l == next {
                baseline.push(None);
            }
            labels_of.push(l);
            if r.config.method.is_baseline() {
                let better = match baseline[l] {
                    None => true,
                    Some(b) => {
                        !matches!(recs[b].config.method, MethodSpec::Ce)
                            && matches!(r.config.method, MethodSpec::Ce)
                    }
                };
                if better {
                    baseline[l] = Some(i);
                }
            }
        }
        let baseline_of = labels_of.iter().map(|&l| baseline[l]).collect();
        Grouped {
            recs,
            cells,
            cell_of,
            baseline_of,
        }
    }
}

/// Summarizes records (any order; the result depends only on their content).
pub fn summarize(scenario: &str, records: &[RunRecord]) -> Summary {
    let g = Grouped::new(records);
    let axes: Vec<Axis> = g
        .recs
        .first()
        .map(|r| r.axes.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let metrics = present_metrics(&g.recs);
    let cells = (0..g.cells.len()).map(|c| cell(&g, c, &metrics)).collect();
    Summary {
        scenario: scenario.to_string(),
        axes,
        metrics,
        cells,
        partial: None,
        mixed_builds: None,
    }
}

/// One cell from its runs (every axis equal, seeds differing), in grid order.
fn cell(g: &Grouped<'_>, c: usize, metrics: &[Metric]) -> Cell {
    let group = &g.cells[c];
    let runs = || group.iter().map(|&i| g.recs[i]);
    // The baseline of each run, unless the run is its own.
    let partner = |i: usize| g.baseline_of[i].filter(|&b| b != i).map(|b| g.recs[b]);
    let mut stats = PerMetric::new();
    let mut paired = PerMetric::new();
    let mut non_finite = PerMetric::new();
    for &m in metrics {
        let values: Vec<f64> = runs().filter_map(|r| r.metrics.get(m)).collect();
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if !finite.is_empty() {
            stats.insert(m, Stat::of(&finite));
        }
        if finite.len() < values.len() {
            non_finite.insert(m, values.len() - finite.len());
        }
        let diffs: Vec<f64> = group
            .iter()
            .filter_map(|&i| Some(g.recs[i].metrics.get(m)? - partner(i)?.metrics.get(m)?))
            .filter(|d| d.is_finite())
            .collect();
        if !diffs.is_empty() {
            paired.insert(m, Stat::of(&diffs));
        }
    }
    // A run can only be the baseline of its own setting and seed.
    let is_baseline = group.iter().all(|&i| g.baseline_of[i] == Some(i));
    let paired_against = group
        .iter()
        .filter_map(|&i| g.baseline_of[i])
        .find(|&b| g.cell_of[b] != c)
        .map(|b| method_label(&g.recs[b].config.method));
    let first = g.recs[group[0]];
    Cell {
        axes: first.axes.clone(),
        method: method_label(&first.config.method),
        is_baseline,
        paired_against,
        n: group.len(),
        not_converged: runs().filter(|r| !r.optimizer.converged()).count(),
        flip_rate: runs().map(|r| r.noise.rate).sum::<f64>() / group.len() as f64,
        stats,
        paired,
        non_finite,
    }
}

/// For every setting of the non-method axes, the cell with the best mean of `metric` (the lowest
/// when lower is better, else the highest; the first in grid order on ties), in grid order.
pub fn best_by(summary: &Summary, metric: Metric) -> Vec<(Axes, &Cell)> {
    let lower = metric.better() == Better::Lower;
    let mut order: Vec<Setting> = Vec::new();
    let mut best: HashMap<Setting, (Axes, &Cell, f64)> = HashMap::new();
    for c in &summary.cells {
        let Some(v) = c.stats.get(metric).map(|s| s.mean).filter(|v| !v.is_nan()) else {
            continue;
        };
        let setting: Axes = c
            .axes
            .iter()
            .filter(|(a, _)| !a.is_method())
            .cloned()
            .collect();
        let key = Setting::of(&setting);
        match best.get(&key) {
            None => {
                order.push(key.clone());
                best.insert(key, (setting, c, v));
            }
            Some(&(_, _, bv)) => {
                if (lower && v < bv) || (!lower && v > bv) {
                    best.insert(key, (setting, c, v));
                }
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| best.remove(&k).map(|(axes, c, _)| (axes, c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_differ_exactly_where_recorded_values_differ() {
        let rate = |v: AxisValue| Setting::of(&[(Axis::NOISE_RATE, v)]);
        assert_eq!(rate(AxisValue::Float(0.1)), rate(AxisValue::Float(0.1)));
        assert_ne!(rate(AxisValue::Float(1.0)), rate(AxisValue::Int(1)));
        assert_ne!(rate(AxisValue::Float(0.0)), rate(AxisValue::Float(-0.0)));
        // The same distinctions as the records' text.
        let text = |v: AxisValue| serde_json::to_string(&v).unwrap();
        assert_ne!(text(AxisValue::Float(1.0)), text(AxisValue::Int(1)));
        assert_ne!(text(AxisValue::Float(0.0)), text(AxisValue::Float(-0.0)));
    }

    /// Three seeds of one cell whose weight norms are 1, NaN (a diverged fit) and 3.
    #[test]
    fn statistics_skip_non_finite_values_and_count_them() {
        let template: RunRecord =
            serde_json::from_str(include_str!("../engine/testdata/quickstart_run.json")).unwrap();
        let records: Vec<RunRecord> = [1.0, f64::NAN, 3.0]
            .into_iter()
            .enumerate()
            .map(|(i, norm)| {
                let mut r = template.clone();
                (r.seed, r.id) = (i as u64, format!("run{i}"));
                r.metrics.insert(Metric::WeightNorm, norm);
                r
            })
            .collect();
        let s = summarize("nan", &records);
        let [c] = &s.cells[..] else {
            panic!("one cell: {s:?}")
        };
        let norm = c.stats[Metric::WeightNorm];
        assert_eq!((norm.n, norm.mean, norm.std), (2, 2.0, 2f64.sqrt()));
        assert_eq!(c.non_finite.get(Metric::WeightNorm), Some(&1));
        assert_eq!(c.non_finite.iter().count(), 1);
        assert_eq!(c.stats[Metric::TestAccuracy].n, 3);
        assert_eq!(s.non_finite_metrics(), [Metric::WeightNorm]);
    }

    #[test]
    fn the_label_setting_leaves_out_method_axes() {
        let eps = |e: f64| {
            vec![
                (Axis::NOISE_RATE, AxisValue::Float(0.2)),
                (Axis::EPSILON, AxisValue::Float(e)),
            ]
        };
        assert_ne!(Setting::of(&eps(0.0)), Setting::of(&eps(0.1)));
        assert_eq!(Setting::labels_of(&eps(0.0)), Setting::labels_of(&eps(0.1)));
    }
}
