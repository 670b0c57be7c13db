//! Descriptive statistics and Student's t intervals.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean, sample standard deviation (n − 1), n and the 95% t-interval of the mean.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub mean: f64,
    /// NaN when n < 2.
    pub std: f64,
    pub n: usize,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl Stat {
    pub fn of(values: &[f64]) -> Stat {
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Stat {
                mean,
                std: f64::NAN,
                n,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
            };
        }
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let std = var.sqrt();
        let half = t_quantile(0.975, (n - 1) as f64) * std / (n as f64).sqrt();
        Stat {
            mean,
            std,
            n,
            ci_low: mean - half,
            ci_high: mean + half,
        }
    }
}

impl Stat {
    /// The same statistics with the interval clipped to `[low, high]`, the values the metric can
    /// take (see [`Metric::range`](crate::vocab::metric::Metric::range)): a mean of values in
    /// [0, 1] cannot leave [0, 1], though a t-interval around it can.
    pub fn clipped(self, (low, high): (f64, f64)) -> Stat {
        Stat {
            ci_low: self.ci_low.clamp(low, high),
            ci_high: self.ci_high.clamp(low, high),
            ..self
        }
    }

    /// Whether the 95% interval is worth a verdict: at least 3 values (a t-interval on one degree
    /// of freedom says little) that are not all equal (zero variance leaves it undefined). Values
    /// equal up to rounding (a spread below 1e-12 of the mean, as 0.80 − 0.75 and 0.70 − 0.65
    /// give) count as equal.
    pub fn testable(&self) -> bool {
        self.n >= MIN_TESTED && self.std.is_finite() && self.std > 1e-12 * self.mean.abs()
    }

    /// Two-sided p-value of the one-sample t-test of mean 0 (for a paired difference: the paired
    /// t-test), from Student's t CDF with n − 1 degrees of freedom; `None` unless [`Self::testable`].
    pub fn p_value(&self) -> Option<f64> {
        if !self.testable() {
            return None;
        }
        let t = self.mean / (self.std / (self.n as f64).sqrt());
        let dist = StudentsT::new(0.0, 1.0, (self.n - 1) as f64).ok()?;
        // 2·F(−|t|) rather than 2·(1 − F(|t|)): no cancellation for small p.
        Some((2.0 * dist.cdf(-t.abs())).min(1.0))
    }
}

/// Fewest values for a better/worse verdict on a difference.
pub const MIN_TESTED: usize = 3;

/// Significance level of the markers (two-sided; the 95% intervals).
pub const ALPHA: f64 = 0.05;

