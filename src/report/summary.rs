//! Groups run records over seeds: per-cell statistics and paired differences against the
//! hard-label baseline trained on the same noisy labels. One pass over the records, grouping by
//! typed keys: linear in the number of runs.

use super::per_metric::PerMetric;
use super::stats::Stat;
use super::view::RunView;
use crate::engine::record::RunRecord;
use crate::scenario::spec::{AxisValue, MatrixSource, MethodSpec, SmoothingStyle};
use crate::vocab::axis::Axis;
use crate::vocab::metric::{Better, Metric, Metrics};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// The method itself (not written: `method` names it).
    #[serde(skip)]
    pub spec: MethodSpec,
    /// Classes of the cell's dataset (not written).
    #[serde(skip)]
    pub classes: usize,
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
    }
}

/// Summarizes records (any order; the result depends only on their content).
pub fn summarize(scenario: &str, records: &[RunRecord]) -> Summary {
    let mut collector = Collector::default();
    for r in records {
        collector.add(0, RunView::from(r));
    }
    collector.finish(scenario).summary
}

/// A summary built one record at a time: per run it keeps only what the statistics need (about
/// 200 bytes, where a whole record takes 4 KB), so a folder of a million runs is summarized in a
/// few hundred megabytes. [`Collector::finish`] orders the runs by grid index first, so the result
/// does not depend on the order the records come in.
#[derive(Default)]
pub struct Collector {
    cell_ids: HashMap<Setting, u32>,
    cells: Vec<CellInfo>,
    label_ids: HashMap<(Setting, u64), u32>,
    rows: Vec<Row>,
    builds: BTreeMap<String, usize>,
}

/// What every run of a cell shares.
struct CellInfo {
    axes: Axes,
    method: MethodSpec,
    classes: usize,
}

/// One run, as the statistics use it.
struct Row {
    index: usize,
    id: Box<str>,
    /// Where the record's line starts in `runs.jsonl` (0 for records given in memory).
    offset: u64,
    cell: u32,
    /// The run's (non-method setting, seed): runs sharing it share their noisy labels.
    labels: u32,
    converged: bool,
    flip_rate: f64,
    metrics: Packed,
}

/// Metric values as a presence mask and the present values in metric order: a run's metrics in
/// 8 bytes per value instead of 16 per possible metric.
struct Packed {
    mask: u64,
    values: Box<[f64]>,
}

const _: () = assert!(
    Metric::COUNT <= 64,
    "Packed's mask holds one bit per metric"
);

impl Packed {
    fn of(metrics: &Metrics) -> Packed {
        let mut mask = 0;
        let values = metrics
            .iter()
            .map(|(m, v)| {
                mask |= 1 << m as u64;
                v
            })
            .collect();
        Packed { mask, values }
    }

    fn get(&self, m: Metric) -> Option<f64> {
        let bit = 1u64 << m as u64;
        (self.mask & bit != 0).then(|| self.values[(self.mask & (bit - 1)).count_ones() as usize])
    }
}

/// A finished [`Collector`]: the summary, and where each cell's records are in `runs.jsonl`.
pub struct Collected {
    pub summary: Summary,
    /// Record offsets per cell of `summary.cells` (same order), runs in grid order.
    pub offsets: Vec<Vec<u64>>,
    /// Runs per program build ([`crate::engine::build::id`]).
    pub builds: BTreeMap<String, usize>,
}

impl Collected {
    /// The record offsets of the cells whose settings are in `cells`, in file order.
    pub fn offsets_of(&self, cells: &HashSet<Setting>) -> Vec<u64> {
        let mut out: Vec<u64> = self
            .summary
            .cells
            .iter()
            .zip(&self.offsets)
            .filter(|(c, _)| cells.contains(&Setting::of(&c.axes)))
            .flat_map(|(_, o)| o.iter().copied())
            .collect();
        out.sort_unstable();
        out
    }
}

impl Collector {
    /// Adds one run (its record starting at byte `offset` of `runs.jsonl`).
    pub fn add(&mut self, offset: u64, run: RunView) {
        *self.builds.entry(run.build).or_default() += 1;
        let next = self.cells.len() as u32;
        let cell = *self.cell_ids.entry(Setting::of(&run.axes)).or_insert(next);
        let next_labels = self.label_ids.len() as u32;
        let labels = *self
            .label_ids
            .entry((Setting::labels_of(&run.axes), run.seed))
            .or_insert(next_labels);
        self.rows.push(Row {
            index: run.index,
            id: run.id.into_boxed_str(),
            offset,
            cell,
            labels,
            converged: run.optimizer.termination.converged(),
            flip_rate: run.noise.rate,
            metrics: Packed::of(&run.metrics),
        });
        if cell == next {
            self.cells.push(CellInfo {
                axes: run.axes,
                method: run.config.method,
                classes: run.data.classes,
            });
        }
    }

