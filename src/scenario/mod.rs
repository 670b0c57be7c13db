//! Scenario files: parse and check (`load`), expand the grid (`Scenario::runs`).
//!
//! `scenario.toml` → [`reader`] (keys and types against [`schema`], all problems collected) →
//! [`build`] (one concrete spec per cell of each table) → [`cross`] (rules across sections) →
//! [`Scenario`]. The engine only ever sees a checked `Scenario`.

pub mod build;
pub mod cross;
mod detection;
pub mod diag;
pub mod figures;
pub mod file;
mod load;
pub mod reader;
pub mod schema;
pub mod selection;
pub mod spec;
mod value;

use crate::vocab::axis::{Axis, Section};
use crate::vocab::correction::Correction;
use crate::vocab::keys::report::{ECE_BINS, MULTIPLE_COMPARISONS};
use build::cells;
use build::Reader;
use cross::Built;
pub use cross::{spec_shape, DataShape};
pub use diag::{Problem, ScenarioError};
pub use load::{load, load_with, parse, parse_with, ShapeOf};
use reader::Table;
use serde::Serialize;
use spec::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One value of a section's axis set: a concrete spec and its position on the section's axes.
#[derive(Clone, Debug, Serialize)]
pub struct Variant<T> {
    pub spec: T,
    pub axes: Vec<(Axis, AxisValue)>,
}

/// A checked scenario: every default filled, every rule verified.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// SHA-256 prefix of the file's text: a results folder refuses a changed scenario.
    pub content_hash: String,
    pub seeds: Vec<u64>,
    pub datasets: Vec<Variant<DatasetSpec>>,
    pub noises: Vec<Variant<NoiseSpec>>,
    pub models: Vec<Variant<ModelSpec>>,
    pub methods: Vec<Variant<MethodSpec>>,
    pub ece_bins: usize,
    /// Metrics for the terminal table (`[report] metrics`), if chosen.
    pub table_metrics: Option<Vec<String>>,
    /// `[selection]`: axes tuned on validation labels, if configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection: Option<SelectionSpec>,
    /// Correction of a table's paired comparisons (`[report] multiple_comparisons`).
    pub multiple_comparisons: Correction,
    /// `[report] figures`, `facet_rows`, `facet_cols`.
    #[serde(skip_serializing_if = "figures::FigureSettings::is_default")]
    pub figures: figures::FigureSettings,
    /// `[detection]`, if given: every run ranks its training samples by these scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detection: Option<DetectionSpec>,
    /// Where each dataset variant is in the file (its `path` value, else its table), for messages
    /// about data files found after parsing.
    #[serde(skip)]
    pub dataset_spans: Vec<reader::Span>,
    /// Where each noise variant is in the file (its observed-label key, else `kind`, else its
    /// table), for messages about observed labels found when the data are read.
    #[serde(skip)]
    pub noise_spans: Vec<reader::Span>,
}

impl Scenario {
    /// The grid's axes, seed excluded, in column order.
    pub fn axis_names(&self) -> Vec<Axis> {
        let mut names = Vec::new();
        for axes in [
            self.datasets.first().map(|v| &v.axes),
            self.noises.first().map(|v| &v.axes),
            self.models.first().map(|v| &v.axes),
            self.methods.first().map(|v| &v.axes),
        ]
        .into_iter()
        .flatten()
        {
            names.extend(axes.iter().map(|(k, _)| k.clone()));
        }
        names
    }

    pub fn run_count(&self) -> usize {
        self.datasets.len()
            * self.noises.len()
            * self.models.len()
            * self.methods.len()
            * self.seeds.len()
    }

    /// The expanded grid: datasets × noises × models × methods × seeds, seeds innermost.
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut out = Vec::with_capacity(self.run_count());
        for d in &self.datasets {
            for n in &self.noises {
                for m in &self.models {
                    for me in &self.methods {
                        for &seed in &self.seeds {
                            let axes: Vec<(Axis, AxisValue)> =
                                [&d.axes, &n.axes, &m.axes, &me.axes]
                                    .into_iter()
                                    .flatten()
                                    .cloned()
                                    .collect();
                            let mut run = RunSpec {
                                id: String::new(),
                                index: out.len(),
                                seed,
                                dataset: d.spec.clone(),
                                noise: n.spec.clone(),
                                model: m.spec.clone(),
                                method: me.spec.clone(),
                                axes,
                                detection: self.detection.clone(),
                                base_dir: self.base_dir.clone(),
                            };
                            run.id = run_id(&run);
                            out.push(run);
                        }
                    }
                }
            }
        }
        out
    }
}

