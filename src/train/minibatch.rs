//! Mini-batch optimizers: SGD with heavy-ball momentum and Adam, written to match PyTorch's
//! `torch.optim.SGD` and `torch.optim.Adam` update rules step for step.
//!
//! An epoch shuffles the training rows (the run's `"train"` stream, keyed by dataset and noise only,
//! so every method of a repetition sees the same batch order), cuts them into consecutive batches of
//! `batch_size` (the last one may be smaller, PyTorch `drop_last = False`) and takes one step per
//! batch on F_B(θ) = mean loss over the batch + (l2/2)‖W‖². The l2 term is in the gradient, so it acts
//! as PyTorch's coupled `weight_decay = l2` on W (Adam, not AdamW); the intercept is not decayed.
//!
//! Hand-written (a few lines per rule) rather than taken from a crate: no Rust optimizer crate
//! works on our flat θ with our fused mini-batch objective without copying per step.

use super::lbfgs::{max_abs, OptimReport, Termination};
use super::Progress;
use crate::rng::Rng;
use crate::scenario::spec::Schedule;
use rand::seq::SliceRandom;

/// Adam's constants: PyTorch and Keras defaults (Kingma & Ba 2015).
pub const ADAM_BETA1: f64 = 0.9;
pub const ADAM_BETA2: f64 = 0.999;
pub const ADAM_EPS: f64 = 1e-8;

/// The update rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// `torch.optim.SGD(lr=η, momentum=μ)` (dampening 0, no Nesterov): v ← μ·v + g, θ ← θ − η·v,
    /// with v = g at the first step (v starts at 0, so the formula gives the same).
    Sgd { momentum: f64 },
    /// `torch.optim.Adam(lr=η)`: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ),
    /// v̂ = v/(1−β₂ᵗ), θ ← θ − η·m̂/(√v̂ + ε), t counting steps from 1.
    Adam,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub schedule: Schedule,
    pub rule: Rule,
    /// Stop after this many epochs without a lower validation loss (requires a validation function).
    pub patience: Option<usize>,
}

/// Learning rate of epoch `e` (0-based) of `epochs`. Cosine: η·(1 + cos(π·e/E))/2, PyTorch
/// `CosineAnnealingLR(T_max = epochs, eta_min = 0)` stepped once per epoch.
pub fn learning_rate(s: &Settings, e: usize) -> f64 {
    match s.schedule {
        Schedule::Constant => s.learning_rate,
        Schedule::Cosine => {
            let frac = e as f64 / s.epochs.max(1) as f64;
            s.learning_rate * 0.5 * (1.0 + (std::f64::consts::PI * frac).cos())
        }
    }
}

/// Splits rows 0..n into (training rows, held-out rows): a uniformly random subset of
/// round(fraction·n) rows (at least 1, and at least 1 left to train on) is held out. Both lists are
/// ascending, so batch order depends only on the stream.
pub fn holdout(n: usize, fraction: f64, rng: &mut Rng) -> Result<(Vec<usize>, Vec<usize>), String> {
    if n < 2 {
        return Err(format!(
            "early stopping needs at least 2 training samples to hold some out, found {n}"
        ));
    }
    let m = ((fraction * n as f64).round() as usize).clamp(1, n - 1);
    let mut held = vec![false; n];
    for i in rand::seq::index::sample(rng, n, m) {
        held[i] = true;
    }
    let fit = (0..n).filter(|&i| !held[i]).collect();
    let val = (0..n).filter(|&i| held[i]).collect();
    Ok((fit, val))
}

/// How a mini-batch run ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// `iterations` = epochs run; `evaluations` = batch gradients + 1 final full pass; `objective`
    /// and `grad_max` are F and max |∇F| over all training rows at the returned θ.
    pub report: OptimReport,
    /// With early stopping: the epoch whose weights are returned (lowest validation loss; 0 if no
    /// epoch produced a finite one, i.e. θ = 0), its validation loss and the last epoch run.
    pub best_epoch: Option<usize>,
    pub best_validation: Option<f64>,
    pub stopped_epoch: Option<usize>,
}