    /// The summary of the runs added, cells in grid order.
    pub fn finish(mut self, scenario: &str) -> Collected {
        // Unstable is deterministic here: run ids are unique (the folder's line checks refuse a
        // repeat), and it sorts in place where a stable sort would take half the rows again.
        self.rows
            .sort_unstable_by(|a, b| a.index.cmp(&b.index).then(a.id.cmp(&b.id)));
        let g = Grouped::new(&self.rows, &self.cells);
        let metrics = present_metrics(&self.rows);
        let axes: Vec<Axis> = g
            .cells
            .first()
            .map(|c| {
                self.cells[self.rows[c[0]].cell as usize]
                    .axes
                    .iter()
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        let cells = (0..g.cells.len())
            .map(|c| cell(&g, &self.rows, &self.cells, c, &metrics))
            .collect();
        let offsets = g
            .cells
            .iter()
            .map(|rows| rows.iter().map(|&i| self.rows[i].offset).collect())
            .collect();
        Collected {
            summary: Summary {
                scenario: scenario.to_string(),
                axes,
                metrics,
                cells,
                partial: None,
                mixed_builds: None,
            },
            offsets,
            builds: self.builds,
        }
    }
}

/// The metrics present in any run, in table order.
fn present_metrics(rows: &[Row]) -> Vec<Metric> {
    let mask = rows.iter().fold(0u64, |m, r| m | r.metrics.mask);
    Metric::ALL
        .into_iter()
        .filter(|&m| mask & (1 << m as u64) != 0)
        .collect()
}

/// The runs (sorted by grid index) grouped by cell and by noisy labels, in one pass.
struct Grouped {
    /// Row positions of each cell, cells in grid order.
    cells: Vec<Vec<usize>>,
    /// The grid-order cell of each row.
    cell_of: Vec<usize>,
    /// The baseline row of each row's (non-method setting, seed), if any.
    baseline_of: Vec<Option<usize>>,
}

impl Grouped {
    fn new(rows: &[Row], infos: &[CellInfo]) -> Self {
        // Cells are numbered as first met in grid order.
        let mut order: Vec<Option<usize>> = vec![None; infos.len()];
        let mut cells: Vec<Vec<usize>> = Vec::new();
        let mut cell_of = Vec::with_capacity(rows.len());
        let labels = rows
            .iter()
            .map(|r| r.labels as usize + 1)
            .max()
            .unwrap_or(0);
        // The baseline of each noisy-label set: `ce` when there is one, else label smoothing with
        // ε = 0 (the first in grid order).
        let mut baseline: Vec<Option<usize>> = vec![None; labels];
        for (i, r) in rows.iter().enumerate() {
            let c = *order[r.cell as usize].get_or_insert_with(|| {
                cells.push(Vec::new());
                cells.len() - 1
            });
            cells[c].push(i);
            cell_of.push(c);
            let method = &infos[r.cell as usize].method;
            if method.is_baseline() {
                let l = r.labels as usize;
                let better = match baseline[l] {
                    None => true,
                    Some(b) => {
                        !matches!(infos[rows[b].cell as usize].method, MethodSpec::Ce)
                            && matches!(method, MethodSpec::Ce)
                    }
                };
                if better {
                    baseline[l] = Some(i);
                }
            }
        }
        let baseline_of = rows.iter().map(|r| baseline[r.labels as usize]).collect();
        Grouped {
            cells,
            cell_of,
            baseline_of,
        }
    }
}

/// One cell from its runs (every axis equal, seeds differing), in grid order.
fn cell(g: &Grouped, rows: &[Row], infos: &[CellInfo], c: usize, metrics: &[Metric]) -> Cell {
    let group = &g.cells[c];
    let runs = || group.iter().map(|&i| &rows[i]);
    // The baseline of each run, unless the run is its own.
    let partner = |i: usize| g.baseline_of[i].filter(|&b| b != i).map(|b| &rows[b]);
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
            .filter_map(|&i| Some(rows[i].metrics.get(m)? - partner(i)?.metrics.get(m)?))
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
        .map(|b| method_label(&infos[rows[b].cell as usize].method));
    let info = &infos[rows[group[0]].cell as usize];
    Cell {
        axes: info.axes.clone(),
        method: method_label(&info.method),
        spec: info.method.clone(),
        classes: info.classes,
        is_baseline,
        paired_against,
        n: group.len(),
        not_converged: runs().filter(|r| !r.converged).count(),
        flip_rate: runs().map(|r| r.flip_rate).sum::<f64>() / group.len() as f64,
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

    /// Packing keeps exactly the present metrics, with their values, whatever the gaps between them.
    #[test]
    fn packed_metrics_return_what_was_stored_and_nothing_else() {
        let mut m = Metrics::new();
        let picked = [
            Metric::ALL[0],
            Metric::ALL[3],
            Metric::ALL[Metric::COUNT - 1],
        ];
        for (i, &metric) in picked.iter().enumerate() {
            m.insert(metric, i as f64 - 0.5);
        }
        m.insert(Metric::ALL[5], f64::NAN);
        let p = Packed::of(&m);
        for metric in Metric::ALL {
            match (m.get(metric), p.get(metric)) {
                (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{metric:?}"),
                (None, None) => {}
                other => panic!("{metric:?}: {other:?}"),
            }
        }
        assert_eq!(p.values.len(), 4);
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
