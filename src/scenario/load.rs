//! Reading a scenario: parse the text, build every cell of every table, check the rules across
//! sections, and resolve the grid's sections into a [`Scenario`].

use super::build::{self, cells, Cell, Reader};
use super::cross::{self, spec_shape, Built, DataShape};
use super::diag::{self, Problem, ScenarioError};
use super::reader::{self, Table};
use super::schema::{self, limits};
use super::spec::*;
use super::{report_settings, with_axes, Scenario};
use crate::vocab::axis::Section;
use crate::vocab::keys::DEFAULT_SEEDS;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    let text = super::file::read_text(path).map_err(|message| ScenarioError {
        path: display.clone(),
        source_text: String::new(),
        problems: vec![Problem::new(None, message)],
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
    let name = checked_name(doc.name, doc.name_given, &mut problems);
    if !doc.dataset_given {
        problems.push(
            Problem::new(Some(0..0), "the scenario needs a [dataset] table").help(format!(
                "for example [dataset] source = \"blobs\"; sources: {}",
                schema::SOURCES.join(", ")
            )),
        );
    }
    let model_tables = if doc.models.is_empty() {
        vec![Table::default()]
    } else {
        doc.models
    };
    let seeds = doc
        .seeds
        .map(|(s, _)| s)
        .unwrap_or_else(|| (0..DEFAULT_SEEDS).collect());
    let tables = [&doc.datasets, &doc.noises, &model_tables, &doc.methods];
    if let Some(p) = grid_too_large(tables, seeds.len()) {
        problems.push(p);
        return Err(fail(problems));
    }
    let sections = Sections::build(
        [&doc.datasets, &doc.noises, &model_tables, &doc.methods],
        base_dir,
        &mut problems,
    );
    sections.check(text, shape_of, &mut problems);
    let Sections {
        datasets,
        noises,
        models,
        methods,
    } = sections;
    let report = report_settings(doc.report.as_ref(), &mut problems);
    let selection = super::selection::read(doc.selection.as_ref(), &mut problems);
    let detection = doc
        .detection
        .as_ref()
        .map(|t| super::detection::settings(t, &mut problems));
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    let dataset_spans = datasets.iter().map(|d| d.at("path")).collect();
    let noise_spans = noises
        .iter()
        .map(|n| n.at_any(&["observed_label", "observed_labels_path", "kind"]))
        .collect();
    let mut scenario = Scenario {
        dataset_spans,
        noise_spans,
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
        ece_bins: report.ece_bins,
        table_metrics: report.table_metrics,
        figures: report.figures,
        selection: None,
        detection,
        multiple_comparisons: report.multiple_comparisons,
    };
    super::figures::check_facet_axes(report.facet_axes, &scenario.axis_names(), &mut problems);
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    if let Some(read) = selection {
        let axes = scenario.axis_names();
        scenario.selection = Some(super::selection::resolve(read, &axes, &mut problems));
        if !problems.is_empty() {
            return Err(fail(problems));
        }
    }
    Ok(scenario)
}

/// Every cell of every section built into a spec.
struct Sections {
    datasets: Vec<Built<DatasetSpec>>,
    noises: Vec<Built<NoiseSpec>>,
    models: Vec<Built<ModelSpec>>,
    methods: Vec<Built<MethodSpec>>,
}

impl Sections {
    /// Builds each table's cells; no [noise] means no noise, no [[method]] means `ce` only.
    fn build(
        [dataset_tables, noise_tables, model_tables, method_tables]: [&Vec<Table>; 4],
        base_dir: &Path,
        problems: &mut Vec<Problem>,
    ) -> Sections {
        let datasets = section("dataset", dataset_tables, problems, |r| {
            build::dataset(r, base_dir)
        });
        let noises = if noise_tables.is_empty() {
            vec![Built::new(NoiseSpec::None, None, &Cell::new())]
        } else {
            section("noise", noise_tables, problems, |r| {
                build::noise(r, base_dir)
            })
        };
        let models = section("model", model_tables, problems, build::model);
        let methods = if method_tables.is_empty() {
            vec![Built::new(MethodSpec::Ce, None, &Cell::new())]
        } else {
            section("method", method_tables, problems, build::method)
        };
        Sections {
            datasets,
            noises,
            models,
            methods,
        }
    }
}

impl Sections {
    /// The rules across sections, then (on valid settings only, as invalid values fall back to
    /// defaults) tables that repeat another's settings.
    fn check(&self, text: &str, shape_of: ShapeOf<'_>, problems: &mut Vec<Problem>) {
        cross::check(
            &self.datasets,
            &self.noises,
            &self.models,
            &self.methods,
            shape_of,
            problems,
        );
        if problems.is_empty() {
            repeated(text, "dataset", &self.datasets, problems);
            repeated(text, "noise", &self.noises, problems);
            repeated(text, "model", &self.models, problems);
            repeated(text, "method", &self.methods, problems);
        }
    }
}

/// The grid's size before expanding it (lists in many keys multiply): too many runs for one
/// scenario is reported before anything is built.
fn grid_too_large(tables: [&Vec<Table>; 4], seeds: usize) -> Option<Problem> {
    let count = |tables: &[Table]| {
        tables
            .iter()
            .map(cell_count)
            .fold(0usize, usize::saturating_add)
            .max(1)
    };
    let runs = tables
        .into_iter()
        .map(|t| count(t))
        .chain([seeds])
        .fold(1usize, usize::saturating_mul);
    (runs > limits::MAX_RUNS).then(|| {
        Problem::new(Some(0..0), format!("the grid has {} runs, more than one scenario may hold", if runs == usize::MAX { "too many".to_string() } else { runs.to_string() }))
            .help(format!("at most {} runs: shorten the lists (each list multiplies the grid) or split the study into several files", limits::MAX_RUNS))
    })
}

/// The scenario's name, which is also its results folder: required and folder-safe.
fn checked_name(
    name: Option<(String, reader::Span)>,
    given: bool,
    problems: &mut Vec<Problem>,
) -> String {
    match name {
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
            let chars = n.chars().count();
            if chars > MAX_NAME_CHARS {
                problems.push(
                    Problem::new(span, format!("name is {chars} characters long")).help(format!(
                        "at most {MAX_NAME_CHARS} characters: it names the results folder, and file names are limited to 255 bytes"
                    )),
                );
            }
            n
        }
        // Given but not a string: the reader said so where it is.
        None if given => String::new(),
        None => {
            problems.push(
                Problem::new(Some(0..0), "the scenario needs a `name`")
                    .help("name = \"my-study\" (also the results folder)"),
            );
            String::new()
        }
    }
}

/// Longest scenario name: it names the results folder (and `shard-I-of-N` goes inside it).
pub const MAX_NAME_CHARS: usize = 100;

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
