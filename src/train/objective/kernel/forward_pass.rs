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

/// The forward pass of a single class tile (Cp = KT) straight from the block's rows: each group's
/// 8 × 8 blocks are transposed in registers and fed to the multiply-adds, so `xt` is neither
/// written nor read (the transpose was about a third of the work at K ≤ 2). The D mod 8 features
/// past the last whole vector are gathered lane by lane and kept in `ws.tail` for the backward
/// pass. The same chains as [`transpose`] then [`forward`]: bias, then features in order.
///
/// # Safety
/// As [`super::run_block`]; `ws.cp` = KT.
#[inline(always)]
pub(in crate::train::objective) unsafe fn forward_from_rows<
    V: Lanes,
    const RT: usize,
    const KT: usize,
>(
    ws: &mut Workspace,
    block: &Block<'_>,
) {
    debug_assert_eq!(ws.cp, KT);
    let n = block.offsets.len();
    let whole = n / 8;
    match block.stride {
        // Rows one after another: row r's address is one multiply-add, no table.
        Some(stride) if n > 0 => {
            let first = block.base.add(block.offsets[0]);
            groups_from_rows::<V, RT, KT>(ws, |r| first.add(r * stride), whole);
        }
        _ => {
            let (base, offsets) = (block.base, block.offsets);
            groups_from_rows::<V, RT, KT>(ws, |r| base.add(offsets[r]), whole);
        }
    }
    if whole < n.div_ceil(8) {
        // The last group's rows past the block read as zeros.
        let zero = ws.zeros.as_ptr();
        let row = |r: usize| block.offsets.get(r).map_or(zero, |&o| block.base.add(o));
        tile_from_rows::<V, 1, KT>(ws, row, whole);
    }
}

/// Groups 0..`whole` of 8 rows each (`row(r)` points at row r): tiles of RT groups, then single
/// groups.
#[inline(always)]
unsafe fn groups_from_rows<V: Lanes, const RT: usize, const KT: usize>(
    ws: &mut Workspace,
    row: impl Fn(usize) -> *const f64 + Copy,
    whole: usize,
) {
    let mut g0 = 0;
    while g0 + RT <= whole {
        tile_from_rows::<V, RT, KT>(ws, row, g0);
        g0 += RT;
    }
    while g0 < whole {
        tile_from_rows::<V, 1, KT>(ws, row, g0);
        g0 += 1;
    }
}

