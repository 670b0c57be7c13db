//! A training objective (loss) with every parameter resolved.

use serde::{Deserialize, Serialize};

use super::correction_matrix::MatrixSource;

/// Label smoothing convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmoothingStyle {
    /// onehot·(1−ε) + ε/K (PyTorch `CrossEntropyLoss(label_smoothing=ε)`, TF, Keras).
    Uniform,
    /// 1−ε on the label, ε/(K−1) on each other class.
    Others,
}

/// A training objective.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MethodSpec {
    /// Cross entropy on hard (observed) labels.
    Ce,
    LabelSmoothing {
        epsilon: f64,
        style: SmoothingStyle,
    },
    /// Patrini et al. 2017: −log (Tᵀ p)_ỹ.
    ForwardCorrection {
        #[serde(flatten)]
        matrix: MatrixSource,
    },
    /// Patrini et al. 2017: (T⁻¹ ℓ(p))_ỹ.
    BackwardCorrection {
        #[serde(flatten)]
        matrix: MatrixSource,
    },
    /// Soft bootstrapping, Reed et al. 2014: −Σₖ (β yₖ + (1−β) pₖ) log pₖ.
    Bootstrap {
        beta: f64,
    },
    /// Generalized cross entropy, Zhang & Sabuncu 2018: (1 − p_ỹ^q)/q.
    Gce {
        q: f64,
    },
}

impl MethodSpec {
    pub fn kind_name(&self) -> &'static str {
        match self {
            MethodSpec::Ce => "ce",
            MethodSpec::LabelSmoothing { .. } => "label_smoothing",
            MethodSpec::ForwardCorrection { .. } => "forward_correction",
            MethodSpec::BackwardCorrection { .. } => "backward_correction",
            MethodSpec::Bootstrap { .. } => "bootstrap",
            MethodSpec::Gce { .. } => "gce",
        }
    }

    /// True for the hard-label baseline that paired differences are taken against
    /// (`ce`, or label smoothing with ε = 0).
    pub fn is_baseline(&self) -> bool {
        match self {
            MethodSpec::Ce => true,
            MethodSpec::LabelSmoothing { epsilon, .. } => *epsilon == 0.0,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::correction_matrix::Estimator;

    /// Corrections serialize as they always did; an estimated matrix writes its estimator's keys
    /// beside `matrix` (one axis each) and reads back; a mismatched pair is refused.
    #[test]
    fn correction_matrices_serialize_flat() {
        let json = |m: &MethodSpec| serde_json::to_string(m).unwrap();
        let truth = MethodSpec::ForwardCorrection {
            matrix: MatrixSource::True,
        };
        assert_eq!(
            json(&truth),
            r#"{"kind":"forward_correction","matrix":"true"}"#
        );
        let given = MethodSpec::BackwardCorrection {
            matrix: MatrixSource::Given(vec![vec![1.0, 0.0], vec![0.5, 0.5]]),
        };
        assert_eq!(
            json(&given),
            r#"{"kind":"backward_correction","matrix":{"given":[[1.0,0.0],[0.5,0.5]]}}"#
        );
        let anchor = MethodSpec::ForwardCorrection {
            matrix: MatrixSource::Estimated(Estimator::Anchor {
                anchor_percentile: 97.0,
            }),
        };
        assert_eq!(
            json(&anchor),
            r#"{"kind":"forward_correction","matrix":"estimated","estimator":"anchor","anchor_percentile":97.0}"#
        );
        let cj = MethodSpec::BackwardCorrection {
            matrix: MatrixSource::Estimated(Estimator::ConfidentJoint { folds: 5 }),
        };
        for m in [truth, given, anchor, cj] {
            assert_eq!(serde_json::from_str::<MethodSpec>(&json(&m)).unwrap(), m);
        }
        for bad in [
            r#"{"kind":"forward_correction","matrix":"estimated"}"#,
            r#"{"kind":"forward_correction","matrix":"true","estimator":"confident_joint","folds":5}"#,
        ] {
            assert!(serde_json::from_str::<MethodSpec>(bad).is_err(), "{bad}");
        }
    }
}
