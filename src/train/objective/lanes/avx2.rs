//! Two AVX2 registers as eight lanes.

use super::Lanes;
use std::arch::x86_64::*;

/// Two AVX2 registers (lanes 0–3 and 4–7). Only constructed inside functions compiled with `avx2`
/// and `fma` enabled, after the CPU was checked for them. Intrinsics rather than the portable
/// arrays so that values stay in registers and the transpose uses shuffles, not 64 scalar moves.
#[derive(Clone, Copy)]
pub(in crate::train::objective) struct Avx2(__m256d, __m256d);

/// Both halves through one AVX intrinsic (no closures: they would not inherit the target features
/// the intrinsics need to inline).
macro_rules! halves {
    ($op:ident($($a:expr),*)) => {
        unsafe { Avx2($op($($a.0),*), $op($($a.1),*)) }
    };
}

impl Avx2 {
    /// Rows 4h..4h+4 × features f..f+4 transposed: vector j holds feature f + j of the 4 rows
    /// (half h of the 8-lane column).
    #[inline(always)]
    unsafe fn quadrant(rows: &[*const f64; 8], h: usize, f: usize) -> [__m256d; 4] {
        let r = &rows[4 * h..4 * h + 4];
        let a = [
            _mm256_loadu_pd(r[0].add(f)),
            _mm256_loadu_pd(r[1].add(f)),
            _mm256_loadu_pd(r[2].add(f)),
            _mm256_loadu_pd(r[3].add(f)),
        ];
        // t0 = [a0[0] a1[0] a0[2] a1[2]], t1 = [a0[1] a1[1] a0[3] a1[3]], t2, t3 from a2, a3.
        let t0 = _mm256_unpacklo_pd(a[0], a[1]);
        let t1 = _mm256_unpackhi_pd(a[0], a[1]);
        let t2 = _mm256_unpacklo_pd(a[2], a[3]);
        let t3 = _mm256_unpackhi_pd(a[2], a[3]);
        [
            _mm256_permute2f128_pd::<0x20>(t0, t2),
            _mm256_permute2f128_pd::<0x20>(t1, t3),
            _mm256_permute2f128_pd::<0x31>(t0, t2),
            _mm256_permute2f128_pd::<0x31>(t1, t3),
        ]
    }
}

impl Lanes for Avx2 {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        unsafe { Avx2(_mm256_set1_pd(v), _mm256_set1_pd(v)) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Self {
        Avx2(_mm256_loadu_pd(p), _mm256_loadu_pd(p.add(4)))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        _mm256_storeu_pd(p, self.0);
        _mm256_storeu_pd(p.add(4), self.1);
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        halves!(_mm256_add_pd(self, b))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        halves!(_mm256_sub_pd(self, b))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        halves!(_mm256_mul_pd(self, b))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        halves!(_mm256_div_pd(self, b))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        halves!(_mm256_fmadd_pd(self, b, c))
    }
    #[inline(always)]
    fn max(self, b: Self) -> Self {
        halves!(_mm256_max_pd(self, b))
    }
    #[inline(always)]
    fn zero_where_below(self, x: Self, limit: f64) -> Self {
        let keep = unsafe {
            let limit = _mm256_set1_pd(limit);
            Avx2(
                _mm256_cmp_pd::<_CMP_NLT_UQ>(x.0, limit),
                _mm256_cmp_pd::<_CMP_NLT_UQ>(x.1, limit),
            )
        };
        halves!(_mm256_and_pd(keep, self))
    }
    #[inline(always)]
    fn select_eq(self, value: f64, yes: Self, no: Self) -> Self {
        let eq = unsafe {
            let value = _mm256_set1_pd(value);
            Avx2(
                _mm256_cmp_pd::<_CMP_EQ_OQ>(self.0, value),
                _mm256_cmp_pd::<_CMP_EQ_OQ>(self.1, value),
            )
        };
        halves!(_mm256_blendv_pd(no, yes, eq))
    }
    #[inline(always)]
    fn pow2_of_shifted(t: Self) -> Self {
        unsafe {
            let bias = _mm256_set1_epi64x(1023 << 52);
            let (lo, hi) = (_mm256_castpd_si256(t.0), _mm256_castpd_si256(t.1));
            Avx2(
                _mm256_castsi256_pd(_mm256_add_epi64(_mm256_slli_epi64::<52>(lo), bias)),
                _mm256_castsi256_pd(_mm256_add_epi64(_mm256_slli_epi64::<52>(hi), bias)),
            )
        }
    }
    #[inline(always)]
    fn exponent_bits(self) -> (Self, Self) {
        // As the AVX-512 version, on each half (a macro, not a closure: see `halves!`).
        macro_rules! half {
            ($x:expr) => {
                unsafe {
                    let bits = _mm256_castpd_si256($x);
                    let two_52 = _mm256_set1_epi64x(0x4330_0000_0000_0000);
                    let m = _mm256_or_si256(
                        _mm256_and_si256(bits, _mm256_set1_epi64x((1 << 52) - 1)),
                        _mm256_set1_epi64x(0x3FF0_0000_0000_0000),
                    );
                    let e = _mm256_or_si256(_mm256_srli_epi64::<52>(bits), two_52);
                    let e = _mm256_sub_pd(_mm256_castsi256_pd(e), _mm256_castsi256_pd(two_52));
                    (_mm256_castsi256_pd(m), e)
                }
            };
        }
        let ((m0, e0), (m1, e1)) = (half!(self.0), half!(self.1));
        (Avx2(m0, m1), Avx2(e0, e1))
    }
    #[inline(always)]
    unsafe fn transpose8(rows: &[*const f64; 8], col: usize, out: *mut f64, stride: usize) {
        for (j, v) in Self::transpose8_regs(rows, col).iter().enumerate() {
            v.store(out.add(j * stride));
        }
    }
    #[inline(always)]
    unsafe fn transpose8_regs(rows: &[*const f64; 8], col: usize) -> [Self; 8] {
        let zero = _mm256_setzero_pd();
        let mut out = [Avx2(zero, zero); 8];
        for q in 0..2 {
            let lo = Avx2::quadrant(rows, 0, col + 4 * q);
            let hi = Avx2::quadrant(rows, 1, col + 4 * q);
            for j in 0..4 {
                out[4 * q + j] = Avx2(lo[j], hi[j]);
            }
        }
        out
    }
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // j names the feature, k the class
    unsafe fn transpose8_mul_add<const KT: usize>(
        rows: &[*const f64; 8],
        col: usize,
        w: *const f64,
        mut acc: [Self; KT],
    ) -> [Self; KT] {
        // Quadrant by quadrant, each half's chains advanced as soon as its 4 features are
        // transposed: 4 vectors live instead of 16 (fewer spills at 16 registers).
        for q in 0..2 {
            for h in 0..2 {
                let x = Avx2::quadrant(rows, h, col + 4 * q);
                for j in 0..4 {
                    for k in 0..KT {
                        let wk = _mm256_set1_pd(*w.add((4 * q + j) * KT + k));
                        let a = if h == 0 { &mut acc[k].0 } else { &mut acc[k].1 };
                        *a = _mm256_fmadd_pd(x[j], wk, *a);
                    }
                }
            }
        }
        acc
    }
}
