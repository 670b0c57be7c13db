//! Confident learning (Northcutt, Jiang & Chuang 2021, "Confident learning: estimating
//! uncertainty in dataset labels"), transcribed from cleanlab 2.9 (`cleanlab.count`,
//! `cleanlab.filter`) so that on the same probabilities the counts and the flagged set are the
//! same (checked by `scripts/crosscheck/cleanlab_check.py`).
//!
//! Orientation as in cleanlab: `C[i][j]` counts samples with observed (noisy) label i whose true
//! label is confidently j. T̂ (ours: T[true][observed]) is its transpose, normalized per true class.

use super::{first_argmax, numpy_sum};
use ndarray::ArrayView2;

/// cleanlab's `FLOATING_POINT_COMPARISON`: the slack of every comparison below.
const SLACK: f64 = 1e-6;
/// cleanlab's `CONFIDENT_THRESHOLDS_LOWER_BOUND`.
const THRESHOLD_FLOOR: f64 = 2.0 * SLACK;
/// cleanlab's threshold for a class no sample is labelled with: no probability reaches it.
const ABSENT_CLASS_THRESHOLD: f64 = 2.0;
/// cleanlab's `TINY_VALUE`, the floor of every divisor.
const TINY: f64 = 1e-100;

/// Everything confident learning derives from one probability matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// t_j: mean p_j over the samples labelled j.
    pub thresholds: Vec<f64>,
    /// The confident joint before calibration (diagonal at least 1), C[observed][true].
    pub raw: Vec<Vec<usize>>,
    /// Calibrated: row i sums to the count of label i, the total is n.
    pub calibrated: Vec<Vec<usize>>,
    /// T̂[true i][observed j] = C[j][i] / Σⱼ C[j][i].
    pub transition: Vec<Vec<f64>>,
    /// The estimated number of wrong labels: the off-diagonal sum of the calibrated joint.
    pub estimated_errors: usize,
    /// cleanlab's `find_label_issues(filter_by="prune_by_noise_rate")`.
    pub issues: Vec<bool>,
}

/// Runs every step on out-of-sample probabilities (n×K) and the observed labels.
pub fn analyze(probs: ArrayView2<'_, f64>, labels: &[usize]) -> Analysis {
    let thresholds = thresholds(probs, labels);
    let raw = raw_joint(probs, labels, &thresholds);
    let calibrated = calibrate(&raw, labels);
    let estimated_errors = off_diagonal(&calibrated);
    Analysis {
        transition: transition(&calibrated),
        issues: label_issues(probs, labels, &calibrated),
        thresholds,
        raw,
        calibrated,
        estimated_errors,
    }
}

/// Per-class thresholds t_j = mean p_j over the samples labelled j (cleanlab
/// `get_confident_thresholds`), floored at 2e-6; 2 for a class no sample has.
pub fn thresholds(probs: ArrayView2<'_, f64>, labels: &[usize]) -> Vec<f64> {
    (0..probs.ncols())
        .map(|j| {
            let own: Vec<f64> = (0..labels.len())
                .filter(|&i| labels[i] == j)
                .map(|i| probs[[i, j]])
                .collect();
            if own.is_empty() {
                ABSENT_CLASS_THRESHOLD
            } else {
                (numpy_sum(&own) / own.len() as f64).max(THRESHOLD_FLOOR)
            }
        })
        .collect()
}

/// The class a sample confidently belongs to: p_j ≥ t_j − 1e-6 for some j; of several, the
/// overall argmax (as cleanlab does, even if that class is not among them).
fn confident_class(p: &[f64], thresholds: &[f64]) -> Option<usize> {
    let confident: Vec<usize> = (0..p.len())
        .filter(|&j| p[j] >= thresholds[j] - SLACK)
        .collect();
    match confident.as_slice() {
        [] => None,
        [only] => Some(*only),
        _ => Some(first_argmax(p)),
    }
}

/// C[observed][confident true class], the diagonal raised to at least 1 (cleanlab
/// `compute_confident_joint(calibrate=False)`).
pub fn raw_joint(
    probs: ArrayView2<'_, f64>,
    labels: &[usize],
    thresholds: &[f64],
) -> Vec<Vec<usize>> {
    let k = probs.ncols();
    let mut c = vec![vec![0usize; k]; k];
    for (row, &y) in probs.rows().into_iter().zip(labels) {
        if let Some(j) = confident_class(&row.to_vec(), thresholds) {
            c[y][j] += 1;
        }
    }
    for (i, row) in c.iter_mut().enumerate() {
        row[i] = row[i].max(1);
    }
    c
}

/// cleanlab `calibrate_confident_joint`: rows scaled to the label counts, the whole to n, then
/// rounded row by row preserving each row's total.
pub fn calibrate(raw: &[Vec<usize>], labels: &[usize]) -> Vec<Vec<usize>> {
    let k = raw.len();
    let mut counts = vec![0usize; k];
    labels.iter().for_each(|&y| counts[y] += 1);
    let scaled: Vec<Vec<f64>> = raw
        .iter()
        .zip(&counts)
        .map(|(row, &n_i)| {
            let total = (row.iter().sum::<usize>() as f64).max(TINY);
            row.iter().map(|&c| c as f64 / total * n_i as f64).collect()
        })
        .collect();
    let flat: Vec<f64> = scaled.iter().flatten().copied().collect();
    let total = numpy_sum(&flat).max(TINY);
    let n = labels.len() as f64;
    scaled
        .iter()
        .map(|row| {
            let row: Vec<f64> = row.iter().map(|v| v / total * n).collect();
            round_preserving_sum(&row)
                .into_iter()
                .map(|v| v.max(0) as usize)
                .collect()
        })
        .collect()
}

