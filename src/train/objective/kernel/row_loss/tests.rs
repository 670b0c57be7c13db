//! The lane row losses against independent facts: each method's per-row formula
//! ([`RowLoss::eval`] on the standard library's exp and ln), finite differences of F, closed forms
//! at extreme logits, and identical bits on every kernel.

use crate::train::loss::{log_softmax, RowLoss};
use crate::train::objective::tests::losses as every_loss;
use crate::train::objective::{Kernel, Objective};
use crate::train::targets::SmoothedTarget;
use crate::vocab::matrix::TransitionMatrix;
use ndarray::Array2;

/// Rows of a fixed pseudo-random design (no RNG dependence), labels cycling through the classes.
fn problem(n: usize, d: usize, k: usize) -> (Array2<f64>, Vec<usize>) {
    let x = Array2::from_shape_fn((n, d), |(i, j)| ((i * 31 + j * 17) % 23) as f64 / 7.0 - 1.5);
    (x, (0..n).map(|i| (i * 7) % k).collect())
}

/// F with no penalty, row by row from the logits (0, z) or z and [`RowLoss::eval`].
fn per_row_mean(
    x: &Array2<f64>,
    y: &[usize],
    k: usize,
    c: usize,
    loss: &RowLoss,
    th: &[f64],
) -> f64 {
    let d = x.ncols();
    let mut total = 0.0;
    for (i, &label) in y.iter().enumerate() {
        let out: Vec<f64> = (0..c)
            .map(|j| th[d * c + j] + (0..d).map(|f| x[[i, f]] * th[f * c + j]).sum::<f64>())
            .collect();
        let z = if c == 1 { vec![0.0, out[0]] } else { out };
        let (mut lp, mut p, mut g) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        log_softmax(&z, &mut lp, &mut p);
        total += loss.eval(label, &lp, &p, &mut g);
    }
    total / y.len() as f64
}

/// Logistic model (C = 1) and softmax (C = K) for every loss and kernel: F equals the per-row
/// formula, ∇F equals central differences of F, and every kernel of one arithmetic gives the same
/// bits.
#[test]
fn every_loss_and_model_matches_its_formula_and_finite_differences_on_every_kernel() {
    for (k, c) in [(2, 1), (2, 2), (3, 3), (10, 10)] {
        // 203 rows: several blocks and a last group of 3 rows.
        let (x, y) = problem(203, 5, k);
        let n_params = 6 * c;
        let th: Vec<f64> = (0..n_params)
            .map(|i| ((i * 5) % 11) as f64 / 10.0 - 0.5)
            .collect();
        for loss in every_loss(k) {
            let want = per_row_mean(&x, &y, k, c, &loss, &th);
            let mut bits = Vec::new();
            for kernel in Kernel::available() {
                let what = format!("{kernel:?} K={k} C={c} {loss:?}");
                let mut obj = Objective::new(x.view(), &y, k, c, loss.clone(), 0.0);
                assert!(obj.set_kernel(kernel));
                let mut g = vec![0.0; n_params];
                let f = obj.value_grad(&th, &mut g);
                assert!(
                    (f - want).abs() <= 1e-13 * (1.0 + want.abs()),
                    "{what}: {f} vs {want}"
                );
                let h = 1e-5;
                let mut scratch = vec![0.0; n_params];
                for i in 0..n_params {
                    let (mut up, mut dn) = (th.clone(), th.clone());
                    up[i] += h;
                    dn[i] -= h;
                    let fd = (obj.value_grad(&up, &mut scratch)
                        - obj.value_grad(&dn, &mut scratch))
                        / (2.0 * h);
                    assert!(
                        (fd - g[i]).abs() < 1e-8,
                        "{what} ∂F/∂θ[{i}]: {fd} vs {}",
                        g[i]
                    );
                }
                bits.push((
                    kernel.arithmetic(),
                    f.to_bits(),
                    g.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                ));
            }
            assert!(
                bits.windows(2).all(|w| w[0].0 != w[1].0 || w[0] == w[1]),
                "K={k} C={c} {loss:?}: kernels differ"
            );
        }
    }
}

/// One row with feature 1 and weights = the given logits: F is that row's loss.
fn one_row(k: usize, c: usize, logits: &[f64], label: usize, loss: RowLoss) -> (f64, Vec<f64>) {
    let x = Array2::from_elem((1, 1), 1.0);
    let y = [label];
    let mut th = logits.to_vec();
    th.extend(std::iter::repeat_n(0.0, c));
    let mut obj = Objective::new(x.view(), &y, k, c, loss, 0.0);
    let mut g = vec![0.0; th.len()];
    let f = obj.value_grad(&th, &mut g);
    (f, g)
}

/// Logits 750 apart, where p underflows to 0 but log p does not: closed forms.
#[test]
fn extreme_logits_give_the_closed_forms() {
    let z = [0.0, 750.0, -750.0];
    // Bootstrap, label 0: −β log p₀ + (1−β)·H with log p₀ = −750 and H ≈ 0.
    let (f, g) = one_row(3, 3, &z, 0, RowLoss::Bootstrap { beta: 0.8 });
    assert!((f - 0.8 * 750.0).abs() < 1e-9, "{f}");
    assert!(g.iter().all(|v| v.is_finite()));
    // GCE, label 0: (1 − p₀^q)/q = 1/q to within e^(−750q)/q; ∂/∂z = p₀^q·(p − e₀), which is
    // ±e^(−375) = ±1.379e−163 on classes 0 and 1.
    let (f, g) = one_row(3, 3, &z, 0, RowLoss::Gce { q: 0.5 });
    assert_eq!(f, 2.0);
    let tiny = (-375.0f64).exp();
    let want = [-tiny, tiny, 0.0];
    for (v, w) in g.iter().zip(want.iter().chain(&want)) {
        assert!((v - w).abs() <= 1e-14 * tiny, "{g:?}");
    }
    // Forward correction with T[1][0] = 0.1: −log Σᵢ pᵢ T[i][0] = −ln 0.1 (p₁ = 1).
    let t = TransitionMatrix::symmetric(0.2, 3, false);
    let (f, _) = one_row(3, 3, &z, 0, RowLoss::forward_correction(&t));
    assert!((f + 0.1f64.ln()).abs() < 1e-14, "{f}");
    // Logistic, label 1, z = −800: cross-entropy softplus(800) = 800 (+ e⁻⁸⁰⁰); ∂/∂z = −1.
    let ce = RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 });
    let (f, g) = one_row(2, 1, &[-800.0], 1, ce);
    assert_eq!((f, g[0]), (800.0, -1.0));
}

/// A NaN logit makes F NaN for every loss and model (the divergence checks rely on it).
#[test]
fn a_nan_logit_makes_the_objective_nan() {
    for (k, c) in [(2, 1), (3, 3)] {
        for loss in every_loss(k) {
            let mut z = vec![0.5; c];
            z[c - 1] = f64::NAN;
            let (f, _) = one_row(k, c, &z, 0, loss.clone());
            assert!(f.is_nan(), "K={k} C={c} {loss:?}: {f}");
        }
    }
}
