//! Per-sample losses of every method, written on the full K-class softmax probabilities.
//!
//! Each loss takes the observed label, log p and p (K entries) and returns the loss and writes
//! ∂loss/∂z for the K logits z. A binary logistic model is the softmax with logits (0, z), so the
//! same code serves it: its gradient is the class-1 entry.
//!
//! The evaluation kernel computes the same losses 8 rows at a time in closed forms on the logits
//! (src/train/objective/kernel/row_loss/); these row-by-row forms are the reference its tests
//! compare against, and what the start objective F(0) uses.

use super::targets::SmoothedTarget;
use crate::vocab::matrix::TransitionMatrix;

/// A method's per-sample loss, resolved to the numbers its formula needs.
#[derive(Clone, Debug)]
pub enum RowLoss {
    /// −Σₖ tₖ log pₖ with t = `on` at the label and `off` elsewhere (ce: on = 1, off = 0).
    Soft(SmoothedTarget),
    /// Soft bootstrapping (Reed et al. 2014): −Σₖ (β yₖ + (1−β) pₖ) log pₖ, the gradient flowing
    /// through both p's (β·CE + (1−β)·entropy, the paper's minimum-entropy reading).
    Bootstrap { beta: f64 },
    /// Generalized cross entropy (Zhang & Sabuncu 2018): (1 − p_y^q)/q.
    Gce { q: f64 },
    /// Forward correction (Patrini et al. 2017): −log Σᵢ pᵢ T[i][y]. Stores ln T (K×K, row-major).
    Forward { ln_t: Vec<f64>, classes: usize },
    /// Backward correction (Patrini et al. 2017): Σⱼ T⁻¹[y][j]·(−log pⱼ). Stores T⁻¹ row-major.
    Backward { t_inv: Vec<f64>, classes: usize },
}

impl RowLoss {
    /// Forward correction by T.
    pub fn forward_correction(t: &TransitionMatrix) -> RowLoss {
        RowLoss::Forward {
            ln_t: t.entries().iter().map(|v| v.ln()).collect(),
            classes: t.classes(),
        }
    }

    /// Backward correction by T; `None` when T is singular.
    pub fn backward_correction(t: &TransitionMatrix) -> Option<RowLoss> {
        Some(RowLoss::Backward {
            t_inv: t.inverse()?.to_vec(),
            classes: t.classes(),
        })
    }

    /// A correction by the identity matrix (forward: ln T = 0 on the diagonal and −∞ elsewhere;
    /// backward: T⁻¹ = I), which is cross entropy; the kernel evaluates it as such so those
    /// fits equal `ce`'s bit for bit. Stops at the first entry that differs.
    pub fn is_identity_correction(&self) -> bool {
        let is_identity = |entries: &[f64], k: usize, on: f64, off: f64| {
            entries
                .iter()
                .enumerate()
                .all(|(i, &v)| v == if i / k == i % k { on } else { off })
        };
        match self {
            RowLoss::Forward { ln_t, classes } => {
                is_identity(ln_t, *classes, 0.0, f64::NEG_INFINITY)
            }
            RowLoss::Backward { t_inv, classes } => is_identity(t_inv, *classes, 1.0, 0.0),
            _ => false,
        }
    }

    /// Loss of one sample with observed label `y`; writes ∂loss/∂z into `grad` (length K).
    #[inline]
    pub fn eval(&self, y: usize, logp: &[f64], p: &[f64], grad: &mut [f64]) -> f64 {
        match self {
            RowLoss::Soft(t) => {
                let mut loss = 0.0;
                let total = t.on + t.off * (p.len() as f64 - 1.0);
                for k in 0..p.len() {
                    let tk = if k == y { t.on } else { t.off };
                    loss -= tk * logp[k];
                    grad[k] = total * p[k] - tk;
                }
                loss
            }
            RowLoss::Bootstrap { beta } => {
                let entropy: f64 = -p.iter().zip(logp).map(|(a, b)| a * b).sum::<f64>();
                for k in 0..p.len() {
                    let hard = p[k] - if k == y { 1.0 } else { 0.0 };
                    grad[k] = beta * hard - (1.0 - beta) * p[k] * (logp[k] + entropy);
                }
                -beta * logp[y] + (1.0 - beta) * entropy
            }
            RowLoss::Gce { q } => {
                // 1 − p_y^q = −expm1(q·log p_y): no cancellation as q → 0, where GCE → CE.
                let qa = q * logp[y];
                let py_q = qa.exp();
                for k in 0..p.len() {
                    grad[k] = py_q * p[k] - if k == y { py_q } else { 0.0 };
                }
                -qa.exp_m1() / q
            }
            RowLoss::Forward { ln_t, classes } => {
                let k = *classes;
                // log q_y = logsumexp_i(log p_i + ln T[i][y]); w_i = p_i T[i][y] / q_y.
                let mut m = f64::NEG_INFINITY;
                for i in 0..k {
                    m = m.max(logp[i] + ln_t[i * k + y]);
                }
                let mut s = 0.0;
                for i in 0..k {
                    s += (logp[i] + ln_t[i * k + y] - m).exp();
                }
                let log_q = m + s.ln();
                for i in 0..k {
                    let w = (logp[i] + ln_t[i * k + y] - log_q).exp();
                    grad[i] = p[i] - w;
                }
                -log_q
            }
            RowLoss::Backward { t_inv, classes } => {
                let k = *classes;
                let c = &t_inv[y * k..(y + 1) * k];
                let total: f64 = c.iter().sum();
                let mut loss = 0.0;
                for j in 0..k {
                    loss -= c[j] * logp[j];
                    grad[j] = total * p[j] - c[j];
                }
                loss
            }
        }
    }
}

