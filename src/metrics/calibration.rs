//! Probabilistic quality of predictions: NLL, Brier, ECE, MCE and the reliability diagram's bins.
//!
//! ECE/MCE follow Guo et al. 2017 ("On Calibration of Modern Neural Networks", §2): top-1 confidence
//! is put into B equal-width bins (lo, hi] (a confidence of exactly 0 goes to the first bin), and
//! ECE = Σ_b (n_b/n)·|acc_b − conf_b|, MCE = max over non-empty bins of |acc_b − conf_b|.
//! The bins themselves are kept per run ([`ReliabilityBin`]) so reliability diagrams can be drawn
//! again from the stored records.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// One non-empty bin of a reliability diagram.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// The bin is (lo, hi] (the first bin also holds 0).
    pub lo: f64,
    pub hi: f64,
    pub count: usize,
    /// Mean predicted probability of the samples in the bin.
    #[serde(deserialize_with = "crate::vocab::metric::nan_if_null")]
    pub confidence: f64,
    /// Fraction of them that are correct (top-1) or positive (binary P(y = 1) bins).
    #[serde(deserialize_with = "crate::vocab::metric::nan_if_null")]
    pub accuracy: f64,
}

/// Index of the bin (lo, hi] holding `v` among `bins` equal-width bins on [0, 1].
pub fn bin_index(v: f64, bins: usize) -> usize {
    let edge = |b: usize| b as f64 / bins as f64;
    let mut b = ((v * bins as f64).ceil() as isize - 1).clamp(0, bins as isize - 1) as usize;
    // Correct float rounding of v·B so that a value exactly on an edge stays in the lower bin.
    while b > 0 && v <= edge(b) {
        b -= 1;
    }
    while b + 1 < bins && v > edge(b + 1) {
        b += 1;
    }
    b
}

/// Bins (confidence, hit) pairs; returns the non-empty bins in ascending order.
fn binned(pairs: impl Iterator<Item = (f64, bool)>, bins: usize) -> Vec<ReliabilityBin> {
    let bins = bins.max(1);
    let mut count = vec![0usize; bins];
    let mut conf = vec![0.0; bins];
    let mut hits = vec![0usize; bins];
    for (p, hit) in pairs {
        let b = bin_index(p, bins);
        count[b] += 1;
        conf[b] += p;
        hits[b] += usize::from(hit);
    }
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| {
            let n = count[b] as f64;
            ReliabilityBin {
                lo: b as f64 / bins as f64,
                hi: (b + 1) as f64 / bins as f64,
                count: count[b],
                confidence: conf[b] / n,
                accuracy: hits[b] as f64 / n,
            }
        })
        .collect()
}

/// Reliability bins of top-1 confidence: per bin, mean confidence and accuracy.
pub fn reliability(
    proba: ArrayView2<'_, f64>,
    labels: &[usize],
    bins: usize,
) -> Vec<ReliabilityBin> {
    let pairs = proba.rows().into_iter().zip(labels).map(|(row, &y)| {
        let (pred, &p) = argmax(row.iter());
        (p, pred == y)
    });
    binned(pairs, bins)
}

/// Expected and maximum calibration error from reliability bins (weights n_b / Σ n_b).
pub fn ece_mce_of(bins: &[ReliabilityBin]) -> (f64, f64) {
    let n: usize = bins.iter().map(|b| b.count).sum();
    let mut ece = 0.0;
    let mut mce = 0.0f64;
    for b in bins {
        let gap = (b.accuracy - b.confidence).abs();
        ece += b.count as f64 / n.max(1) as f64 * gap;
        mce = mce.max(gap);
    }
    (ece, mce)
}

/// Expected and maximum calibration error of top-1 confidence.
pub fn ece_mce(proba: ArrayView2<'_, f64>, labels: &[usize], bins: usize) -> (f64, f64) {
    ece_mce_of(&reliability(proba, labels, bins))
}

/// Binary: calibration of P(y = 1) against the frequency of class 1 in each bin.
pub fn ece_positive(proba: ArrayView2<'_, f64>, labels: &[usize], bins: usize) -> f64 {
    let pairs = proba
        .rows()
        .into_iter()
        .zip(labels)
        .map(|(row, &y)| (row[1], y == 1));
    ece_mce_of(&binned(pairs, bins)).0
}

/// Mean over samples of Σₖ (pₖ − yₖ)² (the multi-class Brier score of Brier 1950, range [0, 2]).
/// For K = 2 this is twice scikit-learn's `brier_score_loss`, which scores P(y = 1) only.
pub fn brier(proba: ArrayView2<'_, f64>, labels: &[usize]) -> f64 {
    let total: f64 = proba
        .rows()
        .into_iter()
        .zip(labels)
        .map(|(row, &y)| {
            row.iter()
                .enumerate()
                .map(|(k, p)| (p - f64::from(u8::from(k == y))).powi(2))
                .sum::<f64>()
        })
        .sum();
    total / labels.len().max(1) as f64
}

