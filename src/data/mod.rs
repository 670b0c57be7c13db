//! Datasets: generation and loading, the train/test split and standardization.
//!
//! A [`Dataset`] is built once per (dataset spec, repetition) and shared by reference (`Arc`) by every
//! run that uses it.

mod split;
mod synthetic;

pub use split::{standardize, stratified_split, Split};

use crate::rng;
use crate::scenario::spec::{DataSource, DatasetSpec};
use ndarray::Array2;
use std::path::Path;
use thiserror::Error;

/// Features and labels of one repetition, split and preprocessed.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub x_train: Array2<f64>,
    pub y_train: Vec<usize>,
    pub x_test: Array2<f64>,
    pub y_test: Vec<usize>,
    /// Number of classes K; labels are 0..K.
    pub classes: usize,
    /// Display name of each class (for CSV data, the original label values in sorted order).
    pub class_names: Vec<String>,
    pub feature_names: Vec<String>,
}

impl Dataset {
    pub fn features(&self) -> usize {
        self.x_train.ncols()
    }
}

/// Unsplit data as generated or loaded.
#[derive(Clone, Debug)]
pub struct RawData {
    pub x: Array2<f64>,
    pub y: Vec<usize>,
    pub classes: usize,
    pub class_names: Vec<String>,
    pub feature_names: Vec<String>,
}

#[derive(Debug, Error)]
pub enum DataError {
    #[error("dataset source `{0}` is not available in this build")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

/// Builds the dataset of one repetition: generate or load, split (stratified), standardize on train.
pub fn build(spec: &DatasetSpec, _base_dir: &Path, seed: u64) -> Result<Dataset, DataError> {
    let key = serde_json::to_string(spec).expect("spec serializes");
    let mut rng = rng::derive("data", seed, &[&key]);
    let split = match &spec.source {
        DataSource::Blobs {
            classes,
            features,
            separation,
        } => {
            let n_train = spec.train.unwrap_or(1000);
            let n_test = spec.test.unwrap_or(1000);
            let raw = synthetic::blobs(*classes, *features, *separation, n_train + n_test, &mut rng);
            stratified_split(raw, Some(n_train), Some(n_test), spec.test_fraction, &mut rng)?
        }
        other => {
            return Err(DataError::Unsupported(
                serde_json::to_value(other).expect("serializes")["source"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string(),
            ))
        }
    };
    let Split {
        mut x_train,
        y_train,
        mut x_test,
        y_test,
        classes,
        class_names,
        feature_names,
    } = split;
    if spec.standardize {
        standardize(&mut x_train, &mut x_test);
    }
    Ok(Dataset {
        x_train,
        y_train,
        x_test,
        y_test,
        classes,
        class_names,
        feature_names,
    })
}

/// What is known about a dataset before loading it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StaticShape {
    /// Total samples, when fixed (bundled sets).
    pub samples: Option<usize>,
    pub classes: usize,
}

/// Shape known from the spec alone (synthetic and bundled sources); `None` for CSV files.
pub fn static_shape(source: &DataSource) -> Option<StaticShape> {
    match source {
        DataSource::Blobs { classes, .. }
        | DataSource::Classification { classes, .. }
        | DataSource::Separable { classes, .. } => Some(StaticShape {
            samples: None,
            classes: *classes,
        }),
        DataSource::Bundled {
            name,
            binarize_threshold,
        } => {
            let (samples, classes) = match name.as_str() {
                "iris" => (150, 3),
                "wine" => (178, 3),
                "breast_cancer" => (569, 2),
                "digits" => (1797, 10),
                // Red wine quality takes the six values 3..8.
                "winequality" => (1599, if binarize_threshold.is_some() { 2 } else { 6 }),
                _ => return None,
            };
            Some(StaticShape {
                samples: Some(samples),
                classes,
            })
        }
        DataSource::Csv { .. } => None,
    }
}
