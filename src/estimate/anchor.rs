//! The anchor-point estimator of the transition matrix (Patrini et al. 2017, "Making deep neural
//! networks robust to label noise: a loss correction approach", and their code's
//! `NoiseEstimator.fit`, github.com/giorgiop/loss-correction, `noise.py`).
//!
//! A model fitted on the noisy labels predicts p(observed | x). For a sample x of class i alone
//! (an anchor), p(observed j | x) = T[i][j]: row i of T̂ is the predicted distribution of class
//! i's anchor. The anchor is the sample with the highest p_i, or, with their `filter_outlier`
//! (on in their experiments), the sample with the highest p_i strictly below the 97th percentile
//! of p_i (NumPy's `percentile(…, interpolation='higher')`), which skips overconfident outliers.
//! Each row is then divided by its sum (their `row_normalize`).
//!
//! One difference from their code, on purpose: it zeroes the filtered entries of column i in the
//! probability matrix itself (a NumPy view), so a later class's anchor row may show 0 where the
//! model predicted more. Rows here are always the model's predictions; the cross-check script
//! runs both and says whether they differ on its data.

use super::{first_argmax, numpy_sum};
use ndarray::ArrayView2;

/// T̂ from predicted probabilities (n×K): `percentile` = 100 takes the most confident sample of
/// each class, a value below 100 applies Patrini's outlier filter at that percentile. Ties go to
/// the first sample (NumPy's `argmax`).
pub fn estimate(probs: ArrayView2<'_, f64>, percentile: f64) -> Vec<Vec<f64>> {
    let k = probs.ncols();
    (0..k)
        .map(|i| {
            let column: Vec<f64> = probs.column(i).to_vec();
            let anchor = if percentile >= 100.0 {
                first_argmax(&column)
            } else {
                let cut = percentile_higher(&column, percentile);
                // Entries at or above the cut count as 0, as in their code.
                let kept: Vec<f64> = column
                    .iter()
                    .map(|&v| if v >= cut { 0.0 } else { v })
                    .collect();
                first_argmax(&kept)
            };
            let row = probs.row(anchor).to_vec();
            let total = numpy_sum(&row);
            row.iter().map(|v| v / total).collect()
        })
        .collect()
}

/// NumPy's `percentile(values, q, method='higher')`: the sorted value at ⌈(n − 1)·q⌉ for
/// q = percentile/100 (NumPy 2.4's float operations, so the same sample is picked).
pub fn percentile_higher(values: &[f64], percentile: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let q = percentile / 100.0;
    let at = ((n - 1) as f64 * q).ceil().clamp(0.0, (n - 1) as f64) as usize;
    sorted[at]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Hand-made: class 0's most confident sample is row 1, class 1's is row 3; below the 50th
    /// percentile (sorted p_0 = 0.1, 0.2, 0.6, 0.9; index ⌈3·0.5⌉ = 2, cut 0.6) the anchor of
    /// class 0 is the largest value under 0.6: row 2 (0.2).
    #[test]
    fn anchors_by_hand() {
        let p = array![[0.6, 0.4], [0.9, 0.1], [0.2, 0.8], [0.1, 0.9]];
        assert_eq!(
            estimate(p.view(), 100.0),
            vec![vec![0.9, 0.1], vec![0.1, 0.9]]
        );
        assert_eq!(percentile_higher(&[0.6, 0.9, 0.2, 0.1], 50.0), 0.6);
        let t = estimate(p.view(), 50.0);
        assert_eq!(t[0], vec![0.2, 0.8]);
        // p_1 sorted 0.1, 0.4, 0.8, 0.9: cut 0.8, anchor row 0 (0.4).
        assert_eq!(t[1], vec![0.6, 0.4]);
    }
}
