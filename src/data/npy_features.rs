//! The feature columns of a 2-D `.npy` file, streamed from the file into the split's arrays when
//! the rows each part takes are known (no second copy of the data), and the file errors the
//! `.npy` readers share.

use super::npy_format::{for_each_value, read_header, FormatError, Header};
use super::row_slots::RowSlots;
use super::DataError;
use ndarray::Array2;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

pub(super) fn fail(file: &str, message: String) -> DataError {
    DataError::File {
        path: file.to_string(),
        message,
    }
}

pub(super) fn format_error(file: &str, e: FormatError) -> DataError {
    fail(
        file,
        match e {
            FormatError::Dtype(d) => format!(
                "dtype {d} is not supported: save numbers (integer, float or bool), e.g. integer class codes \
                 from np.unique(y, return_inverse=True), or use a CSV file for text labels"
            ),
            FormatError::Other(m) => format!("not a readable .npy file: {m}"),
        },
    )
}

/// Opens a `.npy` file and reads its header.
pub(super) fn open(path: &Path) -> Result<(BufReader<File>, Header), DataError> {
    let file = path.display().to_string();
    let f = File::open(path).map_err(|e| fail(&file, format!("cannot read: {e}")))?;
    let mut r = BufReader::with_capacity(1 << 16, f);
    let header = read_header(&mut r).map_err(|e| format_error(&file, e))?;
    Ok((r, header))
}

/// Row and column of the value being read, moving in the file's order.
pub(super) struct Position {
    pub(super) row: usize,
    pub(super) col: usize,
    rows: usize,
    cols: usize,
    fortran_order: bool,
}

impl Position {
    pub(super) fn new(header: &Header) -> Position {
        Position {
            row: 0,
            col: 0,
            rows: header.shape[0],
            cols: header.shape[1],
            fortran_order: header.fortran_order,
        }
    }

    #[inline]
    pub(super) fn advance(&mut self) {
        if self.fortran_order {
            self.row += 1;
            if self.row == self.rows {
                self.row = 0;
                self.col += 1;
            }
        } else {
            self.col += 1;
            if self.col == self.cols {
                self.col = 0;
                self.row += 1;
            }
        }
    }
}

/// Feature columns of a 2-D `.npy` file, not yet read.
pub struct NpyFeatures {
    pub(super) path: PathBuf,
    pub(super) header: Header,
    /// The file's columns that are features, in feature order.
    pub(super) columns: Vec<usize>,
}

impl NpyFeatures {
    pub fn rows(&self) -> usize {
        self.header.shape[0]
    }

    /// The rows each part lists, streamed from the file into one array per part: every value is
    /// read once, converted and stored at its place. Every feature value is checked finite,
    /// taken or not; the first bad one (row-major) is reported.
    pub fn take<const P: usize>(
        &self,
        parts: [&[usize]; P],
    ) -> Result<[Array2<f64>; P], DataError> {
        let file = self.path.display().to_string();
        let d = self.columns.len();
        const NONE: usize = usize::MAX;
        let slots = RowSlots::new(self.rows(), parts);
        let mut feature_of = vec![NONE; self.header.shape[1]];
        for (k, &c) in self.columns.iter().enumerate() {
            feature_of[c] = k;
        }
        let mut out = parts.map(|rows| Array2::<f64>::zeros((rows.len(), d)));
        let (mut r, header) = open(&self.path)?;
        if header != self.header {
            return Err(fail(
                &file,
                "the file changed while it was being read".into(),
            ));
        }
        let mut bad: Option<(usize, usize, f64)> = None;
        {
            let mut dest: Vec<&mut [f64]> = out
                .iter_mut()
                .map(|a| a.as_slice_mut().expect("a new array is contiguous"))
                .collect();
            let mut at = Position::new(&header);
            for_each_value(&mut r, &header, |v| {
                let k = feature_of[at.col];
                if k != NONE {
                    if !v.is_finite() && bad.is_none_or(|(i, j, _)| (at.row, at.col) < (i, j)) {
                        bad = Some((at.row, at.col, v));
                    }
                    if let Some((part, pos)) = slots.of(at.row) {
                        dest[part][pos * d + k] = v;
                    }
                }
                at.advance();
            })
            .map_err(|e| format_error(&file, e))?;
        }
        if let Some((i, j, v)) = bad {
            return Err(fail(
                &file,
                format!("row {i}, column {j} (0-based) is {v}; features must be finite numbers"),
            ));
        }
        Ok(out)
    }
}
