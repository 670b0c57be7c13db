//! A user file's feature matrix before the split: parsed (CSV) or still in its `.npy` file, whose
//! values go straight into the split's arrays, so the data is never held twice.

use super::npy_features::NpyFeatures;
use super::DataError;
use ndarray::{Array2, Axis};

pub enum Features {
    /// Parsed into memory (CSV text has no fixed layout to stream from).
    Parsed(Array2<f64>),
    /// A `.npy` array read when the rows each part takes are known.
    Npy(NpyFeatures),
}

impl Features {
    /// The rows each part lists, in its order, as one array per part (row-major, contiguous).
    /// A row may belong to at most one part. Consumes the features: a parsed matrix is freed as
    /// soon as its rows are copied.
    pub fn take<const P: usize>(self, parts: [&[usize]; P]) -> Result<[Array2<f64>; P], DataError> {
        match self {
            Features::Parsed(x) => Ok(parts.map(|rows| x.select(Axis(0), rows))),
            Features::Npy(f) => f.take(parts),
        }
    }
}
