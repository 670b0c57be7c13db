//! Instance-dependent noise after Xia et al. 2020, "Part-dependent label noise: towards
//! instance-dependent label noise" (NeurIPS), following `get_instance_noisy_label` in the authors'
//! code (`tools.py` of xiaoboxia/Part-dependent-label-noise):
//!
//! 1. per sample a flip rate q ~ N(rate, std²) truncated to [0, 1] (scipy `truncnorm` there);
//! 2. per true class y a D×K matrix W_y with N(0, 1) entries (`np.random.randn(K, D, K)`);
//! 3. per sample: scores s = x·W_y, s_y = −∞, P = q·softmax(s), P_y = 1 − q;
//! 4. the observed label is drawn from P.
//!
//! Deviations, none of which changes the distribution of the labels: the truncated normal is drawn
//! by exact rejection (not by scipy's inverse CDF), the draw from P is done as "flip with
//! probability q, then a target from softmax over the other classes" (same law as one draw from P),
//! and x is our standardized feature row (the paper uses the normalized, flattened image). There is
//! no `count = "exact"`: as in the paper, each sample flips independently with its own q, so the
//! realized rate is ≈ E[q] (the mean of the truncated normal, slightly above `rate` near 0 and
//! below it near 1; it is recorded as the expected rate).

use super::counting::draw_categorical;
use super::NoiseError;
use crate::rng::Rng;
use ndarray::{Array2, ArrayView1};
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};

pub fn apply(
    truth: &[usize],
    classes: usize,
    x: &Array2<f64>,
    rate: f64,
    std: f64,
    rng: &mut Rng,
) -> Result<Vec<usize>, NoiseError> {
    if x.nrows() != truth.len() {
        return Err(NoiseError::Invalid(format!(
            "instance noise needs one feature row per label: {} rows, {} labels",
            x.nrows(),
            truth.len()
        )));
    }
    let d = x.ncols();
    // Same order of draws as the reference: all flip rates, then all of W, then the labels.
    let q: Vec<f64> = truth
        .iter()
        .map(|_| truncated_unit_normal(rate, std, rng))
        .collect();
    let w: Vec<Array2<f64>> = (0..classes)
        .map(|_| Array2::from_shape_simple_fn((d, classes), || StandardNormal.sample(rng)))
        .collect();
    Ok(truth
        .iter()
        .enumerate()
        .map(|(i, &y)| {
            let p = transition_row(x.row(i), &w[y], y, q[i]);
            draw_categorical(&p, rng)
        })
        .collect())
}

/// P(observed j | x, true y) = q·softmax(x·W_y with the y-th score set to −∞)_j for j ≠ y, and
/// 1 − q for j = y.
pub fn transition_row(x: ArrayView1<'_, f64>, w_y: &Array2<f64>, y: usize, q: f64) -> Vec<f64> {
    let scores = x.dot(w_y);
    let max = scores
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != y)
        .map(|(_, &s)| s)
        .fold(f64::NEG_INFINITY, f64::max);
    let mut p: Vec<f64> = scores
        .iter()
        .enumerate()
        .map(|(j, &s)| if j == y { 0.0 } else { (s - max).exp() })
        .collect();
    let sum: f64 = p.iter().sum();
    if sum > 0.0 {
        p.iter_mut().for_each(|v| *v *= q / sum);
    }
    p[y] = 1.0 - q;
    p
}

/// One draw of N(mean, std²) conditioned on [0, 1], by exact rejection: from N(mean, std²) itself
/// when std < 0.5 (acceptance ≥ P(0 ≤ Z ≤ 2) ≈ 0.48 for a mean in [0, 1]), else from U(0, 1)
/// accepted with probability exp(−(q − mean)²/(2 std²)) (acceptance ≥ e⁻²), so no loop is long.
pub fn truncated_unit_normal(mean: f64, std: f64, rng: &mut Rng) -> f64 {
    if std <= 0.0 || !std.is_finite() {
        return mean.clamp(0.0, 1.0);
    }
    loop {
        if std < 0.5 {
            let z: f64 = StandardNormal.sample(rng);
            let q = mean + std * z;
            if (0.0..=1.0).contains(&q) {
                return q;
            }
        } else {
            let q: f64 = rng.gen();
            let u: f64 = rng.gen();
            if u < (-(q - mean).powi(2) / (2.0 * std * std)).exp() {
                return q;
            }
        }
    }
}

