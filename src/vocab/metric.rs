//! `Metric`: every per-run metric with its name, definition, unit and which direction is better.
//!
//! The names are a public contract: CSV columns, JSON keys of `runs.jsonl` and `summary.json`, and
//! `--metrics` use them as is. [`Metric::ALL`] is the table order (README's metric table is
//! [`markdown_table`]); [`Metrics`] holds one run's values and writes them as a JSON object with
//! the keys in alphabetical order, as a name-keyed map always did.

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::OnceLock;

/// One per-run metric. The variant order is the table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    TestAccuracy,
    TestNll,
    TestBrier,
    TestEce,
    TestMce,
    TestEcePos,
    TrainLossCorrupted,
    TrainLossClean,
    TrainLossCorruptedTrue,
    Memorized,
    Recovered,
    TrainAccuracyObserved,
    WeightNorm,
    LogitGap,
    LogitGapFreeOptimum,
    Flipped,
    FlipRate,
    Iterations,
    Evaluations,
    GradMax,
    Objective,
    NoFiniteOptimum,
    Converged,
    StoppedEpoch,
    BestEpoch,
    ValidationLoss,
    ValidationSize,
    MatrixErrorFrobenius,
    MatrixErrorMax,
    DetectEstimatedErrors,
    DetectSelfConfidencePrecision,
    DetectSelfConfidenceRecall,
    DetectSelfConfidenceF1,
    DetectSelfConfidenceAuroc,
    DetectSelfConfidenceAp,
    DetectLossPrecision,
    DetectLossRecall,
    DetectLossF1,
    DetectLossAuroc,
    DetectLossAp,
    DetectConfidentLearningPrecision,
    DetectConfidentLearningRecall,
    DetectConfidentLearningF1,
    DetectConfidentLearningAuroc,
    DetectConfidentLearningAp,
}

/// Which way a metric improves (for ranking and for reading a paired difference).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// A diagnostic: neither direction is better in itself.
    Neither,
}

/// Everything said about one metric, in one row.
struct Info {
    name: &'static str,
    /// Short column header of the report's tables (the legend spells it out); `None`: the name.
    label: Option<&'static str>,
    definition: &'static str,
    unit: Option<&'static str>,
    better: Better,
    /// Defined only when some training label was corrupted.
    needs_corruption: bool,
}

const fn info(
    name: &'static str,
    label: Option<&'static str>,
    unit: Option<&'static str>,
    better: Better,
    needs_corruption: bool,
    definition: &'static str,
) -> Info {
    Info {
        name,
        label,
        definition,
        unit,
        better,
        needs_corruption,
    }
}

const NATS: Option<&str> = Some("nats");
const SAMPLES: Option<&str> = Some("samples");
const EPOCHS: Option<&str> = Some("epochs");
use Better::{Higher, Lower, Neither};

