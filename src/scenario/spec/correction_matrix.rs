//! Where a correction method's noise matrix comes from, and how it is written flat in records.

use serde::{Deserialize, Serialize};

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
