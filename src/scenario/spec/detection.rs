//! `[detection]` settings: which scores rank training samples as likely wrong labels.

use serde::{Deserialize, Serialize};

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
