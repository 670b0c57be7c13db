//! How many labels flip and which ones: the counting rules shared by every noise kind.
//!
//! * `exact` for uniform kinds: exactly round(rate·n) flips, drawn without replacement.
//! * `exact` for class-conditional kinds (a transition matrix T): in true class i (n_i samples) the
//!   cell (i, j) gets the largest-remainder rounding of T[i][j]·n_i, so every class keeps exactly
//!   n_i samples and no cell is truncated away (cleanlab's per-cell truncation turned a nominal 20%
//!   into 3.9% with K = 120); which samples of class i go to which j is uniformly random.
//! * `bernoulli`: every sample independently (class-conditional: its observed label is drawn from
//!   row T[y]).
//! * weighted `exact`: m samples without replacement with probability ∝ weight, by the
//!   Efraimidis–Spirakis keys u^(1/w) (Efraimidis & Spirakis 2006, "Weighted random sampling with a
//!   reservoir").

use crate::rng::Rng;
use crate::scenario::spec::CountMode;
use rand::distributions::{Distribution, WeightedIndex};
use rand::seq::SliceRandom;
use rand::Rng as _;

/// round(rate·n) (half away from zero), at most n: the number of flips of `exact` counting.
pub fn exact_count(rate: f64, n: usize) -> usize {
    ((rate * n as f64).round().max(0.0) as usize).min(n)
}

/// Chooses which samples flip: exactly round(rate·n) of them without replacement (`Exact`), or each
/// independently with probability `rate` (`Bernoulli`). Returns a mask.
pub fn choose_flips(n: usize, rate: f64, count: CountMode, rng: &mut Rng) -> Vec<bool> {
    let mut mask = vec![false; n];
    match count {
        CountMode::Exact => {
            for i in rand::seq::index::sample(rng, n, exact_count(rate, n)) {
                mask[i] = true;
            }
        }
        CountMode::Bernoulli => mask.iter_mut().for_each(|f| *f = rng.gen::<f64>() < rate),
    }
    mask
}

