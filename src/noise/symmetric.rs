//! Symmetric (uniform) noise: a flipped label moves to a uniformly chosen *other* class, so the
//! flip rate is exactly the nominal rate. With `include_true` the new label is drawn from all K
//! classes (the convention of some frameworks): a redraw may return the true class, so only
//! rate·(K−1)/K of the samples change in expectation, and the record says so.

use super::counting::choose_flips;
use crate::rng::Rng;
use crate::scenario::spec::CountMode;
use crate::vocab::matrix::TransitionMatrix;
use rand::Rng as _;

/// Noisy labels: `count` chooses which samples are redrawn (exactly round(rate·n) of them, or each
/// with probability `rate`), then each chosen one gets a uniformly random other class (or any class
/// with `include_true`).
pub fn apply(
    truth: &[usize],
    classes: usize,
    rate: f64,
    count: CountMode,
    include_true: bool,
    rng: &mut Rng,
) -> Vec<usize> {
    let mask = choose_flips(truth.len(), rate, count, rng);
    truth
        .iter()
        .zip(mask)
        .map(|(&y, flip)| match (flip, include_true) {
            (false, _) => y,
            (true, true) => rng.gen_range(0..classes),
            (true, false) => {
                // Uniform over the K−1 other classes.
                let r = rng.gen_range(0..classes - 1);
                if r >= y {
                    r + 1
                } else {
                    r
                }
            }
        })
        .collect()
}

/// The rows of [`TransitionMatrix::symmetric`]: T[i][i] = 1 − rate, T[i][j] = rate/(K−1) (with
/// `include_true`: T[i][i] = 1 − rate + rate/K, T[i][j] = rate/K), as a scenario writes them.
pub fn matrix(rate: f64, classes: usize, include_true: bool) -> Vec<Vec<f64>> {
    TransitionMatrix::symmetric(rate, classes, include_true).to_rows()
}

/// The expected fraction of changed labels: rate, or rate·(K−1)/K with `include_true`.
pub fn expected_rate(rate: f64, classes: usize, include_true: bool) -> f64 {
    if include_true {
        rate * (classes as f64 - 1.0) / classes as f64
    } else {
        rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::derive;

    #[test]
    fn exact_symmetric_flips_exactly_round_rate_n_to_other_classes() {
        let truth: Vec<usize> = (0..1000).map(|i| i % 3).collect();
        let mut rng = derive("t", 0, &[]);
        let obs = apply(&truth, 3, 0.2, CountMode::Exact, false, &mut rng);
        let flipped = truth.iter().zip(&obs).filter(|(a, b)| a != b).count();
        assert_eq!(flipped, 200);
        assert!(obs.iter().all(|&c| c < 3));
    }

    #[test]
    fn include_true_changes_about_rate_times_k_minus_1_over_k() {
        // K = 4, rate 0.4 on 40,000 samples: exactly 16,000 redrawn, each changes w.p. 3/4, so
        // 12,000 ± 5·sqrt(16000·3/16) ≈ ±274 change.
        let truth: Vec<usize> = (0..40_000).map(|i| i % 4).collect();
        let obs = apply(
            &truth,
            4,
            0.4,
            CountMode::Exact,
            true,
            &mut derive("t", 1, &[]),
        );
        let changed = truth.iter().zip(&obs).filter(|(a, b)| a != b).count() as f64;
        assert!((changed - 12_000.0).abs() < 274.0, "changed = {changed}");
        assert!((expected_rate(0.4, 4, true) - 0.3).abs() < 1e-15);
    }

    #[test]
    fn matrix_rows_are_stochastic_with_the_stated_entries() {
        let t = matrix(0.3, 4, false);
        let want = [0.1, 0.1, 0.7, 0.1];
        assert!(
            t[2].iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15),
            "{:?}",
            t[2]
        );
        let t = matrix(0.4, 4, true);
        assert!((t[0][0] - 0.7).abs() < 1e-15 && (t[0][3] - 0.1).abs() < 1e-15);
        assert!(t
            .iter()
            .all(|r| (r.iter().sum::<f64>() - 1.0).abs() < 1e-12));
    }
}
