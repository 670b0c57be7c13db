//! The values each [`Metric`] can take, for clipping the report's intervals: a mean of values in
//! [0, 1] cannot leave [0, 1], though a t-interval around it can.

use super::metric::Metric;

impl Metric {
    /// The values the metric can take, `(low, high)` with infinite ends where unbounded: the
    /// report clips the 95% intervals of its cell means to it (a mean of values in [0, 1] cannot
    /// leave [0, 1], but a t-interval can). Fractions and 0/1 flags lie in [0, 1], the multi-class
    /// Brier score in [0, 2]; losses, norms, gaps and counts are at least 0.
    pub const fn range(self) -> (f64, f64) {
        use Metric::*;
        match self {
            TestAccuracy
            | TestEce
            | TestMce
            | TestEcePos
            | Memorized
            | Recovered
            | TrainAccuracyObserved
            | FlipRate
            | NoFiniteOptimum
            | Converged
            | MatrixErrorMax
            | DetectSelfConfidencePrecision
            | DetectSelfConfidenceRecall
            | DetectSelfConfidenceF1
            | DetectSelfConfidenceAuroc
            | DetectSelfConfidenceAp
            | DetectLossPrecision
            | DetectLossRecall
            | DetectLossF1
            | DetectLossAuroc
            | DetectLossAp
            | DetectConfidentLearningPrecision
            | DetectConfidentLearningRecall
            | DetectConfidentLearningF1
            | DetectConfidentLearningAuroc
            | DetectConfidentLearningAp => (0.0, 1.0),
            TestBrier => (0.0, 2.0),
            TestNll
            | TrainLossCorrupted
            | TrainLossClean
            | TrainLossCorruptedTrue
            | WeightNorm
            | LogitGap
            | Flipped
            | Iterations
            | Evaluations
            | GradMax
            | StoppedEpoch
            | BestEpoch
            | ValidationLoss
            | ValidationSize
            | MatrixErrorFrobenius
            | DetectEstimatedErrors => (0.0, f64::INFINITY),
            // The objective of backward correction and the free-logit optimum with style "others"
            // can be negative.
            Objective | LogitGapFreeOptimum => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// The values a difference of two of the metric's values can take (`[−1, 1]` for a metric in
    /// [0, 1]; unbounded when the metric is unbounded above or below).
    pub fn difference_range(self) -> (f64, f64) {
        let (low, high) = self.range();
        (low - high, high - low)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_hold_fractions_in_the_unit_interval_and_differences_in_twice_it() {
        assert_eq!(Metric::TestAccuracy.range(), (0.0, 1.0));
        assert_eq!(Metric::TestAccuracy.difference_range(), (-1.0, 1.0));
        assert_eq!(Metric::TestBrier.difference_range(), (-2.0, 2.0));
        let (low, high) = Metric::TestNll.difference_range();
        assert!(low == f64::NEG_INFINITY && high == f64::INFINITY);
        for m in Metric::ALL {
            let (low, high) = m.range();
            assert!(low < high, "{m}");
        }
    }
}
