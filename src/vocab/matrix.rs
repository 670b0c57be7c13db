//! `TransitionMatrix`: a row-stochastic K×K matrix T[i][j] = P(observed j | true i) (the notation of
//! Patrini et al. 2017), validated once when it is built. Noise draws from its rows, forward
//! correction uses it, backward correction its inverse (computed on first use and kept), and the
//! scenario check asks it whether it is singular; nobody re-validates.
//!
//! Singularity is decided one way for every matrix: by the reciprocal condition number in the
//! ∞-norm, rcond = 1 / (‖T‖∞·‖T⁻¹‖∞), against [`SINGULAR_RCOND`]. It is relative (T and c·T agree)
//! and is what LAPACK's `xGECON` estimates. The structured kinds (symmetric, pairflip) have it in
//! closed form, so a 4096-class T is judged without being built; a matrix given entry by entry gets
//! it from its inverse (Gauss–Jordan with partial pivoting: K is the number of classes, so a dense
//! LAPACK dependency would be out of proportion).

use std::sync::OnceLock;
use thiserror::Error;

/// Each row must sum to 1 within this (entries typed in a scenario file: 0.1 + 0.2 + 0.7 is not 1
/// in binary floating point).
pub const ROW_SUM_TOLERANCE: f64 = 1e-9;

/// T counts as singular when rcond ≤ 1e-12. Rounding T (relative error ε ≈ 1.1e-16) moves T⁻¹ by
/// about rcond⁻¹·ε relative, so below this threshold backward correction's weights T⁻¹ would not
/// have even four correct digits, and they exceed T's by a factor of 10¹² or more.
pub const SINGULAR_RCOND: f64 = 1e-12;

/// Why a list of rows is not a transition matrix. The messages are the scenario check's (which
/// prefixes the key); [`MatrixError::help`] says what is allowed.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum MatrixError {
    #[error("the matrix is empty")]
    Empty,
    #[error("a 1×1 matrix")]
    OneByOne,
    #[error("row {row} has {len} entries but the matrix has {rows} rows")]
    NotSquare { row: usize, len: usize, rows: usize },
    /// Also a NaN or infinite entry: probabilities are finite.
    #[error("row {row} has the entry {value}")]
    EntryOutOfRange { row: usize, value: f64 },
    #[error("row {row} sums to {sum}, not 1")]
    RowSum { row: usize, sum: f64 },
}

impl MatrixError {
    /// What a valid matrix looks like, for the message's help line.
    pub fn help(&self) -> &'static str {
        match self {
            MatrixError::Empty => "a K×K matrix with K ≥ 2, e.g. [[0.8, 0.2], [0.3, 0.7]]",
            MatrixError::OneByOne => "a K×K matrix with K ≥ 2",
            MatrixError::NotSquare { .. } => "a square K×K matrix",
            MatrixError::EntryOutOfRange { .. } => "probabilities in [0, 1]",
            MatrixError::RowSum { .. } => {
                "rows that sum to 1 (within 1e-9): T[i][j] = P(observed j | true i)"
            }
        }
    }
}

/// How the entries are known: the structured kinds keep their two numbers, so that closed forms
/// answer without building K×K entries.
#[derive(Clone, Debug)]
enum Form {
    /// `diag` on the diagonal and `off` everywhere else: (diag − off)·I + off·J.
    Uniform { diag: f64, off: f64 },
    /// `stay` on the diagonal and `next` at (i, (i+1) mod K): stay·I + next·P, P the cyclic shift.
    Cyclic { stay: f64, next: f64 },
    /// Entries given one by one.
    Dense,
}

/// A valid K×K row-stochastic matrix (K ≥ 2, entries in [0, 1], rows summing to 1 within
/// [`ROW_SUM_TOLERANCE`]). Entries are row-major.
#[derive(Clone, Debug)]
pub struct TransitionMatrix {
    classes: usize,
    form: Form,
    /// Row-major entries; built on first use for the structured forms.
    entries: OnceLock<Vec<f64>>,
    /// Gauss–Jordan inverse, row-major; `None` when elimination met a zero pivot.
    inverse: OnceLock<Option<Vec<f64>>>,
}

impl TransitionMatrix {
    /// Checks `rows` and keeps them. Every problem is reported, in row order (an empty matrix stops
    /// at that; a row of the wrong length is not examined further).
    pub fn new(rows: &[Vec<f64>]) -> Result<Self, Vec<MatrixError>> {
        let problems = problems(rows);
        if !problems.is_empty() {
            return Err(problems);
        }
        let entries = OnceLock::new();
        let _ = entries.set(rows.iter().flatten().copied().collect());
        Ok(Self::with_form(rows.len(), Form::Dense, entries))
    }

