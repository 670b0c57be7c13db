//! Symmetric noise: a flipped label moves to a uniformly chosen *other* class; with `include_true`
//! the new label is drawn from all K classes, so only rate·(K−1)/K of the samples change in
//! expectation.

use super::choose_flips;
use crate::rng::Rng;
use crate::scenario::spec::CountMode;
use rand::Rng as _;

pub fn apply(
    truth: &[usize],
    classes: usize,
    rate: f64,
    count: CountMode,
    include_true: bool,
    rng: &mut Rng,
) -> Vec<usize> {
    let mask = choose_flips(truth.len(), rate, count, rng);
    truth
        .iter()
        .zip(mask)
        .map(|(&y, flip)| match (flip, include_true) {
            (false, _) => y,
            (true, true) => rng.gen_range(0..classes),
            (true, false) => {
                // Uniform over the K−1 other classes.
                let r = rng.gen_range(0..classes - 1);
                if r >= y {
                    r + 1
                } else {
                    r
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::derive;

    #[test]
    fn exact_symmetric_flips_exactly_round_rate_n_to_other_classes() {
        let truth: Vec<usize> = (0..1000).map(|i| i % 3).collect();
        let mut rng = derive("t", 0, &[]);
        let obs = apply(&truth, 3, 0.2, CountMode::Exact, false, &mut rng);
        let flipped = truth.iter().zip(&obs).filter(|(a, b)| a != b).count();
        assert_eq!(flipped, 200);
        assert!(obs.iter().all(|&c| c < 3));
    }
}
