//! The floor of one objective-and-gradient evaluation on this machine, measured, not copied: the
//! two products (logits X·W and gradient Xᵀ·G, 4·n·d·C flops) at the rate of a well-blocked f64
//! GEMM (ndarray's matrixmultiply, one thread, 512³), or reading X once at the bandwidth measured
//! by streaming X itself, whichever takes longer.

use ndarray::{Array2, ArrayView2};
use std::hint::black_box;
use std::time::Instant;

/// What this machine does, one thread.
#[derive(Clone, Copy, Debug)]
pub struct Floor {
    /// f64 GEMM rate, GFLOP/s.
    pub gemm_gflops: f64,
    /// Read bandwidth streaming X, GB/s.
    pub bandwidth_gbs: f64,
}

/// Seconds of the best of `reps` runs of `work`.
fn best_of(reps: usize, mut work: impl FnMut()) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            work();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

impl Floor {
    /// Measures the GEMM rate (best of 5 products of 512 × 512 matrices) and the bandwidth of
    /// summing `x` (best of 3 passes; for X larger than the caches this is DRAM bandwidth).
    pub fn measure(x: ArrayView2<'_, f64>) -> Floor {
        let m = 512;
        let a = Array2::from_shape_fn((m, m), |(i, j)| ((i * 31 + j * 17) % 97) as f64 / 97.0);
        let b = a.t().to_owned();
        let mut c = Array2::<f64>::zeros((m, m));
        let gemm = best_of(5, || {
            ndarray::linalg::general_mat_mul(1.0, &a, &b, 0.0, &mut c);
            black_box(&c);
        });
        let values = x.as_slice().expect("a row-major X");
        let stream = best_of(3, || {
            black_box(sum4(values));
        });
        Floor {
            gemm_gflops: 2.0 * (m * m * m) as f64 / gemm / 1e9,
            bandwidth_gbs: std::mem::size_of_val(values) as f64 / stream / 1e9,
        }
    }

    /// (GEMM seconds, memory seconds) of one evaluation of n rows, d features, c outputs.
    pub fn evaluation(&self, n: usize, d: usize, c: usize) -> (f64, f64) {
        let flops = 4.0 * n as f64 * d as f64 * c as f64;
        let bytes = 8.0 * n as f64 * d as f64;
        (
            flops / (self.gemm_gflops * 1e9),
            bytes / (self.bandwidth_gbs * 1e9),
        )
    }

    /// The floor of one evaluation, seconds: the larger of the two.
    pub fn evaluation_seconds(&self, n: usize, d: usize, c: usize) -> f64 {
        let (gemm, memory) = self.evaluation(n, d, c);
        gemm.max(memory)
    }
}

/// Sum with four independent accumulators, so the loop is bound by loads, not by add latency.
fn sum4(v: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let chunks = v.chunks_exact(4);
    let tail: f64 = chunks.remainder().iter().sum();
    for c in chunks {
        for k in 0..4 {
            acc[k] += c[k];
        }
    }
    acc.iter().sum::<f64>() + tail
}
