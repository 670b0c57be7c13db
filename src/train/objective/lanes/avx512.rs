//! One AVX-512 register as eight lanes.

use super::Lanes;
use std::arch::x86_64::*;

/// One AVX-512 register. Only constructed inside functions compiled with `avx512f` enabled, after
/// the CPU was checked for it.
#[derive(Clone, Copy)]
pub(in crate::train::objective) struct Avx512(__m512d);

impl Lanes for Avx512 {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        unsafe { Avx512(_mm512_set1_pd(v)) }
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Self {
        Avx512(_mm512_loadu_pd(p))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        _mm512_storeu_pd(p, self.0)
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        unsafe { Avx512(_mm512_add_pd(self.0, b.0)) }
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        unsafe { Avx512(_mm512_sub_pd(self.0, b.0)) }
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        unsafe { Avx512(_mm512_mul_pd(self.0, b.0)) }
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        unsafe { Avx512(_mm512_div_pd(self.0, b.0)) }
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        unsafe { Avx512(_mm512_fmadd_pd(self.0, b.0, c.0)) }
    }
    #[inline(always)]
    fn max(self, b: Self) -> Self {
        unsafe { Avx512(_mm512_max_pd(self.0, b.0)) }
    }
    #[inline(always)]
    fn zero_where_below(self, x: Self, limit: f64) -> Self {
        unsafe {
            let keep = _mm512_cmp_pd_mask::<_CMP_NLT_UQ>(x.0, _mm512_set1_pd(limit));
            Avx512(_mm512_maskz_mov_pd(keep, self.0))
        }
    }
    #[inline(always)]
    fn select_eq(self, value: f64, yes: Self, no: Self) -> Self {
        unsafe {
            let eq = _mm512_cmp_pd_mask::<_CMP_EQ_OQ>(self.0, _mm512_set1_pd(value));
            Avx512(_mm512_mask_blend_pd(eq, no.0, yes.0))
        }
    }
    #[inline(always)]
    fn pow2_of_shifted(t: Self) -> Self {
        unsafe {
            let bits = _mm512_slli_epi64::<52>(_mm512_castpd_si512(t.0));
            let bits = _mm512_add_epi64(bits, _mm512_set1_epi64(1023 << 52));
            Avx512(_mm512_castsi512_pd(bits))
        }
    }
    #[inline(always)]
    unsafe fn transpose8(rows: &[*const f64; 8], col: usize, out: *mut f64, stride: usize) {
        for (j, v) in Self::transpose8_regs(rows, col).iter().enumerate() {
            v.store(out.add(j * stride));
        }
    }
    #[inline(always)]
    unsafe fn transpose8_regs(rows: &[*const f64; 8], col: usize) -> [Self; 8] {
        // Halves of rows i and i + 4 side by side, built by loads (the insert from memory runs on
        // either shuffle-capable port, leaving fewer steps for the one that does all shuffles).
        let pair = |i: usize, half: usize| {
            let lo = _mm512_castpd256_pd512(_mm256_loadu_pd(rows[i].add(col + 4 * half)));
            _mm512_insertf64x4::<1>(lo, _mm256_loadu_pd(rows[i + 4].add(col + 4 * half)))
        };
        // Even and odd features of rows (0, 1), (2, 3) from each half, then the 8 rows of each
        // feature gathered by one two-source permutation.
        let even = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
        let odd = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
        let mut out = [Avx512(_mm512_setzero_pd()); 8];
        for half in 0..2 {
            let (a0, a1, a2, a3) = (pair(0, half), pair(1, half), pair(2, half), pair(3, half));
            // t0 = [r0[0] r1[0] r0[2] r1[2] | r4[0] r5[0] r4[2] r5[2]] (features of this half).
            let t0 = _mm512_unpacklo_pd(a0, a1);
            let t1 = _mm512_unpackhi_pd(a0, a1);
            let t2 = _mm512_unpacklo_pd(a2, a3);
            let t3 = _mm512_unpackhi_pd(a2, a3);
            out[4 * half] = Avx512(_mm512_permutex2var_pd(t0, even, t2));
            out[4 * half + 1] = Avx512(_mm512_permutex2var_pd(t1, even, t3));
            out[4 * half + 2] = Avx512(_mm512_permutex2var_pd(t0, odd, t2));
            out[4 * half + 3] = Avx512(_mm512_permutex2var_pd(t1, odd, t3));
        }
        out
    }
    #[inline(always)]
    fn exponent_bits(self) -> (Self, Self) {
        unsafe {
            let bits = _mm512_castpd_si512(self.0);
            let two_52 = _mm512_set1_epi64(0x4330_0000_0000_0000);
            let m = _mm512_or_si512(
                _mm512_and_si512(bits, _mm512_set1_epi64((1 << 52) - 1)),
                _mm512_set1_epi64(0x3FF0_0000_0000_0000),
            );
            let e = _mm512_or_si512(_mm512_srli_epi64::<52>(bits), two_52);
            let e = _mm512_sub_pd(_mm512_castsi512_pd(e), _mm512_castsi512_pd(two_52));
            (Avx512(_mm512_castsi512_pd(m)), Avx512(e))
        }
    }
}
