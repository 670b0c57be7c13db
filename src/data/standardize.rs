//! Standardization fitted on the training split, safe at every representable scale.

use super::DataError;
use ndarray::{Array2, ArrayView1};

/// Columns whose largest magnitude lies outside [1e-100, 1e100] are divided by it before their
/// moments are taken: beyond that the squares of the two-pass formula overflow to inf (scale 0)
/// or underflow to 0 (the column reads as constant). Inside it the textbook formula is kept, so
/// results of ordinary data keep their bits.
const ORDINARY: std::ops::RangeInclusive<f64> = 1e-100..=1e100;

/// Standardizes both splits with the training split's column means and population standard
/// deviations. A column is constant only when its training values are all equal: it is centred
/// and left unscaled. A column that cannot be represented once standardized (a test value that
/// overflows, say) is refused with an error naming it.
pub fn standardize(
    x_train: &mut Array2<f64>,
    x_test: &mut Array2<f64>,
    feature_names: &[String],
) -> Result<(), DataError> {
    for j in 0..x_train.ncols() {
        let (shift, divisor, scale) = moments(x_train.column(j));
        let map = |v: f64| (v / divisor - shift) * scale;
        x_train.column_mut(j).mapv_inplace(map);
        x_test.column_mut(j).mapv_inplace(map);
        let finite = |x: &Array2<f64>| x.column(j).iter().all(|v| v.is_finite());
        if !finite(x_train) || !finite(x_test) {
            let name = feature_names
                .get(j)
                .cloned()
                .unwrap_or_else(|| j.to_string());
            return Err(DataError::Invalid(format!(
                "feature column `{name}` cannot be standardized: its values span more than a \
                 64-bit float can hold once centred and scaled (set standardize = false, or \
                 rescale the column)"
            )));
        }
    }
    Ok(())
}

/// (shift, divisor, scale) such that (v / divisor − shift)·scale standardizes the column.
fn moments(col: ArrayView1<'_, f64>) -> (f64, f64, f64) {
    let n = col.len().max(1) as f64;
    let constant = col.iter().all(|&v| v == col[0]);
    let largest = col.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let divisor = if ORDINARY.contains(&largest) || largest == 0.0 || !largest.is_finite() {
        1.0
    } else {
        largest
    };
    let mean = col.iter().map(|v| v / divisor).sum::<f64>() / n;
    if constant {
        return (mean, divisor, 1.0);
    }
    let var = col
        .iter()
        .map(|v| (v / divisor - mean).powi(2))
        .sum::<f64>()
        / n;
    let sd = var.sqrt();
    (mean, divisor, if sd > 0.0 { 1.0 / sd } else { 1.0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn standardized(x: &Array2<f64>) -> Array2<f64> {
        let mut train = x.clone();
        let mut test = x.clone();
        standardize(&mut train, &mut test, &["a".into(), "b".into()]).unwrap();
        train
    }

    /// Standardization is scale invariant: the columns scaled by any representable factor give
    /// the same standardized values (to rounding), with mean 0 and population std 1.
    #[test]
    fn extreme_scales_give_the_unscaled_result() {
        let x = array![
            [1.0, -2.0],
            [2.0, 0.5],
            [4.0, 3.0],
            [-1.5, 7.0],
            [0.25, -4.0]
        ];
        let reference = standardized(&x);
        for col in reference.columns() {
            let mean = col.sum() / 5.0;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 5.0;
            assert!(mean.abs() < 1e-15 && (var - 1.0).abs() < 1e-14);
        }
        for s in [1e300, 1e154, 1e-160, 1e-300, 1e-310] {
            let got = standardized(&x.mapv(|v| v * s));
            for (a, b) in got.iter().zip(&reference) {
                assert!((a - b).abs() < 1e-9, "scale {s}: {a} vs {b}");
            }
        }
    }

    /// Only a column of equal values is constant; a tiny spread around a large mean is not.
    #[test]
    fn constant_means_all_values_equal() {
        let x = array![[5.0, 1000.0], [5.0, 1000.0 + 1e-9], [5.0, 1000.0 - 1e-9]];
        let got = standardized(&x);
        assert!(got.column(0).iter().all(|&v| v == 0.0));
        assert!(
            (got[[1, 1]] - 1.5_f64.sqrt()).abs() < 1e-5,
            "{}",
            got[[1, 1]]
        );
    }

    #[test]
    fn an_unrepresentable_test_value_is_refused_by_name() {
        let mut train = array![[1e-300], [2e-300]];
        let mut test = array![[1e300]];
        let err = standardize(&mut train, &mut test, &["tiny".into()]).unwrap_err();
        assert!(err.to_string().contains("`tiny`"), "{err}");
    }
}
