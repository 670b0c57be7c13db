//! Stratified train/test split and standardization fitted on the training split.

use super::{DataError, RawData};
use crate::rng::Rng;
pub use crate::vocab::keys::dataset::held_out_size;
use ndarray::{Array2, Axis};
use rand::seq::SliceRandom;
use rand::Rng as _;

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
/// (largest-remainder rounding so the sizes are exact). Sizes default to `test_fraction`, rounded
/// as scikit-learn's `train_test_split` does ([`held_out_size`]).
/// Sample order within each split is shuffled.
pub fn stratified_split(
    raw: RawData,
    n_train: Option<usize>,
    n_test: Option<usize>,
    test_fraction: f64,
    rng: &mut Rng,
) -> Result<Split, DataError> {
    let sizes = Sizes {
        n_train,
        n_test,
        test_fraction,
    };
    let (train_ids, test_ids) = stratified_rows(&raw.y, &raw.class_names, sizes, rng)?;
    Ok(Split {
        x_train: raw.x.select(Axis(0), &train_ids),
        y_train: train_ids.iter().map(|&i| raw.y[i]).collect(),
        x_test: raw.x.select(Axis(0), &test_ids),
        y_test: test_ids.iter().map(|&i| raw.y[i]).collect(),
        classes: raw.classes,
        class_names: raw.class_names,
        feature_names: raw.feature_names,
    })
}

/// The sizes a split is asked for: `train` and `test` if given, else `test_fraction`.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub n_train: Option<usize>,
    pub n_test: Option<usize>,
    pub test_fraction: f64,
}