    fn with_form(classes: usize, form: Form, entries: OnceLock<Vec<f64>>) -> Self {
        TransitionMatrix {
            classes,
            form,
            entries,
            inverse: OnceLock::new(),
        }
    }

    /// The K×K identity: no noise.
    pub fn identity(classes: usize) -> Self {
        Self::uniform(classes, 1.0, 0.0)
    }

    /// Symmetric noise at `rate` (in [0, 1], K ≥ 2): T[i][i] = 1 − rate, T[i][j] = rate/(K−1);
    /// with `include_true` (the redraw may return the true class) T[i][i] = 1 − rate + rate/K,
    /// T[i][j] = rate/K.
    pub fn symmetric(rate: f64, classes: usize, include_true: bool) -> Self {
        let k = classes as f64;
        if include_true {
            Self::uniform(classes, 1.0 - rate + rate / k, rate / k)
        } else {
            Self::uniform(classes, 1.0 - rate, rate / (k - 1.0))
        }
    }

    /// Pair flipping at `rate` (in [0, 1], K ≥ 2): T[i][i] = 1 − rate, T[i][(i+1) mod K] = rate.
    pub fn pairflip(rate: f64, classes: usize) -> Self {
        let form = Form::Cyclic {
            stay: 1.0 - rate,
            next: rate,
        };
        Self::with_form(classes, form, OnceLock::new())
    }

    /// Binary asymmetric noise, ρ₊ = P(observed 0 | true 1), ρ₋ = P(observed 1 | true 0), both in
    /// [0, 1]: T = [[1 − ρ₋, ρ₋], [ρ₊, 1 − ρ₊]].
    pub fn asymmetric(rate_pos: f64, rate_neg: f64) -> Self {
        let entries = OnceLock::new();
        let _ = entries.set(vec![1.0 - rate_neg, rate_neg, rate_pos, 1.0 - rate_pos]);
        Self::with_form(2, Form::Dense, entries)
    }

    fn uniform(classes: usize, diag: f64, off: f64) -> Self {
        Self::with_form(classes, Form::Uniform { diag, off }, OnceLock::new())
    }

    /// K.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// T[i][j].
    pub fn get(&self, i: usize, j: usize) -> f64 {
        match self.form {
            Form::Uniform { diag, off } => {
                if i == j {
                    diag
                } else {
                    off
                }
            }
            Form::Cyclic { stay, next } => structured_entry(stay, next, self.classes, i, j),
            Form::Dense => self.entries()[i * self.classes + j],
        }
    }

    /// The K² entries, row-major (built on first use for the structured forms).
    pub fn entries(&self) -> &[f64] {
        self.entries.get_or_init(|| {
            let k = self.classes;
            (0..k * k).map(|e| self.get(e / k, e % k)).collect()
        })
    }

    /// Row i: P(observed · | true i).
    pub fn row(&self, i: usize) -> &[f64] {
        let k = self.classes;
        &self.entries()[i * k..(i + 1) * k]
    }

    /// The rows in order.
    pub fn rows(&self) -> impl Iterator<Item = &[f64]> {
        self.entries().chunks(self.classes)
    }

    /// The rows as the scenario files and records write them.
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        self.rows().map(<[f64]>::to_vec).collect()
    }

    /// 1 / (‖T‖∞·‖T⁻¹‖∞), in [0, 1]; 0 for a singular T. Closed forms for the structured kinds.
    pub fn rcond(&self) -> f64 {
        let k = self.classes;
        let r = match self.form {
            Form::Uniform { diag, off } => uniform_rcond(diag, off, k),
            Form::Cyclic { stay, next } => cyclic_rcond(stay, next, k),
            Form::Dense => match self.raw_inverse() {
                Some(inv) => 1.0 / (max_row_sum(self.entries(), k) * max_row_sum(inv, k)),
                None => 0.0,
            },
        };
        if r.is_nan() {
            0.0
        } else {
            r
        }
    }

    /// Whether T counts as singular: rcond ≤ [`SINGULAR_RCOND`].
    pub fn is_singular(&self) -> bool {
        self.rcond() <= SINGULAR_RCOND
    }

    /// T⁻¹ row-major, computed once; `None` when T is singular.
    pub fn inverse(&self) -> Option<&[f64]> {
        if self.is_singular() {
            None
        } else {
            self.raw_inverse()
        }
    }

    fn raw_inverse(&self) -> Option<&[f64]> {
        self.inverse
            .get_or_init(|| gauss_jordan(&self.to_rows()))
            .as_deref()
    }
}

