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
//! With one class tile of at most 2 classes (K = 2 and the logistic model) the forward pass reads
//! the rows directly and transposes each 8 × 8 block in registers ([`forward_from_rows`]): same
//! chains, same order, no `xt` round trip.
//!
//! Tiles (RT row groups × KT classes forward, DV feature vectors × KT classes backward, chosen per
//! instruction set and class tile by a [`Tiling`]) only decide which chains run side by side in
//! registers; no chain's order depends on them, on the block size or on the instruction set.
//! Outputs are padded to Cp (a multiple of KT) with zero weights so every class tile is full;
//! padded classes never enter the softmax and carry G = 0. Row groups past the last row are not
//! computed (a forward pass ends with single-group tiles), so every kernel adds the same terms.

mod backward_pass;
mod forward_pass;
mod row_loss;

use super::lanes::Lanes;
use super::workspace::Workspace;
use crate::train::loss::RowLoss;
pub(super) use backward_pass::backward;
use backward_pass::bias_gradient;
use forward_pass::transpose;
pub(super) use forward_pass::{forward, forward_from_rows};
use row_loss::row_loss;

/// Where a block's rows come from: row i's D features start at `base + offsets[i]`, which is
/// `base + offsets[0] + i·stride` when `stride` is given.
pub(super) struct Block<'b> {
    pub base: *const f64,
    pub offsets: &'b [usize],
    pub stride: Option<usize>,
    pub labels: &'b [usize],
}

/// The register tiles of one instruction set: its lanes, and the forward and backward passes with
/// the tile sizes chosen for each class tile `ws.kt` (constants, so each gets unrolled code).
pub(super) trait Tiling {
    type V: Lanes;
    /// `forward::<Self::V, RT, KT>` for KT = `ws.kt`.
    ///
    /// # Safety
    /// As [`forward`].
    unsafe fn forward(ws: &mut Workspace, groups: usize);
    /// `forward_from_rows::<Self::V, RT, KT>` for KT = `ws.kt` = `ws.cp` (one class tile).
    ///
    /// # Safety
    /// As [`forward_from_rows`].
    unsafe fn forward_from_rows(ws: &mut Workspace, block: &Block<'_>);
    /// `backward::<Self::V, DV, KT>` for KT = `ws.kt`.
    ///
    /// # Safety
    /// As [`backward`].
    unsafe fn backward(ws: &mut Workspace, block: &Block<'_>);
}

/// # Safety
/// Every `block.base + offsets[i]` must point at `ws.d` readable f64; `offsets.len()` =
/// `labels.len()` ≤ `ws.block`.
#[inline(always)]
pub(super) unsafe fn run_block<T: Tiling>(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    type V<T> = <T as Tiling>::V;
    let n = block.offsets.len();
    debug_assert!(n == block.labels.len() && n <= ws.block);
    let groups = n.div_ceil(8);
    // One class tile of 1 or 2 classes (measured; wider single tiles keep the transpose, whose
    // forward tiles were tuned for them).
    if ws.cp == ws.kt && ws.kt <= 2 {
        prefetch_rows(block, ws.d);
        T::forward_from_rows(ws, block);
    } else {
        transpose::<V<T>>(ws, block, groups);
        T::forward(ws, groups);
    }
    row_loss::<V<T>>(ws, block.labels, loss, groups);
    T::backward(ws, block);
    bias_gradient::<V<T>>(ws, groups);
}

/// Asks for every cache line of the block's rows at once. The forward pass from the rows feeds
/// each load into a multiply-add chain, so the out-of-order window holds few loads at a time; when
/// X streams from memory (larger than the last-level cache) that left the pass waiting on one line
/// after another (200,000 × 32 × 2: 17 → 24 µs per 1,000 rows without this).
#[inline(always)]
unsafe fn prefetch_rows(block: &Block<'_>, d: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let lines = (d * 8).div_ceil(64);
        for &o in block.offsets {
            let row = block.base.add(o) as *const i8;
            for l in 0..lines {
                // SAFETY: a prefetch never faults; the address is within the row or just past it.
                _mm_prefetch::<_MM_HINT_T0>(row.add(l * 64));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (block, d);
}
