//! The fused evaluation kernel over one block of rows, written once against [`Lanes`].
//!
//! Layout. A block of up to `block` rows is transposed into `xt` (Dp × pitch: feature-major, a
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
    /// Rows per block (a multiple of 32).
    pub block: usize,
    /// Distance between the rows of `xt`, `zt`, `gt`: a block plus one line, so that rows are not
    /// a multiple of 4 KiB apart (loads would wait on unrelated stores: 4K aliasing).
    pub pitch: usize,
    /// Classes per tile.
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
    /// Groups multiplied into `sum_product` since the last fold, the fold period, and the
    /// targets' total mass T that multiplies each ln s.
    pub product_groups: usize,
    pub fold_every: usize,
    pub total_target: f64,
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

/// Rows per block: about 128 KiB of transposed features, at least 32 and at most 128 rows (measured
/// on 20,000 × 64: 128 rows overlap reading X with arithmetic better than 256).
pub(super) fn block_rows(d: usize) -> usize {
    ((16_384 / d.max(1)) / 32 * 32).clamp(32, 128)
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
        let block = block_rows(d);
        let pitch = block + 8;
        assert!(
            block.is_multiple_of(8 * tiles.rt),
            "blocks hold whole forward tiles"
        );
        Workspace {
            d,
            dp,
            c,
            cp,
            k,
            block,
            pitch,
            kt,
            xt: Aligned::zeros(dp * pitch),
            zt: Aligned::zeros(cp * pitch),
            gt: Aligned::zeros(cp * pitch),
            w: Aligned::zeros(dp * cp),
            bias: Aligned::zeros(cp),
            acc_w: Aligned::zeros(dp * cp * 8),
            acc_b: Aligned::zeros(cp * 8),
            loss: [0.0; 8],
            sum_product: [1.0; 8],
            product_groups: 0,
            fold_every: (300.0 / (k.max(2) as f64).log10()).floor().clamp(1.0, 64.0) as usize,
            total_target: 0.0,
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
        self.product_groups = 0;
    }

    /// Folds the product of softmax sums into the loss: Σ ln s = ln Π s, one logarithm per lane
    /// every `fold_every` groups of 8 rows instead of one per row. Each s is in [1, K], and
    /// `fold_every` keeps K^fold_every below 1e300, so the product cannot overflow.
    pub fn fold_log_sums(&mut self) {
        for l in 0..8 {
            self.loss[l] += self.total_target * self.sum_product[l].ln();
        }
        self.sum_product = [1.0; 8];
        self.product_groups = 0;
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
/// overlaps the arithmetic instead of stalling the transposition. Rows that follow each other in
/// memory (a full-batch pass) are walked as one span.
struct Prefetcher<'b> {
    base: *const f64,
    rows: &'b [usize],
    d: usize,
    /// Next row and feature (row mode), or next and end offsets (span mode).
    at: usize,
    col: usize,
    span_end: Option<usize>,
}

impl<'b> Prefetcher<'b> {
    fn new(base: *const f64, rows: &'b [usize], d: usize) -> Self {
        let contiguous = rows.windows(2).all(|w| w[1] == w[0] + d);
        let (at, span_end) = match (contiguous, rows.first(), rows.last()) {
            (true, Some(&first), Some(&last)) => (first, Some(last + d)),
            _ => (0, None),
        };
        Prefetcher {
            base,
            rows,
            d,
            at,
            col: 0,
            span_end,
        }
    }

    /// Lines still to fetch.
    fn lines(&self) -> usize {
        match self.span_end {
            Some(end) => (end - self.at).div_ceil(8),
            None => (self.rows.len() - self.at) * self.d.div_ceil(8),
        }
    }

    #[inline(always)]
    fn step<V: Lanes>(&mut self, lines: usize) {
        if let Some(end) = self.span_end {
            let stop = (self.at + 8 * lines).min(end);
            while self.at < stop {
                V::prefetch(self.base.wrapping_add(self.at));
                self.at += 8;
            }
            return;
        }
        for _ in 0..lines {
            let Some(&o) = self.rows.get(self.at) else {
                return;
            };
            V::prefetch(self.base.wrapping_add(o + self.col));
            self.col += 8;
            if self.col >= self.d {
                self.col = 0;
                self.at += 1;
            }
        }
    }
}

/// One block: transpose, forward, loss, backward. Adds into the workspace accumulators.
///
/// # Safety
/// Every `block.base + offsets[i]` must point at `ws.d` readable f64; `offsets.len()` =
/// `labels.len()` ≤ `ws.block`.
#[inline(always)]
pub(super) unsafe fn run_block<V: Lanes, const RT: usize, const DT: usize>(
    ws: &mut Workspace,
    block: &Block<'_>,
    loss: &RowLoss,
) {
    let n = block.offsets.len();
    debug_assert!(n == block.labels.len() && n <= ws.block);
    debug_assert!(ws.block.is_multiple_of(8 * RT) && ws.dp.is_multiple_of(DT));
    let groups = n.div_ceil(8 * RT) * RT;
    transpose::<V>(ws, block, groups);
    forward_dispatch::<V, RT>(ws, groups);
    match (loss, ws.c == ws.k) {
        (RowLoss::Soft(t), true) => soft_softmax::<V>(ws, block.labels, t.on, t.off, groups),
        _ => per_row(ws, block.labels, loss, groups),
    }
    let mut prefetch = Prefetcher::new(block.base, block.next, ws.d);
    backward_dispatch::<V, DT>(ws, groups, &mut prefetch);
}

/// xt[d][r] = row r's feature d, for `groups`·8 rows (rows past the block read as zeros).
#[inline(always)]
unsafe fn transpose<V: Lanes>(ws: &mut Workspace, block: &Block<'_>, groups: usize) {
    let (d, stride) = (ws.d, ws.pitch);
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
    let (d, cp, stride) = (ws.d, ws.cp, ws.pitch);
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
    let (dp, cp, stride) = (ws.dp, ws.cp, ws.pitch);
    // Lines of the next block to ask for per tile, spread over the whole pass.
    let lines = prefetch.lines();
    let per_tile = lines.div_ceil((dp / DT) * (cp / KT)).max(1);
    let xt = ws.xt.ptr() as *const f64;
    let gt = ws.gt.ptr() as *const f64;
    let acc_w = ws.acc_w.ptr();
    for d0 in (0..dp).step_by(DT) {
        for k0 in (0..cp).step_by(KT) {
            let slot = |i: usize, k: usize| acc_w.add(((d0 + i) * cp + k0 + k) * 8);
            let mut acc: [[V; KT]; DT] =
                std::array::from_fn(|i| std::array::from_fn(|k| V::load(slot(i, k))));
            prefetch.step::<V>(per_tile);
            for g in 0..groups {
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
    let (k, stride) = (ws.k, ws.pitch);
    let total = on + off * (k as f64 - 1.0);
    ws.total_target = total;
    let zt = ws.zt.ptr() as *const f64;
    let gt = ws.gt.ptr();
    let n = labels.len();
    let mut loss = V::load(ws.loss.as_ptr());
    let mut product = V::load(ws.sum_product.as_ptr());
    let mut label_lanes = [-1.0f64; 8];
    let mut lane = [0.0f64; 8];
    let mut sums = [0.0f64; 8];
    for g in 0..groups {
        let at = g * 8;
        if at >= n {
            // A group of padding rows only (forward tiles round the block up): no loss, G = 0.
            for c in 0..k {
                V::splat(0.0).store(gt.add(c * stride + at));
            }
            continue;
        }
        for (i, l) in label_lanes.iter_mut().enumerate() {
            *l = labels.get(at + i).map_or(-1.0, |&y| y as f64);
        }
        let lab = V::load(label_lanes.as_ptr());
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
        // T·m − off·Σz, then −(on − off)·z_y through a mask per class.
        let mut l = m.mul_add(V::splat(total), sz.mul(V::splat(-off)));
        let (gap, zero) = (V::splat(off - on), V::splat(0.0));
        for c in 0..k {
            let e = V::load(gt.add(c * stride + at));
            let z = V::load(zt.add(c * stride + at));
            let label_share = lab.select_eq(c as f64, gap, zero);
            l = label_share.mul_add(z, l);
            e.mul_add(scale, V::splat(-off))
                .add(label_share)
                .store(gt.add(c * stride + at));
        }
        if at + 8 > n {
            // The last rows: padding lanes carry no loss, G = 0 and a softmax sum of 1.
            l.store(lane.as_mut_ptr());
            s.store(sums.as_mut_ptr());
            for i in n - at..8 {
                lane[i] = 0.0;
                sums[i] = 1.0;
                for c in 0..k {
                    *gt.add(c * stride + at + i) = 0.0;
                }
            }
            l = V::load(lane.as_ptr());
            s = V::load(sums.as_ptr());
        }
        loss = loss.add(l);
        product = product.mul(s);
        ws.product_groups += 1;
        if ws.product_groups == ws.fold_every {
            loss.store(ws.loss.as_mut_ptr());
            product.store(ws.sum_product.as_mut_ptr());
            ws.fold_log_sums();
            loss = V::load(ws.loss.as_ptr());
            product = V::splat(1.0);
        }
    }
    loss.store(ws.loss.as_mut_ptr());
    product.store(ws.sum_product.as_mut_ptr());
}

/// Any other loss (and the logistic model, whose logits are (0, z)): row by row through
/// [`RowLoss::eval`].
#[inline(always)]
unsafe fn per_row(ws: &mut Workspace, labels: &[usize], loss: &RowLoss, groups: usize) {
    let (k, c, stride) = (ws.k, ws.c, ws.pitch);
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
