//! The engine's errors: [`EngineError`] stops a whole call, [`RunError`] fails one run while the
//! others go on. Messages are those of the stage that failed, unchanged.

use super::store::StoreError;
use crate::data::DataError;
use crate::noise::NoiseError;
use crate::train::TrainError;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A dataset of the first repetition cannot be built (checked before any training).
    #[error(transparent)]
    Data(#[from] Arc<DataError>),
    #[error("{0}")]
    Input(String),
    #[error("cannot start {threads} threads: {message}")]
    Threads { threads: usize, message: String },
}

/// Why one run failed. Datasets and noise draws are shared by several runs, so their errors are too
/// (behind an `Arc`).
#[derive(Debug, Error)]
pub enum RunError {
    #[error(transparent)]
    Data(#[from] Arc<DataError>),
    #[error(transparent)]
    Noise(#[from] Arc<NoiseError>),
    #[error(transparent)]
    Train(#[from] TrainError),
}
