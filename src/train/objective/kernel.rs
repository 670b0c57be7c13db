//! The fused evaluation kernel over one block of rows, written once against [`Lanes`].
//!
//! Layout. A block of up to `stride` rows is transposed into `xt` (Dp × stride: feature-major, a
//! row's features in one lane column), so every step vectorizes over 8 rows at a time, exactly and
//! without horizontal sums:
//! * forward: `zt[k][r] = b[k] + Σ_d xt[d][r]·W[d][k]`, one fused multiply-add chain per element in
//!   feature order;
//! * row loss: softmax over the K rows of `zt` lane by lane, loss and G = ∂loss/∂z into `gt`;
//! * backward: `acc[d][k] += xt[d][·] ⊙ gt[k][·]` with one 8-lane accumulator per weight, in row
//!   order; the 8 lanes are summed by a fixed tree at the end of the evaluation.
//!
//! Tiles (RT row groups × KT classes forward, DT features × KT classes backward) only decide which
//! chains run side by side in registers; no chain's order depends on them, on the block size or on
//! the instruction set. Weights are padded to Dp × Cp (multiples of DT and KT) with zeros so every
//! tile is full; padded classes never enter the softmax and padded rows carry G = 0.

use super::lanes::Lanes;
use crate::train::loss::{log_softmax, RowLoss};

/// Scratch of one objective, allocated once.
pub(super) struct Workspace {
    /// Features (D), padded features (Dp), outputs (C), padded outputs (Cp), classes (K).
    pub d: usize,
    pub dp: usize,
    pub c: usize,
    pub cp: usize,
    pub k: usize,
    /// Rows per block (a multiple of 32) and the tile sizes in use.
    pub stride: usize,
    pub kt: usize,
    pub xt: Aligned,
    pub zt: Aligned,
    pub gt: Aligned,
    /// W (Dp × Cp) and b (Cp) of the current θ, zero-padded.
    pub w: Aligned,
    pub bias: Aligned,
    /// 8-lane accumulators of ∇W ((Dp·Cp) × 8), ∇b (Cp × 8), the loss, and Π of softmax sums.
    pub acc_w: Aligned,
    pub acc_b: Aligned,
    pub loss: [f64; 8],
    pub sum_product: [f64; 8],
    /// A row of zeros standing in for the rows that pad the last group.
    pub zeros: Vec<f64>,
    /// Scalar buffers of the per-row path.
    pub logits: Vec<f64>,
    pub logp: Vec<f64>,
    pub p: Vec<f64>,
    pub dz: Vec<f64>,
}

/// f64 storage aligned to 64 bytes (one cache line, one AVX-512 register).
pub(super) struct Aligned(Vec<Line>);

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f64; 8]);

impl Aligned {
    fn zeros(len: usize) -> Aligned {
        Aligned(vec![Line([0.0; 8]); len.div_ceil(8)])
    }
    pub fn ptr(&mut self) -> *mut f64 {
        self.0.as_mut_ptr() as *mut f64
    }
    pub fn as_slice(&self) -> &[f64] {
        // SAFETY: `Line` is 8 f64 with no padding (repr(C), size 64).
        unsafe { std::slice::from_raw_parts(self.0.as_ptr() as *const f64, self.0.len() * 8) }
    }
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        // SAFETY: as above.
        unsafe { std::slice::from_raw_parts_mut(self.0.as_mut_ptr() as *mut f64, self.0.len() * 8) }
    }
}

/// Classes per tile: the size in 1..=`max` that pads C least, the larger on a tie.
fn class_tile(c: usize, max: usize) -> usize {
    (1..=max.min(c))
        .rev()
        .min_by_key(|&kt| (c.div_ceil(kt) * kt, usize::MAX - kt))
        .unwrap_or(1)
}

/// Rows per block: about 256 KiB of transposed features, at least 32 and at most 256 rows.
pub(super) fn block_rows(d: usize) -> usize {
    ((32_768 / d.max(1)) / 32 * 32).clamp(32, 256)
}

/// Register tiles of one instruction set.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tiles {
    /// Row groups (of 8) per forward tile.
    pub rt: usize,
    /// Features per backward tile.
    pub dt: usize,
    /// Most classes per tile.
    pub kt_max: usize,
}

