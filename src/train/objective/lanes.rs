//! Eight f64 lanes, the unit of the evaluation kernel, with one implementation per instruction set.
//!
//! Every operation is an IEEE-754 operation rounded once (add, mul, div, fused multiply-add, max),
//! so the AVX-512 (`__m512d`), AVX2 and portable (`[f64; 8]`) implementations give the same bits:
//! the kernel is written once against [`Lanes`] and a result never depends on the machine's vector
//! width. Hand-written rather than taken from a SIMD crate because that identity (in particular of
//! `exp`, built here from those operations) is the point.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Eight f64 lanes.
///
/// # Safety
/// `load` and `store` read or write 8 consecutive f64 at the pointer; `transpose8` reads 8 values at
/// each of the 8 row pointers and writes 8 values at each of `out + j·stride`, j < 8.
pub(super) trait Lanes: Copy {
    fn splat(v: f64) -> Self;
    unsafe fn load(p: *const f64) -> Self;
    unsafe fn store(self, p: *mut f64);
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    fn div(self, b: Self) -> Self;
    /// self·b + c, rounded once.
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// `self > b ? self : b` per lane (the x86 `maxpd` rule: a NaN in `b` propagates).
    fn max(self, b: Self) -> Self;
    /// Lanes where `x < limit` become 0, the others keep `self`.
    fn zero_where_below(self, x: Self, limit: f64) -> Self;
    /// `yes` in the lanes where `self == value`, `no` elsewhere.
    fn select_eq(self, value: f64, yes: Self, no: Self) -> Self;
    /// 2ⁿ for `t` = 1.5·2⁵² + n, n an integer in [−1022, 1023]: the bits (bits(t) << 52) + (1023 << 52).
    fn pow2_of_shifted(t: Self) -> Self;
    /// out[j·stride + i] = rows[i][j] for i, j < 8.
    unsafe fn transpose8(rows: &[*const f64; 8], out: *mut f64, stride: usize);

    /// eˣ to within 2 ulp for x ≤ 709; 0 for x < −708 (where eˣ < 3.3e−308); NaN stays NaN.
    /// Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2 (fdlibm's split of ln2), then the degree-13
    /// Taylor polynomial of eʳ (truncation error < 5e−18 relative) by Horner with fused steps.
    #[inline(always)]
    fn exp(self) -> Self {
        const LOG2E: f64 = std::f64::consts::LOG2_E;
        const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000); // ln 2 to 32 bits: n·LN2_HI is exact
        const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76); // ln 2 − LN2_HI
        const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²: adding it rounds to an integer
        const LOW: f64 = -708.0;
        // 1/j! for j = 13 down to 2.
        const C: [f64; 12] = [
            1.0 / 6_227_020_800.0,
            1.0 / 479_001_600.0,
            1.0 / 39_916_800.0,
            1.0 / 3_628_800.0,
            1.0 / 362_880.0,
            1.0 / 40_320.0,
            1.0 / 5_040.0,
            1.0 / 720.0,
            1.0 / 120.0,
            1.0 / 24.0,
            1.0 / 6.0,
            0.5,
        ];
        let x = Self::splat(LOW).max(self);
        let t = x.mul_add(Self::splat(LOG2E), Self::splat(SHIFT));
        let n = t.sub(Self::splat(SHIFT));
        let r = n.mul_add(Self::splat(-LN2_HI), x);
        let r = n.mul_add(Self::splat(-LN2_LO), r);
        let mut p = Self::splat(C[0]);
        for c in &C[1..] {
            p = p.mul_add(r, Self::splat(*c));
        }
        p = p.mul_add(r, Self::splat(1.0));
        p = p.mul_add(r, Self::splat(1.0));
        p.mul(Self::pow2_of_shifted(t)).zero_where_below(self, LOW)
    }
}

/// The reference implementation: plain arrays, one scalar operation per lane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Portable(pub [f64; 8]);

impl Portable {
    #[inline(always)]
    fn map2(self, b: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        Portable(std::array::from_fn(|i| f(self.0[i], b.0[i])))
    }
}