/// Row `i` describes the variant with discriminant `i` (checked by a test).
#[rustfmt::skip]
const TABLE: [Info; Metric::COUNT] = [
    info("test_accuracy", Some("acc"), None, Higher, false,
        "fraction of clean test samples whose top-1 class is the true class"),
    info("test_nll", Some("nll"), NATS, Lower, false,
        "mean −log p(true class) on the test split"),
    info("test_brier", Some("brier"), None, Lower, false,
        "mean over test samples of Σₖ (pₖ − yₖ)²"),
    info("test_ece", Some("ece"), None, Lower, false,
        "expected calibration error, top-1 confidence, equal-width bins (lo, hi] (Guo et al. 2017)"),
    info("test_mce", Some("mce"), None, Lower, false,
        "maximum calibration error over non-empty bins"),
    info("test_ece_pos", Some("ece_pos"), None, Lower, false,
        "binary only: ECE of P(y = 1) against the frequency of class 1"),
    // Higher: a high loss on the wrong labels means they were not fitted.
    info("train_loss_corrupted", Some("loss_corr"), NATS, Higher, true,
        "mean CE against the observed (wrong) label on corrupted training samples"),
    info("train_loss_clean", Some("loss_clean"), NATS, Neither, false,
        "mean CE against the observed label on clean training samples"),
    info("train_loss_corrupted_true", Some("loss_corr_true"), NATS, Lower, true,
        "mean CE against the true label on corrupted training samples"),
    info("memorized", None, None, Lower, true,
        "fraction of corrupted training samples predicted as their observed label"),
    info("recovered", None, None, Higher, true,
        "fraction of corrupted training samples predicted as their true label"),
    info("train_accuracy_observed", Some("train_acc"), None, Neither, false,
        "fraction of training samples predicted as their observed label"),
    info("weight_norm", Some("|W|"), None, Neither, false,
        "Frobenius norm of the weights, intercept excluded"),
    info("logit_gap", Some("gap"), Some("logits"), Neither, false,
        "mean over training samples of top-1 minus top-2 logit"),
    info("logit_gap_free_optimum", Some("gap_opt"), Some("logits"), Neither, false,
        "free-logit optimum of one sample's gap under smoothing, log(on/off target): uniform log(1 + K(1−ε)/ε), binary log((2−ε)/ε), others log((K−1)(1−ε)/ε); a reference, not a bound on a linear model's mean gap (fits can exceed it)"),
    info("flipped", None, SAMPLES, Neither, false,
        "realized number of corrupted training labels"),
    info("flip_rate", None, None, Neither, false,
        "realized fraction of corrupted training labels"),
    info("iterations", None, None, Neither, false,
        "optimizer iterations (epochs for mini-batch optimizers)"),
    info("evaluations", None, None, Neither, false,
        "objective-and-gradient evaluations"),
    info("grad_max", None, None, Neither, false,
        "max |∂F/∂θ| at the end (full batch)"),
    info("objective", None, None, Neither, false,
        "final objective F = mean loss + (l2/2)‖W‖²"),
    info("no_finite_optimum", None, None, Neither, false,
        "1 when hard targets, l2 = 0 and a perfect fit of the observed labels leave the objective without a finite minimizer (weights grow without bound)"),
    info("converged", None, None, Neither, false,
        "1 if the gradient tolerance was met (or the mini-batch schedule ended), else 0"),
    info("stopped_epoch", None, EPOCHS, Neither, false,
        "early stopping: last epoch trained (= epochs if patience never ran out)"),
    info("best_epoch", None, EPOCHS, Neither, false,
        "early stopping: epoch with the lowest held-out noisy-label CE; its weights are the model's"),
    info("validation_loss", None, NATS, Lower, false,
        "early stopping: that lowest mean CE of the held-out samples against their noisy labels"),
    info("validation_size", None, SAMPLES, Neither, false,
        "early stopping: training samples held out (not trained on)"),
    info("matrix_error_frobenius", None, None, Lower, false,
        "matrix = \"estimated\": ‖T̂ − T‖_F, T the realized transition matrix (row-normalized counts of true i observed as j)"),
    info("matrix_error_max", None, None, Lower, false,
        "matrix = \"estimated\": largest absolute entry of T̂ − T"),
    info("detect_estimated_errors", None, SAMPLES, Neither, false,
        "[detection]: m̂, the off-diagonal sum of the calibrated confident joint of the run's out-of-sample probabilities (cleanlab's off_diagonal_calibrated count); ranking scores flag their top m̂"),
    info("detect_self_confidence_precision", None, None, Higher, false,
        "[detection] self_confidence (score 1 − p(observed label), out of sample): precision of the flagged set against the truly flipped labels"),
    info("detect_self_confidence_recall", None, None, Higher, false,
        "[detection] self_confidence (score 1 − p(observed label), out of sample): recall of the flagged set"),
    info("detect_self_confidence_f1", None, None, Higher, false,
        "[detection] self_confidence (score 1 − p(observed label), out of sample): F1 of the flagged set"),
    info("detect_self_confidence_auroc", None, None, Higher, false,
        "[detection] self_confidence (score 1 − p(observed label), out of sample): AUROC against the flipped set, ties ½"),
    info("detect_self_confidence_ap", None, None, Higher, false,
        "[detection] self_confidence (score 1 − p(observed label), out of sample): average precision against the flipped set (scikit-learn's definition)"),
    info("detect_loss_precision", None, None, Higher, false,
        "[detection] loss (score: in-sample CE of the run's model against the observed label): precision of the flagged set against the truly flipped labels"),
    info("detect_loss_recall", None, None, Higher, false,
        "[detection] loss (score: in-sample CE of the run's model against the observed label): recall of the flagged set"),
    info("detect_loss_f1", None, None, Higher, false,
        "[detection] loss (score: in-sample CE of the run's model against the observed label): F1 of the flagged set"),
    info("detect_loss_auroc", None, None, Higher, false,
        "[detection] loss (score: in-sample CE of the run's model against the observed label): AUROC against the flipped set, ties ½"),
    info("detect_loss_ap", None, None, Higher, false,
        "[detection] loss (score: in-sample CE of the run's model against the observed label): average precision against the flipped set (scikit-learn's definition)"),
    info("detect_confident_learning_precision", None, None, Higher, false,
        "[detection] confident_learning (cleanlab's prune-by-noise-rate set; AUROC and AP of its 0/1 flag): precision of the flagged set against the truly flipped labels"),
    info("detect_confident_learning_recall", None, None, Higher, false,
        "[detection] confident_learning (cleanlab's prune-by-noise-rate set; AUROC and AP of its 0/1 flag): recall of the flagged set"),
    info("detect_confident_learning_f1", None, None, Higher, false,
        "[detection] confident_learning (cleanlab's prune-by-noise-rate set; AUROC and AP of its 0/1 flag): F1 of the flagged set"),
    info("detect_confident_learning_auroc", None, None, Higher, false,
        "[detection] confident_learning (cleanlab's prune-by-noise-rate set; AUROC and AP of its 0/1 flag): AUROC against the flipped set, ties ½"),
    info("detect_confident_learning_ap", None, None, Higher, false,
        "[detection] confident_learning (cleanlab's prune-by-noise-rate set; AUROC and AP of its 0/1 flag): average precision against the flipped set (scikit-learn's definition)"),
];

