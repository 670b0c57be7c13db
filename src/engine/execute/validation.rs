//! `[selection]`'s validation split of one run: the held-out samples are taken out of the training
//! split before fitting and score the fitted model afterwards.

use super::super::record::ValidationRecord;
use crate::data::{validation_split, Dataset};
use crate::metrics::{accuracy, mean_ce};
use crate::noise::NoisyLabels;
use crate::scenario::spec::{RunSpec, SelectionSpec, ValidationLabels};
use crate::train::model::log_proba;
use crate::train::{FittedModel, TrainError};
use ndarray::Axis;

/// The part of a repetition's training split a run fits on, and the rows held out of it.
pub struct HeldOut {
    /// The dataset with only the rows fitted on in its training split (the test split unchanged).
    pub fit: Dataset,
    /// The noisy labels of those rows.
    pub noisy: NoisyLabels,
    /// Held-out rows of the full training split, ascending.
    pub rows: Vec<usize>,
}

/// Holds out `selection.fraction` of the training split, stratified on the observed labels, drawn
/// from the stream `("validation", seed, [dataset, noise])`: never from the method or the model,
/// so every fit of one repetition holds out the same samples.
pub fn hold_out(
    selection: &SelectionSpec,
    run: &RunSpec,
    data: &Dataset,
    noisy: &NoisyLabels,
) -> Result<HeldOut, TrainError> {
    let mut rng = crate::rng::derive(
        "validation",
        run.seed,
        &[&run.dataset_key(), &run.noise_key()],
    );
    let (fit_rows, rows) =
        validation_split(&noisy.observed, data.classes, selection.fraction, &mut rng)
            .map_err(|e| TrainError::Invalid(e.to_string()))?;
    let pick = |labels: &[usize]| fit_rows.iter().map(|&i| labels[i]).collect::<Vec<_>>();
    let truth = pick(&data.y_train);
    let noisy = NoisyLabels::from_labels(&truth, pick(&noisy.observed), data.classes);
    let fit = Dataset {
        x_train: data.x_train.select(Axis(0), &fit_rows),
        y_train: truth,
        x_test: data.x_test.clone(),
        y_test: data.y_test.clone(),
        classes: data.classes,
        class_names: data.class_names.clone(),
        feature_names: data.feature_names.clone(),
    };
    Ok(HeldOut { fit, noisy, rows })
}

/// The fitted model's accuracy and mean negative log-likelihood on the held-out rows, against their
/// observed labels (`noisy`) or their true labels (`clean`).
pub fn score(
    selection: &SelectionSpec,
    model: &FittedModel,
    data: &Dataset,
    noisy: &NoisyLabels,
    rows: &[usize],
) -> ValidationRecord {
    let labels = match selection.validation {
        ValidationLabels::Noisy => &noisy.observed,
        ValidationLabels::Clean => &data.y_train,
    };
    let y: Vec<usize> = rows.iter().map(|&i| labels[i]).collect();
    let logp = log_proba(&model.logits(data.x_train.select(Axis(0), rows).view()));
    ValidationRecord {
        mode: selection.validation,
        metric: selection.metric,
        fraction: selection.fraction,
        tune: selection.tune.clone(),
        n: rows.len(),
        accuracy: accuracy(logp.view(), &y),
        nll: mean_ce(logp.view(), &y, |_| true),
    }
}
