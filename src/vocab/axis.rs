//! Grid axes: (section, key, display label) of every value a scenario may sweep.
//!
//! An axis is a key of one section (`noise.rate`, `method.epsilon`, `dataset.separation`, …) whose
//! value differs between the scenario's variants. Records, plans and tables write it as the key
//! path `section.key`; code asks its [`Section`] instead of matching the text.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// The scenario sections whose keys can be axes, in grid (column) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Dataset,
    Noise,
    Model,
    Method,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Dataset,
        Section::Noise,
        Section::Model,
        Section::Method,
    ];

    /// The section's table name in a scenario file.
    pub const fn name(self) -> &'static str {
        match self {
            Section::Dataset => "dataset",
            Section::Noise => "noise",
            Section::Model => "model",
            Section::Method => "method",
        }
    }

    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One axis of the grid: a key of a section.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Axis {
    section: Section,
    /// Borrowed for the typed constants, owned for axes read from a scenario or a record.
    key: Cow<'static, str>,
}

impl Axis {
    /// The noise rate: the x axis of the "vs noise" figures when it varies.
    pub const NOISE_RATE: Axis = Axis::fixed(Section::Noise, "rate");
    /// Label smoothing's ε: the x axis of the "vs ε" figures when it varies.
    pub const EPSILON: Axis = Axis::fixed(Section::Method, "epsilon");

    pub fn new(section: Section, key: impl Into<String>) -> Self {
        Axis {
            section,
            key: Cow::Owned(key.into()),
        }
    }

    const fn fixed(section: Section, key: &'static str) -> Self {
        Axis {
            section,
            key: Cow::Borrowed(key),
        }
    }

    /// Reads a key path `section.key`; `None` when the section is not one of [`Section`]'s.
    pub fn parse(path: &str) -> Option<Axis> {
        let (section, key) = path.split_once('.')?;
        Some(Axis::new(Section::from_name(section)?, key))
    }

    pub fn section(&self) -> Section {
        self.section
    }

    /// A method setting (ε, β, q, the method kind, …): varies between methods, never between the
    /// noisy labels that methods are paired on.
    pub fn is_method(&self) -> bool {
        self.section == Section::Method
    }

    /// The key within its section (`rate` of `noise.rate`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// How figures name the axis: the key, with `epsilon` written as `ε`.
    pub fn label(&self) -> &str {
        match self.key.as_ref() {
            "epsilon" => "ε",
            key => key,
        }
    }
}

/// The key path `section.key`, as records and tables write it.
impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.section.name(), self.key)
    }
}

/// Compares with a key path without building one.
impl PartialEq<str> for Axis {
    fn eq(&self, path: &str) -> bool {
        path.split_once('.')
            .is_some_and(|(s, k)| s == self.section.name() && k == self.key.as_ref())
    }
}

impl Serialize for Axis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Axis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let path = String::deserialize(d)?;
        Axis::parse(&path).ok_or_else(|| {
            de::Error::custom(format!(
                "axis `{path}` is not `section.key` with section dataset, noise, model or method"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_round_trip() {
        for section in Section::ALL {
            let axis = Axis::new(section, "rate");
            let path = format!("{}.rate", section.name());
            assert_eq!(axis.to_string(), path);
            assert!(axis == *path.as_str());
            assert_eq!(Axis::parse(&path), Some(axis.clone()));
            let json = serde_json::to_string(&axis).unwrap();
            assert_eq!(json, format!("\"{path}\""));
            assert_eq!(serde_json::from_str::<Axis>(&json).unwrap(), axis);
        }
    }

    #[test]
    fn sections_are_typed_and_unknown_ones_refused() {
        let eps = Axis::parse("method.epsilon").unwrap();
        assert!(eps.is_method());
        assert_eq!((eps.key(), eps.label()), ("epsilon", "ε"));
        assert!(!Axis::parse("noise.rate").unwrap().is_method());
        assert!(Axis::new(Section::Noise, "rate") != *"noise.rat");
        assert_eq!(Axis::parse("methods.epsilon"), None);
        assert_eq!(Axis::parse("rate"), None);
        assert!(serde_json::from_str::<Axis>("\"report.metrics\"").is_err());
    }

    #[test]
    fn typed_constants_equal_their_parsed_paths() {
        assert_eq!(Axis::parse("noise.rate"), Some(Axis::NOISE_RATE));
        assert_eq!(Axis::parse("method.epsilon"), Some(Axis::EPSILON));
        assert!(Axis::EPSILON.is_method() && !Axis::NOISE_RATE.is_method());
        assert_eq!(Axis::EPSILON.label(), "ε");
    }
}
