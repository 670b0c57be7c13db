//! Stratified folds for cross-fitting: each class's samples are shuffled and dealt round-robin, so
//! every fold holds ⌊n_k/F⌋ or ⌈n_k/F⌉ samples of class k and the fold sizes differ by at most one.

use crate::rng::Rng;
use rand::Rng as _;

/// The fold (0..folds) of each sample, from the labels and a generator (deterministic).
pub fn stratified(labels: &[usize], classes: usize, folds: usize, rng: &mut Rng) -> Vec<usize> {
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &y) in labels.iter().enumerate() {
        by_class[y].push(i);
    }
    let mut fold = vec![0; labels.len()];
    // Dealing continues where the previous class stopped, so small classes do not all land in
    // fold 0.
    let mut next = 0;
    for members in &mut by_class {
        // Fisher–Yates.
        for i in (1..members.len()).rev() {
            let j = rng.gen_range(0..=i);
            members.swap(i, j);
        }
        for &i in members.iter() {
            fold[i] = next % folds;
            next += 1;
        }
    }
    fold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_balanced_and_reproducible() {
        let labels: Vec<usize> = (0..103).map(|i| usize::from(i % 10 < 3)).collect();
        let rng = || crate::rng::derive("folds", 1, &["t"]);
        let f = stratified(&labels, 2, 5, &mut rng());
        assert_eq!(f, stratified(&labels, 2, 5, &mut rng()));
        for k in 0..2 {
            let n_k = labels.iter().filter(|&&y| y == k).count();
            for fold in 0..5 {
                let c = (0..103).filter(|&i| labels[i] == k && f[i] == fold).count();
                assert!(
                    c == n_k / 5 || c == n_k.div_ceil(5),
                    "class {k} fold {fold}: {c}"
                );
            }
        }
        let sizes: Vec<usize> = (0..5)
            .map(|g| f.iter().filter(|&&x| x == g).count())
            .collect();
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
    }
}
