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

mod instruction_set;
mod kernel;
mod lanes;
#[cfg(test)]
mod tests;
mod workspace;

pub use instruction_set::Kernel;

use super::loss::RowLoss;
use kernel::Block;
use ndarray::{Array2, ArrayView2};
use workspace::{lane_sum, Workspace};

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
        unsafe { self.kernel.run_block(ws, &block, loss) }
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
