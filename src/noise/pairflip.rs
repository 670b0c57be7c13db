//! Pair flipping (Han et al. 2018, "Co-teaching"): a flipped label of class i becomes (i+1) mod K,
//! the classic "neighbouring class" confusion. Class-conditional, counted per class.

use super::counting::class_conditional;
use crate::rng::Rng;
use crate::scenario::spec::CountMode;
use crate::vocab::matrix::TransitionMatrix;

/// Class i keeps its label with probability 1 − rate and moves to (i+1) mod K otherwise
/// ([`TransitionMatrix::pairflip`]); with K = 2 this swaps 0 ↔ 1 at the same rate.
pub fn apply(
    truth: &[usize],
    classes: usize,
    rate: f64,
    count: CountMode,
    rng: &mut Rng,
) -> Vec<usize> {
    class_conditional(
        truth,
        &TransitionMatrix::pairflip(rate, classes),
        count,
        rng,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::derive;

    #[test]
    fn exact_pairflip_moves_round_rate_n_i_of_each_class_to_the_next() {
        // Classes of 10, 20 and 30 samples at rate 0.25: 2.5 → 2 or 3 (a tie), 5, 7.5 → 7 or 8.
        let truth: Vec<usize> = (0..60)
            .map(|i| usize::from(i >= 10) + usize::from(i >= 30))
            .collect();
        let obs = apply(&truth, 3, 0.25, CountMode::Exact, &mut derive("t", 0, &[]));
        let mut moved = [0usize; 3];
        for (&y, &o) in truth.iter().zip(&obs) {
            assert!(o == y || o == (y + 1) % 3);
            moved[y] += usize::from(o != y);
        }
        assert!(moved[0] == 2 || moved[0] == 3);
        assert_eq!(moved[1], 5);
        assert!(moved[2] == 7 || moved[2] == 8);
    }
}
