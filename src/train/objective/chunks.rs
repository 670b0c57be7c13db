//! The fixed row partition of one evaluation, so that one large fit can use every thread and still
//! give the same bits on any number of them.
//!
//! The rows (all of them, or a mini-batch's list) are cut into chunks whose boundaries depend only
//! on how many rows there are: never on the thread count, the kernel or the block size. Each chunk
//! accumulates F and ∇F into its own workspace from zero, and the chunks' sums are added in chunk
//! order ([`reduce`]). Which thread evaluates a chunk (rayon's work stealing decides) therefore
//! cannot change a result. Fewer than `2 × MIN_CHUNK_ROWS` rows make one chunk: the evaluation is
//! then exactly the single-chunk one, without tasks.

use super::workspace::{Tiles, Workspace};
use std::ops::Range;

/// Fewest rows per chunk: each chunk pays for loading θ, clearing and adding its accumulators
/// (about 3·D·C memory operations) and one task; against 4·D·C flops per row, 4,096 rows make that
/// well under 1 % of its work.
const MIN_CHUNK_ROWS: usize = 4096;

/// Most chunks per evaluation: each holds a workspace (≈ 2·D·C + 40·D f64, 1 MB at D = 512,
/// K = 100), and 16 balance 2, 4, 8 or 16 threads evenly.
const MAX_CHUNKS: usize = 16;

/// Chunk boundaries are multiples of this many rows, so that only a chunk's last block is partial
/// (blocks are 32 rows). Correctness does not need it: every kernel gives the same bits for any
/// rows it is given, wherever they start.
pub(super) const CHUNK_ALIGN: usize = 64;

/// How `n` rows are cut: `count` chunks of nearly equal size (within `CHUNK_ALIGN` rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Partition {
    n: usize,
    pub count: usize,
}

impl Partition {
    pub fn of(n: usize) -> Partition {
        Partition {
            n,
            count: (n / MIN_CHUNK_ROWS).clamp(1, MAX_CHUNKS),
        }
    }

    /// Rows (positions in the evaluated list) of chunk `i`.
    pub fn range(&self, i: usize) -> Range<usize> {
        debug_assert!(i < self.count);
        self.boundary(i)..self.boundary(i + 1)
    }

    fn boundary(&self, i: usize) -> usize {
        if i >= self.count {
            return self.n;
        }
        // i·n/count in 128 bits: no overflow for any row count.
        let even = (i as u128 * self.n as u128 / self.count as u128) as usize;
        even / CHUNK_ALIGN * CHUNK_ALIGN
    }
}

/// One chunk's scratch: its workspace (θ copy, accumulators) and its block's row offsets and
/// gathered labels.
pub(super) struct Chunk {
    pub ws: Workspace,
    pub offsets: Vec<usize>,
    pub labels: Vec<usize>,
}

impl Chunk {
    pub fn new(d: usize, c: usize, k: usize, tiles: Tiles) -> Chunk {
        let ws = Workspace::new(d, c, k, tiles);
        Chunk {
            offsets: Vec::with_capacity(ws.block),
            labels: Vec::with_capacity(ws.block),
            ws,
        }
    }
}

/// Adds every chunk's sums into the first chunk's workspace, in chunk order (chunk 0 + chunk 1,
/// then + chunk 2, …), after folding each chunk's pending product of softmax sums into its loss.
///
/// This order differs from a single pass over all rows (each weight's chain restarts at every
/// chunk boundary), so results with several chunks differ in the last bits from the issue-16
/// engine; it is the same for every kernel, thread count and shard split, which is what the
/// bit-identity invariant needs.
pub(super) fn reduce(chunks: &mut [Chunk]) {
    let Some((first, rest)) = chunks.split_first_mut() else {
        return;
    };
    first.ws.fold_log_sums();
    for chunk in rest {
        chunk.ws.fold_log_sums();
        add(first.ws.acc_w.as_mut_slice(), chunk.ws.acc_w.as_slice());
        add(first.ws.acc_b.as_mut_slice(), chunk.ws.acc_b.as_slice());
        add(&mut first.ws.loss, &chunk.ws.loss);
    }
}

fn add(into: &mut [f64], from: &[f64]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(n: usize) -> Vec<Range<usize>> {
        let p = Partition::of(n);
        (0..p.count).map(|i| p.range(i)).collect()
    }

    #[test]
    fn chunks_cover_the_rows_once_in_order_on_aligned_boundaries() {
        for n in [
            0, 1, 255, 4096, 8191, 8192, 12_365, 20_000, 50_000, 65_536, 1_000_003,
        ] {
            let r = ranges(n);
            assert_eq!(r.first().unwrap().start, 0, "n = {n}");
            assert_eq!(r.last().unwrap().end, n, "n = {n}");
            for pair in r.windows(2) {
                assert_eq!(pair[0].end, pair[1].start, "n = {n}");
                assert!(pair[0].end.is_multiple_of(CHUNK_ALIGN), "n = {n}");
                assert!(!pair[1].is_empty(), "n = {n}: empty chunk");
            }
            assert!(r.len() <= MAX_CHUNKS);
            let even = n / r.len();
            assert!(
                r.iter().all(|c| c.len().abs_diff(even) <= CHUNK_ALIGN),
                "n = {n}: uneven {r:?}"
            );
        }
    }

    #[test]
    fn small_inputs_make_one_chunk_and_large_ones_split_evenly() {
        assert_eq!(ranges(8191), vec![0..8191]);
        // 12,365 rows: 3 chunks, boundaries at 4,121.7 and 8,243.3 rounded down to 64 rows.
        assert_eq!(ranges(12_365), vec![0..4096, 4096..8192, 8192..12_365]);
        // 50,000 rows: 12 chunks; the last starts at 11/12 of them (45,833.3 → 45,824).
        let r = ranges(50_000);
        assert_eq!(r.len(), 12);
        assert_eq!(r[11], 45_824..50_000);
        assert_eq!(ranges(1_000_000).len(), MAX_CHUNKS);
    }
}
