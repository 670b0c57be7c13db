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
