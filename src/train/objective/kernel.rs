//! The fused evaluation kernel over one block of rows, written once against [`Lanes`].
//!
//! Layout. A block of up to `block` rows is transposed into `xt` (D × pitch: feature-major, a
//! row's features in one lane column), so the forward pass and the softmax vectorize over 8 rows at
//! a time, exactly and without horizontal sums:
//! * forward: `zt[k][r] = b[k] + Σ_d xt[d][r]·W[d][k]`, one fused multiply-add chain per element in
//!   feature order;
//! * row loss: softmax over the K rows of `zt` lane by lane, loss and G = ∂loss/∂z into `gt`;
//! * backward: `∇W[d][k] += Σ_r X[r][d]·G[r][k]` from the rows as stored (8 features per lane
//!   vector, G broadcast), one chain per weight in row order across all blocks.
//!
//! Tiles (RT row groups × KT classes forward, DV feature vectors × KT classes backward) only decide
//! which chains run side by side in registers; no chain's order depends on them, on the block size
//! or on the instruction set. Outputs are padded to Cp (a multiple of KT) with zero weights so every
//! tile is full; padded classes never enter the softmax and carry G = 0.

use super::lanes::Lanes;
use crate::train::loss::{log_softmax, RowLoss};

/// Scratch of one objective, allocated once.
pub(super) struct Workspace {
    /// Features (D), D rounded up to whole lane vectors (D8), outputs (C), padded outputs (Cp),
    /// classes (K).
    pub d: usize,
    pub d8: usize,
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
    /// The block's features past the last whole lane vector (D8 − D zeros after them), 8 per row.
    pub tail: Aligned,
    /// W (D × Cp) and b (Cp) of the current θ, zero-padded.
    pub w: Aligned,
    pub bias: Aligned,
    /// Accumulators of ∇W (Cp × D8, class-major), 8-lane accumulators of ∇b (Cp × 8) and of the
    /// loss, and the lanes' products of softmax sums.
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

/// Classes per tile, in 1..=`max`: the fewest padded classes plus tiles (each padded class costs
/// its multiply-adds, each tile one more pass of loads over the features), the larger on a tie.
/// K = 10 → 5 (no padding), 7 → 4 (one padded class, two tiles), 13 → 5.
fn class_tile(c: usize, max: usize) -> usize {
    (1..=max.min(c))
        .rev()
        .min_by_key(|&kt| c.div_ceil(kt) * kt + c.div_ceil(kt))
        .unwrap_or(1)
}

/// Rows per block: 32, the smallest whole forward tile, so that a block's rows, its transposed copy
/// (20 KiB at D = 64), logits, G and the weights stay in L1 between the passes (measured on
/// 20,000 × 64 × 10: 32 rows beat 64, 128 and 256).
pub(super) const BLOCK_ROWS: usize = 32;

/// Register tiles of one instruction set.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tiles {
    /// Row groups (of 8) per forward tile.
    pub rt: usize,
    /// Feature vectors (of 8) per backward tile.
    pub dv: usize,
    /// Most classes per tile.
    pub kt_max: usize,
}

