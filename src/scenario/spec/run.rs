//! One training run of the grid: the resolved specs of every section, its seed and its id.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use super::axis_value::AxisValue;
use super::dataset::DatasetSpec;
use super::detection::DetectionSpec;
use super::method::MethodSpec;
use super::model::ModelSpec;
use super::noise::NoiseSpec;

/// One training run of the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// Stable id: a digest of the resolved configuration and the seed.
    pub id: String,
    /// Position in the expanded grid (for display order only).
    pub index: usize,
    /// Repetition seed.
    pub seed: u64,
    pub dataset: DatasetSpec,
    pub noise: NoiseSpec,
    pub model: ModelSpec,
    pub method: MethodSpec,
    /// The run's value on every axis of the grid (key path → value), seed excluded.
    pub axes: Vec<(crate::vocab::axis::Axis, AxisValue)>,
    /// `[detection]`, when the scenario has one (part of the run id only then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<DetectionSpec>,
    /// Folder that relative paths in the scenario are resolved against.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

impl RunSpec {
    /// Canonical JSON of the dataset spec: the key of the data stream and of the dataset cache.
    pub fn dataset_key(&self) -> String {
        serde_json::to_string(&self.dataset).expect("spec serializes")
    }
    pub fn noise_key(&self) -> String {
        serde_json::to_string(&self.noise).expect("spec serializes")
    }
}
