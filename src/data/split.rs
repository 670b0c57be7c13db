//! Stratified train/test split and standardization fitted on the training split.

use super::{DataError, RawData};
use crate::rng::Rng;
use ndarray::{Array2, Axis};
use rand::seq::SliceRandom;

/// A split dataset before preprocessing.
#[derive(Clone, Debug)]
pub struct Split {
    pub x_train: Array2<f64>,
    pub y_train: Vec<usize>,
    pub x_test: Array2<f64>,
    pub y_test: Vec<usize>,
    pub classes: usize,
    pub class_names: Vec<String>,
    pub feature_names: Vec<String>,
}

/// Stratified split: each class contributes to the test split in proportion to its size
/// (largest-remainder rounding so the sizes are exact). Sizes default to `test_fraction`.
/// Sample order within each split is shuffled.
pub fn stratified_split(
    raw: RawData,
    n_train: Option<usize>,
    n_test: Option<usize>,
    test_fraction: f64,
    rng: &mut Rng,
) -> Result<Split, DataError> {
    let n = raw.y.len();
    let (n_train, n_test) = match (n_train, n_test) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, n.saturating_sub(a)),
        (None, Some(b)) => (n.saturating_sub(b), b),
        (None, None) => {
            let t = ((n as f64) * test_fraction).round() as usize;
            (n - t, t)
        }
    };
    if n_train + n_test > n {
        return Err(DataError::Invalid(format!(
            "train ({n_train}) + test ({n_test}) = {} exceeds the {n} samples available",
            n_train + n_test
        )));
    }
    if n_train == 0 {
        return Err(DataError::Invalid("the training split is empty".into()));
    }
    let k = raw.classes;
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &c) in raw.y.iter().enumerate() {
        by_class[c].push(i);
    }
    for ids in by_class.iter_mut() {
        ids.shuffle(rng);
    }
    let used = n_train + n_test;
    // Per-class quotas for the used part and for the test part, largest remainder.
    let sizes: Vec<usize> = by_class.iter().map(Vec::len).collect();
    let used_q = largest_remainder(&sizes, used);
    let test_q = largest_remainder(&used_q, n_test);
    let starved: Vec<String> = (0..k)
        .filter(|&c| used_q[c] == test_q[c])
        .map(|c| {
            format!(
                "class \"{}\" has {} sample(s), of which the split puts {} in training and {} in test",
                raw.class_names[c], sizes[c], used_q[c] - test_q[c], test_q[c]
            )
        })
        .collect();
    if !starved.is_empty() {
        let fix = if used < n {
            format!("raise `train` (now {n_train} of {n} samples) or give the class more samples")
        } else {
            format!("hold out fewer samples (now {n_test} of {n} for test) or give the class more samples")
        };
        return Err(DataError::Invalid(format!(
            "{}; every class needs at least 1 training sample: {fix}",
            starved.join("; ")
        )));
    }
    let mut train_ids = Vec::with_capacity(n_train);
    let mut test_ids = Vec::with_capacity(n_test);
    for c in 0..k {
        let ids = &by_class[c][..used_q[c]];
        test_ids.extend_from_slice(&ids[..test_q[c]]);
        train_ids.extend_from_slice(&ids[test_q[c]..]);
    }
    train_ids.shuffle(rng);
    test_ids.shuffle(rng);
    Ok(Split {
        x_train: raw.x.select(Axis(0), &train_ids),
        y_train: train_ids.iter().map(|&i| raw.y[i]).collect(),
        x_test: raw.x.select(Axis(0), &test_ids),
        y_test: test_ids.iter().map(|&i| raw.y[i]).collect(),
        classes: k,
        class_names: raw.class_names,
        feature_names: raw.feature_names,
    })
}

/// Row indices of a stratified subsample of `m` rows (per-class quotas by largest remainder), in
/// shuffled order. Classes may end up empty when `m` is small.
pub fn stratified_subsample(y: &[usize], classes: usize, m: usize, rng: &mut Rng) -> Vec<usize> {
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    let sizes: Vec<usize> = by_class.iter().map(Vec::len).collect();
    let quota = largest_remainder(&sizes, m);
    let mut ids = Vec::with_capacity(m);
    for (c, rows) in by_class.iter_mut().enumerate() {
        rows.shuffle(rng);
        ids.extend_from_slice(&rows[..quota[c]]);
    }
    ids.shuffle(rng);
    ids
}

/// Splits `total` into parts proportional to `weights`, rounding by largest remainder so the parts
/// sum to `total` exactly (ties go to the lower index).
pub fn largest_remainder(weights: &[usize], total: usize) -> Vec<usize> {
    let sum: usize = weights.iter().sum();
    let total = total.min(sum);
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights
        .iter()
        .map(|&w| w as f64 * total as f64 / sum as f64)
        .collect();
    let mut parts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.partial_cmp(&ra)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    let mut left = total - parts.iter().sum::<usize>();
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        if parts[i] < weights[i] {
            parts[i] += 1;
            left -= 1;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_exactly() {
        assert_eq!(largest_remainder(&[1, 1, 1], 2), vec![1, 1, 0]);
        assert_eq!(largest_remainder(&[50, 30, 20], 10), vec![5, 3, 2]);
        assert_eq!(largest_remainder(&[3, 3], 5).iter().sum::<usize>(), 5);
    }
}