impl Metric {
    pub const COUNT: usize = 45;

    /// Every metric in table order.
    pub const ALL: [Metric; Metric::COUNT] = [
        Metric::TestAccuracy,
        Metric::TestNll,
        Metric::TestBrier,
        Metric::TestEce,
        Metric::TestMce,
        Metric::TestEcePos,
        Metric::TrainLossCorrupted,
        Metric::TrainLossClean,
        Metric::TrainLossCorruptedTrue,
        Metric::Memorized,
        Metric::Recovered,
        Metric::TrainAccuracyObserved,
        Metric::WeightNorm,
        Metric::LogitGap,
        Metric::LogitGapFreeOptimum,
        Metric::Flipped,
        Metric::FlipRate,
        Metric::Iterations,
        Metric::Evaluations,
        Metric::GradMax,
        Metric::Objective,
        Metric::NoFiniteOptimum,
        Metric::Converged,
        Metric::StoppedEpoch,
        Metric::BestEpoch,
        Metric::ValidationLoss,
        Metric::ValidationSize,
        Metric::MatrixErrorFrobenius,
        Metric::MatrixErrorMax,
        Metric::DetectEstimatedErrors,
        Metric::DetectSelfConfidencePrecision,
        Metric::DetectSelfConfidenceRecall,
        Metric::DetectSelfConfidenceF1,
        Metric::DetectSelfConfidenceAuroc,
        Metric::DetectSelfConfidenceAp,
        Metric::DetectLossPrecision,
        Metric::DetectLossRecall,
        Metric::DetectLossF1,
        Metric::DetectLossAuroc,
        Metric::DetectLossAp,
        Metric::DetectConfidentLearningPrecision,
        Metric::DetectConfidentLearningRecall,
        Metric::DetectConfidentLearningF1,
        Metric::DetectConfidentLearningAuroc,
        Metric::DetectConfidentLearningAp,
    ];

