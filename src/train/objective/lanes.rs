//! Eight f64 lanes, the unit of the evaluation kernel, with one implementation per instruction set.
//!
//! Every operation is an IEEE-754 operation rounded once (add, mul, div, fused multiply-add, max),
//! so the AVX-512 (`__m512d`), AVX2 (two `__m256d`) and portable (`[f64; 8]`) implementations
//! give the same bits: the kernel is written once against [`Lanes`] and a result never depends on
//! the machine's vector width. Hand-written rather than taken from a SIMD crate because that identity (in particular of
//! `exp`, built here from those operations) is the point.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Eight f64 lanes.
///
/// # Safety
/// `load` and `store` read or write 8 consecutive f64 at the pointer; `transpose8` reads 8 values at
/// `col` of each of the 8 row pointers and writes 8 values at each of `out + j·stride`, j < 8.
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
    /// out[j·stride + i] = rows[i][col + j] for i, j < 8 (the column apart from the row pointers,
    /// so that a block's rows are 8 pointers in registers and one index, not 8 pointers a step).
    unsafe fn transpose8(rows: &[*const f64; 8], col: usize, out: *mut f64, stride: usize);
    /// The same 8 × 8 block as lane vectors: vector j holds rows[i][col + j] in lane i, for a
    /// pass that uses it at once instead of storing it. The default goes through memory;
    /// implementations keep it in registers.
    #[inline(always)]
    unsafe fn transpose8_regs(rows: &[*const f64; 8], col: usize) -> [Self; 8] {
        let mut t = [0.0f64; 64];
        Self::transpose8(rows, col, t.as_mut_ptr(), 8);
        let mut out = [Self::splat(0.0); 8];
        for (j, v) in out.iter_mut().enumerate() {
            *v = Self::load(t.as_ptr().add(8 * j));
        }
        out
    }
    /// acc[k] + Σⱼ x_j·w[j·KT + k] for j = 0..8 in order, one fused multiply-add each, where x_j is
    /// vector j of [`Lanes::transpose8_regs`] (the forward pass of one class tile from the rows).
    /// Implementations may interleave the transpose with the multiply-adds to save registers.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // j names the feature, k the class
    unsafe fn transpose8_mul_add<const KT: usize>(
        rows: &[*const f64; 8],
        col: usize,
        w: *const f64,
        mut acc: [Self; KT],
    ) -> [Self; KT] {
        let x = Self::transpose8_regs(rows, col);
        for j in 0..8 {
            for k in 0..KT {
                acc[k] = x[j].mul_add(Self::splat(*w.add(j * KT + k)), acc[k]);
            }
        }
        acc
    }
    /// (m, e) from the bits b of each lane: m has b's mantissa and the exponent of 1 (so m is in
    /// [1, 2)), e = b >> 52 as f64 (the biased exponent, plus 2048 when the sign is set). A
    /// positive normal x is m·2^(e − 1023). Bit operations only, so every kernel agrees; the
    /// default goes through memory, implementations may do better.
    #[inline(always)]
    fn exponent_bits(self) -> (Self, Self) {
        let mut v = [0.0f64; 8];
        // SAFETY: `v` holds 8 f64.
        unsafe { self.store(v.as_mut_ptr()) };
        let (m, e) = split_exponent_bits(Portable(v));
        // SAFETY: as above.
        unsafe { (Self::load(m.0.as_ptr()), Self::load(e.0.as_ptr())) }
    }

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

/// [`Lanes::exponent_bits`] lane by lane. The biased exponent becomes an f64 by placing it in the
/// mantissa of 2⁵² and subtracting 2⁵² (exact, and vectorizes where a u64 → f64 conversion
/// does not).
#[inline(always)]
fn split_exponent_bits(x: Portable) -> (Portable, Portable) {
    const MANTISSA: u64 = (1 << 52) - 1;
    const ONE: u64 = 0x3FF0_0000_0000_0000;
    const TWO_52: u64 = 0x4330_0000_0000_0000;
    let m = x.0.map(|v| f64::from_bits((v.to_bits() & MANTISSA) | ONE));
    let e =
        x.0.map(|v| f64::from_bits((v.to_bits() >> 52) | TWO_52) - f64::from_bits(TWO_52));
    (Portable(m), Portable(e))
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
    unsafe fn transpose8(rows: &[*const f64; 8], col: usize, out: *mut f64, stride: usize) {
        for (i, row) in rows.iter().enumerate() {
            for j in 0..8 {
                *out.add(j * stride + i) = *row.add(col + j);
            }
        }
    }
    #[inline(always)]
    fn exponent_bits(self) -> (Self, Self) {
        split_exponent_bits(self)
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

/// Two AVX2 registers (lanes 0–3 and 4–7). Only constructed inside functions compiled with `avx2`
/// and `fma` enabled, after the CPU was checked for them. Intrinsics rather than the portable
/// arrays so that values stay in registers and the transpose uses shuffles, not 64 scalar moves.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(super) struct Avx2(__m256d, __m256d);

/// Both halves through one AVX intrinsic (no closures: they would not inherit the target features
/// the intrinsics need to inline).
#[cfg(target_arch = "x86_64")]
macro_rules! halves {
    ($op:ident($($a:expr),*)) => {
        unsafe { Avx2($op($($a.0),*), $op($($a.1),*)) }
    };
}

#[cfg(target_arch = "x86_64")]
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

#[cfg(target_arch = "x86_64")]
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
