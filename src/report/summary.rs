//! Groups run records over seeds: per-cell statistics and paired differences against the
//! hard-label baseline trained on the same noisy labels. One pass over the records, grouping by
//! typed keys: linear in the number of runs.

pub use super::cells::{method_label, Axes, Cell, Setting};
use crate::vocab::axis::Axis;
use crate::vocab::correction::Correction;
use crate::vocab::metric::{Better, Metric};
use serde::Serialize;
use std::collections::HashMap;

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
    /// With `[selection]`: the tuned values chosen on validation labels ([`super::selection`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected: Option<super::selection::Selected>,
    /// How the tables' paired comparisons are corrected (`[report] multiple_comparisons`, from the
    /// folder's manifest).
    #[serde(skip_serializing_if = "Correction::is_none")]
    pub multiple_comparisons: Correction,
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

/// For every setting of the non-method axes, the cells with the best mean of `metric` (the lowest
/// when lower is better, else the highest), in grid order. Ties are kept, never broken: every
/// cell whose mean equals the best exactly is listed, in grid order. With a selection, chosen by
/// validation score instead ([`best_by_validation`](super::selection::best_by_validation)).
pub fn best_by(summary: &Summary, metric: Metric) -> Vec<(Axes, Vec<&Cell>)> {
    if let Some(selected) = &summary.selected {
        return super::selection::best_by_validation(&summary.cells, selected)
            .into_iter()
            .map(|(axes, cell)| (axes, vec![cell]))
            .collect();
    }
    let lower = metric.better() == Better::Lower;
    let mut order: Vec<Setting> = Vec::new();
    let mut best: HashMap<Setting, (Axes, Vec<&Cell>, f64)> = HashMap::new();
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
        match best.get_mut(&key) {
            None => {
                order.push(key.clone());
                best.insert(key, (setting, vec![c], v));
            }
            Some((_, cells, bv)) => {
                if (lower && v < *bv) || (!lower && v > *bv) {
                    (*cells, *bv) = (vec![c], v);
                } else if v == *bv {
                    cells.push(c);
                }
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| best.remove(&k).map(|(axes, cells, _)| (axes, cells)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::record::RunRecord;
    use crate::report::collect::summarize;
    use crate::scenario::spec::AxisValue;

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
