//! Boundary-concentrated noise: samples that a reference model finds ambiguous are flipped more
//! often, any K.
//!
//! * Reference model: multinomial logistic regression fitted on the *clean* training labels with
//!   linfa-logistic's `MultiLogisticRegression`, so it is independent of the model under test.
//!   Its quirks, fixed here: the objective is a *sum* over samples (not a mean) plus (α/2)‖W‖² with
//!   the intercept unpenalized; α = 1 (its default) is therefore a mild l2 = 1/n per sample that
//!   keeps the fit finite on separable data; L-BFGS (argmin) to a gradient tolerance of 1e-4 on the
//!   summed objective, at most 200 iterations (the best parameters so far are kept).
//! * Weight of sample i: w_i = H_i + `floor`, H_i = −Σⱼ pᵢⱼ ln pᵢⱼ the predictive entropy (nats) of
//!   the reference model. Σw = 0 (floor 0 and a saturated model) falls back to equal weights.
//! * `count = "exact"`: exactly round(rate·n) flips, drawn without replacement with probability ∝ w
//!   (Efraimidis–Spirakis keys). `bernoulli`: sample i flips independently with probability
//!   min(1, rate·n·wᵢ/Σw); the clipping at 1 lowers the expected rate below `rate` when a few
//!   weights dominate, and the expected rate Σ min(1, ·)/n is recorded.
//! * Flip target: the reference model's most probable *wrong* class, argmax_{j≠y} pᵢⱼ. A sample near
//!   the boundary between y and j is mislabelled j, as an annotator confusing the two would do; a
//!   uniformly random target would put most flips into classes the sample is nowhere near, which is
//!   location-dependent symmetric noise rather than boundary noise.

use super::counting::{exact_count, weighted_without_replacement};
use super::NoiseError;
use crate::rng::Rng;
use crate::scenario::spec::CountMode;
use linfa::traits::Fit;
use linfa::DatasetBase;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2, ArrayView1};
use rand::Rng as _;

/// Observed labels and the expected flip rate.
pub fn apply(
    truth: &[usize],
    classes: usize,
    x: &Array2<f64>,
    rate: f64,
    count: CountMode,
    floor: f64,
    rng: &mut Rng,
) -> Result<(Vec<usize>, f64), NoiseError> {
    let n = truth.len();
    if n == 0 {
        return Ok((Vec::new(), rate));
    }
    let probs = reference_probabilities(x, truth, classes)?;
    let mut weights: Vec<f64> = probs
        .rows()
        .into_iter()
        .map(|p| entropy(p) + floor)
        .collect();
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        weights.iter_mut().for_each(|w| *w = 1.0);
    }
    let total: f64 = weights.iter().sum();
    let (mask, expected) = match count {
        CountMode::Exact => (
            weighted_without_replacement(&weights, exact_count(rate, n), rng),
            rate,
        ),
        CountMode::Bernoulli => {
            let p: Vec<f64> = weights
                .iter()
                .map(|w| (rate * n as f64 * w / total).min(1.0))
                .collect();
            let mask = p.iter().map(|&pi| rng.gen::<f64>() < pi).collect();
            (mask, p.iter().sum::<f64>() / n as f64)
        }
    };
    let observed = truth
        .iter()
        .zip(mask)
        .enumerate()
        .map(|(i, (&y, flip))| {
            if flip {
                most_probable_other(probs.row(i), y)
            } else {
                y
            }
        })
        .collect();
    Ok((observed, expected))
}

/// P(class j | xᵢ) of the reference model fitted on the clean labels (n×K; classes absent from the
/// training split get probability 0).
pub fn reference_probabilities(
    x: &Array2<f64>,
    truth: &[usize],
    classes: usize,
) -> Result<Array2<f64>, NoiseError> {
    if x.nrows() != truth.len() {
        return Err(NoiseError::Invalid(format!(
            "boundary noise needs one feature row per label: {} rows, {} labels",
            x.nrows(),
            truth.len()
        )));
    }
    let mut probs = Array2::zeros((truth.len(), classes));
    let present: Vec<usize> = {
        let mut c = truth.to_vec();
        c.sort_unstable();
        c.dedup();
        c
    };
    if present.len() < 2 {
        // One class only: the model is certain everywhere.
        if let Some(&c) = present.first() {
            probs.column_mut(c).fill(1.0);
        }
        return Ok(probs);
    }
    let data = DatasetBase::new(x.view(), Array1::from(truth.to_vec()));
    let fitted = MultiLogisticRegression::<f64>::default()
        .alpha(1.0)
        .max_iterations(200)
        .fit(&data)
        .map_err(|e| {
            NoiseError::Invalid(format!(
                "boundary noise: fitting the reference model failed: {e}"
            ))
        })?;
    let p = fitted.predict_probabilities(&x.view());
    for (col, &c) in fitted.classes().iter().enumerate() {
        probs.column_mut(c).assign(&p.column(col));
    }
    Ok(probs)
}

