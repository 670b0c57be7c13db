//! `[selection]`: hyperparameters chosen on held-out validation labels instead of compared.

use super::DefaultValue as D;
use super::{Key, Range, Ty};

/// Which labels the held-out samples are scored against.
pub const VALIDATION_MODES: &[&str] = &["noisy", "clean"];
/// The validation score a choice maximizes (accuracy) or minimizes (nll).
pub const SCORES: &[&str] = &["accuracy", "nll"];

pub const VALIDATION: Key = Key::new(
    "validation",
    Ty::Choice(VALIDATION_MODES),
    D::Str("noisy"),
    "noisy: held-out samples scored on their observed labels (what a practitioner has); clean: the same samples on their true labels (an oracle bound)",
)
.single();
pub const FRACTION: Key = Key::new(
    "fraction",
    Ty::Float,
    D::Float(0.2),
    "share of the training split held out per repetition, stratified on observed labels, never trained on (ceil, as scikit-learn)",
)
.range(Range::FRACTION, "a fraction in (0, 1)")
.single();
pub const METRIC: Key = Key::new(
    "metric",
    Ty::Choice(SCORES),
    D::Str("accuracy"),
    "validation score: accuracy (higher wins) or nll (lower wins); ties go to the larger l2, then the smaller absolute ε, then grid order",
)
.single();
pub const TUNE: Key = Key::new(
    "tune",
    Ty::Names,
    D::None,
    "grid axes chosen per method family on validation (model or method settings, e.g. \"model.l2\", \"method.epsilon\")",
);

/// Every `[selection]` key, in documentation order.
pub const ALL: &[Key] = &[VALIDATION, FRACTION, METRIC, TUNE];
