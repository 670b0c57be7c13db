//! Eight f64 lanes, the unit of the evaluation kernel, with one implementation per instruction set.
//!
//! Every operation is an IEEE-754 operation rounded once (add, mul, div, fused multiply-add, max),
//! so the AVX-512 (`__m512d`), AVX2 (two `__m256d`) and portable (`[f64; 8]`) implementations
//! give the same bits: the kernel is written once against [`Lanes`] and a result never depends on
//! the machine's vector width. Hand-written rather than taken from a SIMD crate because that identity (in particular of
//! `exp`, built here from those operations) is the point.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod unfused;

#[cfg(target_arch = "x86_64")]
pub(super) use avx2::Avx2;
#[cfg(target_arch = "x86_64")]
pub(super) use avx512::Avx512;
pub(super) use unfused::Unfused;

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
    /// self·b + c, rounded once ([`Unfused`]: rounded after the multiply and after the add).
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
