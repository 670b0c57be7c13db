//! Training: targets, per-method losses, the fused objective, and the optimizers.

pub mod lbfgs;
pub mod loss;
mod matrix;
pub mod model;
pub mod objective;
pub mod targets;

pub use lbfgs::{OptimReport, Termination};
pub use model::FittedModel;

use crate::scenario::spec::{MatrixSource, MethodSpec, ModelKind, ModelSpec, OptimizerSpec};
use loss::RowLoss;
use ndarray::ArrayView2;
use objective::Objective;
use targets::SmoothedTarget;
use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum TrainError {
    #[error("{0}")]
    Invalid(String),
    #[error("optimizer `{0}` is not available in this build")]
    Unsupported(String),
}

/// What a fit needs besides the features: the labels it trains on and the noise matrix that
/// correction methods may use.
pub struct FitInput<'a> {
    pub x: ArrayView2<'a, f64>,
    pub labels: &'a [usize],
    pub classes: usize,
    pub model: &'a ModelSpec,
    pub method: &'a MethodSpec,
    /// The scenario's expected noise matrix, for `matrix = "true"` corrections.
    pub true_matrix: Option<&'a [Vec<f64>]>,
}

/// A fitted model and the optimizer's account of how it got there.
#[derive(Clone, Debug)]
pub struct FitOutput {
    pub model: FittedModel,
    pub report: OptimReport,
}

/// Observer of training progress: (step, objective, θ). Used for traces.
pub type Observer<'o> = dyn FnMut(usize, f64, &[f64]) + 'o;

/// Fits the model by the configured optimizer from θ = 0.
pub fn fit(input: &FitInput<'_>, observer: &mut Observer<'_>) -> Result<FitOutput, TrainError> {
    let row_loss = resolve_loss(input.method, input.classes, input.model.kind, input.true_matrix)?;
    let c = model::outputs(input.model.kind, input.classes);
    let d = input.x.ncols();
    let mut objective = Objective::new(
        input.x,
        input.labels,
        input.classes,
        c,
        row_loss,
        input.model.l2,
    );
    let mut theta = vec![0.0; objective.n_params()];
    let report = match &input.model.optimizer {
        OptimizerSpec::Lbfgs { history } => {
            let settings =
                lbfgs::LbfgsSettings::new(*history, input.model.max_iter, input.model.tolerance);
            let mut f = |t: &[f64], g: &mut [f64]| objective.value_grad(t, g);
            lbfgs::minimize(&mut f, &mut theta, &settings, &mut |it, t, fx| observer(it, fx, t))
        }
        other => {
            let name = serde_json::to_value(other).expect("serializes")["optimizer"]
                .as_str()
                .unwrap_or("?")
                .to_string();
            return Err(TrainError::Unsupported(name));
        }
    };
    Ok(FitOutput {
        model: FittedModel::from_theta(input.model.kind, input.classes, d, &theta),
        report,
    })
}

/// The per-sample loss of a method for K classes.
pub fn resolve_loss(
    method: &MethodSpec,
    classes: usize,
    kind: ModelKind,
    true_matrix: Option<&[Vec<f64>]>,
) -> Result<RowLoss, TrainError> {
    let _ = kind;
    let pick = |m: &MatrixSource| -> Result<Vec<Vec<f64>>, TrainError> {
        match m {
            MatrixSource::Given(t) => Ok(t.clone()),
            MatrixSource::True => true_matrix.map(<[Vec<f64>]>::to_vec).ok_or_else(|| {
                TrainError::Invalid(
                    "matrix = \"true\" needs a class-conditional noise kind (none, symmetric, \
                     pairflip, asymmetric, matrix); give the matrix explicitly for instance or \
                     boundary noise"
                        .into(),
                )
            }),
        }
    };
    let check_shape = |t: &Vec<Vec<f64>>| {
        if t.len() != classes || t.iter().any(|r| r.len() != classes) {
            Err(TrainError::Invalid(format!(
                "the correction matrix must be {classes}×{classes} for this dataset"
            )))
        } else {
            Ok(())
        }
    };
    Ok(match method {
        MethodSpec::Ce => RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 }),
        MethodSpec::LabelSmoothing { epsilon, style } => {
            RowLoss::Soft(SmoothedTarget::new(*epsilon, classes, *style))
        }
        MethodSpec::Bootstrap { beta } => RowLoss::Bootstrap { beta: *beta },
        MethodSpec::Gce { q } => RowLoss::Gce { q: *q },
        MethodSpec::ForwardCorrection { matrix } => {
            let t = pick(matrix)?;
            check_shape(&t)?;
            RowLoss::Forward {
                ln_t: t.iter().flatten().map(|v| v.ln()).collect(),
                classes,
            }
        }
        MethodSpec::BackwardCorrection { matrix } => {
            let t = pick(matrix)?;
            check_shape(&t)?;
            let inv = matrix::invert(&t).ok_or_else(|| {
                TrainError::Invalid(
                    "backward correction needs an invertible noise matrix; this one is singular \
                     (for symmetric noise: rate = (K−1)/K)"
                        .into(),
                )
            })?;
            RowLoss::Backward {
                t_inv: inv.into_iter().flatten().collect(),
                classes,
            }
        }
    })
}
