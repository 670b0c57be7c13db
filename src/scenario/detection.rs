//! `[detection]`: one table, not an axis. Its `score` list says which scores every run computes.

use super::build::cells;
use super::build::Reader;
use super::diag::Problem;
use super::reader::{Scalar, Table};
use super::spec::{DetectionSpec, Score};
use crate::vocab::keys::detection::{FOLDS, SCORE};

/// The detection settings of a `[detection]` table (all scores unless `score` lists some).
pub(super) fn settings(table: &Table, problems: &mut Vec<Problem>) -> DetectionSpec {
    // `score` is a list, not an axis: read it whole; the table's other keys are single values.
    let scores = match table.fields.get(SCORE.name) {
        Some(field) => field
            .values
            .iter()
            .filter_map(|(v, _)| match v {
                Scalar::Str(s) => Score::ALL.into_iter().find(|k| k.name() == s),
                _ => None,
            })
            .collect(),
        None => Score::ALL.to_vec(),
    };
    let mut rest = table.clone();
    rest.fields.remove(SCORE.name);
    let cell = cells(&rest).into_iter().next().unwrap_or_default();
    let mut r = Reader {
        section: "detection",
        cell: &cell,
        table_span: table.span.clone(),
        problems,
        kind: None,
    };
    let folds = r.whole(&FOLDS);
    DetectionSpec { scores, folds }
}
