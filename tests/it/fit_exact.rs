//! The training core against independent facts: finite differences, linfa-logistic, the
//! logistic/softmax equivalence, and the closed-form free-logit optimum of label smoothing's gap.

use approx::assert_abs_diff_eq;
use labelnoise::data::{standardize, Dataset};
use labelnoise::scenario::spec::*;
use labelnoise::train::loss::RowLoss;
use labelnoise::train::objective::Objective;
use labelnoise::train::targets::SmoothedTarget;
use labelnoise::train::{fit, FitInput, Progress, Termination};
use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};

fn blobs(n: usize, k: usize, d: usize, seed: u64) -> Dataset {
    let spec = DatasetSpec {
        source: DataSource::Blobs {
            classes: k,
            features: d,
            separation: 1.0,
        },
        train: Some(n),
        test: Some(10),
        test_fraction: 0.25,
        standardize: true,
        noise_stream: Default::default(),
    };
    labelnoise::data::build(&spec, std::path::Path::new("."), seed).unwrap()
}

fn model(kind: ModelKind, l2: f64, max_iter: usize, tolerance: f64) -> ModelSpec {
    ModelSpec {
        kind,
        l2,
        max_iter,
        tolerance,
        optimizer: OptimizerSpec::Lbfgs { history: 10 },
        trace: false,
        trace_every: 1,
        early_stopping: false,
        validation_fraction: 0.1,
        patience: 10,
    }
}

fn ls(epsilon: f64) -> MethodSpec {
    MethodSpec::LabelSmoothing {
        epsilon,
        style: SmoothingStyle::Uniform,
    }
}

fn no_trace() -> impl FnMut(&Progress<'_>) {
    |_| {}
}

/// Central finite differences of the objective against its analytic gradient.
fn check_gradient(x: &Array2<f64>, y: &[usize], k: usize, outputs: usize, eps: f64, l2: f64) {
    let loss = RowLoss::Soft(SmoothedTarget::new(eps, k, SmoothingStyle::Uniform));
    let mut obj = Objective::new(x.view(), y, k, outputs, loss, l2);
    let n = obj.n_params();
    let theta: Vec<f64> = (0..n)
        .map(|i| ((i * 7919 % 13) as f64 - 6.0) / 10.0)
        .collect();
    let mut grad = vec![0.0; n];
    obj.value_grad(&theta, &mut grad);
    let mut scratch = vec![0.0; n];
    for i in 0..n {
        let h = 1e-6;
        let mut tp = theta.clone();
        tp[i] += h;
        let fp = obj.value_grad(&tp, &mut scratch);
        tp[i] -= 2.0 * h;
        let fm = obj.value_grad(&tp, &mut scratch);
        let fd = (fp - fm) / (2.0 * h);
        assert_abs_diff_eq!(grad[i], fd, epsilon = 1e-7);
    }
}

#[test]
fn gradient_equals_finite_differences_softmax_and_logistic() {
    let data = blobs(300, 3, 4, 1);
    check_gradient(&data.x_train, &data.y_train, 3, 3, 0.1, 0.05);
    check_gradient(&data.x_train, &data.y_train, 3, 3, 0.0, 0.0);
    let bin = blobs(300, 2, 4, 2);
    check_gradient(&bin.x_train, &bin.y_train, 2, 1, 0.2, 0.05);
    check_gradient(&bin.x_train, &bin.y_train, 2, 1, 0.0, 0.0);
}

