//! Every loss other than soft targets on the softmax, and every loss of the logistic model, 8 rows
//! at a time: each lane group's softmax (m = maxₖ zₖ, eₖ = e^(zₖ − m), s = Σₖ eₖ), then the method's
//! loss and G = ∂loss/∂z in closed form on dₖ = zₖ − m, eₖ and s, with one lane logarithm per
//! group instead of K per row.

use super::lane_math::LaneMath;
use super::tables;
use crate::train::loss::RowLoss;
use crate::train::objective::lanes::Lanes;
use crate::train::objective::workspace::Workspace;

/// A loss's constants, resolved once per block.
#[derive(Clone, Copy)]
enum Method {
    /// Targets `on`/`off` summing to `total` (the logistic model's label smoothing and ce).
    Soft {
        on: f64,
        off: f64,
        total: f64,
    },
    Bootstrap {
        beta: f64,
    },
    Gce {
        q: f64,
    },
    /// The numbers come from the label table: T[i][y] (forward), T⁻¹[y][j] and their sum (backward).
    Forward,
    Backward,
}

impl Method {
    fn of(loss: &RowLoss, k: usize) -> Method {
        match loss {
            RowLoss::Soft(t) => Method::Soft {
                on: t.on,
                off: t.off,
                total: t.on + t.off * (k as f64 - 1.0),
            },
            RowLoss::Bootstrap { beta } => Method::Bootstrap { beta: *beta },
            RowLoss::Gce { q } => Method::Gce { q: *q },
            RowLoss::Forward { .. } => Method::Forward,
            RowLoss::Backward { .. } => Method::Backward,
        }
    }
}

/// Where a group's logits, exponentials, gathered table numbers and G live. `LOGISTIC`: the model
/// has one output z per row, the softmax runs on the logits (0, z) and G is class 1's.
struct View<const LOGISTIC: bool> {
    zt: *const f64,
    gt: *mut f64,
    pitch: usize,
    k: usize,
    exps: *mut f64,
    cols: *mut f64,
    table: *const f64,
    width: usize,
}

impl<const LOGISTIC: bool> View<LOGISTIC> {
    #[inline(always)]
    unsafe fn z<V: Lanes>(&self, c: usize, g: usize) -> V {
        match LOGISTIC {
            true if c == 0 => V::splat(0.0),
            true => V::load(self.zt.add(g * 8)),
            false => V::load(self.zt.add(c * self.pitch + g * 8)),
        }
    }

    #[inline(always)]
    unsafe fn put_g<V: Lanes>(&self, c: usize, g: usize, v: V) {
        match LOGISTIC {
            true if c == 0 => {}
            true => v.store(self.gt.add(g * 8)),
            false => v.store(self.gt.add(c * self.pitch + g * 8)),
        }
    }

    #[inline(always)]
    unsafe fn e<V: Lanes>(&self, c: usize) -> V {
        V::load(self.exps.add(c * 8))
    }

    /// The lanes' j-th table numbers, after [`View::gather`].
    #[inline(always)]
    unsafe fn col<V: Lanes>(&self, j: usize) -> V {
        V::load(self.cols.add(j * 8))
    }

    /// Transposes the 8 labels' table rows into `cols`.
    #[inline(always)]
    unsafe fn gather<V: Lanes>(&self, labels: &[usize; 8]) {
        for b in 0..self.width / 8 {
            let rows: [*const f64; 8] =
                std::array::from_fn(|i| self.table.add(labels[i] * self.width + 8 * b));
            V::transpose8(&rows, 0, self.cols.add(64 * b), 8);
        }
    }

    /// m and s of group `g`; stores each eₖ in `exps`.
    #[inline(always)]
    unsafe fn softmax<V: Lanes>(&self, g: usize) -> (V, V) {
        let mut m = self.z::<V>(0, g);
        for c in 1..self.k {
            m = m.max(self.z(c, g));
        }
        let mut s = V::splat(0.0);
        for c in 0..self.k {
            let e = self.z::<V>(c, g).sub(m).exp();
            e.store(self.exps.add(c * 8));
            s = s.add(e);
        }
        (m, s)
    }
}

/// One lane group after its softmax: the group's view, index and labels (as f64 lanes), m, s
/// and 1/s.
struct Group<'v, V, const LOGISTIC: bool> {
    view: &'v View<LOGISTIC>,
    g: usize,
    y: V,
    m: V,
    s: V,
    inv_s: V,
}

