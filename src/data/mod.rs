//! Datasets: generation and loading, the train/test split and standardization.
//!
//! One file per job: [`bundled`] (real sets compiled in), `csv` and `npy` (the user's files, with
//! `labels` mapping label values to classes), [`synthetic`] (generators), `split` (stratified
//! split, standardization), [`catalog`] (what `labelnoise datasets` lists; [`static_shape`]).
//! A [`Dataset`] is built once per (dataset spec, repetition) and shared by reference (`Arc`) by every
//! run that uses it.

pub mod bundled;
pub mod catalog;
mod csv;
mod csv_features;
mod features;
mod labels;
mod npy;
mod npy_features;
mod npy_format;
mod npz;
pub mod observed;
mod row_slots;
mod split;
mod standardize;
pub mod synthetic;

pub use bundled::load as load_bundled;
/// Label values → classes, for label arrays that come from elsewhere (the Python package).
pub use labels::{to_classes, Labels};
pub use split::{
    held_out_size, largest_remainder, proportional, stratified_split, validation_split, Split, Ties,
};
pub use standardize::standardize;

use crate::rng;
use crate::scenario::spec::{DataSource, DatasetSpec};
use features::Features;
use ndarray::Array2;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// Features and labels of one repetition, split and preprocessed.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub x_train: Array2<f64>,
    pub y_train: Vec<usize>,
    /// Shared by reference with the fits that hold out part of the training split (`[selection]`),
    /// whose test split is this one.
    pub x_test: Arc<Array2<f64>>,
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

/// Unsplit data as generated or loaded (a user's file: with its features possibly still in the
/// file, [`features::Features`]).
#[derive(Clone, Debug)]
pub struct RawData<X = Array2<f64>> {
    pub x: X,
    pub y: Vec<usize>,
    pub classes: usize,
    pub class_names: Vec<String>,
    pub feature_names: Vec<String>,
}

#[derive(Debug, Error)]
pub enum DataError {
    #[error("{0}")]
    Invalid(String),
    /// A problem with a whole file.
    #[error("{path}: {message}")]
    File { path: String, message: String },
    /// A problem at a line of a file (1-based); the message names the column.
    #[error("{path}:{line}: {message}")]
    At {
        path: String,
        line: u64,
        message: String,
    },
}

