//! A user file's feature matrix before the split, still in its file (a `.npy` array or CSV text):
//! its values go straight into the split's arrays once the rows each part takes are known, so the
//! data is never held twice.

use super::csv_features::CsvFeatures;
use super::npy_features::NpyFeatures;
use super::DataError;
use ndarray::Array2;

pub enum Features {
    /// CSV text, parsed when the rows are known (its labels were read first).
    Csv(CsvFeatures),
    /// A `.npy` array read when the rows each part takes are known.
    Npy(NpyFeatures),
}

impl Features {
    /// The rows each part lists, in its order, as one array per part (row-major, contiguous).
    /// A row may belong to at most one part.
    pub fn take<const P: usize>(
        &self,
        parts: [&[usize]; P],
    ) -> Result<[Array2<f64>; P], DataError> {
        match self {
            Features::Csv(f) => f.take(parts),
            Features::Npy(f) => f.take(parts),
        }
    }

    /// `later` (a problem found after reading the labels: another file, the classes, the split),
    /// unless a feature value of this file is bad: that one came first when the file was read
    /// whole, and still does. A `.npy` file's values are checked when they are taken, as before.
    pub fn first_problem(&self, later: DataError) -> DataError {
        match self {
            Features::Csv(f) => f.validate().err().unwrap_or(later),
            Features::Npy(_) => later,
        }
    }
}
