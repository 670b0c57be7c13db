//! The training objective and its gradient, fused by row blocks.
//!
//! F(W, b) = (1/n) Σᵢ lossᵢ(softmax(xᵢW + b)) + (l2/2)·‖W‖²  (intercept b not penalized).
//!
//! One evaluation reads X from memory once: each block of 32 rows is transposed into an
//! L1-resident buffer, and the logits Z = X_blk·W + b, the per-row loss and G = ∂loss/∂Z, and
//! ∇W += X_blkᵀ·G are computed while the block is in cache ([`kernel`]). All buffers are allocated
//! once per objective, none inside an evaluation.
//!
//! The kernel is hand-written rather than built on a BLAS: the two products are skinny
//! (32×64·64×10 and 64×32·32×10 per block), where general GEMM routines spend their time packing
//! (OpenBLAS reaches ~20 GFLOP/s on the whole 20,000×64·64×10 product on one core of the reference
//! machine, this kernel ~40 GFLOP/s for the whole evaluation, softmax included). Every weight,
//! logit and gradient entry is one fused multiply-add chain in a fixed order, so results are
//! identical bit for bit for every kernel (AVX-512, AVX2, portable), thread count and block size.
//! On x86-64 the portable kernel runs only where AVX2 and FMA are missing (CPUs before 2013,
//! emulators hiding them); compiled for baseline x86-64 it computes each fused multiply-add through
//! libm's `fma`, ~15× slower than the issue-2 ndarray code. On aarch64, where FMA is always there,
//! it is the kernel. See `benches/` for the measurements.
//!
//! Parameters θ are laid out as W (D×C, row-major) followed by b (C), with C = K outputs for softmax
//! and C = 1 for the binary logistic model (whose class-0 logit is fixed at 0).

mod kernel;
mod lanes;

use super::loss::RowLoss;
use kernel::{lane_sum, Block, Tiles, Workspace};
use ndarray::{Array2, ArrayView2};

/// An implementation of the evaluation kernel. All give bit-identical results; they differ only
/// in speed. [`Kernel::detect`] picks the fastest the CPU supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust on `[f64; 8]` (any CPU; uses the hardware fused multiply-add where it exists).
    Portable,
    /// The portable code compiled for AVX2 + FMA (x86-64).
    Avx2,
    /// AVX-512F intrinsics (x86-64).
    Avx512,
}

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub fn detect() -> Kernel {
        *Kernel::available()
            .last()
            .expect("portable is always available")
    }

    /// Kernels this CPU runs, slowest first.
    pub fn available() -> Vec<Kernel> {
        let mut v = vec![Kernel::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                v.push(Kernel::Avx2);
            }
            if is_x86_feature_detected!("avx512f") {
                v.push(Kernel::Avx512);
            }
        }
        v
    }

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Portable => "portable",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
        }
    }

    fn tiles(self) -> Tiles {
        match self {
            Kernel::Avx512 => AVX512_TILES,
            Kernel::Avx2 | Kernel::Portable => PORTABLE_TILES,
        }
    }
}

/// 32 vector registers: accumulators for 4 groups of 8 rows × 5 classes (forward) and for
/// 4 vectors of 8 features × 5 classes (backward).
const AVX512_TILES: Tiles = Tiles {
    rt: 4,
    dv: 4,
    kt_max: 5,
};

/// An 8-lane value spans two of the 16 AVX2 registers: one group × 5 classes, one vector × 5.
const PORTABLE_TILES: Tiles = Tiles {
    rt: 1,
    dv: 1,
    kt_max: 5,
};

pub struct Objective<'a> {
    x: ArrayView2<'a, f64>,
    /// A row-major copy of X, made only when the given view's rows are not contiguous.
    owned: Option<Array2<f64>>,
    y: &'a [usize],
    loss: RowLoss,
    classes: usize,
    outputs: usize,
    l2: f64,
    kernel: Kernel,
    ws: Workspace,
    offsets: Vec<usize>,
    labels: Vec<usize>,
    /// Number of objective-and-gradient evaluations so far.
    pub evaluations: usize,
}

