//! `Metric`: every per-run metric with its name, definition, unit and which direction is better.
