//! Concrete, validated specifications of one run: every list expanded, every default filled.
//!
//! These are what the engine, the data loaders, the noise models and the trainer see. They are
//! serialized into every run record as the resolved configuration.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where a dataset comes from, with every parameter resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum DataSource {
    /// Isotropic Gaussian blobs: class means ~ N(0, separation² I), x = mean + N(0, I).
    Blobs {
        classes: usize,
        features: usize,
        separation: f64,
    },
    /// In the spirit of scikit-learn's `make_classification`.
    Classification {
        classes: usize,
        features: usize,
        informative: usize,
        redundant: usize,
        clusters_per_class: usize,
        class_sep: f64,
    },
    /// Linearly separable data with a guaranteed margin: every sample at least `margin` from the
    /// boundaries of a nearest-prototype (linear) classifier, prototypes on random hypercube
    /// vertices (any K ≤ 2^features).
    Separable {
        classes: usize,
        features: usize,
        margin: f64,
    },
    /// A real dataset shipped with labelnoise (`labelnoise datasets` lists them).
    Bundled {
        name: String,
        /// winequality only: quality ≥ threshold → class 1, else 0.
        binarize_threshold: Option<f64>,
    },
    /// The user's own CSV (or `.npy`) file.
    Csv {
        path: PathBuf,
        test_path: Option<PathBuf>,
        label: LabelColumn,
        header: bool,
        delimiter: char,
        columns: Option<Vec<LabelColumn>>,
        /// `.npy` features only: a 1-D array of labels for `path` (then `label` is not a column).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labels_path: Option<PathBuf>,
        /// `.npy` features only: the labels of `test_path`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test_labels_path: Option<PathBuf>,
    },
}

/// A column given by name or by 0-based index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LabelColumn {
    Index(usize),
    Name(String),
}

/// A dataset with its split and preprocessing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetSpec {
    #[serde(flatten)]
    pub source: DataSource,
    /// Training size. For bundled and CSV data `None` means "use `test_fraction`".
    pub train: Option<usize>,
    pub test: Option<usize>,
    /// Fraction of the data held out for testing when sizes are not given (stratified).
    pub test_fraction: f64,
    /// Standardize features with the training split's mean and standard deviation.
    pub standardize: bool,
    /// What keys the noise draw (absent from records when it is the dataset's settings).
    #[serde(default, skip_serializing_if = "NoiseStream::is_dataset")]
    pub noise_stream: NoiseStream,
}

/// What the noise generator of a repetition is keyed by, besides the seed and the noise settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseStream {
    /// The dataset's canonical settings (JSON): another split or file gives another draw.
    #[default]
    Dataset,
    /// The training labels' content and K ([`crate::noise::stream::labels_key`]): the same training labels
    /// give the same noisy labels in any scenario and in `labelnoise noisify`.
    Labels,
}

impl NoiseStream {
    pub fn is_dataset(&self) -> bool {
        *self == NoiseStream::Dataset
    }
}

/// Where a `given` noise draw reads its observed labels: a column of the training file, or an
/// array file (with its name inside a `.npz`). Rows align with the training file's rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ObservedSource {
    Column {
        observed_label: LabelColumn,
    },
    Array {
        observed_labels_path: PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        observed_labels_key: Option<String>,
    },
}

/// How many labels a noise model flips.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountMode {
    /// Exactly round(rate·n) flips (per class with largest-remainder rounding for class-conditional
    /// kinds).
    Exact,
    /// Each sample flips independently with its probability.
    Bernoulli,
}

/// A label noise model with every parameter resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoiseSpec {
    None,
    Symmetric {
        rate: f64,
        count: CountMode,
        include_true: bool,
    },
    Pairflip {
        rate: f64,
        count: CountMode,
    },
    /// Binary: `rate_pos` is P(observed 0 | true 1), `rate_neg` is P(observed 1 | true 0).
    Asymmetric {
        rate_pos: f64,
        rate_neg: f64,
        count: CountMode,
    },
    Matrix {
        matrix: Vec<Vec<f64>>,
        count: CountMode,
    },
    Instance {
        rate: f64,
        std: f64,
    },
    Boundary {
        rate: f64,
        count: CountMode,
        floor: f64,
    },
    /// Observed labels read from the data (real annotator noise); training split only.
    Given {
        #[serde(flatten)]
        observed: ObservedSource,
    },
}

