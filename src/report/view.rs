//! What a summary reads of a run record: the few fields it needs, deserialized straight from a
//! `runs.jsonl` line. The rest of the line (traces, reliability bins, the resolved configuration)
//! is skipped without being kept, so a folder of a million runs is summarized without holding its
//! records.

use crate::engine::record::{RunRecord, ValidationRecord};
use crate::engine::store::{RecordHead, RecordView};
use crate::scenario::spec::{AxisValue, MethodSpec};
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metrics;
use crate::vocab::termination::Termination;
use serde::Deserialize;

/// The fields of a [`RunRecord`] a summary uses, under the record's own names.
#[derive(Clone, Debug, Deserialize)]
pub struct RunView {
    pub id: String,
    pub index: usize,
    pub scenario: String,
    pub scenario_hash: String,
    pub version: String,
    #[serde(default)]
    pub build: String,
    pub seed: u64,
    pub axes: Vec<(Axis, AxisValue)>,
    pub config: ConfigView,
    pub data: DataView,
    pub noise: NoiseView,
    pub metrics: Metrics,
    pub optimizer: OptimizerView,
    /// The validation score, when the scenario has a `[selection]`.
    #[serde(default)]
    pub validation: Option<ValidationRecord>,
    /// Present (and skipped unread) when the run recorded a training trace: records leave an
    /// empty trace out.
    #[serde(default)]
    pub trace: Option<serde::de::IgnoredAny>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ConfigView {
    pub method: MethodSpec,
    pub model: ModelView,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ModelView {
    pub l2: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DataView {
    pub classes: usize,
}

#[derive(Clone, Debug, Deserialize)]
pub struct NoiseView {
    /// The realized flip rate.
    pub rate: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct OptimizerView {
    pub termination: Termination,
}

impl RecordView for RunView {
    /// The fields every line of a folder is checked on ([`crate::engine::lines::LineCheck`]).
    fn head(&self) -> RecordHead {
        RecordHead {
            id: self.id.clone(),
            scenario: self.scenario.clone(),
            index: self.index,
            scenario_hash: self.scenario_hash.clone(),
            version: self.version.clone(),
        }
    }
}

impl From<&RunRecord> for RunView {
    fn from(r: &RunRecord) -> Self {
        RunView {
            id: r.id.clone(),
            index: r.index,
            scenario: r.scenario.clone(),
            scenario_hash: r.scenario_hash.clone(),
            version: r.version.clone(),
            build: r.build.clone(),
            seed: r.seed,
            axes: r.axes.clone(),
            config: ConfigView {
                method: r.config.method.clone(),
                model: ModelView {
                    l2: r.config.model.l2,
                },
            },
            data: DataView {
                classes: r.data.classes,
            },
            noise: NoiseView { rate: r.noise.rate },
            metrics: r.metrics,
            optimizer: OptimizerView {
                termination: r.optimizer.termination,
            },
            validation: r.validation.clone(),
            trace: (!r.trace.is_empty()).then_some(serde::de::IgnoredAny),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored record read as a view keeps exactly the values the record holds.
    #[test]
    fn a_view_read_from_a_record_line_equals_the_view_of_the_record() {
        let line = include_str!("../engine/testdata/quickstart_run.json");
        let record: RunRecord = serde_json::from_str(line).unwrap();
        let read: RunView = serde_json::from_str(line).unwrap();
        let made = RunView::from(&record);
        assert_eq!(format!("{read:?}"), format!("{made:?}"));
        assert_eq!(read.head().id, record.id);
        assert_eq!(
            read.optimizer.termination.converged(),
            record.optimizer.converged()
        );
    }
}
