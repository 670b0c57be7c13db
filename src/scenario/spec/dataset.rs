//! Where a run's data come from, how they are split and preprocessed, and what keys the noise draw.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where a dataset comes from, with every parameter resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum DataSource {
    /// Isotropic Gaussian blobs: class means ~ N(0, separation² I), x = mean + N(0, I).
    Blobs {
        classes: usize,
        features: usize,
        separation: f64,
    },
    /// In the spirit of scikit-learn's `make_classification`.
    Classification {
        classes: usize,
        features: usize,
        informative: usize,
        redundant: usize,
        clusters_per_class: usize,
        class_sep: f64,
    },
    /// Linearly separable data with a guaranteed margin: every sample at least `margin` from the
    /// boundaries of a nearest-prototype (linear) classifier, prototypes on random hypercube
    /// vertices (any K ≤ 2^features).
    Separable {
        classes: usize,
        features: usize,
        margin: f64,
    },
    /// A real dataset shipped with labelnoise (`labelnoise datasets` lists them).
    Bundled {
        name: String,
        /// winequality only: quality ≥ threshold → class 1, else 0.
        binarize_threshold: Option<f64>,
    },
    /// The user's own CSV (or `.npy`) file.
    Csv {
        path: PathBuf,
        test_path: Option<PathBuf>,
        label: LabelColumn,
        header: bool,
        delimiter: char,
        columns: Option<Vec<LabelColumn>>,
        /// `.npy` features only: a 1-D array of labels for `path` (then `label` is not a column).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labels_path: Option<PathBuf>,
        /// `.npy` features only: the labels of `test_path`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test_labels_path: Option<PathBuf>,
    },
}

/// A column given by name or by 0-based index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LabelColumn {
    Index(usize),
    Name(String),
}

/// A dataset with its split and preprocessing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetSpec {
    #[serde(flatten)]
    pub source: DataSource,
    /// Training size. For bundled and CSV data `None` means "use `test_fraction`".
    pub train: Option<usize>,
    pub test: Option<usize>,
    /// Fraction of the data held out for testing when sizes are not given (stratified).
    pub test_fraction: f64,
    /// Standardize features with the training split's mean and standard deviation.
    pub standardize: bool,
    /// What keys the noise draw (absent from records when it is the dataset's settings).
    #[serde(default, skip_serializing_if = "NoiseStream::is_dataset")]
    pub noise_stream: NoiseStream,
}

/// What the noise generator of a repetition is keyed by, besides the seed and the noise settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseStream {
    /// The dataset's canonical settings (JSON): another split or file gives another draw.
    #[default]
    Dataset,
    /// The training labels' content and K ([`crate::noise::stream::labels_key`]): the same training labels
    /// give the same noisy labels in any scenario and in `labelnoise noisify`.
    Labels,
}

impl NoiseStream {
    pub fn is_dataset(&self) -> bool {
        *self == NoiseStream::Dataset
    }
}
