//! The training split's metrics, scored a block of rows at a time: the n × K logits and log-
//! probabilities are never held whole (50,000 × 100 would be 40 MB each, a fifth of the features
//! of a 512-feature set). Every sum still adds the rows in order, so the figures are the bits the
//! whole-matrix formulas ([`super::mean_ce`], [`super::accuracy`], [`super::mean_logit_gap`]) give.
//! The test split's log-probabilities are made likewise, one n × K array instead of two.
//!
//! Threads: the blocks are a fixed partition of the rows (every `BLOCK_ROWS`, whatever the thread
//! count) scored as tasks on rayon's pool. A block yields only per-row values (rows are
//! independent), and every sum then runs over the rows in order on one thread: the figures are
//! the same bits on any number of threads.

use super::{calibration, logit_gap};
use crate::noise::NoisyLabels;
use crate::train::model::log_proba;
use crate::train::FittedModel;
use ndarray::{s, Array2, ArrayView2};
use rayon::prelude::*;

/// Rows scored at once: 2,048 × K logits, small next to the features.
const BLOCK_ROWS: usize = 2048;

/// Sums over the training rows, in row order.
#[derive(Debug, PartialEq)]
pub struct TrainScores {
    /// −Σ log p(observed) and −Σ log p(true) over the corrupted rows, and their count.
    pub corrupted_ce_observed: f64,
    pub corrupted_ce_true: f64,
    pub corrupted: usize,
    /// −Σ log p(observed) over the clean rows, and their count.
    pub clean_ce: f64,
    pub clean: usize,
    /// Corrupted rows predicted as their observed label (memorized) and as their true one.
    pub memorized: usize,
    pub recovered: usize,
    /// Rows predicted as their observed label.
    pub correct: usize,
    /// Σ (top-1 − top-2 logit).
    pub gap: f64,
}

/// Scores the model on `x` (the training rows) against the noisy labels and the true ones.
pub fn train_scores(
    model: &FittedModel,
    x: ArrayView2<'_, f64>,
    noisy: &NoisyLabels,
    truth: &[usize],
) -> TrainScores {
    let mut t = TrainScores {
        corrupted_ce_observed: 0.0,
        corrupted_ce_true: 0.0,
        corrupted: 0,
        clean_ce: 0.0,
        clean: 0,
        memorized: 0,
        recovered: 0,
        correct: 0,
        // As `Iterator::sum` starts.
        gap: -0.0,
    };
    let obs = &noisy.observed;
    let blocks: Vec<Vec<RowScore>> = blocks(x.nrows())
        .map(|(start, end)| {
            let logits = model.logits(x.slice(s![start..end, ..]));
            let logp = log_proba(&logits);
            (start..end)
                .enumerate()
                .map(|(r, i)| {
                    let lp = logp.row(r);
                    RowScore {
                        gap: logit_gap(logits.row(r)),
                        pred: calibration::argmax(lp.iter()).0,
                        lp_observed: lp[obs[i]],
                        lp_true: lp[truth[i]],
                    }
                })
                .collect()
        })
        .collect();
    for (i, r) in blocks.iter().flatten().enumerate() {
        t.gap += r.gap;
        t.correct += usize::from(r.pred == obs[i]);
        if noisy.corrupted[i] {
            t.corrupted_ce_observed -= r.lp_observed;
            t.corrupted_ce_true -= r.lp_true;
            t.corrupted += 1;
            t.memorized += usize::from(r.pred == obs[i]);
            t.recovered += usize::from(r.pred == truth[i]);
        } else {
            t.clean_ce -= r.lp_observed;
            t.clean += 1;
        }
    }
    t
}

/// What the sums of [`train_scores`] need of one row.
struct RowScore {
    gap: f64,
    pred: usize,
    lp_observed: f64,
    lp_true: f64,
}

/// The fixed partition: (start, end) of each block of `n` rows, as a parallel iterator whose
/// `collect` keeps block order.
fn blocks(n: usize) -> impl IndexedParallelIterator<Item = (usize, usize)> {
    (0..n.div_ceil(BLOCK_ROWS))
        .into_par_iter()
        .map(move |b| (b * BLOCK_ROWS, ((b + 1) * BLOCK_ROWS).min(n)))
}

