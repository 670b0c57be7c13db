//! The fused evaluation kernel over one block of rows, written once against [`Lanes`].
//!
//! Layout. A block of up to `block` rows is transposed into `xt` (D × pitch: feature-major, a
//! row's features in one lane column), so the forward pass and the softmax vectorize over 8 rows at
//! a time, exactly and without horizontal sums:
//! * forward: `zt[k][r] = b[k] + Σ_d xt[d][r]·W[d][k]`, one fused multiply-add chain per element in
//!   feature order;
//! * row loss: softmax over the K rows of `zt` lane by lane, loss and G = ∂loss/∂z into `gt`, for
//!   every method and the logistic model;
//! * backward: `∇W[d][k] += Σ_r X[r][d]·G[r][k]` from the rows as stored (8 features per lane
//!   vector, G broadcast), one chain per weight in row order across all blocks.
//!
//! Tiles (RT row groups × KT classes forward, DV feature vectors × KT classes backward) only decide
//! which chains run side by side in registers; no chain's order depends on them, on the block size
//! or on the instruction set. Outputs are padded to Cp (a multiple of KT) with zero weights so every
//! tile is full; padded classes never enter the softmax and carry G = 0.

/// Calls `$f::<V, R, KT>` with the class tile `$kt` as a constant, so each tile size gets its own
/// fully unrolled code.
macro_rules! by_class_tile {
    ($kt:expr, $f:ident::<$v:ty, $r:ident>($($arg:expr),*)) => {
        match $kt {
            1 => $f::<$v, $r, 1>($($arg),*),
            2 => $f::<$v, $r, 2>($($arg),*),
            3 => $f::<$v, $r, 3>($($arg),*),
            4 => $f::<$v, $r, 4>($($arg),*),
            5 => $f::<$v, $r, 5>($($arg),*),
            6 => $f::<$v, $r, 6>($($arg),*),
            _ => unreachable!("class tiles have 1 to 6 classes"),
        }
    };
}

mod backward_pass;
mod forward_pass;
mod row_loss;

use super::lanes::Lanes;
use super::workspace::Workspace;
use crate::train::loss::RowLoss;
use backward_pass::{backward_dispatch, bias_gradient};
use forward_pass::{forward_dispatch, transpose};
use row_loss::row_loss;

/// Where a block's rows come from: row i's D features start at `base + offsets[i]`, which is
/// `base + offsets[0] + i·stride` when `stride` is given.
pub(super) struct Block<'b> {
    pub base: *const f64,
    pub offsets: &'b [usize],
    pub stride: Option<usize>,
    pub labels: &'b [usize],
}

/// # Safety
/// Every `block.base + offsets[i]` must point at `ws.d` readable f64; `offsets.len()` =
/// `labels.len()` ≤ `ws.block`.
#[inline(always)]
pub(super) unsafe fn run_block<V: Lanes, const RT: usize, const DV: usize>(
    ws: &mut Workspace,
    block: &Block<'_>,
    loss: &RowLoss,
) {
    let n = block.offsets.len();
    debug_assert!(n == block.labels.len() && n <= ws.block);
    debug_assert!(ws.block.is_multiple_of(8 * RT));
    let groups = n.div_ceil(8 * RT) * RT;
    transpose::<V>(ws, block, groups);
    forward_dispatch::<V, RT>(ws, groups);
    row_loss::<V>(ws, block.labels, loss, groups);
    backward_dispatch::<V, DV>(ws, block);
    bias_gradient::<V>(ws, groups);
}
