//! The model family, its optimizer and how it is trained.

use serde::{Deserialize, Serialize};

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
