//! The logit gap a method aims for: the reference line that figures draw beside the measured gap.

use super::targets::SmoothedTarget;
use crate::scenario::spec::MethodSpec;

/// The free-logit optimum: the logit gap (label minus any other class) that minimizes one
/// sample's smoothed cross entropy with ε > 0 and K classes when its logits are free parameters,
/// log(on/off) = uniform log(1 + K(1−ε)/ε), binary log((2−ε)/ε), others log((K−1)(1−ε)/ε).
/// It is not a bound on a linear model's mean gap: with shared weights, regularization and noisy
/// labels a fit's mean gap can lie above it. `None` for every other method (hard targets have no
/// finite optimum).
pub fn free_logit_gap_optimum(method: &MethodSpec, classes: usize) -> Option<f64> {
    match method {
        MethodSpec::LabelSmoothing { epsilon, style } if *epsilon > 0.0 => {
            SmoothedTarget::new(*epsilon, classes, *style).free_logit_gap_optimum()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::SmoothingStyle;
    use approx::assert_abs_diff_eq;

    fn ls(epsilon: f64, style: SmoothingStyle) -> MethodSpec {
        MethodSpec::LabelSmoothing { epsilon, style }
    }

    #[test]
    fn closed_forms() {
        let (k, e) = (10.0, 0.1);
        let uniform = free_logit_gap_optimum(&ls(e, SmoothingStyle::Uniform), 10).unwrap();
        assert_abs_diff_eq!(uniform, (1.0 + k * (1.0 - e) / e).ln(), epsilon = 1e-12);
        let binary = free_logit_gap_optimum(&ls(0.2, SmoothingStyle::Uniform), 2).unwrap();
        assert_abs_diff_eq!(binary, ((2.0 - 0.2) / 0.2f64).ln(), epsilon = 1e-12);
        let others = free_logit_gap_optimum(&ls(e, SmoothingStyle::Others), 10).unwrap();
        assert_abs_diff_eq!(others, ((k - 1.0) * (1.0 - e) / e).ln(), epsilon = 1e-12);
    }

    #[test]
    fn no_optimum_without_smoothing() {
        assert_eq!(free_logit_gap_optimum(&MethodSpec::Ce, 3), None);
        assert_eq!(
            free_logit_gap_optimum(&ls(0.0, SmoothingStyle::Uniform), 3),
            None
        );
        assert_eq!(
            free_logit_gap_optimum(&ls(-0.1, SmoothingStyle::Uniform), 3),
            None
        );
        assert_eq!(free_logit_gap_optimum(&MethodSpec::Gce { q: 0.7 }, 3), None);
    }
}
