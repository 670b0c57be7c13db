//! `[noise]`: one builder per noise kind.

use super::{check_stochastic, Problem, Reader, Scalar};
use crate::scenario::spec::*;
use crate::vocab::keys::noise::*;
use std::path::Path;

pub fn noise(r: &mut Reader<'_>, base_dir: &Path) -> NoiseSpec {
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
        "given" => NoiseSpec::Given {
            observed: given(r, base_dir),
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

/// Where `kind = "given"` reads its observed labels: one column, or one array file (a `.npz`
/// with the array's name).
fn given(r: &mut Reader<'_>, base_dir: &Path) -> ObservedSource {
    let column = match r.cell.get(OBSERVED_LABEL.name) {
        Some((Scalar::Column(c), _)) => Some(c.clone()),
        _ => None,
    };
    let path = super::dataset::data_file(r, base_dir, &OBSERVED_LABELS_PATH);
    let key = match r.cell.get(OBSERVED_LABELS_KEY.name) {
        Some((Scalar::Str(s), _)) => Some(s.clone()),
        _ => None,
    };
    let fallback = ObservedSource::Column {
        observed_label: LabelColumn::Index(0),
    };
    let problem = |r: &mut Reader<'_>, at: &str, message: &str, help: &str| {
        let span = r.span(at);
        r.problems.push(Problem::new(span, message).help(help));
    };
    match (column, path) {
        (Some(observed_label), None) => {
            if key.is_some() {
                problem(r, OBSERVED_LABELS_KEY.name,
                    "noise.observed_labels_key names an array inside a .npz observed_labels_path, but the labels come from a column (observed_label)",
                    "remove observed_labels_key");
            }
            ObservedSource::Column { observed_label }
        }
        (None, Some(observed_labels_path)) => {
            let ext = observed_labels_path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            match (ext.as_deref(), &key) {
                (Some("npz"), None) => problem(r, OBSERVED_LABELS_PATH.name,
                    "a .npz file holds several arrays: name the one with the observed labels with noise.observed_labels_key",
                    "observed_labels_key = \"aggre_label\" (CIFAR-10N: aggre_label, worse_label, random_label1..3)"),
                (Some("npy"), Some(_)) => problem(r, OBSERVED_LABELS_KEY.name,
                    "noise.observed_labels_key applies to a .npz observed_labels_path only; a .npy file holds one array",
                    "remove observed_labels_key"),
                (Some("npz" | "npy"), _) => {}
                _ => problem(r, OBSERVED_LABELS_PATH.name,
                    &format!("{} is not a .npy or .npz file", observed_labels_path.display()),
                    "save the observed labels with np.save(\"observed.npy\", y) (1-D integer array), or put them in a column of a CSV training file (observed_label)"),
            }
            ObservedSource::Array {
                observed_labels_path,
                observed_labels_key: key,
            }
        }
        (Some(_), Some(_)) => {
            problem(r, OBSERVED_LABELS_PATH.name,
                "give noise.observed_label (a column of the training file) or noise.observed_labels_path (an array file), not both",
                "keep one of the two");
            fallback
        }
        (None, None) => {
            let span = r.table_span.clone();
            r.problems.push(
                Problem::new(span, "noise kind \"given\" needs noise.observed_label or noise.observed_labels_path")
                    .help("observed_label = \"annotator_1\" (a column of the CSV training file), or observed_labels_path = \"noisy_labels.npy\" (row i for row i of dataset.path)"),
            );
            fallback
        }
    }
}
