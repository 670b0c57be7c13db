//! Noise estimation and noise finding from predicted probabilities and noisy labels alone.
//!
//! Every function here is a pure function of an n×K matrix of predicted probabilities (rows sum
//! to 1) and the observed labels, so each can be tested by hand and cross-checked against the
//! reference implementations (`scripts/crosscheck/cleanlab_check.py`: cleanlab 2.9 and a NumPy
//! transcription of Patrini et al.'s code). Training the models that give the probabilities is
//! the engine's job (`engine::estimated`).
//!
//! * [`anchor`]: the anchor-point estimator of T (Patrini et al. 2017).
//! * [`confident`]: confident learning (Northcutt et al. 2021): thresholds, the confident joint,
//!   its calibration, T̂, and the prune-by-noise-rate label-issue set.
//! * [`folds`]: stratified cross-fitting folds.
//! * [`rank`]: how well a score finds the wrong labels (precision/recall/F1 at m, AUROC, AP).

pub mod anchor;
pub mod confident;
pub mod folds;
pub mod rank;

/// The row-stochastic T of transition counts: T[i][j] = counts[i][j] / Σⱼ counts[i][j] (a class
/// without samples gets the identity row: nothing is known of its noise).
pub fn row_normalized(counts: &[Vec<usize>]) -> Vec<Vec<f64>> {
    counts
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let total: usize = row.iter().sum();
            (0..row.len())
                .map(|j| match total {
                    0 => f64::from(u8::from(i == j)),
                    t => row[j] as f64 / t as f64,
                })
                .collect()
        })
        .collect()
}

/// The index of the first largest value (NumPy's `argmax`).
pub fn first_argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// NumPy's `sum` of a contiguous float64 array: 0 plus pairwise sums of blocks of at most 8192
/// elements (the reduction's buffer), each summed pairwise with 8 accumulators below 128, so
/// means and totals are the same floats as cleanlab's.
pub fn numpy_sum(values: &[f64]) -> f64 {
    values.chunks(8192).fold(0.0, |acc, c| acc + pairwise(c))
}

fn pairwise(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(-0.0, |s, v| s + v)
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let full = n - n % 8;
        for block in a[8..full].chunks_exact(8) {
            for (acc, v) in r.iter_mut().zip(block) {
                *acc += v;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &a[full..] {
            res += v;
        }
        res
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise(&a[..half]) + pairwise(&a[half..])
    }
}

/// ‖A − B‖_F and max |A − B| over entries (same shapes).
pub fn matrix_error(a: &[Vec<f64>], b: &[Vec<f64>]) -> (f64, f64) {
    let diffs = a
        .iter()
        .zip(b)
        .flat_map(|(ra, rb)| ra.iter().zip(rb).map(|(x, y)| (x - y).abs()));
    let (sq, max) = diffs.fold((0.0, 0.0f64), |(s, m), d| (s + d * d, m.max(d)));
    (sq.sqrt(), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realized_matrix_and_its_error() {
        let t = row_normalized(&[vec![3, 1], vec![0, 0]]);
        assert_eq!(t, vec![vec![0.75, 0.25], vec![0.0, 1.0]]);
        let (fro, max) = matrix_error(&t, &[vec![1.0, 0.0], vec![0.0, 1.0]]);
        assert!((fro - (0.125f64).sqrt()).abs() < 1e-15 && max == 0.25);
    }
}
