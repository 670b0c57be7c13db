//! ln and eˣ − 1 on [`Lanes`], built from its IEEE operations and bit moves only, so every kernel
//! gives the same bits (as `Lanes::exp` does).

use crate::train::objective::lanes::Lanes;

/// fdlibm's `log` (e_log.c): x = 2ᵏ·(1 + f) with √2/2 ≤ 1 + f < √2, s = f/(2 + f) and
/// ln(1 + f) = f − (f²/2 − s·(f²/2 + R(s²))), R a degree-14 minimax polynomial; error < 1 ulp.
const LG: [f64; 7] = [
    f64::from_bits(0x3FE5_5555_5555_5593),
    f64::from_bits(0x3FD9_9999_9997_FA04),
    f64::from_bits(0x3FD2_4924_9422_9359),
    f64::from_bits(0x3FCC_71C5_1D8E_78AF),
    f64::from_bits(0x3FC7_4664_96CB_03DE),
    f64::from_bits(0x3FC3_9A09_D078_C69F),
    f64::from_bits(0x3FC2_F112_DF3E_5244),
];
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000); // k·LN2_HI is exact for |k| < 2¹¹
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);

pub(super) trait LaneMath: Lanes {
    /// ln x for positive normal x, within 1 ulp; NaN stays NaN. (0, subnormals, negatives and ∞
    /// give meaningless finite values or NaN: the callers' arguments are sums ≥ their largest
    /// term, which is 1 or kept ≥ the smallest normal.)
    #[inline(always)]
    fn ln(self) -> Self {
        let one = Self::splat(1.0);
        let (m, e) = self.exponent_bits();
        // m ≥ √2: halve it (exact) and count one more power of 2.
        let big = one.zero_where_below(m, std::f64::consts::SQRT_2);
        let f = big.select_eq(1.0, m.mul(Self::splat(0.5)), m).sub(one);
        let k = e.add(big).sub(Self::splat(1023.0));
        let s = f.div(Self::splat(2.0).add(f));
        let z = s.mul(s);
        let w = z.mul(z);
        let c = Self::splat;
        let t1 = w.mul(c(LG[1]).add(w.mul(c(LG[3]).add(w.mul(c(LG[5]))))));
        let t2 = z.mul(c(LG[0]).add(w.mul(c(LG[2]).add(w.mul(c(LG[4]).add(w.mul(c(LG[6]))))))));
        let r = t2.add(t1);
        let hfsq = c(0.5).mul(f).mul(f);
        let inner = hfsq.sub(s.mul(hfsq.add(r)).add(k.mul(c(LN2_LO))));
        let ln = k.mul(c(LN2_HI)).sub(inner.sub(f));
        // x − x is 0 for finite x and NaN for NaN (whose bits above would give a number).
        ln.add(self.sub(self))
    }

    /// eˣ − 1 without cancellation near 0: with x = n·ln2 + r as in `Lanes::exp`,
    /// eˣ − 1 = 2ⁿ·(eʳ − 1) + (2ⁿ − 1), eʳ − 1 = r·(1 + r/2 + … + r¹²/13!); exact reduction and
    /// one term when |x| ≤ ln2/2 (n = 0). Within 2 ulp for x ≤ 709; −1 below −708; NaN stays NaN.
    #[inline(always)]
    fn exp_m1(self) -> Self {
        const LOG2E: f64 = std::f64::consts::LOG2_E;
        const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²: adding it rounds to an integer
        let one = Self::splat(1.0);
        let x = Self::splat(-708.0).max(self);
        let t = x.mul_add(Self::splat(LOG2E), Self::splat(SHIFT));
        let n = t.sub(Self::splat(SHIFT));
        let r = n.mul_add(Self::splat(-LN2_HI), x);
        let r = n.mul_add(Self::splat(-LN2_LO), r);
        // 1/j! for j = 13 down to 2.
        let mut p = Self::splat(1.0 / 6_227_020_800.0);
        let mut factorial = 6_227_020_800.0;
        for j in (2..13).rev() {
            factorial /= (j + 1) as f64;
            p = p.mul_add(r, Self::splat(1.0 / factorial));
        }
        let em1r = p.mul_add(r, one).mul(r);
        let pow = Self::pow2_of_shifted(t);
        em1r.mul_add(pow, pow.sub(one))
    }
}

impl<V: Lanes> LaneMath for V {}

#[cfg(test)]
mod tests {
    use super::LaneMath;
    use crate::train::objective::lanes::{Lanes, Portable};

    /// Error of `ours` against the standard library's value in units of the latter's last place.
    fn ulps(ours: f64, want: f64) -> f64 {
        if ours == want {
            return 0.0;
        }
        (ours - want).abs() / (want.abs() * f64::EPSILON).max(f64::MIN_POSITIVE)
    }

    fn worst(
        xs: impl Iterator<Item = f64>,
        ours: fn(Portable) -> Portable,
        want: fn(f64) -> f64,
    ) -> f64 {
        let xs: Vec<f64> = xs.collect();
        xs.chunks_exact(8)
            .flat_map(|c| {
                let got = ours(Portable(std::array::from_fn(|i| c[i]))).0;
                (0..8).map(move |i| ulps(got[i], want(c[i])))
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn lane_ln_is_within_one_ulp_of_the_standard_library() {
        // Every binade from 2⁻¹⁰²² to 2¹⁰²³, and densely around 1 (where ln x is small).
        let wide = (0..200_000).map(|i| 2f64.powf(-1022.0 + 2045.0 * i as f64 / 200_000.0));
        let near_one = (0..80_000).map(|i| 0.5 + 1.5 * i as f64 / 80_000.0);
        let w = worst(wide.chain(near_one), |v| v.ln(), f64::ln);
        assert!(w <= 1.0, "worst error {w} ulp");
        assert_eq!(Portable::splat(1.0).ln().0[0], 0.0);
        assert!(Portable::splat(f64::NAN).ln().0[0].is_nan());
        assert_eq!(Portable::splat(std::f64::consts::E).ln().0[0], 1.0);
    }

    #[test]
    fn lane_exp_m1_is_within_two_ulp_of_the_standard_library() {
        let xs = (0..400_000).map(|i| -40.0 + 48.0 * i as f64 / 400_000.0);
        let tiny = (0..8000).map(|i| (i as f64 - 4000.0) * 1e-9);
        let w = worst(xs.chain(tiny), |v| v.exp_m1(), f64::exp_m1);
        assert!(w <= 2.0, "worst error {w} ulp");
        assert_eq!(Portable::splat(-800.0).exp_m1().0[0], -1.0);
        assert_eq!(Portable::splat(0.0).exp_m1().0[0], 0.0);
        assert_eq!(Portable::splat(1e-300).exp_m1().0[0], 1e-300);
        assert!(Portable::splat(f64::NAN).exp_m1().0[0].is_nan());
    }
}
