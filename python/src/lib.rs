//! `labelnoise._native`: the Python package's bindings, thin over the labelnoise library. One file
//! per job: [`convert`] (Python values ↔ Rust), [`errors`] (the exception and its text),
//! [`run`] (scenarios and results folders), [`noisify`] (label noise), [`targets`] (smoothed
//! targets). `labelnoise/__init__.py` builds the Python-facing API on top.

mod convert;
mod errors;
mod noisify;
mod run;
mod targets;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add(
        "LabelnoiseError",
        m.py().get_type::<errors::LabelnoiseError>(),
    )?;
    m.add("__version__", labelnoise::VERSION)?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_function(wrap_pyfunction!(run::report, m)?)?;
    m.add_function(wrap_pyfunction!(run::set_code_file, m)?)?;
    m.add_function(wrap_pyfunction!(noisify::noisify, m)?)?;
    m.add_function(wrap_pyfunction!(noisify::noise_kind_keys, m)?)?;
    m.add_function(wrap_pyfunction!(targets::smooth_targets, m)?)?;
    Ok(())
}
