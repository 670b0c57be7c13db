//! Training: targets, per-method losses, the fused objective, and the optimizers.

pub mod gap;
pub mod lbfgs;
pub mod loss;
mod matrix;
pub mod minibatch;
pub mod model;
pub mod objective;
pub mod targets;

pub use lbfgs::{OptimReport, Termination};
pub use model::FittedModel;

use crate::rng::Rng;
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
    /// The run's `"train"` stream (`rng::derive("train", seed, [dataset, noise])`): the held-out
    /// split and the batch order of mini-batch optimizers. Unused by L-BFGS.
    pub train_rng: Rng,
}

/// A fitted model and the optimizer's account of how it got there.
#[derive(Clone, Debug)]
pub struct FitOutput {
    pub model: FittedModel,
    pub report: OptimReport,
    /// Set when early stopping was on.
    pub early_stopping: Option<EarlyStopping>,
}

/// What early stopping saw. The returned model has the weights of `best_epoch`.
#[derive(Clone, Debug, PartialEq)]
pub struct EarlyStopping {
    /// Last epoch trained (the configured number of epochs if patience never ran out).
    pub stopped_epoch: usize,
    /// Epoch with the lowest held-out loss, whose weights are returned (0: none was finite).
    pub best_epoch: usize,
    /// That loss: mean CE against the held-out *noisy* labels.
    pub validation_loss: Option<f64>,
    /// Number of held-out training samples (not trained on).
    pub validation_size: usize,
}

/// Progress of a fit, as seen by an [`Observer`].
pub struct Progress<'t> {
    /// L-BFGS iteration, or mini-batch epoch (both from 1).
    pub step: usize,
    /// L-BFGS: F(θ) over the training rows. Mini-batch: the epoch's running objective, the batch
    /// objectives F_B averaged with weights |B|/n (what a training loop prints as its epoch loss).
    pub objective: f64,
    pub theta: &'t [f64],
    /// Early stopping only: mean CE of the held-out samples against their noisy labels.
    pub validation_loss: Option<f64>,
}

/// Observer of training progress, called after every iteration (L-BFGS) or epoch (mini-batch).
pub type Observer<'o> = dyn FnMut(&Progress<'_>) + 'o;

/// Fits the model by the configured optimizer from θ = 0.
pub fn fit(input: &FitInput<'_>, observer: &mut Observer<'_>) -> Result<FitOutput, TrainError> {
    let row_loss = resolve_loss(
        input.method,
        input.classes,
        input.model.kind,
        input.true_matrix,
    )?;
    check_labels_possible(&row_loss, input.labels)?;
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
    let spec = input.model;
    let (rule, epochs, batch_size, learning_rate, schedule) = match &spec.optimizer {
        OptimizerSpec::Lbfgs { history } => {
            let settings = lbfgs::LbfgsSettings::new(*history, spec.max_iter, spec.tolerance);
            let mut f = |t: &[f64], g: &mut [f64]| objective.value_grad(t, g);
            let report = lbfgs::minimize(&mut f, &mut theta, &settings, &mut |it, t, fx| {
                observer(&Progress {
                    step: it,
                    objective: fx,
                    theta: t,
                    validation_loss: None,
                })
            });
            return Ok(FitOutput {
                model: FittedModel::from_theta(spec.kind, input.classes, d, &theta),
                report,
                early_stopping: None,
            });
        }
        OptimizerSpec::Sgd {
            epochs,
            batch_size,
            learning_rate,
            momentum,
            schedule,
        } => (
            minibatch::Rule::Sgd {
                momentum: *momentum,
            },
            epochs,
            batch_size,
            learning_rate,
            schedule,
        ),
        OptimizerSpec::Adam {
            epochs,
            batch_size,
            learning_rate,
            schedule,
        } => (
            minibatch::Rule::Adam,
            epochs,
            batch_size,
            learning_rate,
            schedule,
        ),
    };
    let settings = minibatch::Settings {
        epochs: *epochs,
        batch_size: *batch_size,
        learning_rate: *learning_rate,
        schedule: *schedule,
        rule,
        patience: spec.early_stopping.then_some(spec.patience),
    };
    let mut rng = input.train_rng.clone();
    let n = input.labels.len();
    let (rows, held_out) = if spec.early_stopping {
        minibatch::holdout(n, spec.validation_fraction, &mut rng).map_err(TrainError::Invalid)?
    } else {
        ((0..n).collect(), Vec::new())
    };
    // The watched quantity is plain CE against the noisy labels whatever the method, so every
    // method stops by the same rule (a practitioner's noisy validation set).
    let hard = RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 });
    let mut held = Objective::new(input.x, input.labels, input.classes, c, hard, 0.0);
    let mut scratch = vec![0.0; theta.len()];
    let mut validate = |t: &[f64]| held.value_grad_rows(t, &held_out, &mut scratch);
    let mut batch = |t: &[f64], r: &[usize], g: &mut [f64]| objective.value_grad_rows(t, r, g);
    let out = minibatch::minimize(
        &mut batch,
        spec.early_stopping.then_some(&mut validate),
        &rows,
        &mut theta,
        &settings,
        &mut rng,
        observer,
    );
    Ok(FitOutput {
        model: FittedModel::from_theta(spec.kind, input.classes, d, &theta),
        report: out.report,
        early_stopping: spec.early_stopping.then(|| EarlyStopping {
            stopped_epoch: out.stopped_epoch.unwrap_or(0),
            best_epoch: out.best_epoch.unwrap_or(0),
            validation_loss: out.best_validation,
            validation_size: held_out.len(),
        }),
    })
}

/// Forward correction gives an observed label j the probability Σᵢ pᵢ T[i][j]; if column j of T is
/// zero, a sample labelled j has infinite loss whatever the model. Reported before training.
fn check_labels_possible(loss: &RowLoss, labels: &[usize]) -> Result<(), TrainError> {
    if let RowLoss::Forward { ln_t, classes } = loss {
        let k = *classes;
        let mut seen = vec![false; k];
        labels.iter().for_each(|&y| seen[y] = true);
        if let Some(j) =
            (0..k).find(|&j| seen[j] && (0..k).all(|i| ln_t[i * k + j] == f64::NEG_INFINITY))
        {
            return Err(TrainError::Invalid(format!(
                "forward correction: column {j} of the noise matrix is all zero, so the observed \
                 label {j} (present in the training labels) would have probability 0 and infinite loss"
            )));
        }
    }
    Ok(())
}

/// True when the objective provably has no finite minimizer at the fitted point: hard targets
/// (`ce`, or label smoothing with ε = 0), no penalty, and every training sample already predicted
/// as its observed label. Then scaling W and b up lowers every sample's loss, so the weights grow
/// without bound and whatever the optimizer returned depends only on its tolerance.
pub fn lacks_finite_optimum(method: &MethodSpec, l2: f64, train_accuracy_observed: f64) -> bool {
    l2 == 0.0 && method.is_baseline() && train_accuracy_observed >= 1.0
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
