//! `matrix = "estimated"` and `[detection]`: the extra fits they need (an ε = 0 fit on the noisy
//! labels, k-fold cross-fitting) and the metrics they record. The estimators and the detection
//! measures themselves are pure functions in [`crate::estimate`].
//!
//! Every extra fit uses the run's model settings and depends on (seed, dataset, noise) only, never
//! on the method: the anchor estimator's fit is the `ce` run's fit of the same repetition, and
//! every method of a repetition is cross-fitted on the same folds.

use crate::data::Dataset;
use crate::estimate::{self, confident, rank};
use crate::metrics::{Metric, Metrics};
use crate::noise::NoisyLabels;
use crate::scenario::spec::{DetectionSpec, Estimator, MatrixSource, MethodSpec, RunSpec, Score};
use crate::train::model::log_proba;
use crate::train::{self, FitInput, FittedModel, TrainError};
use crate::vocab::matrix::TransitionMatrix;
use ndarray::{Array2, ArrayView2, Axis};

/// The method as fitted: a correction's `matrix = "estimated"` replaced by the estimate as a given
/// matrix (every other method unchanged).
pub fn resolve(method: &MethodSpec, estimate: Option<&[Vec<f64>]>) -> MethodSpec {
    let given = |m: &MatrixSource| match (m, estimate) {
        (MatrixSource::Estimated(_), Some(t)) => MatrixSource::Given(t.to_vec()),
        _ => m.clone(),
    };
    match method {
        MethodSpec::ForwardCorrection { matrix } => MethodSpec::ForwardCorrection {
            matrix: given(matrix),
        },
        MethodSpec::BackwardCorrection { matrix } => MethodSpec::BackwardCorrection {
            matrix: given(matrix),
        },
        other => other.clone(),
    }
}

/// The estimator of a correction with `matrix = "estimated"`, if the run has one.
pub fn estimator_of(method: &MethodSpec) -> Option<Estimator> {
    match method {
        MethodSpec::ForwardCorrection {
            matrix: MatrixSource::Estimated(e),
        }
        | MethodSpec::BackwardCorrection {
            matrix: MatrixSource::Estimated(e),
        } => Some(*e),
        _ => None,
    }
}

/// T̂ from the noisy training labels alone, by the estimator's rule; its probabilities come from
/// the run's model fitted with hard targets (`ce`).
pub fn estimate_matrix(
    run: &RunSpec,
    data: &Dataset,
    noisy: &NoisyLabels,
    estimator: Estimator,
) -> Result<Vec<Vec<f64>>, TrainError> {
    let ce = MethodSpec::Ce;
    match estimator {
        Estimator::Anchor { anchor_percentile } => {
            let x = data.x_train.view();
            let model = fit_on(run, x, &noisy.observed, data.classes, &ce, None, &[])?;
            let probs = model.predict_proba(x);
            Ok(estimate::anchor::estimate(probs.view(), anchor_percentile))
        }
        Estimator::ConfidentJoint { folds } => {
            let probs = cross_fitted(run, data, noisy, &ce, None, folds)?;
            Ok(confident::analyze(probs.view(), &noisy.observed).transition)
        }
    }
}

/// Records the estimate's error against the realized transition matrix.
pub fn record_estimate(metrics: &mut Metrics, estimate: &[Vec<f64>], noisy: &NoisyLabels) {
    let realized = estimate::row_normalized(&noisy.realized.transitions);
    let (frobenius, max) = estimate::matrix_error(estimate, &realized);
    metrics.insert(Metric::MatrixErrorFrobenius, frobenius);
    metrics.insert(Metric::MatrixErrorMax, max);
}

