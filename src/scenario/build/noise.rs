//! `[noise]`: one builder per noise kind.

use super::{check_stochastic, Problem, Reader, Scalar};
use crate::scenario::spec::*;
use crate::vocab::keys::noise::*;

pub fn noise(r: &mut Reader<'_>) -> NoiseSpec {
    let kind = r.choose(&KINDS);
    let count = match r.text(&COUNT).as_str() {
        "bernoulli" => CountMode::Bernoulli,
        _ => CountMode::Exact,
    };
    match kind.as_str() {
        "none" => NoiseSpec::None,
        "symmetric" => NoiseSpec::Symmetric {
            rate: r.number(&RATE),
            count,
            include_true: r.flag(&INCLUDE_TRUE),
        },
        "pairflip" => NoiseSpec::Pairflip {
            rate: r.number(&RATE),
            count,
        },
        "asymmetric" => NoiseSpec::Asymmetric {
            rate_pos: r.number(&RATE_POS),
            rate_neg: r.number(&RATE_NEG),
            count,
        },
        "matrix" => NoiseSpec::Matrix {
            matrix: matrix(r),
            count,
        },
        "instance" => NoiseSpec::Instance {
            rate: r.number(&RATE),
            std: r.number(&STD),
        },
        _ => NoiseSpec::Boundary {
            rate: r.number(&RATE),
            count,
            floor: r.number(&FLOOR),
        },
    }
}

/// The given transition matrix, checked row-stochastic; required for kind = "matrix".
fn matrix(r: &mut Reader<'_>) -> Vec<Vec<f64>> {
    match r.cell.get(MATRIX.name) {
        Some((Scalar::Matrix(m), _)) => {
            let m = m.clone();
            check_stochastic(r, MATRIX.name, &m);
            m
        }
        Some(_) => vec![],
        None => {
            let span = r.table_span.clone();
            r.problems.push(
                Problem::new(span, "noise.matrix is required for kind = \"matrix\"")
                    .help("matrix = [[0.8, 0.2], [0.3, 0.7]]: row i is P(observed j | true i)"),
            );
            vec![]
        }
    }
}