/// One register tile from the rows: groups g0..g0+RT × all KT classes over all features.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // indices name the register tile's rows and columns
unsafe fn tile_from_rows<V: Lanes, const RT: usize, const KT: usize>(
    ws: &mut Workspace,
    row: impl Fn(usize) -> *const f64 + Copy,
    g0: usize,
) {
    let (d, stride) = (ws.d, ws.pitch);
    let full = d / 8 * 8;
    let w = ws.w.ptr() as *const f64;
    let bias = ws.bias.ptr() as *const f64;
    let (zt, tail) = (ws.zt.ptr(), ws.tail.ptr());
    let group_rows = |g: usize| -> [*const f64; 8] { std::array::from_fn(|i| row(g * 8 + i)) };
    let mut acc = [[V::splat(0.0); KT]; RT];
    for row in acc.iter_mut() {
        for (k, a) in row.iter_mut().enumerate() {
            *a = V::splat(*bias.add(k));
        }
    }
    let mut f0 = 0;
    while f0 < full {
        for r in 0..RT {
            acc[r] = V::transpose8_mul_add(&group_rows(g0 + r), f0, w.add(f0 * KT), acc[r]);
        }
        f0 += 8;
    }
    for f in full..d {
        for r in 0..RT {
            let g = g0 + r;
            let mut lanes = [0.0f64; 8];
            for (i, lane) in lanes.iter_mut().enumerate() {
                *lane = *row(g * 8 + i).add(f);
                *tail.add((g * 8 + i) * 8 + f - full) = *lane;
            }
            let x = V::load(lanes.as_ptr());
            for k in 0..KT {
                acc[r][k] = x.mul_add(V::splat(*w.add(f * KT + k)), acc[r][k]);
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (k, a) in row.iter().enumerate() {
            a.store(zt.add(k * stride + (g0 + r) * 8));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::objective::lanes::Portable;
    use crate::train::objective::workspace::Tiles;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    /// The logits (C × groups·8) and the tail block after a forward pass, as bits.
    fn outputs(ws: &Workspace, groups: usize) -> Vec<u64> {
        let zt = ws.zt.as_slice();
        let rows = (0..ws.c).flat_map(|k| &zt[k * ws.pitch..k * ws.pitch + groups * 8]);
        rows.chain(ws.tail.as_slice())
            .map(|v| v.to_bits())
            .collect()
    }

    /// (transpose then forward, forward from the rows) on one block.
    unsafe fn both<V: Lanes, const RT: usize, const KT: usize>(
        ws: &mut Workspace,
        block: &Block<'_>,
    ) -> (Vec<u64>, Vec<u64>) {
        let groups = block.offsets.len().div_ceil(8);
        let mut run = |fused: bool| {
            ws.zt.as_mut_slice().fill(f64::NAN);
            ws.tail.as_mut_slice().fill(0.0);
            if fused {
                forward_from_rows::<V, RT, KT>(ws, block);
            } else {
                transpose::<V>(ws, block, groups);
                forward::<V, RT, KT>(ws, groups);
            }
            outputs(ws, groups)
        };
        (run(false), run(true))
    }

    #[test]
    fn forward_from_rows_gives_the_bits_of_transpose_then_forward() {
        // (rows, D, C): whole and partial groups, fewer rows than a group, a full block; D with
        // and without a tail, narrower than one vector.
        let shapes = [
            (29, 37, 1),
            (32, 64, 2),
            (5, 9, 2),
            (8, 8, 1),
            (17, 3, 2),
            (32, 70, 1),
        ];
        let mut rng = ChaCha20Rng::seed_from_u64(17);
        for (n, d, c) in shapes {
            let x: Vec<f64> = (0..(n + 7) * d).map(|_| rng.gen_range(-2.0..2.0)).collect();
            let theta: Vec<f64> = (0..(d + 1) * c).map(|_| rng.gen_range(-0.7..0.7)).collect();
            let mut ws = Workspace::new(d, c, 2, Tiles { kt_max: 5 });
            ws.begin(&theta);
            let labels = vec![0; n];
            let evenly: Vec<usize> = (0..n).map(|i| (i + 2) * d).collect();
            let shuffled: Vec<usize> = (0..n).map(|i| (i * 5 + 3) % (n + 7) * d).collect();
            for (offsets, stride) in [(&evenly, Some(d)), (&shuffled, None)] {
                let block = Block {
                    base: x.as_ptr(),
                    offsets,
                    stride,
                    labels: &labels,
                };
                let what = format!("n={n} d={d} c={c} stride={stride:?}");
                // SAFETY: every offset addresses a row of x; n ≤ 32 rows.
                let runs = unsafe {
                    let mut runs = vec![match c {
                        1 => both::<Portable, 4, 1>(&mut ws, &block),
                        _ => both::<Portable, 1, 2>(&mut ws, &block),
                    }];
                    #[cfg(target_arch = "x86_64")]
                    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                        use crate::train::objective::lanes::Avx2;
                        runs.push(match c {
                            1 => both::<Avx2, 4, 1>(&mut ws, &block),
                            _ => both::<Avx2, 1, 2>(&mut ws, &block),
                        });
                    }
                    runs
                };
                for (unfused, fused) in &runs {
                    assert!(fused == unfused, "{what}");
                    assert!(fused == &runs[0].0, "{what}: against portable");
                }
            }
        }
    }
}
