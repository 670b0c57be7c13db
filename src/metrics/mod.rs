//! Per-run metrics: computes the values that [`Metric`] defines (names, definitions, units).

pub mod calibration;
mod train_scores;

pub use calibration::ReliabilityBin;

use crate::data::Dataset;
use crate::noise::NoisyLabels;
use crate::train::FittedModel;
pub use crate::vocab::metric::{Metric, Metrics};
use ndarray::ArrayView2;

/// Evaluation metrics of a fitted model on a dataset with its noisy training labels.
pub fn evaluate(
    model: &FittedModel,
    data: &Dataset,
    noisy: &NoisyLabels,
    free_logit_gap_optimum: Option<f64>,
    ece_bins: usize,
) -> Metrics {
    evaluate_with_bins(model, data, noisy, free_logit_gap_optimum, ece_bins).0
}

/// [`evaluate`], and the reliability bins of the test split that give `test_ece` and `test_mce`
/// (those of [`test_reliability`], without scoring the test split twice).
pub fn evaluate_with_bins(
    model: &FittedModel,
    data: &Dataset,
    noisy: &NoisyLabels,
    free_logit_gap_optimum: Option<f64>,
    ece_bins: usize,
) -> (Metrics, Vec<ReliabilityBin>) {
    let mut m = Metrics::new();
    let y = &data.y_test;
    let (test_p, lp_label) = train_scores::proba_by_blocks(model, data.x_test.view(), y);
    // The sum of `mean_ce`, in row order.
    let nll = lp_label.iter().fold(0.0, |sum, lp| sum - lp) / y.len().max(1) as f64;
    drop(lp_label);
    m.insert(Metric::TestAccuracy, accuracy(test_p.view(), y));
    m.insert(Metric::TestNll, nll);
    m.insert(Metric::TestBrier, calibration::brier(test_p.view(), y));
    let bins = calibration::reliability(test_p.view(), y, ece_bins);
    let (ece, mce) = calibration::ece_mce_of(&bins);
    m.insert(Metric::TestEce, ece);
    m.insert(Metric::TestMce, mce);
    if data.classes == 2 {
        m.insert(
            Metric::TestEcePos,
            calibration::ece_positive(test_p.view(), y, ece_bins),
        );
    }

    // The test split's arrays are freed before the training split is scored, a block at a time.
    drop(test_p);
    let t = train_scores::train_scores(model, data.x_train.view(), noisy, &data.y_train);
    let n = noisy.observed.len().max(1) as f64;
    if noisy.realized.flipped > 0 {
        let nc = noisy.realized.flipped as f64;
        m.insert(
            Metric::TrainLossCorrupted,
            t.corrupted_ce_observed / t.corrupted.max(1) as f64,
        );
        m.insert(
            Metric::TrainLossCorruptedTrue,
            t.corrupted_ce_true / t.corrupted.max(1) as f64,
        );
        m.insert(Metric::Memorized, t.memorized as f64 / nc);
        m.insert(Metric::Recovered, t.recovered as f64 / nc);
    }
    if noisy.realized.flipped < noisy.observed.len() {
        m.insert(Metric::TrainLossClean, t.clean_ce / t.clean.max(1) as f64);
    }
    m.insert(Metric::TrainAccuracyObserved, t.correct as f64 / n);
    m.insert(Metric::WeightNorm, model.weight_norm());
    m.insert(Metric::LogitGap, t.gap / n);
    if let Some(optimum) = free_logit_gap_optimum {
        m.insert(Metric::LogitGapFreeOptimum, optimum);
    }
    m.insert(Metric::Flipped, noisy.realized.flipped as f64);
    m.insert(Metric::FlipRate, noisy.realized.rate);
    (m, bins)
}

/// Reliability-diagram bins of the model's top-1 confidence on the test split (the bins that give
/// `test_ece` and `test_mce`), stored per run so diagrams can be redrawn from `runs.jsonl`.
pub fn test_reliability(
    model: &FittedModel,
    data: &Dataset,
    ece_bins: usize,
) -> Vec<ReliabilityBin> {
    let (p, _) = train_scores::proba_by_blocks(model, data.x_test.view(), &data.y_test);
    calibration::reliability(p.view(), &data.y_test, ece_bins)
}

