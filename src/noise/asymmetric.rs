//! Binary asymmetric noise: separate rates for the two classes,
//! ρ₊ = `rate_pos` = P(observed 0 | true 1) and ρ₋ = `rate_neg` = P(observed 1 | true 0)
//! (the class-conditional noise of Natarajan et al. 2013, "Learning with noisy labels").

use super::counting::class_conditional;
use super::NoiseError;
use crate::rng::Rng;
use crate::scenario::spec::CountMode;
use crate::vocab::matrix::TransitionMatrix;

/// T = [[1 − ρ₋, ρ₋], [ρ₊, 1 − ρ₊]] ([`TransitionMatrix::asymmetric`]); binary only.
pub fn apply(
    truth: &[usize],
    classes: usize,
    rate_pos: f64,
    rate_neg: f64,
    count: CountMode,
    rng: &mut Rng,
) -> Result<Vec<usize>, NoiseError> {
    if classes != 2 {
        return Err(NoiseError::Invalid(format!(
            "noise kind \"asymmetric\" is binary but the dataset has K = {classes} classes; use kind = \"matrix\" for class-conditional noise with K > 2"
        )));
    }
    Ok(class_conditional(
        truth,
        &TransitionMatrix::asymmetric(rate_pos, rate_neg),
        count,
        rng,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::derive;

    #[test]
    fn rates_apply_to_their_own_class_only() {
        // 100 negatives, 50 positives; ρ₊ = 0.2 → 10 positives become 0, ρ₋ = 0 → no negative moves.
        let truth: Vec<usize> = (0..150).map(|i| usize::from(i >= 100)).collect();
        let obs = apply(
            &truth,
            2,
            0.2,
            0.0,
            CountMode::Exact,
            &mut derive("t", 0, &[]),
        )
        .unwrap();
        let pos_to_neg = truth
            .iter()
            .zip(&obs)
            .filter(|&(&y, &o)| y == 1 && o == 0)
            .count();
        let neg_to_pos = truth
            .iter()
            .zip(&obs)
            .filter(|&(&y, &o)| y == 0 && o == 1)
            .count();
        assert_eq!((pos_to_neg, neg_to_pos), (10, 0));
    }

    #[test]
    fn more_than_two_classes_is_an_error() {
        let err = apply(
            &[0, 1, 2],
            3,
            0.1,
            0.1,
            CountMode::Exact,
            &mut derive("t", 0, &[]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("K = 3"), "{err}");
    }
}
