//! `[selection]`'s validation split of one run: the held-out samples are taken out of the training
//! split before fitting and score the fitted model afterwards.

use super::super::record::ValidationRecord;
use crate::data::{validation_split, Dataset};
use crate::metrics::{accuracy, mean_ce};
use crate::noise::NoisyLabels;
use crate::scenario::spec::{RunSpec, SelectionSpec, ValidationLabels};
use crate::train::model::log_proba;
use crate::train::{FittedModel, TrainError};
use ndarray::{Array2, Axis};
use std::sync::Arc;

/// The part of a repetition's training split the runs of one noise draw fit on, and the rows held
/// out of it. Made once per (dataset, noise, seed) and shared by every run of the draw (the engine
/// caches it): the fitted rows and the held-out rows are copied once, the test split not at all.
pub struct HeldOut {
    /// The dataset with only the rows fitted on in its training split (the test split shared).
    pub fit: Dataset,
    /// The noisy labels of those rows.
    pub noisy: NoisyLabels,
    /// Held-out rows of the full training split, ascending.
    pub rows: Vec<usize>,
    /// Their features, in that order.
    pub x_held: Array2<f64>,
}

/// Held-out splits made per (dataset, noise, seed), counted so tests can prove that the engine
/// makes each draw's split once and shares it.
#[cfg(test)]
pub(crate) static HOLD_OUTS: std::sync::Mutex<
    std::collections::BTreeMap<(String, String, u64), usize>,
> = std::sync::Mutex::new(std::collections::BTreeMap::new());

/// Holds out `selection.fraction` of the training split, stratified on the observed labels, drawn
/// from the stream `("validation", seed, [dataset, noise])`: never from the method or the model,
/// so every fit of one repetition holds out the same samples.
pub fn hold_out(
    selection: &SelectionSpec,
    run: &RunSpec,
    data: &Dataset,
    noisy: &NoisyLabels,
) -> Result<HeldOut, TrainError> {
    #[cfg(test)]
    {
        let key = (run.dataset_key(), run.noise_key(), run.seed);
        *HOLD_OUTS.lock().unwrap().entry(key).or_default() += 1;
    }
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
        x_test: Arc::clone(&data.x_test),
        y_test: data.y_test.clone(),
        classes: data.classes,
        class_names: data.class_names.clone(),
        feature_names: data.feature_names.clone(),
    };
    let x_held = data.x_train.select(Axis(0), &rows);
    Ok(HeldOut {
        fit,
        noisy,
        rows,
        x_held,
    })
}

/// The fitted model's accuracy and mean negative log-likelihood on the held-out rows, against their
/// observed labels (`noisy`) or their true labels (`clean`).
pub fn score(
    selection: &SelectionSpec,
    model: &FittedModel,
    data: &Dataset,
    noisy: &NoisyLabels,
    held: &HeldOut,
) -> ValidationRecord {
    let rows = &held.rows;
    let labels = match selection.validation {
        ValidationLabels::Noisy => &noisy.observed,
        ValidationLabels::Clean => &data.y_train,
    };
    let y: Vec<usize> = rows.iter().map(|&i| labels[i]).collect();
    let logp = log_proba(&model.logits(held.x_held.view()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// 40 training samples whose one feature is their row number; observed labels: rows 0..24
    /// class 0, 24..36 class 1, 36..40 class 2 (true labels all 0, so 16 are flipped).
    fn data_and_labels() -> (Dataset, NoisyLabels) {
        let n = 40;
        let x = Array2::from_shape_fn((n, 1), |(i, _)| i as f64);
        let observed: Vec<usize> = (0..n)
            .map(|i| match i {
                0..24 => 0,
                24..36 => 1,
                _ => 2,
            })
            .collect();
        let data = Dataset {
            x_train: x.clone(),
            y_train: vec![0; n],
            x_test: x.into(),
            y_test: vec![0; n],
            classes: 3,
            class_names: vec!["a".into(), "b".into(), "c".into()],
            feature_names: vec!["row".into()],
        };
        let noisy = NoisyLabels::from_labels(&data.y_train, observed, 3);
        (data, noisy)
    }

    fn runs() -> Vec<RunSpec> {
        let text =
            "name = \"v\"\nseeds = 2\n[dataset]\nsource = \"blobs\"\n[model]\nl2 = [1e-3, 1e-1]\n\
                    [[method]]\nkind = \"ce\"\n[[method]]\nkind = \"gce\"\nq = 0.7\n\
                    [selection]\nfraction = 0.25\ntune = [\"model.l2\"]\n";
        crate::scenario::parse(text, "v.toml", std::path::Path::new("."))
            .unwrap()
            .runs()
    }

    #[test]
    fn held_out_rows_are_stratified_on_observed_labels_disjoint_and_shared_by_every_fit() {
        let (data, noisy) = data_and_labels();
        let runs = runs();
        let selection = SelectionSpec {
            validation: ValidationLabels::Noisy,
            fraction: 0.25,
            metric: crate::scenario::spec::SelectionScore::Accuracy,
            tune: Vec::new(),
        };
        let seed0: Vec<&RunSpec> = runs.iter().filter(|r| r.seed == 0).collect();
        assert_eq!(seed0.len(), 4, "2 l2 × 2 methods");
        let first = hold_out(&selection, seed0[0], &data, &noisy).unwrap();
        // ⌈0.25·40⌉ = 10 held out: 24·10/40 = 6, 12·10/40 = 3, 4·10/40 = 1 per observed class.
        let count = |c: usize| {
            first
                .rows
                .iter()
                .filter(|&&i| noisy.observed[i] == c)
                .count()
        };
        assert_eq!([count(0), count(1), count(2)], [6, 3, 1]);
        // The fit keeps exactly the other 30 rows (the feature is the row number).
        let fitted: Vec<usize> = first
            .fit
            .x_train
            .column(0)
            .iter()
            .map(|&v| v as usize)
            .collect();
        assert_eq!(fitted.len(), 30);
        assert!(fitted.iter().all(|i| !first.rows.contains(i)));
        assert_eq!(first.noisy.observed.len(), 30);
        assert_eq!(
            first.noisy.realized.flipped,
            fitted.iter().filter(|&&i| noisy.observed[i] != 0).count()
        );
        // Every method and l2 of the repetition holds out the same rows; another seed does not.
        for run in &seed0[1..] {
            assert_eq!(
                hold_out(&selection, run, &data, &noisy).unwrap().rows,
                first.rows
            );
        }
        let seed1 = runs.iter().find(|r| r.seed == 1).unwrap();
        assert_ne!(
            hold_out(&selection, seed1, &data, &noisy).unwrap().rows,
            first.rows
        );
    }
}
