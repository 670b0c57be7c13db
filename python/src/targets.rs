//! `labelnoise.smooth_targets`: the K-column target matrix a label-smoothing run trains on,
//! from the engine's own [`SmoothedTarget`] (every style a scenario accepts).

use crate::errors::error;
use labelnoise::scenario::diag::did_you_mean;
use labelnoise::scenario::spec::SmoothingStyle;
use labelnoise::train::targets::SmoothedTarget;
use labelnoise::vocab::keys::method::{EPSILON, STYLES};
use pyo3::prelude::*;

/// The n × k targets, row by row (n·k values). `labels` are classes 0..k.
#[pyfunction]
#[pyo3(signature = (labels, k, epsilon, style="uniform"))]
pub fn smooth_targets(labels: Vec<i64>, k: usize, epsilon: f64, style: &str) -> PyResult<Vec<f64>> {
    if k < 2 {
        return Err(error(format!("k = {k}: at least 2 classes are needed")));
    }
    if !EPSILON.accepts(epsilon) || !epsilon.is_finite() {
        return Err(error(format!(
            "epsilon = {epsilon}: {}",
            EPSILON.allowed_text()
        )));
    }
    let style: SmoothingStyle =
        serde_json::from_value(serde_json::Value::from(style)).map_err(|_| {
            let hint = did_you_mean(style, STYLES)
                .map(|h| format!(" {h}"))
                .unwrap_or_default();
            error(format!(
                "style = \"{style}\" is not a smoothing style;{hint} styles: {}",
                STYLES.join(", ")
            ))
        })?;
    let target = SmoothedTarget::new(epsilon, k, style);
    let mut out = Vec::with_capacity(labels.len() * k);
    for (i, &y) in labels.iter().enumerate() {
        let class = usize::try_from(y)
            .ok()
            .filter(|&c| c < k)
            .ok_or_else(|| error(format!("labels[{i}] = {y} is not a class of 0..{}", k - 1)))?;
        out.extend(target.vector(class, k));
    }
    Ok(out)
}
