//! The summary's vocabulary: a grid setting as a map key, one cell's statistics, method labels.

use super::per_metric::PerMetric;
use super::stats::Stat;
use crate::scenario::spec::{AxisValue, MatrixSource, MethodSpec, SmoothingStyle};
use crate::vocab::axis::Axis;
use serde::Serialize;

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
