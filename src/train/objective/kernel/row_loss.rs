//! Row loss: softmax, loss and G = ∂loss/∂z for the block's logits, 8 rows at a time for every
//! loss and model: soft targets on the softmax here, the rest in [`methods`].

mod lane_math;
mod methods;
mod tables;

use crate::train::loss::RowLoss;
use crate::train::objective::lanes::Lanes;
use crate::train::objective::workspace::Workspace;
use crate::train::targets::SmoothedTarget;

/// The row loss of one block: adds each row's loss to its lane of `ws.loss` (soft targets on the
/// softmax: to the lanes' products of softmax sums too) and writes G. A correction by the
/// identity runs as cross entropy (see [`RowLoss::is_identity_correction`]).
///
/// # Safety
/// `ws.zt` holds the block's logits for `groups` groups ≥ ⌈labels.len() / 8⌉; labels < K.
#[inline(always)]
pub(super) unsafe fn row_loss<V: Lanes>(
    ws: &mut Workspace,
    labels: &[usize],
    loss: &RowLoss,
    groups: usize,
) {
    static CE: RowLoss = RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 });
    let loss = if loss.is_identity_correction() {
        &CE
    } else {
        loss
    };
    match (loss, ws.c == ws.k) {
        (RowLoss::Soft(t), true) => soft_softmax::<V>(ws, labels, t.on, t.off, groups),
        (_, true) => methods::by_method::<V, false>(ws, labels, loss, groups),
        (_, false) => methods::by_method::<V, true>(ws, labels, loss, groups),
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
    // The lanes load outside the closure (see `Soft::groups` on closures and intrinsics).
    let label_array = |g: usize| -> [f64; 8] {
        std::array::from_fn(|i| labels.get(g * 8 + i).map_or(-1.0, |&y| y as f64))
    };
    let mut acc = LossAccumulator::<V>::new(ws);
    // Two groups at a time: their chains (max, exponentials, sums) interleave.
    let whole = n / 8;
    let mut g = 0;
    while g + 2 <= whole {
        let (l, s) = soft.groups::<2, V>(
            g,
            [
                V::load(label_array(g).as_ptr()),
                V::load(label_array(g + 1).as_ptr()),
            ],
        );
        acc.add(ws, l[0], s[0]);
        acc.add(ws, l[1], s[1]);
        g += 2;
    }
    if g < whole {
        let (l, s) = soft.groups::<1, V>(g, [V::load(label_array(g).as_ptr())]);
        acc.add(ws, l[0], s[0]);
        g += 1;
    }
    if g * 8 < n {
        // The last rows: padding lanes carry no loss, G = 0 and a softmax sum of 1.
        let (l, s) = soft.groups::<1, V>(g, [V::load(label_array(g).as_ptr())]);
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
        // Loops rather than `std::array::from_fn`: its closures are not always inlined, and
        // outside the kernel's `target_feature` function every intrinsic in them is a call.
        let mut m = [V::splat(0.0); S];
        for j in 0..S {
            m[j] = z(0, j);
        }
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
        // T·m − off·Σz, then −(on − off)·z_y through a mask per class.
        let (mut scale, mut l) = ([V::splat(0.0); S], [V::splat(0.0); S]);
        for j in 0..S {
            scale[j] = V::splat(self.total).div(s[j]);
            l[j] = m[j].mul_add(V::splat(self.total), sz[j].mul(V::splat(-self.off)));
        }
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

#[cfg(test)]
mod tests;