impl<V: Lanes, const LOGISTIC: bool> Group<'_, V, LOGISTIC> {
    #[inline(always)]
    unsafe fn z(&self, c: usize) -> V {
        self.view.z(c, self.g)
    }

    /// dₖ = zₖ − m.
    #[inline(always)]
    unsafe fn d(&self, c: usize) -> V {
        self.z(c).sub(self.m)
    }

    #[inline(always)]
    unsafe fn e(&self, c: usize) -> V {
        self.view.e(c)
    }

    /// `yes` in the lanes labelled c, `no` elsewhere.
    #[inline(always)]
    fn at_label(&self, c: usize, yes: V, no: V) -> V {
        self.y.select_eq(c as f64, yes, no)
    }

    #[inline(always)]
    unsafe fn put_g(&self, c: usize, v: V) {
        self.view.put_g(c, self.g, v)
    }

    /// −Σ tₖ log pₖ = T·ln s − Σ tₖ dₖ; Gₖ = T·pₖ − tₖ.
    #[inline(always)]
    unsafe fn soft(&self, on: f64, off: f64, total: f64) -> V {
        let zero = V::splat(0.0);
        let scale = V::splat(total).mul(self.inv_s);
        let mut td = zero;
        for c in 0..self.view.k {
            let t = self.at_label(c, V::splat(on), V::splat(off));
            td = t.mul_add(self.d(c), td);
            self.put_g(c, self.e(c).mul_add(scale, zero.sub(t)));
        }
        self.s.ln().mul_add(V::splat(total), zero.sub(td))
    }

    /// −β log p_y + (1−β)·H with H = ln s − d̄, d̄ = Σ pₖ dₖ;
    /// Gₖ = pₖ·(β − (1−β)(dₖ − d̄)) − β·[k = y] (log pₖ + H = dₖ − d̄).
    #[inline(always)]
    unsafe fn bootstrap(&self, beta: f64) -> V {
        let zero = V::splat(0.0);
        let (mut sed, mut dy) = (zero, zero);
        for c in 0..self.view.k {
            let dc = self.d(c);
            sed = self.e(c).mul_add(dc, sed);
            dy = self.at_label(c, dc, dy);
        }
        let dbar = sed.mul(self.inv_s);
        for c in 0..self.view.k {
            let p = self.e(c).mul(self.inv_s);
            let w = self
                .d(c)
                .sub(dbar)
                .mul_add(V::splat(beta - 1.0), V::splat(beta));
            self.put_g(c, p.mul_add(w, self.at_label(c, V::splat(-beta), zero)));
        }
        let ce_part = dy.mul_add(V::splat(-beta), self.s.ln());
        dbar.mul_add(V::splat(beta - 1.0), ce_part)
    }

    /// a = q·log p_y: loss (1 − eᵃ)/q through eᵃ − 1 (no cancellation as q → 0);
    /// Gₖ = eᵃ·(pₖ − [k = y]).
    #[inline(always)]
    unsafe fn gce(&self, q: f64) -> V {
        let zero = V::splat(0.0);
        let mut zy = zero;
        for c in 0..self.view.k {
            zy = self.at_label(c, self.z(c), zy);
        }
        let a = zy.sub(self.m).sub(self.s.ln()).mul(V::splat(q));
        let pq = a.exp();
        let scale = pq.mul(self.inv_s);
        let label = zero.sub(pq);
        for c in 0..self.view.k {
            self.put_g(c, self.e(c).mul_add(scale, self.at_label(c, label, zero)));
        }
        a.exp_m1().div(V::splat(-q))
    }

    /// −log Σᵢ pᵢ T[i][y] = ln(s/u), u = Σᵢ eᵢ T[i][y]; Gᵢ = eᵢ·(1/s − T[i][y]/u). u ≥
    /// e_max·T[argmax][y] is kept ≥ the smallest normal (reached only by a prediction giving every
    /// class that can produce y a probability below e⁻⁷⁰⁸). After [`View::gather`].
    #[inline(always)]
    unsafe fn forward(&self) -> V {
        let mut u = V::splat(0.0);
        for c in 0..self.view.k {
            u = self.e(c).mul_add(self.view.col(c), u);
        }
        let u = V::splat(f64::MIN_POSITIVE).max(u);
        let neg_inv_u = V::splat(-1.0).div(u);
        for c in 0..self.view.k {
            let w = self.view.col::<V>(c).mul_add(neg_inv_u, self.inv_s);
            self.put_g(c, self.e(c).mul(w));
        }
        self.s.div(u).ln()
    }

    /// Σⱼ cⱼ·(−log pⱼ) = C·ln s − Σⱼ cⱼ dⱼ with cⱼ = T⁻¹[y][j], C = Σⱼ cⱼ; Gⱼ = C·pⱼ − cⱼ.
    /// After [`View::gather`].
    #[inline(always)]
    unsafe fn backward(&self) -> V {
        let zero = V::splat(0.0);
        let total = self.view.col::<V>(self.view.k);
        let scale = total.mul(self.inv_s);
        let mut cd = zero;
        for c in 0..self.view.k {
            let cc = self.view.col::<V>(c);
            cd = cc.mul_add(self.d(c), cd);
            self.put_g(c, self.e(c).mul_add(scale, zero.sub(cc)));
        }
        total.mul_add(self.s.ln(), zero.sub(cd))
    }
}

