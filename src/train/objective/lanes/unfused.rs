//! The portable lanes without fused multiply-adds.

use super::{split_exponent_bits, Lanes, Portable};

/// The portable lanes with a multiply, then an add, in place of each fused multiply-add: two
/// roundings, never a call to `fma`. For x86-64 CPUs without FMA (before 2013), where `f64::mul_add`
/// is libm's software emulation (≈ 15× slower than this). Every other operation is the portable
/// one, so only the fused steps' last digits differ from the other kernels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::train::objective) struct Unfused(pub Portable);

impl Lanes for Unfused {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        Unfused(Portable::splat(v))
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Self {
        Unfused(Portable::load(p))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        self.0.store(p)
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        Unfused(self.0.add(b.0))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        Unfused(self.0.sub(b.0))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        Unfused(self.0.mul(b.0))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        Unfused(self.0.div(b.0))
    }
    /// self·b rounded, then + c rounded.
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        Unfused(self.0.mul(b.0).add(c.0))
    }
    #[inline(always)]
    fn max(self, b: Self) -> Self {
        Unfused(self.0.max(b.0))
    }
    #[inline(always)]
    fn zero_where_below(self, x: Self, limit: f64) -> Self {
        Unfused(self.0.zero_where_below(x.0, limit))
    }
    #[inline(always)]
    fn select_eq(self, value: f64, yes: Self, no: Self) -> Self {
        Unfused(self.0.select_eq(value, yes.0, no.0))
    }
    #[inline(always)]
    fn pow2_of_shifted(t: Self) -> Self {
        Unfused(Portable::pow2_of_shifted(t.0))
    }
    #[inline(always)]
    unsafe fn transpose8(rows: &[*const f64; 8], col: usize, out: *mut f64, stride: usize) {
        Portable::transpose8(rows, col, out, stride)
    }
    #[inline(always)]
    fn exponent_bits(self) -> (Self, Self) {
        let (m, e) = split_exponent_bits(self.0);
        (Unfused(m), Unfused(e))
    }
}
