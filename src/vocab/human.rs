//! Human names of axes and metrics for figure titles and axis labels ("noise rate", "label
//! smoothing ε", "test accuracy"), with their unit where they have one. Tables and files keep the
//! key paths and metric names; only what a reader of a figure sees is spelled out here.

use super::axis::{Axis, Section};
use super::keys::{dataset, method, model, noise, Key};
use super::metric::Metric;

impl Axis {
    /// The axis in words (`noise rate`, `label smoothing ε`); unknown keys with `_` as spaces.
    pub fn human(&self) -> String {
        let known = match (self.section(), self.key()) {
            (Section::Noise, "rate") => "noise rate",
            (Section::Noise, "rate_pos") => "noise rate P(0 | 1)",
            (Section::Noise, "rate_neg") => "noise rate P(1 | 0)",
            (Section::Noise, "kind") => "noise",
            (Section::Noise, "include_true") => "redraw includes true class",
            (Section::Noise, "count") => "flip count",
            (Section::Noise, "matrix") => "noise matrix T",
            (Section::Noise, "std") => "rate sd",
            (Section::Method, "epsilon") => "label smoothing ε",
            (Section::Method, "q") => "GCE q",
            (Section::Method, "beta") => "bootstrap β",
            (Section::Method, "kind") => "method",
            (Section::Method, "style") => "smoothing style",
            (Section::Method, "matrix") => "correction matrix T",
            (Section::Dataset, "source" | "name") => "dataset",
            (Section::Dataset, "separation") => "class separation",
            (Section::Dataset, "train") => "training samples",
            (Section::Dataset, "test") => "test samples",
            (Section::Model, "l2") => "L2 penalty",
            (Section::Model, "kind") => "model",
            (Section::Model, "early_stopping") => "early stopping",
            (_, key) => return key.replace('_', " "),
        };
        known.to_string()
    }

    /// The unit of the axis' key in the key tables, when it is a short count unit (samples,
    /// features, classes, epochs, …); long descriptions such as "fraction of training labels" are
    /// left to the caption.
    pub fn unit(&self) -> Option<&'static str> {
        let table: &[Key] = match self.section() {
            Section::Dataset => dataset::ALL,
            Section::Noise => noise::ALL,
            Section::Model => model::ALL,
            Section::Method => method::ALL,
        };
        table
            .iter()
            .find(|k| k.name == self.key())
            .and_then(|k| k.unit)
            .filter(|u| !u.contains(' '))
    }

    /// The axis title of a figure: words and unit, `training samples (samples)` shortened to the
    /// words when the unit repeats them.
    pub fn title(&self) -> String {
        let words = self.human();
        match self.unit() {
            Some(u) if !words.contains(u) => format!("{words} ({u})"),
            _ => words,
        }
    }
}

impl Metric {
    /// The metric in words for a figure's axis title (`test accuracy`, `test ECE`).
    pub const fn human(self) -> &'static str {
        match self {
            Metric::TestAccuracy => "test accuracy",
            Metric::TestNll => "test NLL",
            Metric::TestBrier => "test Brier score",
            Metric::TestEce => "test ECE",
            Metric::TestMce => "test MCE",
            Metric::TestEcePos => "test ECE of P(y = 1)",
            Metric::TrainLossCorrupted => "CE on corrupted samples",
            Metric::TrainLossClean => "CE on clean samples",
            Metric::TrainLossCorruptedTrue => "CE vs true label, corrupted samples",
            Metric::Memorized => "memorized fraction",
            Metric::Recovered => "recovered fraction",
            Metric::TrainAccuracyObserved => "training accuracy (observed labels)",
            Metric::WeightNorm => "weight norm ‖W‖",
            Metric::LogitGap => "mean logit gap",
            Metric::LogitGapFreeOptimum => "free-logit optimum of the gap",
            Metric::Flipped => "corrupted labels",
            Metric::FlipRate => "realized flip rate",
            Metric::Iterations => "iterations",
            Metric::Evaluations => "evaluations",
            Metric::GradMax => "max |gradient|",
            Metric::Objective => "objective",
            Metric::NoFiniteOptimum => "no finite optimum",
            Metric::Converged => "converged",
            Metric::StoppedEpoch => "stopped epoch",
            Metric::BestEpoch => "best epoch",
            Metric::ValidationLoss => "validation CE",
            Metric::ValidationSize => "validation samples",
            Metric::MatrixErrorFrobenius => "‖T̂ − T‖ (Frobenius)",
            Metric::MatrixErrorMax => "max |T̂ − T| entry",
            Metric::DetectEstimatedErrors => "estimated wrong labels",
            Metric::DetectSelfConfidencePrecision => "detection by self-confidence: precision",
            Metric::DetectSelfConfidenceRecall => "detection by self-confidence: recall",
            Metric::DetectSelfConfidenceF1 => "detection by self-confidence: F1",
            Metric::DetectSelfConfidenceAuroc => "detection by self-confidence: AUROC",
            Metric::DetectSelfConfidenceAp => "detection by self-confidence: average precision",
            Metric::DetectLossPrecision => "detection by loss: precision",
            Metric::DetectLossRecall => "detection by loss: recall",
            Metric::DetectLossF1 => "detection by loss: F1",
            Metric::DetectLossAuroc => "detection by loss: AUROC",
            Metric::DetectLossAp => "detection by loss: average precision",
            Metric::DetectConfidentLearningPrecision => {
                "detection by confident learning: precision"
            }
            Metric::DetectConfidentLearningRecall => "detection by confident learning: recall",
            Metric::DetectConfidentLearningF1 => "detection by confident learning: F1",
            Metric::DetectConfidentLearningAuroc => "detection by confident learning: AUROC",
            Metric::DetectConfidentLearningAp => {
                "detection by confident learning: average precision"
            }
        }
    }

    /// The axis title: words and unit (`CE on clean samples (nats)`).
    pub fn title(self) -> String {
        match self.unit() {
            Some(u) if !self.human().contains(u) => format!("{} ({u})", self.human()),
            _ => self.human().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_titles_are_words_with_units() {
        assert_eq!(Axis::NOISE_RATE.title(), "noise rate");
        assert_eq!(Axis::EPSILON.title(), "label smoothing ε");
        assert_eq!(
            Axis::new(Section::Dataset, "train").title(),
            "training samples"
        );
        assert_eq!(
            Axis::new(Section::Model, "batch_size").title(),
            "batch size (samples)"
        );
        assert_eq!(Metric::TestAccuracy.title(), "test accuracy");
        assert_eq!(Metric::TrainLossClean.title(), "CE on clean samples (nats)");
        for m in Metric::ALL {
            assert!(!m.title().contains('_'), "{m:?}");
        }
    }
}