/// Builds per (canonical dataset JSON, seed), counted so tests can prove that the engine builds
/// each dataset of a repetition once and shares it.
#[cfg(test)]
pub(crate) static BUILDS: std::sync::Mutex<std::collections::BTreeMap<(String, u64), usize>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// Builds the dataset of one repetition: generate or load, split (stratified), standardize on train.
///
/// Synthetic data are drawn afresh per repetition; bundled and file data are fixed and only the
/// split changes. With `test_path` the files fix both splits and no split is drawn (`train` and
/// `test`, if given, take stratified subsamples of them). All randomness comes from the stream
/// `("data", seed, dataset JSON)`.
pub fn build(spec: &DatasetSpec, base_dir: &Path, seed: u64) -> Result<Dataset, DataError> {
    #[cfg(test)]
    {
        let key = serde_json::to_string(spec).expect("spec serializes");
        *BUILDS.lock().unwrap().entry((key, seed)).or_default() += 1;
    }
    let mut rng = rng::derive("data", seed, &[&stream_key(spec)]);
    let split = match &spec.source {
        DataSource::Blobs { .. }
        | DataSource::Classification { .. }
        | DataSource::Separable { .. } => {
            use crate::vocab::keys::dataset::SYNTHETIC_SIZE;
            let n_train = spec.train.unwrap_or(SYNTHETIC_SIZE);
            let n_test = spec.test.unwrap_or(SYNTHETIC_SIZE);
            let raw = synthetic::generate(&spec.source, n_train + n_test, &mut rng)?;
            stratified_split(
                raw,
                Some(n_train),
                Some(n_test),
                spec.test_fraction,
                &mut rng,
            )?
        }
        DataSource::Bundled {
            name,
            binarize_threshold,
        } => {
            let raw = bundled::load(name, *binarize_threshold)?;
            stratified_split(raw, spec.train, spec.test, spec.test_fraction, &mut rng)?
        }
        DataSource::Csv { .. } => {
            let (train, test) = user_files(&spec.source, base_dir)?;
            let rows = file_rows(&train, test.as_ref(), spec, &mut rng)?;
            take_rows(train, test, rows)?
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
        standardize(&mut x_train, &mut x_test, &feature_names)?;
    }
    Ok(Dataset {
        x_train,
        y_train,
        x_test: Arc::new(x_test),
        y_test,
        classes,
        class_names,
        feature_names,
    })
}

/// A user's file as read before the split: labels mapped to classes, features maybe still in the
/// file.
type FileData = RawData<Features>;

/// The rows of a user's files that [`build`]'s training and test splits take, in their order:
/// stratified from the training file, or as given by `test_path` (test rows then index the test
/// file). The draw reads the labels only.
fn file_rows(
    train: &FileData,
    test: Option<&FileData>,
    spec: &DatasetSpec,
    rng: &mut rng::Rng,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    draw_rows(train, test, spec, rng).map_err(|e| first_problem(&train.x, test.map(|t| &t.x), e))
}

/// `later`, unless a feature value of the training file, then of the test file, is bad (see
/// [`Features::first_problem`]): the order of a reading that parses each file whole.
fn first_problem(train: &Features, test: Option<&Features>, later: DataError) -> DataError {
    let later = match test {
        Some(t) => t.first_problem(later),
        None => later,
    };
    train.first_problem(later)
}

fn draw_rows(
    train: &FileData,
    test: Option<&FileData>,
    spec: &DatasetSpec,
    rng: &mut rng::Rng,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    match test {
        None => {
            let sizes = split::Sizes {
                n_train: spec.train,
                n_test: spec.test,
                test_fraction: spec.test_fraction,
            };
            split::stratified_rows(&train.y, &train.class_names, sizes, rng)
        }
        Some(test) => given_rows(train, test, spec, rng),
    }
}

/// The split of a user's files: the rows [`file_rows`] chose, each feature row read once into
/// its split's array.
fn take_rows(
    train: FileData,
    test: Option<FileData>,
    (train_ids, test_ids): (Vec<usize>, Vec<usize>),
) -> Result<Split, DataError> {
    let pick = |y: &[usize], ids: &[usize]| ids.iter().map(|&i| y[i]).collect::<Vec<_>>();
    let y_train = pick(&train.y, &train_ids);
    let (x_train, x_test, y_test) = match test {
        None => {
            let y_test = pick(&train.y, &test_ids);
            let [x_train, x_test] = train.x.take([&train_ids, &test_ids])?;
            (x_train, x_test, y_test)
        }
        Some(test) => {
            let [x_train] = train.x.take([&train_ids])?;
            let [x_test] = test.x.take([&test_ids])?;
            (x_train, x_test, pick(&test.y, &test_ids))
        }
    };
    Ok(Split {
        x_train,
        y_train,
        x_test,
        y_test,
        classes: train.classes,
        class_names: train.class_names,
        feature_names: train.feature_names,
    })
}

/// Which rows of the training file (0-based) the training split of repetition `seed` holds, in
/// the split's order, and how many rows the file has. The split is drawn again exactly as
/// [`build`] draws it (the draw reads the labels, never the feature values, which stay unread
/// in a `.npy` file).
pub fn train_rows(
    spec: &DatasetSpec,
    base_dir: &Path,
    seed: u64,
) -> Result<(Vec<usize>, usize), DataError> {
    if !matches!(spec.source, DataSource::Csv { .. }) {
        return Err(DataError::Invalid(
            "noise kind \"given\" needs dataset.source = \"csv\" (a CSV or .npy training file whose rows the observed labels align with)".into(),
        ));
    }
    let mut rng = rng::derive("data", seed, &[&stream_key(spec)]);
    let (train, test) = user_files(&spec.source, base_dir)?;
    let (ids, _) = file_rows(&train, test.as_ref(), spec, &mut rng)?;
    Ok((ids, train.y.len()))
}

/// The key of a dataset's random stream: its spec without `standardize`, which only preprocesses,
/// and without `noise_stream`, which only keys the noise: switching either keeps the same samples
/// and the same split.
fn stream_key(spec: &DatasetSpec) -> String {
    let mut v = serde_json::to_value(spec).expect("spec serializes");
    if let Some(map) = v.as_object_mut() {
        map.remove("standardize");
        map.remove("noise_stream");
    }
    v.to_string()
}

/// Reads the user's training file (and test file), `.csv` or `.npy` by extension, and maps the
/// labels to classes.
fn user_files(
    source: &DataSource,
    base_dir: &Path,
) -> Result<(FileData, Option<FileData>), DataError> {
    let DataSource::Csv {
        path,
        test_path,
        label,
        header,
        delimiter,
        columns,
        labels_path,
        test_labels_path,
    } = source
    else {
        unreachable!("user_files is called for csv sources")
    };
    let spec = csv::TableSpec {
        label,
        header: *header,
        delimiter: *delimiter as u8,
        columns: columns.as_deref(),
    };
    let is_npy = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let read = |features: &Path, labels: Option<&PathBuf>| -> Result<csv::Table, DataError> {
        let full = base_dir.join(features);
        match (is_npy(features), labels) {
            (true, Some(l)) => npy::read_pair(&full, &base_dir.join(l)),
            (true, None) => npy::read_table(&full, &spec),
            (false, None) => csv::read(&full, &spec),
            (false, Some(_)) => Err(DataError::Invalid(format!(
                "dataset: labels_path applies to .npy features only, but path = \"{}\"; \
                 for a CSV file name the label column with `label`",
                features.display()
            ))),
        }
    };
    check_label_files(
        test_path.is_some(),
        labels_path.is_some(),
        test_labels_path.is_some(),
    )?;
    let train = read(path, labels_path.as_ref())?;
    let test = match test_path {
        Some(t) => Some(read(t, test_labels_path.as_ref()).map_err(|e| train.x.first_problem(e))?),
        None => None,
    };
    let first_problem = |e| first_problem(&train.x, test.as_ref().map(|t| &t.x), e);
    if let Some(t) = &test {
        if t.feature_names != train.feature_names {
            return Err(first_problem(DataError::Invalid(format!(
                "{}: the test file's feature columns [{}] differ from the training file's [{}]",
                t.labels.file,
                t.feature_names.join(", "),
                train.feature_names.join(", ")
            ))));
        }
    }
    let (y_train, y_test, class_names) =
        labels::to_classes(&train.labels, test.as_ref().map(|t| &t.labels))
            .map_err(first_problem)?;
    let classes = class_names.len();
    let raw = |x, y, class_names: &Vec<String>, feature_names: &Vec<String>| RawData {
        x,
        y,
        classes,
        class_names: class_names.clone(),
        feature_names: feature_names.clone(),
    };
    let test_raw = test
        .zip(y_test)
        .map(|(t, y)| raw(t.x, y, &class_names, &train.feature_names));
    Ok((
        raw(train.x, y_train, &class_names, &train.feature_names),
        test_raw,
    ))
}

/// Label arrays come in pairs: a test label file exactly when training labels and a test file are
/// given.
fn check_label_files(test: bool, labels: bool, test_labels: bool) -> Result<(), DataError> {
    if test && labels != test_labels {
        return Err(DataError::Invalid(
            "dataset: with labels_path and test_path, give test_labels_path too (and only then)"
                .into(),
        ));
    }
    if !test && test_labels {
        return Err(DataError::Invalid(
            "dataset: test_labels_path needs test_path".into(),
        ));
    }
    Ok(())
}

/// Splits given as two files: no split is drawn; `train` / `test` sizes take stratified subsamples.
fn given_rows(
    train: &FileData,
    test: &FileData,
    spec: &DatasetSpec,
    rng: &mut rng::Rng,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    let pick = |raw: &FileData,
                size: Option<usize>,
                which: &str,
                rng: &mut rng::Rng|
     -> Result<Vec<usize>, DataError> {
        let n = raw.y.len();
        match size {
            Some(m) if m > n => Err(DataError::Invalid(format!(
                "dataset.{which} = {m} exceeds the {n} rows of the {which} file"
            ))),
            Some(m) => Ok(split::stratified_subsample(&raw.y, raw.classes, m, rng)),
            None => Ok((0..n).collect()),
        }
    };
    let train_ids = pick(train, spec.train, "train", rng)?;
    let test_ids = pick(test, spec.test, "test", rng)?;
    let counts = catalog::class_counts(
        &train_ids.iter().map(|&i| train.y[i]).collect::<Vec<_>>(),
        train.classes,
    );
    if let Some(c) = counts.iter().position(|&k| k == 0) {
        return Err(DataError::Invalid(format!(
            "dataset.train = {} leaves class \"{}\" without a training sample; every class needs at least 1: \
             raise train to at least {} (one per class)",
            train_ids.len(),
            train.class_names[c],
            train.classes
        )));
    }
    Ok((train_ids, test_ids))
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
            let (samples, _, classes) = catalog::entry(name)?.shape?;
            Some(StaticShape {
                samples: Some(samples),
                // A valid threshold splits winequality in two (an invalid one fails at build).
                classes: if binarize_threshold.is_some() {
                    2
                } else {
                    classes
                },
            })
        }
        DataSource::Csv { .. } => None,
    }
}
