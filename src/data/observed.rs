//! Observed labels of `noise.kind = "given"` (real annotator noise): read beside the true labels
//! from a column of the training file or from an array file (`.npy`, or a named array of a
//! `.npz`), row i for row i of the training file, and mapped to the true labels' classes. Only the
//! training split gets them: the test split keeps its true labels.

use super::labels::{self, Labels};
use super::{csv, npy, npz, DataError};
use crate::scenario::spec::{DataSource, DatasetSpec, LabelColumn, ObservedSource};
use std::path::Path;

/// The observed class of every sample of the training split of repetition `seed`, in the split's
/// order (`class_names` are the dataset's classes, from its true labels).
pub fn train_labels(
    spec: &DatasetSpec,
    source: &ObservedSource,
    base_dir: &Path,
    seed: u64,
    class_names: &[String],
) -> Result<Vec<usize>, DataError> {
    let (rows, n) = super::train_rows(spec, base_dir, seed)?;
    let all = read(spec, source, base_dir)?;
    if all.values.len() != n {
        let DataSource::Csv { path, .. } = &spec.source else {
            unreachable!("train_rows accepts csv sources only")
        };
        return Err(DataError::File {
            path: all.file,
            message: format!(
                "{} observed labels for the {n} rows of the training file {}; they must align row by row",
                all.values.len(),
                path.display()
            ),
        });
    }
    let classes = labels::classes_of(&all, class_names)?;
    Ok(rows.iter().map(|&r| classes[r]).collect())
}

/// Every observed label of the training file, as text, with where it came from.
pub fn read(
    spec: &DatasetSpec,
    source: &ObservedSource,
    base_dir: &Path,
) -> Result<Labels, DataError> {
    let DataSource::Csv {
        path,
        header,
        delimiter,
        columns,
        labels_path,
        ..
    } = &spec.source
    else {
        return Err(DataError::Invalid(
            "noise kind \"given\" needs dataset.source = \"csv\"".into(),
        ));
    };
    match source {
        ObservedSource::Column { observed_label } => {
            not_a_feature(observed_label, columns.as_deref())?;
            let full = base_dir.join(path);
            let table = csv::TableSpec {
                label: observed_label,
                header: *header,
                delimiter: *delimiter as u8,
                // The feature columns as the dataset reads them (checked to exclude this one).
                columns: columns.as_deref(),
            };
            let is_npy = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
            let read = match (is_npy, labels_path) {
                (true, Some(_)) => {
                    return Err(DataError::Invalid(format!(
                        "noise.observed_label names a column of dataset.path, but {} is a feature array with its labels in labels_path: give the observed labels as an array with observed_labels_path",
                        path.display()
                    )))
                }
                (true, None) => npy::read_table(&full, &table),
                (false, _) => csv::read(&full, &table),
            };
            // The table reader names the column's key `label`; here it is noise.observed_label.
            read.map(|t| t.labels)
                .map_err(|e| csv::label_key_named(e, "noise.observed_label = "))
        }
        ObservedSource::Array {
            observed_labels_path,
            observed_labels_key,
        } => {
            let full = base_dir.join(observed_labels_path);
            let file = full.display().to_string();
            let bytes = std::fs::read(&full).map_err(|e| DataError::File {
                path: file.clone(),
                message: format!("cannot read: {e}"),
            })?;
            let what = "the observed labels";
            match observed_labels_key {
                Some(key) => {
                    let member = npz::member(&file, &bytes, key)?;
                    npy::labels_from_bytes(&format!("{file} (array {key})"), what, &member)
                }
                None => npy::labels_from_bytes(&file, what, &bytes),
            }
        }
    }
}

/// With observed labels in a column, the feature columns must be listed without it: by default
/// every column but the label is a feature, and the observed labels would leak into the model.
fn not_a_feature(observed: &LabelColumn, columns: Option<&[LabelColumn]>) -> Result<(), DataError> {
    let shown = match observed {
        LabelColumn::Name(n) => format!("\"{n}\""),
        LabelColumn::Index(i) => i.to_string(),
    };
    match columns {
        None => Err(DataError::Invalid(format!(
            "noise.observed_label = {shown}: list the feature columns with dataset.columns (without it every column but the label is a feature, the observed labels too)"
        ))),
        Some(list) if list.contains(observed) => Err(DataError::Invalid(format!(
            "noise.observed_label = {shown} is also listed in dataset.columns: observed labels cannot be a feature"
        ))),
        Some(_) => Ok(()),
    }
}

/// The labels of a label file for `labelnoise noisify`, as classes 0..K (sorted as a dataset's
/// labels are, [`super::labels`]) with the class names: a 1-D `.npy` array, or a column of a CSV
/// file with a header (`column`, default the last one; other columns are ignored).
pub fn label_file(
    path: &Path,
    column: Option<&str>,
) -> Result<(Vec<usize>, Vec<String>), DataError> {
    let file = path.display().to_string();
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let labels = if is_npy {
        if column.is_some() {
            return Err(DataError::Invalid(format!(
                "--column names a CSV column, but {file} is a .npy array (one label per row)"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| DataError::File {
            path: file.clone(),
            message: format!("cannot read: {e}"),
        })?;
        npy::labels_from_bytes(&file, "the labels", &bytes)?
    } else {
        csv::column(path, column)?
    };
    let (y, _, names) = labels::to_classes(&labels, None)?;
    Ok((y, names))
}

/// Features and labels for `labelnoise noisify --features`, read as a dataset's training file is
/// read: a 2-D `.npy` feature array beside a 1-D `.npy` label file, or the label CSV file itself
/// (header; `column` is the label, default the last one; every other column is a feature).
pub fn labelled_features(
    features: &Path,
    labels: &Path,
    column: Option<&str>,
) -> Result<LabelledFeatures, DataError> {
    let is_npy = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let table = match (is_npy(features), is_npy(labels)) {
        (true, true) => npy::read_pair(features, labels)?,
        (false, false) if features == labels => {
            let label = LabelColumn::Name(column.unwrap_or("").to_string());
            let spec = csv::TableSpec {
                label: &label,
                header: true,
                delimiter: b',',
                columns: None,
            };
            csv::read(features, &spec)?
        }
        _ => {
            return Err(DataError::Invalid(format!(
                "--features {}: give a 2-D .npy array beside a .npy label file, or the label CSV \
                 file itself (its columns other than the label are the features); --labels is {}",
                features.display(),
                labels.display()
            )))
        }
    };
    let (y, _, class_names) =
        labels::to_classes(&table.labels, None).map_err(|e| table.x.first_problem(e))?;
    let every_row: Vec<usize> = (0..y.len()).collect();
    let [x] = table.x.take([&every_row])?;
    Ok(LabelledFeatures { x, y, class_names })
}

/// A label file's samples with their features (see [`labelled_features`]).
pub struct LabelledFeatures {
    /// n × d, as read (unstandardized).
    pub x: ndarray::Array2<f64>,
    /// Classes 0..K, one per row.
    pub y: Vec<usize>,
    pub class_names: Vec<String>,
}
