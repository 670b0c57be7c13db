//! The run record: one self-contained JSON line per finished run.

use crate::metrics::{Metrics, ReliabilityBin};
use crate::scenario::spec::{
    AxisValue, DatasetSpec, DetectionSpec, MethodSpec, ModelSpec, NoiseSpec, SelectionScore,
    ValidationLabels,
};
use crate::train::OptimReport;
use crate::vocab::axis::Axis;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: String,
    /// Position in the expanded grid; tables are ordered by it.
    pub index: usize,
    pub scenario: String,
    pub scenario_hash: String,
    pub version: String,
    /// The build of labelnoise that made the run ([`super::build::id`]); absent in older records.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub build: String,
    pub seed: u64,
    /// Values on the grid's axes (key path, value), seed excluded.
    pub axes: Vec<(Axis, AxisValue)>,
    pub config: RunConfig,
    pub data: DataSummary,
    pub noise: NoiseSummary,
    pub metrics: Metrics,
    /// Non-empty reliability-diagram bins of test top-1 confidence (`ece_bins` equal-width bins),
    /// so `labelnoise report` can draw reliability diagrams from `runs.jsonl` alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reliability: Vec<ReliabilityBin>,
    /// `matrix = "estimated"` only: the T̂ the correction used, T̂[i][j] ≈ P(observed j | true i).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_matrix: Option<Vec<Vec<f64>>>,
    pub optimizer: OptimReport,
    /// With `[selection]`: the held-out validation samples and this fit's score on them (absent
    /// otherwise, so records of scenarios without a selection are unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<ValidationRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<TracePoint>,
    /// Wall-clock figures, kept apart from the results so that results compare byte for byte.
    pub timing: Timing,
}

/// The resolved configuration of the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    pub dataset: DatasetSpec,
    pub noise: NoiseSpec,
    pub model: ModelSpec,
    pub method: MethodSpec,
    /// `[detection]`, when the scenario has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<DetectionSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    pub n_train: usize,
    pub n_test: usize,
    pub features: usize,
    pub classes: usize,
    /// Class index → original label (CSV labels are mapped in sorted order).
    pub class_names: Vec<String>,
}

/// The realized noise. The flipped sample ids are in the sidecar `noise/<noise_id>.json`, shared by
/// every method of the repetition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoiseSummary {
    pub noise_id: String,
    pub flipped: usize,
    pub rate: f64,
    /// The expected flip rate, when it differs from the nominal one (symmetric with include_true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_rate: Option<f64>,
    /// transitions[i][j]: training samples of true class i observed as j.
    pub transitions: Vec<Vec<usize>>,
}

/// One point of a training trace: every `trace_every`-th L-BFGS iteration, or every
/// `trace_every`-th mini-batch epoch (steps from 1; with the default 1, one point per epoch run).
/// Loss and memorization figures are over the whole training split (held-out samples included)
/// with the same definitions as the metrics of the same name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TracePoint {
    /// Iteration (L-BFGS) or epoch (mini-batch), from 1.
    pub step: usize,
    /// L-BFGS: F(θ). Mini-batch: the epoch's running objective (batch objectives weighted |B|/n).
    #[serde(deserialize_with = "crate::vocab::metric::nan_if_null")]
    pub objective: f64,
    /// Mean CE against the observed label on corrupted samples (absent without corrupted samples).
    pub train_loss_corrupted: Option<f64>,
    /// Mean CE against the observed label on clean samples (absent if every label is corrupted).
    pub train_loss_clean: Option<f64>,
    /// Fraction of corrupted samples predicted as their observed (wrong) label.
    pub memorized: Option<f64>,
    #[serde(deserialize_with = "crate::vocab::metric::nan_if_null")]
    pub test_accuracy: f64,
    /// Frobenius norm of the weights, intercept excluded.
    #[serde(deserialize_with = "crate::vocab::metric::nan_if_null")]
    pub weight_norm: f64,
    /// Early stopping only: mean CE of the held-out samples against their noisy labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_loss: Option<f64>,
}

/// A fit's score on the validation samples of its repetition (`[selection]`), with the selection's
/// settings, so `labelnoise report` can redo the choice from `runs.jsonl` alone. The held-out
/// samples are ⌈fraction·n⌉ of the training split, stratified on their observed labels, never
/// trained on (`data.n_train` counts the samples fitted on).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValidationRecord {
    /// Labels the samples were scored against: noisy (observed) or clean (true).
    pub mode: ValidationLabels,
    /// The score the selection optimizes.
    pub metric: SelectionScore,
    pub fraction: f64,
    /// Axes chosen on validation instead of compared.
    pub tune: Vec<Axis>,
    /// Held-out samples.
    pub n: usize,
    /// Fraction of held-out samples predicted as their label of `mode`.
    #[serde(deserialize_with = "crate::vocab::metric::nan_if_null")]
    pub accuracy: f64,
    /// Mean −log p(label of `mode`) over the held-out samples.
    #[serde(deserialize_with = "crate::vocab::metric::nan_if_null")]
    pub nll: f64,
}

impl ValidationRecord {
    /// The score the selection compares.
    pub fn score(&self) -> f64 {
        match self.metric {
            SelectionScore::Accuracy => self.accuracy,
            SelectionScore::Nll => self.nll,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub fit_seconds: f64,
    pub total_seconds: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metric;
    use crate::vocab::axis::Section;

    /// A `runs.jsonl` line written before metrics and axes were typed (quickstart, noise rate 0.4,
    /// ε = 0.1; the timing replaced by round numbers).
    const LINE: &str = include_str!("testdata/quickstart_run.json");

    /// Typed metrics and axes write exactly what the name-keyed map and the key-path strings
    /// wrote, and a record read back writes the same bytes: with serde_json's `float_roundtrip`
    /// every number parses to the f64 that was written (Python's `float()` does the same), so
    /// `report` and `merge` summarize exactly the numbers in `runs.jsonl`.
    #[test]
    fn a_stored_record_round_trips() {
        let line = LINE.trim_end();
        let rec: RunRecord = serde_json::from_str(line).unwrap();
        let again = serde_json::to_string(&rec).unwrap();
        let untyped: serde_json::Value = serde_json::from_str(line).unwrap();
        for (typed, field) in [
            (serde_json::to_string(&rec.metrics).unwrap(), "metrics"),
            (serde_json::to_string(&rec.axes).unwrap(), "axes"),
        ] {
            assert_eq!(typed, untyped[field].to_string(), "{field}");
        }
        assert_eq!(again, line);
        let sections: Vec<Section> = rec.axes.iter().map(|(a, _)| a.section()).collect();
        assert_eq!(sections, [Section::Noise, Section::Method]);
        assert!(Metric::ALL
            .into_iter()
            .filter(|m| m.needs_corruption())
            .all(|m| rec.metrics.contains(m)));
    }
}
