//! Forward pass: the block's rows transposed into lane columns, then the logits.

use super::Block;
use crate::train::objective::lanes::Lanes;
use crate::train::objective::workspace::Workspace;

/// xt[d][r] = row r's feature d, for `groups`·8 rows (rows past the block read as zeros).
#[inline(always)]
pub(super) unsafe fn transpose<V: Lanes>(ws: &mut Workspace, block: &Block<'_>, groups: usize) {
    let (d, stride) = (ws.d, ws.pitch);
    let zero = ws.zeros.as_ptr();
    let xt = ws.xt.ptr();
    let tail = ws.tail.ptr();
    let full = d / 8 * 8;
    let row = |r: usize| match block.offsets.get(r) {
        Some(&o) => block.base.add(o),
        None => zero,
    };
    for g in 0..groups {
        let ptrs: [*const f64; 8] = std::array::from_fn(|i| row(g * 8 + i));
        let mut j = 0;
        while j < full {
            V::transpose8(&ptrs, j, xt.add(j * stride + g * 8), stride);
            j += 8;
        }
        for f in full..d {
            for (i, p) in ptrs.iter().enumerate() {
                let v = *p.add(f);
                *xt.add(f * stride + g * 8 + i) = v;
                *tail.add((g * 8 + i) * 8 + f - full) = v;
            }
        }
    }
}

/// zt[k][r] = b[k] + Σ_d xt[d][r]·W[d][k], the sum in feature order: tiles of RT row groups × KT
/// classes, then single groups for the rows left.
///
/// # Safety
/// `xt` holds `groups` transposed row groups; `groups`·8 ≤ `ws.pitch`; KT divides `ws.cp`.
#[inline(always)]
pub(in crate::train::objective) unsafe fn forward<V: Lanes, const RT: usize, const KT: usize>(
    ws: &mut Workspace,
    groups: usize,
) {
    debug_assert!(ws.cp.is_multiple_of(KT));
    for k0 in (0..ws.cp).step_by(KT) {
        let mut g0 = 0;
        while g0 + RT <= groups {
            forward_tile::<V, RT, KT>(ws, g0, k0);
            g0 += RT;
        }
        while g0 < groups {
            forward_tile::<V, 1, KT>(ws, g0, k0);
            g0 += 1;
        }
    }
}

/// One register tile: row groups g0..g0+RT × classes k0..k0+KT over all features.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // indices name the register tile's rows and columns
unsafe fn forward_tile<V: Lanes, const RT: usize, const KT: usize>(
    ws: &mut Workspace,
    g0: usize,
    k0: usize,
) {
    let (d, cp, stride) = (ws.d, ws.cp, ws.pitch);
    let xt = ws.xt.ptr() as *const f64;
    let w = ws.w.ptr() as *const f64;
    let bias = ws.bias.ptr() as *const f64;
    let zt = ws.zt.ptr();
    // Loops, not `std::array::from_fn` (see `Soft::groups` in the row loss).
    let mut acc = [[V::splat(0.0); KT]; RT];
    for row in acc.iter_mut() {
        for (k, a) in row.iter_mut().enumerate() {
            *a = V::splat(*bias.add(k0 + k));
        }
    }
    for f in 0..d {
        let mut x = [V::splat(0.0); RT];
        for r in 0..RT {
            x[r] = V::load(xt.add(f * stride + (g0 + r) * 8));
        }
        let wf = w.add(f * cp + k0);
        for k in 0..KT {
            let wk = V::splat(*wf.add(k));
            for r in 0..RT {
                acc[r][k] = x[r].mul_add(wk, acc[r][k]);
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (k, a) in row.iter().enumerate() {
            a.store(zt.add((k0 + k) * stride + (g0 + r) * 8));
        }
    }
}
