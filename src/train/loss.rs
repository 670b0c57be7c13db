//! Per-sample losses of every method, written on the full K-class softmax probabilities.
//!
//! Each loss takes the observed label, log p and p (K entries) and returns the loss and writes
//! ∂loss/∂z for the K logits z. A binary logistic model is the softmax with logits (0, z), so the
//! same code serves it: its gradient is the class-1 entry.

use super::targets::SmoothedTarget;

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
                let py_q = (q * logp[y]).exp();
                for k in 0..p.len() {
                    grad[k] = py_q * p[k] - if k == y { py_q } else { 0.0 };
                }
                (1.0 - py_q) / q
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
