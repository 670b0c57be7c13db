//! One TOML value checked against its key's type: numbers, booleans, strings from a fixed set,
//! matrices and CSV columns become [`Scalar`]s; anything else is reported with what was expected.

use super::diag::{did_you_mean, Problem};
use super::schema::{self, Ty};
use crate::scenario::spec::LabelColumn;
use std::ops::Range;
use toml_edit::Value;

pub type Span = Option<Range<usize>>;

/// One scalar value of a field.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Matrix(Vec<Vec<f64>>),
    Column(LabelColumn),
    Columns(Vec<LabelColumn>),
    /// A list of strings, each with its own span.
    Names(Vec<(String, Span)>),
    /// A value that failed its type check (already reported): the key was given, so later rules
    /// neither call it missing nor judge its default in its place.
    Invalid,
}

pub(super) fn describe(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(f) if f.value().is_finite() => "a number",
        Value::Float(_) => "a non-finite number (nan or inf)",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::InlineTable(_) => "a table",
    }
}

/// Reports a value of the wrong type: what was expected and what was found.
fn mismatch(path: &str, v: &Value, expected: &str, problems: &mut Vec<Problem>) -> Option<Scalar> {
    problems.push(Problem::new(
        v.span(),
        format!("`{path}` expects {expected}, found {}", describe(v)),
    ));
    None
}

pub(super) fn scalar(path: &str, ty: Ty, v: &Value, problems: &mut Vec<Problem>) -> Option<Scalar> {
    let fail = |problems: &mut Vec<Problem>, expected: &str| mismatch(path, v, expected, problems);
    match ty {
        Ty::Float => match v {
            Value::Float(f) if f.value().is_finite() => Some(Scalar::Float(*f.value())),
            Value::Integer(i) => Some(Scalar::Float(*i.value() as f64)),
            _ => fail(problems, "a finite number (or a list of them)"),
        },
        Ty::Int => match v {
            Value::Integer(i) if *i.value() >= 0 => Some(Scalar::Int(*i.value())),
            Value::Integer(_) => fail(problems, "a whole number ≥ 0"),
            _ => fail(problems, "a whole number (or a list of them)"),
        },
        Ty::Bool => match v {
            Value::Boolean(b) => Some(Scalar::Bool(*b.value())),
            _ => fail(problems, "true or false"),
        },
        Ty::Choice(allowed) => choice(path, allowed, v, problems),
        Ty::Matrix | Ty::MatrixOrTrue => {
            if let (Ty::MatrixOrTrue, Value::String(s)) = (ty, v) {
                if s.value() == "true" || s.value() == "estimated" {
                    return Some(Scalar::Str(s.value().clone()));
                }
            }
            let expected = if ty == Ty::Matrix {
                "a matrix of finite numbers, e.g. [[0.8, 0.2], [0.3, 0.7]]"
            } else {
                "\"true\" (the scenario's noise matrix), \"estimated\" (from the noisy labels) or a K×K matrix of finite numbers"
            };
            match matrix(v) {
                Ok(m) => Some(Scalar::Matrix(m)),
                Err((span, found)) => {
                    problems.push(Problem::new(
                        span.or(v.span()),
                        format!("`{path}` expects {expected}: {found}"),
                    ));
                    None
                }
            }
        }
        Ty::Column => column(v)
            .map(Scalar::Column)
            .or_else(|| fail(problems, "a column name or a 0-based column index")),
        Ty::Columns => match v {
            // `figures = "all"`: the one word that stands for a whole list.
            Value::String(s) if s.value() == "all" => {
                Some(Scalar::Columns(vec![LabelColumn::Name("all".into())]))
            }
            Value::Array(a) if a.is_empty() => {
                problems.push(
                    Problem::new(v.span(), format!("`{path}` is an empty list"))
                        .help("name at least one column, or leave the key out for its default"),
                );
                None
            }
            Value::Array(a) => a
                .iter()
                .map(column)
                .collect::<Option<Vec<_>>>()
                .map(Scalar::Columns)
                .or_else(|| fail(problems, "a list of column names or 0-based indices")),
            _ => fail(problems, "a list of column names or 0-based indices"),
        },
        Ty::Names => match v {
            Value::Array(a) => a
                .iter()
                .map(|e| e.as_str().map(|s| (s.to_string(), e.span())))
                .collect::<Option<Vec<_>>>()
                .map(Scalar::Names)
                .or_else(|| fail(problems, "a list of strings")),
            _ => fail(problems, "a list of strings"),
        },
    }
}

/// A string from a fixed set (any string when the set is empty); an unknown one is reported with
/// the allowed values (the sources by kind for `dataset.source`).
fn choice(path: &str, allowed: &[&str], v: &Value, problems: &mut Vec<Problem>) -> Option<Scalar> {
    let fail = |problems: &mut Vec<Problem>, expected: &str| mismatch(path, v, expected, problems);
    match v {
        Value::String(s) => {
            let s = s.value();
            if allowed.is_empty() || allowed.contains(&s.as_str()) {
                Some(Scalar::Str(s.clone()))
            } else {
                let hint = did_you_mean(s, allowed)
                    .map(|h| format!("{h} "))
                    .unwrap_or_default();
                let list = if path == "dataset.source" {
                    schema::sources_help()
                } else {
                    allowed.join(", ")
                };
                let what = if path == "dataset.source" {
                    "is not a known dataset source"
                } else {
                    "is not allowed"
                };
                problems.push(
                    Problem::new(v.span(), format!("`{path}` = \"{s}\" {what}"))
                        .help(format!("{hint}allowed: {list}")),
                );
                None
            }
        }
        _ => fail(
            problems,
            &if allowed.is_empty() {
                "a string".to_string()
            } else {
                format!("one of {}", allowed.join(", "))
            },
        ),
    }
}

fn column(v: &Value) -> Option<LabelColumn> {
    match v {
        Value::String(s) => Some(LabelColumn::Name(s.value().clone())),
        Value::Integer(i) if *i.value() >= 0 => Some(LabelColumn::Index(*i.value() as usize)),
        _ => None,
    }
}

/// A matrix of finite numbers, or the span and description of the first thing that is not one.
fn matrix(v: &Value) -> Result<Vec<Vec<f64>>, (Span, String)> {
    let Some(rows) = v.as_array() else {
        return Err((v.span(), format!("found {}", describe(v))));
    };
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let Some(r) = r.as_array() else {
                return Err((
                    r.span(),
                    format!("row {i} is {}, not a list of numbers", describe(r)),
                ));
            };
            r.iter()
                .map(|x| match x {
                    Value::Float(f) if f.value().is_finite() => Ok(*f.value()),
                    Value::Integer(i) => Ok(*i.value() as f64),
                    _ => Err((x.span(), format!("row {i} holds {}", describe(x)))),
                })
                .collect()
        })
        .collect()
}