impl Workspace {
    pub fn new(d: usize, c: usize, k: usize, tiles: Tiles) -> Workspace {
        let kt = class_tile(c, tiles.kt_max);
        let cp = c.div_ceil(kt) * kt;
        let d8 = d.div_ceil(8) * 8;
        let block = BLOCK_ROWS;
        let pitch = block + 8;
        assert!(
            block.is_multiple_of(8 * tiles.rt),
            "blocks hold whole forward tiles"
        );
        Workspace {
            d,
            d8,
            c,
            cp,
            k,
            block,
            pitch,
            kt,
            xt: Aligned::zeros(d * pitch),
            zt: Aligned::zeros(cp * pitch),
            gt: Aligned::zeros(cp * pitch),
            tail: Aligned::zeros(block * 8),
            w: Aligned::zeros(d * cp),
            bias: Aligned::zeros(cp),
            acc_w: Aligned::zeros(cp * d8),
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
    match (loss, ws.c == ws.k) {
        (RowLoss::Soft(t), true) => soft_softmax::<V>(ws, block.labels, t.on, t.off, groups),
        _ => per_row(ws, block.labels, loss, groups),
    }
    backward_dispatch::<V, DV>(ws, block);
    bias_gradient::<V>(ws, groups);
}

/// xt[d][r] = row r's feature d, for `groups`·8 rows (rows past the block read as zeros).
#[inline(always)]
unsafe fn transpose<V: Lanes>(ws: &mut Workspace, block: &Block<'_>, groups: usize) {
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
            let at: [*const f64; 8] = ptrs.map(|p| p.add(j));
            V::transpose8(&at, xt.add(j * stride + g * 8), stride);
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
unsafe fn backward_dispatch<V: Lanes, const DV: usize>(ws: &mut Workspace, block: &Block<'_>) {
    by_class_tile!(ws.kt, backward::<V, DV>(ws, block))
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

/// ∇W[d][k] += Σ_r X[r][d]·G[r][k] over the block's rows in order: tiles of DV feature vectors ×
/// KT classes held in registers over all rows, then single vectors, then the tail vector (the
/// features past the last whole vector, from `ws.tail`).
#[inline(always)]
unsafe fn backward<V: Lanes, const DV: usize, const KT: usize>(
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
    let mut a: [[V; DV]; KT] =
        std::array::from_fn(|k| std::array::from_fn(|v| V::load(slot(k, v))));
    for r in 0..rows {
        let x = row(r);
        let xv: [V; DV] = std::array::from_fn(|v| V::load(x.add(v * 8)));
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
unsafe fn bias_gradient<V: Lanes>(ws: &mut Workspace, groups: usize) {
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
    let k = ws.k;
    let total = on + off * (k as f64 - 1.0);
    ws.total_target = total;
    let n = labels.len();
    let soft = Soft {
        zt: ws.zt.ptr() as *const f64,
        gt: ws.gt.ptr(),
        pitch: ws.pitch,
        k,
        total,
        off,
        gap: off - on,
    };
    let label_lanes = |g: usize| -> V {
        let l: [f64; 8] =
            std::array::from_fn(|i| labels.get(g * 8 + i).map_or(-1.0, |&y| y as f64));
        V::load(l.as_ptr())
    };
    let mut acc = LossAccumulator::<V>::new(ws);
    // Two groups at a time: their chains (max, exponentials, sums) interleave.
    let whole = n / 8;
    let mut g = 0;
    while g + 2 <= whole {
        let (l, s) = soft.groups::<2, V>(g, [label_lanes(g), label_lanes(g + 1)]);
        acc.add(ws, l[0], s[0]);
        acc.add(ws, l[1], s[1]);
        g += 2;
    }
    if g < whole {
        let (l, s) = soft.groups::<1, V>(g, [label_lanes(g)]);
        acc.add(ws, l[0], s[0]);
        g += 1;
    }
    if g * 8 < n {
        // The last rows: padding lanes carry no loss, G = 0 and a softmax sum of 1.
        let (l, s) = soft.groups::<1, V>(g, [label_lanes(g)]);
        let (mut lane, mut sums) = ([0.0f64; 8], [0.0f64; 8]);
        l[0].store(lane.as_mut_ptr());
        s[0].store(sums.as_mut_ptr());
        for i in n - g * 8..8 {
            lane[i] = 0.0;
            sums[i] = 1.0;
            for c in 0..k {
                *soft.gt.add(c * soft.pitch + g * 8 + i) = 0.0;
            }
        }
        acc.add(ws, V::load(lane.as_ptr()), V::load(sums.as_ptr()));
        g += 1;
    }
    // Groups of padding rows only (forward tiles round the block up): G = 0.
    for g in g..groups {
        for c in 0..k {
            V::splat(0.0).store(soft.gt.add(c * soft.pitch + g * 8));
        }
    }
    acc.finish(ws);
}

/// Where the soft-target softmax reads logits and writes G, and its constants.
struct Soft {
    zt: *const f64,
    gt: *mut f64,
    pitch: usize,
    k: usize,
    total: f64,
    off: f64,
    /// off − on: the label's extra share of G and of the loss.
    gap: f64,
}

impl Soft {
    /// S consecutive groups from group `g`: writes G, returns each group's loss lanes without the
    /// T·ln s term, and s.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // j names the group, c the class
    unsafe fn groups<const S: usize, V: Lanes>(
        &self,
        g: usize,
        labels: [V; S],
    ) -> ([V; S], [V; S]) {
        let at = |c: usize, j: usize| c * self.pitch + (g + j) * 8;
        let z = |c: usize, j: usize| V::load(self.zt.add(at(c, j)));
        let mut m: [V; S] = std::array::from_fn(|j| z(0, j));
        for c in 1..self.k {
            for j in 0..S {
                m[j] = m[j].max(z(c, j));
            }
        }
        let mut s = [V::splat(0.0); S];
        let mut sz = [V::splat(0.0); S];
        for c in 0..self.k {
            for j in 0..S {
                let zc = z(c, j);
                let e = zc.sub(m[j]).exp();
                e.store(self.gt.add(at(c, j)));
                s[j] = s[j].add(e);
                sz[j] = sz[j].add(zc);
            }
        }
        let scale: [V; S] = std::array::from_fn(|j| V::splat(self.total).div(s[j]));
        // T·m − off·Σz, then −(on − off)·z_y through a mask per class.
        let mut l: [V; S] = std::array::from_fn(|j| {
            m[j].mul_add(V::splat(self.total), sz[j].mul(V::splat(-self.off)))
        });
        let (gap, zero) = (V::splat(self.gap), V::splat(0.0));
        for c in 0..self.k {
            for j in 0..S {
                let e = V::load(self.gt.add(at(c, j)));
                let label_share = labels[j].select_eq(c as f64, gap, zero);
                l[j] = label_share.mul_add(z(c, j), l[j]);
                e.mul_add(scale[j], V::splat(-self.off))
                    .add(label_share)
                    .store(self.gt.add(at(c, j)));
            }
        }
        (l, s)
    }
}

/// The loss lanes and the product of softmax sums, group by group in row order.
struct LossAccumulator<V> {
    loss: V,
    product: V,
}

impl<V: Lanes> LossAccumulator<V> {
    #[inline(always)]
    unsafe fn new(ws: &Workspace) -> Self {
        LossAccumulator {
            loss: V::load(ws.loss.as_ptr()),
            product: V::load(ws.sum_product.as_ptr()),
        }
    }

    #[inline(always)]
    unsafe fn add(&mut self, ws: &mut Workspace, loss: V, sums: V) {
        self.loss = self.loss.add(loss);
        self.product = self.product.mul(sums);
        ws.product_groups += 1;
        if ws.product_groups == ws.fold_every {
            self.finish(ws);
            ws.fold_log_sums();
            self.loss = V::load(ws.loss.as_ptr());
            self.product = V::splat(1.0);
        }
    }

    #[inline(always)]
    unsafe fn finish(&self, ws: &mut Workspace) {
        self.loss.store(ws.loss.as_mut_ptr());
        self.product.store(ws.sum_product.as_mut_ptr());
    }
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

#[cfg(test)]
mod tests {
    use super::class_tile;

    #[test]
    fn class_tiles_trade_padding_for_fewer_passes() {
        // (C, tile): padded classes + tiles is least, ties to the larger tile.
        let want = [
            (1, 1),
            (2, 2),
            (3, 3),
            (6, 3),
            (7, 4),
            (10, 5),
            (11, 4),
            (13, 5),
            (100, 5),
        ];
        for (c, kt) in want {
            assert_eq!(class_tile(c, 5), kt, "C = {c}");
        }
    }
}
