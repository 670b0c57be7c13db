//! The kernels, one per instruction set: which ones this CPU runs, their register tiles, and the
//! entry points compiled for each instruction set around the one generic [`kernel::run_block`].

use super::kernel::{self, backward, forward, forward_from_rows, Block, Tiling};
use super::lanes;
use super::workspace::{Tiles, Workspace};
use crate::train::loss::RowLoss;

/// An implementation of the evaluation kernel. All give bit-identical results; they differ only
/// in speed. [`Kernel::detect`] picks the fastest the CPU supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust on `[f64; 8]` (any CPU; uses the hardware fused multiply-add where it exists).
    Portable,
    /// AVX2 + FMA intrinsics, a lane vector in two registers (x86-64).
    Avx2,
    /// AVX-512F intrinsics (x86-64).
    Avx512,
}

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub fn detect() -> Kernel {
        *Kernel::available()
            .last()
            .expect("portable is always available")
    }

    /// Kernels this CPU runs, slowest first.
    pub fn available() -> Vec<Kernel> {
        let mut v = vec![Kernel::Portable];
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
        }
    }

    /// The same class tiles for every kernel (the register tiles differ, see [`Tiling`]).
    pub(super) fn tiles(self) -> Tiles {
        Tiles { kt_max: 5 }
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