/// cleanlab `round_preserving_sum`: round half to even, then move the entries rounded furthest
/// (down when the total is short, up when it is over) by one until the rounded total is the
/// rounded sum. Ties in the rounding residue go as NumPy's `argsort` orders them for K ≤ 16
/// (insertion sort: stable).
pub fn round_preserving_sum(floats: &[f64]) -> Vec<i64> {
    let mut ints: Vec<f64> = floats.iter().map(|v| v.round_ties_even()).collect();
    let target = numpy_sum(floats).round_ties_even();
    let mut sum = numpy_sum(&ints).round_ties_even();
    while (sum - target).abs() > SLACK {
        let diff = (target - sum).round_ties_even();
        let step = if diff < 0.0 { -1.0 } else { 1.0 };
        let changes = (diff.abs() as usize).min(floats.len());
        let mut order: Vec<usize> = (0..floats.len()).collect();
        order.sort_by(|&a, &b| (floats[a] - ints[a]).total_cmp(&(floats[b] - ints[b])));
        if step > 0.0 {
            order.reverse();
        }
        for &i in order.iter().take(changes) {
            ints[i] += step;
        }
        sum = numpy_sum(&ints).round_ties_even();
    }
    ints.into_iter().map(|v| v as i64).collect()
}

/// T̂[true i][observed j] = C[j][i] / Σⱼ C[j][i] (cleanlab's `noise_matrix`, transposed, before its
/// clipping of noise rates); a true class no sample is counted into keeps the identity row.
pub fn transition(calibrated: &[Vec<usize>]) -> Vec<Vec<f64>> {
    let k = calibrated.len();
    (0..k)
        .map(|i| {
            let total: usize = (0..k).map(|j| calibrated[j][i]).sum();
            (0..k)
                .map(|j| match total {
                    0 => f64::from(u8::from(i == j)),
                    t => calibrated[j][i] as f64 / t as f64,
                })
                .collect()
        })
        .collect()
}

/// Σ_{i≠j} C[i][j] (cleanlab `num_label_issues(estimation_method="off_diagonal_calibrated")`).
pub fn off_diagonal(calibrated: &[Vec<usize>]) -> usize {
    let all: usize = calibrated.iter().flatten().sum();
    let diagonal: usize = (0..calibrated.len()).map(|i| calibrated[i][i]).sum();
    all - diagonal
}

/// cleanlab `find_label_issues(filter_by="prune_by_noise_rate")` with its defaults
/// (`frac_noise = 1`, `min_examples_per_class = 1`): for each observed class k and true class
/// j ≠ k, flag the `C[k][j]` samples labelled k with the largest margin p_j − p_k; then unflag
/// every sample whose (observed-label-favoured) argmax is its observed label.
pub fn label_issues(
    probs: ArrayView2<'_, f64>,
    labels: &[usize],
    calibrated: &[Vec<usize>],
) -> Vec<bool> {
    let k = calibrated.len();
    let prune = keep_one_per_class(calibrated);
    let mut flagged = vec![false; labels.len()];
    for noisy in 0..k {
        let members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == noisy).collect();
        if members.len() <= 1 {
            continue;
        }
        for truth in (0..k).filter(|&j| j != noisy) {
            let count = prune[truth][noisy];
            if count == 0 {
                continue;
            }
            let margin = |i: usize| probs[[i, truth]] - probs[[i, noisy]];
            let mut order = members.clone();
            // Largest margin first; ties by position (stable).
            order.sort_by(|&a, &b| margin(b).total_cmp(&margin(a)));
            order.iter().take(count).for_each(|&i| flagged[i] = true);
        }
    }
    for (i, row) in probs.rows().into_iter().enumerate() {
        let mut p = row.to_vec();
        p[labels[i]] += SLACK;
        if first_argmax(&p) == labels[i] {
            flagged[i] = false;
        }
    }
    flagged
}

/// cleanlab `_keep_at_least_n_per_class(confident_joint.T, n = 1, frac_noise = 1)`: the pruning
/// counts P[true][observed], a zero diagonal raised to 1 and the column's noise counts lowered to
/// pay for it.
fn keep_one_per_class(calibrated: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let k = calibrated.len();
    let p: Vec<Vec<f64>> = (0..k)
        .map(|j| (0..k).map(|i| calibrated[i][j] as f64).collect())
        .collect();
    let mut out = p.clone();
    for col in 0..k {
        let raise = (p[col][col].max(1.0)) - p[col][col];
        let nonzero = (0..k).filter(|&r| p[r][col] != 0.0).count() as f64;
        let share = raise / (nonzero - 1.0).max(1.0);
        for r in 0..k {
            out[r][col] = if r == col {
                p[col][col].max(1.0)
            } else {
                (p[r][col] - share).max(0.0)
            };
        }
    }
    out.iter()
        .map(|row| {
            round_preserving_sum(row)
                .into_iter()
                .map(|v| v.max(0) as usize)
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests;
