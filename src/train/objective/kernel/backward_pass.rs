//! Backward pass: ∇W and ∇b accumulated from the block's rows and G.

use super::Block;
use crate::train::objective::lanes::Lanes;
use crate::train::objective::workspace::Workspace;

/// ∇W[d][k] += Σ_r X[r][d]·G[r][k] over the block's rows in order: tiles of DV feature vectors ×
/// KT classes held in registers over all rows, then single vectors, then the tail vector (the
/// features past the last whole vector, from `ws.tail`).
///
/// # Safety
/// As [`super::run_block`], after the forward pass and the row loss wrote G into `gt`; KT
/// divides `ws.cp`.
#[inline(always)]
pub(in crate::train::objective) unsafe fn backward<V: Lanes, const DV: usize, const KT: usize>(
    ws: &mut Workspace,
    block: &Block<'_>,
) {
    let (d, d8, cp, pitch) = (ws.d, ws.d8, ws.cp, ws.pitch);
    let gt = ws.gt.ptr() as *const f64;
    let acc = ws.acc_w.ptr();
    let tail = ws.tail.ptr() as *const f64;
    let rows = block.offsets.len();
    match block.stride {
        // Rows one after another (a full-batch pass): the next row is one stride further.
        Some(stride) if rows > 0 => {
            let first = block.base.add(block.offsets[0]);
            backward_tiles::<V, DV, KT>(
                |r, f| first.add(r * stride + f),
                rows,
                gt,
                pitch,
                acc,
                tail,
                d,
                d8,
                cp,
            );
        }
        _ => {
            let (base, offsets) = (block.base, block.offsets);
            backward_tiles::<V, DV, KT>(
                |r, f| base.add(offsets[r] + f),
                rows,
                gt,
                pitch,
                acc,
                tail,
                d,
                d8,
                cp,
            );
        }
    }
}

/// The tiles of [`backward`]; `x(r, f)` points at feature f of the block's row r.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn backward_tiles<V: Lanes, const DV: usize, const KT: usize>(
    x: impl Fn(usize, usize) -> *const f64 + Copy,
    rows: usize,
    gt: *const f64,
    pitch: usize,
    acc: *mut f64,
    tail: *const f64,
    d: usize,
    d8: usize,
    cp: usize,
) {
    let (whole, vectors) = (d / 8, d8 / 8);
    let at_row = |v0: usize| move |r: usize| x(r, v0 * 8);
    let mut v0 = 0;
    while v0 + DV <= whole {
        for k0 in (0..cp).step_by(KT) {
            let (g, dst) = (gt.add(k0 * pitch), acc.add(k0 * d8 + v0 * 8));
            weight_tile::<V, DV, KT>(at_row(v0), rows, g, pitch, dst, d8);
        }
        v0 += DV;
    }
    while v0 < vectors {
        for k0 in (0..cp).step_by(KT) {
            let (g, dst) = (gt.add(k0 * pitch), acc.add(k0 * d8 + v0 * 8));
            if v0 < whole {
                weight_tile::<V, 1, KT>(at_row(v0), rows, g, pitch, dst, d8);
            } else {
                let row = |r: usize| tail.add(r * 8);
                weight_tile::<V, 1, KT>(row, rows, g, pitch, dst, d8);
            }
        }
        v0 += 1;
    }
}

/// One register tile of the backward pass: acc[k][v] (at `acc + k·d8 + 8v`) += Σ_r x_r[v]·g[k][r]
/// with x_r = `row(r)` (DV vectors of 8 features) and g[k][r] = `gt[k·pitch + r]`.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // indices name the register tile's rows and columns
unsafe fn weight_tile<V: Lanes, const DV: usize, const KT: usize>(
    row: impl Fn(usize) -> *const f64,
    rows: usize,
    gt: *const f64,
    pitch: usize,
    acc: *mut f64,
    d8: usize,
) {
    let slot = |k: usize, v: usize| acc.add(k * d8 + v * 8);
    // Loops, not `std::array::from_fn` (see `Soft::groups` in the row loss).
    let mut a = [[V::splat(0.0); DV]; KT];
    for k in 0..KT {
        for v in 0..DV {
            a[k][v] = V::load(slot(k, v));
        }
    }
    for r in 0..rows {
        let x = row(r);
        let mut xv = [V::splat(0.0); DV];
        for v in 0..DV {
            xv[v] = V::load(x.add(v * 8));
        }
        for k in 0..KT {
            let g = V::splat(*gt.add(k * pitch + r));
            for v in 0..DV {
                a[k][v] = xv[v].mul_add(g, a[k][v]);
            }
        }
    }
    for (k, vs) in a.iter().enumerate() {
        for (v, x) in vs.iter().enumerate() {
            x.store(slot(k, v));
        }
    }
}

/// ∇b[k] += Σ_r G[r][k], in 8 lanes of rows.
#[inline(always)]
pub(super) unsafe fn bias_gradient<V: Lanes>(ws: &mut Workspace, groups: usize) {
    let gt = ws.gt.ptr() as *const f64;
    let acc_b = ws.acc_b.ptr();
    for k in 0..ws.c {
        let mut a = V::load(acc_b.add(k * 8));
        for g in 0..groups {
            a = a.add(V::load(gt.add(k * ws.pitch + g * 8)));
        }
        a.store(acc_b.add(k * 8));
    }
}
