//! Label smoothing targets, exactly as the frameworks define them.
//!
//! * `uniform` (PyTorch `CrossEntropyLoss(label_smoothing=ε)`, TensorFlow/Keras): onehot·(1−ε) + ε/K.
//!   Binary ε = 0.2 gives 0.9 / 0.1; K = 3, ε = 0.1 gives 0.9333… / 0.0333….
//! * `others`: 1−ε on the label and ε/(K−1) on each other class.
//! * logistic (TF `sigmoid_cross_entropy`, Keras `BinaryCrossentropy`): y·(1−ε) + ε/2, which is the
//!   `uniform` rule with K = 2.
//!
//! Targets are stored as two numbers (on the label, off the label) so no n×K matrix is materialized.

use crate::scenario::spec::SmoothingStyle;

/// Target mass on the observed class (`on`) and on every other class (`off`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SmoothedTarget {
    pub on: f64,
    pub off: f64,
}

impl SmoothedTarget {
    pub fn new(epsilon: f64, classes: usize, style: SmoothingStyle) -> Self {
        let k = classes as f64;
        match style {
            SmoothingStyle::Uniform => SmoothedTarget {
                on: 1.0 - epsilon + epsilon / k,
                off: epsilon / k,
            },
            SmoothingStyle::Others => SmoothedTarget {
                on: 1.0 - epsilon,
                off: epsilon / (k - 1.0),
            },
        }
    }

    /// The full target vector for label `y`.
    pub fn vector(&self, y: usize, classes: usize) -> Vec<f64> {
        (0..classes)
            .map(|c| if c == y { self.on } else { self.off })
            .collect()
    }

    /// The logit gap (label minus any other class) at which the smoothed CE of one point is
    /// minimal: log(on/off). Uniform: log(1 + K(1−ε)/ε); binary: log((2−ε)/ε). `None` without
    /// smoothing (the optimum is at infinity) or with negative ε.
    pub fn free_logit_gap_optimum(&self) -> Option<f64> {
        (self.off > 0.0 && self.on > 0.0).then(|| (self.on / self.off).ln())
    }
}

/// Logistic (sigmoid) target for a binary label: y·(1−ε) + ε/2.
pub fn logistic_target(y: usize, epsilon: f64) -> f64 {
    y as f64 * (1.0 - epsilon) + epsilon / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn seed_example_binary_eps_02_gives_09_01() {
        let t = SmoothedTarget::new(0.2, 2, SmoothingStyle::Uniform);
        assert_abs_diff_eq!(t.on, 0.9, epsilon = 1e-15);
        assert_abs_diff_eq!(t.off, 0.1, epsilon = 1e-15);
        assert_abs_diff_eq!(logistic_target(1, 0.2), 0.9, epsilon = 1e-15);
        assert_abs_diff_eq!(logistic_target(0, 0.2), 0.1, epsilon = 1e-15);
    }

    #[test]
    fn softmax_k3_eps_01() {
        let t = SmoothedTarget::new(0.1, 3, SmoothingStyle::Uniform);
        assert_abs_diff_eq!(t.on, 1.0 - 0.1 + 0.1 / 3.0, epsilon = 1e-15);
        assert_abs_diff_eq!(t.on, 0.933_333_333_333_333_3, epsilon = 1e-15);
        assert_abs_diff_eq!(t.off, 0.033_333_333_333_333_33, epsilon = 1e-15);
        assert_abs_diff_eq!(t.vector(0, 3).iter().sum::<f64>(), 1.0, epsilon = 1e-15);
        let o = SmoothedTarget::new(0.1, 3, SmoothingStyle::Others);
        assert_eq!((o.on, o.off), (0.9, 0.05));
    }

    #[test]
    fn caps_match_closed_forms() {
        let t = SmoothedTarget::new(0.1, 3, SmoothingStyle::Uniform);
        assert_abs_diff_eq!(
            t.free_logit_gap_optimum().unwrap(),
            28f64.ln(),
            epsilon = 1e-12
        );
        let b = SmoothedTarget::new(0.2, 2, SmoothingStyle::Uniform);
        assert_abs_diff_eq!(
            b.free_logit_gap_optimum().unwrap(),
            9f64.ln(),
            epsilon = 1e-12
        );
        assert!(SmoothedTarget::new(0.0, 3, SmoothingStyle::Uniform)
            .free_logit_gap_optimum()
            .is_none());
    }
}