/// Holm's step-down adjustment (Holm 1979) of a family of p-values, in their order: sorted
/// ascending, the i-th smallest (from 0) becomes max over j ≤ i of min(1, (m − j)·p₍ⱼ₎) for m
/// values. Rejecting where the adjusted value is below α controls the family-wise error rate at α.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// The p-quantile of Student's t with `df` degrees of freedom (statrs: through the inverse
/// regularized incomplete beta function; within 2e-13 relative of scipy's `t.ppf` up to df = 40,
/// see the tests). NaN when `df` is not positive or `p` lies outside [0, 1].
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// Two-sided 95% critical values from scipy 1.17.1, `scipy.stats.t.ppf(0.975, df)`.
    const SCIPY_T_975: [(f64, f64); 12] = [
        (1.0, 12.706_204_736_174_694),
        (2.0, 4.302_652_729_749_462),
        (3.0, 3.182_446_305_283_707_8),
        (4.0, 2.776_445_105_197_793_4),
        (5.0, 2.570_581_835_636_314_6),
        (9.0, 2.262_157_162_798_205),
        (10.0, 2.228_138_851_986_274),
        (19.0, 2.093_024_054_408_308_7),
        (20.0, 2.085_963_447_265_864),
        (29.0, 2.045_229_642_132_703),
        (30.0, 2.042_272_456_301_237_8),
        (40.0, 2.021_075_390_306_273),
    ];

    #[test]
    fn t_quantiles_match_scipy() {
        for (df, reference) in SCIPY_T_975 {
            let q = t_quantile(0.975, df);
            assert!(
                ((q - reference) / reference).abs() < 1e-12,
                "df {df}: {q} vs scipy {reference}"
            );
            // The distribution is symmetric about 0.
            assert_abs_diff_eq!(t_quantile(0.025, df), -q, epsilon = 1e-12);
        }
        assert_eq!(t_quantile(0.5, 3.0), 0.0);
        assert!(t_quantile(0.975, 0.0).is_nan());
        assert!(t_quantile(1.5, 3.0).is_nan());
    }

    #[test]
    fn holm_matches_a_hand_computed_example() {
        // Sorted: 0.005 ×4 = 0.02; 0.01 ×3 = 0.03; 0.03 ×2 = 0.06; 0.04 ×1 = 0.04 → 0.06 (monotone).
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in adjusted.iter().zip(expected) {
            assert_abs_diff_eq!(*a, e, epsilon = 1e-15);
        }
        // Capped at 1; one value is its own adjustment; none is empty.
        assert_eq!(holm(&[0.5, 0.6]), [1.0, 1.0]);
        assert_eq!(holm(&[0.2]), [0.2]);
        assert!(holm(&[]).is_empty());
    }

    #[test]
    fn p_values_agree_with_the_interval_and_need_three_varying_values() {
        // 1, 2, 3: mean 2, s = 1, t = 2√3 on 2 df; scipy.stats.t.sf(2*3**0.5, 2)*2 = 0.07417990022744858.
        let s = Stat::of(&[1.0, 2.0, 3.0]);
        assert_abs_diff_eq!(
            s.p_value().unwrap(),
            0.074_179_900_227_448_55,
            epsilon = 1e-12
        );
        // p < 0.05 exactly when the 95% interval excludes 0.
        for values in [
            [1.0, 2.0, 3.0],
            [1.0, 1.1, 1.2],
            [-0.1, 0.2, 0.3],
            [-3.0, -2.9, -2.0],
        ] {
            let s = Stat::of(&values);
            let excludes = s.ci_low > 0.0 || s.ci_high < 0.0;
            assert_eq!(s.p_value().unwrap() < ALPHA, excludes, "{values:?}");
        }
        assert_eq!(Stat::of(&[1.0, 2.0]).p_value(), None);
        assert_eq!(Stat::of(&[0.007; 4]).p_value(), None);
        // Equal up to rounding: 0.80 − 0.75, 0.70 − 0.65, 0.90 − 0.85.
        let rounding = Stat::of(&[0.80 - 0.75, 0.70 - 0.65, 0.90 - 0.85]);
        assert!(rounding.std > 0.0 && rounding.p_value().is_none());
    }

    #[test]
    fn clipping_keeps_intervals_within_the_range() {
        let s = Stat::of(&[0.9, 1.0, 1.0]).clipped((0.0, 1.0));
        assert_eq!(s.ci_high, 1.0);
        assert!(s.ci_low > 0.0 && s.ci_low < s.mean);
        let one = Stat::of(&[1.0]).clipped((0.0, 1.0));
        assert!(one.ci_low.is_nan() && one.ci_high.is_nan());
    }

    #[test]
    fn interval_of_a_small_sample() {
        // 1, 2, 3, 4, 5: mean 3, s = √2.5, half-width t(0.975, 4)·s/√5.
        let s = Stat::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_abs_diff_eq!(s.mean, 3.0);
        assert_abs_diff_eq!(s.std, 2.5f64.sqrt(), epsilon = 1e-15);
        // scipy.stats.t.ppf(0.975, 4) = 2.7764451051977934 (scipy 1.17.1).
        let half = 2.776_445_105_197_793_4 * 2.5f64.sqrt() / 5f64.sqrt();
        assert_abs_diff_eq!(s.ci_high - 3.0, half, epsilon = 1e-12);
        assert_abs_diff_eq!(3.0 - s.ci_low, half, epsilon = 1e-12);
        assert!(Stat::of(&[1.0]).std.is_nan());
    }
}
