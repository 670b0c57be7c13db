//! A fitted linear model: weights, intercept and predictions.

use super::loss::log_softmax;
use crate::scenario::spec::ModelKind;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FittedModel {
    pub kind: ModelKind,
    pub classes: usize,
    /// D×C weights (C = K for softmax, 1 for logistic).
    pub weights: Array2<f64>,
    /// C intercepts.
    pub bias: Array1<f64>,
}

impl FittedModel {
    /// Rebuilds the model from the flat parameter vector (W row-major, then b).
    pub fn from_theta(kind: ModelKind, classes: usize, features: usize, theta: &[f64]) -> Self {
        let c = outputs(kind, classes);
        FittedModel {
            kind,
            classes,
            weights: Array2::from_shape_vec((features, c), theta[..features * c].to_vec())
                .expect("θ layout"),
            bias: Array1::from_vec(theta[features * c..].to_vec()),
        }
    }

    /// Full K-class logits (n×K); a logistic model's are (0, z).
    pub fn logits(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let z = x.dot(&self.weights) + &self.bias;
        match self.kind {
            ModelKind::Softmax => z,
            ModelKind::Logistic => {
                let mut full = Array2::zeros((x.nrows(), 2));
                full.column_mut(1).assign(&z.column(0));
                full
            }
        }
    }

    /// Class probabilities (n×K).
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        log_proba(&self.logits(x)).mapv(f64::exp)
    }

    /// Frobenius norm of the weights, intercept excluded.
    pub fn weight_norm(&self) -> f64 {
        self.weights.iter().map(|w| w * w).sum::<f64>().sqrt()
    }
}

/// Row-wise log-softmax of a logit matrix.
pub fn log_proba(logits: &Array2<f64>) -> Array2<f64> {
    let k = logits.ncols();
    let mut out = Array2::zeros(logits.raw_dim());
    let mut p = vec![0.0; k];
    let mut lp = vec![0.0; k];
    for (row, mut o) in logits.rows().into_iter().zip(out.rows_mut()) {
        let z: Vec<f64> = row.to_vec();
        log_softmax(&z, &mut lp, &mut p);
        o.iter_mut().zip(&lp).for_each(|(a, b)| *a = *b);
    }
    out
}

/// Number of model outputs C.
pub fn outputs(kind: ModelKind, classes: usize) -> usize {
    match kind {
        ModelKind::Softmax => classes,
        ModelKind::Logistic => 1,
    }
}
