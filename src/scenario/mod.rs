//! Scenario files: parse and check (`load`), expand the grid (`Scenario::runs`).
//!
//! `scenario.toml` → [`reader`] (keys and types against [`schema`], all problems collected) →
//! [`build`] (one concrete spec per cell of each table) → [`cross`] (rules across sections) →
//! [`Scenario`]. The engine only ever sees a checked `Scenario`.

pub mod build;
pub mod cross;
pub mod diag;
pub mod reader;
pub mod schema;
pub mod spec;

use crate::vocab::keys::report::ECE_BINS;
use build::{Cell, Reader};
use cross::Built;
pub use cross::{spec_shape, DataShape};
pub use diag::{Problem, ScenarioError};
use reader::Table;
use serde::Serialize;
use spec::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One value of a section's axis set: a concrete spec and its position on the section's axes.
#[derive(Clone, Debug, Serialize)]
pub struct Variant<T> {
    pub spec: T,
    pub axes: Vec<(String, AxisValue)>,
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
    /// Where each dataset variant is in the file (its `path` value, else its table), for messages
    /// about data files found after parsing.
    #[serde(skip)]
    pub dataset_spans: Vec<reader::Span>,
}

impl Scenario {
    /// Names of the grid's axes (key paths), seed excluded, in column order.
    pub fn axis_names(&self) -> Vec<String> {
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
                            let axes: Vec<(String, AxisValue)> =
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
    crate::rng::digest_hex(
        &[
            &run.dataset_key(),
            &run.noise_key(),
            &model,
            &method,
            &run.seed.to_string(),
        ],
        16,
    )
}

/// A function telling what is known of a dataset before loading it (classes, fixed size):
/// [`spec_shape`] knows generated data; the engine's preflight also knows the bundled datasets.
pub type ShapeOf<'a> = &'a dyn Fn(&DataSource) -> Option<DataShape>;

/// Reads, checks and resolves a scenario file, with the dataset shapes the spec itself gives
/// (see [`load_with`]).
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_with(path, &spec_shape)
}

/// Reads, checks and resolves a scenario file; `shape_of` tells the cross-section rules each
/// dataset's classes and size.
pub fn load_with(path: &Path, shape_of: ShapeOf<'_>) -> Result<Scenario, ScenarioError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        path: display.clone(),
        source_text: String::new(),
        problems: vec![Problem::new(
            None,
            format!("cannot read the scenario file: {e}"),
        )],
    })?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse_with(&text, &display, &base_dir, shape_of).map(|mut s| {
        s.path = path.to_path_buf();
        s
    })
}

/// Checks scenario text; relative paths resolve against `base_dir`. Dataset shapes are those the
/// spec itself gives (see [`parse_with`]).
pub fn parse(text: &str, path: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
    parse_with(text, path, base_dir, &spec_shape)
}

/// Checks scenario text; `shape_of` tells the cross-section rules each dataset's classes and size.
pub fn parse_with(
    text: &str,
    path: &str,
    base_dir: &Path,
    shape_of: ShapeOf<'_>,
) -> Result<Scenario, ScenarioError> {
    let mut problems = Vec::new();
    let fail = |problems: Vec<Problem>| ScenarioError {
        path: path.to_string(),
        source_text: text.to_string(),
        problems: dedup(problems),
    };
    let Some(doc) = reader::read(text, &mut problems) else {
        return Err(fail(problems));
    };
    let name = checked_name(doc.name, &mut problems);
    if !doc.dataset_given {
        problems.push(
            Problem::new(Some(0..0), "the scenario needs a [dataset] table").help(format!(
                "for example [dataset] source = \"blobs\"; sources: {}",
                schema::SOURCES.join(", ")
            )),
        );
    }
    let or_default = |tables: Vec<Table>| {
        if tables.is_empty() {
            vec![Table::default()]
        } else {
            tables
        }
    };
    let model_tables = or_default(doc.models);
    let seeds = doc
        .seeds
        .map(|(s, _)| s)
        .unwrap_or_else(|| (0..crate::vocab::keys::DEFAULT_SEEDS).collect());
    // The grid's size before expanding it: lists in many keys multiply.
    let count = |tables: &[Table]| {
        tables
            .iter()
            .map(cell_count)
            .fold(0usize, usize::saturating_add)
            .max(1)
    };
    let runs = [
        count(&doc.datasets),
        count(&doc.noises),
        count(&model_tables),
        count(&doc.methods),
        seeds.len(),
    ]
    .into_iter()
    .fold(1usize, usize::saturating_mul);
    if runs > schema::limits::MAX_RUNS {
        problems.push(
            Problem::new(Some(0..0), format!("the grid has {} runs, more than one scenario may hold", if runs == usize::MAX { "too many".to_string() } else { runs.to_string() }))
                .help(format!("at most {} runs: shorten the lists (each list multiplies the grid) or split the study into several files", schema::limits::MAX_RUNS)),
        );
        return Err(fail(problems));
    }
    let datasets = section("dataset", &doc.datasets, &mut problems, |r| {
        build::dataset(r, base_dir)
    });
    let noises = if doc.noises.is_empty() {
        vec![Built::new(NoiseSpec::None, None, &Cell::new())]
    } else {
        section("noise", &doc.noises, &mut problems, build::noise)
    };
    let models = section("model", &model_tables, &mut problems, build::model);
    let methods = if doc.methods.is_empty() {
        vec![Built::new(MethodSpec::Ce, None, &Cell::new())]
    } else {
        section("method", &doc.methods, &mut problems, build::method)
    };
    cross::check(
        &datasets,
        &noises,
        &models,
        &methods,
        shape_of,
        &mut problems,
    );
    // Repeats are judged on valid settings only (invalid values fall back to defaults).
    if problems.is_empty() {
        repeated(text, "dataset", &datasets, &mut problems);
        repeated(text, "noise", &noises, &mut problems);
        repeated(text, "model", &models, &mut problems);
        repeated(text, "method", &methods, &mut problems);
    }
    let (ece_bins, table_metrics) = report_settings(doc.report.as_ref(), &mut problems);
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    let dataset_spans = datasets.iter().map(|d| d.at("path")).collect();
    Ok(Scenario {
        dataset_spans,
        name,
        description: doc.description,
        path: PathBuf::from(path),
        base_dir: base_dir.to_path_buf(),
        content_hash: crate::rng::digest_hex(&[text], 16),
        seeds,
        datasets: with_axes("dataset", datasets),
        noises: with_axes("noise", noises),
        models: with_axes("model", models),
        methods: with_axes("method", methods),
        ece_bins,
        table_metrics,
    })
}