/// The test split's probabilities (n × K, row-wise softmax of the model's logits on `x`) and each
/// row's log-probability of its label, made a block at a time on the pool: the same bits as
/// `log_proba(&model.logits(x))` and its `exp`, with one n × K array instead of two.
pub fn proba_by_blocks(
    model: &FittedModel,
    x: ArrayView2<'_, f64>,
    labels: &[usize],
) -> (Array2<f64>, Vec<f64>) {
    let k = model.classes;
    let mut out = Array2::zeros((x.nrows(), k));
    let mut lp_label = vec![0.0; x.nrows()];
    let rows = out.as_slice_mut().expect("a new array is contiguous");
    rows.par_chunks_mut(BLOCK_ROWS * k)
        .zip(lp_label.par_chunks_mut(BLOCK_ROWS))
        .zip(blocks(x.nrows()))
        .for_each(|((p, lp_y), (start, end))| {
            let logp = log_proba(&model.logits(x.slice(s![start..end, ..])));
            for (r, i) in (start..end).enumerate() {
                lp_y[r] = logp[[r, labels[i]]];
            }
            p.iter_mut()
                .zip(logp.iter())
                .for_each(|(p, lp)| *p = lp.exp());
        });
    (out, lp_label)
}

#[cfg(test)]
mod tests {
    use super::super::{accuracy, mean_ce, mean_logit_gap, predictions};
    use super::*;
    use crate::scenario::spec::ModelKind;
    use rand::Rng as _;

    /// Blocks of rows give the whole-matrix formulas' bits (five blocks, the last one partial,
    /// scored on two threads).
    #[test]
    fn blocks_give_the_whole_matrix_bits() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(blocks_and_whole_matrix_agree);
    }

    fn blocks_and_whole_matrix_agree() {
        let (n, d, k) = (4 * BLOCK_ROWS + 37, 5, 3);
        let mut rng = crate::rng::derive("train-scores", 0, &[]);
        let x = Array2::from_shape_fn((n, d), |_| rng.gen_range(-2.0..2.0));
        let theta: Vec<f64> = (0..(d + 1) * k).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let model = FittedModel::from_theta(ModelKind::Softmax, k, d, &theta);
        let truth: Vec<usize> = (0..n).map(|_| rng.gen_range(0..k)).collect();
        let observed: Vec<usize> = truth
            .iter()
            .map(|&c| if rng.gen_bool(0.3) { (c + 1) % k } else { c })
            .collect();
        let noisy = NoisyLabels::from_labels(&truth, observed.clone(), k);
        let got = train_scores(&model, x.view(), &noisy, &truth);

        let logits = model.logits(x.view());
        let logp = log_proba(&logits);
        let (blocked, lp_truth) = proba_by_blocks(&model, x.view(), &truth);
        assert!(blocked
            .iter()
            .zip(&logp)
            .all(|(a, b)| a.to_bits() == b.exp().to_bits()));
        assert!((0..n).all(|i| lp_truth[i].to_bits() == logp[[i, truth[i]]].to_bits()));
        let corrupted = |i: usize| noisy.corrupted[i];
        let nc = noisy.realized.flipped;
        assert_eq!(got.corrupted, nc);
        let mean = |sum: f64, count: usize| sum / count.max(1) as f64;
        let bits = |a: f64, b: f64| assert_eq!(a.to_bits(), b.to_bits(), "{a} vs {b}");
        bits(
            mean(got.corrupted_ce_observed, nc),
            mean_ce(logp.view(), &observed, corrupted),
        );
        bits(
            mean(got.corrupted_ce_true, nc),
            mean_ce(logp.view(), &truth, corrupted),
        );
        bits(
            mean(got.clean_ce, got.clean),
            mean_ce(logp.view(), &observed, |i| !corrupted(i)),
        );
        bits(mean(got.gap, n), mean_logit_gap(logits.view()));
        bits(
            mean(got.correct as f64, n),
            accuracy(logp.view(), &observed),
        );
        let pred = predictions(logp.view());
        let count = |target: &[usize]| {
            (0..n)
                .filter(|&i| corrupted(i) && pred[i] == target[i])
                .count()
        };
        assert_eq!(
            (got.memorized, got.recovered),
            (count(&observed), count(&truth))
        );
    }
}
