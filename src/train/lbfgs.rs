//! Full-batch L-BFGS with a strong-Wolfe line search (Nocedal & Wright, Algorithms 7.4, 3.5, 3.6).
//!
//! Written here rather than taken from argmin because the fit is the hot loop of every study: this
//! version works on flat slices, allocates its buffers once per fit, and evaluates the objective and
//! gradient together (argmin's L-BFGS clones the parameter vector each iteration and calls cost and
//! gradient separately). Why a run stopped is a value ([`Termination`]), never dropped.

use serde::{Deserialize, Serialize};

pub use crate::vocab::termination::Termination;

#[derive(Clone, Debug)]
pub struct LbfgsSettings {
    pub history: usize,
    pub max_iter: usize,
    /// Stop when max |gᵢ| ≤ gtol.
    pub gtol: f64,
    pub max_linesearch: usize,
}

impl LbfgsSettings {
    pub fn new(history: usize, max_iter: usize, gtol: f64) -> Self {
        LbfgsSettings {
            history,
            max_iter,
            gtol,
            max_linesearch: 40,
        }
    }
}

/// What happened during a minimization. Whether it converged is [`OptimReport::converged`],
/// derived from the termination (records still carry it as a field, written from that value).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "ReportRecord", from = "ReportRecord")]
pub struct OptimReport {
    pub iterations: usize,
    pub evaluations: usize,
    /// max |∇F| at the returned point.
    pub grad_max: f64,
    pub objective: f64,
    pub termination: Termination,
}

impl OptimReport {
    pub fn converged(&self) -> bool {
        self.termination.converged()
    }
}

/// An [`OptimReport`] as a record writes it: `converged` follows the termination, and a stored
/// value is ignored on reading (the termination decides).
#[derive(Serialize, Deserialize)]
struct ReportRecord {
    iterations: usize,
    evaluations: usize,
    #[serde(deserialize_with = "crate::vocab::metric::nan_if_null")]
    grad_max: f64,
    #[serde(deserialize_with = "crate::vocab::metric::nan_if_null")]
    objective: f64,
    termination: Termination,
    #[serde(default)]
    converged: bool,
}

impl From<OptimReport> for ReportRecord {
    fn from(r: OptimReport) -> Self {
        ReportRecord {
            converged: r.converged(),
            iterations: r.iterations,
            evaluations: r.evaluations,
            grad_max: r.grad_max,
            objective: r.objective,
            termination: r.termination,
        }
    }
}

impl From<ReportRecord> for OptimReport {
    fn from(r: ReportRecord) -> Self {
        OptimReport {
            iterations: r.iterations,
            evaluations: r.evaluations,
            grad_max: r.grad_max,
            objective: r.objective,
            termination: r.termination,
        }
    }
}

const C1: f64 = 1e-4;
const C2: f64 = 0.9;
/// Approximate Wolfe conditions (Hager & Zhang 2005): near the optimum F stops resolving progress
/// (its changes fall below rounding), while the gradient still does. A step that keeps F within
/// `APPROX_F`·|F| and satisfies (2δ−1)φ'(0) ≥ φ'(α) counts as a sufficient decrease, so the
/// gradient can be driven far below what F's precision alone would allow.
const APPROX_F: f64 = 1e-12;
const DELTA: f64 = 0.1;
/// Iterations without any improvement of F or max |∇F| before giving up.
const STALL_ITERATIONS: usize = 10;

/// Minimizes `f` (which returns F and writes ∇F) from `x`, in place. `observer(iteration, x, F)` is
/// called after every iteration.
// Over 80 lines: Algorithm 7.5 as one loop; each of its five exits reports the loop's own state.
pub fn minimize<F, O>(f: &mut F, x: &mut [f64], s: &LbfgsSettings, observer: &mut O) -> OptimReport
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
    O: FnMut(usize, &[f64], f64),
{
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut evaluations = 1;
    let mut fx = f(x, &mut g);
    let mut history = History::new(s.history.max(1), n);
    let mut d = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut iterations = 0;
    let mut stalled = 0;
    let report = |it, ev, g: &[f64], fx: f64, t: Termination| OptimReport {
        iterations: it,
        evaluations: ev,
        grad_max: max_abs(g),
        objective: fx,
        termination: t,
    };
    if !fx.is_finite() {
        return report(0, evaluations, &g, fx, Termination::Diverged);
    }
    loop {
        if max_abs(&g) <= s.gtol {
            return report(
                iterations,
                evaluations,
                &g,
                fx,
                Termination::GradientTolerance,
            );
        }
        if iterations >= s.max_iter {
            return report(iterations, evaluations, &g, fx, Termination::MaxIterations);
        }
        let (dg, step0) = history.descent(&g, &mut d);
        let ls = line_search(
            f,
            x,
            fx,
            &g,
            &d,
            dg,
            step0,
            s.max_linesearch,
            &mut x_new,
            &mut g_new,
        );
        evaluations += ls.evaluations;
        let Some(f_new) = ls.value else {
            if !history.is_empty() {
                history.forget(); // retry once from steepest descent
                continue;
            }
            return report(
                iterations,
                evaluations,
                &g,
                fx,
                Termination::LineSearchFailed,
            );
        };
        history.push(x, &x_new, &g, &g_new);
        let improved = f_new < fx || max_abs(&g_new) < max_abs(&g);
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        fx = f_new;
        iterations += 1;
        observer(iterations, x, fx);
        stalled = if improved { 0 } else { stalled + 1 };
        if stalled >= STALL_ITERATIONS && max_abs(&g) > s.gtol {
            return report(
                iterations,
                evaluations,
                &g,
                fx,
                Termination::ObjectiveStalled,
            );
        }
    }
}