impl<'a> Objective<'a> {
    /// `outputs` is K for softmax and 1 for the binary logistic model.
    pub fn new(
        x: ArrayView2<'a, f64>,
        y: &'a [usize],
        classes: usize,
        outputs: usize,
        loss: RowLoss,
        l2: f64,
    ) -> Self {
        assert!(outputs == classes || (outputs == 1 && classes == 2));
        assert_eq!(x.nrows(), y.len(), "one label per row");
        let row_major = x.ncols() <= 1 || x.strides()[1] == 1;
        let owned = (!row_major || x.strides()[0] < 0).then(|| x.as_standard_layout().into_owned());
        let kernel = Kernel::detect();
        let ws = Workspace::new(x.ncols(), outputs, classes, kernel.tiles());
        Objective {
            x,
            owned,
            y,
            loss,
            classes,
            outputs,
            l2,
            kernel,
            offsets: Vec::with_capacity(ws.block),
            labels: Vec::with_capacity(ws.block),
            ws,
            evaluations: 0,
        }
    }

    /// Switches to another kernel (for benchmarks and tests); false if this CPU lacks it.
    pub fn set_kernel(&mut self, kernel: Kernel) -> bool {
        if !Kernel::available().contains(&kernel) {
            return false;
        }
        self.kernel = kernel;
        self.ws = Workspace::new(self.x.ncols(), self.outputs, self.classes, kernel.tiles());
        true
    }

    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    pub fn n_params(&self) -> usize {
        (self.x.ncols() + 1) * self.outputs
    }

    pub fn n_samples(&self) -> usize {
        self.y.len()
    }

    /// First feature of row 0 and the distance between rows, in f64.
    fn rows(&self) -> (*const f64, usize) {
        match &self.owned {
            Some(a) => (a.as_ptr(), a.ncols()),
            None => (self.x.as_ptr(), self.x.strides()[0].max(0) as usize),
        }
    }

    /// F(θ) and ∇F(θ) over all training rows.
    pub fn value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        self.begin(theta);
        let (base, row_stride) = self.rows();
        let (n, block) = (self.y.len(), self.ws.block);
        let mut start = 0;
        while start < n {
            let end = (start + block).min(n);
            self.offsets.clear();
            self.offsets.extend((start..end).map(|i| i * row_stride));
            self.run(base, start..end, Some(row_stride));
            start = end;
        }
        self.finish(theta, grad, n)
    }

    /// F and ∇F over a subset of rows (a mini-batch): the mean runs over the subset.
    pub fn value_grad_rows(&mut self, theta: &[f64], rows: &[usize], grad: &mut [f64]) -> f64 {
        self.begin(theta);
        let (base, row_stride) = self.rows();
        let block = self.ws.block;
        for start in (0..rows.len()).step_by(block) {
            let end = (start + block).min(rows.len());
            self.offsets.clear();
            self.offsets.extend(rows[start..end].iter().map(|&i| {
                assert!(i < self.y.len(), "row {i} out of range");
                i * row_stride
            }));
            self.labels.clear();
            self.labels
                .extend(rows[start..end].iter().map(|&i| self.y[i]));
            self.run(base, 0..end - start, None);
        }
        self.finish(theta, grad, rows.len())
    }

    fn begin(&mut self, theta: &[f64]) {
        assert_eq!(theta.len(), self.n_params(), "θ has W (D×C) then b (C)");
        self.evaluations += 1;
        self.ws.begin(theta);
    }

    /// One block: rows at `offsets`; labels `y[range]` when the rows follow each other `stride`
    /// apart, else the gathered `labels`.
    fn run(&mut self, base: *const f64, range: std::ops::Range<usize>, stride: Option<usize>) {
        let block = Block {
            base,
            offsets: &self.offsets,
            stride,
            labels: match stride {
                Some(_) => &self.y[range],
                None => &self.labels,
            },
        };
        let (ws, loss) = (&mut self.ws, &self.loss);
        // SAFETY: every offset addresses a row of X (checked above), the block holds at most
        // `ws.block` rows, and the kernel chosen is one this CPU supports (`Kernel::available`).
        unsafe {
            match self.kernel {
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx512 => block_avx512(ws, &block, loss),
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx2 => block_avx2(ws, &block, loss),
                _ => block_portable(ws, &block, loss),
            }
        }
    }

    fn finish(&mut self, theta: &[f64], grad: &mut [f64], n: usize) -> f64 {
        assert_eq!(grad.len(), theta.len());
        let inv_n = 1.0 / n.max(1) as f64;
        let (d, c, d8) = (self.ws.d, self.ws.c, self.ws.d8);
        let acc_w = self.ws.acc_w.as_slice();
        let mut penalty = 0.0;
        for f in 0..d {
            for k in 0..c {
                let i = f * c + k;
                grad[i] = acc_w[k * d8 + f] * inv_n + self.l2 * theta[i];
                penalty += theta[i] * theta[i];
            }
        }
        self.ws.fold_log_sums();
        let acc_b = self.ws.acc_b.as_slice();
        for k in 0..c {
            grad[d * c + k] = lane_sum(&acc_b[k * 8..k * 8 + 8]) * inv_n;
        }
        lane_sum(&self.ws.loss) * inv_n + 0.5 * self.l2 * penalty
    }
}

