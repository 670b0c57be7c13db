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

use crate::data;
use crate::vocab::axis::{Axis, Section};
use build::{Cell, Reader};
use cross::Built;
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
    /// Where each dataset variant is in the file (its `path` value, else its table), for messages
    /// about data files found after parsing.
    #[serde(skip)]
    pub dataset_spans: Vec<reader::Span>,
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

/// Longest scenario name: it names the results folder (and `shard-I-of-N` goes inside it).
pub const MAX_NAME_CHARS: usize = 100;

/// Largest scenario file read; a scenario is a few kilobytes, so more is a mistake (or /dev/zero).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Reads, checks and resolves a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let display = path.display().to_string();
    let text = read_text(path).map_err(|message| ScenarioError {
        path: display.clone(),
        source_text: String::new(),
        problems: vec![Problem::new(None, message)],
    })?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(&text, &display, &base_dir).map(|mut s| {
        s.path = path.to_path_buf();
        s
    })
}

/// The file's text, refusing what is not a regular file or is over [`MAX_FILE_BYTES`] (read
/// through a bounded reader, so a file that grows meanwhile cannot exhaust memory).
fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read the scenario file: {e}");
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(format!(
            "cannot read the scenario file: it is {}, not a regular file",
            file_kind(&meta)
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the scenario file is larger than {} MiB; scenario files are limited to that size",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "cannot read the scenario file: it is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// What a path that is not a regular file is, in words.
pub fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Checks scenario text; relative paths resolve against `base_dir`.
pub fn parse(text: &str, path: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
    let mut problems = Vec::new();
    let fail = |problems: Vec<Problem>| ScenarioError {
        path: path.to_string(),
        source_text: text.to_string(),
        problems: dedup(problems),
    };
    let Some(doc) = reader::read(text, &mut problems) else {
        return Err(fail(problems));
    };
    let name = match doc.name {
        Some((n, span)) => {
            if n.is_empty()
                || n.chars().all(|c| c == '.')
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                problems.push(
                    Problem::new(span.clone(), format!("name \"{n}\" is not usable as a folder name"))
                        .help("letters, digits, '-', '_' and '.' (not only dots: \"..\" would write outside results/)"),
                );
            }
            if n.chars().count() > MAX_NAME_CHARS {
                problems.push(
                    Problem::new(span, format!("name is {} characters long", n.chars().count()))
                        .help(format!("at most {MAX_NAME_CHARS} characters: it names the results folder, and file names are limited to 255 bytes")),
                );
            }
            n
        }
        None if doc.name_given => String::new(),
        None => {
            problems.push(
                Problem::new(Some(0..0), "the scenario needs a `name`")
                    .help("name = \"my-study\" (also the results folder)"),
            );
            String::new()
        }
    };
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
        .unwrap_or_else(|| (0..3).collect());
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
    cross::check(&datasets, &noises, &models, &methods, &mut problems);
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
        datasets: with_axes(Section::Dataset, datasets),
        noises: with_axes(Section::Noise, noises),
        models: with_axes(Section::Model, models),
        methods: with_axes(Section::Method, methods),
        ece_bins,
        table_metrics,
    })
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

/// Loads each distinct dataset that comes from a file (CSV, bundled) once, with the first seed, so
/// that `labelnoise check` reports a bad data file without training. Synthetic data cannot fail
/// once the scenario is valid, and is skipped.
pub fn check_data(s: &Scenario) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(&seed) = s.seeds.first() else {
        return out;
    };
    for (i, v) in s.datasets.iter().enumerate() {
        if !matches!(
            v.spec.source,
            DataSource::Csv { .. } | DataSource::Bundled { .. }
        ) {
            continue;
        }
        if let Err(e) = data::build(&v.spec, &s.base_dir, seed) {
            let what = match &v.spec.source {
                DataSource::Csv { path, .. } => format!("csv file {}", path.display()),
                DataSource::Bundled { name, .. } => format!("bundled dataset {name}"),
                _ => String::new(),
            };
            out.push(
                Problem::new(
                    s.dataset_spans.get(i).cloned().flatten(),
                    format!("dataset ({what}): {e}"),
                )
                .help("the scenario is valid, but its data cannot be loaded as given"),
            );
        }
    }
    out
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
        return (crate::metrics::DEFAULT_ECE_BINS, None);
    };
    let cell = cells(t).into_iter().next().unwrap_or_default();
    let mut r = Reader {
        section: "report",
        cell: &cell,
        table_span: t.span.clone(),
        problems,
    };
    let bins = r.int_in(
        "ece_bins",
        crate::metrics::DEFAULT_ECE_BINS,
        1,
        schema::limits::MAX_ECE_BINS,
    );
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
    (bins, metrics)
}

/// Flattens each spec to key → value and keeps, as the section's axes, the keys whose value is not
/// the same in every variant.
fn with_axes<T: Serialize>(section: Section, specs: Vec<Built<T>>) -> Vec<Variant<T>> {
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
                        Axis::new(section, k.as_str()),
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
