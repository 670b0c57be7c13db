//! Rules that combine sections (dataset × noise × model × method), checked on every combination of
//! built specs. Each problem points at the value that has to change.
//!
//! Rules about a dataset's size and classes need its [`DataShape`]. The scenario knows it for
//! generated data only ([`spec_shape`]); the engine's preflight passes a shape function that also
//! knows the bundled datasets, so this stage never imports the data module.

use super::build::{is_singular, Cell};
use super::diag::Problem;
use super::reader::Span;
use super::schema::limits;
use crate::scenario::spec::*;
use crate::vocab::keys::dataset::held_out_size;
use std::collections::BTreeMap;

/// A spec built from one cell, with the spans of the cell's keys for messages.
#[derive(Clone, Debug)]
pub struct Built<T> {
    pub spec: T,
    pub table: Span,
    pub keys: BTreeMap<&'static str, Span>,
}

impl<T> Built<T> {
    pub fn new(spec: T, table: Span, cell: &Cell) -> Self {
        Built {
            spec,
            table,
            keys: cell.iter().map(|(k, (_, s))| (*k, s.clone())).collect(),
        }
    }
    /// The span of `key`'s value, else of the table.
    pub fn at(&self, key: &str) -> Span {
        self.keys
            .get(key)
            .cloned()
            .flatten()
            .or_else(|| self.table.clone())
    }
    /// The span of the first of `keys` given in the table, else of the table.
    pub fn at_any(&self, keys: &[&str]) -> Span {
        keys.iter()
            .find_map(|k| self.keys.get(k).cloned().flatten())
            .or_else(|| self.table.clone())
    }
}

/// What is known about a dataset before loading it: its number of classes and, for data of a
/// fixed size, its number of samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataShape {
    pub samples: Option<usize>,
    pub classes: usize,
}

/// The shape the spec itself gives: the classes of generated data (any size may be drawn).
pub fn spec_shape(source: &DataSource) -> Option<DataShape> {
    match source {
        DataSource::Blobs { classes, .. }
        | DataSource::Classification { classes, .. }
        | DataSource::Separable { classes, .. } => Some(DataShape {
            samples: None,
            classes: *classes,
        }),
        DataSource::Bundled { .. } | DataSource::Csv { .. } => None,
    }
}

/// Training size implied by a dataset spec when it is known before loading (`samples`: the
/// dataset's fixed size, if it has one).
pub fn expected_train(d: &DatasetSpec, samples: Option<usize>) -> Option<usize> {
    if let Some(t) = d.train {
        return Some(t);
    }
    let n = samples?;
    let test = d.test.unwrap_or_else(|| held_out_size(n, d.test_fraction));
    Some(n.saturating_sub(test))
}

fn synthetic_features(source: &DataSource) -> Option<usize> {
    match source {
        DataSource::Blobs { features, .. }
        | DataSource::Classification { features, .. }
        | DataSource::Separable { features, .. } => Some(*features),
        _ => None,
    }
}

pub fn check(
    datasets: &[Built<DatasetSpec>],
    noises: &[Built<NoiseSpec>],
    models: &[Built<ModelSpec>],
    methods: &[Built<MethodSpec>],
    shape_of: &dyn Fn(&DataSource) -> Option<DataShape>,
    problems: &mut Vec<Problem>,
) {
    for d in datasets {
        let shape = shape_of(&d.spec.source);
        if let Some(total) = shape.and_then(|s| s.samples) {
            sizes(d, total, shape.map_or(2, |s| s.classes), problems);
        }
        // A K outside its limits is reported already; rules that build K×K matrices skip it.
        let Some(k) = shape
            .map(|s| s.classes)
            .filter(|k| (2..=limits::MAX_CLASSES).contains(k))
        else {
            continue;
        };
        for n in noises {
            noise_vs_data(n, k, problems);
        }
        let n_train = expected_train(&d.spec, shape.and_then(|s| s.samples));
        for m in models {
            model_vs_data(m, k, n_train, synthetic_features(&d.spec.source), problems);
            for me in methods {
                method_vs_data(me, noises, k, problems);
            }
        }
    }
    negative_epsilon(models, methods, problems);
    true_matrix_needs_class_noise(methods, noises, problems);
}

