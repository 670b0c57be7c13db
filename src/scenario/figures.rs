//! `[report] figures`, `facet_rows` and `facet_cols`: which figures are drawn and which grid axis
//! makes the rows or columns of their panels. Checked here against the key table and the grid, so
//! a report never meets an unknown figure or axis.

use super::build::Cell;
use super::diag::Problem;
use super::reader::{Scalar, Span};
use crate::scenario::spec::LabelColumn;
use crate::vocab::axis::Axis;
use crate::vocab::keys::report::{FACET_ALLOWED, FACET_COLS, FACET_ROWS, FIGURES, FIGURE_NAMES};
use serde::{Deserialize, Serialize};

/// The figure choices of a scenario (`None`: the default, all figures and automatic facets).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FigureSettings {
    #[serde(default)]
    pub figures: Option<Vec<String>>,
    #[serde(default)]
    pub facet_rows: Option<Axis>,
    #[serde(default)]
    pub facet_cols: Option<Axis>,
}

impl FigureSettings {
    pub fn is_default(&self) -> bool {
        *self == FigureSettings::default()
    }
}

/// A facet axis as given, with where it was written, to check against the grid once it is known.
pub(super) type GivenAxis = (&'static str, Axis, Span);

/// Reads the three keys of `[report]`'s cell; problems name the key and what is allowed.
pub(super) fn figure_settings(
    cell: &Cell,
    problems: &mut Vec<Problem>,
) -> (FigureSettings, Vec<GivenAxis>) {
    let mut out = FigureSettings::default();
    if let Some((Scalar::Columns(cols), span)) = cell.get(FIGURES.name) {
        let names: Vec<String> = cols
            .iter()
            .map(|c| match c {
                LabelColumn::Name(n) => n.clone(),
                LabelColumn::Index(i) => i.to_string(),
            })
            .collect();
        for n in names
            .iter()
            .filter(|n| *n != "all" && !FIGURE_NAMES.contains(&n.as_str()))
        {
            let hint = super::diag::did_you_mean(n, FIGURE_NAMES)
                .map(|h| format!("{h} "))
                .unwrap_or_default();
            problems.push(
                Problem::new(
                    span.clone(),
                    format!("report.figures: unknown figure `{n}`"),
                )
                .help(format!("{hint}allowed: {}", FIGURES.allowed)),
            );
        }
        if !names.iter().any(|n| n == "all") {
            out.figures = Some(names);
        }
    }
    let mut given = Vec::new();
    for key in [&FACET_ROWS, &FACET_COLS] {
        let Some((Scalar::Str(text), span)) = cell.get(key.name) else {
            continue;
        };
        if text == "auto" {
            continue;
        }
        match Axis::parse(text) {
            Some(axis) => {
                given.push((key.name, axis.clone(), span.clone()));
                if key.name == FACET_ROWS.name {
                    out.facet_rows = Some(axis);
                } else {
                    out.facet_cols = Some(axis);
                }
            }
            None => problems.push(
                Problem::new(
                    span.clone(),
                    format!("report.{}: `{text}` is not an axis", key.name),
                )
                .help(format!("allowed: {FACET_ALLOWED}")),
            ),
        }
    }
    (out, given)
}

/// Facet axes that are not axes of the grid (values that do not vary make no panels).
pub(super) fn check_facet_axes(given: Vec<GivenAxis>, grid: &[Axis], problems: &mut Vec<Problem>) {
    let names: Vec<String> = grid.iter().map(ToString::to_string).collect();
    for (key, axis, span) in given {
        if !grid.contains(&axis) {
            let list = if names.is_empty() {
                "none: every key has one value".to_string()
            } else {
                names.join(", ")
            };
            problems.push(
                Problem::new(
                    span,
                    format!("report.{key}: `{axis}` is not an axis of this grid"),
                )
                .help(format!("\"auto\" or one of the grid's axes: {list}")),
            );
        }
    }
}
