//! A fitted linear model: weights, intercept and predictions.

use super::loss::log_softmax;
use crate::scenario::spec::ModelKind;
use ndarray::{s, Array1, Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows whose logits one task computes (2,048 × K, small next to the rows' features).
pub const LOGIT_BLOCK_ROWS: usize = 2048;

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

    /// Full K-class logits (n×K); a logistic model's are (0, z). More than [`LOGIT_BLOCK_ROWS`]
    /// rows are cut into blocks of that many, each a task on rayon's pool: every row's logits are
    /// the bits of the whole product (rows are independent), on any number of threads.
    pub fn logits(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let n = x.nrows();
        if n <= LOGIT_BLOCK_ROWS {
            return self.block_logits(x);
        }
        let mut out = Array2::zeros((n, self.classes));
        let rows = out.as_slice_mut().expect("a new array is contiguous");
        rows.par_chunks_mut(LOGIT_BLOCK_ROWS * self.classes)
            .enumerate()
            .for_each(|(b, into)| {
                let start = b * LOGIT_BLOCK_ROWS;
                let end = (start + LOGIT_BLOCK_ROWS).min(n);
                let z = self.block_logits(x.slice(s![start..end, ..]));
                into.copy_from_slice(z.as_slice().expect("a new array is contiguous"));
            });
        out
    }

    fn block_logits(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    /// 4.5 blocks of rows: the same bits on one and on two threads, and as one product X·W + b.
    #[test]
    fn blocked_logits_are_the_whole_product_on_any_thread_count() {
        let (n, d) = (4 * LOGIT_BLOCK_ROWS + LOGIT_BLOCK_ROWS / 2, 7);
        let mut rng = crate::rng::derive("logits", 0, &[]);
        let x = Array2::from_shape_fn((n, d), |_| rng.gen_range(-2.0..2.0));
        for (kind, k) in [(ModelKind::Softmax, 5), (ModelKind::Logistic, 2)] {
            let c = outputs(kind, k);
            let theta: Vec<f64> = (0..(d + 1) * c).map(|_| rng.gen_range(-1.0..1.0)).collect();
            let model = FittedModel::from_theta(kind, k, d, &theta);
            let on = |threads| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| model.logits(x.view()))
            };
            let (one, two) = (on(1), on(2));
            let whole = model.block_logits(x.view());
            let bits = |a: &Array2<f64>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&one), bits(&two), "{kind:?}");
            assert_eq!(bits(&one), bits(&whole), "{kind:?}");
        }
    }
}
