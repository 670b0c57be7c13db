//! `[selection]`: reads the section and checks that every tuned axis is a model or method axis of
//! the grid (the grid's axes are known only once every section is built).

use super::build::cells;
use super::build::Reader;
use super::diag::{did_you_mean, Problem};
use super::reader::{Scalar, Span, Table};
use super::spec::{SelectionScore, SelectionSpec, ValidationLabels};
use crate::vocab::axis::{Axis, Section};
use crate::vocab::keys::selection::{FRACTION, METRIC, TUNE, VALIDATION};

/// The section as read, with where each tuned axis was written.
pub struct Read {
    pub spec: SelectionSpec,
    tune: Vec<(String, Span)>,
    table: Span,
}

/// Reads `[selection]` (absent: `None`); bad values are reported.
pub fn read(table: Option<&Table>, problems: &mut Vec<Problem>) -> Option<Read> {
    let t = table?;
    let cell = cells(t).into_iter().next().unwrap_or_default();
    let mut r = Reader {
        section: "selection",
        cell: &cell,
        table_span: t.span.clone(),
        problems,
        kind: None,
    };
    let validation = match r.text(&VALIDATION).as_str() {
        "clean" => ValidationLabels::Clean,
        _ => ValidationLabels::Noisy,
    };
    let metric = match r.text(&METRIC).as_str() {
        "nll" => SelectionScore::Nll,
        _ => SelectionScore::Accuracy,
    };
    let fraction = r.number(&FRACTION);
    let tune = match cell.get(TUNE.name) {
        Some((Scalar::Names(names), _)) => names.clone(),
        _ => Vec::new(),
    };
    Some(Read {
        spec: SelectionSpec {
            validation,
            fraction,
            metric,
            tune: Vec::new(),
        },
        tune,
        table: t.span.clone(),
    })
}

/// Checks the tuned axes against the grid's `axes` and returns the spec with them typed.
pub fn resolve(read: Read, axes: &[Axis], problems: &mut Vec<Problem>) -> SelectionSpec {
    let Read {
        mut spec,
        tune,
        table,
    } = read;
    if tune.is_empty() {
        problems.push(
            Problem::new(
                table,
                "selection.tune is missing: nothing would be chosen on validation",
            )
            .help("name the grid axes to tune, e.g. tune = [\"model.l2\", \"method.epsilon\"]"),
        );
    }
    let tunable: Vec<String> = axes
        .iter()
        .filter(|a| is_tunable(a))
        .map(Axis::to_string)
        .collect();
    let allowed = if tunable.is_empty() {
        "no axis of this grid can be tuned: give a model or method key a list of values (e.g. l2 = [1e-4, 1e-2])".to_string()
    } else {
        format!(
            "axes of this grid that can be tuned: {}",
            tunable.join(", ")
        )
    };
    for (name, span) in tune {
        let axis = Axis::parse(&name);
        let problem = match &axis {
            _ if spec.tune.iter().any(|a| *a == *name.as_str()) => {
                Some(format!("selection.tune names `{name}` twice"))
            }
            Some(a) if tunable.contains(&name) => {
                spec.tune.push(a.clone());
                None
            }
            Some(a) if a.key() == "kind" || a.key() == "style" => Some(format!(
                "selection.tune: `{name}` names the method family, which is compared, not tuned"
            )),
            Some(a) if !matches!(a.section(), Section::Model | Section::Method) => Some(format!(
                "selection.tune: `{name}` is not a model or method setting (noisy labels and data are compared, never tuned)"
            )),
            Some(_) => Some(format!(
                "selection.tune: `{name}` is not an axis of this grid (the key has one value)"
            )),
            None => Some(format!(
                "selection.tune: `{name}` is not an axis path `section.key`"
            )),
        };
        if let Some(message) = problem {
            let hint = did_you_mean(
                &name,
                &tunable.iter().map(String::as_str).collect::<Vec<_>>(),
            )
            .map(|h| format!("{h} "))
            .unwrap_or_default();
            problems.push(Problem::new(span, message).help(format!("{hint}{allowed}")));
        }
    }
    spec
}

/// A model or method setting other than the method family itself.
fn is_tunable(axis: &Axis) -> bool {
    matches!(axis.section(), Section::Model | Section::Method)
        && axis.key() != "kind"
        && axis.key() != "style"
}