/// Stable run id: digest of the resolved configuration and the seed.
pub fn run_id(run: &RunSpec) -> String {
    let model = serde_json::to_string(&run.model).expect("serializes");
    let method = serde_json::to_string(&run.method).expect("serializes");
    let seed = run.seed.to_string();
    let mut parts = vec![run.dataset_key(), run.noise_key(), model, method, seed];
    // Runs without [detection] keep the ids they always had.
    if let Some(d) = &run.detection {
        parts.push(serde_json::to_string(d).expect("serializes"));
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    crate::rng::digest_hex(&parts, 16)
}

/// `[report]`: calibration bins, table metrics, and the figure settings with the facet axes as
/// given (checked against the grid once it is built).
pub(super) struct ReportSettings {
    pub ece_bins: usize,
    pub table_metrics: Option<Vec<String>>,
    pub figures: figures::FigureSettings,
    pub facet_axes: Vec<figures::GivenAxis>,
    pub multiple_comparisons: Correction,
}

pub(super) fn report_settings(
    table: Option<&Table>,
    problems: &mut Vec<Problem>,
) -> ReportSettings {
    let Some(t) = table else {
        return ReportSettings {
            ece_bins: ECE_BINS.default.as_usize().unwrap_or_default(),
            table_metrics: None,
            figures: figures::FigureSettings::default(),
            facet_axes: Vec::new(),
            multiple_comparisons: Correction::default(),
        };
    };
    // [report] configures one report: a list here would silently use its first value.
    for (key, field) in &t.fields {
        if field.values.len() > 1 {
            problems.push(
                Problem::new(
                    field.key_span.clone(),
                    format!(
                        "report.{key}: takes one value, found a list of {}",
                        field.values.len()
                    ),
                )
                .help("lists make grid axes in [dataset], [noise] and [[method]] only; give one value"),
            );
        }
    }
    let cell = cells(t).into_iter().next().unwrap_or_default();
    let (figure_settings, facet_axes) = figures::figure_settings(&cell, problems);
    let mut r = Reader {
        section: "report",
        cell: &cell,
        table_span: t.span.clone(),
        problems,
        kind: None,
    };
    let bins = r.whole(&ECE_BINS);
    // The value was checked against the key's choices when the file was read.
    let correction = Correction::from_name(&r.text(&MULTIPLE_COMPARISONS)).unwrap_or_default();
    let metrics = match cell.get("metrics") {
        Some((reader::Scalar::Columns(cols), span)) => {
            let known: Vec<&str> = crate::vocab::metric::Metric::ALL.map(|m| m.name()).into();
            let mut names = Vec::new();
            for c in cols {
                let name = match c {
                    LabelColumn::Name(n) => n.clone(),
                    LabelColumn::Index(i) => i.to_string(),
                };
                if !known.contains(&name.as_str()) {
                    let hint = diag::did_you_mean(&name, &known)
                        .map(|h| format!("{h} "))
                        .unwrap_or_default();
                    r.problems.push(
                        Problem::new(
                            span.clone(),
                            format!("report.metrics: unknown metric `{name}`"),
                        )
                        .help(format!("{hint}metrics: {}", known.join(", "))),
                    );
                }
                names.push(name);
            }
            Some(names)
        }
        _ => None,
    };
    ReportSettings {
        ece_bins: bins,
        table_metrics: metrics,
        figures: figure_settings,
        facet_axes,
        multiple_comparisons: correction,
    }
}

/// Flattens each spec to key → value and keeps, as the section's axes, the keys whose value is not
/// the same in every variant.
pub(super) fn with_axes<T: Serialize>(section: Section, specs: Vec<Built<T>>) -> Vec<Variant<T>> {
    let mut flat: Vec<BTreeMap<String, AxisValue>> =
        specs.iter().map(|b| flatten(&b.spec)).collect();
    if section == Section::Dataset {
        flat.iter_mut().for_each(source_as_written);
    }
    let mut keys: Vec<String> = Vec::new();
    for f in &flat {
        for k in f.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let varying: Vec<String> = keys
        .into_iter()
        .filter(|k| {
            let first = flat[0].get(k);
            flat.iter().any(|f| f.get(k) != first)
        })
        .collect();
    // `kind`/`source` first, then the rest in spec order.
    let mut ordered: Vec<String> = varying
        .iter()
        .filter(|k| *k == "kind" || *k == "source")
        .cloned()
        .collect();
    ordered.extend(
        varying
            .iter()
            .filter(|k| *k != "kind" && *k != "source")
            .cloned(),
    );
    specs
        .into_iter()
        .zip(flat)
        .map(|(Built { spec, .. }, f)| Variant {
            spec,
            axes: ordered
                .iter()
                .map(|k| {
                    (
                        Axis::new(section, k.as_str()),
                        f.get(k).cloned().unwrap_or(AxisValue::Text(String::new())),
                    )
                })
                .collect(),
        })
        .collect()
}

/// A bundled set is written `source = "iris"` but resolves to source `bundled` with name `iris`:
/// the axis keeps the key and value the user wrote (`dataset.source = iris`), one name everywhere.
fn source_as_written(flat: &mut BTreeMap<String, AxisValue>) {
    if flat.get("source") == Some(&AxisValue::Text("bundled".into())) {
        if let Some(name) = flat.remove("name") {
            flat.insert("source".into(), name);
        }
    }
}

fn flatten<T: Serialize>(spec: &T) -> BTreeMap<String, AxisValue> {
    let mut out = BTreeMap::new();
    if let serde_json::Value::Object(map) = serde_json::to_value(spec).expect("serializes") {
        for (k, v) in map {
            let value = match v {
                serde_json::Value::Bool(b) => AxisValue::Bool(b),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => AxisValue::Int(i),
                    None => AxisValue::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
                serde_json::Value::String(s) => AxisValue::Text(s),
                serde_json::Value::Null => continue,
                other => AxisValue::Text(other.to_string()),
            };
            out.insert(k, value);
        }
    }
    out
}
