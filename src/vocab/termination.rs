//! `Termination`: why a fit stopped, the single source of truth; `converged` is derived from it
//! and never stored beside it.

use serde::{Deserialize, Serialize};

/// A fit whose final objective exceeds this many times its starting objective has diverged.
///
/// Every fit starts from θ = 0, the uninformed model: every prediction uniform, F(0) = ln K for
/// cross-entropy. A mean cross-entropy of 10·ln K means the model gives the training labels a
/// geometric-mean probability of K⁻¹⁰: far worse than not training at all, which no working
/// optimizer returns (L-BFGS's line search never lets F rise above F(0); a diverging SGD run ends
/// orders of magnitude above it, e.g. 1.8e103 with learning_rate = 1e6).
pub const DIVERGENCE_FACTOR: f64 = 10.0;

/// Why an optimizer stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Termination {
    /// max |∇F| ≤ tolerance: converged.
    GradientTolerance,
    /// Neither F nor max |∇F| improved for `STALL_ITERATIONS` iterations in a row.
    ObjectiveStalled,
    /// The iteration limit was reached before the gradient tolerance.
    MaxIterations,
    /// No step satisfying the Wolfe conditions was found (often: the precision floor was reached).
    LineSearchFailed,
    /// The objective became NaN or infinite, or exploded (see [`diverged`]). Records of earlier
    /// versions called the non-finite case `non_finite`.
    #[serde(alias = "non_finite")]
    Diverged,
    /// Mini-batch optimizers: all epochs ran.
    EpochsCompleted,
    /// Mini-batch optimizers: validation loss on held-out noisy labels stopped improving.
    EarlyStopped,
    /// Hard targets, no penalty and every training label already fitted: the objective has no
    /// finite minimizer (the weights grow without bound), so whatever point the optimizer stopped
    /// at depends only on its tolerance.
    NoFiniteOptimum,
}

impl Termination {
    /// Converged means the gradient tolerance was met (or, for mini-batch runs, the schedule ended)
    /// at a point that is a minimizer's approximation: never after divergence or without a finite
    /// optimum.
    pub fn converged(self) -> bool {
        matches!(
            self,
            Termination::GradientTolerance
                | Termination::EpochsCompleted
                | Termination::EarlyStopped
        )
    }

    /// This termination, or `Diverged` when the final objective says so (see [`diverged`]).
    pub fn or_diverged(self, objective: f64, start_objective: f64) -> Termination {
        if diverged(objective, start_objective) {
            Termination::Diverged
        } else {
            self
        }
    }

    /// This termination once the fit is known to have no finite optimum: `NoFiniteOptimum`, unless
    /// the fit diverged (the optimizer's failure is the more urgent news).
    pub fn without_finite_optimum(self) -> Termination {
        match self {
            Termination::Diverged => Termination::Diverged,
            _ => Termination::NoFiniteOptimum,
        }
    }
}

/// A fit diverged when its final objective is NaN or infinite, or exceeds [`DIVERGENCE_FACTOR`]
/// times the objective at its start θ = 0 (taken as at least ln 2, the cross-entropy of a uniform
/// binary guess, so that a start at F(0) ≈ 0 does not make every positive value an explosion).
pub fn diverged(objective: f64, start_objective: f64) -> bool {
    let scale = start_objective.max(std::f64::consts::LN_2);
    !objective.is_finite() || objective > DIVERGENCE_FACTOR * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converged_follows_the_termination() {
        use Termination::*;
        let all = [
            GradientTolerance,
            ObjectiveStalled,
            MaxIterations,
            LineSearchFailed,
            Diverged,
            EpochsCompleted,
            EarlyStopped,
            NoFiniteOptimum,
        ];
        let converged: Vec<_> = all.into_iter().filter(|t| t.converged()).collect();
        assert_eq!(
            converged,
            [GradientTolerance, EpochsCompleted, EarlyStopped]
        );
        for t in all {
            assert!(!t.without_finite_optimum().converged());
            assert!(!t.or_diverged(f64::NAN, 1.0).converged());
        }
        assert_eq!(Diverged.without_finite_optimum(), Diverged);
        assert_eq!(GradientTolerance.without_finite_optimum(), NoFiniteOptimum);
    }

    #[test]
    fn divergence_is_relative_to_the_start() {
        let ln3 = 3f64.ln();
        assert!(!diverged(0.2, ln3));
        assert!(
            !diverged(9.9 * ln3, ln3),
            "worse than the start, not exploding"
        );
        assert!(diverged(10.1 * ln3, ln3));
        assert!(diverged(1.8e103, ln3) && diverged(f64::INFINITY, ln3) && diverged(f64::NAN, ln3));
        assert!(!diverged(1.0, 0.0), "a start near 0 counts as ln 2");
        assert!(!diverged(-5.0, ln3), "backward correction may go below 0");
    }

    #[test]
    fn names_in_records_and_the_old_name() {
        let name = |t: Termination| serde_json::to_string(&t).unwrap();
        assert_eq!(name(Termination::Diverged), "\"diverged\"");
        assert_eq!(name(Termination::NoFiniteOptimum), "\"no_finite_optimum\"");
        assert_eq!(
            name(Termination::GradientTolerance),
            "\"gradient_tolerance\""
        );
        let old: Termination = serde_json::from_str("\"non_finite\"").unwrap();
        assert_eq!(old, Termination::Diverged);
    }
}
