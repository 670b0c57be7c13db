//! Estimated-mode runs against facts: a perfect estimate gives the true-T results bit for bit, and
//! the anchor estimator recovers a known T on large, well separated data.

use super::*;
use crate::scenario::{self, spec::NoiseSpec};
use std::path::Path;

/// The runs of a scenario text, first seed.
fn runs(text: &str) -> Vec<RunSpec> {
    scenario::parse(text, "t.toml", Path::new("."))
        .unwrap()
        .runs()
}

/// The run's dataset and noisy labels, drawn as the engine draws them.
fn inputs(run: &RunSpec) -> (Dataset, NoisyLabels) {
    draw_inputs(run).unwrap()
}

fn fit_run(
    run: &RunSpec,
    method: &MethodSpec,
    data: &Dataset,
    noisy: &NoisyLabels,
) -> (FittedModel, Metrics) {
    let t = crate::noise::expected_matrix(&run.noise, data.classes);
    let x = data.x_train.view();
    let model = fit_on(
        run,
        x,
        &noisy.observed,
        data.classes,
        method,
        t.as_ref(),
        &[],
    )
    .unwrap();
    let metrics = crate::metrics::evaluate(&model, data, noisy, None, 15);
    (model, metrics)
}

const PAIRFLIP: &str = r#"
name = "t"
seeds = 1
[dataset]
classes = 3
features = 4
train = 300
test = 200
[noise]
kind = "pairflip"
rate = 0.3
[model]
l2 = 1e-3
"#;

/// A perfect estimator stub (T̂ = the true T) makes forward and backward correction in estimated
/// mode fit and measure exactly as with `matrix = "true"`; and T̂ = the realized T has error 0.
#[test]
fn a_perfect_estimate_gives_the_true_matrix_results() {
    for kind in ["forward_correction", "backward_correction"] {
        let text = format!(
            "{PAIRFLIP}[[method]]\nkind = \"{kind}\"\n[[method]]\nkind = \"{kind}\"\nmatrix = \"estimated\"\n"
        );
        let runs = runs(&text);
        let (truth, estimated) = (&runs[0], &runs[1]);
        assert_eq!(estimator_of(&truth.method), None);
        assert!(estimator_of(&estimated.method).is_some());
        let (data, noisy) = inputs(truth);
        let t = crate::noise::expected_matrix(&truth.noise, 3).unwrap();
        let stub: Vec<Vec<f64>> = (0..3)
            .map(|i| (0..3).map(|j| t.entries()[i * 3 + j]).collect())
            .collect();
        let resolved = resolve(&estimated.method, Some(&stub));
        let (model_true, metrics_true) = fit_run(truth, &truth.method, &data, &noisy);
        let (model_est, metrics_est) = fit_run(estimated, &resolved, &data, &noisy);
        assert_eq!(model_true, model_est, "{kind}");
        assert_eq!(metrics_true, metrics_est, "{kind}");
        let realized = estimate::row_normalized(&noisy.realized.transitions);
        let mut m = Metrics::new();
        record_estimate(&mut m, &realized, &noisy);
        assert_eq!(m.get(Metric::MatrixErrorFrobenius), Some(0.0));
        assert_eq!(m.get(Metric::MatrixErrorMax), Some(0.0));
    }
}

/// Anchor points exist when the classes do not overlap, and a linear softmax can then fit the
/// noisy posterior (nearly constant T[i] over blob i) when no entry of T is 0 (a 0 would need
/// unbounded logits): blobs with class means ~ N(0, 100² I) in 2 dimensions and unit spread,
/// 6000 samples, T = [[0.8, 0.1, 0.1], [0.1, 0.7, 0.2], [0.15, 0.05, 0.8]]. Every entry of T̂ is
/// within 0.03 of T with Patrini's 97th-percentile filter (measured: 0.015) and within 0.05 with
/// the most confident sample (measured: 0.044), whose logits a linear model extrapolates: the
/// reason for their filter.
#[test]
fn the_anchor_estimator_recovers_a_known_matrix() {
    let t = [[0.8, 0.1, 0.1], [0.1, 0.7, 0.2], [0.15, 0.05, 0.8]];
    let text = r#"
name = "t"
seeds = 1
[dataset]
classes = 3
features = 2
train = 6000
test = 100
separation = 100.0
[noise]
kind = "matrix"
matrix = [[0.8, 0.1, 0.1], [0.1, 0.7, 0.2], [0.15, 0.05, 0.8]]
[model]
l2 = 1e-4
"#;
    let run = &runs(text)[0];
    assert!(matches!(run.noise, NoiseSpec::Matrix { .. }));
    let (data, noisy) = inputs(run);
    for (anchor_percentile, tolerance) in [(97.0, 0.03), (100.0, 0.05)] {
        let estimate =
            estimate_matrix(run, &data, &noisy, Estimator::Anchor { anchor_percentile }).unwrap();
        let t: Vec<Vec<f64>> = t.iter().map(|r| r.to_vec()).collect();
        let (_, max) = estimate::matrix_error(&estimate, &t);
        assert!(
            max < tolerance,
            "percentile {anchor_percentile}: {estimate:?}"
        );
    }
}

/// The confident-joint estimate on the same kind of data lands near T too, and [detection] finds
/// the wrong labels far better than chance.
#[test]
fn confident_joint_and_detection_on_separated_data() {
    let text = format!("{PAIRFLIP}[detection]\n").replace("train = 300", "train = 1500");
    let run = &runs(&text)[0];
    let (data, noisy) = inputs(run);
    let estimate =
        estimate_matrix(run, &data, &noisy, Estimator::ConfidentJoint { folds: 5 }).unwrap();
    let t = crate::noise::expected_matrix(&run.noise, 3).unwrap();
    let t: Vec<Vec<f64>> = (0..3)
        .map(|i| (0..3).map(|j| t.entries()[i * 3 + j]).collect())
        .collect();
    assert!(
        estimate::matrix_error(&estimate, &t).1 < 0.25,
        "{estimate:?}"
    );
    let (model, mut metrics) = fit_run(run, &run.method, &data, &noisy);
    let spec = run.detection.as_ref().unwrap();
    detect(
        spec,
        (run, &data, &noisy),
        &run.method,
        &model,
        None,
        &mut metrics,
    )
    .unwrap();
    for m in [
        Metric::DetectSelfConfidenceAuroc,
        Metric::DetectLossAuroc,
        Metric::DetectConfidentLearningAuroc,
    ] {
        assert!(metrics.get(m).unwrap() > 0.6, "{m}: {metrics:?}");
    }
    assert!(metrics.contains(Metric::DetectEstimatedErrors));
}
