//! The scenario key tables: per section and per source kind, each key with its typed default,
//! validator, allowed values, unit and one-line doc.
//!
//! One table per section ([`dataset`], [`noise`], [`model`], [`method`], [`report`], [`selection`])
//! lists every key once, in the order the documentation shows them. One [`Kind`] per source kind, noise kind,
//! optimizer and method kind says which keys that kind takes and the defaults that differ by kind.
//! The scenario reader, its builders, `labelnoise schema`, `plan` and README's key tables are all
//! derived from these tables.

pub mod dataset;
pub mod detection;
pub mod method;
pub mod model;
pub mod noise;
pub mod report;
pub mod selection;

/// The type of a key's value (each element's type, for sweepable keys).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    Float,
    Int,
    Bool,
    /// A string from a fixed set (empty set: any string).
    Choice(&'static [&'static str]),
    /// A K×K matrix of numbers (never an axis).
    Matrix,
    /// A column name or 0-based index.
    Column,
    /// A list of column names or indices (never an axis).
    Columns,
    /// A matrix, or the string "true" or "estimated" (correction methods).
    MatrixOrTrue,
    /// A list of strings (never an axis).
    Names,
}

/// What a key is when the file does not give it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DefaultValue {
    Float(f64),
    Int(usize),
    Bool(bool),
    Str(&'static str),
    /// Computed from other keys or from the kind; the text says how.
    Derived(&'static str),
    /// Absent unless given.
    None,
}

impl DefaultValue {
    /// The default as a number (integers widen), if it is one.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            DefaultValue::Float(v) => Some(v),
            DefaultValue::Int(v) => Some(v as f64),
            _ => None,
        }
    }
    pub fn as_usize(self) -> Option<usize> {
        match self {
            DefaultValue::Int(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_bool(self) -> Option<bool> {
        match self {
            DefaultValue::Bool(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            DefaultValue::Str(v) => Some(v),
            _ => None,
        }
    }
}

/// One end of a numeric range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    Unbounded,
    Inclusive(f64),
    Exclusive(f64),
}

/// A numeric range `low .. high`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub low: Bound,
    pub high: Bound,
}

impl Range {
    /// v ≥ min.
    pub const fn at_least(min: f64) -> Range {
        Range {
            low: Bound::Inclusive(min),
            high: Bound::Unbounded,
        }
    }
    /// v > min.
    pub const fn above(min: f64) -> Range {
        Range {
            low: Bound::Exclusive(min),
            high: Bound::Unbounded,
        }
    }
    /// v < max.
    pub const fn below(max: f64) -> Range {
        Range {
            low: Bound::Unbounded,
            high: Bound::Exclusive(max),
        }
    }
    /// min ≤ v ≤ max.
    pub const fn between(min: f64, max: f64) -> Range {
        Range {
            low: Bound::Inclusive(min),
            high: Bound::Inclusive(max),
        }
    }
    /// Any range, ends given.
    pub const fn new(low: Bound, high: Bound) -> Range {
        Range { low, high }
    }
    /// 0 < v < 1.
    pub const FRACTION: Range = Range::new(Bound::Exclusive(0.0), Bound::Exclusive(1.0));
    /// 0 ≤ v ≤ 1.
    pub const UNIT: Range = Range::between(0.0, 1.0);

    pub fn contains(&self, v: f64) -> bool {
        let low = match self.low {
            Bound::Unbounded => true,
            Bound::Inclusive(m) => v >= m,
            Bound::Exclusive(m) => v > m,
        };
        let high = match self.high {
            Bound::Unbounded => true,
            Bound::Inclusive(m) => v <= m,
            Bound::Exclusive(m) => v < m,
        };
        low && high
    }
    /// Below the low end (else above the high end, for a value outside).
    pub fn too_small(&self, v: f64) -> bool {
        match self.low {
            Bound::Unbounded => false,
            Bound::Inclusive(m) => v < m,
            Bound::Exclusive(m) => v <= m,
        }
    }
}

/// How a given value is validated beyond its type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Check {
    /// Any value of the key's type.
    Any,
    /// A number inside a range.
    Range(Range),
    /// One of these strings.
    Choice(&'static [&'static str]),
}

impl Check {
    /// Whether a default or a given value passes.
    pub fn accepts(&self, value: DefaultValue) -> bool {
        match (self, value) {
            (_, DefaultValue::Derived(_) | DefaultValue::None) => true,
            (Check::Any, _) => true,
            (Check::Range(r), v) => v.as_f64().is_some_and(|x| r.contains(x)),
            (Check::Choice(c), DefaultValue::Str(s)) => c.is_empty() || c.contains(&s),
            (Check::Choice(_), _) => false,
        }
    }
}

/// One key of a scenario section.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub ty: Ty,
    /// May be given as a list, making it a grid axis.
    pub sweep: bool,
    /// Given as a list of values that is not an axis (`[detection] score`).
    pub list: bool,
    pub default: DefaultValue,
    pub check: Check,
    /// What is allowed, in words, for messages; empty when derived from `check` (whole numbers).
    pub allowed: &'static str,
    pub unit: Option<&'static str>,
    pub doc: &'static str,
}