impl NoiseSpec {
    /// The nominal flip rate users put on the x axis.
    pub fn nominal_rate(&self) -> f64 {
        match self {
            // Unknown before the labels are read: the realized rate is on record.
            NoiseSpec::None | NoiseSpec::Given { .. } => 0.0,
            NoiseSpec::Symmetric { rate, .. }
            | NoiseSpec::Pairflip { rate, .. }
            | NoiseSpec::Instance { rate, .. }
            | NoiseSpec::Boundary { rate, .. } => *rate,
            NoiseSpec::Asymmetric {
                rate_pos, rate_neg, ..
            } => (rate_pos + rate_neg) / 2.0,
            NoiseSpec::Matrix { matrix, .. } => {
                let k = matrix.len() as f64;
                matrix
                    .iter()
                    .enumerate()
                    .map(|(i, row)| 1.0 - row[i])
                    .sum::<f64>()
                    / k
            }
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            NoiseSpec::None => "none",
            NoiseSpec::Symmetric { .. } => "symmetric",
            NoiseSpec::Pairflip { .. } => "pairflip",
            NoiseSpec::Asymmetric { .. } => "asymmetric",
            NoiseSpec::Matrix { .. } => "matrix",
            NoiseSpec::Instance { .. } => "instance",
            NoiseSpec::Boundary { .. } => "boundary",
            NoiseSpec::Given { .. } => "given",
        }
    }
}

/// Model family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// K logits, softmax link.
    Softmax,
    /// Binary, one logit, sigmoid link (the class-0 logit is fixed at 0).
    Logistic,
}

/// Optimizer family and its settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "optimizer", rename_all = "snake_case")]
pub enum OptimizerSpec {
    /// Full-batch L-BFGS with a strong-Wolfe line search, run to `tolerance` on max |gradient|.
    Lbfgs { history: usize },
    /// Mini-batch SGD with heavy-ball momentum.
    Sgd {
        epochs: usize,
        batch_size: usize,
        learning_rate: f64,
        momentum: f64,
        schedule: Schedule,
    },
    /// Mini-batch Adam (Kingma & Ba 2015; β₁ = 0.9, β₂ = 0.999, ε = 1e-8).
    Adam {
        epochs: usize,
        batch_size: usize,
        learning_rate: f64,
        schedule: Schedule,
    },
}

/// Learning-rate schedule for mini-batch optimizers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    Constant,
    /// Cosine decay from the learning rate to 0 over all epochs.
    Cosine,
}

/// The model and how it is trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub kind: ModelKind,
    /// Penalty (l2/2)·‖W‖² on the weights; the intercept is not penalized.
    pub l2: f64,
    pub max_iter: usize,
    /// L-BFGS stops when max |∂F/∂θ| ≤ tolerance.
    pub tolerance: f64,
    #[serde(flatten)]
    pub optimizer: OptimizerSpec,
    /// Record a training trace (per epoch, or every `trace_every` L-BFGS iterations).
    pub trace: bool,
    pub trace_every: usize,
    /// Early stopping on a held-out part of the *noisy* training labels (mini-batch only).
    pub early_stopping: bool,
    pub validation_fraction: f64,
    pub patience: usize,
}

/// Label smoothing convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmoothingStyle {
    /// onehot·(1−ε) + ε/K (PyTorch `CrossEntropyLoss(label_smoothing=ε)`, TF, Keras).
    Uniform,
    /// 1−ε on the label, ε/(K−1) on each other class.
    Others,
}

/// Where a correction method's noise matrix comes from.
///
/// Written flat into the method's table (`matrix = "true"`, `matrix = {given = …}`, or
/// `matrix = "estimated"` with the estimator's keys beside it), so each estimator setting is an
/// axis of its own; records written before estimators existed read back unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "MatrixWire", try_from = "MatrixWire")]
pub enum MatrixSource {
    /// The scenario's true noise matrix (expected transition matrix of the noise model).
    True,
    /// A matrix given in the scenario file.
    Given(Vec<Vec<f64>>),
    /// Estimated from the noisy training labels before the fit (`crate::estimate`).
    Estimated(Estimator),
}

/// How a transition matrix T̂ is estimated from noisy labels alone.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "estimator", rename_all = "snake_case")]
pub enum Estimator {
    /// Patrini et al. 2017: row i of T̂ is the predicted distribution of class i's anchor sample
    /// (the most confident one, or the one below the given percentile of p_i).
    Anchor { anchor_percentile: f64 },
    /// Northcutt et al. 2021: T̂ from the calibrated confident joint of out-of-sample
    /// probabilities (`folds`-fold cross-fitting).
    ConfidentJoint { folds: usize },
}

impl Estimator {
    pub fn name(&self) -> &'static str {
        match self {
            Estimator::Anchor { .. } => "anchor",
            Estimator::ConfidentJoint { .. } => "confident_joint",
        }
    }
}