/// Stable log-softmax of `z` into `logp` and softmax into `p`.
#[inline]
pub fn log_softmax(z: &[f64], logp: &mut [f64], p: &mut [f64]) {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for (pk, zk) in p.iter_mut().zip(z) {
        *pk = (zk - m).exp();
        s += *pk;
    }
    let log_s = s.ln();
    let inv = 1.0 / s;
    for k in 0..z.len() {
        logp[k] = z[k] - m - log_s;
        p[k] *= inv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::SmoothingStyle;

    const K: usize = 4;
    const Z: [f64; K] = [0.3, -1.2, 2.0, 0.5];

    fn eval(loss: &RowLoss, y: usize, z: &[f64]) -> (f64, Vec<f64>) {
        let k = z.len();
        let (mut lp, mut p, mut g) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        log_softmax(z, &mut lp, &mut p);
        let v = loss.eval(y, &lp, &p, &mut g);
        (v, g)
    }

    fn ce() -> RowLoss {
        RowLoss::Soft(SmoothedTarget { on: 1.0, off: 0.0 })
    }

    fn symmetric_t(rate: f64) -> Vec<Vec<f64>> {
        (0..K)
            .map(|i| {
                (0..K)
                    .map(|j| {
                        if i == j {
                            1.0 - rate
                        } else {
                            rate / (K - 1) as f64
                        }
                    })
                    .collect()
            })
            .collect()
    }

    fn every_loss() -> Vec<RowLoss> {
        let t = symmetric_t(0.3);
        let inv = crate::vocab::matrix::TransitionMatrix::new(&t)
            .unwrap()
            .inverse()
            .unwrap()
            .to_vec();
        vec![
            ce(),
            RowLoss::Soft(SmoothedTarget::new(0.1, K, SmoothingStyle::Uniform)),
            RowLoss::Soft(SmoothedTarget::new(0.2, K, SmoothingStyle::Others)),
            RowLoss::Soft(SmoothedTarget::new(-0.1, K, SmoothingStyle::Uniform)),
            RowLoss::Bootstrap { beta: 0.8 },
            RowLoss::Gce { q: 0.7 },
            RowLoss::Forward {
                ln_t: t.iter().flatten().map(|v| v.ln()).collect(),
                classes: K,
            },
            RowLoss::Backward {
                t_inv: inv.clone(),
                classes: K,
            },
        ]
    }

    /// ∂loss/∂z against central differences, every method, every label.
    #[test]
    fn logit_gradients_match_finite_differences() {
        let h = 1e-6;
        for loss in every_loss() {
            for y in 0..K {
                let (_, g) = eval(&loss, y, &Z);
                for j in 0..K {
                    let (mut up, mut dn) = (Z, Z);
                    up[j] += h;
                    dn[j] -= h;
                    let fd = (eval(&loss, y, &up).0 - eval(&loss, y, &dn).0) / (2.0 * h);
                    assert!(
                        (fd - g[j]).abs() < 1e-8,
                        "{loss:?} y={y} j={j}: {fd} vs {}",
                        g[j]
                    );
                }
            }
        }
    }

    /// PyTorch's `CrossEntropyLoss(label_smoothing=ε)` is documented as
    /// (1−ε)·(−log p_y) + ε·mean_k(−log p_k); computed here from the logits by hand.
    #[test]
    fn smoothed_ce_equals_pytorch_formula_k4_eps01() {
        let (eps, y) = (0.1, 2);
        let lse = Z.iter().map(|z| z.exp()).sum::<f64>().ln();
        let nll: Vec<f64> = Z.iter().map(|z| lse - z).collect();
        let want = (1.0 - eps) * nll[y] + eps * nll.iter().sum::<f64>() / K as f64;
        let got = eval(
            &RowLoss::Soft(SmoothedTarget::new(eps, K, SmoothingStyle::Uniform)),
            y,
            &Z,
        )
        .0;
        assert!((got - want).abs() < 1e-14, "{got} vs {want}");
        // The numbers themselves, from Python's math module on Z = (0.3, −1.2, 2.0, 0.5):
        // log Σ exp z = 2.3691993073690183 and the smoothed loss is 0.5291993073690183.
        assert!((lse - 2.369_199_307_369_018_3).abs() < 1e-14, "{lse}");
        assert!((got - 0.529_199_307_369_018_3).abs() < 1e-14, "{got}");
    }

    #[test]
    fn special_cases_equal_ce() {
        let identity: Vec<f64> = (0..K * K)
            .map(|i| if i / K == i % K { 1.0 } else { 0.0 })
            .collect();
        let same = [
            RowLoss::Soft(SmoothedTarget::new(0.0, K, SmoothingStyle::Uniform)),
            RowLoss::Soft(SmoothedTarget::new(0.0, K, SmoothingStyle::Others)),
            RowLoss::Bootstrap { beta: 1.0 },
            RowLoss::Forward {
                ln_t: identity.iter().map(|v| v.ln()).collect(),
                classes: K,
            },
            RowLoss::Backward {
                t_inv: identity.clone(),
                classes: K,
            },
        ];
        for y in 0..K {
            let (v0, g0) = eval(&ce(), y, &Z);
            for loss in &same {
                let (v, g) = eval(loss, y, &Z);
                assert!((v - v0).abs() < 1e-15, "{loss:?}: {v} vs {v0}");
                g.iter()
                    .zip(&g0)
                    .for_each(|(a, b)| assert!((a - b).abs() < 1e-15, "{loss:?}"));
            }
        }
    }

    #[test]
    fn only_identity_corrections_are_cross_entropy() {
        let identity = TransitionMatrix::identity(K);
        assert!(RowLoss::forward_correction(&identity).is_identity_correction());
        let backward = RowLoss::backward_correction(&identity).unwrap();
        assert!(backward.is_identity_correction());
        assert!(every_loss().iter().all(|l| !l.is_identity_correction()));
    }

    /// For a = log p_y ≤ 0: e^{qa} ∈ [1 + qa, 1 + qa + (qa)²/2], so
    /// 0 ≤ CE − GCE_q ≤ q·a²/2: GCE → CE linearly in q.
    #[test]
    fn gce_approaches_ce_within_the_taylor_bound() {
        for y in 0..K {
            let (ce_v, ce_g) = eval(&ce(), y, &Z);
            for q in [0.5, 1e-2, 1e-4, 1e-6] {
                let (v, g) = eval(&RowLoss::Gce { q }, y, &Z);
                let bound = q * ce_v * ce_v / 2.0;
                assert!(
                    ce_v - v >= 0.0 && ce_v - v <= bound * (1.0 + 1e-9),
                    "q={q}: {v} vs {ce_v}"
                );
                // ∇GCE = p_y^q ∇CE, and 1 − p_y^q ≤ q·(−log p_y).
                g.iter()
                    .zip(&ce_g)
                    .for_each(|(a, b)| assert!((a - b).abs() <= q * ce_v * b.abs() + 1e-12));
            }
        }
    }

    /// GCE with q = 1 is the MAE-like loss 1 − p_y (Zhang & Sabuncu 2018).
    #[test]
    fn gce_q1_is_one_minus_p() {
        let (v, _) = eval(&RowLoss::Gce { q: 1.0 }, 1, &Z);
        let p1 = Z[1].exp() / Z.iter().map(|z| z.exp()).sum::<f64>();
        assert!((v - (1.0 - p1)).abs() < 1e-15);
    }

    /// Patrini et al. 2017, Theorem 1: the backward-corrected loss is unbiased,
    /// Σⱼ T[y][j]·ℓ←(p, j) = ℓ(p, y) for every true class y.
    #[test]
    fn backward_correction_is_unbiased_under_t() {
        let t = symmetric_t(0.3);
        let inv = crate::vocab::matrix::TransitionMatrix::new(&t)
            .unwrap()
            .inverse()
            .unwrap()
            .to_vec();
        let back = RowLoss::Backward {
            t_inv: inv.clone(),
            classes: K,
        };
        for (y, row) in t.iter().enumerate() {
            let expected: f64 = (0..K).map(|j| row[j] * eval(&back, j, &Z).0).sum();
            assert!((expected - eval(&ce(), y, &Z).0).abs() < 1e-12);
        }
    }

    /// Forward correction is CE of the noisy-label distribution Tᵀp: −log Σᵢ pᵢ T[i][y].
    #[test]
    fn forward_correction_is_ce_of_t_transpose_p() {
        let t = symmetric_t(0.3);
        let fwd = RowLoss::Forward {
            ln_t: t.iter().flatten().map(|v| v.ln()).collect(),
            classes: K,
        };
        let s: f64 = Z.iter().map(|z| z.exp()).sum();
        for y in 0..K {
            let q: f64 = Z.iter().zip(&t).map(|(z, row)| z.exp() / s * row[y]).sum();
            assert!((eval(&fwd, y, &Z).0 + q.ln()).abs() < 1e-14);
        }
    }

    /// Soft bootstrapping (Reed et al. 2014) = β·CE + (1−β)·entropy of p.
    #[test]
    fn bootstrap_is_ce_plus_entropy() {
        let s: f64 = Z.iter().map(|z| z.exp()).sum();
        let entropy: f64 = -Z
            .iter()
            .map(|z| (z.exp() / s) * (z.exp() / s).ln())
            .sum::<f64>();
        let (beta, y) = (0.8, 3);
        let want = beta * eval(&ce(), y, &Z).0 + (1.0 - beta) * entropy;
        assert!((eval(&RowLoss::Bootstrap { beta }, y, &Z).0 - want).abs() < 1e-14);
    }
}