/// Runs the optimizer on `theta` in place.
///
/// `batch(θ, rows, ∇)` returns F over `rows` and writes its gradient; `validate(θ)` returns the
/// held-out loss watched by early stopping. `observer` is called after every epoch with the epoch
/// (1-based), the epoch's running objective (batch objectives averaged with weights |B|/n, the
/// usual "training loss" of an epoch), θ and the validation loss.
// Over 80 lines: one epoch loop whose divergence, early-stopping and running-objective
// bookkeeping share its state; split apart, each part would borrow most of it.
pub fn minimize<B, V>(
    batch: &mut B,
    mut validate: Option<&mut V>,
    rows: &[usize],
    theta: &mut [f64],
    s: &Settings,
    rng: &mut Rng,
    observer: &mut dyn FnMut(&Progress<'_>),
) -> Outcome
where
    B: FnMut(&[f64], &[usize], &mut [f64]) -> f64,
    V: FnMut(&[f64]) -> f64,
{
    let p = theta.len();
    let mut order = rows.to_vec();
    let mut grad = vec![0.0; p];
    let mut m1 = vec![0.0; p]; // SGD velocity, or Adam's first moment
    let mut m2 = vec![0.0; if s.rule == Rule::Adam { p } else { 0 }];
    let mut steps = 0usize;
    let mut evaluations = 0usize;
    let (mut best, mut best_epoch, mut wait) = (f64::INFINITY, 0usize, 0usize);
    let mut best_theta = validate.as_ref().map(|_| theta.to_vec());
    let mut termination = Termination::EpochsCompleted;
    let mut epochs_run = 0;
    let batch_size = s.batch_size.max(1);
    let n = rows.len().max(1) as f64;
    'epochs: for epoch in 1..=s.epochs {
        let lr = learning_rate(s, epoch - 1);
        order.shuffle(rng);
        let mut running = 0.0;
        for b in order.chunks(batch_size) {
            let f = batch(theta, b, &mut grad);
            evaluations += 1;
            if !f.is_finite() {
                termination = Termination::Diverged;
                epochs_run = epoch;
                break 'epochs;
            }
            running += f * b.len() as f64 / n;
            steps += 1;
            step(s.rule, lr, steps, &grad, &mut m1, &mut m2, theta);
        }
        epochs_run = epoch;
        let val = validate.as_mut().map(|v| v(theta));
        let mut stop = false;
        if let (Some(v), Some(keep)) = (val, best_theta.as_mut()) {
            if v < best {
                (best, best_epoch, wait) = (v, epoch, 0);
                keep.copy_from_slice(theta);
            } else {
                wait += 1;
                stop = s.patience.is_some_and(|pat| wait >= pat);
            }
        }
        observer(&Progress {
            step: epoch,
            objective: running,
            theta,
            validation_loss: val,
        });
        if stop {
            termination = Termination::EarlyStopped;
            break;
        }
    }
    if let Some(keep) = &best_theta {
        theta.copy_from_slice(keep);
    }
    let objective = batch(theta, rows, &mut grad);
    evaluations += 1;
    if !objective.is_finite() {
        termination = Termination::Diverged;
    }
    let early = best_theta.is_some();
    Outcome {
        report: OptimReport {
            iterations: epochs_run,
            evaluations,
            grad_max: max_abs(&grad),
            objective,
            termination,
        },
        best_epoch: early.then_some(best_epoch),
        best_validation: (early && best_epoch > 0).then_some(best),
        stopped_epoch: early.then_some(epochs_run),
    }
}

