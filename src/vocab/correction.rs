//! How the paired comparisons of one table are corrected for being many (`[report]
//! multiple_comparisons`).

use serde::{Deserialize, Serialize};

/// The correction applied before a comparison is marked better or worse.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// Each comparison on its own: marked when its 95% t-interval excludes 0.
    #[default]
    None,
    /// Holm's step-down over the table's comparisons of one metric: marked when the adjusted
    /// p-value is below 0.05 (family-wise error rate 5%).
    Holm,
}

impl Correction {
    /// The names the scenario file accepts, in documentation order.
    pub const NAMES: &'static [&'static str] = &["none", "holm"];

    pub fn from_name(name: &str) -> Option<Correction> {
        match name {
            "none" => Some(Correction::None),
            "holm" => Some(Correction::Holm),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Correction::None => "none",
            Correction::Holm => "holm",
        }
    }

    pub fn is_none(&self) -> bool {
        *self == Correction::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_as_text_and_json() {
        for &name in Correction::NAMES {
            let c = Correction::from_name(name).unwrap();
            assert_eq!(c.name(), name);
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{name}\""));
        }
        assert_eq!(Correction::from_name("bonferroni"), None);
        assert!(Correction::default().is_none());
    }
}