impl Key {
    /// A key with no validation beyond its type, no unit, and no allowed-values text.
    pub const fn new(name: &'static str, ty: Ty, default: DefaultValue, doc: &'static str) -> Key {
        Key {
            name,
            ty,
            sweep: !matches!(ty, Ty::Matrix | Ty::Columns | Ty::MatrixOrTrue | Ty::Names),
            list: false,
            default,
            check: match ty {
                Ty::Choice(c) => Check::Choice(c),
                _ => Check::Any,
            },
            allowed: "",
            unit: None,
            doc,
        }
    }
    /// The same key, validated: `allowed` says in words what `check` accepts.
    pub const fn check(mut self, check: Check, allowed: &'static str) -> Key {
        self.check = check;
        self.allowed = allowed;
        self
    }
    pub const fn range(self, range: Range, allowed: &'static str) -> Key {
        self.check(Check::Range(range), allowed)
    }
    /// The same key, never a grid axis: a list is refused.
    pub const fn single(mut self) -> Key {
        self.sweep = false;
        self
    }
    /// The same key taking a list of values (each checked alone) that is not a grid axis.
    pub const fn list(mut self) -> Key {
        self.sweep = false;
        self.list = true;
        self
    }
    pub const fn unit(mut self, unit: &'static str) -> Key {
        self.unit = Some(unit);
        self
    }

    /// Whether a number passes the key's range (keys without one accept any).
    pub fn accepts(&self, v: f64) -> bool {
        match self.check {
            Check::Range(r) => r.contains(v),
            _ => true,
        }
    }

    /// What is allowed, in words: the table's text, else derived from a whole-number range.
    pub fn allowed_text(&self) -> String {
        if !self.allowed.is_empty() {
            return self.allowed.to_string();
        }
        let whole = |b: Bound| match b {
            Bound::Inclusive(v) => Some(v as usize),
            Bound::Exclusive(v) => Some(v as usize + 1),
            Bound::Unbounded => None,
        };
        match self.check {
            Check::Range(r) => match (whole(r.low), r.high) {
                (Some(min), Bound::Inclusive(max)) => {
                    format!("a whole number from {min} to {}", max as usize)
                }
                (Some(min), _) => format!("a whole number ≥ {min}"),
                _ => "a whole number".to_string(),
            },
            Check::Choice(c) => c.join(", "),
            Check::Any => String::new(),
        }
    }

    /// The default as shown in the schema: "—" when there is none.
    pub fn default_text(&self) -> String {
        match self.default {
            DefaultValue::Float(v) => show_float(v),
            DefaultValue::Int(v) => v.to_string(),
            DefaultValue::Bool(v) => v.to_string(),
            DefaultValue::Str(s) if self.ty == Ty::MatrixOrTrue => format!("\"{s}\""),
            DefaultValue::Str(s) | DefaultValue::Derived(s) => s.to_string(),
            DefaultValue::None => "—".to_string(),
        }
    }
}

/// Small numbers in exponent form (1e-4), others with at least one decimal (1.0, 0.25).
fn show_float(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-2 {
        format!("{v:e}")
    } else {
        format!("{v:?}")
    }
}

/// A source kind, noise kind, optimizer or method kind: the keys it takes (besides the section's
/// common keys) and the defaults that differ from the section table's.
#[derive(Clone, Copy, Debug)]
pub struct Kind {
    pub name: &'static str,
    pub keys: &'static [&'static Key],
    pub defaults: &'static [(&'static Key, DefaultValue)],
}

impl Kind {
    pub const fn new(name: &'static str, keys: &'static [&'static Key]) -> Kind {
        Kind {
            name,
            keys,
            defaults: &[],
        }
    }
    pub const fn defaults(mut self, defaults: &'static [(&'static Key, DefaultValue)]) -> Kind {
        self.defaults = defaults;
        self
    }
    /// The key's default under this kind.
    pub fn default_of(&self, key: &Key) -> DefaultValue {
        self.defaults
            .iter()
            .find(|(k, _)| k.name == key.name)
            .map_or(key.default, |(_, d)| *d)
    }
    pub fn key_names(&self) -> Vec<&'static str> {
        self.keys.iter().map(|k| k.name).collect()
    }
}

/// A section's kinds: the key naming the kind, the keys every kind takes, and each kind.
#[derive(Clone, Copy, Debug)]
pub struct Kinds {
    pub kind_key: &'static Key,
    pub common: &'static [&'static Key],
    pub kinds: &'static [Kind],
}

impl Kinds {
    pub fn find(&self, name: &str) -> Option<&'static Kind> {
        self.kinds.iter().find(|k| k.name == name)
    }
    pub fn names(&self) -> Vec<&'static str> {
        self.kinds.iter().map(|k| k.name).collect()
    }
    pub fn common_names(&self) -> Vec<&'static str> {
        self.common.iter().map(|k| k.name).collect()
    }
}

/// Limits that keep one scenario within one machine. A value past them is reported with the file
/// position instead of failing an allocation hours into a run.
pub mod limits {
    /// Runs in one grid (every run's spec is held in memory while the grid runs).
    pub const MAX_RUNS: usize = 1_000_000;
    /// Classes K: the noise model and the realized transition counts are K×K.
    pub const MAX_CLASSES: usize = 4096;
    /// Feature values (samples × features) of one generated dataset: 4 GiB of f64.
    pub const MAX_DATASET_VALUES: usize = 1 << 29;
    /// L-BFGS memory pairs.
    pub const MAX_HISTORY: usize = 1000;
    /// Memory of one full-batch fit: (2·history + 6) vectors of K·D + K parameters, f64.
    pub const MAX_OPTIMIZER_BYTES: usize = 8 << 30;
    /// Calibration bins.
    pub const MAX_ECE_BINS: usize = 10_000;
}

/// Top-level keys of a scenario file.
pub const TOP: &[&str] = &[
    "name",
    "description",
    "seeds",
    "dataset",
    "noise",
    "model",
    "method",
    "report",
    "selection",
    "detection",
];

/// Repetitions when `seeds` is not given: 0, 1, 2.
pub const DEFAULT_SEEDS: u64 = 3;

#[cfg(test)]
mod tests;