/// The rows of [`stratified_split`]'s training and test splits, in their order: the draw reads
/// only the labels `y` (classes 0..`class_names.len()`), so features can be read afterwards
/// straight into place.
pub fn stratified_rows(
    y: &[usize],
    class_names: &[String],
    sizes: Sizes,
    rng: &mut Rng,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    let Sizes {
        n_train,
        n_test,
        test_fraction,
    } = sizes;
    let n = y.len();
    let (n_train, n_test) = match (n_train, n_test) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, n.saturating_sub(a)),
        (None, Some(b)) => (n.saturating_sub(b), b),
        (None, None) => {
            let t = held_out_size(n, test_fraction);
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
    let k = class_names.len();
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    for ids in by_class.iter_mut() {
        ids.shuffle(rng);
    }
    let used = n_train + n_test;
    // Per-class quotas for the used part and for the test part, largest remainder.
    let sizes: Vec<usize> = by_class.iter().map(Vec::len).collect();
    let used_q = proportional(&sizes, used);
    let test_q = proportional(&used_q, n_test);
    let starved: Vec<String> = (0..k)
        .filter(|&c| used_q[c] == test_q[c])
        .map(|c| {
            format!(
                "class \"{}\" has {} sample(s), of which the split puts {} in training and {} in test",
                class_names[c], sizes[c], used_q[c] - test_q[c], test_q[c]
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
    Ok((train_ids, test_ids))
}

/// The validation split of a training split: ⌈fraction·n⌉ rows held out ([`held_out_size`]),
/// stratified on the `observed` labels (per-class quotas by largest remainder), and the rest to fit
/// on. Both lists ascending. The draw depends only on `observed` and `rng`, so every method of a
/// repetition holds out the same samples.
pub fn validation_split(
    observed: &[usize],
    classes: usize,
    fraction: f64,
    rng: &mut Rng,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    let n = observed.len();
    let m = held_out_size(n, fraction);
    if m >= n {
        return Err(DataError::Invalid(format!(
            "selection.fraction = {fraction} holds out {m} of the {n} training samples, leaving none to train on; lower it or use more training samples"
        )));
    }
    let mut held = vec![false; n];
    for i in stratified_subsample(observed, classes, m, rng) {
        held[i] = true;
    }
    let fit = (0..n).filter(|&i| !held[i]).collect();
    let validation = (0..n).filter(|&i| held[i]).collect();
    Ok((fit, validation))
}

/// Row indices of a stratified subsample of `m` rows (per-class quotas by largest remainder), in
/// shuffled order. Classes may end up empty when `m` is small.
pub fn stratified_subsample(y: &[usize], classes: usize, m: usize, rng: &mut Rng) -> Vec<usize> {
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    let sizes: Vec<usize> = by_class.iter().map(Vec::len).collect();
    let quota = proportional(&sizes, m);
    let mut ids = Vec::with_capacity(m);
    for (c, rows) in by_class.iter_mut().enumerate() {
        rows.shuffle(rng);
        ids.extend_from_slice(&rows[..quota[c]]);
    }
    ids.shuffle(rng);
    ids
}

/// Splits `total` into parts proportional to the integer `weights` (at most the weight each, so
/// at most their sum in all), by [`largest_remainder`] with ties to the lower index.
pub fn proportional(weights: &[usize], total: usize) -> Vec<usize> {
    let sum: usize = weights.iter().sum();
    let total = total.min(sum);
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let quotas: Vec<f64> = weights
        .iter()
        .map(|&w| w as f64 * total as f64 / sum as f64)
        .collect();
    largest_remainder(&quotas, total, Ties::LowerIndex)
}

/// Which of two equal remainders gets the extra unit in [`largest_remainder`].
pub enum Ties<'r> {
    /// The lower index (a split of the data: no generator involved).
    LowerIndex,
    /// Uniformly at random, one draw per quota (noise counts: a fixed order would always favour
    /// the same class).
    Random(&'r mut Rng),
}

/// Splits `total` into integer parts close to the real `quotas` (which should sum to `total`) by
/// largest remainder (Hamilton's method): every part is ⌊quota⌋ or ⌈quota⌉ and the parts sum to
/// `total` exactly.
///
/// Quotas within 1e-9 of an integer count as that integer (so 0.29·100 = 28.999999999999996 is 29),
/// and remainders are compared on a 1e-9 grid, so remainders equal in exact arithmetic tie whatever
/// their rounding; `ties` breaks them.
pub fn largest_remainder(quotas: &[f64], total: usize, ties: Ties<'_>) -> Vec<usize> {
    let snapped: Vec<f64> = quotas
        .iter()
        .map(|&q| {
            let q = q.max(0.0);
            if (q - q.round()).abs() < 1e-9 {
                q.round()
            } else {
                q
            }
        })
        .collect();
    let mut parts: Vec<usize> = snapped.iter().map(|q| q.floor() as usize).collect();
    // Remainders on a 1e-9 grid (a total order, unlike a tolerance comparison), then the tie key.
    let mut rng = match ties {
        Ties::Random(rng) => Some(rng),
        Ties::LowerIndex => None,
    };
    let keys: Vec<(i64, u64)> = snapped
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let tie = rng.as_mut().map_or(u64::MAX - i as u64, |r| r.gen::<u64>());
            (((q - q.floor()) * 1e9).round() as i64, tie)
        })
        .collect();
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    order.sort_by(|&a, &b| keys[b].cmp(&keys[a]));
    let assigned: usize = parts.iter().sum();
    if assigned < total {
        // Largest remainders first; cycle in case the quotas fall short of `total` by more than
        // one per part (they sum to `total` for a stochastic row, so one pass suffices there).
        let mut left = total - assigned;
        for &i in order.iter().cycle().take(left * quotas.len().max(1)) {
            if left == 0 {
                break;
            }
            parts[i] += 1;
            left -= 1;
        }
    } else {
        // Quotas summing to slightly more than `total` (a row summing to 1 + 1e-10): take from the
        // smallest remainders.
        let mut extra = assigned - total;
        for &i in order
            .iter()
            .rev()
            .cycle()
            .take(extra * quotas.len().max(1) + quotas.len())
        {
            if extra == 0 {
                break;
            }
            if parts[i] > 0 {
                parts[i] -= 1;
                extra -= 1;
            }
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::rng::derive;

    /// scikit-learn 1.x `train_test_split(..., test_size=f)`: n_test = ceil(f·n), n_train = n − n_test.
    #[test]
    fn held_out_sizes_round_up_as_scikit_learn() {
        assert_eq!(held_out_size(1797, 0.3), 540);
        assert_eq!(held_out_size(178, 0.3), 54);
        assert_eq!(held_out_size(150, 0.2), 30);
        assert_eq!(held_out_size(569, 0.25), 143);
        assert_eq!(held_out_size(3, 0.9), 3);
    }

    #[test]
    fn validation_split_is_stratified_on_observed_labels_and_disjoint() {
        // 60 of class 0, 30 of class 1, 10 of class 2; 20% held out = 20: 12, 6, 2.
        let observed: Vec<usize> = (0..100)
            .map(|i| match i % 10 {
                0..=5 => 0,
                6..=8 => 1,
                _ => 2,
            })
            .collect();
        let (fit, val) =
            validation_split(&observed, 3, 0.2, &mut derive("validation", 0, &[])).unwrap();
        let count = |rows: &[usize], c: usize| rows.iter().filter(|&&i| observed[i] == c).count();
        assert_eq!([count(&val, 0), count(&val, 1), count(&val, 2)], [12, 6, 2]);
        assert_eq!(fit.len() + val.len(), 100);
        assert!(fit.iter().all(|i| val.binary_search(i).is_err()));
        let again = validation_split(&observed, 3, 0.2, &mut derive("validation", 0, &[])).unwrap();
        assert_eq!(again, (fit, val), "same stream, same split");
        assert!(validation_split(&[0, 1], 2, 0.9, &mut derive("v", 0, &[])).is_err());
    }

    #[test]
    fn proportional_parts_sum_exactly_with_ties_to_the_lower_index() {
        assert_eq!(proportional(&[1, 1, 1], 2), vec![1, 1, 0]);
        assert_eq!(proportional(&[50, 30, 20], 10), vec![5, 3, 2]);
        assert_eq!(proportional(&[3, 3], 5), vec![3, 2]);
        assert_eq!(
            proportional(&[3, 0, 4], 99),
            vec![3, 0, 4],
            "at most the weights"
        );
        assert_eq!(proportional(&[0, 0], 5), vec![0, 0]);
        // Every total from 0 to the sum: parts sum to it, each within one of its exact quota.
        let w = [59, 71, 48, 1, 7];
        for total in 0..=186 {
            let p = proportional(&w, total);
            assert_eq!(p.iter().sum::<usize>(), total);
            for (part, weight) in p.iter().zip(w) {
                let exact = weight as f64 * total as f64 / 186.0;
                assert!((*part as f64 - exact).abs() < 1.0, "{total}: {p:?}");
            }
        }
    }

    #[test]
    fn largest_remainder_matches_hand_computed_splits() {
        let mut rng = derive("t", 0, &[]);
        // 0.2·7 = 1.4, 0.5·7 = 3.5, 0.3·7 = 2.1: floors 1+3+2 = 6, the 7th goes to the 0.5 remainder.
        assert_eq!(
            largest_remainder(&[1.4, 3.5, 2.1], 7, Ties::Random(&mut rng)),
            vec![1, 4, 2]
        );
        // Floating-point quotas that are integers in exact arithmetic stay integers.
        assert_eq!(
            largest_remainder(&[0.29 * 100.0, 0.71 * 100.0], 100, Ties::LowerIndex),
            vec![29, 71]
        );
        // K = 120 cells of 20%/119 each with n_i = 50: truncation would give 0 flips, not 10.
        let row: Vec<f64> = (0..120)
            .map(|j| {
                if j == 0 {
                    0.8 * 50.0
                } else {
                    0.2 / 119.0 * 50.0
                }
            })
            .collect();
        let parts = largest_remainder(&row, 50, Ties::Random(&mut rng));
        assert_eq!(parts[0], 40);
        assert_eq!(parts.iter().sum::<usize>(), 50);
        assert_eq!(parts.iter().filter(|&&c| c == 1).count(), 10);
    }

    #[test]
    fn largest_remainder_breaks_exact_ties_both_ways_at_random() {
        // 2.5 / 2.5 of 5: either cell may get the extra unit, and both must happen over seeds.
        let mut seen = [false; 2];
        for seed in 0..40 {
            let p = largest_remainder(&[2.5, 2.5], 5, Ties::Random(&mut derive("t", seed, &[])));
            assert_eq!(p.iter().sum::<usize>(), 5);
            seen[usize::from(p[0] == 3)] = true;
        }
        assert_eq!(seen, [true, true]);
        assert_eq!(largest_remainder(&[2.5, 2.5], 5, Ties::LowerIndex), [3, 2]);
    }

    #[test]
    fn largest_remainder_handles_quotas_slightly_above_total() {
        let mut rng = derive("t", 1, &[]);
        let p = largest_remainder(
            &[2.0000001, 3.0000001, 5.0000001],
            10,
            Ties::Random(&mut rng),
        );
        assert_eq!(p, vec![2, 3, 5]);
        // Floors 4+4+4 = 12 > 10: two parts lose one.
        let p = largest_remainder(&[4.2, 4.2, 4.2], 10, Ties::Random(&mut rng));
        assert_eq!(p.iter().sum::<usize>(), 10);
        assert_eq!(p.iter().filter(|&&c| c == 3).count(), 2);
    }
}
