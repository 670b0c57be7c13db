//! `[detection]`: finding the wrong labels. Every run ranks its training samples by each score and
//! is measured against the true flipped set.

use super::DefaultValue as D;
use super::{Key, Range, Ty};

pub const SCORES: &[&str] = &["self_confidence", "loss", "confident_learning"];

pub const SCORE: Key = Key::new(
    "score",
    Ty::Choice(SCORES),
    D::Derived("all three"),
    "scores to compute: self_confidence (out-of-sample p of the observed label), loss (in-sample CE), confident_learning (cleanlab's prune-by-noise-rate set)",
)
.list();
pub const FOLDS: Key = Key::new(
    "folds",
    Ty::Int,
    D::Int(5),
    "cross-fitting folds (stratified) for the out-of-sample probabilities",
)
.range(Range::between(2.0, 100.0), "")
.unit("folds")
.single();

/// Every `[detection]` key, in documentation order.
pub const ALL: &[Key] = &[SCORE, FOLDS];
