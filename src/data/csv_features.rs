//! The feature columns of a CSV file, parsed straight into the split's arrays once the rows each
//! part takes are known. The file is read twice: first its labels (for the split; no number is
//! parsed), then its features, each value parsed once and stored at its place. The parsed data is
//! never held twice (the old way parsed the whole matrix, then copied its rows into the split).
//!
//! Both readings check rows in the order one reading did (width, feature values left to right,
//! label), so every message names the same file, line and column; a problem the first reading
//! skips (a bad number) is found by [`CsvFeatures::validate`] when an error of the first reading
//! or of the split would otherwise be reported first (see `data::build`).

use super::row_slots::RowSlots;
use super::DataError;
use ndarray::Array2;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Missing-value markers (case-insensitive) reported as missing rather than "not a number".
const MISSING: &[&str] = &["", "na", "n/a", "nan", "null", "none", "?"];

/// A CSV reader with labelnoise's settings: no header handling (the caller reads it), ragged rows
/// allowed (reported by [`RowCheck`]), fields trimmed.
pub fn reader(path: &Path, delimiter: u8) -> Result<::csv::Reader<std::fs::File>, DataError> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .delimiter(delimiter)
        .from_path(path)
        .map_err(|e| DataError::File {
            path: path.display().to_string(),
            message: format!("cannot open: {e}"),
        })
}

/// A reading error of the csv crate, at its line, with UTF-8 problems said in words.
pub fn read_error(file: &str, e: ::csv::Error) -> DataError {
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

pub fn strip_bom(j: usize, s: &str) -> &str {
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
pub fn number(cell: &str) -> Result<f64, String> {
    // No missing-value marker parses to a finite number, so a finite parse is the answer (and
    // spares the lowercase copy the checks below make).
    if let Ok(v) = cell.parse::<f64>() {
        if v.is_finite() {
            return Ok(v);
        }
    }
    let lower = cell.to_ascii_lowercase();
    if MISSING.contains(&lower.as_str()) {
        return Err(format!(
            "missing value ({}); labelnoise needs complete numeric features: drop or impute the row",
            shown(cell)
        ));
    }
    match cell.parse::<f64>() {
        Ok(_) => Err(format!(
            "\"{cell}\" is not finite; features must be finite numbers"
        )),
        Err(_) if cell.contains(',') => Err(format!(
            "\"{cell}\" is not a number (write decimals with '.', not ',')"
        )),
        Err(_) => Err(format!("\"{cell}\" is not a number")),
    }
}

/// How one file's data rows are checked, field by field, with messages naming the line and column.
#[derive(Clone, Debug)]
pub struct RowCheck {
    pub file: String,
    /// Column names (the header's, or `column j`).
    pub names: Vec<String>,
    pub header: bool,
    /// Fields per row (the first record's).
    pub width: usize,
    /// Line of the first record, named when a row without header has another width.
    pub first_line: u64,
    /// The label column and the feature columns, 0-based.
    pub label: usize,
    pub features: Vec<usize>,
}

impl RowCheck {
    pub fn describe(&self, j: usize) -> String {
        if self.header {
            format!("column \"{}\" (index {j})", self.names[j])
        } else {
            format!("column {j}")
        }
    }

    fn at(&self, record: &::csv::StringRecord, message: String) -> DataError {
        DataError::At {
            path: self.file.clone(),
            line: line_of(record),
            message,
        }
    }

    /// The row has as many fields as the first record.
    pub fn width(&self, record: &::csv::StringRecord) -> Result<(), DataError> {
        if record.len() == self.width {
            return Ok(());
        }
        let reference = if self.header {
            "the header".to_string()
        } else {
            format!("line {}", self.first_line)
        };
        Err(self.at(
            record,
            format!(
                "the row has {} field(s) but {reference} has {}",
                record.len(),
                self.width
            ),
        ))
    }

    /// The row's label text. Any text is a valid label (even "NA" may name a class); only an
    /// empty field is missing.
    pub fn label<'r>(&self, record: &'r ::csv::StringRecord) -> Result<&'r str, DataError> {
        let label = &record[self.label];
        if label.is_empty() {
            return Err(self.at(
                record,
                format!("{}: missing label (empty field)", self.describe(self.label)),
            ));
        }
        Ok(label)
    }

    /// Every check of a row in reading order (width, features left to right, label), handing
    /// each feature value to `put` with its feature index.
    pub fn full(
        &self,
        record: &::csv::StringRecord,
        mut put: impl FnMut(usize, f64),
    ) -> Result<(), DataError> {
        self.width(record)?;
        for (k, &j) in self.features.iter().enumerate() {
            let cell = strip_bom(j, &record[j]);
            let v = number(cell)
                .map_err(|why| self.at(record, format!("{}: {why}", self.describe(j))))?;
            put(k, v);
        }
        self.label(record).map(|_| ())
    }
}