/// Top-1 class of each row.
pub fn predictions(scores: ArrayView2<'_, f64>) -> Vec<usize> {
    scores
        .rows()
        .into_iter()
        .map(|r| calibration::argmax(r.iter()).0)
        .collect()
}

/// Fraction of rows whose top-1 class equals the label (scores may be p, log p or logits).
pub fn accuracy(scores: ArrayView2<'_, f64>, labels: &[usize]) -> f64 {
    let pred = predictions(scores);
    pred.iter().zip(labels).filter(|(a, b)| a == b).count() as f64 / labels.len().max(1) as f64
}

/// Mean −log p(label) over the rows selected by `keep`.
pub fn mean_ce(logp: ArrayView2<'_, f64>, labels: &[usize], keep: impl Fn(usize) -> bool) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for (i, &y) in labels.iter().enumerate() {
        if keep(i) {
            sum -= logp[[i, y]];
            n += 1;
        }
    }
    sum / n.max(1) as f64
}

/// Mean over rows of the largest minus the second-largest logit.
pub fn mean_logit_gap(logits: ArrayView2<'_, f64>) -> f64 {
    let n = logits.nrows().max(1) as f64;
    logits.rows().into_iter().map(logit_gap).sum::<f64>() / n
}

/// The largest minus the second-largest logit of one row.
fn logit_gap(row: ndarray::ArrayView1<'_, f64>) -> f64 {
    let (mut a, mut b) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &v in row {
        if v > a {
            b = a;
            a = v;
        } else if v > b {
            b = v;
        }
    }
    a - b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::RealizedNoise;
    use crate::scenario::spec::ModelKind;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn nll_by_hand() {
        let logp = array![[0.5f64, 0.25, 0.25], [0.125, 0.75, 0.125]].mapv(f64::ln);
        let nll = mean_ce(logp.view(), &[0, 1], |_| true);
        assert_abs_diff_eq!(nll, -(0.5f64.ln() + 0.75f64.ln()) / 2.0, epsilon = 1e-15);
        assert_abs_diff_eq!(
            mean_ce(logp.view(), &[0, 1], |i| i == 1),
            -0.75f64.ln(),
            epsilon = 1e-15
        );
    }

    #[test]
    fn logit_gap_is_top1_minus_top2() {
        let z = array![[3.0, 1.0, 2.5], [0.0, -1.0, -4.0]];
        assert_abs_diff_eq!(mean_logit_gap(z.view()), (0.5 + 1.0) / 2.0, epsilon = 1e-15);
    }

    /// A hand-built softmax model with logits (0, 2x) on one feature: x = 1 predicts class 1 with
    /// p = σ(2), x = −1 predicts class 0. Every number below follows from L = ln(1 + e⁻²), the CE of
    /// a sample on the predicted side; the other side costs 2 + L.
    // Over 80 lines on purpose: one worked example read top to bottom.
    #[test]
    fn evaluate_by_hand() {
        let model = FittedModel {
            kind: ModelKind::Softmax,
            classes: 2,
            weights: array![[0.0, 2.0]],
            bias: array![0.0, 0.0],
        };
        let data = Dataset {
            x_train: array![[1.0], [-1.0], [1.0], [-1.0], [1.0]],
            y_train: vec![1, 0, 0, 1, 1],
            x_test: array![[1.0], [-1.0], [2.0]].into(),
            y_test: vec![1, 1, 1],
            classes: 2,
            class_names: vec!["0".into(), "1".into()],
            feature_names: vec!["x".into()],
        };
        // Samples 2, 3, 4 are corrupted. Predictions: 1, 0, 1, 0, 1.
        let noisy = NoisyLabels {
            observed: vec![1, 0, 1, 0, 0],
            corrupted: vec![false, false, true, true, true],
            expected_rate: 0.6,
            realized: RealizedNoise {
                flipped: 3,
                rate: 0.6,
                transitions: vec![vec![1, 1], vec![2, 1]],
                flipped_ids: vec![2, 3, 4],
            },
        };
        let m = evaluate(&model, &data, &noisy, Some(1.5), 15);
        let l = (1.0 + (-2.0f64).exp()).ln();
        let eps = 1e-12;
        // Corrupted: 2 (predicted = observed), 3 (predicted = observed), 4 (predicted = true).
        assert_abs_diff_eq!(m.get(Metric::Memorized).unwrap(), 2.0 / 3.0, epsilon = eps);
        assert_abs_diff_eq!(m.get(Metric::Recovered).unwrap(), 1.0 / 3.0, epsilon = eps);
        assert_abs_diff_eq!(
            m.get(Metric::TrainLossCorrupted).unwrap(),
            (l + l + (2.0 + l)) / 3.0,
            epsilon = eps
        );
        assert_abs_diff_eq!(
            m.get(Metric::TrainLossCorruptedTrue).unwrap(),
            ((2.0 + l) + (2.0 + l) + l) / 3.0,
            epsilon = eps
        );
        assert_abs_diff_eq!(m.get(Metric::TrainLossClean).unwrap(), l, epsilon = eps);
        assert_abs_diff_eq!(
            m.get(Metric::TrainAccuracyObserved).unwrap(),
            4.0 / 5.0,
            epsilon = eps
        );
        assert_abs_diff_eq!(m.get(Metric::WeightNorm).unwrap(), 2.0, epsilon = eps);
        assert_abs_diff_eq!(m.get(Metric::LogitGap).unwrap(), 2.0, epsilon = eps);
        assert_eq!(m.get(Metric::LogitGapFreeOptimum).unwrap(), 1.5);
        assert_eq!(
            (
                m.get(Metric::Flipped).unwrap(),
                m.get(Metric::FlipRate).unwrap()
            ),
            (3.0, 0.6)
        );
        // Test: x = 1 (right, L), x = −1 (wrong, 2 + L), x = 2 (right, ln(1 + e⁻⁴)).
        assert_abs_diff_eq!(
            m.get(Metric::TestAccuracy).unwrap(),
            2.0 / 3.0,
            epsilon = eps
        );
        let l4 = (1.0 + (-4.0f64).exp()).ln();
        assert_abs_diff_eq!(
            m.get(Metric::TestNll).unwrap(),
            (l + 2.0 + l + l4) / 3.0,
            epsilon = eps
        );
        // Top-1 confidences σ(2), σ(2), σ(4) fall in 15 bins at (13/15, 14/15] and (14/15, 1].
        let (s2, s4) = (1.0 / (1.0 + (-2.0f64).exp()), 1.0 / (1.0 + (-4.0f64).exp()));
        assert_abs_diff_eq!(
            m.get(Metric::TestEce).unwrap(),
            (2.0 * (s2 - 0.5) + (1.0 - s4)) / 3.0,
            epsilon = eps
        );
        assert_abs_diff_eq!(m.get(Metric::TestMce).unwrap(), s2 - 0.5, epsilon = eps);
        // Brier: (1 − σ(2))²·2 for x = 1, σ(2)²·2 for x = −1, (1 − σ(4))²·2 for x = 2.
        let brier = 2.0 * ((1.0 - s2).powi(2) + s2.powi(2) + (1.0 - s4).powi(2)) / 3.0;
        assert_abs_diff_eq!(m.get(Metric::TestBrier).unwrap(), brier, epsilon = eps);
        assert!(m.contains(Metric::TestEcePos));
        assert!(Metric::ALL
            .into_iter()
            .filter(|k| k.needs_corruption())
            .all(|k| m.contains(k)));
        let bins = test_reliability(&model, &data, 15);
        assert_eq!(bins.iter().map(|b| b.count).collect::<Vec<_>>(), vec![2, 1]);
    }

    /// 8,300 test and 8,500 training rows (five blocks each): every metric and bin has the same
    /// bits on one thread and on two, and the test figures are those of the whole-matrix formulas.
    #[test]
    fn metrics_are_the_same_bits_on_any_thread_count_and_match_the_direct_formulas() {
        use rand::Rng as _;
        let (d, k) = (6, 4);
        let mut rng = crate::rng::derive("metrics-threads", 0, &[]);
        let mut x = |n| ndarray::Array2::from_shape_fn((n, d), |_| rng.gen_range(-2.0..2.0));
        let (x_train, x_test) = (x(8_500), x(8_300));
        let theta: Vec<f64> = (0..(d + 1) * k).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let model = FittedModel::from_theta(ModelKind::Softmax, k, d, &theta);
        let mut labels = |n| (0..n).map(|_| rng.gen_range(0..k)).collect::<Vec<_>>();
        let (y_train, y_test) = (labels(8_500), labels(8_300));
        let observed: Vec<usize> = y_train.iter().map(|&c| (c + c % 2) % k).collect();
        let noisy = NoisyLabels::from_labels(&y_train, observed, k);
        let data = Dataset {
            x_train,
            y_train,
            x_test: x_test.into(),
            y_test,
            classes: k,
            class_names: (0..k).map(|c| c.to_string()).collect(),
            feature_names: (0..d).map(|j| j.to_string()).collect(),
        };
        let on = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| evaluate_with_bins(&model, &data, &noisy, None, 15))
        };
        let ((one, bins_one), (two, bins_two)) = (on(1), on(2));
        let bits = |m: &Metrics| {
            Metric::ALL
                .into_iter()
                .map(|k| m.get(k).map(f64::to_bits))
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&one), bits(&two));
        assert_eq!(bins_one, bins_two);
        // Direct: one product for the whole test split, then the whole-matrix formulas.
        let logits = data.x_test.dot(&model.weights) + &model.bias;
        let logp = crate::train::model::log_proba(&logits);
        let p = logp.mapv(f64::exp);
        let y = &data.y_test;
        let same = |metric, v: f64| assert_eq!(one.get(metric).unwrap().to_bits(), v.to_bits());
        same(Metric::TestNll, mean_ce(logp.view(), y, |_| true));
        same(Metric::TestAccuracy, accuracy(p.view(), y));
        same(Metric::TestBrier, calibration::brier(p.view(), y));
        let (ece, mce) = calibration::ece_mce(p.view(), y, 15);
        same(Metric::TestEce, ece);
        same(Metric::TestMce, mce);
        assert_eq!(bins_one, calibration::reliability(p.view(), y, 15));
        let train_logp =
            crate::train::model::log_proba(&(data.x_train.dot(&model.weights) + &model.bias));
        same(
            Metric::TrainAccuracyObserved,
            accuracy(train_logp.view(), &noisy.observed),
        );
    }

    #[test]
    fn clean_labels_have_no_corrupted_metrics() {
        let model = FittedModel {
            kind: ModelKind::Logistic,
            classes: 2,
            weights: array![[1.0]],
            bias: array![0.0],
        };
        let data = Dataset {
            x_train: array![[1.0], [-1.0]],
            y_train: vec![1, 0],
            x_test: array![[1.0]].into(),
            y_test: vec![1],
            classes: 2,
            class_names: vec!["0".into(), "1".into()],
            feature_names: vec!["x".into()],
        };
        let noisy = NoisyLabels {
            observed: vec![1, 0],
            corrupted: vec![false, false],
            expected_rate: 0.0,
            realized: RealizedNoise {
                flipped: 0,
                rate: 0.0,
                transitions: vec![vec![1, 0], vec![0, 1]],
                flipped_ids: vec![],
            },
        };
        let m = evaluate(&model, &data, &noisy, None, 15);
        // Nothing corrupted: no metric that needs corrupted samples, and no free-logit optimum without smoothing.
        for k in Metric::ALL.into_iter().filter(|k| k.needs_corruption()) {
            assert!(!m.contains(k), "{k}");
        }
        assert!(!m.contains(Metric::LogitGapFreeOptimum));
        // A logistic model's logits are (0, z): the gap is |z| = 1.
        assert_abs_diff_eq!(m.get(Metric::LogitGap).unwrap(), 1.0, epsilon = 1e-15);
        assert_abs_diff_eq!(
            m.get(Metric::TrainLossClean).unwrap(),
            (1.0 + (-1.0f64).exp()).ln(),
            epsilon = 1e-15
        );
    }
}
