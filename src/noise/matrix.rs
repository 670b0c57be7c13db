//! Noise from a row-stochastic transition matrix given in the scenario file,
//! T[i][j] = P(observed j | true i) (the notation of Patrini et al. 2017).

use super::counting::class_conditional;
use super::NoiseError;
use crate::rng::Rng;
use crate::scenario::spec::CountMode;

/// Checks `t` against the dataset's K at run time (the scenario check cannot know K for CSV data):
/// K×K, entries in [0, 1], rows summing to 1 within 1e-9. The error names the offending row.
pub fn validate(t: &[Vec<f64>], classes: usize) -> Result<(), NoiseError> {
    let bad = |msg: String| Err(NoiseError::Invalid(format!("noise.matrix: {msg}")));
    if t.len() != classes {
        return bad(format!(
            "T has {} rows but the dataset has K = {classes} classes; give a {classes}×{classes} matrix, one row per true class",
            t.len()
        ));
    }
    for (i, row) in t.iter().enumerate() {
        if row.len() != classes {
            return bad(format!(
                "row {i} has {} entries, expected K = {classes}",
                row.len()
            ));
        }
        if let Some(v) = row.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            return bad(format!(
                "row {i} has the entry {v}; entries are probabilities in [0, 1]"
            ));
        }
        let sum: f64 = row.iter().sum();
        if (sum - 1.0).abs() > 1e-9 {
            return bad(format!(
                "row {i} sums to {}, not 1 (within 1e-9); row i is P(observed j | true i)",
                (sum * 1e12).round() / 1e12
            ));
        }
    }
    Ok(())
}

pub fn apply(
    truth: &[usize],
    classes: usize,
    t: &[Vec<f64>],
    count: CountMode,
    rng: &mut Rng,
) -> Result<Vec<usize>, NoiseError> {
    validate(t, classes)?;
    Ok(class_conditional(truth, t, count, rng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::derive;

    #[test]
    fn size_mismatch_and_bad_rows_are_named() {
        let t = vec![vec![0.9, 0.1], vec![0.2, 0.8]];
        let err = apply(
            &[0, 1, 2],
            3,
            &t,
            CountMode::Exact,
            &mut derive("t", 0, &[]),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("2 rows") && err.to_string().contains("K = 3"),
            "{err}"
        );
        let t = vec![vec![0.9, 0.1], vec![0.2, 0.7]];
        let err = validate(&t, 2).unwrap_err().to_string();
        assert!(err.contains("row 1 sums to 0.9"), "{err}");
        let t = vec![vec![1.2, -0.2], vec![0.2, 0.8]];
        assert!(validate(&t, 2)
            .unwrap_err()
            .to_string()
            .contains("row 0 has the entry 1.2"));
        assert!(validate(&[vec![0.5, 0.5], vec![0.5]], 2)
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
            assert_eq!(
                apply(&truth, 3, &t, count, &mut derive("t", 0, &[])).unwrap(),
                truth
            );
        }
    }
}