/// The last m curvature pairs (s = Δx, y = Δ∇F) in a ring buffer, and the two-loop recursion that
/// applies the inverse-Hessian approximation they define.
struct History {
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    rho: Vec<f64>,
    alpha: Vec<f64>,
    /// Pairs held, and the slot the next pair goes to.
    len: usize,
    head: usize,
}

impl History {
    fn new(m: usize, n: usize) -> Self {
        History {
            s: vec![vec![0.0; n]; m],
            y: vec![vec![0.0; n]; m],
            rho: vec![0.0; m],
            alpha: vec![0.0; m],
            len: 0,
            head: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn forget(&mut self) {
        self.len = 0;
    }

    /// Two-loop recursion: d = −H·g.
    fn direction(&mut self, g: &[f64], d: &mut [f64]) {
        let (m, len, head) = (self.s.len(), self.len, self.head);
        d.copy_from_slice(g);
        for back in 0..len {
            let i = (head + m - 1 - back) % m;
            self.alpha[i] = self.rho[i] * dot(&self.s[i], d);
            axpy(-self.alpha[i], &self.y[i], d);
        }
        if len > 0 {
            let i = (head + m - 1) % m;
            let gamma = dot(&self.s[i], &self.y[i]) / dot(&self.y[i], &self.y[i]);
            d.iter_mut().for_each(|v| *v *= gamma);
        }
        for fwd in 0..len {
            let i = (head + m - len + fwd) % m;
            let beta = self.rho[i] * dot(&self.y[i], d);
            axpy(self.alpha[i] - beta, &self.s[i], d);
        }
        d.iter_mut().for_each(|v| *v = -*v);
    }

    /// Writes a descent direction into `d` and returns its slope dᵀg and the first trial step:
    /// d = −H·g, or d = −g (forgetting the pairs) when −H·g does not go downhill, whose first step
    /// moves x by at most 1.
    fn descent(&mut self, g: &[f64], d: &mut [f64]) -> (f64, f64) {
        self.direction(g, d);
        let mut dg = dot(d, g);
        if dg >= 0.0 || !dg.is_finite() {
            // Not a descent direction: forget the curvature pairs and go downhill.
            self.forget();
            d.iter_mut().zip(g).for_each(|(di, gi)| *di = -gi);
            dg = dot(d, g);
        }
        let step0 = if self.is_empty() {
            (1.0 / dot(g, g).sqrt()).min(1.0)
        } else {
            1.0
        };
        (dg, step0)
    }

    /// Stores the pair of the step from `x` to `x_new`; skipped when sᵀy is not safely positive.
    fn push(&mut self, x: &[f64], x_new: &[f64], g: &[f64], g_new: &[f64]) {
        let (m, slot) = (self.s.len(), self.head);
        for i in 0..x.len() {
            self.s[slot][i] = x_new[i] - x[i];
            self.y[slot][i] = g_new[i] - g[i];
        }
        let sy = dot(&self.s[slot], &self.y[slot]);
        if sy > f64::EPSILON * dot(&self.y[slot], &self.y[slot]) {
            self.rho[slot] = 1.0 / sy;
            self.head = (self.head + 1) % m;
            self.len = (self.len + 1).min(m);
        }
    }
}

struct LineSearch {
    /// F at the accepted point (whose x and ∇F are left in `x_new`, `g_new`), or None on failure.
    value: Option<f64>,
    evaluations: usize,
}

/// Strong-Wolfe line search along `d` from `x` (F = `f0`, directional derivative `dg0` < 0).
// Over 80 lines: the bracketing and zoom phases (Algorithms 3.5, 3.6) share the bracket, the
// evaluation count and the Wolfe tests; kept together to read against the book.
#[allow(clippy::too_many_arguments)]
fn line_search<F>(
    f: &mut F,
    x: &[f64],
    f0: f64,
    _g0: &[f64],
    d: &[f64],
    dg0: f64,
    step0: f64,
    max_evals: usize,
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> LineSearch
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let mut evals = 0;
    let mut eval = |a: f64, x_new: &mut [f64], g_new: &mut [f64], evals: &mut usize| {
        for i in 0..x.len() {
            x_new[i] = x[i] + a * d[i];
        }
        *evals += 1;
        let v = f(x_new, g_new);
        (v, dot(g_new, d))
    };
    let sufficient = |a: f64, fa: f64, dga: f64| {
        fa <= f0 + C1 * a * dg0
            || (fa <= f0 + APPROX_F * f0.abs() && dga <= (2.0 * DELTA - 1.0) * dg0)
    };
    // Bracketing phase.
    let (mut a_prev, mut f_prev, mut dg_prev) = (0.0, f0, dg0);
    let mut a = step0;
    let bracket;
    loop {
        if evals >= max_evals {
            return LineSearch {
                value: None,
                evaluations: evals,
            };
        }
        let (fa, dga) = eval(a, x_new, g_new, &mut evals);
        if !fa.is_finite() {
            a = a_prev + 0.5 * (a - a_prev); // overshot into overflow: shrink
            continue;
        }
        if !sufficient(a, fa, dga) || (evals > 1 && fa > f_prev) {
            bracket = ((a_prev, f_prev, dg_prev), (a, fa, dga));
            break;
        }
        if dga.abs() <= -C2 * dg0 {
            return LineSearch {
                value: Some(fa),
                evaluations: evals,
            };
        }
        if dga >= 0.0 {
            bracket = ((a, fa, dga), (a_prev, f_prev, dg_prev));
            break;
        }
        (a_prev, f_prev, dg_prev) = (a, fa, dga);
        a *= 2.0;
    }
    // Zoom phase: `lo` satisfies sufficient decrease with the lowest F seen.
    let (mut lo, mut hi) = bracket;
    while evals < max_evals {
        let width = hi.0 - lo.0;
        let mut a_j = cubic_min(lo, hi);
        let (lo_b, hi_b) = (lo.0.min(hi.0), lo.0.max(hi.0));
        let margin = 0.1 * (hi_b - lo_b);
        if !a_j.is_finite() || a_j < lo_b + margin || a_j > hi_b - margin {
            a_j = lo.0 + 0.5 * width;
        }
        if width.abs() <= f64::EPSILON * lo.0.abs().max(1e-300) {
            break;
        }
        let (fj, dgj) = eval(a_j, x_new, g_new, &mut evals);
        if !fj.is_finite() || !sufficient(a_j, fj, dgj) || fj > lo.1 {
            hi = (a_j, fj, dgj);
        } else {
            if dgj.abs() <= -C2 * dg0 {
                return LineSearch {
                    value: Some(fj),
                    evaluations: evals,
                };
            }
            if dgj * (hi.0 - lo.0) >= 0.0 {
                hi = lo;
            }
            lo = (a_j, fj, dgj);
        }
    }
    // No Wolfe point within budget: accept the best sufficient-decrease point if it moved.
    if lo.0 > 0.0 && lo.1 < f0 {
        let (flo, _) = eval(lo.0, x_new, g_new, &mut evals);
        return LineSearch {
            value: Some(flo),
            evaluations: evals,
        };
    }
    LineSearch {
        value: None,
        evaluations: evals,
    }
}

/// Minimizer of the cubic interpolating F and F' at the two bracket ends.
fn cubic_min(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    let (x0, f0, g0) = a;
    let (x1, f1, g1) = b;
    let d1 = g0 + g1 - 3.0 * (f0 - f1) / (x0 - x1);
    let disc = d1 * d1 - g0 * g1;
    if disc < 0.0 {
        return f64::NAN;
    }
    let d2 = (x1 - x0).signum() * disc.sqrt();
    x1 - (x1 - x0) * (g1 + d2 - d1) / (g1 - g0 + 2.0 * d2)
}

#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[inline]
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(yi, xi)| *yi += a * xi);
}

pub fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimizes_the_rosenbrock_function() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let mut x = [-1.2, 1.0];
        let r = minimize(
            &mut f,
            &mut x,
            &LbfgsSettings::new(10, 200, 1e-9),
            &mut |_, _, _| {},
        );
        assert!(r.converged(), "{r:?}");
        assert!(
            (x[0] - 1.0).abs() < 1e-7 && (x[1] - 1.0).abs() < 1e-7,
            "{x:?}"
        );
    }

    #[test]
    fn iteration_cap_is_reported_not_silent() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]);
            g[1] = 200.0 * (x[1] - x[0] * x[0]);
            (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
        };
        let mut x = [-1.2, 1.0];
        let r = minimize(
            &mut f,
            &mut x,
            &LbfgsSettings::new(10, 3, 1e-9),
            &mut |_, _, _| {},
        );
        assert_eq!(r.termination, Termination::MaxIterations);
        assert!(!r.converged());
        assert_eq!(r.iterations, 3);
    }
}
