//! The logit gap a method aims for: the reference line that figures draw under the measured gap.

use super::targets::SmoothedTarget;
use crate::scenario::spec::MethodSpec;

/// The optimal logit gap (label minus any other class) of smoothed cross entropy with ε > 0, K
/// classes, when logits are free: log(on/off) = uniform log(1 + K(1−ε)/ε), binary log((2−ε)/ε),
/// others log((K−1)(1−ε)/ε). `None` for every other method (hard targets have no finite optimum).
pub fn logit_gap_cap(method: &MethodSpec, classes: usize) -> Option<f64> {
    match method {
        MethodSpec::LabelSmoothing { epsilon, style } if *epsilon > 0.0 => {
            SmoothedTarget::new(*epsilon, classes, *style).logit_gap_cap()
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
        let uniform = logit_gap_cap(&ls(e, SmoothingStyle::Uniform), 10).unwrap();
        assert_abs_diff_eq!(uniform, (1.0 + k * (1.0 - e) / e).ln(), epsilon = 1e-12);
        let binary = logit_gap_cap(&ls(0.2, SmoothingStyle::Uniform), 2).unwrap();
        assert_abs_diff_eq!(binary, ((2.0 - 0.2) / 0.2f64).ln(), epsilon = 1e-12);
        let others = logit_gap_cap(&ls(e, SmoothingStyle::Others), 10).unwrap();
        assert_abs_diff_eq!(others, ((k - 1.0) * (1.0 - e) / e).ln(), epsilon = 1e-12);
    }

    #[test]
    fn no_cap_without_smoothing() {
        assert_eq!(logit_gap_cap(&MethodSpec::Ce, 3), None);
        assert_eq!(logit_gap_cap(&ls(0.0, SmoothingStyle::Uniform), 3), None);
        assert_eq!(logit_gap_cap(&ls(-0.1, SmoothingStyle::Uniform), 3), None);
        assert_eq!(logit_gap_cap(&MethodSpec::Gce { q: 0.7 }, 3), None);
    }
}
