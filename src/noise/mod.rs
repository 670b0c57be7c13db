//! Label noise: corrupts the training labels (never the test split) and keeps the realized noise on
//! record: which samples flipped, to what, and the realized K×K transition counts.

mod symmetric;

use crate::rng::Rng;
use crate::scenario::spec::{CountMode, NoiseSpec};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The training labels after noise, with the truth kept beside them.
#[derive(Clone, Debug, PartialEq)]
pub struct NoisyLabels {
    /// Labels the model is trained on.
    pub observed: Vec<usize>,
    /// `corrupted[i]` ⇔ `observed[i] != true[i]`.
    pub corrupted: Vec<bool>,
    pub realized: RealizedNoise,
}

/// What the noise model actually did: stored in every run record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RealizedNoise {
    pub flipped: usize,
    pub rate: f64,
    /// `transitions[i][j]`: number of training samples with true class i observed as j.
    pub transitions: Vec<Vec<usize>>,
    /// Indices (into the training split) of the flipped samples, ascending.
    pub flipped_ids: Vec<usize>,
}

#[derive(Debug, Error, PartialEq)]
pub enum NoiseError {
    #[error("noise kind `{0}` is not available in this build")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
}

impl NoisyLabels {
    /// Builds the record from the true and the observed labels.
    pub fn from_labels(truth: &[usize], observed: Vec<usize>, classes: usize) -> Self {
        let mut transitions = vec![vec![0usize; classes]; classes];
        let mut flipped_ids = Vec::new();
        let corrupted: Vec<bool> = truth
            .iter()
            .zip(&observed)
            .enumerate()
            .map(|(i, (&t, &o))| {
                transitions[t][o] += 1;
                if t != o {
                    flipped_ids.push(i);
                }
                t != o
            })
            .collect();
        let flipped = flipped_ids.len();
        NoisyLabels {
            observed,
            corrupted,
            realized: RealizedNoise {
                flipped,
                rate: flipped as f64 / truth.len().max(1) as f64,
                transitions,
                flipped_ids,
            },
        }
    }
}

/// Applies `spec` to the true training labels `truth` (classes 0..K). `x` is the training feature
/// matrix, used by the feature-dependent kinds.
pub fn apply(
    spec: &NoiseSpec,
    truth: &[usize],
    classes: usize,
    x: &Array2<f64>,
    rng: &mut Rng,
) -> Result<NoisyLabels, NoiseError> {
    let _ = x;
    let observed = match spec {
        NoiseSpec::None => truth.to_vec(),
        NoiseSpec::Symmetric {
            rate,
            count,
            include_true,
        } => symmetric::apply(truth, classes, *rate, *count, *include_true, rng),
        other => return Err(NoiseError::Unsupported(other.kind_name().to_string())),
    };
    Ok(NoisyLabels::from_labels(truth, observed, classes))
}

/// Chooses which samples flip: exactly round(rate·n) of them without replacement (`Exact`), or each
/// independently with probability `rate` (`Bernoulli`). Returns a mask.
pub fn choose_flips(n: usize, rate: f64, count: CountMode, rng: &mut Rng) -> Vec<bool> {
    use rand::Rng as _;
    let mut mask = vec![false; n];
    match count {
        CountMode::Exact => {
            let m = ((rate * n as f64).round() as usize).min(n);
            for i in rand::seq::index::sample(rng, n, m) {
                mask[i] = true;
            }
        }
        CountMode::Bernoulli => mask.iter_mut().for_each(|f| *f = rng.gen::<f64>() < rate),
    }
    mask
}

/// The expected transition matrix T (T[i][j] = P(observed j | true i)) of a class-conditional noise
/// model, used by forward/backward correction with `matrix = "true"`. `None` for kinds whose noise
/// depends on the features.
pub fn expected_matrix(spec: &NoiseSpec, classes: usize) -> Option<Vec<Vec<f64>>> {
    let k = classes;
    let mut t = vec![vec![0.0; k]; k];
    match spec {
        NoiseSpec::None => (0..k).for_each(|i| t[i][i] = 1.0),
        NoiseSpec::Symmetric {
            rate, include_true, ..
        } => {
            for (i, row) in t.iter_mut().enumerate() {
                for (j, v) in row.iter_mut().enumerate() {
                    *v = if *include_true {
                        rate / k as f64 + if i == j { 1.0 - rate } else { 0.0 }
                    } else if i == j {
                        1.0 - rate
                    } else {
                        rate / (k - 1) as f64
                    };
                }
            }
        }
        NoiseSpec::Pairflip { rate, .. } => {
            for (i, row) in t.iter_mut().enumerate() {
                row[i] += 1.0 - rate;
                row[(i + 1) % k] += rate;
            }
        }
        NoiseSpec::Asymmetric {
            rate_pos, rate_neg, ..
        } => {
            if k != 2 {
                return None;
            }
            t = vec![vec![1.0 - rate_neg, *rate_neg], vec![*rate_pos, 1.0 - rate_pos]];
        }
        NoiseSpec::Matrix { matrix, .. } => t = matrix.clone(),
        NoiseSpec::Instance { .. } | NoiseSpec::Boundary { .. } => return None,
    }
    Some(t)
}