/// E[q] for q ~ N(mean, std²) truncated to [0, 1]: mean + std·(φ(a) − φ(b))/(Φ(b) − Φ(a)) with
/// a = −mean/std, b = (1 − mean)/std (the truncated-normal mean; `libm::erf` for Φ).
pub fn truncated_unit_normal_mean(mean: f64, std: f64) -> f64 {
    if std <= 0.0 || !std.is_finite() {
        return mean.clamp(0.0, 1.0);
    }
    let (a, b) = (-mean / std, (1.0 - mean) / std);
    // φ(a) − φ(b) = φ(a)·(1 − exp(−(b² − a²)/2)) with b² − a² = (1 − 2·mean)/std², via expm1 so a
    // huge std (a ≈ b ≈ 0) does not cancel.
    let phi_a = (-0.5 * a * a).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let density_gap = -phi_a * (-(1.0 - 2.0 * mean) / (2.0 * std * std)).exp_m1();
    // Φ(b) − Φ(a) as ½(erf(b/√2) − erf(a/√2)): with a ≤ 0 ≤ b both terms add, no cancellation.
    let mass =
        0.5 * (libm::erf(b / std::f64::consts::SQRT_2) - libm::erf(a / std::f64::consts::SQRT_2));
    (mean + std * density_gap / mass).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::derive;
    use ndarray::array;

    #[test]
    fn transition_row_matches_hand_computation() {
        // x = (1, 2), W_y columns give scores (x·W) = (5, 1, 3); y = 0 masked out; softmax over
        // classes 1 and 2 of (1, 3) = (1/(1+e²), e²/(1+e²)).
        let w = array![[1.0, 1.0, 1.0], [2.0, 0.0, 1.0]];
        let x = array![1.0, 2.0];
        let p = transition_row(x.view(), &w, 0, 0.3);
        let e2 = 2f64.exp();
        assert!((p[0] - 0.7).abs() < 1e-15);
        assert!((p[1] - 0.3 / (1.0 + e2)).abs() < 1e-15);
        assert!((p[2] - 0.3 * e2 / (1.0 + e2)).abs() < 1e-15);
    }

    #[test]
    fn truncated_normal_mean_matches_closed_forms() {
        // Half-normal on [0, ∞) (the mass above 1 is e⁻⁵⁰-small): std·sqrt(2/π).
        let half = 0.1 * (2.0 / std::f64::consts::PI).sqrt();
        assert!((truncated_unit_normal_mean(0.0, 0.1) - half).abs() < 1e-12);
        assert!((truncated_unit_normal_mean(1.0, 0.1) - (1.0 - half)).abs() < 1e-12);
        assert!((truncated_unit_normal_mean(0.5, 0.1) - 0.5).abs() < 1e-15);
        // A huge std makes the truncated law uniform on [0, 1].
        assert!((truncated_unit_normal_mean(0.0, 1e6) - 0.5).abs() < 1e-6);
        assert_eq!(truncated_unit_normal_mean(0.3, 0.0), 0.3);
    }

    #[test]
    fn truncated_normal_draws_stay_in_range_and_have_the_stated_mean() {
        for (mean, std) in [(0.0, 0.1), (0.2, 0.1), (0.9, 0.7)] {
            let mut rng = derive("t", 0, &[]);
            let n = 20_000;
            let draws: Vec<f64> = (0..n)
                .map(|_| truncated_unit_normal(mean, std, &mut rng))
                .collect();
            assert!(draws.iter().all(|q| (0.0..=1.0).contains(q)));
            let m = draws.iter().sum::<f64>() / n as f64;
            let want = truncated_unit_normal_mean(mean, std);
            // The truncated std is below min(std, 1/√12·… ≤ 0.3): 5 standard errors.
            assert!(
                (m - want).abs() < 5.0 * std.min(0.3) / (n as f64).sqrt(),
                "{mean} {std}: {m} vs {want}"
            );
        }
    }
}
