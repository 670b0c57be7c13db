//! Inverse of a small K×K matrix (Gauss–Jordan with partial pivoting). K is the number of classes,
//! so a dense LAPACK dependency would be out of proportion.

/// The inverse of `a`, or `None` when it is singular to working precision.
pub fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..k).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    let scale = a.iter().flatten().fold(0.0f64, |s, v| s.max(v.abs())).max(1e-300);
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() <= 1e-12 * scale {
            return None;
        }
        m.swap(col, pivot);
        let p = m[col][col];
        m[col].iter_mut().for_each(|v| *v /= p);
        for r in 0..k {
            if r != col {
                let factor = m[r][col];
                if factor != 0.0 {
                    let pivot_row = m[col].clone();
                    m[r].iter_mut().zip(pivot_row).for_each(|(v, pv)| *v -= factor * pv);
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[k..].to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_and_detects_singular() {
        let a = vec![vec![0.8, 0.2], vec![0.3, 0.7]];
        let inv = invert(&a).unwrap();
        for i in 0..2 {
            for j in 0..2 {
                let v: f64 = (0..2).map(|k| a[i][k] * inv[k][j]).sum();
                assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
        assert!(invert(&[vec![0.5, 0.5], vec![0.5, 0.5]]).is_none());
    }
}
