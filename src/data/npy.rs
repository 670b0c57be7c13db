//! NumPy `.npy` arrays → numeric features and raw label values.
//!
//! Two layouts, both with `source = "csv"` and `path` ending in `.npy`:
//!
//! * features and labels apart (`np.save("X.npy", X); np.save("y.npy", y)`):
//!   `path = "X.npy"` (2-D, n × d) and `labels_path = "y.npy"` (1-D, n integer or float labels);
//!   with a test split, `test_path` and `test_labels_path` likewise;
//! * one 2-D array holding the labels as a column: `label` (a 0-based index, default the last
//!   column) and `columns` (indices) pick them, as for a CSV file without header.
//!
//! Any integer, float or bool dtype is accepted (converted to f64; labels keep their integer
//! value), in C or Fortran order. Positions in messages are 0-based rows and columns, as in NumPy.
//!
//! Memory: labels are read at once; features are not. [`NpyFeatures`] keeps the header and, once
//! the split is drawn (it reads labels only), streams the file's values into the split's arrays,
//! each value converted and stored once: peak memory is the data plus one 64 KiB block.

use super::csv::{Columns, Table, TableSpec};
use super::features::Features;
use super::labels::Labels;
use super::npy_features::{fail, format_error, open, NpyFeatures, Position};
use super::npy_format::{for_each_value, read_header, Header};
use super::DataError;
use std::io::Read;
use std::path::Path;

/// A whole (small) array's values in file order.
fn read_values(file: &str, r: &mut impl Read, header: &Header) -> Result<Vec<f64>, DataError> {
    let mut values = Vec::with_capacity(header.len());
    for_each_value(r, header, |v| values.push(v)).map_err(|e| format_error(file, e))?;
    Ok(values)
}

