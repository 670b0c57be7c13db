//! `Termination`: why a fit stopped; `converged` is derived from it.
