//! Every kernel against the textbook evaluation, and the fused kernels against each other bit for
//! bit (the unfused one against them: `unfused_tests.rs`).

use super::lanes::{Lanes, Portable};
use super::*;
use crate::scenario::spec::SmoothingStyle;
use crate::train::targets::SmoothedTarget;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The textbook evaluation, row by row with plain sums and the standard library's exp and ln.
#[allow(clippy::too_many_arguments)]
pub(super) fn reference(
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
            .map(|j| theta[d * c + j] + (0..d).map(|f| x[[i, f]] * theta[f * c + j]).sum::<f64>())
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

pub(super) fn random(n: usize, d: usize, k: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, d), |_| rng.gen_range(-2.0..2.0));
    let y = (0..n).map(|_| rng.gen_range(0..k)).collect();
    (x, y)
}

pub(super) fn theta(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen_range(-0.7..0.7)).collect()
}

/// Every row loss on K classes (also the row-loss tests' list).
pub(super) fn losses(k: usize) -> Vec<RowLoss> {
    let t = crate::vocab::matrix::TransitionMatrix::symmetric(0.3, k, false);
    vec![
        RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 }),
        RowLoss::Soft(SmoothedTarget::new(0.2, k, SmoothingStyle::Uniform)),
        RowLoss::Soft(SmoothedTarget::new(0.3, k, SmoothingStyle::Others)),
        RowLoss::Bootstrap { beta: 0.8 },
        RowLoss::Gce { q: 0.7 },
        RowLoss::Gce { q: 1e-6 },
        RowLoss::forward_correction(&t),
        RowLoss::backward_correction(&t).unwrap(),
    ]
}

pub(super) fn assert_close(ours: (f64, &[f64]), theirs: (f64, &[f64]), what: &str) {
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
        for kernel in Kernel::available_with(Arithmetic::Fused) {
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

/// F and ∇F as bits, from `kernel`, over all rows or the given ones.
#[allow(clippy::too_many_arguments)]
pub(super) fn bits_of(
    kernel: Kernel,
    x: &Array2<f64>,
    y: &[usize],
    k: usize,
    c: usize,
    loss: &RowLoss,
    th: &[f64],
    rows: Option<&[usize]>,
) -> (u64, Vec<u64>) {
    let mut obj = Objective::new(x.view(), y, k, c, loss.clone(), 1e-3);
    assert!(obj.set_kernel(kernel));
    let mut g = vec![0.0; th.len()];
    let f = match rows {
        Some(rows) => obj.value_grad_rows(th, rows, &mut g),
        None => obj.value_grad(th, &mut g),
    };
    (f.to_bits(), g.iter().map(|v| v.to_bits()).collect())
}

#[test]
fn kernels_give_identical_bits_for_every_class_tile_and_ragged_shape() {
    // (rows, D, K, C): the logistic model (C = 1) and class tiles of 2, 3, 4 (7 = 2 × 4 with a
    // padded class), 5 (10) and 5 + 4 (13 = 3 × 5 with padding: tiles 5, 5, 5); D odd (a tail
    // vector) and wider than one backward tile; rows not a multiple of 8, fewer than one group,
    // more than one block, and tiles of several row groups ending with single groups.
    let shapes = [
        (101, 37, 2, 1),
        (3, 11, 2, 1),
        (77, 9, 2, 2),
        (45, 21, 3, 3),
        (263, 67, 7, 7),
        (99, 13, 10, 10),
        (130, 5, 13, 13),
        (5, 37, 2, 2),
    ];
    for (case, &(n, d, k, c)) in shapes.iter().enumerate() {
        let (x, y) = random(n, d, k, 40 + case as u64);
        let all: Vec<usize> = (0..n).collect();
        // A mini-batch with repeats, in shuffled order.
        let batch: Vec<usize> = (0..n + 13).map(|i| (i * 31 + 7) % n).collect();
        for (l, loss) in losses(k).iter().enumerate() {
            let th = theta((d + 1) * c, 200 + l as u64);
            let want = reference(&x, &y, &all, k, c, loss, 1e-3, &th);
            for rows in [None, Some(batch.as_slice())] {
                let portable = bits_of(Kernel::Portable, &x, &y, k, c, loss, &th, rows);
                for kernel in Kernel::available_with(Arithmetic::Fused) {
                    let what = format!("{kernel:?} n={n} d={d} k={k} c={c} loss #{l} {rows:?}");
                    let got = bits_of(kernel, &x, &y, k, c, loss, &th, rows);
                    assert_eq!(got.0, portable.0, "F of {what}");
                    assert!(got.1 == portable.1, "∇F of {what}");
                }
                if rows.is_none() {
                    let g: Vec<f64> = portable.1.iter().map(|b| f64::from_bits(*b)).collect();
                    let what = format!("n={n} d={d} k={k} c={c} loss #{l}");
                    assert_close((f64::from_bits(portable.0), &g), (want.0, &want.1), &what);
                }
            }
        }
    }
}
