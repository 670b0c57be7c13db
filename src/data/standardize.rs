//! Standardization fitted on the training split, safe at every representable scale.

use super::DataError;
use ndarray::{Array2, ArrayView2};

/// Columns whose largest magnitude lies outside [1e-100, 1e100] are divided by it before their
/// moments are taken: beyond that the squares of the two-pass formula overflow to inf (scale 0)
/// or underflow to 0 (the column reads as constant). Inside it the textbook formula is kept, so
/// results of ordinary data keep their bits.
const ORDINARY: std::ops::RangeInclusive<f64> = 1e-100..=1e100;

/// Standardizes both splits with the training split's column means and population standard
/// deviations. A column is constant only when its training values are all equal: it is centred
/// and left unscaled. A column that cannot be represented once standardized (a test value that
/// overflows, say) is refused with an error naming it.
///
/// Rows are read in memory order with one accumulator per column (a column at a time strides
/// through the whole matrix, seconds for 50,000 × 512); each column's sums still run over its
/// rows in order, so the results are the same bits as the column-at-a-time formula.
pub fn standardize(
    x_train: &mut Array2<f64>,
    x_test: &mut Array2<f64>,
    feature_names: &[String],
) -> Result<(), DataError> {
    let maps = moments(x_train.view());
    let mut finite = vec![true; maps.len()];
    for x in [x_train, x_test] {
        for mut row in x.rows_mut() {
            for ((v, m), ok) in row.iter_mut().zip(&maps).zip(finite.iter_mut()) {
                *v = (*v / m.divisor - m.shift) * m.scale;
                *ok &= v.is_finite();
            }
        }
    }
    if let Some(j) = finite.iter().position(|ok| !ok) {
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
    Ok(())
}

/// (v / divisor − shift)·scale standardizes a column.
#[derive(Clone, Copy)]
struct ColumnMap {
    shift: f64,
    divisor: f64,
    scale: f64,
}

/// The map of every column, from two-pass moments. Sums start at −0.0 and add the rows in order,
/// exactly as `Iterator::sum` over one column does.
fn moments(x: ArrayView2<'_, f64>) -> Vec<ColumnMap> {
    let d = x.ncols();
    let n = x.nrows().max(1) as f64;
    let mut constant = vec![true; d];
    let mut largest = vec![0.0_f64; d];
    let first = x.rows().into_iter().next();
    for row in x.rows() {
        for (j, &v) in row.iter().enumerate() {
            constant[j] &= first.is_some_and(|f| v == f[j]);
            largest[j] = largest[j].max(v.abs());
        }
    }
    let divisor: Vec<f64> = largest
        .iter()
        .map(|&l| {
            if ORDINARY.contains(&l) || l == 0.0 || !l.is_finite() {
                1.0
            } else {
                l
            }
        })
        .collect();
    let mut sum = vec![-0.0_f64; d];
    for row in x.rows() {
        for ((s, &v), &div) in sum.iter_mut().zip(row).zip(&divisor) {
            *s += v / div;
        }
    }
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let mut squares = vec![-0.0_f64; d];
    for row in x.rows() {
        for (j, (q, &v)) in squares.iter_mut().zip(row).enumerate() {
            *q += (v / divisor[j] - mean[j]).powi(2);
        }
    }
    (0..d)
        .map(|j| {
            let sd = (squares[j] / n).sqrt();
            let scale = if !constant[j] && sd > 0.0 {
                1.0 / sd
            } else {
                1.0
            };
            ColumnMap {
                shift: mean[j],
                divisor: divisor[j],
                scale,
            }
        })
        .collect()
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

    /// The column-at-a-time two-pass formula (the code before rows were read in memory order).
    fn column_reference(col: ndarray::ArrayView1<'_, f64>) -> Vec<f64> {
        let n = col.len() as f64;
        let constant = col.iter().all(|&v| v == col[0]);
        let largest = col.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let divisor = if ORDINARY.contains(&largest) || largest == 0.0 {
            1.0
        } else {
            largest
        };
        let mean = col.iter().map(|v| v / divisor).sum::<f64>() / n;
        let var = col
            .iter()
            .map(|v| (v / divisor - mean).powi(2))
            .sum::<f64>()
            / n;
        let scale = if !constant && var.sqrt() > 0.0 {
            1.0 / var.sqrt()
        } else {
            1.0
        };
        col.iter().map(|v| (v / divisor - mean) * scale).collect()
    }

    /// Rows in memory order give the column formula's bits, at every scale and for constant and
    /// negative-zero columns.
    #[test]
    fn row_order_gives_the_column_formulas_bits() {
        let mut rng = crate::rng::derive("standardize", 0, &[]);
        use rand::Rng as _;
        let scales = [1.0, 1e-120, 3e150, -7.5];
        let mut x = Array2::from_shape_fn((257, 6), |(_, j)| match j {
            4 => 2.5,
            5 => -0.0,
            _ => rng.gen_range(-3.0..3.0) * scales[j],
        });
        x[[0, 5]] = -0.0;
        let mut test = x.slice(ndarray::s![..3, ..]).to_owned();
        let mut got = x.clone();
        let names: Vec<String> = (0..6).map(|j| j.to_string()).collect();
        standardize(&mut got, &mut test, &names).unwrap();
        for j in 0..6 {
            let want = column_reference(x.column(j));
            for (i, (a, b)) in got.column(j).iter().zip(&want).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "row {i}, column {j}: {a} vs {b}");
            }
            assert_eq!(test.column(j), got.column(j).slice(ndarray::s![..3]));
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