/// A given correction matrix must be K×K; backward correction with the true T needs it invertible.
fn method_vs_data(
    me: &Built<MethodSpec>,
    noises: &[Built<NoiseSpec>],
    k: usize,
    problems: &mut Vec<Problem>,
) {
    if let MethodSpec::ForwardCorrection {
        matrix: MatrixSource::Given(t),
    }
    | MethodSpec::BackwardCorrection {
        matrix: MatrixSource::Given(t),
    } = &me.spec
    {
        if t.len() != k {
            problems.push(
                Problem::new(
                    me.at("matrix"),
                    format!(
                        "method.matrix is {}×{} but the dataset has K = {k} classes",
                        t.len(),
                        t.len()
                    ),
                )
                .help(format!(
                    "give a {k}×{k} matrix (row i: P(observed j | true i)), or matrix = \"true\""
                )),
            );
        }
    }
    if let MethodSpec::BackwardCorrection {
        matrix: MatrixSource::True,
    } = &me.spec
    {
        for n in noises {
            if noise_matrix_singular(&n.spec, k) {
                problems.push(
                    Problem::new(
                        me.at_any(&["matrix", "kind"]),
                        format!(
                            "backward_correction inverts the scenario's noise matrix, which is singular for noise kind \"{}\" at rate {} with K = {k}",
                            n.spec.kind_name(),
                            n.spec.nominal_rate()
                        ),
                    )
                    .help("lower the noise rate (symmetric: rate < (K−1)/K; asymmetric: rate_pos + rate_neg ≠ 1), or use forward_correction"),
                );
            }
        }
    }
}

/// Negative ε needs an l2 penalty (the objective is unbounded below otherwise).
fn negative_epsilon(
    models: &[Built<ModelSpec>],
    methods: &[Built<MethodSpec>],
    problems: &mut Vec<Problem>,
) {
    for m in models {
        for me in methods {
            if let MethodSpec::LabelSmoothing { epsilon, .. } = me.spec {
                if epsilon < 0.0 && m.spec.l2 <= 0.0 {
                    problems.push(
                        Problem::new(
                            me.at("epsilon"),
                            format!("method.epsilon = {epsilon} is negative but model.l2 = {}", m.spec.l2),
                        )
                        .help("negative ε (generalized label smoothing, Wei et al. 2022) makes the objective unbounded below without an l2 penalty: set model.l2 > 0"),
                    );
                }
            }
        }
    }
}

/// `matrix = "true"` needs a class-conditional noise kind: feature-dependent noise has no T.
fn true_matrix_needs_class_noise(
    methods: &[Built<MethodSpec>],
    noises: &[Built<NoiseSpec>],
    problems: &mut Vec<Problem>,
) {
    for me in methods {
        if let MethodSpec::ForwardCorrection {
            matrix: MatrixSource::True,
        }
        | MethodSpec::BackwardCorrection {
            matrix: MatrixSource::True,
        } = &me.spec
        {
            for n in noises {
                if matches!(
                    n.spec,
                    NoiseSpec::Instance { .. } | NoiseSpec::Boundary { .. }
                ) {
                    problems.push(
                        Problem::new(
                            me.at_any(&["matrix", "kind"]),
                            format!(
                                "{} with matrix = \"true\" needs a class-conditional noise kind, but noise kind \"{}\" depends on the features",
                                me.spec.kind_name(),
                                n.spec.kind_name()
                            ),
                        )
                        .help("give method.matrix = [[…]] explicitly"),
                    );
                }
            }
        }
    }
}

/// Whether the noise matrix T a `matrix = "true"` correction would use is singular, by
/// [`crate::vocab::matrix::TransitionMatrix::is_singular`] (closed forms for the structured kinds,
/// so a large K costs nothing).
fn noise_matrix_singular(noise: &NoiseSpec, k: usize) -> bool {
    match noise {
        // A written matrix is judged as written, even when it is no transition matrix (its own
        // problems are reported elsewhere); one of the wrong size is reported elsewhere too.
        NoiseSpec::Matrix { matrix, .. } => matrix.len() == k && is_singular(matrix),
        // Given labels: the realized matrix is known once the data are read (a singular one fails
        // the backward-corrected run with its own message). Feature-dependent kinds have none.
        _ => noise.expected_matrix(k).is_some_and(|t| t.is_singular()),
    }
}

/// Split sizes of a dataset with a fixed number of samples.
fn sizes(d: &Built<DatasetSpec>, total: usize, k: usize, problems: &mut Vec<Problem>) {
    let spec = &d.spec;
    let mut bad = |span: Span, message: String, help: String| {
        problems.push(Problem::new(span, message).help(help))
    };
    match (spec.train, spec.test) {
        (Some(train), Some(test)) if train.saturating_add(test) > total => bad(
            d.at("train"),
            format!(
                "dataset: train + test = {} exceeds the {total} samples of this dataset",
                train.saturating_add(test)
            ),
            format!("train + test ≤ {total}, or give test_fraction instead"),
        ),
        (Some(train), None) if train >= total => bad(
            d.at("train"),
            format!("dataset: train = {train} leaves no test sample out of {total}"),
            format!("train < {total}; the rest is the test split"),
        ),
        (None, Some(test)) if test >= total => bad(
            d.at("test"),
            format!("dataset: test = {test} leaves no training sample out of {total}"),
            format!("test < {total}; the rest is the training split"),
        ),
        (None, None) if spec.test_fraction > 0.0 && spec.test_fraction < 1.0 => {
            let t = held_out_size(total, spec.test_fraction);
            if t == 0 || t >= total {
                bad(
                    d.at("test_fraction"),
                    format!(
                        "dataset: test_fraction = {} of {total} samples gives an {} split",
                        spec.test_fraction,
                        if t == 0 { "empty test" } else { "empty training" }
                    ),
                    format!("a fraction that leaves at least one training sample (⌈fraction·{total}⌉ test samples, so at most {:.4})", 1.0 - 1.0 / total as f64),
                );
            }
        }
        _ => {}
    }
    if let Some(n_train) = expected_train(spec, Some(total)) {
        if n_train > 0 && n_train < k {
            bad(
                d.at_any(&["train", "test", "test_fraction"]),
                format!("dataset: {n_train} training samples cannot hold the {k} classes (each class needs one)"),
                format!("at least {k} training samples"),
            );
        }
    }
}

