//! `[selection]` settings: tuned axes chosen on held-out validation labels.

use serde::{Deserialize, Serialize};

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
