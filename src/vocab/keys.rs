//! The scenario key tables: per section and per source kind, each key with its typed default, validator, allowed values, unit and one-line doc.
