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

use crate::data::{largest_remainder, Ties};
use crate::rng::Rng;
use crate::scenario::spec::CountMode;
use crate::vocab::matrix::TransitionMatrix;
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

/// Class-conditional noise with transition matrix `t` (T[i][j] = P(observed j | true i), every
/// label < K). Returns the observed labels.
pub fn class_conditional(
    truth: &[usize],
    t: &TransitionMatrix,
    count: CountMode,
    rng: &mut Rng,
) -> Vec<usize> {
    let k = t.classes();
    let mut observed = truth.to_vec();
    match count {
        CountMode::Exact => {
            let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
            for (idx, &y) in truth.iter().enumerate() {
                members[y].push(idx);
            }
            for (i, ids) in members.iter_mut().enumerate() {
                let n_i = ids.len();
                let quotas: Vec<f64> = t.row(i).iter().map(|p| p * n_i as f64).collect();
                let cells = largest_remainder(&quotas, n_i, Ties::Random(&mut *rng));
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
                t.rows().map(|row| WeightedIndex::new(row).ok()).collect();
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