/// Every problem of `rows` as a transition matrix, in row order.
pub fn problems(rows: &[Vec<f64>]) -> Vec<MatrixError> {
    let k = rows.len();
    if k == 0 {
        return vec![MatrixError::Empty];
    }
    let mut out = Vec::new();
    if k < 2 {
        out.push(MatrixError::OneByOne);
    }
    for (i, row) in rows.iter().enumerate() {
        if row.len() != k {
            out.push(MatrixError::NotSquare {
                row: i,
                len: row.len(),
                rows: k,
            });
            continue;
        }
        if let Some(&value) = row.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            out.push(MatrixError::EntryOutOfRange { row: i, value });
        }
        let sum: f64 = row.iter().sum();
        if (sum - 1.0).abs() > ROW_SUM_TOLERANCE {
            out.push(MatrixError::RowSum { row: i, sum });
        }
    }
    out
}

/// Entry (i, j) of stay·I + next·P, built as the noise kinds always built it (0 + stay + next when
/// the two positions meet, which needs K = 1).
fn structured_entry(stay: f64, next: f64, k: usize, i: usize, j: usize) -> f64 {
    let mut v = 0.0;
    if i == j {
        v += stay;
    }
    if j == (i + 1) % k {
        v += next;
    }
    v
}

fn max_row_sum(m: &[f64], k: usize) -> f64 {
    m.chunks(k)
        .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// rcond of a·I + b·J with a = diag − off, b = off. Its inverse is (I − c·J)/a with
/// c = b/(a + K·b) (a + K·b is the row sum), whose rows have absolute sum (|1 − c| + (K−1)|c|)/|a|.
fn uniform_rcond(diag: f64, off: f64, k: usize) -> f64 {
    let kf = k as f64;
    let a = diag - off;
    let row_sum = diag + (kf - 1.0) * off;
    if a == 0.0 || row_sum == 0.0 {
        return 0.0;
    }
    let c = off / row_sum;
    let norm_t = diag.abs() + (kf - 1.0) * off.abs();
    let norm_inv = ((1.0 - c).abs() + (kf - 1.0) * c.abs()) / a.abs();
    1.0 / (norm_t * norm_inv)
}

/// rcond of stay·I + next·P (non-negative entries). With big = max(stay, next) and
/// q = min/max ≤ 1, T = big·(I + q·Q)·R for permutations Q (cyclic, Q^K = I) and R, and
/// (I + qQ)⁻¹ = Σ_{m<K} (−q)^m Q^m / (1 − (−q)^K), whose rows have absolute sum
/// (Σ_{m<K} q^m) / |1 − (−q)^K|: 1/(1 − q) for even K (singular at q = 1, i.e. rate ½), and
/// (1 − q^K)/((1 − q)(1 + q^K)) for odd K (K/2 at q = 1).
fn cyclic_rcond(stay: f64, next: f64, k: usize) -> f64 {
    let (big, small) = (stay.abs().max(next.abs()), stay.abs().min(next.abs()));
    if big == 0.0 {
        return 0.0;
    }
    let q = small / big;
    let even = k.is_multiple_of(2);
    let factor = if q >= 1.0 {
        if even {
            return 0.0;
        }
        k as f64 / 2.0
    } else if even {
        1.0 / (1.0 - q)
    } else {
        let ln_qk = k as f64 * q.ln();
        let one_minus_qk = -ln_qk.exp_m1();
        one_minus_qk / ((1.0 - q) * (1.0 + ln_qk.exp()))
    };
    let norm_t = stay.abs() + next.abs();
    1.0 / (norm_t * factor / big)
}

/// The inverse of `a` by Gauss–Jordan elimination with partial pivoting, row-major; `None` when a
/// pivot is exactly zero. (Whether the result is usable is [`TransitionMatrix::is_singular`]'s
/// call.)
fn gauss_jordan(a: &[Vec<f64>]) -> Option<Vec<f64>> {
    let k = a.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..k).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col] == 0.0 {
            return None;
        }
        m.swap(col, pivot);
        let p = m[col][col];
        m[col].iter_mut().for_each(|v| *v /= p);
        for r in 0..k {
            if r != col {
                let factor = m[r][col];
                if factor != 0.0 {
                    let pivot_row = m[col].clone();
                    m[r].iter_mut()
                        .zip(pivot_row)
                        .for_each(|(v, pv)| *v -= factor * pv);
                }
            }
        }
    }
    Some(m.into_iter().flat_map(|r| r[k..].to_vec()).collect())
}

#[cfg(test)]
mod tests;
