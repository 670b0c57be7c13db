//! `[[method]]`: one builder per method kind.

use super::{check_stochastic, is_singular, Reader, Scalar};
use crate::scenario::spec::*;
use crate::vocab::keys::method::*;

pub fn method(r: &mut Reader<'_>) -> MethodSpec {
    let kind = r.choose(&KINDS);
    match kind.as_str() {
        "ce" => MethodSpec::Ce,
        "forward_correction" => MethodSpec::ForwardCorrection {
            matrix: matrix(r, false),
        },
        "backward_correction" => MethodSpec::BackwardCorrection {
            matrix: matrix(r, true),
        },
        "bootstrap" => MethodSpec::Bootstrap {
            beta: r.number(&BETA),
        },
        "gce" => MethodSpec::Gce { q: r.number(&Q) },
        _ => MethodSpec::LabelSmoothing {
            epsilon: r.number(&EPSILON),
            style: match r.text(&STYLE).as_str() {
                "others" => SmoothingStyle::Others,
                _ => SmoothingStyle::Uniform,
            },
        },
    }
}

/// A correction's matrix: given (checked row-stochastic, and invertible for backward
/// correction), else the scenario's true T.
fn matrix(r: &mut Reader<'_>, invertible: bool) -> MatrixSource {
    match r.cell.get(MATRIX.name) {
        Some((Scalar::Matrix(m), _)) => {
            let m = m.clone();
            let before = r.problems.len();
            check_stochastic(r, MATRIX.name, &m);
            if invertible && r.problems.len() == before && is_singular(&m) {
                r.bad(
                    MATRIX.name,
                    "backward correction multiplies by T⁻¹, but this matrix is singular".into(),
                    "an invertible row-stochastic matrix (Patrini et al. 2017)",
                );
            }
            MatrixSource::Given(m)
        }
        Some((Scalar::Str(s), _)) if s == "estimated" => MatrixSource::Estimated(estimator(r)),
        other => {
            let matrix = match other {
                Some((Scalar::Matrix(_), _)) => "a given matrix",
                _ => "matrix = \"true\"",
            };
            for key in [&ESTIMATOR, &ANCHOR_PERCENTILE, &FOLDS] {
                if r.has(key.name) {
                    r.bad(
                        key.name,
                        format!("applies only with matrix = \"estimated\", not with {matrix}"),
                        "matrix = \"estimated\" to estimate T from the noisy labels, or leave the key out",
                    );
                }
            }
            MatrixSource::True
        }
    }
}

/// The estimator of a `matrix = "estimated"` correction, with the keys of that estimator only.
fn estimator(r: &mut Reader<'_>) -> Estimator {
    let name = r.text(&ESTIMATOR);
    let (takes, other) = match name.as_str() {
        "confident_joint" => (&FOLDS, &ANCHOR_PERCENTILE),
        _ => (&ANCHOR_PERCENTILE, &FOLDS),
    };
    if r.has(other.name) {
        r.bad(
            other.name,
            format!("does not apply to estimator = \"{name}\""),
            &format!("estimator = \"{name}\" takes {}", takes.name),
        );
    }
    match name.as_str() {
        "confident_joint" => Estimator::ConfidentJoint {
            folds: r.whole(&FOLDS),
        },
        _ => Estimator::Anchor {
            anchor_percentile: r.number(&ANCHOR_PERCENTILE),
        },
    }
}
