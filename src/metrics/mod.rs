//! Per-run metrics. Their names are a public contract: CSV columns and JSON keys use them as is.

pub mod calibration;

use crate::data::Dataset;
use crate::noise::NoisyLabels;
use crate::train::model::log_proba;
use crate::train::FittedModel;
use ndarray::ArrayView2;
use std::collections::BTreeMap;

/// Every metric with its definition, in table order (README's table is this list).
pub const METRICS: &[(&str, &str)] = &[
    ("test_accuracy", "fraction of clean test samples whose top-1 class is the true class"),
    ("test_nll", "mean −log p(true class) on the test split"),
    ("test_brier", "mean over test samples of Σₖ (pₖ − yₖ)²"),
    ("test_ece", "expected calibration error, top-1 confidence, equal-width bins (lo, hi] (Guo et al. 2017)"),
    ("test_mce", "maximum calibration error over non-empty bins"),
    ("test_ece_pos", "binary only: ECE of P(y = 1) against the frequency of class 1"),
    ("train_loss_corrupted", "mean CE against the observed (wrong) label on corrupted training samples"),
    ("train_loss_clean", "mean CE against the observed label on clean training samples"),
    ("train_loss_corrupted_true", "mean CE against the true label on corrupted training samples"),
    ("memorized", "fraction of corrupted training samples predicted as their observed label"),
    ("recovered", "fraction of corrupted training samples predicted as their true label"),
    ("train_accuracy_observed", "fraction of training samples predicted as their observed label"),
    ("weight_norm", "Frobenius norm of the weights, intercept excluded"),
    ("logit_gap", "mean over training samples of top-1 minus top-2 logit"),
    ("logit_gap_cap", "theoretical optimum gap under smoothing: log(1 + K(1−ε)/ε); binary log((2−ε)/ε)"),
    ("flipped", "realized number of corrupted training labels"),
    ("flip_rate", "realized fraction of corrupted training labels"),
    ("iterations", "optimizer iterations (epochs for mini-batch optimizers)"),
    ("evaluations", "objective-and-gradient evaluations"),
    ("grad_max", "max |∂F/∂θ| at the end (full batch)"),
    ("objective", "final objective F = mean loss + (l2/2)‖W‖²"),
    ("converged", "1 if the gradient tolerance was met (or the mini-batch schedule ended), else 0"),
];

/// Number of calibration bins (Guo et al. 2017).
pub const DEFAULT_ECE_BINS: usize = 15;

/// Name → value; absent metrics (e.g. `test_ece_pos` for K > 2) are not stored.
pub type Metrics = BTreeMap<String, f64>;

/// Evaluation metrics of a fitted model on a dataset with its noisy training labels.
pub fn evaluate(
    model: &FittedModel,
    data: &Dataset,
    noisy: &NoisyLabels,
    logit_gap_cap: Option<f64>,
    ece_bins: usize,
) -> Metrics {
    let mut m = Metrics::new();
    let test_logits = model.logits(data.x_test.view());
    let test_logp = log_proba(&test_logits);
    let test_p = test_logp.mapv(f64::exp);
    let y = &data.y_test;
    m.insert("test_accuracy".into(), accuracy(test_p.view(), y));
    m.insert("test_nll".into(), mean_ce(test_logp.view(), y, |_| true));
    m.insert("test_brier".into(), calibration::brier(test_p.view(), y));
    let (ece, mce) = calibration::ece_mce(test_p.view(), y, ece_bins);
    m.insert("test_ece".into(), ece);
    m.insert("test_mce".into(), mce);
    if data.classes == 2 {
        m.insert(
            "test_ece_pos".into(),
            calibration::ece_positive(test_p.view(), y, ece_bins),
        );
    }

    let train_logits = model.logits(data.x_train.view());
    let train_logp = log_proba(&train_logits);
    let obs = &noisy.observed;
    let corrupted = |i: usize| noisy.corrupted[i];
    let clean = |i: usize| !noisy.corrupted[i];
    if noisy.realized.flipped > 0 {
        m.insert("train_loss_corrupted".into(), mean_ce(train_logp.view(), obs, corrupted));
        m.insert(
            "train_loss_corrupted_true".into(),
            mean_ce(train_logp.view(), &data.y_train, corrupted),
        );
        let pred = predictions(train_logp.view());
        let nc = noisy.realized.flipped as f64;
        let frac = |target: &[usize]| {
            (0..obs.len())
                .filter(|&i| noisy.corrupted[i] && pred[i] == target[i])
                .count() as f64
                / nc
        };
        m.insert("memorized".into(), frac(obs));
        m.insert("recovered".into(), frac(&data.y_train));
    }
    if noisy.realized.flipped < obs.len() {
        m.insert("train_loss_clean".into(), mean_ce(train_logp.view(), obs, clean));
    }
    m.insert("train_accuracy_observed".into(), accuracy(train_logp.view(), obs));
    m.insert("weight_norm".into(), model.weight_norm());
    m.insert("logit_gap".into(), mean_logit_gap(train_logits.view()));
    if let Some(cap) = logit_gap_cap {
        m.insert("logit_gap_cap".into(), cap);
    }
    m.insert("flipped".into(), noisy.realized.flipped as f64);
    m.insert("flip_rate".into(), noisy.realized.rate);
    m
}

/// Top-1 class of each row.
pub fn predictions(scores: ArrayView2<'_, f64>) -> Vec<usize> {
    scores
        .rows()
        .into_iter()
        .map(|r| calibration::argmax(r.iter()).0)
        .collect()
}

/// Fraction of rows whose top-1 class equals the label (scores may be p, log p or logits).
pub fn accuracy(scores: ArrayView2<'_, f64>, labels: &[usize]) -> f64 {
    let pred = predictions(scores);
    pred.iter().zip(labels).filter(|(a, b)| a == b).count() as f64 / labels.len().max(1) as f64
}

/// Mean −log p(label) over the rows selected by `keep`.
pub fn mean_ce(logp: ArrayView2<'_, f64>, labels: &[usize], keep: impl Fn(usize) -> bool) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for (i, &y) in labels.iter().enumerate() {
        if keep(i) {
            sum -= logp[[i, y]];
            n += 1;
        }
    }
    sum / n.max(1) as f64
}

/// Mean over rows of the largest minus the second-largest logit.
pub fn mean_logit_gap(logits: ArrayView2<'_, f64>) -> f64 {
    let n = logits.nrows().max(1) as f64;
    logits
        .rows()
        .into_iter()
        .map(|r| {
            let (mut a, mut b) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
            for &v in r {
                if v > a {
                    b = a;
                    a = v;
                } else if v > b {
                    b = v;
                }
            }
            a - b
        })
        .sum::<f64>()
        / n
}
