//! Training: targets, per-method losses, the fused objective, and the optimizers.

pub mod gap;
pub mod lbfgs;
pub mod loss;
pub mod minibatch;
pub mod model;
pub mod objective;
pub mod targets;

pub use lbfgs::{OptimReport, Termination};
pub use model::FittedModel;

use crate::rng::Rng;
use crate::scenario::spec::{MatrixSource, MethodSpec, ModelKind, ModelSpec, OptimizerSpec};
use crate::vocab::matrix::TransitionMatrix;
use loss::RowLoss;
use ndarray::ArrayView2;
use objective::Objective;
use std::borrow::Cow;
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
    pub true_matrix: Option<&'a TransitionMatrix>,
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
// Over 80 lines: one place wires both optimizer families to the same objective, observer and
// divergence rule; split apart, each half would take a dozen borrowed values.
pub fn fit(input: &FitInput<'_>, observer: &mut Observer<'_>) -> Result<FitOutput, TrainError> {
    let row_loss = resolve_loss(
        input.method,
        input.classes,
        input.model.kind,
        input.true_matrix,
    )?;
    check_labels_possible(&row_loss, input.labels)?;
    let start = start_objective(&row_loss, input.labels, input.classes);
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
            let mut report = lbfgs::minimize(&mut f, &mut theta, &settings, &mut |it, t, fx| {
                observer(&Progress {
                    step: it,
                    objective: fx,
                    theta: t,
                    validation_loss: None,
                })
            });
            report.termination = report.termination.or_diverged(report.objective, start);
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
    let mut out = minibatch::minimize(
        &mut batch,
        spec.early_stopping.then_some(&mut validate),
        &rows,
        &mut theta,
        &settings,
        &mut rng,
        observer,
    );
    let r = &mut out.report;
    r.termination = r.termination.or_diverged(r.objective, start);
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

/// F(0): the objective of the model every fit starts from. All logits are 0 there, so every
/// prediction is uniform over the K classes (a logistic model's too: logits (0, 0)) and the l2 term
/// vanishes; F(0) is the mean over the labels of the loss of a uniform prediction (ln K for
/// cross-entropy), whatever the features. The reference of the divergence rule.
fn start_objective(loss: &RowLoss, labels: &[usize], classes: usize) -> f64 {
    let k = classes;
    let (logp, p) = (vec![-(k as f64).ln(); k], vec![1.0 / k as f64; k]);
    let mut grad = vec![0.0; k];
    let per_class: Vec<f64> = (0..k).map(|y| loss.eval(y, &logp, &p, &mut grad)).collect();
    let total: f64 = labels.iter().map(|&y| per_class[y]).sum();
    total / labels.len().max(1) as f64
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
    true_matrix: Option<&TransitionMatrix>,
) -> Result<RowLoss, TrainError> {
    let _ = kind;
    let pick = |m: &MatrixSource| correction_matrix(m, true_matrix, classes);
    Ok(match method {
        MethodSpec::Ce => RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 }),
        MethodSpec::LabelSmoothing { epsilon, style } => {
            RowLoss::Soft(SmoothedTarget::new(*epsilon, classes, *style))
        }
        MethodSpec::Bootstrap { beta } => RowLoss::Bootstrap { beta: *beta },
        MethodSpec::Gce { q } => RowLoss::Gce { q: *q },
        MethodSpec::ForwardCorrection { matrix } => RowLoss::Forward {
            ln_t: pick(matrix)?.entries().iter().map(|v| v.ln()).collect(),
            classes,
        },
        MethodSpec::BackwardCorrection { matrix } => {
            let t = pick(matrix)?;
            let inv = t.inverse().ok_or_else(|| {
                TrainError::Invalid(
                    "backward correction needs an invertible noise matrix; this one is singular \
                     (for symmetric noise: rate = (K−1)/K)"
                        .into(),
                )
            })?;
            RowLoss::Backward {
                t_inv: inv.to_vec(),
                classes,
            }
        }
    })
}

/// The matrix a correction uses: the one given in the scenario (checked there; checked again here
/// for callers of the library) or the noise model's, K×K for this dataset.
fn correction_matrix<'t>(
    source: &MatrixSource,
    true_matrix: Option<&'t TransitionMatrix>,
    classes: usize,
) -> Result<Cow<'t, TransitionMatrix>, TrainError> {
    let t = match source {
        MatrixSource::Given(rows) => {
            Cow::Owned(TransitionMatrix::new(rows).map_err(|problems| {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                TrainError::Invalid(format!("method.matrix: {}", list.join("; ")))
            })?)
        }
        MatrixSource::Estimated(_) => return Err(unresolved_estimate()),
        MatrixSource::True => Cow::Borrowed(true_matrix.ok_or_else(|| {
            TrainError::Invalid(
                "matrix = \"true\" needs a class-conditional noise kind (none, symmetric, \
                 pairflip, asymmetric, matrix); give the matrix explicitly for instance or \
                 boundary noise"
                    .into(),
            )
        })?),
    };
    if t.classes() != classes {
        return Err(TrainError::Invalid(format!(
            "the correction matrix must be {classes}×{classes} for this dataset"
        )));
    }
    Ok(t)
}

/// `matrix = "estimated"` reaches the trainer only resolved to the estimate (a given matrix).
fn unresolved_estimate() -> TrainError {
    TrainError::Invalid(
        "matrix = \"estimated\" is estimated before the fit: pass the method resolved by \
         engine::estimated::resolve"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// F(0) from the labels alone equals the fused objective evaluated at θ = 0 on real features,
    /// and is ln K for cross-entropy.
    #[test]
    fn start_objective_is_the_objective_at_zero() {
        let (n, d, k) = (12, 3, 3);
        let x = Array2::from_shape_fn((n, d), |(i, j)| ((i * 7 + j * 3) % 5) as f64 - 2.0);
        let y: Vec<usize> = (0..n).map(|i| (i * i) % k).collect();
        let t = TransitionMatrix::new(&[
            vec![0.7, 0.2, 0.1],
            vec![0.1, 0.8, 0.1],
            vec![0.0, 0.3, 0.7],
        ])
        .unwrap();
        let losses = [
            RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 }),
            RowLoss::Gce { q: 0.7 },
            RowLoss::Bootstrap { beta: 0.8 },
            RowLoss::Forward {
                ln_t: t.entries().iter().map(|v| v.ln()).collect(),
                classes: k,
            },
            RowLoss::Backward {
                t_inv: t.inverse().unwrap().to_vec(),
                classes: k,
            },
        ];
        for loss in losses {
            let start = start_objective(&loss, &y, k);
            let mut objective = Objective::new(x.view(), &y, k, k, loss, 0.5);
            let mut grad = vec![0.0; objective.n_params()];
            let at_zero = objective.value_grad(&vec![0.0; grad.len()], &mut grad);
            assert!((start - at_zero).abs() < 1e-12, "{start} vs {at_zero}");
        }
        let ce = RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 });
        assert!((start_objective(&ce, &y, k) - 3f64.ln()).abs() < 1e-15);
    }
}
