//! Reads a TOML document (toml_edit, which keeps byte spans) into sections of typed fields, checking
//! every key against the schema and every value against its type. Problems are collected, not
//! returned at the first one.

use super::diag::{did_you_mean, Problem};
use super::schema::{self, limits, Key};
use super::value::scalar;
use std::collections::BTreeMap;
use toml_edit::{Item, TableLike, Value};

pub use super::value::{Scalar, Span};

/// A key of a table with its value(s). A list makes the key a grid axis.
#[derive(Clone, Debug)]
pub struct Field {
    pub key_span: Span,
    pub values: Vec<(Scalar, Span)>,
}

/// A table of a section (`[noise]`, or one `[[method]]`).
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub span: Span,
    pub fields: BTreeMap<&'static str, Field>,
}

/// The document's sections, checked against the schema.
#[derive(Debug, Default)]
pub struct Document {
    pub name: Option<(String, Span)>,
    pub description: Option<String>,
    pub seeds: Option<(Vec<u64>, Span)>,
    pub datasets: Vec<Table>,
    pub noises: Vec<Table>,
    pub models: Vec<Table>,
    pub methods: Vec<Table>,
    pub report: Option<Table>,
    pub selection: Option<Table>,
    pub detection: Option<Table>,
    /// A `dataset` key was present (even if not a usable table).
    pub dataset_given: bool,
    /// A `name` key was present (even if not a string, which is reported where it is).
    pub name_given: bool,
}

pub fn read(text: &str, problems: &mut Vec<Problem>) -> Option<Document> {
    let doc = match toml_edit::ImDocument::parse(text) {
        Ok(d) => d,
        Err(e) => {
            // An error at the end of the file (an unclosed list) points just after the last
            // character that is neither blank nor in a comment-only line, where the missing piece
            // belongs.
            let end = content_end(text);
            let span = e
                .span()
                .map(|r| if r.start >= end { end..end + 1 } else { r });
            let message: Vec<&str> = e
                .message()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            problems.push(Problem::new(
                span,
                format!("invalid TOML: {}", message.join("; ")),
            ));
            return None;
        }
    };
    let mut out = Document::default();
    for (name, item) in doc.as_table().iter() {
        let key_span = doc.as_table().key(name).and_then(|k| k.span());
        match name {
            "name" | "description" => match item.as_str() {
                _ if name == "name" && item.as_str().is_none() => {
                    out.name_given = true;
                    problems.push(Problem::new(item.span(), "`name` must be a string"));
                }
                Some(s) if name == "name" => out.name = Some((s.to_string(), item.span())),
                Some(s) => out.description = Some(s.to_string()),
                None => problems.push(Problem::new(
                    item.span(),
                    format!("`{name}` must be a string"),
                )),
            },
            "seeds" => out.seeds = read_seeds(item, problems),
            "dataset" => {
                out.dataset_given = true;
                out.datasets = tables(name, item, schema::DATASET, problems)
            }
            "noise" => out.noises = tables(name, item, schema::NOISE, problems),
            "model" => out.models = tables(name, item, schema::MODEL, problems),
            "method" => out.methods = tables(name, item, schema::METHOD, problems),
            "report" => out.report = single(name, item, schema::REPORT, key_span, problems),
            "selection" => {
                out.selection = single(name, item, schema::SELECTION, key_span, problems)
            }
            "detection" => {
                out.detection = single(name, item, schema::DETECTION, key_span, problems)
            }
            other => {
                let mut p = Problem::new(key_span, format!("unknown top-level key `{other}`"));
                let hint = did_you_mean(other, schema::TOP)
                    .map(|h| format!("{h} "))
                    .unwrap_or_default();
                p = p.help(format!("{hint}allowed: {}", schema::TOP.join(", ")));
                problems.push(p);
            }
        }
    }
    Some(out)
}

/// A section that may appear once (`[report]`, `[selection]`): not an axis of the grid.
fn single(
    section: &str,
    item: &Item,
    keys: &'static [Key],
    key_span: Span,
    problems: &mut Vec<Problem>,
) -> Option<Table> {
    let found = tables(section, item, keys, problems);
    if found.len() > 1 {
        problems.push(
            Problem::new(
                found[1].span.clone().or(key_span),
                format!("[{section}] may appear only once"),
            )
            .help(format!(
                "write one [{section}] table; it is not an axis of the grid"
            )),
        );
    }
    found.into_iter().next()
}

/// Byte offset just after the last character of the last line that holds more than a comment.
fn content_end(text: &str) -> usize {
    let mut offset = text.len();
    for line in text
        .split_inclusive('\n')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        offset -= line.len();
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            return offset + line.trim_end().len();
        }
    }
    text.trim_end().len()
}

