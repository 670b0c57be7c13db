//! `labelnoise.noisify`: the library's `noisify` draw ([`labelnoise::commands::noisify::draw`]) on
//! a label array, with the classes read from the values as the command line reads a label file.

use crate::convert;
use crate::errors::error;
use labelnoise::commands::noisify::{draw, NoisifyError, Request};
use labelnoise::data::{to_classes, Labels};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Noisy label values and the record (JSON text) of one draw. `labels`: int64 bytes; `keys`:
/// `[noise]` keys with Python values; `features`: float64 bytes of an n × `columns` matrix.
#[pyfunction]
#[pyo3(signature = (labels, seed, keys, features=None, columns=0, standardize=true))]
pub fn noisify(
    py: Python<'_>,
    labels: &Bound<'_, PyBytes>,
    seed: u64,
    keys: Vec<(String, Bound<'_, PyAny>)>,
    features: Option<&Bound<'_, PyBytes>>,
    columns: usize,
    standardize: bool,
) -> PyResult<(Vec<i64>, String)> {
    let values = convert::int64s(labels.as_bytes(), "labels")?;
    let keys = keys
        .iter()
        .map(|(k, v)| Ok((k.clone(), convert::toml_text(v)?)))
        .collect::<PyResult<Vec<(String, String)>>>()?;
    let features = features
        .map(|f| convert::matrix(f.as_bytes(), columns, "features"))
        .transpose()?;
    // As a label file's values: the classes are the sorted distinct values.
    let read = Labels {
        file: "labels".into(),
        what: "the labels".into(),
        values: values.iter().map(i64::to_string).collect(),
        lines: None,
    };
    let (truth, _, names) = to_classes(&read, None).map_err(error)?;
    let input = serde_json::json!({
        "labels": "array from Python",
        "features": features.as_ref().map(|_| "array from Python"),
    });
    let drawn = py
        .detach(|| {
            draw(Request {
                truth: &truth,
                class_names: &names,
                seed,
                keys: &keys,
                features,
                standardize,
                input,
            })
        })
        .map_err(|e| match e {
            NoisifyError::Settings(text) | NoisifyError::Other(text) => error(text),
        })?;
    let noisy = drawn
        .observed
        .iter()
        .map(|&c| names[c].parse::<i64>().map_err(error))
        .collect::<PyResult<Vec<i64>>>()?;
    Ok((noisy, drawn.record.to_string()))
}

/// The keys of a noise kind (`None` for an unknown kind: the draw then says what is allowed).
#[pyfunction]
pub fn noise_kind_keys(kind: &str) -> Option<Vec<&'static str>> {
    labelnoise::vocab::keys::noise::KINDS
        .find(kind)
        .map(|k| k.key_names())
}
