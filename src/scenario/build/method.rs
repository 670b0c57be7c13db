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
        _ => MatrixSource::True,
    }
}