/// Loss lanes of group `g` (labels `y` as f64 lanes); writes its G. After [`View::gather`] for
/// the corrections.
#[inline(always)]
unsafe fn group<V: Lanes, const LOGISTIC: bool>(
    method: Method,
    view: &View<LOGISTIC>,
    g: usize,
    y: V,
) -> V {
    let (m, s) = view.softmax::<V>(g);
    let inv_s = V::splat(1.0).div(s);
    let group = Group {
        view,
        g,
        y,
        m,
        s,
        inv_s,
    };
    match method {
        Method::Soft { on, off, total } => group.soft(on, off, total),
        Method::Bootstrap { beta } => group.bootstrap(beta),
        Method::Gce { q } => group.gce(q),
        Method::Forward => group.forward(),
        Method::Backward => group.backward(),
    }
}

/// The row loss of a block for every loss but soft targets on the softmax (`LOGISTIC`: for the
/// logistic model). Adds each row's loss to its lane of `ws.loss` in row order and writes G,
/// 0 for the rows that pad the block.
///
/// # Safety
/// `ws.zt` holds the block's logits for `groups` groups ≥ ⌈labels.len() / 8⌉; labels < K.
#[inline(always)]
pub(super) unsafe fn by_method<V: Lanes, const LOGISTIC: bool>(
    ws: &mut Workspace,
    labels: &[usize],
    loss: &RowLoss,
    groups: usize,
) {
    let method = Method::of(loss, ws.k);
    let gathers = matches!(method, Method::Forward | Method::Backward);
    if gathers && ws.label_table.is_empty() {
        ws.label_table = tables::build(loss);
    }
    let (k, pitch, outputs) = (ws.k, ws.pitch, ws.c);
    let exps = ws.row_scratch.ptr();
    let view = View::<LOGISTIC> {
        zt: ws.zt.ptr() as *const f64,
        gt: ws.gt.ptr(),
        pitch,
        k,
        exps,
        cols: exps.add(8 * k),
        table: ws.label_table.as_ptr(),
        width: tables::width(k),
    };
    let n = labels.len();
    let live = n.div_ceil(8);
    let mut acc = V::load(ws.loss.as_ptr());
    for g in 0..live {
        let label = |i: usize| labels.get(g * 8 + i).copied();
        let y_lanes: [f64; 8] = std::array::from_fn(|i| label(i).map_or(-1.0, |y| y as f64));
        let y = V::load(y_lanes.as_ptr());
        if gathers {
            // Padding lanes read label 0's row; their results are dropped below.
            view.gather::<V>(&std::array::from_fn(|i| label(i).unwrap_or(0)));
        }
        let mut lanes = group(method, &view, g, y);
        if g * 8 + 8 > n {
            lanes = y.select_eq(-1.0, V::splat(0.0), lanes);
            for i in n - g * 8..8 {
                for c in 0..outputs {
                    *view.gt.add(c * pitch + g * 8 + i) = 0.0;
                }
            }
        }
        acc = acc.add(lanes);
    }
    acc.store(ws.loss.as_mut_ptr());
    // Groups of padding rows only (forward tiles round the block up): G = 0.
    for g in live..groups {
        for c in 0..outputs {
            V::splat(0.0).store(view.gt.add(c * pitch + g * 8));
        }
    }
}
