//! Groups run records over seeds: per-cell statistics and paired differences against the
//! hard-label baseline trained on the same noisy labels.

use super::stats::Stat;
use crate::engine::record::RunRecord;
use crate::scenario::spec::{AxisValue, MatrixSource, MethodSpec, SmoothingStyle};
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Values on a list of axes (key path, value).
pub type Axes = Vec<(String, AxisValue)>;

/// One grid setting as a map key: axes with their exact values (floats by their bits, as their
/// shortest round-trip text would tell them apart).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Setting(Vec<(Axis, ValueKey)>);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ValueKey {
    Int(i64),
    Float(u64),
    Text(String),
    Bool(bool),
}

impl Setting {
    fn of<'a>(axes: impl IntoIterator<Item = &'a (Axis, AxisValue)>) -> Setting {
        let key = |v: &AxisValue| match v {
            AxisValue::Int(i) => ValueKey::Int(*i),
            AxisValue::Float(f) => ValueKey::Float(f.to_bits()),
            AxisValue::Text(t) => ValueKey::Text(t.clone()),
            AxisValue::Bool(b) => ValueKey::Bool(*b),
        };
        Setting(axes.into_iter().map(|(a, v)| (a.clone(), key(v))).collect())
    }
}

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
fn pairing_key(r: &RunRecord) -> (Setting, u64) {
    let labels = Setting::of(r.axes.iter().filter(|(a, _)| !a.is_method()));
    (labels, r.seed)
}

/// Canonical text of a list of axis values, equal for a record's typed axes and its cell's key
/// paths (the figures match runs to cells by it).
pub fn axes_key<K: Serialize>(axes: &[(K, AxisValue)]) -> String {
    serde_json::to_string(axes).expect("serializes")
}

/// The metrics present in any record, in table order.
fn present_metrics(recs: &[&RunRecord]) -> Vec<Metric> {
    Metric::ALL
        .into_iter()
        .filter(|&m| recs.iter().any(|r| r.metrics.contains(m)))
        .collect()
}

/// The baseline run of each (non-method setting, seed): `ce` when there is one, else label
/// smoothing with ε = 0.
type Baselines<'r> = HashMap<(Setting, u64), &'r RunRecord>;

