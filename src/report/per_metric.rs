//! [`PerMetric`]: at most one value per [`Metric`], keyed by the type (no name lookups), written
//! as a JSON object keyed by metric name in alphabetical order, as a name-keyed map always was.

use crate::vocab::metric::Metric;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::ops::Index;

#[derive(Clone, Debug, PartialEq)]
pub struct PerMetric<T> {
    values: [Option<T>; Metric::COUNT],
}

impl<T> Default for PerMetric<T> {
    fn default() -> Self {
        PerMetric {
            values: std::array::from_fn(|_| None),
        }
    }
}

impl<T> PerMetric<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, m: Metric) -> Option<&T> {
        self.values[m as usize].as_ref()
    }

    pub fn contains_key(&self, m: Metric) -> bool {
        self.values[m as usize].is_some()
    }

    /// Sets the value of `m`, replacing any earlier one.
    pub fn insert(&mut self, m: Metric, value: T) {
        self.values[m as usize] = Some(value);
    }

    pub fn is_empty(&self) -> bool {
        self.values.iter().all(Option::is_none)
    }

    /// The metrics that have a value, with it, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (Metric, &T)> + '_ {
        Metric::ALL
            .into_iter()
            .filter_map(|m| self.get(m).map(|v| (m, v)))
    }
}

/// The value of a metric known to be present (panics otherwise, as a map's index does).
impl<T> Index<Metric> for PerMetric<T> {
    type Output = T;
    fn index(&self, m: Metric) -> &T {
        self.get(m)
            .unwrap_or_else(|| panic!("no value for metric `{m}`"))
    }
}

impl<T: Serialize> Serialize for PerMetric<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let present = self.values.iter().flatten().count();
        let mut map = s.serialize_map(Some(present))?;
        for &m in Metric::by_name() {
            if let Some(v) = self.get(m) {
                map.serialize_entry(m.name(), v)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn serializes_as_the_name_keyed_map_did() {
        let mut typed = PerMetric::new();
        let mut named = BTreeMap::new();
        for (i, m) in Metric::ALL
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % 3 != 1)
        {
            typed.insert(m, i);
            named.insert(m.name(), i);
        }
        assert_eq!(
            serde_json::to_string(&typed).unwrap(),
            serde_json::to_string(&named).unwrap()
        );
        assert_eq!(typed.iter().count(), named.len());
        assert!(PerMetric::<f64>::new().is_empty());
    }
}
