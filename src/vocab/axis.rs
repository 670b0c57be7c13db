//! Grid axes: (section, key, display label) of every value a scenario may sweep.
