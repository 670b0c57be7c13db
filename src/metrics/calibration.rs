//! Probabilistic quality of predictions: NLL, Brier, ECE and MCE.
//!
//! ECE/MCE follow Guo et al. 2017 ("On Calibration of Modern Neural Networks"): top-1 confidence is
//! put into B equal-width bins (lo, hi] (a confidence of exactly 0 goes to the first bin), and
//! ECE = Σ_b (n_b/n)·|acc_b − conf_b|, MCE = max over non-empty bins of |acc_b − conf_b|.

use ndarray::ArrayView2;

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

/// Expected and maximum calibration error of top-1 confidence.
pub fn ece_mce(proba: ArrayView2<'_, f64>, labels: &[usize], bins: usize) -> (f64, f64) {
    let mut count = vec![0usize; bins];
    let mut conf = vec![0.0; bins];
    let mut correct = vec![0.0; bins];
    for (row, &y) in proba.rows().into_iter().zip(labels) {
        let (pred, &p) = argmax(row.iter());
        let b = bin_index(p, bins);
        count[b] += 1;
        conf[b] += p;
        correct[b] += f64::from(u8::from(pred == y));
    }
    gaps(&count, &conf, &correct, labels.len())
}

/// Binary: calibration of P(y = 1) against the frequency of class 1 in each bin.
pub fn ece_positive(proba: ArrayView2<'_, f64>, labels: &[usize], bins: usize) -> f64 {
    let mut count = vec![0usize; bins];
    let mut conf = vec![0.0; bins];
    let mut positive = vec![0.0; bins];
    for (row, &y) in proba.rows().into_iter().zip(labels) {
        let b = bin_index(row[1], bins);
        count[b] += 1;
        conf[b] += row[1];
        positive[b] += f64::from(u8::from(y == 1));
    }
    gaps(&count, &conf, &positive, labels.len()).0
}

fn gaps(count: &[usize], conf: &[f64], hits: &[f64], n: usize) -> (f64, f64) {
    let mut ece = 0.0;
    let mut mce = 0.0f64;
    for b in 0..count.len() {
        if count[b] > 0 {
            let nb = count[b] as f64;
            let gap = (hits[b] / nb - conf[b] / nb).abs();
            ece += nb / n.max(1) as f64 * gap;
            mce = mce.max(gap);
        }
    }
    (ece, mce)
}

/// Mean over samples of Σₖ (pₖ − yₖ)² (the multi-class Brier score, range [0, 2]).
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
    fn brier_by_hand() {
        let p = array![[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]];
        // (0.3² + 0.2² + 0.1²) + (0.1² + 0.9² + 0.8²) = 0.14 + 1.46
        assert_abs_diff_eq!(brier(p.view(), &[0, 1]), 0.8, epsilon = 1e-12);
    }
}
