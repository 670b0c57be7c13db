//! `summary.json`: the whole summary (NaN as null) and the best-method table.

use super::columns::BEST_BY;
use super::Exporter;
use crate::report::summary::{best_by, Summary};

pub struct Json;

impl Exporter for Json {
    fn serialize(&self, s: &Summary) -> String {
        let best: Vec<serde_json::Value> = best_by(s, BEST_BY)
            .into_iter()
            .map(|(axes, c)| {
                serde_json::json!({
                    "axes": axes,
                    "method": c.method,
                    BEST_BY.name(): c.stats.get(BEST_BY),
                    format!("delta_{BEST_BY}"): c.paired.get(BEST_BY),
                    "paired_against": c.paired_against,
                })
            })
            .collect();
        let v = serde_json::json!({ "summary": s, format!("best_by_{BEST_BY}"): best });
        serde_json::to_string_pretty(&v).expect("serializes") + "\n"
    }
}
