//! The scratch memory of one objective: θ in padded form, the transposed block, logits, G and the
//! gradient accumulators, all allocated once and aligned to cache lines. Also decides the class
//! tile (how many classes one register tile holds) and the rows per block.

/// Scratch of one objective, allocated once.
pub(super) struct Workspace {
    /// Features (D), D rounded up to whole lane vectors (D8), outputs (C), padded outputs (Cp),
    /// classes (K).
    pub d: usize,
    pub d8: usize,
    pub c: usize,
    pub cp: usize,
    pub k: usize,
    /// Rows per block (a multiple of 32).
    pub block: usize,
    /// Distance between the rows of `xt`, `zt`, `gt`: a block plus one line, so that rows are not
    /// a multiple of 4 KiB apart (loads would wait on unrelated stores: 4K aliasing).
    pub pitch: usize,
    /// Classes per tile.
    pub kt: usize,
    pub xt: Aligned,
    pub zt: Aligned,
    pub gt: Aligned,
    /// The block's features past the last whole lane vector (D8 − D zeros after them), 8 per row.
    pub tail: Aligned,
    /// W (D × Cp) and b (Cp) of the current θ, zero-padded.
    pub w: Aligned,
    pub bias: Aligned,
    /// Accumulators of ∇W (Cp × D8, class-major), 8-lane accumulators of ∇b (Cp × 8) and of the
    /// loss, and the lanes' products of softmax sums.
    pub acc_w: Aligned,
    pub acc_b: Aligned,
    pub loss: [f64; 8],
    pub sum_product: [f64; 8],
    /// Groups multiplied into `sum_product` since the last fold, the fold period, and the
    /// targets' total mass T that multiplies each ln s.
    pub product_groups: usize,
    pub fold_every: usize,
    pub total_target: f64,
    /// A row of zeros standing in for the rows that pad the last group.
    pub zeros: Vec<f64>,
    /// Scratch of the row losses other than soft targets on the softmax: one lane group's
    /// exponentials (K × 8), then its labels' table rows transposed ((K + 1 rounded up to 8) × 8).
    pub row_scratch: Aligned,
    /// Per-label rows of the corrections' matrices, built at the first block (a workspace serves
    /// one loss for its life).
    pub label_table: Vec<f64>,
}

/// f64 storage aligned to 64 bytes (one cache line, one AVX-512 register).
pub(super) struct Aligned(Vec<Line>);

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f64; 8]);

impl Aligned {
    fn zeros(len: usize) -> Aligned {
        Aligned(vec![Line([0.0; 8]); len.div_ceil(8)])
    }
    pub fn ptr(&mut self) -> *mut f64 {
        self.0.as_mut_ptr() as *mut f64
    }
    pub fn as_slice(&self) -> &[f64] {
        // SAFETY: `Line` is 8 f64 with no padding (repr(C), size 64).
        unsafe { std::slice::from_raw_parts(self.0.as_ptr() as *const f64, self.0.len() * 8) }
    }
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        // SAFETY: as above.
        unsafe { std::slice::from_raw_parts_mut(self.0.as_mut_ptr() as *mut f64, self.0.len() * 8) }
    }
}

/// Classes per tile, in 1..=`max`: the fewest padded classes plus tiles (each padded class costs
/// its multiply-adds, each tile one more pass of loads over the features), the larger on a tie.
/// K = 10 → 5 (no padding), 7 → 4 (one padded class, two tiles), 13 → 5.
fn class_tile(c: usize, max: usize) -> usize {
    (1..=max.min(c))
        .rev()
        .min_by_key(|&kt| c.div_ceil(kt) * kt + c.div_ceil(kt))
        .unwrap_or(1)
}

/// Rows per block: 32, the smallest whole forward tile, so that a block's rows, its transposed copy
/// (20 KiB at D = 64), logits, G and the weights stay in L1 between the passes (measured on
/// 20,000 × 64 × 10: 32 rows beat 64, 128 and 256).
pub(super) const BLOCK_ROWS: usize = 32;

/// What the workspace's layout needs from an instruction set's register tiles.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tiles {
    /// Most classes per tile.
    pub kt_max: usize,
}

impl Workspace {
    pub fn new(d: usize, c: usize, k: usize, tiles: Tiles) -> Workspace {
        let kt = class_tile(c, tiles.kt_max);
        let cp = c.div_ceil(kt) * kt;
        let d8 = d.div_ceil(8) * 8;
        let block = BLOCK_ROWS;
        let pitch = block + 8;
        Workspace {
            d,
            d8,
            c,
            cp,
            k,
            block,
            pitch,
            kt,
            xt: Aligned::zeros(d * pitch),
            zt: Aligned::zeros(cp * pitch),
            gt: Aligned::zeros(cp * pitch),
            tail: Aligned::zeros(block * 8),
            w: Aligned::zeros(d * cp),
            bias: Aligned::zeros(cp),
            acc_w: Aligned::zeros(cp * d8),
            acc_b: Aligned::zeros(cp * 8),
            loss: [0.0; 8],
            sum_product: [1.0; 8],
            product_groups: 0,
            fold_every: (300.0 / (k.max(2) as f64).log10()).floor().clamp(1.0, 64.0) as usize,
            total_target: 0.0,
            zeros: vec![0.0; d + 8],
            row_scratch: Aligned::zeros(8 * (k + (k + 1).div_ceil(8) * 8)),
            label_table: Vec::new(),
        }
    }

    /// Loads θ (W as D×C row-major, then b) into the padded copies and clears the accumulators.
    pub fn begin(&mut self, theta: &[f64]) {
        let (d, c, cp) = (self.d, self.c, self.cp);
        let w = self.w.as_mut_slice();
        for i in 0..d {
            w[i * cp..i * cp + c].copy_from_slice(&theta[i * c..(i + 1) * c]);
        }
        self.bias.as_mut_slice()[..c].copy_from_slice(&theta[d * c..d * c + c]);
        self.acc_w.as_mut_slice().fill(0.0);
        self.acc_b.as_mut_slice().fill(0.0);
        self.loss = [0.0; 8];
        self.sum_product = [1.0; 8];
        self.product_groups = 0;
    }

    /// Folds the product of softmax sums into the loss: Σ ln s = ln Π s, one logarithm per lane
    /// every `fold_every` groups of 8 rows instead of one per row. Each s is in [1, K], and
    /// `fold_every` keeps K^fold_every below 1e300, so the product cannot overflow.
    pub fn fold_log_sums(&mut self) {
        for l in 0..8 {
            self.loss[l] += self.total_target * self.sum_product[l].ln();
        }
        self.sum_product = [1.0; 8];
        self.product_groups = 0;
    }
}

/// Sum of 8 lanes by a fixed tree.
#[inline]
pub(super) fn lane_sum(v: &[f64]) -> f64 {
    ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]))
}

#[cfg(test)]
mod tests {
    use super::class_tile;

    #[test]
    fn class_tiles_trade_padding_for_fewer_passes() {
        // (C, tile): padded classes + tiles is least, ties to the larger tile.
        let want = [
            (1, 1),
            (2, 2),
            (3, 3),
            (6, 3),
            (7, 4),
            (10, 5),
            (11, 4),
            (13, 5),
            (100, 5),
        ];
        for (c, kt) in want {
            assert_eq!(class_tile(c, 5), kt, "C = {c}");
        }
    }
}