/// One update of θ from the gradient `g` at step `t` (1-based).
fn step(
    rule: Rule,
    lr: f64,
    t: usize,
    g: &[f64],
    m1: &mut [f64],
    m2: &mut [f64],
    theta: &mut [f64],
) {
    match rule {
        Rule::Sgd { momentum } => {
            for i in 0..theta.len() {
                m1[i] = momentum * m1[i] + g[i];
                theta[i] -= lr * m1[i];
            }
        }
        Rule::Adam => {
            let c1 = 1.0 - ADAM_BETA1.powi(t as i32);
            let c2 = 1.0 - ADAM_BETA2.powi(t as i32);
            for i in 0..theta.len() {
                m1[i] = ADAM_BETA1 * m1[i] + (1.0 - ADAM_BETA1) * g[i];
                m2[i] = ADAM_BETA2 * m2[i] + (1.0 - ADAM_BETA2) * g[i] * g[i];
                theta[i] -= lr * (m1[i] / c1) / ((m2[i] / c2).sqrt() + ADAM_EPS);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(rule: Rule, epochs: usize, batch_size: usize, lr: f64) -> Settings {
        Settings {
            epochs,
            batch_size,
            learning_rate: lr,
            schedule: Schedule::Constant,
            rule,
            patience: None,
        }
    }

    fn no_validation() -> Option<&'static mut fn(&[f64]) -> f64> {
        None
    }

    /// A constant gradient g makes heavy-ball velocity a geometric sum: after t steps
    /// θ_t = θ₀ − η·g·Σ_{s=1..t} (1−μˢ)/(1−μ).
    #[test]
    fn sgd_momentum_matches_the_geometric_closed_form() {
        let (g, lr, mu) = (0.5, 0.1, 0.9);
        let mut f = |t: &[f64], _: &[usize], gr: &mut [f64]| {
            gr[0] = g;
            g * t[0]
        };
        let mut theta = [0.0];
        let s = settings(Rule::Sgd { momentum: mu }, 3, 2, lr); // 4 rows → 2 steps per epoch
        let mut rng = crate::rng::derive("test", 0, &[]);
        let out = minimize(
            &mut f,
            no_validation(),
            &[0, 1, 2, 3],
            &mut theta,
            &s,
            &mut rng,
            &mut |_| {},
        );
        let expected: f64 = -(1..=6)
            .map(|t| lr * g * (1.0 - mu.powi(t)) / (1.0 - mu))
            .sum::<f64>();
        assert!(
            (theta[0] - expected).abs() < 1e-14,
            "{} vs {expected}",
            theta[0]
        );
        assert_eq!(out.report.iterations, 3);
        assert_eq!(out.report.evaluations, 7);
        assert_eq!(out.report.termination, Termination::EpochsCompleted);
    }

    /// With a constant gradient, m̂ = g and v̂ = g² at every step, so each Adam step moves θ by
    /// η·g/(|g| + ε), whatever β₁, β₂.
    #[test]
    fn adam_steps_are_lr_times_sign_for_a_constant_gradient() {
        let (g, lr) = (-3.0, 0.01);
        let mut f = |_: &[f64], _: &[usize], gr: &mut [f64]| {
            gr[0] = g;
            0.0
        };
        let mut theta = [1.0];
        let s = settings(Rule::Adam, 5, 1, lr);
        let mut rng = crate::rng::derive("test", 0, &[]);
        minimize(
            &mut f,
            no_validation(),
            &[0, 1],
            &mut theta,
            &s,
            &mut rng,
            &mut |_| {},
        );
        let expected = 1.0 + 10.0 * lr * 3.0 / (3.0 + ADAM_EPS);
        assert!(
            (theta[0] - expected).abs() < 1e-12,
            "{} vs {expected}",
            theta[0]
        );
    }

    #[test]
    fn cosine_schedule_matches_pytorch_cosine_annealing() {
        let mut s = settings(Rule::Adam, 4, 1, 0.2);
        s.schedule = Schedule::Cosine;
        // η_e = η·(1 + cos(π e / 4))/2 for e = 0..3.
        let want = [
            0.2,
            0.1 * (1.0 + 0.5f64.sqrt()),
            0.1,
            0.1 * (1.0 - 0.5f64.sqrt()),
        ];
        for (e, w) in want.iter().enumerate() {
            assert!((learning_rate(&s, e) - w).abs() < 1e-15);
        }
    }

    /// Validation loss (θ − 3)² with SGD walking θ up by 1 per epoch: best at epoch 3, patience 2
    /// stops at epoch 5, and θ = 3 is restored.
    #[test]
    fn early_stopping_restores_the_best_epoch() {
        let mut f = |_: &[f64], _: &[usize], gr: &mut [f64]| {
            gr[0] = -1.0;
            0.0
        };
        let mut val = |t: &[f64]| (t[0] - 3.0).powi(2);
        let mut s = settings(Rule::Sgd { momentum: 0.0 }, 50, 10, 1.0);
        s.patience = Some(2);
        let mut theta = [0.0];
        let mut seen = Vec::new();
        let mut rng = crate::rng::derive("test", 0, &[]);
        let out = minimize(
            &mut f,
            Some(&mut val),
            &[0],
            &mut theta,
            &s,
            &mut rng,
            &mut |p| seen.push((p.step, p.validation_loss.unwrap())),
        );
        assert_eq!(seen, vec![(1, 4.0), (2, 1.0), (3, 0.0), (4, 1.0), (5, 4.0)]);
        assert_eq!(theta[0], 3.0);
        assert_eq!(out.best_epoch, Some(3));
        assert_eq!(out.stopped_epoch, Some(5));
        assert_eq!(out.best_validation, Some(0.0));
        assert_eq!(out.report.termination, Termination::EarlyStopped);
    }

    #[test]
    fn every_row_is_in_exactly_one_batch_per_epoch() {
        let mut counts = [0usize; 10];
        let mut f = |_: &[f64], b: &[usize], gr: &mut [f64]| {
            gr[0] = 0.0;
            if b.len() < 10 {
                b.iter().for_each(|&i| counts[i] += 1);
            }
            0.0
        };
        let s = settings(Rule::Sgd { momentum: 0.9 }, 3, 4, 0.1);
        let mut rng = crate::rng::derive("test", 0, &[]);
        let rows: Vec<usize> = (0..10).collect();
        minimize(
            &mut f,
            no_validation(),
            &rows,
            &mut [0.0],
            &s,
            &mut rng,
            &mut |_| {},
        );
        assert_eq!(counts, [3; 10]);
    }

    #[test]
    fn a_non_finite_objective_stops_and_is_reported() {
        let mut calls = 0;
        let mut f = |_: &[f64], _: &[usize], gr: &mut [f64]| {
            calls += 1;
            gr[0] = 1.0;
            if calls >= 5 {
                f64::NAN
            } else {
                0.0
            }
        };
        let s = settings(Rule::Sgd { momentum: 0.0 }, 10, 1, 0.1);
        let mut rng = crate::rng::derive("test", 0, &[]);
        let mut epochs_seen = 0;
        let out = minimize(
            &mut f,
            no_validation(),
            &[0, 1],
            &mut [0.0],
            &s,
            &mut rng,
            &mut |_| epochs_seen += 1,
        );
        assert_eq!(out.report.termination, Termination::Diverged);
        assert!(!out.report.converged());
        assert_eq!(out.report.iterations, 3, "the 5th batch is in epoch 3");
        assert_eq!(epochs_seen, 2, "only completed epochs are observed");
    }

    #[test]
    fn holdout_sizes_and_disjointness() {
        let mut rng = crate::rng::derive("test", 1, &[]);
        let (fit, val) = holdout(103, 0.1, &mut rng).unwrap();
        assert_eq!(val.len(), 10);
        assert_eq!(fit.len(), 93);
        let mut all: Vec<usize> = fit.iter().chain(&val).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        assert!(holdout(1, 0.5, &mut rng).is_err());
        assert_eq!(holdout(2, 0.01, &mut rng).unwrap().1.len(), 1);
    }
}
