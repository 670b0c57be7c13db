//! Turns one cell of a table (every key a single value) into a concrete spec, checking the rules
//! that involve one section. Rules that combine sections are in `cross.rs`.
//!
//! Every problem points at the value it is about (or at its table when the key is missing) and
//! says what is allowed. Which keys a kind takes, their defaults and their ranges come from the
//! key tables in [`crate::vocab::keys`]; one function per source kind, noise kind, optimizer and
//! method reads them.

mod dataset;
mod method;
mod model;
mod noise;

pub use dataset::dataset;
pub use method::method;
pub use model::model;
pub use noise::noise;

use super::diag::Problem;
use super::reader::{Scalar, Span};
use crate::vocab::keys::{Check, DefaultValue, Key, Kind, Kinds};
use std::collections::BTreeMap;

/// One combination of a table's values.
pub type Cell = BTreeMap<&'static str, (Scalar, Span)>;

/// The cartesian product of a table's value lists, in key order.
pub(in crate::scenario) fn cells(table: &super::reader::Table) -> Vec<Cell> {
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

/// Reads typed values out of a cell, recording problems with their spans.
pub struct Reader<'a> {
    pub section: &'static str,
    pub cell: &'a Cell,
    pub table_span: Span,
    pub problems: &'a mut Vec<Problem>,
    /// The kind chosen in this cell (source, noise kind, optimizer, method), once known: its
    /// defaults override the section table's.
    pub kind: Option<&'static Kind>,
}

impl Reader<'_> {
    pub fn span(&self, key: &str) -> Span {
        self.cell
            .get(key)
            .and_then(|(_, s)| s.clone())
            .or(self.table_span.clone())
    }
    pub fn has(&self, key: &str) -> bool {
        self.cell.contains_key(key)
    }
    /// The key was given but its value failed its type check (already reported).
    pub fn invalid(&self, key: &str) -> bool {
        matches!(self.cell.get(key), Some((Scalar::Invalid, _)))
    }
    pub fn float(&self, key: &str) -> Option<f64> {
        match self.cell.get(key) {
            Some((Scalar::Float(v), _)) => Some(*v),
            Some((Scalar::Int(v), _)) => Some(*v as f64),
            _ => None,
        }
    }
    pub fn int(&self, key: &str) -> Option<usize> {
        match self.cell.get(key) {
            Some((Scalar::Int(v), _)) => Some(*v as usize),
            _ => None,
        }
    }
    /// The key's default under the chosen kind (the section table's before a kind is chosen).
    pub fn default_of(&self, key: &Key) -> DefaultValue {
        self.kind.map_or(key.default, |k| k.default_of(key))
    }
    /// A string key; its default when absent or invalid.
    pub fn text(&self, key: &Key) -> String {
        match self.cell.get(key.name) {
            Some((Scalar::Str(s), _)) => s.clone(),
            _ => self
                .default_of(key)
                .as_str()
                .unwrap_or_default()
                .to_string(),
        }
    }
    /// A bool key; its default when absent or invalid.
    pub fn flag(&self, key: &Key) -> bool {
        match self.cell.get(key.name) {
            Some((Scalar::Bool(b), _)) => *b,
            _ => self.default_of(key).as_bool().unwrap_or_default(),
        }
    }
    /// Reports a value outside its allowed range.
    pub fn bad(&mut self, key: &str, message: String, allowed: &str) {
        let span = self.span(key);
        self.problems.push(
            Problem::new(span, format!("{}.{key}: {message}", self.section))
                .help(format!("allowed: {allowed}")),
        );
    }
    /// A number checked against its key's range, with the key's default.
    pub fn number(&mut self, key: &Key) -> f64 {
        let default = self.default_of(key).as_f64().unwrap_or(f64::NAN);
        self.number_or(key, default)
    }
    /// A number checked against its key's range, with a default computed by the caller.
    pub fn number_or(&mut self, key: &Key, default: f64) -> f64 {
        let v = self.float(key.name).unwrap_or(default);
        if let Check::Range(range) = key.check {
            if !range.contains(v) {
                self.bad(
                    key.name,
                    format!("{v} is out of range"),
                    &key.allowed_text(),
                );
            }
        }
        v
    }
    /// A whole number checked against its key's range, with the key's default.
    pub fn whole(&mut self, key: &Key) -> usize {
        let default = self.default_of(key).as_usize().unwrap_or_default();
        self.whole_or(key, default)
    }
    /// A whole number checked against its key's range, with a default computed by the caller.
    pub fn whole_or(&mut self, key: &Key, default: usize) -> usize {
        let v = self.int(key.name).unwrap_or(default);
        if let Check::Range(range) = key.check {
            if !range.contains(v as f64) {
                let side = if range.too_small(v as f64) {
                    "small"
                } else {
                    "large"
                };
                self.bad(key.name, format!("{v} is too {side}"), &key.allowed_text());
            }
        }
        v
    }
    /// Chooses the cell's kind from `kinds` (by the value of its kind key, else its default),
    /// rejects keys that kind does not take, and returns the kind's name.
    pub fn choose(&mut self, kinds: &Kinds) -> String {
        let name = self.text(kinds.kind_key);
        self.kind = kinds.find(&name);
        self.only(kinds, &name);
        name
    }
    /// Rejects keys the chosen kind does not take.
    fn only(&mut self, kinds: &Kinds, kind: &str) {
        let kind_key = kinds.kind_key.name;
        if self.invalid(kind_key) {
            // The kind is unknown (already reported): which keys apply cannot be said.
            return;
        }
        let mut takes = kinds.common_names();
        takes.extend(self.kind.map(Kind::key_names).unwrap_or_default());
        let extra: Vec<&'static str> = self
            .cell
            .keys()
            .copied()
            .filter(|k| *k != kind_key && !takes.contains(k))
            .collect();
        for k in extra {
            let span = self.span(k);
            self.problems.push(
                Problem::new(
                    span,
                    format!(
                        "{}.{k} does not apply to {kind_key} = \"{kind}\"",
                        self.section
                    ),
                )
                .help(if takes.is_empty() {
                    format!("{kind_key} = \"{kind}\" takes no other keys")
                } else {
                    format!("{kind_key} = \"{kind}\" takes: {}", takes.join(", "))
                }),
            );
        }
    }
}

/// A square row-stochastic matrix: entries in [0, 1], rows summing to 1 within 1e-9 (the rules
/// of [`crate::vocab::matrix::TransitionMatrix::new`]); every problem is reported at `key`.
pub fn check_stochastic(r: &mut Reader<'_>, key: &str, m: &[Vec<f64>]) {
    for problem in crate::vocab::matrix::problems(m) {
        r.bad(key, problem.to_string(), problem.help());
    }
}

/// Whether a valid transition matrix is singular
/// ([`crate::vocab::matrix::TransitionMatrix::is_singular`]: one relative
/// threshold for every check). A matrix with problems of its own is not judged here (they are
/// reported by [`check_stochastic`]).
pub fn is_singular(m: &[Vec<f64>]) -> bool {
    crate::vocab::matrix::TransitionMatrix::new(m).is_ok_and(|t| t.is_singular())
}

#[cfg(test)]
mod tests {
    use super::is_singular;

    #[test]
    fn singular_valid_matrices_only() {
        assert!(is_singular(&[vec![0.5, 0.5], vec![0.5, 0.5]]));
        assert!(!is_singular(&[vec![0.8, 0.2], vec![0.3, 0.7]]));
        assert!(
            !is_singular(&[vec![1.0, 0.0], vec![1.0]]),
            "ragged: not judged"
        );
    }
}
