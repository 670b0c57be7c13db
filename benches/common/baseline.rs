//! The evaluation as it was before the hand-written kernel (issue 2): row blocks with ndarray's
//! `general_mat_mul` (matrixmultiply) for both products and the scalar softmax. Kept here only so
//! the benches can show the two side by side.

use labelnoise::train::loss::{log_softmax, RowLoss};
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

/// Rows per block: a block of X (256 × D f64) stays in L2 cache for both products.
const BLOCK: usize = 256;

pub struct Baseline<'a> {
    x: ArrayView2<'a, f64>,
    y: &'a [usize],
    loss: RowLoss,
    classes: usize,
    outputs: usize,
    l2: f64,
    z: Array2<f64>,
    g: Array2<f64>,
    gathered: Array2<f64>,
    logits: Vec<f64>,
    logp: Vec<f64>,
    p: Vec<f64>,
    dz: Vec<f64>,
    /// Number of objective-and-gradient evaluations so far.
    pub evaluations: usize,
}

impl<'a> Baseline<'a> {
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
        let d = x.ncols();
        Baseline {
            x,
            y,
            loss,
            classes,
            outputs,
            l2,
            z: Array2::zeros((BLOCK, outputs)),
            g: Array2::zeros((BLOCK, outputs)),
            gathered: Array2::zeros((0, d)),
            logits: vec![0.0; classes],
            logp: vec![0.0; classes],
            p: vec![0.0; classes],
            dz: vec![0.0; classes],
            evaluations: 0,
        }
    }

    pub fn n_params(&self) -> usize {
        (self.x.ncols() + 1) * self.outputs
    }

    pub fn n_samples(&self) -> usize {
        self.y.len()
    }

    /// F(θ) and ∇F(θ) over all training rows.
    pub fn value_grad(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        self.begin(grad);
        let n = self.x.nrows();
        let mut total = 0.0;
        let mut start = 0;
        while start < n {
            let end = (start + BLOCK).min(n);
            let xb = self.x.slice_move(s![start..end, ..]);
            total += self.block(xb, &self.y[start..end], theta, grad);
            start = end;
        }
        self.finish(theta, grad, total, n)
    }

    /// F and ∇F over a subset of rows (a mini-batch): the mean runs over the subset.
    pub fn value_grad_rows(&mut self, theta: &[f64], rows: &[usize], grad: &mut [f64]) -> f64 {
        self.begin(grad);
        let d = self.x.ncols();
        if self.gathered.nrows() < BLOCK {
            self.gathered = Array2::zeros((BLOCK, d));
        }
        let mut labels = [0usize; BLOCK];
        let mut total = 0.0;
        for chunk in rows.chunks(BLOCK) {
            for (r, &i) in chunk.iter().enumerate() {
                self.gathered.row_mut(r).assign(&self.x.row(i));
                labels[r] = self.y[i];
            }
            let gathered = std::mem::take(&mut self.gathered);
            let xb = gathered.slice(s![..chunk.len(), ..]);
            total += self.block(xb, &labels[..chunk.len()], theta, grad);
            self.gathered = gathered;
        }
        self.finish(theta, grad, total, rows.len())
    }

    fn begin(&mut self, grad: &mut [f64]) {
        self.evaluations += 1;
        grad.iter_mut().for_each(|g| *g = 0.0);
    }

    /// Adds the block's summed loss gradient into `grad`; returns the block's summed loss.
    fn block(
        &mut self,
        xb: ArrayView2<'_, f64>,
        labels: &[usize],
        theta: &[f64],
        grad: &mut [f64],
    ) -> f64 {
        let (d, c, k) = (self.x.ncols(), self.outputs, self.classes);
        let rows = xb.nrows();
        let w = ArrayView2::from_shape((d, c), &theta[..d * c]).expect("θ layout");
        let bias = &theta[d * c..];
        let mut zb = self.z.slice_mut(s![..rows, ..]);
        general_mat_mul(1.0, &xb, &w, 0.0, &mut zb);
        let mut gb = self.g.slice_mut(s![..rows, ..]);
        let mut total = 0.0;
        let (gw_part, gbias) = grad.split_at_mut(d * c);
        for (r, &label) in labels.iter().enumerate().take(rows) {
            let zr = zb.row(r);
            if c == 1 {
                self.logits[0] = 0.0;
                self.logits[1] = zr[0] + bias[0];
            } else {
                for j in 0..k {
                    self.logits[j] = zr[j] + bias[j];
                }
            }
            log_softmax(&self.logits, &mut self.logp, &mut self.p);
            total += self.loss.eval(label, &self.logp, &self.p, &mut self.dz);
            let mut gr = gb.row_mut(r);
            if c == 1 {
                gr[0] = self.dz[1];
                gbias[0] += self.dz[1];
            } else {
                for j in 0..k {
                    gr[j] = self.dz[j];
                    gbias[j] += self.dz[j];
                }
            }
        }
        let mut gw = ArrayViewMut2::from_shape((d, c), gw_part).expect("θ layout");
        general_mat_mul(1.0, &xb.t(), &gb.view(), 1.0, &mut gw);
        total
    }

    fn finish(&mut self, theta: &[f64], grad: &mut [f64], total: f64, n: usize) -> f64 {
        let inv_n = 1.0 / n.max(1) as f64;
        let nw = self.x.ncols() * self.outputs;
        let mut penalty = 0.0;
        for i in 0..grad.len() {
            grad[i] *= inv_n;
            if i < nw {
                grad[i] += self.l2 * theta[i];
                penalty += theta[i] * theta[i];
            }
        }
        total * inv_n + 0.5 * self.l2 * penalty
    }
}