/// Predictive entropy −Σⱼ pⱼ ln pⱼ in nats (0·ln 0 = 0).
pub fn entropy(p: ArrayView1<'_, f64>) -> f64 {
    -p.iter()
        .filter(|&&v| v > 0.0)
        .map(|&v| v * v.ln())
        .sum::<f64>()
}

/// argmax_{j≠y} pⱼ, the lowest such j on ties.
pub fn most_probable_other(p: ArrayView1<'_, f64>, y: usize) -> usize {
    let mut best = if y == 0 { 1 } else { 0 };
    for (j, &v) in p.iter().enumerate() {
        if j != y && v > p[best] {
            best = j;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::derive;
    use ndarray::array;

    #[test]
    fn entropy_and_target_match_hand_values() {
        let p = array![0.5, 0.25, 0.25];
        assert!((entropy(p.view()) - 1.5 * 2f64.ln()).abs() < 1e-15);
        assert_eq!(entropy(array![1.0, 0.0].view()), 0.0);
        assert_eq!(most_probable_other(array![0.2, 0.5, 0.3].view(), 1), 2);
        assert_eq!(most_probable_other(array![0.2, 0.5, 0.3].view(), 0), 1);
        assert_eq!(most_probable_other(array![0.9, 0.05, 0.05].view(), 0), 1);
    }

    /// 1-D, two classes: x < 0 is class 0, x > 0 class 1, so the boundary is at 0.
    fn line(n: usize) -> (Array2<f64>, Vec<usize>) {
        let xs: Vec<f64> = (0..n)
            .map(|i| -3.0 + 6.0 * (i as f64 + 0.5) / n as f64)
            .collect();
        let y = xs.iter().map(|&v| usize::from(v > 0.0)).collect();
        (Array2::from_shape_vec((n, 1), xs).unwrap(), y)
    }

    #[test]
    fn reference_model_is_most_uncertain_at_the_boundary() {
        let (x, y) = line(200);
        let p = reference_probabilities(&x, &y, 2).unwrap();
        let h: Vec<f64> = p.rows().into_iter().map(entropy).collect();
        // Entropy rises towards x = 0 from both ends.
        assert!(h[99] > h[50] && h[50] > h[0]);
        assert!(h[100] > h[150] && h[150] > h[199]);
    }

    #[test]
    fn exact_flips_round_rate_n_near_the_boundary_to_the_other_class() {
        let (x, y) = line(400);
        let (obs, expected) = apply(
            &y,
            2,
            &x,
            0.1,
            CountMode::Exact,
            0.0,
            &mut derive("t", 0, &[]),
        )
        .unwrap();
        let flipped: Vec<usize> = (0..400).filter(|&i| obs[i] != y[i]).collect();
        assert_eq!(flipped.len(), 40);
        assert_eq!(expected, 0.1);
        let mean_dist = flipped.iter().map(|&i| x[[i, 0]].abs()).sum::<f64>() / 40.0;
        // Uniform flips would have a mean |x| of 1.5.
        assert!(mean_dist < 1.0, "mean |x| of flipped samples {mean_dist}");
    }

    #[test]
    fn bernoulli_probabilities_are_clipped_and_the_expected_rate_says_so() {
        // rate 1: every weight share ·n is ≥ 1 only where w ≥ mean, so the expected rate is < 1.
        let (x, y) = line(100);
        let (_, expected) = apply(
            &y,
            2,
            &x,
            1.0,
            CountMode::Bernoulli,
            0.0,
            &mut derive("t", 0, &[]),
        )
        .unwrap();
        assert!(expected < 1.0 && expected > 0.3, "{expected}");
    }
}
