//! Descriptive statistics and Student's t intervals.

use serde::{Deserialize, Serialize};

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
            return Stat { mean, std: f64::NAN, n, ci_low: f64::NAN, ci_high: f64::NAN };
        }
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let std = var.sqrt();
        let half = t_quantile(0.975, (n - 1) as f64) * std / (n as f64).sqrt();
        Stat { mean, std, n, ci_low: mean - half, ci_high: mean + half }
    }
}

/// The p-quantile of Student's t with `df` degrees of freedom (bisection on the CDF, which is
/// evaluated through the regularized incomplete beta function; accurate to ~1e-12).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// CDF of Student's t: 1 − ½·I_{df/(df+t²)}(df/2, ½) for t ≥ 0.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * inc_beta(df / 2.0, 0.5, x);
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// Regularized incomplete beta I_x(a, b) (continued fraction, Numerical Recipes §6.4).
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..500 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-15).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn t_quantiles_match_textbook_tables() {
        // Two-sided 95% critical values (any statistics table).
        assert_abs_diff_eq!(t_quantile(0.975, 1.0), 12.706_204_736, epsilon = 1e-6);
        assert_abs_diff_eq!(t_quantile(0.975, 2.0), 4.302_652_730, epsilon = 1e-7);
        assert_abs_diff_eq!(t_quantile(0.975, 4.0), 2.776_445_105, epsilon = 1e-7);
        assert_abs_diff_eq!(t_quantile(0.975, 10.0), 2.228_138_852, epsilon = 1e-7);
        assert_abs_diff_eq!(t_quantile(0.975, 30.0), 2.042_272_456, epsilon = 1e-7);
    }

    #[test]
    fn interval_of_a_small_sample() {
        // 1, 2, 3, 4, 5: mean 3, s = √2.5, half-width t(0.975, 4)·s/√5.
        let s = Stat::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_abs_diff_eq!(s.mean, 3.0);
        assert_abs_diff_eq!(s.std, 2.5f64.sqrt(), epsilon = 1e-15);
        let half = 2.776_445_105 * 2.5f64.sqrt() / 5f64.sqrt();
        assert_abs_diff_eq!(s.ci_high - 3.0, half, epsilon = 1e-8);
        assert!(Stat::of(&[1.0]).std.is_nan());
    }
}
