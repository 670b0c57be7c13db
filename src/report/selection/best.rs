//! The best-method table with a selection: grid cells compared by their mean validation score.

use super::Candidate;
use super::Selected;
use crate::report::cells::{Axes, Cell, Setting};
use crate::scenario::spec::SelectionScore;
use std::collections::HashMap;

/// The mean validation score of every grid cell over its seeds (NaN scores left out).
pub(super) fn cell_scores(all: &[Candidate]) -> HashMap<Setting, f64> {
    let mut sums: HashMap<Setting, (f64, usize)> = HashMap::new();
    for c in all {
        let s = c.validation.score();
        let e = sums.entry(Setting::of(&c.axes)).or_default();
        if s.is_finite() {
            *e = (e.0 + s, e.1 + 1);
        }
    }
    sums.into_iter()
        .filter(|(_, (_, n))| *n > 0)
        .map(|(k, (sum, n))| (k, sum / n as f64))
        .collect()
}

/// Whether validation score `a` beats `b` under `metric` (NaN never wins).
fn beats(metric: SelectionScore, a: f64, b: f64) -> bool {
    match metric {
        SelectionScore::Accuracy => a > b,
        SelectionScore::Nll => a < b,
    }
}

/// The best-method table with a selection: for every setting of the compared axes, the grid cell
/// with the best mean validation score (ties: larger l2, then smaller |ε|, then grid order). The
/// setting is returned with the chosen cell's values on the tuned model axes.
pub fn best_by_validation<'s>(cells: &'s [Cell], sel: &Selected) -> Vec<(Axes, &'s Cell)> {
    let number = |c: &Cell, key: &str| {
        c.axes
            .iter()
            .find(|(a, _)| a.key() == key)
            .and_then(|(_, v)| v.number())
    };
    let mut order: Vec<Setting> = Vec::new();
    let mut best: HashMap<Setting, (&Cell, f64)> = HashMap::new();
    for c in cells {
        let Some(&v) = sel.cell_scores.get(&Setting::of(&c.axes)) else {
            continue;
        };
        let key = Setting::of(c.axes.iter().filter(|(a, _)| sel.compared.contains(a)));
        let wins = match best.get(&key) {
            None => {
                order.push(key.clone());
                true
            }
            Some(&(b, bv)) => {
                let l2 = |c| number(c, "l2").unwrap_or(0.0);
                let eps = |c| number(c, "epsilon").map_or(0.0, f64::abs);
                beats(sel.metric, v, bv)
                    || (v == bv && (l2(c) > l2(b) || (l2(c) == l2(b) && eps(c) < eps(b))))
            }
        };
        if wins {
            best.insert(key, (c, v));
        }
    }
    order
        .into_iter()
        .filter_map(|k| best.remove(&k))
        .map(|(c, _)| {
            (
                c.axes
                    .iter()
                    .filter(|(a, _)| !a.is_method())
                    .cloned()
                    .collect(),
                c,
            )
        })
        .collect()
}