/// Label text of a numeric value: integers without a decimal point.
fn label_text(v: f64, integer: bool) -> String {
    if integer || (v.fract() == 0.0 && v.abs() < 1e15) {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

/// The values of a 1-D label array (`.npy` bytes) as label text, row i for row i; `what` says
/// which key named the array, for messages.
pub fn labels_from_bytes(file: &str, what: &str, bytes: &[u8]) -> Result<Labels, DataError> {
    let mut r = bytes;
    let header = read_header(&mut r).map_err(|e| format_error(file, e))?;
    if !matches!(header.shape.as_slice(), [_] | [_, 1]) {
        return Err(fail(
            file,
            format!("{what} must be a 1-D array, found shape {:?}", header.shape),
        ));
    }
    let raw = read_values(file, &mut r, &header)?;
    if let Some(i) = raw.iter().position(|v| !v.is_finite() || v.fract() != 0.0) {
        return Err(fail(
            file,
            format!(
                "row {i} (0-based) of {what} is {}; labels must be whole numbers (class codes)",
                raw[i]
            ),
        ));
    }
    Ok(Labels {
        file: file.to_string(),
        what: what.to_string(),
        values: raw.iter().map(|&v| label_text(v, true)).collect(),
        lines: None,
    })
}

/// A 2-D feature array with the labels in a separate 1-D array. The features stay in their file.
pub fn read_pair(features: &Path, labels: &Path) -> Result<Table, DataError> {
    let file = features.display().to_string();
    let lfile = labels.display().to_string();
    let (_, header) = open(features)?;
    let [rows, cols] = header.shape[..] else {
        return Err(fail(
            &file,
            "features must be a 2-D array (samples × features)".into(),
        ));
    };
    let (mut r, yheader) = open(labels)?;
    let n_labels = match yheader.shape[..] {
        [n] | [n, 1] => n,
        _ => {
            return Err(fail(
                &lfile,
                format!(
                    "labels must be a 1-D array, found shape {:?}",
                    yheader.shape
                ),
            ))
        }
    };
    if n_labels != rows {
        return Err(fail(
            &lfile,
            format!("{n_labels} labels for the {rows} rows of {file}"),
        ));
    }
    let raw = read_values(&lfile, &mut r, &yheader)?;
    if let Some(i) = raw.iter().position(|v| !v.is_finite()) {
        return Err(fail(&lfile, format!("label {i} (0-based) is {}", raw[i])));
    }
    let integer = yheader.dtype.integer();
    Ok(Table {
        feature_names: (0..cols).map(|j| format!("x{j}")).collect(),
        x: Features::Npy(NpyFeatures {
            path: features.to_path_buf(),
            header,
            columns: (0..cols).collect(),
        }),
        labels: Labels {
            file: lfile,
            what: "the labels".into(),
            values: raw.iter().map(|&v| label_text(v, integer)).collect(),
            lines: None,
        },
    })
}

/// A 2-D array whose columns hold the features and the label: the label column is read at once,
/// the feature columns stay in the file.
pub fn read_table(path: &Path, spec: &TableSpec<'_>) -> Result<Table, DataError> {
    let file = path.display().to_string();
    let (mut r, header) = open(path)?;
    let [rows, width] = header.shape[..] else {
        return Err(fail(
            &file,
            "expected a 2-D array (samples × columns) holding the label as a column, \
             or give the labels apart with labels_path"
                .into(),
        ));
    };
    if rows == 0 {
        return Err(fail(&file, "the array has no rows".into()));
    }
    let names: Vec<String> = (0..width).map(|j| format!("column {j}")).collect();
    let cols = Columns::resolve(
        &file,
        &names,
        &TableSpec {
            header: false,
            ..*spec
        },
    )?;
    let mut label = Vec::with_capacity(rows);
    let mut at = Position::new(&header);
    for_each_value(&mut r, &header, |v| {
        if at.col == cols.label {
            label.push(v);
        }
        at.advance();
    })
    .map_err(|e| format_error(&file, e))?;
    // In Fortran order the column is read top to bottom too: one value per row, in row order.
    if let Some(i) = label.iter().position(|v| !v.is_finite()) {
        return Err(fail(
            &file,
            format!(
                "row {i}, column {} (0-based, the label) is {}",
                cols.label, label[i]
            ),
        ));
    }
    let integer = header.dtype.integer();
    Ok(Table {
        feature_names: cols.features.iter().map(|j| format!("x{j}")).collect(),
        labels: Labels {
            file,
            what: format!("column {}", cols.label),
            values: label.iter().map(|&v| label_text(v, integer)).collect(),
            lines: None,
        },
        x: Features::Npy(NpyFeatures {
            path: path.to_path_buf(),
            header,
            columns: cols.features,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use ndarray::{array, ShapeBuilder};
    use std::path::PathBuf;

    fn write(dir: &Path, name: &str, a: &Array2<f64>) -> PathBuf {
        let p = dir.join(name);
        ndarray_npy::write_npy(&p, a).unwrap();
        p
    }

    /// Rows land in their part at their position, in C and in Fortran order; unlisted rows are
    /// left out, unlisted columns too.
    #[test]
    fn take_places_each_listed_row_once_in_either_memory_order() {
        let dir = tempfile::tempdir().unwrap();
        let x = Array2::from_shape_fn((5, 3), |(i, j)| (10 * i + j) as f64);
        let f = Array2::from_shape_vec((5, 3).f(), x.t().iter().copied().collect()).unwrap();
        assert_eq!(f, x);
        for (name, a) in [("c.npy", &x), ("f.npy", &f)] {
            let path = write(dir.path(), name, a);
            let (_, header) = open(&path).unwrap();
            let features = NpyFeatures {
                path,
                header,
                columns: vec![2, 0],
            };
            let [train, test] = features.take([&[4, 1], &[0]]).unwrap();
            assert_eq!(train, array![[42.0, 40.0], [12.0, 10.0]], "{name}");
            assert_eq!(test, array![[2.0, 0.0]], "{name}");
        }
    }

    #[test]
    fn the_first_non_finite_feature_is_reported_even_in_a_row_not_taken() {
        let dir = tempfile::tempdir().unwrap();
        let mut x = Array2::zeros((3, 2));
        x[[2, 0]] = f64::INFINITY;
        x[[1, 1]] = f64::NAN;
        let path = write(dir.path(), "bad.npy", &x);
        let (_, header) = open(&path).unwrap();
        let features = NpyFeatures {
            path: path.clone(),
            header,
            columns: vec![0, 1],
        };
        let e = features.take([&[0]]).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}: row 1, column 1 (0-based) is NaN; features must be finite numbers",
                path.display()
            )
        );
    }
}
