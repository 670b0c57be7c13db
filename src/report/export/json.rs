//! `summary.json`: the whole summary (NaN as null), each cell's paired comparisons (p-value and
//! better/worse verdict per metric) and the best-method table.

use super::columns::BEST_BY;
use super::significance::comparisons;
use super::table::cell_positions;
use super::Exporter;
use crate::report::summary::{best_by, Summary};
use serde_json::{Map, Value};

pub struct Json;

impl Exporter for Json {
    fn serialize(&self, s: &Summary) -> String {
        let mut summary = serde_json::to_value(s).expect("serializes");
        // Per cell, per metric with a paired difference: {p, p_holm?, significance}.
        let mut compared: Vec<Map<String, Value>> = vec![Map::new(); s.cells.len()];
        for &m in &s.metrics {
            for (at, v) in comparisons(s, m).into_iter().enumerate() {
                if let Some(v) = v {
                    compared[at].insert(m.name().to_string(), serde_json::json!(v));
                }
            }
        }
        if let Some(Value::Array(cells)) = summary.get_mut("cells") {
            for (cell, compared) in cells.iter_mut().zip(compared.iter()) {
                if let Value::Object(cell) = cell {
                    cell.insert("comparisons".into(), Value::Object(compared.clone()));
                }
            }
        }
        let position = cell_positions(s);
        let best: Vec<Value> = best_by(s, BEST_BY)
            .into_iter()
            .flat_map(|(axes, cells)| {
                let tied: Vec<&str> = cells.iter().map(|c| c.method.as_str()).collect();
                let (compared, position) = (&compared, &position);
                cells.iter().map(move |c| {
                    let significance = position
                        .get(&std::ptr::from_ref(*c))
                        .and_then(|&i| compared[i].get(BEST_BY.name()))
                        .and_then(|v| v.get("significance"))
                        .cloned();
                    serde_json::json!({
                        "axes": axes,
                        "method": c.method,
                        BEST_BY.name(): c.stats.get(BEST_BY),
                        format!("delta_{BEST_BY}"): c.paired.get(BEST_BY),
                        format!("delta_{BEST_BY}_significance"): significance,
                        "paired_against": c.paired_against,
                        "tied_with": tied.iter().filter(|&&t| t != c.method).collect::<Vec<_>>(),
                    })
                })
                .collect::<Vec<_>>()
            })
            .collect();
        let v = serde_json::json!({
            "summary": summary,
            format!("best_by_{BEST_BY}"): best,
            "best_chosen_on": "test (optimistic: chosen on the data it is scored on)",
        });
        serde_json::to_string_pretty(&v).expect("serializes") + "\n"
    }
}