impl Workspace {
    pub fn new(d: usize, c: usize, k: usize, tiles: Tiles) -> Workspace {
        let kt = class_tile(c, tiles.kt_max);
        let cp = c.div_ceil(kt) * kt;
        let dp = d.div_ceil(tiles.dt) * tiles.dt;
        let stride = block_rows(d);
        assert!(
            stride.is_multiple_of(8 * tiles.rt),
            "blocks hold whole forward tiles"
        );
        Workspace {
            d,
            dp,
            c,
            cp,
            k,
            stride,
            kt,
            xt: Aligned::zeros(dp * stride),
            zt: Aligned::zeros(cp * stride),
            gt: Aligned::zeros(cp * stride),
            w: Aligned::zeros(dp * cp),
            bias: Aligned::zeros(cp),
            acc_w: Aligned::zeros(dp * cp * 8),
            acc_b: Aligned::zeros(cp * 8),
            loss: [0.0; 8],
            sum_product: [1.0; 8],
            zeros: vec![0.0; d + 8],
            logits: vec![0.0; k],
            logp: vec![0.0; k],
            p: vec![0.0; k],
            dz: vec![0.0; k],
        }
    }

    /// Loads θ (W as D×C row-major, then b) into the padded copies and clears the accumulators.
    pub fn begin(&mut self, theta: &[f64]) {
        let (d, c, cp) = (self.d, self.c, self.cp);
        let w = self.w.as_mut_slice();
        for i in 0..d {
            w[i * cp..i * cp + c].copy_from_slice(&theta[i * c..(i + 1) * c]);
        }
        self.bias.as_mut_slice()[..c].copy_from_slice(&theta[d * c..d * c + c]);
        self.acc_w.as_mut_slice().fill(0.0);
        self.acc_b.as_mut_slice().fill(0.0);
        self.loss = [0.0; 8];
        self.sum_product = [1.0; 8];
    }

    /// Folds the block's product of softmax sums into the loss: Σ ln s = ln Π s, one logarithm per
    /// lane and block instead of one per row (each s is in [1, K], so 32 factors cannot overflow).
    pub fn fold_log_sums(&mut self, total_target: f64) {
        for l in 0..8 {
            self.loss[l] += total_target * self.sum_product[l].ln();
        }
        self.sum_product = [1.0; 8];
    }
}

/// Sum of 8 lanes by a fixed tree.
#[inline]
pub(super) fn lane_sum(v: &[f64]) -> f64 {
    ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]))
}

/// Where a block's rows come from: row i's D features start at `base + offsets[i]`; `next` are
/// the offsets of the block after it, fetched into cache while this one computes.
pub(super) struct Block<'b> {
    pub base: *const f64,
    pub offsets: &'b [usize],
    pub labels: &'b [usize],
    pub next: &'b [usize],
}

/// Walks the cache lines of the next block's rows, a few at a time, so reading X from memory
/// overlaps the arithmetic instead of stalling the transposition.
struct Prefetcher<'b> {
    base: *const f64,
    rows: &'b [usize],
    d: usize,
    row: usize,
    col: usize,
}

impl Prefetcher<'_> {
    #[inline(always)]
    fn step<V: Lanes>(&mut self, lines: usize) {
        for _ in 0..lines {
            let Some(&o) = self.rows.get(self.row) else {
                return;
            };
            V::prefetch(self.base.wrapping_add(o + self.col));
            self.col += 8;
            if self.col >= self.d {
                self.col = 0;
                self.row += 1;
            }
        }
    }
}

/// One block: transpose, forward, loss, backward. Adds into the workspace accumulators.
///
/// # Safety
/// Every `block.base + offsets[i]` must point at `ws.d` readable f64; `offsets.len()` =
/// `labels.len()` ≤ `ws.stride`.
#[inline(always)]
pub(super) unsafe fn run_block<V: Lanes, const RT: usize, const DT: usize>(
    ws: &mut Workspace,
    block: &Block<'_>,
    loss: &RowLoss,
) {
    let n = block.offsets.len();
    debug_assert!(n == block.labels.len() && n <= ws.stride);
    debug_assert!(ws.stride.is_multiple_of(8 * RT) && ws.dp.is_multiple_of(DT));
    let groups = n.div_ceil(8 * RT) * RT;
    transpose::<V>(ws, block, groups);
    forward_dispatch::<V, RT>(ws, groups);
    match (loss, ws.c == ws.k) {
        (RowLoss::Soft(t), true) => soft_softmax::<V>(ws, block.labels, t.on, t.off, groups),
        _ => per_row(ws, block.labels, loss, groups),
    }
    let mut prefetch = Prefetcher {
        base: block.base,
        rows: block.next,
        d: ws.d,
        row: 0,
        col: 0,
    };
    backward_dispatch::<V, DT>(ws, groups, &mut prefetch);
}

