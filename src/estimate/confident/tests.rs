//! Confident learning on a hand-made example, every number computed by hand below.
//!
//! cleanlab 2.9 gives the same on this matrix (`scripts/crosscheck/cleanlab_check.py --hand`
//! prints `compute_confident_joint(calibrate=False)` = [[2,1,0],[0,2,1],[0,0,1]], the calibrated
//! joint [[3,1,0],[0,2,1],[0,0,2]] and `find_label_issues` = samples 2 and 5); the assertions are
//! against the hand computation.

use super::*;
use crate::estimate::numpy_sum;
use ndarray::{array, Array2};

/// Nine samples, K = 3: sample 2 (labelled 0) looks like class 1, sample 5 (labelled 1) like class
/// 2, sample 8 (labelled 0) is unsure, sample 7 (labelled 2) is below every threshold.
fn example() -> (Array2<f64>, Vec<usize>) {
    let p = array![
        [0.8, 0.1, 0.1],
        [0.6, 0.3, 0.1],
        [0.2, 0.7, 0.1],
        [0.1, 0.8, 0.1],
        [0.2, 0.6, 0.2],
        [0.1, 0.2, 0.7],
        [0.1, 0.1, 0.8],
        [0.3, 0.1, 0.6],
        [0.4, 0.3, 0.3],
    ];
    (p, vec![0, 0, 0, 1, 1, 1, 2, 2, 0])
}

#[test]
fn thresholds_are_mean_self_confidence() {
    let (p, y) = example();
    let t = thresholds(p.view(), &y);
    // t0 = (0.8 + 0.6 + 0.2 + 0.4)/4, t1 = (0.8 + 0.6 + 0.2)/3, t2 = (0.8 + 0.6)/2.
    for (got, want) in t.iter().zip([0.5, 1.6 / 3.0, 0.7]) {
        assert!((got - want).abs() < 1e-15, "{t:?}");
    }
}

/// Confident classes (p_j ≥ t_j − 1e-6): samples 0, 1 → 0; 2 → 1; 3, 4 → 1; 5 → 2 (0.7 ≥ t2 −
/// 1e-6); 6 → 2; 7 and 8 none. Raw C[observed][true] = [[2,1,0],[0,2,1],[0,0,1]]. Label counts
/// (4, 3, 2): row 0 scaled by 4/3 → (2.67, 1.33, 0) → (3, 1, 0); row 2 by 2 → (0, 0, 2); total 9 = n.
#[test]
fn confident_joint_by_hand() {
    let (p, y) = example();
    let a = analyze(p.view(), &y);
    assert_eq!(a.raw, vec![vec![2, 1, 0], vec![0, 2, 1], vec![0, 0, 1]]);
    assert_eq!(
        a.calibrated,
        vec![vec![3, 1, 0], vec![0, 2, 1], vec![0, 0, 2]]
    );
    // Column sums (true classes) 3, 3, 3: T̂[i][j] = C[j][i]/3.
    let third = 1.0 / 3.0;
    assert_eq!(
        a.transition,
        vec![
            vec![1.0, 0.0, 0.0],
            vec![third, 2.0 * third, 0.0],
            vec![0.0, third, 2.0 * third]
        ]
    );
    assert_eq!(a.estimated_errors, 2);
    // Observed 0, true 1 (one sample): the largest p1 − p0 among labels 0 is sample 2 (0.5);
    // observed 1, true 2: sample 5 (0.5). Neither is predicted as its own label.
    let flagged: Vec<usize> = (0..9).filter(|&i| a.issues[i]).collect();
    assert_eq!(flagged, vec![2, 5]);
}

/// A sample predicted as its own label is never flagged, even when a pruning count names it.
#[test]
fn predicted_as_observed_is_not_an_issue() {
    let p = array![[0.9, 0.1], [0.55, 0.45], [0.2, 0.8], [0.3, 0.7]];
    let y = vec![0, 0, 1, 1];
    // Pruning count 1 from observed 0 to true 1: sample 1 (margin −0.1) is the largest, but its
    // argmax is its label 0.
    let flagged = label_issues(p.view(), &y, &[vec![1, 1], vec![0, 2]]);
    assert_eq!(flagged, vec![false; 4]);
}

/// Rounding keeps the total: (2.6, 2.6, 2.8) rounds to 9 but sums to 8, so the entry rounded up
/// the most (the first of the tied 2.6s) goes down; (0.4, 0.4, 0.2) sums to 1, so the entry rounded
/// down the most goes up, the later of the tie first (NumPy's reversed stable argsort).
#[test]
fn rounding_preserves_the_sum() {
    assert_eq!(round_preserving_sum(&[2.6, 2.6, 2.8]), vec![2, 3, 3]);
    assert_eq!(round_preserving_sum(&[0.4, 0.4, 0.2]), vec![0, 1, 0]);
    assert_eq!(round_preserving_sum(&[2.5, 0.5]), vec![2, 1]);
}

/// NumPy's pairwise summation differs from a running sum; the block structure is the one of
/// `pairwise_sum` in NumPy's loops_utils.h.
#[test]
fn numpy_sum_groups_as_numpy() {
    let v: Vec<f64> = (0..20).map(|i| 0.1 * i as f64).collect();
    let r: Vec<f64> = (0..8).map(|j| v[j] + v[j + 8]).collect();
    let want = ((r[0] + r[1]) + (r[2] + r[3]))
        + ((r[4] + r[5]) + (r[6] + r[7]))
        + v[16]
        + v[17]
        + v[18]
        + v[19];
    assert_eq!(numpy_sum(&v), want);
    assert_eq!(numpy_sum(&[1.0, 2.0]), 3.0);
}
