//! A label noise model with every parameter resolved.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use super::dataset::LabelColumn;
use crate::vocab::matrix::TransitionMatrix;

/// Where a `given` noise draw reads its observed labels: a column of the training file, or an
/// array file (with its name inside a `.npz`). Rows align with the training file's rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ObservedSource {
    Column {
        observed_label: LabelColumn,
    },
    Array {
        observed_labels_path: PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        observed_labels_key: Option<String>,
    },
}

/// How many labels a noise model flips.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountMode {
    /// Exactly round(rate·n) flips (per class with largest-remainder rounding for class-conditional
    /// kinds).
    Exact,
    /// Each sample flips independently with its probability.
    Bernoulli,
}

/// A label noise model with every parameter resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoiseSpec {
    None,
    Symmetric {
        rate: f64,
        count: CountMode,
        include_true: bool,
    },
    Pairflip {
        rate: f64,
        count: CountMode,
    },
    /// Binary: `rate_pos` is P(observed 0 | true 1), `rate_neg` is P(observed 1 | true 0).
    Asymmetric {
        rate_pos: f64,
        rate_neg: f64,
        count: CountMode,
    },
    Matrix {
        matrix: Vec<Vec<f64>>,
        count: CountMode,
    },
    Instance {
        rate: f64,
        std: f64,
    },
    Boundary {
        rate: f64,
        count: CountMode,
        floor: f64,
    },
    /// Observed labels read from the data (real annotator noise); training split only.
    Given {
        #[serde(flatten)]
        observed: ObservedSource,
    },
}

impl NoiseSpec {
    /// The nominal flip rate users put on the x axis.
    pub fn nominal_rate(&self) -> f64 {
        match self {
            // Unknown before the labels are read: the realized rate is on record.
            NoiseSpec::None | NoiseSpec::Given { .. } => 0.0,
            NoiseSpec::Symmetric { rate, .. }
            | NoiseSpec::Pairflip { rate, .. }
            | NoiseSpec::Instance { rate, .. }
            | NoiseSpec::Boundary { rate, .. } => *rate,
            NoiseSpec::Asymmetric {
                rate_pos, rate_neg, ..
            } => (rate_pos + rate_neg) / 2.0,
            NoiseSpec::Matrix { matrix, .. } => {
                let k = matrix.len() as f64;
                matrix
                    .iter()
                    .enumerate()
                    .map(|(i, row)| 1.0 - row[i])
                    .sum::<f64>()
                    / k
            }
        }
    }

    /// The expected transition matrix T (T[i][j] = P(observed j | true i)) of a class-conditional
    /// kind with `classes` classes, in closed form for the structured kinds. `None` for kinds whose
    /// noise depends on the features or the data, for `asymmetric` with K ≠ 2, and for a given
    /// matrix that is not a transition matrix (the scenario check refuses it first).
    pub fn expected_matrix(&self, classes: usize) -> Option<TransitionMatrix> {
        let k = classes;
        Some(match self {
            NoiseSpec::None => TransitionMatrix::identity(k),
            NoiseSpec::Symmetric {
                rate, include_true, ..
            } => TransitionMatrix::symmetric(*rate, k, *include_true),
            NoiseSpec::Pairflip { rate, .. } => TransitionMatrix::pairflip(*rate, k),
            NoiseSpec::Asymmetric {
                rate_pos, rate_neg, ..
            } if k == 2 => TransitionMatrix::asymmetric(*rate_pos, *rate_neg),
            NoiseSpec::Matrix { matrix, .. } => return TransitionMatrix::new(matrix).ok(),
            NoiseSpec::Asymmetric { .. }
            | NoiseSpec::Instance { .. }
            | NoiseSpec::Boundary { .. }
            | NoiseSpec::Given { .. } => return None,
        })
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            NoiseSpec::None => "none",
            NoiseSpec::Symmetric { .. } => "symmetric",
            NoiseSpec::Pairflip { .. } => "pairflip",
            NoiseSpec::Asymmetric { .. } => "asymmetric",
            NoiseSpec::Matrix { .. } => "matrix",
            NoiseSpec::Instance { .. } => "instance",
            NoiseSpec::Boundary { .. } => "boundary",
            NoiseSpec::Given { .. } => "given",
        }
    }
}