/// Fits `method` on some training rows with the run's model settings; `stream` extends the run's
/// train stream keys (empty: the run's own stream).
fn fit_on<'a>(
    run: &'a RunSpec,
    x: ArrayView2<'a, f64>,
    labels: &'a [usize],
    classes: usize,
    method: &'a MethodSpec,
    true_matrix: Option<&'a TransitionMatrix>,
    stream: &[&str],
) -> Result<FittedModel, TrainError> {
    let (dataset, noise) = (run.dataset_key(), run.noise_key());
    let mut keys = vec![dataset.as_str(), noise.as_str()];
    keys.extend_from_slice(stream);
    let input = FitInput {
        x,
        labels,
        classes,
        model: &run.model,
        method,
        true_matrix,
        train_rng: crate::rng::derive("train", run.seed, &keys),
    };
    Ok(train::fit(&input, &mut |_: &train::Progress<'_>| {})?.model)
}

/// Out-of-sample probabilities (n×K) of `method`: each sample predicted by the model fitted on
/// the other folds (stratified, from the `"folds"` stream of (seed, dataset, noise)).
pub fn cross_fitted(
    run: &RunSpec,
    data: &Dataset,
    noisy: &NoisyLabels,
    method: &MethodSpec,
    true_matrix: Option<&TransitionMatrix>,
    folds: usize,
) -> Result<Array2<f64>, TrainError> {
    let k = data.classes;
    let labels = &noisy.observed;
    let mut rng = crate::rng::derive("folds", run.seed, &[&run.dataset_key(), &run.noise_key()]);
    let fold_of = estimate::folds::stratified(labels, k, folds, &mut rng);
    let mut probs = Array2::zeros((labels.len(), k));
    for fold in 0..folds {
        let (held, rest): (Vec<usize>, Vec<usize>) =
            (0..labels.len()).partition(|&i| fold_of[i] == fold);
        if held.is_empty() {
            continue;
        }
        let x = data.x_train.select(Axis(0), &rest);
        let y: Vec<usize> = rest.iter().map(|&i| labels[i]).collect();
        let tag = fold.to_string();
        let model = fit_on(run, x.view(), &y, k, method, true_matrix, &["fold", &tag])?;
        let p = model.predict_proba(data.x_train.select(Axis(0), &held).view());
        for (row, &i) in held.iter().enumerate() {
            probs.row_mut(i).assign(&p.row(row));
        }
    }
    Ok(probs)
}

/// A run's dataset and noisy labels drawn as the engine draws them, outside a grid (tests, the
/// cross-check's cases).
pub fn draw_inputs(run: &RunSpec) -> Result<(Dataset, NoisyLabels), String> {
    let data =
        crate::data::build(&run.dataset, &run.base_dir, run.seed).map_err(|e| e.to_string())?;
    let keys = [run.dataset_key(), run.noise_key()];
    let mut rng = crate::rng::derive("noise", run.seed, &[&keys[0], &keys[1]]);
    let noisy = crate::noise::apply(
        &run.noise,
        &data.y_train,
        data.classes,
        &data.x_train,
        &mut rng,
    )
    .map_err(|e| e.to_string())?;
    Ok((data, noisy))
}

/// The five measures of a score, in the order precision, recall, F1, AUROC, AP.
fn metrics_of(score: Score) -> [Metric; 5] {
    use Metric::*;
    match score {
        Score::SelfConfidence => [
            DetectSelfConfidencePrecision,
            DetectSelfConfidenceRecall,
            DetectSelfConfidenceF1,
            DetectSelfConfidenceAuroc,
            DetectSelfConfidenceAp,
        ],
        Score::Loss => [
            DetectLossPrecision,
            DetectLossRecall,
            DetectLossF1,
            DetectLossAuroc,
            DetectLossAp,
        ],
        Score::ConfidentLearning => [
            DetectConfidentLearningPrecision,
            DetectConfidentLearningRecall,
            DetectConfidentLearningF1,
            DetectConfidentLearningAuroc,
            DetectConfidentLearningAp,
        ],
    }
}

/// `[detection]`: ranks the training samples by each score of the run's method (`method` as
/// fitted, `model` the run's fit) and measures the ranking against the truly flipped labels.
pub fn detect(
    spec: &DetectionSpec,
    input: (&RunSpec, &Dataset, &NoisyLabels),
    method: &MethodSpec,
    model: &FittedModel,
    true_matrix: Option<&TransitionMatrix>,
    metrics: &mut Metrics,
) -> Result<(), TrainError> {
    let (run, data, noisy) = input;
    let labels = &noisy.observed;
    let oos = cross_fitted(run, data, noisy, method, true_matrix, spec.folds)?;
    let analysis = confident::analyze(oos.view(), labels);
    let m = analysis.estimated_errors;
    metrics.insert(Metric::DetectEstimatedErrors, m as f64);
    for &score in &spec.scores {
        let (scores, flagged) = match score {
            Score::SelfConfidence => {
                let s: Vec<f64> = (0..labels.len())
                    .map(|i| 1.0 - oos[[i, labels[i]]])
                    .collect();
                let top = rank::top(&s, m);
                (s, top)
            }
            Score::Loss => {
                let logp = log_proba(&model.logits(data.x_train.view()));
                let s: Vec<f64> = (0..labels.len()).map(|i| -logp[[i, labels[i]]]).collect();
                let top = rank::top(&s, m);
                (s, top)
            }
            Score::ConfidentLearning => {
                let s = analysis
                    .issues
                    .iter()
                    .map(|&f| f64::from(u8::from(f)))
                    .collect();
                (s, analysis.issues.clone())
            }
        };
        let [p, r, f1, auroc, ap] = metrics_of(score);
        if let Some((precision, recall, f)) = rank::precision_recall_f1(&flagged, &noisy.corrupted)
        {
            metrics.insert(p, precision);
            metrics.insert(r, recall);
            metrics.insert(f1, f);
        }
        if let Some(v) = rank::auroc(&scores, &noisy.corrupted) {
            metrics.insert(auroc, v);
        }
        if let Some(v) = rank::average_precision(&scores, &noisy.corrupted) {
            metrics.insert(ap, v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