/// xt[d][r] = row r's feature d, for `groups`·8 rows (rows past the block read as zeros).
#[inline(always)]
unsafe fn transpose<V: Lanes>(ws: &mut Workspace, block: &Block<'_>, groups: usize) {
    let (d, stride) = (ws.d, ws.stride);
    let zero = ws.zeros.as_ptr();
    let xt = ws.xt.ptr();
    let full = d / 8 * 8;
    let row = |r: usize| match block.offsets.get(r) {
        Some(&o) => block.base.add(o),
        None => zero,
    };
    for g in 0..groups {
        let ptrs: [*const f64; 8] = std::array::from_fn(|i| row(g * 8 + i));
        let mut j = 0;
        while j < full {
            let at: [*const f64; 8] = ptrs.map(|p| p.add(j));
            V::transpose8(&at, xt.add(j * stride + g * 8), stride);
            j += 8;
        }
        for f in full..d {
            for (i, p) in ptrs.iter().enumerate() {
                *xt.add(f * stride + g * 8 + i) = *p.add(f);
            }
        }
    }
}

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

#[inline(always)]
unsafe fn forward_dispatch<V: Lanes, const RT: usize>(ws: &mut Workspace, groups: usize) {
    by_class_tile!(ws.kt, forward::<V, RT>(ws, groups))
}

#[inline(always)]
unsafe fn backward_dispatch<V: Lanes, const DT: usize>(
    ws: &mut Workspace,
    groups: usize,
    prefetch: &mut Prefetcher<'_>,
) {
    by_class_tile!(ws.kt, backward::<V, DT>(ws, groups, prefetch))
}