#[test]
fn hard_target_softmax_matches_linfa_logistic() {
    // linfa minimizes Σᵢ CEᵢ + (α/2)‖W‖²; we minimize (1/n)Σᵢ CEᵢ + (l2/2)‖W‖²: l2 = α/n.
    let data = blobs(400, 3, 5, 3);
    let n = data.y_train.len() as f64;
    let alpha = 2.0;
    let ds = linfa::Dataset::new(data.x_train.clone(), Array1::from(data.y_train.clone()));
    let theirs = MultiLogisticRegression::default()
        .alpha(alpha)
        .max_iterations(2000)
        .gradient_tolerance(1e-10)
        .fit(&ds)
        .unwrap();
    let spec = model(ModelKind::Softmax, alpha / n, 2000, 1e-12);
    let ours = fit(
        &FitInput {
            x: data.x_train.view(),
            labels: &data.y_train,
            classes: 3,
            model: &spec,
            method: &MethodSpec::Ce,
            true_matrix: None,
            train_rng: labelnoise::rng::derive("train", 0, &[]),
        },
        &mut no_trace(),
    )
    .unwrap();
    assert!(ours.report.converged(), "{:?}", ours.report);
    let p_ours = ours.model.predict_proba(data.x_train.view());
    let p_theirs = theirs.predict_probabilities(&data.x_train);
    for (a, b) in p_ours.iter().zip(p_theirs.iter()) {
        assert_abs_diff_eq!(a, b, epsilon = 1e-6);
    }
    // Objective of linfa's parameters under our (mean) objective equals ours at our optimum.
    let mut theta: Vec<f64> = theirs.params().iter().copied().collect();
    theta.extend(theirs.intercept().iter());
    let mut obj = Objective::new(
        data.x_train.view(),
        &data.y_train,
        3,
        3,
        RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 }),
        alpha / n,
    );
    let mut g = vec![0.0; theta.len()];
    let f_theirs = obj.value_grad(&theta, &mut g);
    assert_abs_diff_eq!(
        f_theirs,
        ours.report.objective,
        epsilon = 1e-6 * ours.report.objective
    );
}

#[test]
fn logistic_with_l2_equals_softmax_k2_with_twice_the_l2() {
    let data = blobs(300, 2, 4, 4);
    let lambda = 0.01;
    let run = |kind, l2| {
        let spec = model(kind, l2, 1000, 1e-12);
        fit(
            &FitInput {
                x: data.x_train.view(),
                labels: &data.y_train,
                classes: 2,
                model: &spec,
                method: &ls(0.1),
                true_matrix: None,
                train_rng: labelnoise::rng::derive("train", 0, &[]),
            },
            &mut no_trace(),
        )
        .unwrap()
    };
    let logistic = run(ModelKind::Logistic, lambda);
    let softmax = run(ModelKind::Softmax, 2.0 * lambda);
    let zl = logistic.model.logits(data.x_train.view());
    let zs = softmax.model.logits(data.x_train.view());
    for i in 0..zl.nrows() {
        let decision_l = zl[[i, 1]] - zl[[i, 0]];
        let decision_s = zs[[i, 1]] - zs[[i, 0]];
        assert_abs_diff_eq!(decision_l, decision_s, epsilon = 1e-6);
    }
}

/// Each class's samples sit at one point, so a linear model can put any logits there.
fn collapsed(k: usize, per_class: usize) -> (Array2<f64>, Vec<usize>) {
    let points: Vec<[f64; 2]> = match k {
        2 => vec![[1.0, 0.5], [-1.0, -0.5]],
        _ => vec![[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]],
    };
    let mut x = Array2::zeros((k * per_class, 2));
    let mut y = Vec::new();
    for i in 0..k * per_class {
        let c = i % k;
        x[[i, 0]] = points[c][0];
        x[[i, 1]] = points[c][1];
        y.push(c);
    }
    (x, y)
}

fn fit_collapsed(
    kind: ModelKind,
    k: usize,
    eps: f64,
    max_iter: usize,
    tol: f64,
) -> labelnoise::train::FitOutput {
    let (x, y) = collapsed(k, 10);
    let spec = model(kind, 0.0, max_iter, tol);
    fit(
        &FitInput {
            x: x.view(),
            labels: &y,
            classes: k,
            model: &spec,
            method: &ls(eps),
            true_matrix: None,
            train_rng: labelnoise::rng::derive("train", 0, &[]),
        },
        &mut no_trace(),
    )
    .unwrap()
}

