//! The user's CSV file → numeric features and raw label values.
//!
//! Read with the `csv` crate, streaming, one record at a time: the labels first, the features
//! when the split is known (`csv_features`). Every problem names the file, the 1-based line and
//! the column (its header name and 0-based index, the same indices the `label` and `columns` keys
//! take): missing or non-numeric values, NaN/inf, ragged rows, an empty file.

use super::csv_features::{line_of, read_error, reader, strip_bom, CsvFeatures, RowCheck};
use super::features::Features;
use super::labels::Labels;
use super::DataError;
use crate::scenario::spec::LabelColumn;
use std::path::Path;

/// How to read a table, from the dataset spec.
#[derive(Clone, Copy, Debug)]
pub struct TableSpec<'a> {
    /// The label column; `Name("")` means the last column.
    pub label: &'a LabelColumn,
    pub header: bool,
    pub delimiter: u8,
    /// Feature columns; `None` means every column but the label.
    pub columns: Option<&'a [LabelColumn]>,
}

/// One file's features and labels.
pub struct Table {
    pub x: Features,
    pub feature_names: Vec<String>,
    pub labels: Labels,
}

/// Reads a CSV file's labels, checking every row's width and label; the feature values stay in
/// the file ([`CsvFeatures`]) until the split says where each row goes. Any problem is the one a
/// reading that parses everything meets first (a bad value before a bad label is named).
pub fn read(path: &Path, spec: &TableSpec<'_>) -> Result<Table, DataError> {
    let (file, _, first) = open(path, spec.delimiter)?;
    let names: Vec<String> = if spec.header {
        first
            .iter()
            .enumerate()
            .map(|(j, s)| strip_bom(j, s).to_string())
            .collect()
    } else {
        (0..first.len()).map(|j| format!("column {j}")).collect()
    };
    let cols = Columns::resolve(&file, &names, spec)?;
    let check = RowCheck {
        file,
        names,
        header: spec.header,
        width: first.len(),
        first_line: first.position().map_or(1, |p| p.line()),
        label: cols.label,
        features: cols.features,
    };
    let features = CsvFeatures::new(path, spec.delimiter, check);
    let check = features.check();
    let (mut labels, mut lines) = (Vec::new(), Vec::new());
    let read = features.scan(|record| {
        check.width(record)?;
        labels.push(check.label(record)?.to_string());
        lines.push(line_of(record));
        Ok(())
    });
    let rows = read.map_err(|e| features.validate().err().unwrap_or(e))?;
    if rows == 0 {
        return Err(DataError::File {
            path: check.file.clone(),
            message: "the file has a header line but no data rows".into(),
        });
    }
    Ok(Table {
        feature_names: check
            .features
            .iter()
            .map(|&j| check.names[j].clone())
            .collect(),
        labels: Labels {
            file: check.file.clone(),
            what: check.describe(check.label),
            values: labels,
            lines: Some(lines),
        },
        x: Features::Csv(features.counted(rows)),
    })
}

/// Opens a CSV file and reads its first record (the header, or the first data row).
fn open(
    path: &Path,
    delimiter: u8,
) -> Result<
    (
        String,
        ::csv::StringRecordsIntoIter<std::fs::File>,
        ::csv::StringRecord,
    ),
    DataError,
> {
    let file = path.display().to_string();
    let mut records = reader(path, delimiter)?.into_records();
    let first = match records.next() {
        None => {
            return Err(DataError::File {
                path: file,
                message: "the file is empty".into(),
            })
        }
        Some(r) => r.map_err(|e| read_error(&file, e))?,
    };
    Ok((file, records, first))
}

/// [`Columns::resolve`] names the label column's key `label = `; other callers name it `key`.
pub fn label_key_named(e: DataError, key: &str) -> DataError {
    match e {
        DataError::At {
            path,
            line,
            message,
        } => DataError::At {
            path,
            line,
            message: message.replacen("label = ", key, 1),
        },
        other => other,
    }
}

/// The label column and the feature columns, as 0-based indices into a row.
#[derive(Clone, Debug, PartialEq)]
pub struct Columns {
    pub label: usize,
    pub features: Vec<usize>,
}