/// # Safety
/// As [`kernel::run_block`].
unsafe fn block_portable(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<lanes::Portable, { PORTABLE_TILES.rt }, { PORTABLE_TILES.dv }>(
        ws, block, loss,
    )
}

/// # Safety
/// As [`kernel::run_block`], on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn block_avx2(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<lanes::Portable, { PORTABLE_TILES.rt }, { PORTABLE_TILES.dv }>(
        ws, block, loss,
    )
}

/// # Safety
/// As [`kernel::run_block`], on a CPU with AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn block_avx512(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<lanes::Avx512, { AVX512_TILES.rt }, { AVX512_TILES.dv }>(ws, block, loss)
}

#[cfg(test)]
mod tests {
    use super::lanes::{Lanes, Portable};
    use super::*;
    use crate::scenario::spec::SmoothingStyle;
    use crate::train::targets::SmoothedTarget;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    /// The textbook evaluation, row by row with plain sums and the standard library's exp and ln.
    #[allow(clippy::too_many_arguments)]
    fn reference(
        x: &Array2<f64>,
        y: &[usize],
        rows: &[usize],
        k: usize,
        c: usize,
        loss: &RowLoss,
        l2: f64,
        theta: &[f64],
    ) -> (f64, Vec<f64>) {
        let d = x.ncols();
        let mut grad = vec![0.0; theta.len()];
        let mut total = 0.0;
        let (mut logits, mut logp, mut p, mut dz) =
            (vec![0.0; k], vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        for &i in rows {
            let z: Vec<f64> = (0..c)
                .map(|j| {
                    theta[d * c + j] + (0..d).map(|f| x[[i, f]] * theta[f * c + j]).sum::<f64>()
                })
                .collect();
            if c == 1 {
                logits[0] = 0.0;
                logits[1] = z[0];
            } else {
                logits.copy_from_slice(&z);
            }
            let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + logits.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            for j in 0..k {
                logp[j] = logits[j] - lse;
                p[j] = logp[j].exp();
            }
            total += loss.eval(y[i], &logp, &p, &mut dz);
            let g: Vec<f64> = if c == 1 { vec![dz[1]] } else { dz.clone() };
            for j in 0..c {
                for f in 0..d {
                    grad[f * c + j] += x[[i, f]] * g[j];
                }
                grad[d * c + j] += g[j];
            }
        }
        let n = rows.len().max(1) as f64;
        let mut penalty = 0.0;
        for (i, g) in grad.iter_mut().enumerate() {
            *g /= n;
            if i < d * c {
                *g += l2 * theta[i];
                penalty += theta[i] * theta[i];
            }
        }
        (total / n + 0.5 * l2 * penalty, grad)
    }

    fn random(n: usize, d: usize, k: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let x = Array2::from_shape_fn((n, d), |_| rng.gen_range(-2.0..2.0));
        let y = (0..n).map(|_| rng.gen_range(0..k)).collect();
        (x, y)
    }

    fn theta(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        (0..n).map(|_| rng.gen_range(-0.7..0.7)).collect()
    }

    fn losses(k: usize) -> Vec<RowLoss> {
        let t: Vec<f64> = (0..k * k)
            .map(|i| {
                if i / k == i % k {
                    0.7
                } else {
                    0.3 / (k - 1) as f64
                }
            })
            .collect();
        let t_rows: Vec<Vec<f64>> = t.chunks(k).map(<[f64]>::to_vec).collect();
        let inv = crate::vocab::matrix::TransitionMatrix::new(&t_rows)
            .unwrap()
            .inverse()
            .unwrap()
            .to_vec();
        vec![
            RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 }),
            RowLoss::Soft(SmoothedTarget::new(0.1, k, SmoothingStyle::Uniform)),
            RowLoss::Soft(SmoothedTarget::new(0.3, k, SmoothingStyle::Others)),
            RowLoss::Bootstrap { beta: 0.8 },
            RowLoss::Gce { q: 0.7 },
            RowLoss::Forward {
                ln_t: t.iter().map(|v| v.ln()).collect(),
                classes: k,
            },
            RowLoss::Backward {
                t_inv: inv,
                classes: k,
            },
        ]
    }

    fn assert_close(ours: (f64, &[f64]), theirs: (f64, &[f64]), what: &str) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
        assert!(
            close(ours.0, theirs.0),
            "{what}: F {} vs {}",
            ours.0,
            theirs.0
        );
        for (i, (a, b)) in ours.1.iter().zip(theirs.1).enumerate() {
            assert!(close(*a, *b), "{what}: ∂F/∂θ[{i}] {a} vs {b}");
        }
    }

    #[test]
    fn every_kernel_matches_the_textbook_evaluation() {
        // Shapes around the tile and block edges: D not a multiple of 8, K needing padding,
        // fewer rows than one lane group, more rows than one block.
        let shapes = [
            (1, 1, 2),
            (7, 3, 3),
            (300, 13, 7),
            (517, 64, 10),
            (64, 8, 13),
            (40, 70, 4),
        ];
        for (case, &(n, d, k)) in shapes.iter().enumerate() {
            let (x, y) = random(n, d, k, case as u64);
            let all: Vec<usize> = (0..n).collect();
            for (l, loss) in losses(k).into_iter().enumerate() {
                let th = theta((d + 1) * k, 100 + l as u64);
                let want = reference(&x, &y, &all, k, k, &loss, 0.01, &th);
                for kernel in Kernel::available() {
                    let mut obj = Objective::new(x.view(), &y, k, k, loss.clone(), 0.01);
                    assert!(obj.set_kernel(kernel));
                    let mut g = vec![0.0; th.len()];
                    let f = obj.value_grad(&th, &mut g);
                    let what = format!("{kernel:?} n={n} d={d} k={k} loss #{l}");
                    assert_close((f, &g), (want.0, &want.1), &what);
                }
            }
        }
    }

    #[test]
    fn logistic_model_mini_batches_and_strided_views_match_the_textbook_evaluation() {
        let (x, y) = random(300, 5, 2, 7);
        let th = theta(6, 8);
        let loss = RowLoss::Soft(SmoothedTarget::new(0.2, 2, SmoothingStyle::Uniform));
        let all: Vec<usize> = (0..300).collect();
        let want = reference(&x, &y, &all, 2, 1, &loss, 0.1, &th);
        let mut g = vec![0.0; 6];
        let mut obj = Objective::new(x.view(), &y, 2, 1, loss.clone(), 0.1);
        assert_close(
            (obj.value_grad(&th, &mut g), &g),
            (want.0, &want.1),
            "logistic",
        );

        // A mini-batch with repeats, longer than one block.
        let (x, y) = random(50, 9, 4, 9);
        let rows: Vec<usize> = (0..600).map(|i| (i * 37) % 50).collect();
        let th = theta(40, 10);
        let loss = RowLoss::Soft(SmoothedTarget::new(0.1, 4, SmoothingStyle::Uniform));
        let want = reference(&x, &y, &rows, 4, 4, &loss, 0.0, &th);
        let mut g = vec![0.0; 40];
        let mut obj = Objective::new(x.view(), &y, 4, 4, loss.clone(), 0.0);
        assert_close(
            (obj.value_grad_rows(&th, &rows, &mut g), &g),
            (want.0, &want.1),
            "rows",
        );

        // Column-major storage and a view of every other row.
        let cm = x.t().as_standard_layout().into_owned();
        let cm = cm.t();
        let mut obj = Objective::new(cm, &y, 4, 4, loss.clone(), 0.0);
        let mut g2 = vec![0.0; 40];
        assert_eq!(
            obj.value_grad_rows(&th, &rows, &mut g2),
            obj.value_grad_rows(&th, &rows, &mut g)
        );
        assert_close(
            (obj.value_grad_rows(&th, &rows, &mut g2), &g2),
            (want.0, &want.1),
            "column-major",
        );
        let every_other = x.slice(ndarray::s![..;2, ..]);
        let y2: Vec<usize> = y.iter().step_by(2).copied().collect();
        let all2: Vec<usize> = (0..25).collect();
        let want2 = reference(&every_other.to_owned(), &y2, &all2, 4, 4, &loss, 0.0, &th);
        let mut obj = Objective::new(every_other, &y2, 4, 4, loss, 0.0);
        assert_close(
            (obj.value_grad(&th, &mut g), &g),
            (want2.0, &want2.1),
            "strided rows",
        );
    }

    #[test]
    fn kernels_give_identical_bits() {
        let (x, y) = random(1000, 37, 10, 11);
        let th = theta(38 * 10, 12);
        for loss in losses(10) {
            let mut results = Vec::new();
            for kernel in Kernel::available() {
                let mut obj = Objective::new(x.view(), &y, 10, 10, loss.clone(), 1e-3);
                assert!(obj.set_kernel(kernel));
                let mut g = vec![0.0; th.len()];
                let f = obj.value_grad(&th, &mut g);
                results.push((
                    kernel,
                    f.to_bits(),
                    g.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                ));
            }
            for r in &results[1..] {
                assert_eq!(r.1, results[0].1, "F of {:?} vs {:?}", r.0, results[0].0);
                assert!(r.2 == results[0].2, "∇F of {:?} vs {:?}", r.0, results[0].0);
            }
        }
    }

    #[test]
    fn lane_exp_is_within_two_ulp_of_the_standard_library() {
        let mut worst = 0.0f64;
        let mut x0 = -746.0;
        while x0 < 709.0 {
            let xs: [f64; 8] = std::array::from_fn(|i| x0 + i as f64 * 1.37e-3);
            let ours = Portable(xs).exp().0;
            for (x, v) in xs.iter().zip(ours) {
                if *x < -708.0 {
                    assert_eq!(v, 0.0, "exp({x})");
                } else if *x <= 709.0 {
                    let want = x.exp();
                    worst = worst.max(((v - want) / want).abs() / f64::EPSILON);
                }
            }
            x0 += 0.0173;
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert!(Portable::splat(f64::NAN).exp().0[0].is_nan());
        assert_eq!(Portable::splat(f64::NEG_INFINITY).exp().0[0], 0.0);
        assert_eq!(Portable::splat(0.0).exp().0[0], 1.0);
    }
}