fn baselines<'r>(recs: &[&'r RunRecord]) -> Baselines<'r> {
    let mut baseline: Baselines<'r> = HashMap::new();
    for r in recs {
        if r.config.method.is_baseline() {
            let key = pairing_key(r);
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
    baseline
}

/// Summarizes records (any order; the result depends only on their content).
pub fn summarize(scenario: &str, records: &[RunRecord]) -> Summary {
    let mut recs: Vec<&RunRecord> = records.iter().collect();
    recs.sort_by(|a, b| a.index.cmp(&b.index).then(a.id.cmp(&b.id)));
    let axes: Vec<String> = recs
        .first()
        .map(|r| r.axes.iter().map(|(k, _)| k.to_string()).collect())
        .unwrap_or_default();
    let metrics = present_metrics(&recs);
    let baseline = baselines(&recs);

    let mut order: Vec<Setting> = Vec::new();
    let mut groups: HashMap<Setting, Vec<&RunRecord>> = HashMap::new();
    for r in &recs {
        let key = Setting::of(&r.axes);
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(r);
    }
    let cells = order
        .iter()
        .map(|key| cell(&groups[key], &metrics, &baseline))
        .collect();
    Summary {
        scenario: scenario.to_string(),
        axes,
        metrics: metrics.iter().map(|m| m.name().to_string()).collect(),
        cells,
    }
}

/// One cell from its runs (every axis equal, seeds differing), in grid order.
fn cell(group: &[&RunRecord], metrics: &[Metric], baseline: &Baselines<'_>) -> Cell {
    let first = group[0];
    let mut stats = BTreeMap::new();
    let mut paired = BTreeMap::new();
    for &m in metrics {
        let values: Vec<f64> = group.iter().filter_map(|r| r.metrics.get(m)).collect();
        if !values.is_empty() {
            stats.insert(m.name().to_string(), Stat::of(&values));
        }
        let diffs: Vec<f64> = group
            .iter()
            .filter_map(|r| {
                let b = baseline.get(&pairing_key(r))?;
                if b.id == r.id {
                    return None;
                }
                Some(r.metrics.get(m)? - b.metrics.get(m)?)
            })
            .collect();
        if !diffs.is_empty() {
            paired.insert(m.name().to_string(), Stat::of(&diffs));
        }
    }
    // A run can only be the baseline of its own setting and seed.
    let is_baseline = group
        .iter()
        .all(|r| baseline.get(&pairing_key(r)).is_some_and(|b| b.id == r.id));
    let paired_against = group
        .iter()
        .filter_map(|r| baseline.get(&pairing_key(r)))
        .find(|b| !group.iter().any(|r| r.id == b.id))
        .map(|b| method_label(&b.config.method));
    Cell {
        axes: first
            .axes
            .iter()
            .map(|(a, v)| (a.to_string(), v.clone()))
            .collect(),
        method: method_label(&first.config.method),
        is_baseline,
        paired_against,
        n: group.len(),
        not_converged: group.iter().filter(|r| !r.optimizer.converged()).count(),
        flip_rate: group.iter().map(|r| r.noise.rate).sum::<f64>() / group.len() as f64,
        stats,
        paired,
    }
}

/// For every setting of the non-method axes, the cell with the best mean of `metric` (the first in
/// grid order on ties), in grid order.
pub fn best_by<'a>(
    summary: &'a Summary,
    metric: &str,
    higher_is_better: bool,
) -> Vec<(Axes, &'a Cell)> {
    let mut order: Vec<Setting> = Vec::new();
    let mut best: HashMap<Setting, (Axes, &Cell, f64)> = HashMap::new();
    for c in &summary.cells {
        let Some(v) = c.stats.get(metric).map(|s| s.mean).filter(|v| !v.is_nan()) else {
            continue;
        };
        // Cells name their axes by key path (always one an `Axis` wrote).
        let setting: Vec<(Axis, AxisValue)> = c
            .axes
            .iter()
            .filter_map(|(k, v)| Some((Axis::parse(k)?, v.clone())))
            .filter(|(a, _)| !a.is_method())
            .collect();
        let key = Setting::of(&setting);
        let key_axes: Axes = setting
            .into_iter()
            .map(|(a, v)| (a.to_string(), v))
            .collect();
        match best.get(&key) {
            None => {
                order.push(key.clone());
                best.insert(key, (key_axes, c, v));
            }
            Some(&(_, _, bv)) => {
                if (higher_is_better && v > bv) || (!higher_is_better && v < bv) {
                    best.insert(key, (key_axes, c, v));
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
    use super::super::export::short_name;
    use super::*;

    /// The report's column headers and `Metric::label` say the same until the report reads the
    /// labels from `Metric` itself.
    #[test]
    fn table_headers_are_the_metric_labels() {
        for m in Metric::ALL {
            assert_eq!(short_name(m.name()), m.label(), "{m}");
        }
    }

    #[test]
    fn settings_differ_exactly_where_recorded_values_differ() {
        let rate = |v: AxisValue| Setting::of(&[(Axis::parse("noise.rate").unwrap(), v)]);
        assert_eq!(rate(AxisValue::Float(0.1)), rate(AxisValue::Float(0.1)));
        assert_ne!(rate(AxisValue::Float(1.0)), rate(AxisValue::Int(1)));
        assert_ne!(rate(AxisValue::Float(0.0)), rate(AxisValue::Float(-0.0)));
        // The same distinctions as the records' text.
        let text = |v: AxisValue| serde_json::to_string(&v).unwrap();
        assert_ne!(text(AxisValue::Float(1.0)), text(AxisValue::Int(1)));
        assert_ne!(text(AxisValue::Float(0.0)), text(AxisValue::Float(-0.0)));
    }
}