/// The scenario's name, which is also its results folder: required and folder-safe.
fn checked_name(name: Option<(String, reader::Span)>, problems: &mut Vec<Problem>) -> String {
    match name {
        Some((n, span)) => {
            if n.is_empty()
                || n.chars().all(|c| c == '.')
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                problems.push(
                    Problem::new(span, format!("name \"{n}\" is not usable as a folder name"))
                        .help("letters, digits, '-', '_' and '.' (not only dots: \"..\" would write outside results/)"),
                );
            }
            n
        }
        None => {
            problems.push(
                Problem::new(Some(0..0), "the scenario needs a `name`")
                    .help("name = \"my-study\" (also the results folder)"),
            );
            String::new()
        }
    }
}

/// Two tables of a section that resolve to the same settings would run the same runs twice (same
/// run ids, doubled n in the summary). Repeats inside one table's lists are reported by the reader.
fn repeated<T: Serialize>(
    text: &str,
    section: &str,
    built: &[Built<T>],
    problems: &mut Vec<Problem>,
) {
    let mut first: BTreeMap<String, &reader::Span> = BTreeMap::new();
    for b in built {
        let key = serde_json::to_string(&b.spec).expect("serializes");
        match first.get(&key) {
            Some(&span) if *span != b.table => {
                let line = span.as_ref().map_or(1, |r| diag::line_col(text, r.start).0);
                problems.push(
                    Problem::new(b.table.clone(), format!("this [{section}] table repeats the settings of the one at line {line}"))
                        .help("each run would be trained twice with the same id; remove one of them or change a value"),
                );
            }
            Some(_) => {}
            None => {
                first.insert(key, &b.table);
            }
        }
    }
}

/// Drops repeated problems (a rule fails once per grid cell) and orders them by position.
fn dedup(problems: Vec<Problem>) -> Vec<Problem> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Problem> = problems
        .into_iter()
        .filter(|p| {
            seen.insert((
                p.span.clone().map(|s| (s.start, s.end)),
                p.message.clone(),
                p.help.clone(),
            ))
        })
        .collect();
    out.sort_by_key(|p| p.span.as_ref().map_or(0, |s| s.start));
    out
}

/// Number of cells of a table: the product of its list lengths (saturating).
fn cell_count(table: &Table) -> usize {
    table
        .fields
        .values()
        .map(|f| f.values.len())
        .fold(1usize, usize::saturating_mul)
}

/// Expands every table of a section into cells and builds a spec from each. Keeps the span of the
/// table for cross-section messages.
fn section<T>(
    name: &'static str,
    tables: &[Table],
    problems: &mut Vec<Problem>,
    mut build: impl FnMut(&mut Reader<'_>) -> T,
) -> Vec<Built<T>> {
    let mut out = Vec::new();
    for table in tables {
        for cell in cells(table) {
            let mut r = Reader {
                section: name,
                cell: &cell,
                table_span: table.span.clone(),
                problems,
                kind: None,
            };
            let spec = build(&mut r);
            out.push(Built::new(spec, table.span.clone(), &cell));
        }
    }
    out
}

/// The cartesian product of a table's value lists, in key order.
fn cells(table: &Table) -> Vec<Cell> {
    let mut out = vec![Cell::new()];
    for (key, field) in &table.fields {
        out = out
            .into_iter()
            .flat_map(|cell| {
                field.values.iter().map(move |v| {
                    let mut c = cell.clone();
                    c.insert(key, v.clone());
                    c
                })
            })
            .collect();
    }
    out
}

fn report_settings(
    table: Option<&Table>,
    problems: &mut Vec<Problem>,
) -> (usize, Option<Vec<String>>) {
    let Some(t) = table else {
        return (ECE_BINS.default.as_usize().unwrap_or_default(), None);
    };
    let cell = cells(t).into_iter().next().unwrap_or_default();
    let mut r = Reader {
        section: "report",
        cell: &cell,
        table_span: t.span.clone(),
        problems,
        kind: None,
    };
    let bins = r.whole(&ECE_BINS);
    let metrics = match cell.get("metrics") {
        Some((reader::Scalar::Columns(cols), span)) => {
            let known: Vec<&str> = crate::metrics::METRICS.iter().map(|(n, _)| *n).collect();
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
    (bins, metrics)
}

/// Flattens each spec to key → value and keeps, as the section's axes, the keys whose value is not
/// the same in every variant.
fn with_axes<T: Serialize>(section: &str, specs: Vec<Built<T>>) -> Vec<Variant<T>> {
    let flat: Vec<BTreeMap<String, AxisValue>> = specs.iter().map(|b| flatten(&b.spec)).collect();
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
                        format!("{section}.{k}"),
                        f.get(k).cloned().unwrap_or(AxisValue::Text(String::new())),
                    )
                })
                .collect(),
        })
        .collect()
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
