//! The unfused kernel against the fused ones (the same values to within rounding, for every loss
//! and model), and the entries compiled for baseline x86-64 (libm's fma, SSE2) against those
//! compiled for the CPU's extensions, bit for bit.

use super::instruction_set::BASELINE_ENTRIES;
use super::lanes::{Lanes, Portable, Unfused};
use super::tests::{bits_of, losses, random, theta};
use super::*;

/// (rows, D, K, C): the logistic model, class tiles of 1 to 5 with padding, D with a tail vector
/// and wider than a backward tile, rows past one block and a ragged last group.
const SHAPES: [(usize, usize, usize, usize); 5] = [
    (101, 37, 2, 1),
    (77, 9, 2, 2),
    (263, 67, 7, 7),
    (517, 64, 10, 10),
    (130, 5, 13, 13),
];

/// One evaluation problem: data, loss, θ, and all rows or a mini-batch.
struct Case<'a> {
    x: &'a Array2<f64>,
    y: &'a [usize],
    k: usize,
    c: usize,
    loss: &'a RowLoss,
    th: &'a [f64],
    rows: Option<&'a [usize]>,
}

impl Case<'_> {
    fn bits(&self, kernel: Kernel) -> (u64, Vec<u64>) {
        let Case { x, y, k, c, .. } = *self;
        bits_of(kernel, x, y, k, c, self.loss, self.th, self.rows)
    }
}

/// Calls `check` on every shape × loss × (all rows, a mini-batch with repeats), with a description.
fn each_case(seed: u64, mut check: impl FnMut(&Case<'_>, &str)) {
    for (case, &(n, d, k, c)) in SHAPES.iter().enumerate() {
        let (x, y) = random(n, d, k, seed + case as u64);
        let batch: Vec<usize> = (0..n + 13).map(|i| (i * 31 + 7) % n).collect();
        for (l, loss) in losses(k).iter().enumerate() {
            let th = theta((d + 1) * c, seed + 100 + l as u64);
            for rows in [None, Some(batch.as_slice())] {
                let what = format!("n={n} d={d} k={k} c={c} loss #{l} batch {}", rows.is_some());
                let (x, y, th) = (&x, &y, &th);
                check(
                    &Case {
                        x,
                        y,
                        k,
                        c,
                        loss,
                        th,
                        rows,
                    },
                    &what,
                );
            }
        }
    }
}

fn values(bits: &(u64, Vec<u64>)) -> (f64, Vec<f64>) {
    let g = bits.1.iter().map(|b| f64::from_bits(*b)).collect();
    (f64::from_bits(bits.0), g)
}

/// Largest |a − b| / |b| over F and every gradient entry, with |b| at least 1e-3 of the largest
/// gradient entry (an entry that nearly cancels to 0 is compared at the gradient's scale).
fn worst_relative(ours: &(f64, Vec<f64>), theirs: &(f64, Vec<f64>)) -> f64 {
    let scale = theirs.1.iter().fold(0.0f64, |m, v| m.max(v.abs())) * 1e-3;
    let f = (ours.0 - theirs.0).abs() / theirs.0.abs();
    ours.1.iter().zip(&theirs.1).fold(f, |worst, (a, b)| {
        worst.max((a - b).abs() / b.abs().max(scale))
    })
}

#[test]
fn unfused_gives_the_fused_values_to_1e_12_for_every_loss_and_model() {
    let mut worst = 0.0f64;
    each_case(70, |case, what| {
        let fused = values(&case.bits(Kernel::Portable));
        let err = worst_relative(&values(&case.bits(Kernel::Unfused)), &fused);
        assert!(err <= 1e-12, "{what}: relative difference {err:e}");
        worst = worst.max(err);
    });
    // Two roundings are not one: the unfused kernel is another arithmetic, not a relabelling.
    assert!(worst > 0.0, "unfused gave the fused bits everywhere");
}

#[test]
fn baseline_entries_give_the_bits_of_the_entries_for_the_cpus_extensions() {
    for kernel in [Kernel::Portable, Kernel::Unfused] {
        each_case(90, |case, what| {
            let fast = case.bits(kernel);
            // Fewer than 8,192 rows: one chunk, evaluated on this thread.
            BASELINE_ENTRIES.set(true);
            let baseline = case.bits(kernel);
            BASELINE_ENTRIES.set(false);
            assert!(fast == baseline, "{kernel:?} {what}: the entries differ");
        });
    }
}

#[test]
fn unfused_lane_exp_is_within_two_ulp_of_the_standard_library() {
    // exp of 8 points at a time across its range, from −708 up to 709.
    let xs: Vec<f64> = (0..82_000).map(|i| -708.0 + i as f64 * 0.0173).collect();
    let worst = xs
        .chunks_exact(8)
        .flat_map(|c| {
            let lanes: [f64; 8] = c.try_into().unwrap();
            let ours = Unfused(Portable(lanes)).exp().0 .0;
            lanes.into_iter().zip(ours)
        })
        .filter(|(x, _)| *x <= 709.0)
        .map(|(x, v)| ((v - x.exp()) / x.exp()).abs() / f64::EPSILON)
        .fold(0.0f64, f64::max);
    assert!(worst <= 2.0, "worst error {worst} ulp");
}
