//! The kernels, one per instruction set: which ones this CPU runs, their register tiles, and the
//! entry points compiled for each instruction set around the one generic [`kernel::run_block`].

use super::kernel::{self, backward, forward, forward_from_rows, Block, Tiling};
use super::lanes;
use super::workspace::{Tiles, Workspace};
use crate::train::loss::RowLoss;

/// An implementation of the evaluation kernel. The fused ones (portable, avx2, avx512) give
/// bit-identical results and differ only in speed; [`Kernel::Unfused`] rounds each multiply-add
/// twice, so its results differ in the last digits (see its doc). [`Kernel::detect`] picks the
/// fastest fused kernel the CPU supports, or the unfused one on an x86-64 CPU without FMA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust on `[f64; 8]` (any CPU; uses the hardware fused multiply-add where it exists).
    Portable,
    /// AVX2 + FMA intrinsics, a lane vector in two registers (x86-64).
    Avx2,
    /// AVX-512F intrinsics (x86-64).
    Avx512,
    /// The portable lanes with a multiply, then an add, where the others fuse them ([`Unfused`]):
    /// any CPU, picked only on x86-64 CPUs without FMA (before 2013). Why it exists: there
    /// `f64::mul_add` is libm's software `fma`, so the fused portable kernel takes ~15× the time
    /// of the old ndarray evaluation, and its bits cannot be had faster. Rounding the product
    /// first changes the last digits (within ~1e-15 relative of the fused kernels), so folders
    /// record the arithmetic and refuse to mix it ([`Arithmetic`]). Same chains, same order as
    /// the fused kernels, so its bits are still the same for any thread count and shard split.
    ///
    /// [`Unfused`]: super::lanes::Unfused
    /// [`Arithmetic`]: super::Arithmetic
    Unfused,
}

impl Kernel {
    /// The fastest fused kernel this CPU runs, or the unfused one where a fused multiply-add is
    /// not in hardware (x86-64 without FMA).
    pub fn detect() -> Kernel {
        let unfused_wins = !fma_in_hardware();
        Kernel::available()
            .into_iter()
            .rfind(|&k| k != Kernel::Unfused || unfused_wins)
            .expect("portable is always available")
    }

    /// Kernels this CPU runs: portable and unfused (any CPU), then the x86-64 ones, slowest first.
    pub fn available() -> Vec<Kernel> {
        let mut v = vec![Kernel::Portable, Kernel::Unfused];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                v.push(Kernel::Avx2);
            }
            if is_x86_feature_detected!("avx512f") {
                v.push(Kernel::Avx512);
            }
        }
        v
    }

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Portable => "portable",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
            Kernel::Unfused => "unfused",
        }
    }

    /// The same class tiles for every kernel (the register tiles differ, see [`Tiling`]) but the
    /// unfused one on SSE2 ([`unfused_class_tile`]). Results never depend on the class tile.
    pub(super) fn tiles(self) -> Tiles {
        Tiles {
            kt_max: unfused_class_tile(self).unwrap_or(5),
        }
    }

    /// Runs the kernel on one block.
    ///
    /// # Safety
    /// As [`kernel::run_block`]; `self` must be one of [`Kernel::available`].
    pub(super) unsafe fn run_block(self, ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => block_avx512(ws, block, loss),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => block_avx2(ws, block, loss),
            Kernel::Unfused => block_unfused(ws, block, loss),
            _ => block_portable(ws, block, loss),
        }
    }
}

/// Implements [`Tiling`] for `$name` on lanes `$v`, with (KT, RT, DV) for each class tile KT.
macro_rules! tiling {
    ($name:ident, $v:ty, [$(($kt:literal, $rt:literal, $dv:literal)),* $(,)?]) => {
        struct $name;
        impl Tiling for $name {
            type V = $v;
            #[inline(always)]
            unsafe fn forward(ws: &mut Workspace, groups: usize) {
                match ws.kt {
                    $($kt => forward::<$v, $rt, $kt>(ws, groups),)*
                    _ => unreachable!("class tiles have 1 to 5 classes"),
                }
            }
            #[inline(always)]
            unsafe fn forward_from_rows(ws: &mut Workspace, block: &Block<'_>) {
                match ws.kt {
                    $($kt => forward_from_rows::<$v, $rt, $kt>(ws, block),)*
                    _ => unreachable!("class tiles have 1 to 5 classes"),
                }
            }
            #[inline(always)]
            unsafe fn backward(ws: &mut Workspace, block: &Block<'_>) {
                match ws.kt {
                    $($kt => backward::<$v, $dv, $kt>(ws, block),)*
                    _ => unreachable!("class tiles have 1 to 5 classes"),
                }
            }
        }
    };
}