/// Index and value of the largest element (first on ties).
pub fn argmax<'a>(values: impl Iterator<Item = &'a f64>) -> (usize, &'a f64) {
    values
        .enumerate()
        .fold(None, |best: Option<(usize, &f64)>, (i, v)| match best {
            Some((_, bv)) if bv >= v => best,
            _ => Some((i, v)),
        })
        .expect("at least one class")
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn ece_by_hand_with_a_confidence_on_a_bin_edge() {
        // 3 bins: (0,1/3], (1/3,2/3], (2/3,1]. Confidence 2/3 sits exactly on an edge: bin 1.
        let p = array![[0.9, 0.1], [2.0 / 3.0, 1.0 / 3.0], [0.6, 0.4], [0.2, 0.8]];
        let y = [0, 1, 0, 1];
        // bin 2: 0.9 (correct), 0.8 (correct): acc 1, conf 0.85 → gap 0.15, weight 1/2.
        // bin 1: 2/3 (wrong), 0.6 (correct): acc 0.5, conf (2/3+0.6)/2 → gap 0.1333…, weight 1/2.
        let (ece, mce) = ece_mce(p.view(), &y, 3);
        let gap1 = ((2.0 / 3.0 + 0.6) / 2.0 - 0.5f64).abs();
        assert_abs_diff_eq!(ece, 0.5 * 0.15 + 0.5 * gap1, epsilon = 1e-12);
        assert_abs_diff_eq!(mce, 0.15f64.max(gap1), epsilon = 1e-12);
        assert_eq!(bin_index(2.0 / 3.0, 3), 1);
        assert_eq!(bin_index(0.4, 15), 5);
        assert_eq!(bin_index(0.0, 15), 0);
        assert_eq!(bin_index(1.0, 15), 14);
    }

    #[test]
    fn mce_is_the_largest_gap_not_the_heaviest_bin() {
        // 2 bins (0, .5], (.5, 1], 3 classes. Bin 1: confidences 0.9, 0.9, 0.9, all correct → gap
        // 0.1, weight 3/4. Bin 0: [0.4, 0.3, 0.3] predicts 0, label 1 → acc 0, conf 0.4 → gap 0.4,
        // weight 1/4.
        let p = array![
            [0.9, 0.05, 0.05],
            [0.05, 0.9, 0.05],
            [0.9, 0.05, 0.05],
            [0.4, 0.3, 0.3]
        ];
        let (ece, mce) = ece_mce(p.view(), &[0, 1, 0, 1], 2);
        assert_abs_diff_eq!(ece, 0.75 * 0.1 + 0.25 * 0.4, epsilon = 1e-12);
        assert_abs_diff_eq!(mce, 0.4, epsilon = 1e-12);
    }

    #[test]
    fn calibrated_bin_has_zero_error() {
        // Four predictions at confidence 0.75, three of them right: accuracy equals confidence.
        let p = array![[0.75, 0.25], [0.75, 0.25], [0.25, 0.75], [0.25, 0.75]];
        let (ece, mce) = ece_mce(p.view(), &[0, 0, 1, 0], 15);
        assert_eq!((ece, mce), (0.0, 0.0));
    }

    #[test]
    fn reliability_bins_by_hand() {
        // 5 bins of width 0.2. Top-1 confidences 0.9 (right), 0.6 (wrong), 0.8 (right; exactly on
        // the edge 4/5, so in bin (0.6, 0.8]), 0.7 (right).
        let p = array![[0.9, 0.1], [0.4, 0.6], [0.8, 0.2], [0.3, 0.7]];
        let bins = reliability(p.view(), &[0, 0, 0, 1], 5);
        assert_eq!(bins.len(), 3);
        assert_eq!((bins[0].lo, bins[0].hi, bins[0].count), (0.4, 0.6, 1));
        assert_eq!((bins[0].confidence, bins[0].accuracy), (0.6, 0.0));
        assert_eq!((bins[1].lo, bins[1].hi, bins[1].count), (0.6, 0.8, 2));
        assert_abs_diff_eq!(bins[1].confidence, 0.75, epsilon = 1e-15);
        assert_eq!(bins[1].accuracy, 1.0);
        assert_eq!(
            (bins[2].lo, bins[2].hi, bins[2].count, bins[2].accuracy),
            (0.8, 1.0, 1, 1.0)
        );
        // ECE from the same bins: (1·0.6 + 2·0.25 + 1·0.1) / 4.
        assert_abs_diff_eq!(
            ece_mce_of(&bins).0,
            (0.6 + 0.5 + 0.1) / 4.0,
            epsilon = 1e-12
        );
    }

    #[test]
    fn positive_class_ece_by_hand() {
        // 5 bins on P(y = 1): 0.7 → (0.6, 0.8], 0.4 → edge → (0.2, 0.4], 0.9 → (0.8, 1],
        // 0.2 → edge → (0, 0.2]. Frequencies of class 1 per bin: 1, 0, 0, 0.
        let p = array![[0.3, 0.7], [0.6, 0.4], [0.1, 0.9], [0.8, 0.2]];
        let e = ece_positive(p.view(), &[1, 0, 0, 0], 5);
        assert_abs_diff_eq!(e, (0.3 + 0.4 + 0.9 + 0.2) / 4.0, epsilon = 1e-12);
    }

    #[test]
    fn binary_brier_is_twice_the_positive_class_score() {
        // Σₖ over both classes: (0.8 − 1)² + (0.2 − 0)² = 0.08 = 2 · (0.2 − 0)² for P(y = 1).
        let p = array![[0.8, 0.2]];
        assert_abs_diff_eq!(brier(p.view(), &[0]), 0.08, epsilon = 1e-15);
    }

    #[test]
    fn brier_by_hand() {
        let p = array![[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]];
        // (0.3² + 0.2² + 0.1²) + (0.1² + 0.9² + 0.8²) = 0.14 + 1.46
        assert_abs_diff_eq!(brier(p.view(), &[0, 1]), 0.8, epsilon = 1e-12);
    }
}
