//! One run: fit the model on the shared dataset and noisy labels, measure, build the record.

use super::estimated;
use super::record::*;
use crate::data::Dataset;
use crate::metrics::{self, Metric, Metrics};
use crate::noise::{self, NoisyLabels};
use crate::scenario::spec::RunSpec;
use crate::train::{self, EarlyStopping, FitInput, FittedModel, OptimReport};
use std::time::Instant;

use crate::scenario::spec::SelectionSpec;
use crate::train::gap::free_logit_gap_optimum;

pub mod validation;

/// What every run of a scenario shares.
pub struct Context<'a> {
    pub scenario: &'a str,
    pub scenario_hash: &'a str,
    pub ece_bins: usize,
    /// [`super::build::id`], written into every record.
    pub build: &'a str,
    /// `[selection]`: each fit holds out a validation split and is scored on it.
    pub selection: Option<&'a SelectionSpec>,
}

/// Id of a (dataset, noise, seed) draw: names its sidecar file.
pub fn noise_id(run: &RunSpec) -> String {
    crate::rng::digest_hex(
        &[&run.dataset_key(), &run.noise_key(), &run.seed.to_string()],
        16,
    )
}

/// Trains and measures one run; with a selection, on the training split minus its validation
/// samples, which then score the fit.
pub fn execute(
    ctx: &Context<'_>,
    run: &RunSpec,
    data: &Dataset,
    noisy: &NoisyLabels,
    started: Instant,
) -> Result<RunRecord, train::TrainError> {
    let held = ctx
        .selection
        .map(|selection| validation::hold_out(selection, run, data, noisy))
        .transpose()?;
    execute_held(ctx, run, (data, noisy, held.as_ref()), started)
}

/// [`execute`] with the held-out split of the run's noise draw already made (`held`, given exactly
/// when the scenario has a selection), as the engine shares it between the draw's runs.
pub fn execute_held(
    ctx: &Context<'_>,
    run: &RunSpec,
    (data, noisy, held): (&Dataset, &NoisyLabels, Option<&validation::HeldOut>),
    started: Instant,
) -> Result<RunRecord, train::TrainError> {
    let (Some(selection), Some(held)) = (ctx.selection, held) else {
        return fit_and_measure(ctx, run, data, noisy, started).map(|(record, _)| record);
    };
    let (mut record, model) = fit_and_measure(ctx, run, &held.fit, &held.noisy, started)?;
    record.validation = Some(validation::score(selection, &model, data, noisy, held));
    // The noise draw is the whole training split's (the sidecar's flipped ids index into it).
    record.noise = summaries(run, data, noisy).1;
    Ok(record)
}

/// Trains and measures one run on `data`'s training split; the record and the fitted model.
fn fit_and_measure(
    ctx: &Context<'_>,
    run: &RunSpec,
    data: &Dataset,
    noisy: &NoisyLabels,
    started: Instant,
) -> Result<(RunRecord, FittedModel), train::TrainError> {
    let k = data.classes;
    let true_matrix = noise::true_matrix(&run.noise, noisy, k);
    let estimate = estimated::estimator_of(&run.method)
        .map(|e| estimated::estimate_matrix(run, data, noisy, e))
        .transpose()?;
    let method = estimated::resolve(&run.method, estimate.as_deref());
    let input = FitInput {
        x: data.x_train.view(),
        labels: &noisy.observed,
        classes: k,
        model: &run.model,
        method: &method,
        true_matrix: true_matrix.as_ref(),
        // Keyed by dataset and noise, never the method: every method sees the same batch order
        // and the same held-out samples.
        train_rng: crate::rng::derive("train", run.seed, &[&run.dataset_key(), &run.noise_key()]),
    };
    let cap = free_logit_gap_optimum(&run.method, k);
    let mut trace = Vec::new();
    let every = run.model.trace_every.max(1);
    let d = data.features();
    let mut observer = |p: &train::Progress<'_>| {
        if run.model.trace && p.step.is_multiple_of(every) {
            let model = FittedModel::from_theta(run.model.kind, k, d, p.theta);
            let mut point = trace_point(p.step, p.objective, &model, data, noisy, ctx.ece_bins);
            point.validation_loss = p.validation_loss;
            trace.push(point);
        }
    };
    let fit_start = Instant::now();
    let fit = train::fit(&input, &mut observer)?;
    let fit_seconds = fit_start.elapsed().as_secs_f64();
    let (mut metrics, reliability) =
        metrics::evaluate_with_bins(&fit.model, data, noisy, cap, ctx.ece_bins);
    if let Some(t) = &estimate {
        estimated::record_estimate(&mut metrics, t, noisy);
    }
    if let Some(spec) = &run.detection {
        let input = (run, data, noisy);
        let t = true_matrix.as_ref();
        estimated::detect(spec, input, &method, &fit.model, t, &mut metrics)?;
    }
    let report = settled_report(&fit, run, &mut metrics);
    let (data_summary, noise_summary) = summaries(run, data, noisy);
    let record = RunRecord {
        id: run.id.clone(),
        index: run.index,
        scenario: ctx.scenario.to_string(),
        scenario_hash: ctx.scenario_hash.to_string(),
        version: crate::VERSION.to_string(),
        build: ctx.build.to_string(),
        seed: run.seed,
        axes: run.axes.clone(),
        config: RunConfig {
            dataset: run.dataset.clone(),
            noise: run.noise.clone(),
            model: run.model.clone(),
            method: run.method.clone(),
            detection: run.detection.clone(),
        },
        data: data_summary,
        noise: noise_summary,
        metrics,
        reliability,
        estimated_matrix: estimate,
        optimizer: report,
        validation: None,
        trace,
        timing: Timing {
            fit_seconds,
            total_seconds: started.elapsed().as_secs_f64(),
        },
    };
    Ok((record, fit.model))
}