/// The serialized shape of a [`MatrixSource`]: the `matrix` key, plus the estimator's keys.
#[derive(Clone, Serialize, Deserialize)]
struct MatrixWire {
    matrix: MatrixTag,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    estimator: Option<Estimator>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum MatrixTag {
    True,
    Given(Vec<Vec<f64>>),
    Estimated,
}

impl From<MatrixSource> for MatrixWire {
    fn from(m: MatrixSource) -> Self {
        let (matrix, estimator) = match m {
            MatrixSource::True => (MatrixTag::True, None),
            MatrixSource::Given(t) => (MatrixTag::Given(t), None),
            MatrixSource::Estimated(e) => (MatrixTag::Estimated, Some(e)),
        };
        MatrixWire { matrix, estimator }
    }
}

impl TryFrom<MatrixWire> for MatrixSource {
    type Error = &'static str;
    fn try_from(w: MatrixWire) -> Result<Self, Self::Error> {
        match (w.matrix, w.estimator) {
            (MatrixTag::True, None) => Ok(MatrixSource::True),
            (MatrixTag::Given(t), None) => Ok(MatrixSource::Given(t)),
            (MatrixTag::Estimated, Some(e)) => Ok(MatrixSource::Estimated(e)),
            (MatrixTag::Estimated, None) => Err("matrix = \"estimated\" needs an estimator"),
            (_, Some(_)) => Err("an estimator applies only with matrix = \"estimated\""),
        }
    }
}

/// `[detection]`: which scores rank the training samples as likely wrong labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetectionSpec {
    pub scores: Vec<Score>,
    /// Cross-fitting folds for the out-of-sample probabilities.
    pub folds: usize,
}

/// A way to find wrong labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    /// 1 − p(observed label), out of sample (cross-fitted).
    SelfConfidence,
    /// In-sample CE of the run's model against the observed label (the memorization view).
    Loss,
    /// The off-diagonal confident-joint set (cleanlab `find_label_issues`, prune by noise rate).
    ConfidentLearning,
}

impl Score {
    pub const ALL: [Score; 3] = [Score::SelfConfidence, Score::Loss, Score::ConfidentLearning];
    pub fn name(self) -> &'static str {
        match self {
            Score::SelfConfidence => "self_confidence",
            Score::Loss => "loss",
            Score::ConfidentLearning => "confident_learning",
        }
    }
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

/// One value of a swept axis, as written in tables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AxisValue {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
}

impl AxisValue {
    /// The value as a finite number, if it is one.
    pub fn number(&self) -> Option<f64> {
        match self {
            AxisValue::Int(i) => Some(*i as f64),
            AxisValue::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        }
    }
}

impl std::fmt::Display for AxisValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AxisValue::Int(v) => write!(f, "{v}"),
            AxisValue::Float(v) => write!(f, "{v}"),
            AxisValue::Text(v) => write!(f, "{v}"),
            AxisValue::Bool(v) => write!(f, "{v}"),
        }
    }
}

/// One training run of the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// Stable id: a digest of the resolved configuration and the seed.
    pub id: String,
    /// Position in the expanded grid (for display order only).
    pub index: usize,
    /// Repetition seed.
    pub seed: u64,
    pub dataset: DatasetSpec,
    pub noise: NoiseSpec,
    pub model: ModelSpec,
    pub method: MethodSpec,
    /// The run's value on every axis of the grid (key path → value), seed excluded.
    pub axes: Vec<(crate::vocab::axis::Axis, AxisValue)>,
    /// `[detection]`, when the scenario has one (part of the run id only then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<DetectionSpec>,
    /// Folder that relative paths in the scenario are resolved against.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

impl RunSpec {
    /// Canonical JSON of the dataset spec: the key of the data stream and of the dataset cache.
    pub fn dataset_key(&self) -> String {
        serde_json::to_string(&self.dataset).expect("spec serializes")
    }
    pub fn noise_key(&self) -> String {
        serde_json::to_string(&self.noise).expect("spec serializes")
    }
}

/// Which labels the held-out validation samples are scored against (`[selection] validation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationLabels {
    /// Their observed (noisy) labels: what a practitioner has.
    Noisy,
    /// Their true labels: an oracle bound.
    Clean,
}

/// The validation score a selection optimizes (`[selection] metric`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectionScore {
    /// Accuracy on the validation labels: higher wins.
    Accuracy,
    /// Mean negative log-likelihood of the validation labels: lower wins.
    Nll,
}

/// `[selection]`: tuned axes chosen per method family on held-out validation labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SelectionSpec {
    pub validation: ValidationLabels,
    /// Share of the training split held out (n_val = ⌈fraction·n_train⌉).
    pub fraction: f64,
    pub metric: SelectionScore,
    /// Grid axes (model or method settings) chosen on validation instead of compared.
    pub tune: Vec<crate::vocab::axis::Axis>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
