//! Noise from a row-stochastic transition matrix given in the scenario file,
//! T[i][j] = P(observed j | true i) (the notation of Patrini et al. 2017).

use super::counting::class_conditional;
use super::NoiseError;
use crate::rng::Rng;
use crate::scenario::spec::CountMode;
use crate::vocab::matrix::TransitionMatrix;

/// The scenario's rows as a [`TransitionMatrix`] for the dataset's K, checked at run time (the
/// scenario check cannot know K for CSV data). The error names the offending row.
pub fn transition(t: &[Vec<f64>], classes: usize) -> Result<TransitionMatrix, NoiseError> {
    let bad = |msg: String| NoiseError::Invalid(format!("noise.matrix: {msg}"));
    let t = TransitionMatrix::new(t).map_err(|problems| {
        let list: Vec<String> = problems
            .iter()
            .map(|p| format!("{p} ({})", p.help()))
            .collect();
        bad(list.join("; "))
    })?;
    if t.classes() != classes {
        return Err(bad(format!(
            "T has {} rows but the dataset has K = {classes} classes; give a {classes}×{classes} matrix, one row per true class",
            t.classes()
        )));
    }
    Ok(t)
}

pub fn apply(truth: &[usize], t: &TransitionMatrix, count: CountMode, rng: &mut Rng) -> Vec<usize> {
    class_conditional(truth, t, count, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::derive;

    #[test]
    fn size_mismatch_and_bad_rows_are_named() {
        let t = vec![vec![0.9, 0.1], vec![0.2, 0.8]];
        let err = transition(&t, 3).unwrap_err().to_string();
        assert!(err.contains("2 rows") && err.contains("K = 3"), "{err}");
        let t = vec![vec![0.9, 0.1], vec![0.5, 0.4]];
        let err = transition(&t, 2).unwrap_err().to_string();
        assert!(err.contains("row 1 sums to 0.9"), "{err}");
        let t = vec![vec![1.2, -0.2], vec![0.2, 0.8]];
        assert!(transition(&t, 2)
            .unwrap_err()
            .to_string()
            .contains("row 0 has the entry 1.2"));
        assert!(transition(&[vec![0.5, 0.5], vec![0.5]], 2)
            .unwrap_err()
            .to_string()
            .contains("row 1 has 1 entries"));
    }

    #[test]
    fn identity_matrix_changes_nothing() {
        let t = vec![
            vec![1.0, 0.0, 0.0],
            vec![0.0, 1.0, 0.0],
            vec![0.0, 0.0, 1.0],
        ];
        let truth: Vec<usize> = (0..30).map(|i| i % 3).collect();
        for count in [CountMode::Exact, CountMode::Bernoulli] {
            let t = transition(&t, 3).unwrap();
            assert_eq!(apply(&truth, &t, count, &mut derive("t", 0, &[])), truth);
        }
    }
}
