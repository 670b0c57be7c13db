//! Builds a [`Summary`] one record at a time: per run only what the statistics need is kept, then
//! runs are ordered by grid index and grouped by cell and by noisy labels in one pass (linear in
//! the number of runs).

use super::cells::{method_label, Axes, Cell, Setting};
use super::per_metric::PerMetric;
use super::stats::Stat;
use super::summary::Summary;
use super::view::RunView;
use crate::engine::record::RunRecord;
use crate::scenario::spec::MethodSpec;
use crate::vocab::axis::Axis;
use crate::vocab::metric::{Metric, Metrics};
use std::collections::{BTreeMap, HashMap, HashSet};

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
    traced: bool,
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
    /// Every record's offset, runs in grid order (index, then id).
    pub order: Vec<u64>,
    /// Some run recorded a training trace.
    pub traced: bool,
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
        self.traced |= run.trace.is_some();
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
                selected: None,
                multiple_comparisons: Default::default(),
            },
            offsets,
            builds: self.builds,
            order: self.rows.iter().map(|r| r.offset).collect(),
            traced: self.traced,
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
            stats.insert(m, Stat::of(&finite).clipped(m.range()));
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
            paired.insert(m, Stat::of(&diffs).clipped(m.difference_range()));
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

/// Summarizes records (any order; the result depends only on their content).
pub fn summarize(scenario: &str, records: &[RunRecord]) -> Summary {
    let mut collector = Collector::default();
    for r in records {
        collector.add(0, RunView::from(r));
    }
    collector.finish(scenario).summary
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