// 32 vector registers, one per lane vector: RT·KT (forward) or DV·KT (backward) accumulators,
// the RT or DV vectors of X and a broadcast. At least 8 independent chains hide the 4-cycle
// latency of two fused multiply-add pipes; a block of 32 rows holds at most 4 row groups.
#[cfg(target_arch = "x86_64")]
tiling!(
    Avx512Tiles,
    lanes::Avx512,
    [(1, 4, 8), (2, 4, 4), (3, 4, 4), (4, 4, 4), (5, 4, 4)]
);

// 16 registers, two per lane vector: 2·RT·KT accumulators + 2·RT vectors of X + a broadcast
// within 16, (1 class: X is read once per multiply-add, straight from memory). K = 1 or 2 is
// one class tile, computed from the rows (`forward_from_rows`) with 4 transposed vectors live:
// 2 classes take one row group (two spilled most of the transpose: 262 against 306
// instructions per row, ~20% faster at 4,000 × 64), 1 class keeps four.
#[cfg(target_arch = "x86_64")]
tiling!(
    Avx2Tiles,
    lanes::Avx2,
    [(1, 4, 4), (2, 1, 2), (3, 1, 1), (4, 1, 1), (5, 1, 1)]
);

// The reference: one tile shape for every class tile.
tiling!(
    PortableTiles,
    lanes::Portable,
    [(1, 1, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1)]
);

/// # Safety
/// As [`kernel::run_block`].
unsafe fn block_portable(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    #[cfg(target_arch = "x86_64")]
    if fma_in_hardware() && !baseline_entries() {
        return block_portable_fma(ws, block, loss);
    }
    kernel::run_block::<PortableTiles>(ws, block, loss)
}

/// # Safety
/// As [`kernel::run_block`], on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn block_avx2(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<Avx2Tiles>(ws, block, loss)
}

/// # Safety
/// As [`kernel::run_block`], on a CPU with AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn block_avx512(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<Avx512Tiles>(ws, block, loss)
}

// SSE2 (16 registers, four per lane vector), class tiles of at most 2 ([`unfused_class_tile`]):
// 2 classes: 8 accumulators + 4 of X + a broadcast; 1 class: two row groups for 8 independent
// chains (one register over: a spill beats 4 chains waiting on the add's latency).
tiling!(
    UnfusedTiles,
    lanes::Unfused,
    [(1, 2, 2), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1)]
);

// AVX without FMA (Sandy and Ivy Bridge; 16 registers, two per lane vector): as AVX2's tiles.
#[cfg(target_arch = "x86_64")]
tiling!(
    UnfusedAvxTiles,
    lanes::Unfused,
    [(1, 4, 4), (2, 2, 2), (3, 1, 1), (4, 1, 1), (5, 1, 1)]
);

/// The unfused kernel's largest class tile where it runs the SSE2 entry: 2, so a tile's
/// accumulators fit the 16 registers (5 spilled them: ~20% slower at K = 10 on the reference
/// machine); None for every other kernel and entry.
fn unfused_class_tile(kernel: Kernel) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    let sse2 = !is_x86_feature_detected!("avx") || baseline_entries();
    #[cfg(not(target_arch = "x86_64"))]
    let sse2 = false;
    (kernel == Kernel::Unfused && sse2).then_some(2)
}

/// Whether a fused multiply-add is one instruction here: FMA (with the AVX state it needs) on
/// x86-64; assumed elsewhere (aarch64 always has it).
pub(super) fn fma_in_hardware() -> bool {
    #[cfg(target_arch = "x86_64")]
    return is_x86_feature_detected!("avx") && is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    true
}

#[cfg(test)]
thread_local! {
    /// Set by a test: this thread's evaluations use the entries compiled for baseline x86-64
    /// (libm's fma, SSE2) even where the CPU has more, to compare their bits with the others'.
    pub(super) static BASELINE_ENTRIES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn baseline_entries() -> bool {
    #[cfg(test)]
    return BASELINE_ENTRIES.get();
    #[cfg(not(test))]
    false
}

/// The portable kernel's code compiled with FMA (which implies AVX): `f64::mul_add` becomes one
/// `vfmadd` instead of a call to libm, and the 8 lanes become vector instructions; the same
/// operations in the same order, so the same bits.
///
/// # Safety
/// As [`kernel::run_block`], on a CPU with AVX and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,fma")]
unsafe fn block_portable_fma(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<PortableTiles>(ws, block, loss)
}

/// The unfused kernel: compiled with AVX where the CPU has it (same operations, so same bits),
/// for baseline x86-64 (SSE2) otherwise.
///
/// # Safety
/// As [`kernel::run_block`].
unsafe fn block_unfused(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx") && !baseline_entries() {
        return block_unfused_avx(ws, block, loss);
    }
    kernel::run_block::<UnfusedTiles>(ws, block, loss)
}

/// # Safety
/// As [`kernel::run_block`], on a CPU with AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn block_unfused_avx(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<UnfusedAvxTiles>(ws, block, loss)
}