/// Splits `total` into integer parts close to the real `quotas` (which should sum to `total`) by
/// largest remainder: every part is ⌊quota⌋ or ⌈quota⌉ and the parts sum to `total` exactly.
///
/// Quotas within 1e-9 of an integer count as that integer (so 0.29·100 = 28.999999999999996 is 29),
/// and remainders equal to 1e-9 are ties, broken uniformly at random (a fixed order would always
/// favour the same class). Hand-written because `data::split::largest_remainder` splits integer
/// weights with ties to the lower index.
pub fn largest_remainder(quotas: &[f64], total: usize, rng: &mut Rng) -> Vec<usize> {
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
    // Remainders on a 1e-9 grid (a total order, unlike a tolerance comparison), random tie keys.
    let keys: Vec<(i64, u64)> = snapped
        .iter()
        .map(|q| (((q - q.floor()) * 1e9).round() as i64, rng.gen::<u64>()))
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

/// Class-conditional noise with transition matrix `t` (T[i][j] = P(observed j | true i), rows
/// stochastic, K×K with every label < K). Returns the observed labels.
pub fn class_conditional(
    truth: &[usize],
    t: &[Vec<f64>],
    count: CountMode,
    rng: &mut Rng,
) -> Vec<usize> {
    let k = t.len();
    let mut observed = truth.to_vec();
    match count {
        CountMode::Exact => {
            let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
            for (idx, &y) in truth.iter().enumerate() {
                members[y].push(idx);
            }
            for (i, ids) in members.iter_mut().enumerate() {
                let n_i = ids.len();
                let quotas: Vec<f64> = t[i].iter().map(|p| p * n_i as f64).collect();
                let cells = largest_remainder(&quotas, n_i, rng);
                // A uniformly random permutation cut into consecutive chunks of the cell sizes is a
                // uniformly random assignment of class i's samples to observed labels.
                ids.shuffle(rng);
                let mut start = 0;
                for (j, &c) in cells.iter().enumerate() {
                    for &idx in &ids[start..start + c] {
                        observed[idx] = j;
                    }
                    start += c;
                }
            }
        }
        CountMode::Bernoulli => {
            let rows: Vec<Option<WeightedIndex<f64>>> =
                t.iter().map(|row| WeightedIndex::new(row).ok()).collect();
            for (o, &y) in observed.iter_mut().zip(truth) {
                if let Some(dist) = &rows[y] {
                    *o = dist.sample(rng);
                }
            }
        }
    }
    observed
}

/// One draw from the categorical distribution `p` (non-negative, summing to 1 up to rounding): the
/// first j whose cumulative sum exceeds a uniform u·Σp (numpy's `random.choice(p=…)` rule).
pub fn draw_categorical(p: &[f64], rng: &mut Rng) -> usize {
    let total: f64 = p.iter().sum();
    let u = rng.gen::<f64>() * total;
    let mut cum = 0.0;
    for (j, &v) in p.iter().enumerate() {
        cum += v;
        if u < cum {
            return j;
        }
    }
    // u landed on the rounding gap at the end: the last class with positive probability.
    p.iter().rposition(|&v| v > 0.0).unwrap_or(0)
}

/// Draws `m` of the n = `weights.len()` indices without replacement, each draw with probability
/// proportional to its weight among those left (Efraimidis–Spirakis: the m largest keys u^(1/w),
/// compared as ln(u)/w). Zero weights come last, in uniformly random order. Returns a mask.
pub fn weighted_without_replacement(weights: &[f64], m: usize, rng: &mut Rng) -> Vec<bool> {
    let n = weights.len();
    // (has positive weight, key): every positive weight beats every zero weight.
    let keys: Vec<(bool, f64)> = weights
        .iter()
        .map(|&w| {
            let u = 1.0 - rng.gen::<f64>(); // in (0, 1], so ln(u) is finite
            if w > 0.0 {
                (true, u.ln() / w)
            } else {
                (false, u.ln())
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        keys[b]
            .0
            .cmp(&keys[a].0)
            .then(keys[b].1.total_cmp(&keys[a].1))
            .then(a.cmp(&b))
    });
    let mut mask = vec![false; n];
    for &i in order.iter().take(m.min(n)) {
        mask[i] = true;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::derive;

    #[test]
    fn largest_remainder_matches_hand_computed_splits() {
        let mut rng = derive("t", 0, &[]);
        // 0.2·7 = 1.4, 0.5·7 = 3.5, 0.3·7 = 2.1: floors 1+3+2 = 6, the 7th goes to the 0.5 remainder.
        assert_eq!(
            largest_remainder(&[1.4, 3.5, 2.1], 7, &mut rng),
            vec![1, 4, 2]
        );
        // Floating-point quotas that are integers in exact arithmetic stay integers.
        assert_eq!(
            largest_remainder(&[0.29 * 100.0, 0.71 * 100.0], 100, &mut rng),
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
        let parts = largest_remainder(&row, 50, &mut rng);
        assert_eq!(parts[0], 40);
        assert_eq!(parts.iter().sum::<usize>(), 50);
    }

    #[test]
    fn largest_remainder_breaks_exact_ties_both_ways() {
        // 2.5 / 2.5 of 5: either cell may get the extra unit, and both must happen over seeds.
        let mut seen = [false; 2];
        for seed in 0..40 {
            let p = largest_remainder(&[2.5, 2.5], 5, &mut derive("t", seed, &[]));
            assert_eq!(p.iter().sum::<usize>(), 5);
            seen[usize::from(p[0] == 3)] = true;
        }
        assert_eq!(seen, [true, true]);
    }

    #[test]
    fn largest_remainder_handles_quotas_slightly_above_total() {
        let mut rng = derive("t", 1, &[]);
        let p = largest_remainder(&[2.0000001, 3.0000001, 5.0000001], 10, &mut rng);
        assert_eq!(p, vec![2, 3, 5]);
        // Floors 4+4+4 = 12 > 10: two parts lose one.
        let p = largest_remainder(&[4.2, 4.2, 4.2], 10, &mut rng);
        assert_eq!(p.iter().sum::<usize>(), 10);
        assert_eq!(p.iter().filter(|&&c| c == 3).count(), 2);
    }

    #[test]
    fn weighted_sampling_prefers_heavy_items_and_skips_zero_weights() {
        // Item 0 has weight 9, items 1..=9 weight 1: P(0 is the single draw) = 9/18.
        let w: Vec<f64> = (0..10).map(|i| if i == 0 { 9.0 } else { 1.0 }).collect();
        let mut rng = derive("t", 2, &[]);
        let hits = (0..4000)
            .filter(|_| weighted_without_replacement(&w, 1, &mut rng)[0])
            .count();
        let p = hits as f64 / 4000.0;
        assert!((p - 0.5).abs() < 5.0 * (0.25f64 / 4000.0).sqrt(), "p = {p}");
        let w = [0.0, 1.0, 0.0, 2.0];
        let mask = weighted_without_replacement(&w, 2, &mut rng);
        assert_eq!(mask, vec![false, true, false, true]);
        assert_eq!(weighted_without_replacement(&w, 4, &mut rng), vec![true; 4]);
    }

    #[test]
    fn exact_count_rounds_half_away_from_zero() {
        assert_eq!(exact_count(0.5, 5), 3);
        assert_eq!(exact_count(0.2, 7), 1);
        assert_eq!(exact_count(1.0, 9), 9);
        assert_eq!(exact_count(0.0, 9), 0);
    }
}