impl Columns {
    /// Resolves the `label` and `columns` keys against a file's column names (`header = false`:
    /// indices only). Used for CSV files and for 2-D `.npy` arrays.
    pub fn resolve(
        file: &str,
        names: &[String],
        spec: &TableSpec<'_>,
    ) -> Result<Columns, DataError> {
        let width = names.len();
        let bad = |message: String| DataError::At {
            path: file.to_string(),
            line: 1,
            message,
        };
        let find = |key: &str, col: &LabelColumn| -> Result<usize, DataError> {
            match col {
                LabelColumn::Index(i) if *i < width => Ok(*i),
                LabelColumn::Index(i) => Err(bad(format!(
                    "{key} = {i} is out of range: the file has {width} column(s), indices 0..={}",
                    width.saturating_sub(1)
                ))),
                LabelColumn::Name(name) if !spec.header => Err(bad(format!(
                    "{key} = \"{name}\" names a column, but header = false: give a 0-based index instead"
                ))),
                LabelColumn::Name(name) => {
                    let hits: Vec<usize> = (0..width).filter(|&j| names[j] == *name).collect();
                    match hits.as_slice() {
                        [j] => Ok(*j),
                        [] => {
                            let score = |n: &String| strsim::jaro_winkler(&n.to_lowercase(), &name.to_lowercase());
                            let near = names.iter().filter(|n| score(n) > 0.8).max_by(|a, b| score(a).total_cmp(&score(b)));
                            let hint = near.map(|n| format!(" (did you mean \"{n}\"?)")).unwrap_or_default();
                            Err(bad(format!(
                                "{key} = \"{name}\": no such column in the header{hint}; columns: {}",
                                names.join(", ")
                            )))
                        }
                        many => Err(bad(format!(
                            "{key} = \"{name}\" appears {} times in the header (indices {:?}); give a 0-based index",
                            many.len(),
                            many
                        ))),
                    }
                }
            }
        };
        let label = match spec.label {
            LabelColumn::Name(n) if n.is_empty() => width
                .checked_sub(1)
                .ok_or_else(|| bad("the file has no columns".into()))?,
            other => find("label", other)?,
        };
        let features = match spec.columns {
            None => (0..width).filter(|&j| j != label).collect(),
            Some(list) => {
                let mut out: Vec<usize> = Vec::with_capacity(list.len());
                for col in list {
                    let j = find("columns", col)?;
                    if j == label {
                        return Err(bad(format!(
                            "columns lists the label column ({j}, \"{}\")",
                            names[j]
                        )));
                    }
                    if out.contains(&j) {
                        return Err(bad(format!(
                            "columns lists column {j} (\"{}\") twice",
                            names[j]
                        )));
                    }
                    out.push(j);
                }
                out
            }
        };
        if features.is_empty() {
            return Err(bad(
                "no feature columns: the file holds only the label".into()
            ));
        }
        Ok(Columns { label, features })
    }
}

/// One column of a CSV file with a header, as label text with each value's line: `name`, else the
/// last column. Other columns are not read as numbers (ids, text, other label columns may sit
/// beside it).
pub fn column(path: &Path, name: Option<&str>) -> Result<Labels, DataError> {
    let (file, records, header) = open(path, b',')?;
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(j, s)| strip_bom(j, s).to_string())
        .collect();
    let label = LabelColumn::Name(name.unwrap_or_default().to_string());
    let spec = TableSpec {
        label: &label,
        header: true,
        delimiter: b',',
        columns: None,
    };
    let j = Columns::resolve(&file, &names, &spec)
        .map_err(|e| label_key_named(e, "--column "))?
        .label;
    let (mut values, mut lines) = (Vec::new(), Vec::new());
    for record in records {
        let record = record.map_err(|e| read_error(&file, e))?;
        let line = record.position().map_or(0, |p| p.line());
        match record.get(j) {
            Some(v) if !v.is_empty() => values.push(v.to_string()),
            _ => {
                return Err(DataError::At {
                    path: file,
                    line,
                    message: format!("column \"{}\" (index {j}): missing label", names[j]),
                })
            }
        }
        lines.push(line);
    }
    if values.is_empty() {
        return Err(DataError::File {
            path: file,
            message: "the file has a header line but no data rows".into(),
        });
    }
    Ok(Labels {
        file,
        what: format!("column \"{}\" (index {j})", names[j]),
        values,
        lines: Some(lines),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_by_name_index_and_default() {
        let names: Vec<String> = ["a", "b", "y"].map(String::from).to_vec();
        let last = LabelColumn::Name(String::new());
        let spec = TableSpec {
            label: &last,
            header: true,
            delimiter: b',',
            columns: None,
        };
        assert_eq!(
            Columns::resolve("f", &names, &spec).unwrap(),
            Columns {
                label: 2,
                features: vec![0, 1]
            }
        );
        let label = LabelColumn::Name("a".into());
        let cols = [LabelColumn::Index(2)];
        let spec = TableSpec {
            label: &label,
            columns: Some(&cols),
            ..spec
        };
        assert_eq!(
            Columns::resolve("f", &names, &spec).unwrap(),
            Columns {
                label: 0,
                features: vec![2]
            }
        );
        let typo = LabelColumn::Name("yy".into());
        let e = Columns::resolve(
            "f",
            &names,
            &TableSpec {
                label: &typo,
                columns: None,
                ..spec
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "f:1: label = \"yy\": no such column in the header (did you mean \"y\"?); columns: a, b, y");
    }
}
