//! One value of a swept axis, as written in tables.

use serde::{Deserialize, Serialize};

/// One value of a swept axis, as written in tables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AxisValue {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
}

impl AxisValue {
    /// The value as a finite number, if it is one.
    pub fn number(&self) -> Option<f64> {
        match self {
            AxisValue::Int(i) => Some(*i as f64),
            AxisValue::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        }
    }
}

impl std::fmt::Display for AxisValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AxisValue::Int(v) => write!(f, "{v}"),
            AxisValue::Float(v) => write!(f, "{v}"),
            AxisValue::Text(v) => write!(f, "{v}"),
            AxisValue::Bool(v) => write!(f, "{v}"),
        }
    }
}