fn read_seeds(item: &Item, problems: &mut Vec<Problem>) -> Option<(Vec<u64>, Span)> {
    let bad = |problems: &mut Vec<Problem>, span: Span| {
        problems.push(
            Problem::new(
                span,
                "`seeds` must be a count ≥ 1 or a non-empty list of seeds ≥ 0",
            )
            .help("for example seeds = 5 (repetitions 0..4) or seeds = [11, 12, 13]"),
        );
        None
    };
    match item.as_value() {
        Some(Value::Integer(n)) if *n.value() > limits::MAX_RUNS as i64 => {
            problems.push(
                Problem::new(
                    item.span(),
                    format!(
                        "`seeds` = {} repetitions is more than one grid may hold",
                        n.value()
                    ),
                )
                .help(format!(
                    "at most {} runs in one scenario; split the study into several files",
                    limits::MAX_RUNS
                )),
            );
            None
        }
        Some(Value::Integer(n)) if *n.value() >= 1 => {
            Some(((0..*n.value() as u64).collect(), item.span()))
        }
        Some(Value::Array(a)) if !a.is_empty() => {
            let mut seeds = Vec::new();
            for v in a.iter() {
                match v.as_integer() {
                    Some(s) if s >= 0 => seeds.push(s as u64),
                    _ => return bad(problems, v.span()),
                }
            }
            let mut seen = std::collections::HashSet::new();
            let repeat = seeds.iter().position(|s| !seen.insert(*s));
            if let Some(i) = repeat {
                let span = a.get(i).and_then(|v| v.span()).or(item.span());
                problems.push(
                    Problem::new(span, format!("`seeds` lists the seed {} twice", seeds[i]))
                        .help("each seed once: a repeat would train the same runs twice"),
                );
                return None;
            }
            Some((seeds, item.span()))
        }
        _ => bad(problems, item.span()),
    }
}

/// A section given as `[name]` or as `[[name]]` (one or more tables).
fn tables(
    section: &str,
    item: &Item,
    keys: &'static [Key],
    problems: &mut Vec<Problem>,
) -> Vec<Table> {
    let mut out = Vec::new();
    match item {
        Item::Table(t) => out.push(section_table(section, t, t.span(), keys, problems)),
        Item::ArrayOfTables(a) => {
            for t in a.iter() {
                out.push(section_table(section, t, t.span(), keys, problems));
            }
        }
        Item::Value(Value::InlineTable(t)) => {
            out.push(section_table(section, t, t.span(), keys, problems))
        }
        // `method = [{ kind = "ce" }, …]`: an array of inline tables is an array of tables.
        Item::Value(Value::Array(a)) if a.iter().all(|v| v.is_inline_table()) => {
            if a.is_empty() {
                problems.push(
                    Problem::new(item.span(), format!("`{section}` is an empty list, so the grid would be empty"))
                        .help(format!("give at least one [[{section}]] table (or leave `{section}` out for its default)")),
                );
            }
            for t in a.iter().filter_map(Value::as_inline_table) {
                out.push(section_table(section, t, t.span(), keys, problems));
            }
        }
        _ => problems.push(Problem::new(
            item.span(),
            format!(
                "`{section}` must be a table: write [{section}] (or [[{section}]] to repeat it)"
            ),
        )),
    }
    out
}

/// A section's table, written `[section]`, as one of `[[section]]`, or inline (`{ … }`).
fn section_table(
    section: &str,
    t: &dyn TableLike,
    span: Span,
    keys: &'static [Key],
    problems: &mut Vec<Problem>,
) -> Table {
    let key_span = |k: &str| t.get_key_value(k).and_then(|(key, _)| key.span());
    table(section, t.iter(), key_span, span, keys, problems)
}

fn table<'a>(
    section: &str,
    entries: impl Iterator<Item = (&'a str, &'a Item)>,
    key_span: impl Fn(&str) -> Span,
    span: Span,
    keys: &'static [Key],
    problems: &mut Vec<Problem>,
) -> Table {
    let mut out = Table {
        span,
        fields: BTreeMap::new(),
    };
    for (name, item) in entries {
        let kspan = key_span(name);
        let Some(key) = schema::find(keys, name) else {
            let allowed = schema::names(keys);
            let hint = did_you_mean(name, &allowed)
                .map(|h| format!("{h} "))
                .unwrap_or_default();
            problems.push(
                Problem::new(kspan, format!("unknown key `{section}.{name}`")).help(format!(
                    "{hint}allowed in [{section}]: {}",
                    allowed.join(", ")
                )),
            );
            continue;
        };
        let Some(value) = item.as_value() else {
            problems.push(Problem::new(
                item.span().or(kspan),
                format!("`{section}.{name}` must be a value, not a table"),
            ));
            continue;
        };
        let values = field_values(section, key, value, problems)
            .unwrap_or_else(|| vec![(Scalar::Invalid, value.span())]);
        out.fields.insert(
            key.name,
            Field {
                key_span: kspan,
                values,
            },
        );
    }
    out
}

fn field_values(
    section: &str,
    key: &Key,
    value: &Value,
    problems: &mut Vec<Problem>,
) -> Option<Vec<(Scalar, Span)>> {
    let path = format!("{section}.{}", key.name);
    if key.sweep || key.list {
        if let Value::Array(a) = value {
            if a.is_empty() {
                problems.push(
                    Problem::new(value.span(), format!("`{path}` is an empty list"))
                        .help("give at least one value; a list makes the key an axis of the grid"),
                );
                return None;
            }
            let mut out: Vec<(Scalar, Span)> = Vec::new();
            for v in a.iter() {
                let s = scalar(&path, key.ty, v, problems)?;
                if out.iter().any(|(o, _)| *o == s) {
                    problems.push(
                        Problem::new(v.span(), format!("`{path}` lists this value twice")).help(
                            "each value of an axis once: a repeat would train the same runs twice",
                        ),
                    );
                    return None;
                }
                out.push((s, v.span()));
            }
            return Some(out);
        }
    }
    Some(vec![(
        scalar(&path, key.ty, value, problems)?,
        value.span(),
    )])
}
