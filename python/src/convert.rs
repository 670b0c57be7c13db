//! Python values → what the library takes: TOML text for noise keys, and little-endian arrays
//! (NumPy's `tobytes()`) for labels and features, so no per-element Python object is touched.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};

/// A Python value as TOML: bool, int, float, str, and lists (or tuples) of them, nested (a
/// matrix is a list of lists). NumPy values are turned into these by `tolist()` beforehand.
pub fn toml_text(v: &Bound<'_, PyAny>) -> PyResult<String> {
    if v.is_instance_of::<PyBool>() {
        return Ok(v.extract::<bool>()?.to_string());
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(v.extract::<i64>()?.to_string());
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract::<f64>()?).to_string());
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract::<String>()?).to_string());
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items = v
            .try_iter()?
            .map(|x| toml_text(&x?))
            .collect::<PyResult<Vec<String>>>()?;
        return Ok(format!("[{}]", items.join(", ")));
    }
    Err(PyTypeError::new_err(format!(
        "cannot write a {} as a scenario value: give a bool, number, string or a list of them",
        v.get_type().name()?
    )))
}

/// Little-endian 8-byte values (`numpy.ndarray.astype("<i8"/"<f8").tobytes()`).
fn words<'a>(bytes: &'a [u8], what: &str) -> PyResult<impl Iterator<Item = [u8; 8]> + 'a> {
    if !bytes.len().is_multiple_of(8) {
        return Err(PyValueError::new_err(format!(
            "{what}: {} bytes is not a whole number of 8-byte values",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| c.try_into().expect("chunks of 8")))
}

/// 64-bit integers from their little-endian bytes.
pub fn int64s(bytes: &[u8], what: &str) -> PyResult<Vec<i64>> {
    Ok(words(bytes, what)?.map(i64::from_le_bytes).collect())
}

/// An n × `columns` matrix of 64-bit floats from their little-endian bytes, row by row.
pub fn matrix(bytes: &[u8], columns: usize, what: &str) -> PyResult<ndarray::Array2<f64>> {
    let values: Vec<f64> = words(bytes, what)?.map(f64::from_le_bytes).collect();
    let rows = values.len().checked_div(columns).unwrap_or(0);
    ndarray::Array2::from_shape_vec((rows, columns), values)
        .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}
