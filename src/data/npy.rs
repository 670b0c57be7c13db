//! NumPy `.npy` arrays (read with `ndarray-npy`) → numeric features and raw label values.
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
//! value). Positions in messages are 0-based rows and columns, as in NumPy.

use super::csv::{Columns, Table, TableSpec};
use super::labels::Labels;
use super::DataError;
use ndarray::{Array2, ArrayD, Axis, Ix2};
use ndarray_npy::{ReadNpyError, ReadNpyExt};
use std::path::Path;

/// An array's values as f64, and whether they all came from an integer or bool dtype.
struct Numeric {
    values: ArrayD<f64>,
    integer: bool,
}

fn read_any(path: &Path) -> Result<Numeric, DataError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| DataError::File {
        path: file.clone(),
        message: format!("cannot read: {e}"),
    })?;
    parse_any(&file, &bytes)
}

/// An array's values from the bytes of a `.npy` file (`file` names it in messages).
fn parse_any(file: &str, bytes: &[u8]) -> Result<Numeric, DataError> {
    let fail = |message: String| DataError::File {
        path: file.to_string(),
        message,
    };
    macro_rules! attempt {
        ($t:ty, $integer:expr) => {
            match ArrayD::<$t>::read_npy(bytes) {
                Ok(a) => {
                    return Ok(Numeric {
                        values: a.mapv(|v| v as f64),
                        integer: $integer,
                    })
                }
                Err(ReadNpyError::WrongDescriptor(_)) => {}
                Err(e) => return Err(fail(format!("not a readable .npy file: {e}"))),
            }
        };
    }
    attempt!(f64, false);
    attempt!(f32, false);
    attempt!(i64, true);
    attempt!(i32, true);
    attempt!(i16, true);
    attempt!(i8, true);
    attempt!(u64, true);
    attempt!(u32, true);
    attempt!(u16, true);
    attempt!(u8, true);
    match ArrayD::<bool>::read_npy(bytes) {
        Ok(a) => Ok(Numeric {
            values: a.mapv(|v| f64::from(u8::from(v))),
            integer: true,
        }),
        Err(ReadNpyError::WrongDescriptor(d)) => Err(fail(format!(
            "dtype {d} is not supported: save numbers (integer, float or bool), e.g. integer class codes \
             from np.unique(y, return_inverse=True), or use a CSV file for text labels"
        ))),
        Err(e) => Err(fail(format!("not a readable .npy file: {e}"))),
    }
}

/// Label text of a numeric value: integers without a decimal point.
fn label_text(v: f64, integer: bool) -> String {
    if integer || (v.fract() == 0.0 && v.abs() < 1e15) {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

fn finite(file: &str, x: &Array2<f64>, columns: &[usize]) -> Result<(), DataError> {
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(DataError::File {
                path: file.to_string(),
                message: format!(
                    "row {i}, column {} (0-based) is {}; features must be finite numbers",
                    columns[j], row[j]
                ),
            });
        }
    }
    Ok(())
}

/// The values of a 1-D label array (`.npy` bytes) as label text, row i for row i; `what` says
/// which key named the array, for messages.
pub fn labels_from_bytes(file: &str, what: &str, bytes: &[u8]) -> Result<Labels, DataError> {
    let y = parse_any(file, bytes)?;
    let fail = |message: String| DataError::File {
        path: file.to_string(),
        message,
    };
    if !matches!(y.values.shape(), [_] | [_, 1]) {
        return Err(fail(format!(
            "{what} must be a 1-D array, found shape {:?}",
            y.values.shape()
        )));
    }
    let raw: Vec<f64> = y.values.iter().copied().collect();
    if let Some(i) = raw.iter().position(|v| !v.is_finite() || v.fract() != 0.0) {
        return Err(fail(format!(
            "row {i} (0-based) of {what} is {}; labels must be whole numbers (class codes)",
            raw[i]
        )));
    }
    Ok(Labels {
        file: file.to_string(),
        what: what.to_string(),
        values: raw.iter().map(|&v| label_text(v, true)).collect(),
        lines: None,
    })
}

/// A 2-D feature array with the labels in a separate 1-D array.
pub fn read_pair(features: &Path, labels: &Path) -> Result<Table, DataError> {
    let file = features.display().to_string();
    let lfile = labels.display().to_string();
    let x = read_any(features)?;
    let x = x
        .values
        .into_dimensionality::<Ix2>()
        .map_err(|_| DataError::File {
            path: file.clone(),
            message: "features must be a 2-D array (samples × features)".into(),
        })?;
    let y = read_any(labels)?;
    let n_labels = match y.values.shape() {
        [n] | [n, 1] => *n,
        other => {
            return Err(DataError::File {
                path: lfile,
                message: format!("labels must be a 1-D array, found shape {other:?}"),
            })
        }
    };
    if n_labels != x.nrows() {
        return Err(DataError::File {
            path: lfile,
            message: format!("{n_labels} labels for the {} rows of {file}", x.nrows()),
        });
    }
    let all: Vec<usize> = (0..x.ncols()).collect();
    finite(&file, &x, &all)?;
    let raw: Vec<f64> = y.values.iter().copied().collect();
    if let Some(i) = raw.iter().position(|v| !v.is_finite()) {
        return Err(DataError::File {
            path: lfile,
            message: format!("label {i} (0-based) is {}", raw[i]),
        });
    }
    let values: Vec<String> = raw.iter().map(|&v| label_text(v, y.integer)).collect();
    Ok(Table {
        feature_names: (0..x.ncols()).map(|j| format!("x{j}")).collect(),
        x,
        labels: Labels {
            file: lfile,
            what: "the labels".into(),
            values,
            lines: None,
        },
    })
}

/// A 2-D array whose columns hold the features and the label.
pub fn read_table(path: &Path, spec: &TableSpec<'_>) -> Result<Table, DataError> {
    let file = path.display().to_string();
    let a = read_any(path)?;
    let integer = a.integer;
    let a = a
        .values
        .into_dimensionality::<Ix2>()
        .map_err(|_| DataError::File {
            path: file.clone(),
            message: "expected a 2-D array (samples × columns) holding the label as a column, \
                  or give the labels apart with labels_path"
                .into(),
        })?;
    if a.nrows() == 0 {
        return Err(DataError::File {
            path: file,
            message: "the array has no rows".into(),
        });
    }
    let names: Vec<String> = (0..a.ncols()).map(|j| format!("column {j}")).collect();
    let cols = Columns::resolve(
        &file,
        &names,
        &TableSpec {
            header: false,
            ..*spec
        },
    )?;
    let x = a.select(Axis(1), &cols.features);
    finite(&file, &x, &cols.features)?;
    let label = a.column(cols.label);
    if let Some(i) = label.iter().position(|v| !v.is_finite()) {
        return Err(DataError::File {
            path: file,
            message: format!(
                "row {i}, column {} (0-based, the label) is {}",
                cols.label, label[i]
            ),
        });
    }
    Ok(Table {
        feature_names: cols.features.iter().map(|j| format!("x{j}")).collect(),
        x,
        labels: Labels {
            file,
            what: format!("column {}", cols.label),
            values: label.iter().map(|&v| label_text(v, integer)).collect(),
            lines: None,
        },
    })
}
