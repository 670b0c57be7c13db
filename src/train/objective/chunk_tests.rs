//! Chunked evaluations: the same bits on 1, 2 and 3 threads and on every kernel of one arithmetic
//! (fused or unfused), and the value of a plain f64 evaluation, on shapes with several chunks and a
//! ragged last one.

use super::*;
use crate::scenario::spec::SmoothingStyle;
use crate::train::targets::SmoothedTarget;
use ndarray::{Array1, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// 12,365 rows: three chunks (4,096 + 4,096 + 4,173 rows), the last not a whole number of blocks.
const N: usize = 12_365;
const D: usize = 13;
const K: usize = 7;

fn problem(seed: u64) -> (Array2<f64>, Vec<usize>, Vec<f64>) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((N, D), |_| rng.gen_range(-2.0..2.0));
    let y = (0..N).map(|_| rng.gen_range(0..K)).collect();
    let theta = (0..(D + 1) * K).map(|_| rng.gen_range(-0.5..0.5)).collect();
    (x, y, theta)
}

/// A mini-batch list of 9,000 positions with repeats: two chunks.
fn batch() -> Vec<usize> {
    (0..9_000).map(|i| (i * 7_919) % N).collect()
}

fn smoothing() -> RowLoss {
    RowLoss::Soft(SmoothedTarget::new(0.1, K, SmoothingStyle::Uniform))
}

/// (F, ∇F) as bits, evaluated on a pool of `threads` threads.
fn bits(
    obj: &mut Objective<'_>,
    theta: &[f64],
    rows: Option<&[usize]>,
    threads: usize,
) -> Vec<u64> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut g = vec![0.0; theta.len()];
    let f = pool.install(|| match rows {
        None => obj.value_grad(theta, &mut g),
        Some(r) => obj.value_grad_rows(theta, r, &mut g),
    });
    std::iter::once(f).chain(g).map(f64::to_bits).collect()
}

#[test]
fn several_chunks_give_the_same_bits_on_any_thread_count_and_kernel_of_one_arithmetic() {
    let (x, y, theta) = problem(1);
    let rows = batch();
    // The lane-wise softmax path and the per-row path (generalized cross entropy).
    for loss in [smoothing(), RowLoss::Gce { q: 0.7 }] {
        for subset in [None, Some(rows.as_slice())] {
            let mut want = std::collections::HashMap::new();
            for kernel in Kernel::available() {
                let mut obj = Objective::new(x.view(), &y, K, K, loss.clone(), 1e-3);
                assert!(obj.set_kernel(kernel));
                for threads in [1, 2, 3] {
                    let got = bits(&mut obj, &theta, subset, threads);
                    let what =
                        format!("{kernel:?}, {threads} threads, subset {}", subset.is_some());
                    let w = want
                        .entry(kernel.arithmetic())
                        .or_insert_with(|| got.clone());
                    assert!(*w == got, "{what}: other bits");
                }
            }
        }
    }
}

/// Label smoothing written with whole-matrix products: Z = XW + b, loss = T·lse(z) − Σₖ tₖ zₖ,
/// G = T·softmax(z) − t, ∇W = XᵀG/n + l2·W, ∇b = Σᵢ Gᵢ/n.
fn plain(x: &Array2<f64>, y: &[usize], theta: &[f64], l2: f64) -> (f64, Vec<f64>) {
    let SmoothedTarget { on, off } = SmoothedTarget::new(0.1, K, SmoothingStyle::Uniform);
    let total = on + off * (K - 1) as f64;
    let w = ndarray::ArrayView2::from_shape((D, K), &theta[..D * K]).unwrap();
    let b = Array1::from(theta[D * K..].to_vec());
    let mut z = x.dot(&w) + &b;
    let mut loss = 0.0;
    for (mut row, &label) in z.axis_iter_mut(Axis(0)).zip(y) {
        let m = row.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        let s: f64 = row.iter().map(|v| (v - m).exp()).sum();
        loss += total * (m + s.ln());
        for (k, v) in row.iter_mut().enumerate() {
            let t = if k == label { on } else { off };
            loss -= t * *v;
            *v = total * (*v - m).exp() / s - t;
        }
    }
    let n = y.len() as f64;
    let gw = x.t().dot(&z) / n + &(&w * l2);
    let gb = z.sum_axis(Axis(0)) / n;
    let penalty = 0.5 * l2 * w.iter().map(|v| v * v).sum::<f64>();
    (loss / n + penalty, gw.iter().chain(&gb).copied().collect())
}

#[test]
fn several_chunks_evaluate_label_smoothing_like_the_plain_matrix_formula() {
    let (x, y, theta) = problem(2);
    let rows = batch();
    let picked = x.select(Axis(0), &rows);
    let picked_y: Vec<usize> = rows.iter().map(|&i| y[i]).collect();
    let l2 = 1e-3;
    let mut obj = Objective::new(x.view(), &y, K, K, smoothing(), l2);
    let mut g = vec![0.0; theta.len()];
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
    for (subset, (want_f, want_g)) in [
        (None, plain(&x, &y, &theta, l2)),
        (Some(&rows), plain(&picked, &picked_y, &theta, l2)),
    ] {
        let f = match subset {
            None => obj.value_grad(&theta, &mut g),
            Some(r) => obj.value_grad_rows(&theta, r, &mut g),
        };
        assert!(close(f, want_f), "F {f} vs {want_f}");
        for (i, (a, b)) in g.iter().zip(&want_g).enumerate() {
            assert!(close(*a, *b), "∂F/∂θ[{i}] {a} vs {b}");
        }
    }
}
