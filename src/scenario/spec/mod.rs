//! Concrete, validated specifications of one run: every list expanded, every default filled.
//!
//! These are what the engine, the data loaders, the noise models and the trainer see. They are
//! serialized into every run record as the resolved configuration.

mod axis_value;
mod correction_matrix;
mod dataset;
mod detection;
mod method;
mod model;
mod noise;
mod run;
mod selection;

pub use axis_value::AxisValue;
pub use correction_matrix::{Estimator, MatrixSource};
pub use dataset::{DataSource, DatasetSpec, LabelColumn, NoiseStream};
pub use detection::{DetectionSpec, Score};
pub use method::{MethodSpec, SmoothingStyle};
pub use model::{ModelKind, ModelSpec, OptimizerSpec, Schedule};
pub use noise::{CountMode, NoiseSpec, ObservedSource};
pub use run::RunSpec;
pub use selection::{SelectionScore, SelectionSpec, ValidationLabels};
