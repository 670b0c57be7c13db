//! Label noise: corrupts the training labels (never the test split) and keeps the realized noise on
//! record: which samples flipped, to what, and the realized K×K transition counts.
//!
//! One file per kind (`symmetric`, `pairflip`, `asymmetric`, `matrix`, `instance`, `boundary`);
//! the counting rules they share (exact counts with largest-remainder rounding, Bernoulli draws,
//! weighted sampling without replacement) are in [`counting`]. Every draw comes from the generator
//! the engine derives from (seed, dataset, noise config), so every method of a repetition sees the
//! same noisy labels.

pub mod asymmetric;
pub mod boundary;
pub mod counting;
pub mod given;
pub mod instance;
pub mod matrix;
pub mod pairflip;
pub mod stream;
pub mod symmetric;

pub use counting::choose_flips;

use crate::data::Dataset;
use crate::rng::Rng;
use crate::scenario::spec::{NoiseSpec, RunSpec};
use crate::vocab::matrix::TransitionMatrix;
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
    /// The expected fraction of changed labels under the noise model for these training labels
    /// (see [`apply`]); equal to the realized rate when built by [`NoisyLabels::from_labels`] alone.
    pub expected_rate: f64,
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

/// A noise setting that cannot be applied to this dataset (found at run time, e.g. a matrix of the
/// wrong size for a CSV file's K); the message says what is wrong and what is allowed.
#[derive(Debug, Error, PartialEq)]
pub enum NoiseError {
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
        let rate = flipped as f64 / truth.len().max(1) as f64;
        NoisyLabels {
            observed,
            corrupted,
            realized: RealizedNoise {
                flipped,
                rate,
                transitions,
                flipped_ids,
            },
            expected_rate: rate,
        }
    }
}

/// The noisy training labels of a run: read from the data for `kind = "given"`, else drawn by
/// [`apply`] from the run's noise stream ([`stream::for_run`]).
pub fn draw(run: &RunSpec, data: &Dataset) -> Result<NoisyLabels, NoiseError> {
    if let NoiseSpec::Given { observed } = &run.noise {
        let labels = crate::data::observed::train_labels(
            &run.dataset,
            observed,
            &run.base_dir,
            run.seed,
            &data.class_names,
        )
        .map_err(|e| NoiseError::Invalid(e.to_string()))?;
        return Ok(given::apply(&data.y_train, labels, data.classes));
    }
    let mut rng = stream::for_run(run, &data.y_train, data.classes);
    apply(
        &run.noise,
        &data.y_train,
        data.classes,
        &data.x_train,
        &mut rng,
    )
}

/// Applies `spec` to the true training labels `truth` (classes 0..K). `x` is the training feature
/// matrix (rows aligned with `truth`), used by the feature-dependent kinds (`instance`, `boundary`).
///
/// The expected rate stored with the result is: `symmetric` rate (rate·(K−1)/K with
/// `include_true`); class-conditional kinds Σᵢ (nᵢ/n)(1 − T[i][i]); `instance` the mean of the
/// truncated normal of the flip rates; `boundary` rate (`exact`) or Σ min(1, pᵢ)/n (`bernoulli`).
pub fn apply(
    spec: &NoiseSpec,
    truth: &[usize],
    classes: usize,
    x: &Array2<f64>,
    rng: &mut Rng,
) -> Result<NoisyLabels, NoiseError> {
    if let Some(&y) = truth.iter().find(|&&y| y >= classes) {
        return Err(NoiseError::Invalid(format!(
            "label {y} is out of range for K = {classes} classes"
        )));
    }
    let (observed, expected_rate) =
        match spec {
            NoiseSpec::None => (truth.to_vec(), 0.0),
            NoiseSpec::Symmetric {
                rate,
                count,
                include_true,
            } => (
                symmetric::apply(truth, classes, *rate, *count, *include_true, rng),
                symmetric::expected_rate(*rate, classes, *include_true),
            ),
            NoiseSpec::Pairflip { rate, count } => (
                pairflip::apply(truth, classes, *rate, *count, rng),
                class_conditional_rate(&TransitionMatrix::pairflip(*rate, classes), truth),
            ),
            NoiseSpec::Asymmetric {
                rate_pos,
                rate_neg,
                count,
            } => (
                asymmetric::apply(truth, classes, *rate_pos, *rate_neg, *count, rng)?,
                class_conditional_rate(&TransitionMatrix::asymmetric(*rate_pos, *rate_neg), truth),
            ),
            NoiseSpec::Matrix {
                matrix: rows,
                count,
            } => {
                let t = matrix::transition(rows, classes)?;
                (
                    matrix::apply(truth, &t, *count, rng),
                    class_conditional_rate(&t, truth),
                )
            }
            NoiseSpec::Instance { rate, std } => (
                instance::apply(truth, classes, x, *rate, *std, rng)?,
                instance::truncated_unit_normal_mean(*rate, *std),
            ),
            NoiseSpec::Boundary { rate, count, floor } => {
                boundary::apply(truth, classes, x, *rate, *count, *floor, rng)?
            }
            NoiseSpec::Given { .. } => return Err(NoiseError::Invalid(
                "noise kind \"given\" reads its labels from the data (noise::draw), it draws none"
                    .into(),
            )),
        };
    let mut noisy = NoisyLabels::from_labels(truth, observed, classes);
    noisy.expected_rate = expected_rate;
    Ok(noisy)
}

/// Σᵢ (nᵢ/n)(1 − T[i][i]): the expected flip rate of class-conditional noise on these labels.
fn class_conditional_rate(t: &TransitionMatrix, truth: &[usize]) -> f64 {
    let n = truth.len().max(1) as f64;
    truth.iter().map(|&y| 1.0 - t.get(y, y)).sum::<f64>() / n
}

/// The expected transition matrix of a class-conditional noise model
/// ([`NoiseSpec::expected_matrix`]), used by forward/backward correction with `matrix = "true"` and
/// shown by `plan`.
pub fn expected_matrix(spec: &NoiseSpec, classes: usize) -> Option<TransitionMatrix> {
    spec.expected_matrix(classes)
}

/// The matrix `matrix = "true"` corrections use: the noise model's expected T
/// ([`expected_matrix`]), or for `kind = "given"` the one realized in the training split
/// ([`given::realized_matrix`]: row-normalized counts, identity row for a class without samples).
pub fn true_matrix(
    spec: &NoiseSpec,
    noisy: &NoisyLabels,
    classes: usize,
) -> Option<TransitionMatrix> {
    match spec {
        NoiseSpec::Given { .. } => Some(given::realized_matrix(&noisy.realized.transitions)),
        _ => expected_matrix(spec, classes),
    }
}