fn noise_vs_data(n: &Built<NoiseSpec>, k: usize, problems: &mut Vec<Problem>) {
    match &n.spec {
        NoiseSpec::Matrix { matrix, .. } if !matrix.is_empty() && matrix.len() != k => problems
            .push(
                Problem::new(
                    n.at("matrix"),
                    format!(
                        "noise.matrix is {}×{} but the dataset has K = {k} classes",
                        matrix.len(),
                        matrix.len()
                    ),
                )
                .help(format!("give a {k}×{k} matrix: one row per true class")),
            ),
        NoiseSpec::Asymmetric { .. } if k != 2 => problems.push(
            Problem::new(
                n.at("kind"),
                format!("noise kind \"asymmetric\" is binary but the dataset has K = {k} classes"),
            )
            .help("use kind = \"matrix\" for class-conditional noise with K > 2"),
        ),
        _ => {}
    }
}

fn model_vs_data(
    m: &Built<ModelSpec>,
    k: usize,
    n_train: Option<usize>,
    features: Option<usize>,
    problems: &mut Vec<Problem>,
) {
    if m.spec.kind == ModelKind::Logistic && k != 2 {
        problems.push(
            Problem::new(m.at("kind"), format!("model kind \"logistic\" is binary but the dataset has K = {k} classes"))
                .help("use kind = \"softmax\", or a binary dataset (classes = 2, breast_cancer, winequality with binarize_threshold)"),
        );
    }
    match &m.spec.optimizer {
        OptimizerSpec::Sgd { batch_size, .. } | OptimizerSpec::Adam { batch_size, .. } => {
            if let Some(train) = n_train.filter(|t| batch_size > t) {
                problems.push(
                    Problem::new(
                        m.at("batch_size"),
                        format!(
                            "model.batch_size = {batch_size} exceeds the training size {train}"
                        ),
                    )
                    .help(format!("batch_size ≤ {train} (the training split)")),
                );
            }
        }
        OptimizerSpec::Lbfgs { history } => {
            let Some(d) = features else { return };
            let outputs = if m.spec.kind == ModelKind::Logistic {
                1
            } else {
                k
            };
            let params = outputs.saturating_mul(d).saturating_add(outputs);
            let bytes = (2 * history + 6).saturating_mul(params).saturating_mul(8);
            if bytes > limits::MAX_OPTIMIZER_BYTES {
                problems.push(
                    Problem::new(
                        m.at_any(&["history", "kind"]),
                        format!(
                            "L-BFGS with history = {history} on {params} parameters needs {:.1} GiB",
                            bytes as f64 / (1u64 << 30) as f64
                        ),
                    )
                    .help(format!("at most {} GiB per fit: fewer features or classes, or a smaller history", limits::MAX_OPTIMIZER_BYTES >> 30)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facts the closed forms stand for: symmetric noise is singular at rate (K−1)/K (every row
    /// equal), with include_true at rate 1, pairflip at rate ½ for even K only, asymmetric when
    /// ρ₊ + ρ₋ = 1; and a 4096-class T is judged at once.
    #[test]
    fn singular_noise_settings() {
        let count = CountMode::Exact;
        let symmetric = |rate, include_true| NoiseSpec::Symmetric {
            rate,
            count,
            include_true,
        };
        assert!(noise_matrix_singular(&symmetric(2.0 / 3.0, false), 3));
        assert!(!noise_matrix_singular(&symmetric(0.5, false), 3));
        assert!(noise_matrix_singular(&symmetric(0.5, false), 2));
        assert!(noise_matrix_singular(&symmetric(1.0, true), 5));
        assert!(!noise_matrix_singular(&symmetric(0.9, true), 5));
        assert!(noise_matrix_singular(
            &symmetric(4095.0 / 4096.0, false),
            4096
        ));
        let pairflip = |rate| NoiseSpec::Pairflip { rate, count };
        assert!(noise_matrix_singular(&pairflip(0.5), 4));
        assert!(!noise_matrix_singular(&pairflip(0.5), 5));
        let asymmetric = |rate_pos, rate_neg| NoiseSpec::Asymmetric {
            rate_pos,
            rate_neg,
            count,
        };
        assert!(noise_matrix_singular(&asymmetric(0.3, 0.7), 2));
        assert!(!noise_matrix_singular(&asymmetric(0.3, 0.5), 2));
    }
}
