//! Synthetic generators.

use super::RawData;
use crate::rng::Rng;
use ndarray::Array2;
use rand::Rng as _;
use rand_distr::StandardNormal;

/// Gaussian blobs: class means μ_c ~ N(0, separation²·I), labels uniform over classes,
/// x = μ_y + N(0, I). Larger `separation` means easier data.
pub fn blobs(classes: usize, features: usize, separation: f64, n: usize, rng: &mut Rng) -> RawData {
    let mut means = Array2::<f64>::zeros((classes, features));
    means.iter_mut().for_each(|m| *m = separation * rng.sample::<f64, _>(StandardNormal));
    let mut x = Array2::<f64>::zeros((n, features));
    let mut y = Vec::with_capacity(n);
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        // Balanced classes: every class gets n/K samples (±1), in a shuffled order set by the split.
        let c = i % classes;
        y.push(c);
        for (v, m) in row.iter_mut().zip(means.row(c)) {
            *v = m + rng.sample::<f64, _>(StandardNormal);
        }
    }
    RawData {
        x,
        y,
        classes,
        class_names: (0..classes).map(|c| c.to_string()).collect(),
        feature_names: (0..features).map(|j| format!("x{j}")).collect(),
    }
}
