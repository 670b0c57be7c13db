//! `kind = "given"`: the observed labels come from the data (real annotators, CIFAR-10N-style
//! label files) instead of a noise model. Nothing is drawn: the realized noise is what the
//! observed labels differ from the true ones in, and the "true" transition matrix of the
//! corrections is the one realized in the training split.

use super::NoisyLabels;
use crate::vocab::matrix::TransitionMatrix;

/// The training labels with the given observed labels (aligned with `truth`, classes 0..K).
pub fn apply(truth: &[usize], observed: Vec<usize>, classes: usize) -> NoisyLabels {
    NoisyLabels::from_labels(truth, observed, classes)
}

/// The realized transition matrix: counts[i][j] / Σⱼ counts[i][j], T[i][j] ≈ P(observed j | true
/// i) in the training split. A class without training samples has no realized row; its row is the
/// identity row (observed as itself), so the matrix stays row-stochastic and a correction leaves
/// that class as it is.
pub fn realized_matrix(counts: &[Vec<usize>]) -> TransitionMatrix {
    let rows: Vec<Vec<f64>> = counts
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let n: usize = row.iter().sum();
            (0..row.len())
                .map(|j| match n {
                    0 => f64::from(u8::from(i == j)),
                    _ => row[j] as f64 / n as f64,
                })
                .collect()
        })
        .collect();
    TransitionMatrix::new(&rows).expect("row-normalized counts are row-stochastic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realized_rows_are_normalized_counts_and_an_empty_row_is_the_identity() {
        let t = realized_matrix(&[vec![3, 1, 0], vec![0, 0, 0], vec![0, 2, 2]]);
        assert_eq!(t.get(0, 0), 0.75);
        assert_eq!(t.get(0, 1), 0.25);
        assert_eq!((t.get(1, 0), t.get(1, 1), t.get(1, 2)), (0.0, 1.0, 0.0));
        assert_eq!((t.get(2, 1), t.get(2, 2)), (0.5, 0.5));
    }

    #[test]
    fn labels_differing_in_m_places_flip_m_and_count_each_pair() {
        let truth = [0, 1, 2, 0, 1, 2];
        let noisy = apply(&truth, vec![0, 2, 2, 1, 1, 0], 3);
        assert_eq!(noisy.realized.flipped, 3);
        assert_eq!(noisy.realized.flipped_ids, [1, 3, 5]);
        assert_eq!(
            noisy.realized.transitions,
            [vec![1, 1, 0], vec![0, 1, 1], vec![1, 0, 1]]
        );
    }
}