    const fn info(self) -> &'static Info {
        &TABLE[self as usize]
    }

    /// The public name: CSV column, JSON key, `--metrics` value.
    pub const fn name(self) -> &'static str {
        self.info().name
    }

    /// One-line definition (README's metric table).
    pub const fn definition(self) -> &'static str {
        self.info().definition
    }

    /// Unit of the value, when it has one (fractions and counts of steps have none).
    pub const fn unit(self) -> Option<&'static str> {
        self.info().unit
    }

    pub const fn better(self) -> Better {
        self.info().better
    }

    /// Whether the metric exists only when some training label was corrupted (it is absent from
    /// runs at noise rate 0).
    pub const fn needs_corruption(self) -> bool {
        self.info().needs_corruption
    }

    /// Short column header of the report's tables (`acc`, `|W|`, …); the name when it has none.
    pub const fn label(self) -> &'static str {
        match self.info().label {
            Some(l) => l,
            None => self.name(),
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// A metric by its name or by a name it had in older `runs.jsonl` files (read, never written).
    fn from_stored_name(name: &str) -> Option<Metric> {
        Metric::from_name(name).or_else(|| {
            FORMER_NAMES
                .iter()
                .find(|(former, _)| *former == name)
                .map(|&(_, m)| m)
        })
    }

    /// Every metric ordered by name: the key order of a serialized [`Metrics`].
    pub fn by_name() -> &'static [Metric; Metric::COUNT] {
        static ORDER: OnceLock<[Metric; Metric::COUNT]> = OnceLock::new();
        ORDER.get_or_init(|| {
            let mut all = Metric::ALL;
            all.sort_by_key(|m| m.name());
            all
        })
    }
}

/// Names metrics had in older versions, so their `runs.jsonl` stay readable: `logit_gap_cap` was
/// renamed because the value is the optimum of a sample's gap with free logits, not a cap on a
/// linear model's mean gap.
const FORMER_NAMES: &[(&str, Metric)] = &[("logit_gap_cap", Metric::LogitGapFreeOptimum)];

/// README's metric table: `| metric | definition |`, one row per metric in table order.
pub fn markdown_table() -> String {
    let mut out = String::from("| metric | definition |\n| --- | --- |\n");
    for m in Metric::ALL {
        out.push_str(&format!("| `{}` | {} |\n", m.name(), m.definition()));
    }
    out
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Metric::from_name(&name).ok_or_else(|| de::Error::custom(unknown(&name)))
    }
}

/// Reads a number that serde_json may have written as `null`: it writes NaN and ±∞ (a diverged
/// fit) that way, so `null` reads back as NaN and such a record stays readable. For
/// `#[serde(deserialize_with = "…")]` on every `f64` a fit can make non-finite.
pub fn nan_if_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// A metric value as read: a number, or `null` for a non-finite one (see [`nan_if_null`]).
struct Value(f64);

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        nan_if_null(d).map(Value)
    }
}

fn unknown(name: &str) -> String {
    format!("unknown metric `{name}`")
}

/// One run's metric values; absent metrics (e.g. `test_ece_pos` for K > 2) are not stored.
#[derive(Clone, Copy, PartialEq)]
pub struct Metrics {
    values: [Option<f64>; Metric::COUNT],
}

// Derived `Default` stops at arrays of 32.
impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            values: [None; Metric::COUNT],
        }
    }
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, m: Metric) -> Option<f64> {
        self.values[m as usize]
    }

    pub fn contains(&self, m: Metric) -> bool {
        self.get(m).is_some()
    }

    /// Sets a value, replacing any earlier one.
    pub fn insert(&mut self, m: Metric, value: f64) {
        self.values[m as usize] = Some(value);
    }

    /// The present metrics with their values, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (Metric, f64)> + '_ {
        Metric::ALL
            .into_iter()
            .filter_map(|m| self.get(m).map(|v| (m, v)))
    }

    pub fn len(&self) -> usize {
        self.values.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for &m in Metric::by_name() {
            if let Some(v) = self.get(m) {
                map.serialize_entry(m.name(), &v)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Metrics {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MetricsVisitor;
        impl<'de> Visitor<'de> for MetricsVisitor {
            type Value = Metrics;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of metric name → number")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Metrics, A::Error> {
                let mut out = Metrics::new();
                while let Some((name, Value(value))) = map.next_entry::<String, Value>()? {
                    let m = Metric::from_stored_name(&name)
                        .ok_or_else(|| de::Error::custom(unknown(&name)))?;
                    out.insert(m, value);
                }
                Ok(out)
            }
        }
        d.deserialize_map(MetricsVisitor)
    }
}

#[cfg(test)]
mod tests;