pub fn line_of(record: &::csv::StringRecord) -> u64 {
    record.position().map_or(0, |p| p.line())
}

/// Size and modification time of a file, to tell that it did not change between two readings.
fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Feature columns of a CSV file whose labels have been read ([`super::csv::read`]).
#[derive(Clone, Debug)]
pub struct CsvFeatures {
    path: PathBuf,
    delimiter: u8,
    check: RowCheck,
    /// Data rows the first reading counted.
    rows: usize,
    stamp: Option<(u64, SystemTime)>,
}

impl CsvFeatures {
    /// The features of `path`, checked by `check`; `rows` is set by [`Self::counted`].
    pub fn new(path: &Path, delimiter: u8, check: RowCheck) -> CsvFeatures {
        CsvFeatures {
            stamp: stamp(path),
            path: path.to_path_buf(),
            delimiter,
            check,
            rows: 0,
        }
    }

    pub fn check(&self) -> &RowCheck {
        &self.check
    }

    /// The same features, knowing the file has `rows` data rows.
    pub fn counted(self, rows: usize) -> CsvFeatures {
        CsvFeatures { rows, ..self }
    }

    /// Calls `on_row` with every data record in file order (the header skipped); stops at the
    /// first error. Returns how many rows were read.
    pub fn scan(
        &self,
        mut on_row: impl FnMut(&::csv::StringRecord) -> Result<(), DataError>,
    ) -> Result<usize, DataError> {
        let mut r = reader(&self.path, self.delimiter)?;
        let mut record = ::csv::StringRecord::new();
        let mut read = |record: &mut ::csv::StringRecord| {
            r.read_record(record)
                .map_err(|e| read_error(&self.check.file, e))
        };
        if self.check.header && !read(&mut record)? {
            return Ok(0);
        }
        let mut rows = 0;
        while read(&mut record)? {
            on_row(&record)?;
            rows += 1;
        }
        Ok(rows)
    }

    /// The first problem of the file as one reading checking everything finds it, if any.
    pub fn validate(&self) -> Result<(), DataError> {
        self.scan(|record| self.check.full(record, |_, _| ()))
            .map(|_| ())
    }

    /// The rows each part lists (data rows, 0-based), in its order, as one array per part: every
    /// value is parsed once and stored at its place. Every row is checked, taken or not; the
    /// first problem in the file is reported.
    pub fn take<const P: usize>(
        &self,
        parts: [&[usize]; P],
    ) -> Result<[Array2<f64>; P], DataError> {
        let changed = || DataError::File {
            path: self.check.file.clone(),
            message: "the file changed while it was being read".into(),
        };
        if stamp(&self.path) != self.stamp {
            return Err(changed());
        }
        let d = self.check.features.len();
        let slots = RowSlots::new(self.rows, parts);
        let mut out = parts.map(|rows| Array2::<f64>::zeros((rows.len(), d)));
        let mut dest: Vec<&mut [f64]> = out
            .iter_mut()
            .map(|a| a.as_slice_mut().expect("a new array is contiguous"))
            .collect();
        let mut row = 0;
        let rows = self.scan(|record| {
            if row == self.rows {
                return Err(changed());
            }
            let s = slots.of(row);
            row += 1;
            self.check.full(record, |k, v| {
                if let Some((part, pos)) = s {
                    dest[part][pos * d + k] = v;
                }
            })
        })?;
        if rows != self.rows {
            return Err(changed());
        }
        drop(dest);
        Ok(out)
    }
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
        assert!(number("NaN")
            .unwrap_err()
            .starts_with("missing value (\"NaN\")"));
        assert!(number("")
            .unwrap_err()
            .starts_with("missing value (empty field)"));
        assert!(number("inf").unwrap_err().contains("not finite"));
        assert!(number("-Infinity").unwrap_err().contains("not finite"));
        assert!(number("1,5").unwrap_err().contains("with '.'"));
        assert_eq!(number("abc").unwrap_err(), "\"abc\" is not a number");
    }
}