fn mean_gap(out: &labelnoise::train::FitOutput, k: usize) -> f64 {
    let (x, _) = collapsed(k, 10);
    labelnoise::metrics::mean_logit_gap(out.model.logits(x.view()).view())
}

#[test]
fn smoothed_fit_reaches_the_closed_form_free_logit_optimum() {
    // One point per class: the logits are free, so the fit reaches the optimum of each sample's gap.
    // Softmax, K = 3, ε = 0.1: log(1 + K(1−ε)/ε) = ln 28.
    let out = fit_collapsed(ModelKind::Softmax, 3, 0.1, 1000, 1e-12);
    assert!(out.report.converged(), "{:?}", out.report);
    assert_abs_diff_eq!(mean_gap(&out, 3), 28f64.ln(), epsilon = 1e-4);
    // Logistic, ε = 0.2: log((2−ε)/ε) = ln 9.
    let out = fit_collapsed(ModelKind::Logistic, 2, 0.2, 1000, 1e-12);
    assert!(out.report.converged(), "{:?}", out.report);
    assert_abs_diff_eq!(mean_gap(&out, 2), 9f64.ln(), epsilon = 1e-4);
}

#[test]
fn smoothing_gives_finite_weights_on_separable_data() {
    // Blobs far apart are linearly separable; with ε > 0 and no penalty the optimum is finite.
    let spec = DatasetSpec {
        source: DataSource::Blobs {
            classes: 3,
            features: 5,
            separation: 20.0,
        },
        train: Some(200),
        test: Some(10),
        test_fraction: 0.25,
        standardize: true,
        noise_stream: Default::default(),
    };
    let mut data = labelnoise::data::build(&spec, std::path::Path::new("."), 5).unwrap();
    standardize(
        &mut data.x_train,
        std::sync::Arc::make_mut(&mut data.x_test),
        &data.feature_names,
    )
    .unwrap();
    let m = model(ModelKind::Softmax, 0.0, 5000, 1e-9);
    let out = fit(
        &FitInput {
            x: data.x_train.view(),
            labels: &data.y_train,
            classes: 3,
            model: &m,
            method: &ls(0.1),
            true_matrix: None,
            train_rng: labelnoise::rng::derive("train", 0, &[]),
        },
        &mut no_trace(),
    )
    .unwrap();
    assert_eq!(
        out.report.termination,
        Termination::GradientTolerance,
        "{:?}",
        out.report
    );
    assert!(out.model.weight_norm().is_finite());
    // Here the mean gap stays below the free-logit optimum (not a bound in general: weights shared
    // across samples can push a fit's mean gap above it).
    let gap = mean_gap_of(&out, &data.x_train);
    assert!(gap <= 28f64.ln() + 1e-6, "gap {gap}");
}

fn mean_gap_of(out: &labelnoise::train::FitOutput, x: &Array2<f64>) -> f64 {
    labelnoise::metrics::mean_logit_gap(out.model.logits(x.view()).view())
}

#[test]
fn hard_targets_on_separable_data_never_converge() {
    // Same collapsed data, ε = 0, l2 = 0: no finite optimum, so the weights keep growing with the
    // iteration budget and every run is reported as not converged.
    let mut last = 0.0;
    for max_iter in [5, 10, 20, 40] {
        let out = fit_collapsed(ModelKind::Softmax, 3, 0.0, max_iter, 1e-14);
        assert!(
            !out.report.converged(),
            "max_iter {max_iter}: {:?}",
            out.report
        );
        assert_eq!(out.report.termination, Termination::MaxIterations);
        let norm = out.model.weight_norm();
        assert!(
            norm > last,
            "weight norm {norm} did not grow past {last} at max_iter {max_iter}"
        );
        last = norm;
    }
}
