//! The corrections' per-label numbers, one row per observed label y, so a lane group gathers its
//! 8 labels' numbers with whole-row transposes instead of scalar loads per class.

use crate::train::loss::RowLoss;

/// Row width for K classes: K numbers and one more (backward's row sum), rounded up to whole
/// lane vectors.
pub(super) fn width(k: usize) -> usize {
    (k + 1).div_ceil(8) * 8
}

/// Row y of each correction, zero-padded to [`width`]:
/// * forward: T[i][y] for i < K (column y of T, as e^(ln T) from the stored ln T);
/// * backward: T⁻¹[y][j] for j < K, then Σⱼ T⁻¹[y][j] in j order.
///
/// Empty for the other losses.
pub(super) fn build(loss: &RowLoss) -> Vec<f64> {
    match loss {
        RowLoss::Forward { ln_t, classes } => {
            let (k, w) = (*classes, width(*classes));
            let mut table = vec![0.0; k * w];
            for y in 0..k {
                for i in 0..k {
                    table[y * w + i] = ln_t[i * k + y].exp();
                }
            }
            table
        }
        RowLoss::Backward { t_inv, classes } => {
            let (k, w) = (*classes, width(*classes));
            let mut table = vec![0.0; k * w];
            for y in 0..k {
                let row = &t_inv[y * k..(y + 1) * k];
                table[y * w..y * w + k].copy_from_slice(row);
                table[y * w + k] = row.iter().sum();
            }
            table
        }
        _ => Vec::new(),
    }
}
