//! The user's CSV file → numeric features and raw label values.
//!
//! Read with the `csv` crate, streaming, one record at a time. Every problem names the file, the
//! 1-based line and the column (its header name and 0-based index, the same indices the `label`
//! and `columns` keys take): missing or non-numeric values, NaN/inf, ragged rows, an empty file.

use super::features::Features;
use super::labels::Labels;
use super::DataError;
use crate::scenario::spec::LabelColumn;
use ndarray::Array2;
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

/// Missing-value markers (case-insensitive) reported as missing rather than "not a number".
const MISSING: &[&str] = &["", "na", "n/a", "nan", "null", "none", "?"];

/// Reads a CSV file.
pub fn read(path: &Path, spec: &TableSpec<'_>) -> Result<Table, DataError> {
    let (file, records, first) = open(path, spec.delimiter)?;
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
    let mut rows = Rows {
        file: &file,
        names: &names,
        cols: &cols,
        header: spec.header,
        width: first.len(),
        first_line: first.position().map_or(1, |p| p.line()),
        values: Vec::new(),
        labels: Vec::new(),
        lines: Vec::new(),
    };
    let data_rows = std::iter::once(Ok(first))
        .filter(|_| !spec.header)
        .chain(records);
    for record in data_rows {
        rows.push(&record.map_err(|e| read_error(&file, e))?)?;
    }
    rows.into_table()
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
    let reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .delimiter(delimiter)
        .from_path(path)
        .map_err(|e| DataError::File {
            path: file.clone(),
            message: format!("cannot open: {e}"),
        })?;
    let mut records = reader.into_records();
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

/// A reading error of the csv crate, at its line, with UTF-8 problems said in words.
fn read_error(file: &str, e: ::csv::Error) -> DataError {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        ::csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not valid UTF-8", err.field()),
        _ => e.to_string(),
    };
    DataError::At {
        path: file.to_string(),
        line,
        message,
    }
}

/// The data rows read so far, each checked as it comes (width, numbers, a label).
struct Rows<'a> {
    file: &'a str,
    names: &'a [String],
    cols: &'a Columns,
    header: bool,
    width: usize,
    first_line: u64,
    values: Vec<f64>,
    labels: Vec<String>,
    lines: Vec<u64>,
}

impl Rows<'_> {
    fn describe(&self, j: usize) -> String {
        if self.header {
            format!("column \"{}\" (index {j})", self.names[j])
        } else {
            format!("column {j}")
        }
    }

    fn push(&mut self, record: &::csv::StringRecord) -> Result<(), DataError> {
        let line = record.position().map_or(0, |p| p.line());
        let at = |message: String| DataError::At {
            path: self.file.to_string(),
            line,
            message,
        };
        if record.len() != self.width {
            let reference = if self.header {
                "the header".to_string()
            } else {
                format!("line {}", self.first_line)
            };
            return Err(at(format!(
                "the row has {} field(s) but {reference} has {}",
                record.len(),
                self.width
            )));
        }
        for &j in &self.cols.features {
            let cell = strip_bom(j, &record[j]);
            let v = number(cell).map_err(|why| at(format!("{}: {why}", self.describe(j))))?;
            self.values.push(v);
        }
        let label = &record[self.cols.label];
        // Any text is a valid label (even "NA" may name a class); only an empty field is missing.
        if label.is_empty() {
            return Err(at(format!(
                "{}: missing label (empty field)",
                self.describe(self.cols.label)
            )));
        }
        self.labels.push(label.to_string());
        self.lines.push(line);
        Ok(())
    }

    fn into_table(self) -> Result<Table, DataError> {
        if self.labels.is_empty() {
            return Err(DataError::File {
                path: self.file.to_string(),
                message: "the file has a header line but no data rows".into(),
            });
        }
        let shape = (self.labels.len(), self.cols.features.len());
        let what = self.describe(self.cols.label);
        let x = Array2::from_shape_vec(shape, self.values).expect("n rows of d values");
        Ok(Table {
            x: Features::Parsed(x),
            feature_names: self
                .cols
                .features
                .iter()
                .map(|&j| self.names[j].clone())
                .collect(),
            labels: Labels {
                file: self.file.to_string(),
                what,
                values: self.labels,
                lines: Some(self.lines),
            },
        })
    }
}

fn strip_bom(j: usize, s: &str) -> &str {
    if j == 0 {
        s.trim_start_matches('\u{feff}')
    } else {
        s
    }
}

fn shown(cell: &str) -> String {
    if cell.is_empty() {
        "empty field".into()
    } else {
        format!("\"{cell}\"")
    }
}

/// A finite number, or why not.
fn number(cell: &str) -> Result<f64, String> {
    let lower = cell.to_ascii_lowercase();
    if MISSING.contains(&lower.as_str()) {
        return Err(format!(
            "missing value ({}); labelnoise needs complete numeric features: drop or impute the row",
            shown(cell)
        ));
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!(
            "\"{cell}\" is not finite; features must be finite numbers"
        )),
        Err(_) if cell.contains(',') => Err(format!(
            "\"{cell}\" is not a number (write decimals with '.', not ',')"
        )),
        Err(_) => Err(format!("\"{cell}\" is not a number")),
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
    fn numbers_and_non_numbers() {
        assert_eq!(number("1e3"), Ok(1000.0));
        assert_eq!(number("-0.5"), Ok(-0.5));
        assert!(number("NA")
            .unwrap_err()
            .starts_with("missing value (\"NA\")"));
        assert!(number("")
            .unwrap_err()
            .starts_with("missing value (empty field)"));
        assert!(number("inf").unwrap_err().contains("not finite"));
        assert!(number("1,5").unwrap_err().contains("with '.'"));
        assert_eq!(number("abc").unwrap_err(), "\"abc\" is not a number");
    }

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
