//! The kernels, one per instruction set: which ones this CPU runs, their register tiles, and the
//! entry points compiled for each instruction set around the one generic [`kernel::run_block`].

use super::kernel::{self, Block};
use super::lanes;
use super::workspace::{Tiles, Workspace};
use crate::train::loss::RowLoss;

/// An implementation of the evaluation kernel. All give bit-identical results; they differ only
/// in speed. [`Kernel::detect`] picks the fastest the CPU supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust on `[f64; 8]` (any CPU; uses the hardware fused multiply-add where it exists).
    Portable,
    /// The portable code compiled for AVX2 + FMA (x86-64).
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

    pub(super) fn tiles(self) -> Tiles {
        match self {
            Kernel::Avx512 => AVX512_TILES,
            Kernel::Avx2 | Kernel::Portable => PORTABLE_TILES,
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
            _ => block_portable(ws, block, loss),
        }
    }
}

/// 32 vector registers: accumulators for 4 groups of 8 rows × 5 classes (forward) and for
/// 4 vectors of 8 features × 5 classes (backward).
const AVX512_TILES: Tiles = Tiles {
    rt: 4,
    dv: 4,
    kt_max: 5,
};

/// An 8-lane value spans two of the 16 AVX2 registers: one group × 5 classes, one vector × 5.
const PORTABLE_TILES: Tiles = Tiles {
    rt: 1,
    dv: 1,
    kt_max: 5,
};

/// # Safety
/// As [`kernel::run_block`].
unsafe fn block_portable(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<lanes::Portable, { PORTABLE_TILES.rt }, { PORTABLE_TILES.dv }>(
        ws, block, loss,
    )
}

/// # Safety
/// As [`kernel::run_block`], on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn block_avx2(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<lanes::Portable, { PORTABLE_TILES.rt }, { PORTABLE_TILES.dv }>(
        ws, block, loss,
    )
}

/// # Safety
/// As [`kernel::run_block`], on a CPU with AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn block_avx512(ws: &mut Workspace, block: &Block<'_>, loss: &RowLoss) {
    kernel::run_block::<lanes::Avx512, { AVX512_TILES.rt }, { AVX512_TILES.dv }>(ws, block, loss)
}
