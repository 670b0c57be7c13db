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
//! From 8,192 rows on, the rows are cut into chunks fixed by the row count alone, evaluated in
//! parallel (rayon, on the pool the caller runs in) and added in chunk order ([`chunks`]): one large
//! fit uses every thread the grid leaves idle, with the same bits on any number of them.
//! On x86-64 the portable kernel runs where AVX2 is missing but FMA is there (AMD Piledriver),
//! through an entry compiled with FMA (the same code, so the same bits). Where FMA is missing too
//! (CPUs before 2013, emulators hiding it), `f64::mul_add` would be libm's software `fma`, ~15×
//! slower than the issue-2 ndarray code: there the unfused kernel runs, a multiply then an add,
//! with other last digits ([`Kernel::Unfused`], [`Arithmetic`]). On aarch64, where FMA is always
//! there, portable is the kernel. `LABELNOISE_KERNEL` pins one ([`Kernel::configured`]). See
//! `benches/` for the measurements.
//!
//! Parameters θ are laid out as W (D×C, row-major) followed by b (C), with C = K outputs for softmax
//! and C = 1 for the binary logistic model (whose class-0 logit is fixed at 0).

mod choice;
#[cfg(test)]
mod chunk_tests;
mod chunks;
mod instruction_set;
mod kernel;
mod lanes;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod unfused_tests;
mod workspace;

pub use choice::{Arithmetic, KernelChoiceError, KERNEL_VAR};
pub use instruction_set::Kernel;

use super::loss::RowLoss;
use chunks::{Chunk, Partition};
use kernel::Block;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use workspace::lane_sum;

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
    /// One per chunk of the largest evaluation so far, each allocated on first use and kept.
    chunks: Vec<Chunk>,
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
        Objective {
            x,
            owned,
            y,
            loss,
            classes,
            outputs,
            l2,
            kernel: Kernel::for_runs(),
            chunks: Vec::new(),
            evaluations: 0,
        }
    }

    /// Switches to another kernel (for benchmarks and tests); false if this CPU lacks it.
    pub fn set_kernel(&mut self, kernel: Kernel) -> bool {
        if !Kernel::available().contains(&kernel) {
            return false;
        }
        self.kernel = kernel;
        let chunks = self.chunks.len();
        self.chunks.clear();
        self.grow(chunks);
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

    /// Where the rows of X are.
    fn rows(&self) -> Rows {
        let (base, stride) = match &self.owned {
            Some(a) => (a.as_ptr(), a.ncols()),
            None => (self.x.as_ptr(), self.x.strides()[0].max(0) as usize),
        };
        Rows { base, stride }
    }

    /// F(θ) and ∇F(θ) over all training rows.
    pub fn value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        self.evaluate(theta, None);
        self.finish(theta, grad, self.y.len())
    }

    /// F and ∇F over a subset of rows (a mini-batch): the mean runs over the subset.
    pub fn value_grad_rows(&mut self, theta: &[f64], rows: &[usize], grad: &mut [f64]) -> f64 {
        if let Some(&i) = rows.iter().find(|&&i| i >= self.y.len()) {
            panic!("row {i} out of range");
        }
        self.evaluate(theta, Some(rows));
        self.finish(theta, grad, rows.len())
    }

    /// Accumulates the sums of the rows (all, or `subset`) into the first chunk's workspace.
    fn evaluate(&mut self, theta: &[f64], subset: Option<&[usize]>) {
        assert_eq!(theta.len(), self.n_params(), "θ has W (D×C) then b (C)");
        self.evaluations += 1;
        let plan = Partition::of(subset.map_or(self.y.len(), <[usize]>::len));
        self.grow(plan.count);
        let pass = Pass {
            rows: self.rows(),
            y: self.y,
            subset,
            loss: &self.loss,
            kernel: self.kernel,
            theta,
        };
        let chunks = &mut self.chunks[..plan.count];
        if let [only] = chunks {
            pass.run(only, plan.range(0));
        } else {
            chunks
                .par_iter_mut()
                .enumerate()
                .for_each(|(i, chunk)| pass.run(chunk, plan.range(i)));
        }
        chunks::reduce(chunks);
    }

    /// Makes sure there are `count` chunks' workspaces.
    fn grow(&mut self, count: usize) {
        while self.chunks.len() < count {
            let tiles = self.kernel.tiles();
            let chunk = Chunk::new(self.x.ncols(), self.outputs, self.classes, tiles);
            self.chunks.push(chunk);
        }
    }

    fn finish(&mut self, theta: &[f64], grad: &mut [f64], n: usize) -> f64 {
        assert_eq!(grad.len(), theta.len());
        let inv_n = 1.0 / n.max(1) as f64;
        let ws = &self.chunks[0].ws;
        let (d, c, d8) = (ws.d, ws.c, ws.d8);
        let acc_w = ws.acc_w.as_slice();
        let mut penalty = 0.0;
        for f in 0..d {
            for k in 0..c {
                let i = f * c + k;
                grad[i] = acc_w[k * d8 + f] * inv_n + self.l2 * theta[i];
                penalty += theta[i] * theta[i];
            }
        }
        let acc_b = ws.acc_b.as_slice();
        for k in 0..c {
            grad[d * c + k] = lane_sum(&acc_b[k * 8..k * 8 + 8]) * inv_n;
        }
        lane_sum(&ws.loss) * inv_n + 0.5 * self.l2 * penalty
    }
}

/// Row i of X: `stride` f64 apart from `base`.
#[derive(Clone, Copy)]
struct Rows {
    base: *const f64,
    stride: usize,
}

// SAFETY: `base` points into X (or the objective's row-major copy), borrowed immutably for the
// objective's lifetime and only ever read.
unsafe impl Send for Rows {}
unsafe impl Sync for Rows {}

/// What every chunk of one evaluation reads.
struct Pass<'p> {
    rows: Rows,
    y: &'p [usize],
    /// The mini-batch's rows, or None for all rows.
    subset: Option<&'p [usize]>,
    loss: &'p RowLoss,
    kernel: Kernel,
    theta: &'p [f64],
}

impl Pass<'_> {
    /// Loads θ into the chunk's workspace and runs the kernel over the rows at positions `range`
    /// (of X, or of the subset), block by block.
    fn run(&self, chunk: &mut Chunk, range: std::ops::Range<usize>) {
        let Chunk {
            ws,
            offsets,
            labels,
        } = chunk;
        ws.begin(self.theta);
        let Rows { base, stride } = self.rows;
        for start in range.clone().step_by(ws.block) {
            let end = (start + ws.block).min(range.end);
            offsets.clear();
            let block = match self.subset {
                None => {
                    offsets.extend((start..end).map(|i| i * stride));
                    Block {
                        base,
                        offsets,
                        stride: Some(stride),
                        labels: &self.y[start..end],
                    }
                }
                Some(rows) => {
                    offsets.extend(rows[start..end].iter().map(|&i| i * stride));
                    labels.clear();
                    labels.extend(rows[start..end].iter().map(|&i| self.y[i]));
                    Block {
                        base,
                        offsets,
                        stride: None,
                        labels,
                    }
                }
            };
            // SAFETY: every offset addresses a row of X (subsets are checked by the caller), the
            // block holds at most `ws.block` rows, and the kernel is one this CPU supports
            // (`Kernel::available`).
            unsafe { self.kernel.run_block(ws, &block, self.loss) }
        }
    }
}