impl Lanes for Portable {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        Portable([v; 8])
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Self {
        Portable(std::ptr::read_unaligned(p as *const [f64; 8]))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        std::ptr::write_unaligned(p as *mut [f64; 8], self.0)
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        self.map2(b, |x, y| x + y)
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        self.map2(b, |x, y| x - y)
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        self.map2(b, |x, y| x * y)
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        self.map2(b, |x, y| x / y)
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        Portable(std::array::from_fn(|i| self.0[i].mul_add(b.0[i], c.0[i])))
    }
    #[inline(always)]
    fn max(self, b: Self) -> Self {
        self.map2(b, |x, y| if x > y { x } else { y })
    }
    #[inline(always)]
    fn zero_where_below(self, x: Self, limit: f64) -> Self {
        self.map2(x, |v, x| if x < limit { 0.0 } else { v })
    }
    #[inline(always)]
    fn select_eq(self, value: f64, yes: Self, no: Self) -> Self {
        Portable(std::array::from_fn(|i| {
            if self.0[i] == value {
                yes.0[i]
            } else {
                no.0[i]
            }
        }))
    }
    #[inline(always)]
    fn pow2_of_shifted(t: Self) -> Self {
        Portable(t.0.map(|t| f64::from_bits((t.to_bits() << 52).wrapping_add(1023 << 52))))
    }
    #[inline(always)]
    unsafe fn transpose8(rows: &[*const f64; 8], out: *mut f64, stride: usize) {
        for (i, row) in rows.iter().enumerate() {
            for j in 0..8 {
                *out.add(j * stride + i) = *row.add(j);
            }
        }
    }
}

/// One AVX-512 register. Only constructed inside functions compiled with `avx512f` enabled, after
/// the CPU was checked for it.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(super) struct Avx512(__m512d);

#[cfg(target_arch = "x86_64")]
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
    unsafe fn transpose8(rows: &[*const f64; 8], out: *mut f64, stride: usize) {
        let r: [__m512d; 8] = std::array::from_fn(|i| _mm512_loadu_pd(rows[i]));
        // Pairs of rows interleaved, then 128-bit lanes regrouped twice.
        let t: [__m512d; 8] = std::array::from_fn(|i| {
            let (a, b) = (r[2 * (i / 2)], r[2 * (i / 2) + 1]);
            if i % 2 == 0 {
                _mm512_unpacklo_pd(a, b)
            } else {
                _mm512_unpackhi_pd(a, b)
            }
        });
        // t[0] = [00 10 02 12 04 14 06 16], t[1] = [01 11 03 13 ..], t[2] = [20 30 22 32 ..], ...
        let u0 = _mm512_shuffle_f64x2::<0x88>(t[0], t[2]); // 00 10 04 14 20 30 24 34
        let u1 = _mm512_shuffle_f64x2::<0xDD>(t[0], t[2]); // 02 12 06 16 22 32 26 36
        let u2 = _mm512_shuffle_f64x2::<0x88>(t[4], t[6]); // 40 50 44 54 60 70 64 74
        let u3 = _mm512_shuffle_f64x2::<0xDD>(t[4], t[6]);
        let v0 = _mm512_shuffle_f64x2::<0x88>(t[1], t[3]); // 01 11 05 15 21 31 25 35
        let v1 = _mm512_shuffle_f64x2::<0xDD>(t[1], t[3]); // 03 13 07 17 ..
        let v2 = _mm512_shuffle_f64x2::<0x88>(t[5], t[7]);
        let v3 = _mm512_shuffle_f64x2::<0xDD>(t[5], t[7]);
        let cols = [
            _mm512_shuffle_f64x2::<0x88>(u0, u2), // column 0
            _mm512_shuffle_f64x2::<0x88>(v0, v2), // 1
            _mm512_shuffle_f64x2::<0x88>(u1, u3), // 2
            _mm512_shuffle_f64x2::<0x88>(v1, v3), // 3
            _mm512_shuffle_f64x2::<0xDD>(u0, u2), // 4
            _mm512_shuffle_f64x2::<0xDD>(v0, v2), // 5
            _mm512_shuffle_f64x2::<0xDD>(u1, u3), // 6
            _mm512_shuffle_f64x2::<0xDD>(v1, v3), // 7
        ];
        for (j, c) in cols.iter().enumerate() {
            _mm512_storeu_pd(out.add(j * stride), *c);
        }
    }
}