/// The optimizer's account with the termination settled (a fit without a finite optimum says so),
/// and its figures recorded as metrics.
fn settled_report(fit: &train::FitOutput, run: &RunSpec, metrics: &mut Metrics) -> OptimReport {
    let mut report = fit.report.clone();
    // Separable data with hard targets and no penalty: no optimum exists, so no run "converged".
    let unbounded_fit = metrics
        .get(Metric::TrainAccuracyObserved)
        .is_some_and(|acc| train::lacks_finite_optimum(&run.method, run.model.l2, acc));
    if unbounded_fit {
        report.termination = report.termination.without_finite_optimum();
    }
    let unbounded = report.termination == train::Termination::NoFiniteOptimum;
    metrics.insert(Metric::NoFiniteOptimum, f64::from(u8::from(unbounded)));
    record_optimizer(metrics, &report, fit.early_stopping.as_ref());
    report
}

/// What the record says of the data and of the realized noise.
fn summaries(run: &RunSpec, data: &Dataset, noisy: &NoisyLabels) -> (DataSummary, NoiseSummary) {
    // On record when the noise model's expected rate differs from the nominal one (include_true,
    // instance truncation, boundary clipping, class-weighted asymmetric/matrix rates).
    let expected_rate =
        Some(noisy.expected_rate).filter(|e| (e - run.noise.nominal_rate()).abs() > 1e-12);
    let data_summary = DataSummary {
        n_train: data.y_train.len(),
        n_test: data.y_test.len(),
        features: data.features(),
        classes: data.classes,
        class_names: data.class_names.clone(),
    };
    let noise_summary = NoiseSummary {
        noise_id: noise_id(run),
        flipped: noisy.realized.flipped,
        rate: noisy.realized.rate,
        expected_rate,
        transitions: noisy.realized.transitions.clone(),
    };
    (data_summary, noise_summary)
}

/// The optimizer's figures as metrics (the early-stopping ones only when it was on).
fn record_optimizer(m: &mut Metrics, r: &OptimReport, early_stopping: Option<&EarlyStopping>) {
    m.insert(Metric::Iterations, r.iterations as f64);
    m.insert(Metric::Evaluations, r.evaluations as f64);
    m.insert(Metric::GradMax, r.grad_max);
    m.insert(Metric::Objective, r.objective);
    m.insert(Metric::Converged, f64::from(u8::from(r.converged())));
    if let Some(es) = early_stopping {
        m.insert(Metric::StoppedEpoch, es.stopped_epoch as f64);
        m.insert(Metric::BestEpoch, es.best_epoch as f64);
        m.insert(Metric::ValidationSize, es.validation_size as f64);
        if let Some(v) = es.validation_loss {
            m.insert(Metric::ValidationLoss, v);
        }
    }
}

/// Training-dynamics numbers of the current parameters.
pub fn trace_point(
    step: usize,
    objective: f64,
    model: &FittedModel,
    data: &Dataset,
    noisy: &NoisyLabels,
    ece_bins: usize,
) -> TracePoint {
    let m = metrics::evaluate(model, data, noisy, None, ece_bins);
    TracePoint {
        step,
        objective,
        train_loss_corrupted: m.get(Metric::TrainLossCorrupted),
        train_loss_clean: m.get(Metric::TrainLossClean),
        memorized: m.get(Metric::Memorized),
        // `evaluate` always measures these two.
        test_accuracy: m.get(Metric::TestAccuracy).unwrap_or(f64::NAN),
        weight_norm: m.get(Metric::WeightNorm).unwrap_or(f64::NAN),
        validation_loss: None,
    }
}
