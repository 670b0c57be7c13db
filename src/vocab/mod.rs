//! The vocabulary every stage speaks, importing nothing else of the crate: the scenario's key
//! tables, metrics, grid axes, transition matrices and why a fit stopped. Each concept is defined
//! here once (name, meaning, default, unit, direction); stages read these definitions and never
//! match strings or re-validate.

pub mod axis;
pub mod bounds;
pub mod correction;
mod human;
pub mod keys;
pub mod matrix;
pub mod metric;
pub mod termination;