/// zt[k][r] = b[k] + Σ_d xt[d][r]·W[d][k], the sum in feature order.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // indices name the register tile's rows and columns
unsafe fn forward<V: Lanes, const RT: usize, const KT: usize>(ws: &mut Workspace, groups: usize) {
    let (d, cp, stride) = (ws.d, ws.cp, ws.stride);
    let xt = ws.xt.ptr() as *const f64;
    let w = ws.w.ptr() as *const f64;
    let bias = ws.bias.ptr() as *const f64;
    let zt = ws.zt.ptr();
    for k0 in (0..cp).step_by(KT) {
        for g0 in (0..groups).step_by(RT) {
            let mut acc: [[V; KT]; RT] =
                std::array::from_fn(|_| std::array::from_fn(|k| V::splat(*bias.add(k0 + k))));
            for f in 0..d {
                let x: [V; RT] =
                    std::array::from_fn(|r| V::load(xt.add(f * stride + (g0 + r) * 8)));
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
    }
}

/// acc[d][k] += xt[d][·] ⊙ gt[k][·] over the block's row groups, in row order.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // indices name the register tile's rows and columns
unsafe fn backward<V: Lanes, const DT: usize, const KT: usize>(
    ws: &mut Workspace,
    groups: usize,
    prefetch: &mut Prefetcher<'_>,
) {
    let (dp, cp, stride) = (ws.dp, ws.cp, ws.stride);
    // Lines of the next block to ask for per row group visited, spread over the whole pass.
    let lines = prefetch.rows.len() * ws.d.div_ceil(8);
    let visits = (dp / DT) * (cp / KT) * groups;
    let per_visit = lines.div_ceil(visits.max(1));
    let xt = ws.xt.ptr() as *const f64;
    let gt = ws.gt.ptr() as *const f64;
    let acc_w = ws.acc_w.ptr();
    for d0 in (0..dp).step_by(DT) {
        for k0 in (0..cp).step_by(KT) {
            let slot = |i: usize, k: usize| acc_w.add(((d0 + i) * cp + k0 + k) * 8);
            let mut acc: [[V; KT]; DT] =
                std::array::from_fn(|i| std::array::from_fn(|k| V::load(slot(i, k))));
            for g in 0..groups {
                prefetch.step::<V>(per_visit);
                let x: [V; DT] =
                    std::array::from_fn(|i| V::load(xt.add((d0 + i) * stride + g * 8)));
                let gk: [V; KT] =
                    std::array::from_fn(|k| V::load(gt.add((k0 + k) * stride + g * 8)));
                for i in 0..DT {
                    for k in 0..KT {
                        acc[i][k] = x[i].mul_add(gk[k], acc[i][k]);
                    }
                }
            }
            for (i, row) in acc.iter().enumerate() {
                for (k, a) in row.iter().enumerate() {
                    a.store(slot(i, k));
                }
            }
        }
    }
    // ∇b: the same accumulation with x = 1.
    let acc_b = ws.acc_b.ptr();
    for k in 0..ws.c {
        let mut a = V::load(acc_b.add(k * 8));
        for g in 0..groups {
            a = a.add(V::load(gt.add(k * stride + g * 8)));
        }
        a.store(acc_b.add(k * 8));
    }
}

/// Soft targets (`on` at the label, `off` elsewhere) on the softmax, 8 rows at a time:
/// with T = on + (K−1)·off, m = maxₖ zₖ and s = Σₖ e^(zₖ−m),
/// loss = T·(m + ln s) − off·Σₖ zₖ − (on − off)·z_y and Gₖ = T·e^(zₖ−m)/s − off − (on − off)·[k = y].
#[inline(always)]
unsafe fn soft_softmax<V: Lanes>(
    ws: &mut Workspace,
    labels: &[usize],
    on: f64,
    off: f64,
    groups: usize,
) {
    let (k, stride) = (ws.k, ws.stride);
    let total = on + off * (k as f64 - 1.0);
    let zt = ws.zt.ptr() as *const f64;
    let gt = ws.gt.ptr();
    let n = labels.len();
    let mut loss = V::load(ws.loss.as_ptr());
    let mut product = V::load(ws.sum_product.as_ptr());
    let mut lane = [0.0f64; 8];
    let mut sums = [0.0f64; 8];
    for g in 0..groups {
        let at = g * 8;
        let mut m = V::load(zt.add(at));
        for c in 1..k {
            m = m.max(V::load(zt.add(c * stride + at)));
        }
        let mut s = V::splat(0.0);
        let mut sz = V::splat(0.0);
        for c in 0..k {
            let z = V::load(zt.add(c * stride + at));
            let e = z.sub(m).exp();
            e.store(gt.add(c * stride + at));
            s = s.add(e);
            sz = sz.add(z);
        }
        let scale = V::splat(total).div(s);
        for c in 0..k {
            let e = V::load(gt.add(c * stride + at));
            e.mul_add(scale, V::splat(-off))
                .store(gt.add(c * stride + at));
        }
        // T·m − off·Σz, then the label's share row by row.
        m.mul_add(V::splat(total), sz.mul(V::splat(-off)))
            .store(lane.as_mut_ptr());
        s.store(sums.as_mut_ptr());
        for (i, l) in lane.iter_mut().enumerate() {
            let r = at + i;
            if r < n {
                let y = labels[r];
                let gy = gt.add(y * stride + r);
                *gy -= on - off;
                *l -= (on - off) * *zt.add(y * stride + r);
            } else {
                *l = 0.0;
                sums[i] = 1.0;
                for c in 0..k {
                    *gt.add(c * stride + r) = 0.0;
                }
            }
        }
        loss = loss.add(V::load(lane.as_ptr()));
        product = product.mul(V::load(sums.as_ptr()));
    }
    loss.store(ws.loss.as_mut_ptr());
    product.store(ws.sum_product.as_mut_ptr());
    ws.fold_log_sums(total);
}

/// Any other loss (and the logistic model, whose logits are (0, z)): row by row through
/// [`RowLoss::eval`].
#[inline(always)]
unsafe fn per_row(ws: &mut Workspace, labels: &[usize], loss: &RowLoss, groups: usize) {
    let (k, c, stride) = (ws.k, ws.c, ws.stride);
    let zt = ws.zt.ptr() as *const f64;
    let gt = ws.gt.ptr();
    for r in 0..groups * 8 {
        if r >= labels.len() {
            for j in 0..c {
                *gt.add(j * stride + r) = 0.0;
            }
            continue;
        }
        if c == 1 {
            ws.logits[0] = 0.0;
            ws.logits[1] = *zt.add(r);
        } else {
            for j in 0..k {
                ws.logits[j] = *zt.add(j * stride + r);
            }
        }
        log_softmax(&ws.logits, &mut ws.logp, &mut ws.p);
        ws.loss[r % 8] += loss.eval(labels[r], &ws.logp, &ws.p, &mut ws.dz);
        if c == 1 {
            *gt.add(r) = ws.dz[1];
        } else {
            for j in 0..k {
                *gt.add(j * stride + r) = ws.dz[j];
            }
        }
    }
}
