//! The run record: one self-contained JSON line per finished run.

use crate::metrics::{Metrics, ReliabilityBin};
use crate::scenario::spec::{AxisValue, DatasetSpec, MethodSpec, ModelSpec, NoiseSpec};
use crate::train::OptimReport;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: String,
    /// Position in the expanded grid; tables are ordered by it.
    pub index: usize,
    pub scenario: String,
    pub scenario_hash: String,
    pub version: String,
    pub seed: u64,
    /// Values on the grid's axes (key path, value), seed excluded.
    pub axes: Vec<(String, AxisValue)>,
    pub config: RunConfig,
    pub data: DataSummary,
    pub noise: NoiseSummary,
    pub metrics: Metrics,
    /// Non-empty reliability-diagram bins of test top-1 confidence (`ece_bins` equal-width bins),
    /// so `labelnoise report` can draw reliability diagrams from `runs.jsonl` alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reliability: Vec<ReliabilityBin>,
    pub optimizer: OptimReport,
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
    pub objective: f64,
    /// Mean CE against the observed label on corrupted samples (absent without corrupted samples).
    pub train_loss_corrupted: Option<f64>,
    /// Mean CE against the observed label on clean samples (absent if every label is corrupted).
    pub train_loss_clean: Option<f64>,
    /// Fraction of corrupted samples predicted as their observed (wrong) label.
    pub memorized: Option<f64>,
    pub test_accuracy: f64,
    /// Frobenius norm of the weights, intercept excluded.
    pub weight_norm: f64,
    /// Early stopping only: mean CE of the held-out samples against their noisy labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_loss: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub fit_seconds: f64,
    pub total_seconds: f64,
}
