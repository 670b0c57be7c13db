//! The tables as text cells, shared by the terminal, Markdown and HTML writers: the main table
//! (mean±std per metric, paired difference after the first), the best method per setting, and the
//! sentences that explain them (the legends of the marks go under each table).

use super::columns::BEST_BY;
use super::format::{delta_cell, mean_std};
use super::significance::{comparisons, marks_legend, Comparison};
use crate::report::summary::{best_by, Cell, Summary};
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;
use std::collections::HashMap;

/// A table as text cells.
#[derive(Clone, Debug, PartialEq)]
pub struct TextTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Right-align the column (numbers).
    pub numeric: Vec<bool>,
}

impl TextTable {
    /// A table whose first columns are `axes` (short names, right-aligned), without rows.
    pub(crate) fn with_axes(axes: &[Axis]) -> TextTable {
        let header = short_axes(axes);
        TextTable {
            numeric: vec![true; header.len()],
            header,
            rows: Vec::new(),
        }
    }

    /// Adds a column named `name`; `numeric` right-aligns it.
    pub(crate) fn column(&mut self, name: impl Into<String>, numeric: bool) {
        self.header.push(name.into());
        self.numeric.push(numeric);
    }
}

/// Short column names of axes: the key without its section when no other axis has that key.
pub(crate) fn short_axes(axes: &[Axis]) -> Vec<String> {
    axes.iter()
        .map(|a| {
            let clash = axes.iter().filter(|b| b.key() == a.key()).count() > 1;
            if clash {
                a.to_string()
            } else {
                a.key().to_string()
            }
        })
        .collect()
}

/// The axes that are not method settings, in column order.
fn plain_axes(s: &Summary) -> Vec<Axis> {
    s.axes.iter().filter(|a| !a.is_method()).cloned().collect()
}

/// Whether the grid has more than one method (then a `method` column names each cell's).
fn has_method_column(s: &Summary) -> bool {
    s.axes.iter().any(Axis::is_method)
}

/// The label of the baseline the Δ columns compare against (`ce`, `ls ε=0`, or "baseline").
pub fn baseline_name(s: &Summary) -> String {
    let mut names: Vec<&str> = s
        .cells
        .iter()
        .filter_map(|c| c.paired_against.as_deref())
        .collect();
    names.dedup();
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [one] => one.to_string(),
        _ => "baseline".into(),
    }
}

/// The first metric when some cell has a paired difference for it (it then gets a Δ column).
fn delta_metric(s: &Summary, metrics: &[Metric]) -> Option<Metric> {
    metrics
        .first()
        .copied()
        .filter(|&m| s.cells.iter().any(|c| c.paired.contains_key(m)))
}

/// The main table: non-method axes, method, n, then per metric mean±std; after the first metric,
/// its paired difference against the baseline when the grid has one.
pub fn table(s: &Summary, metrics: &[Metric]) -> TextTable {
    let mut t = TextTable::with_axes(&plain_axes(s));
    let method_col = has_method_column(s);
    if method_col {
        t.column("method", false);
    }
    t.column("n", true);
    let delta_of = delta_metric(s, metrics);
    let compared = delta_of.map(|m| comparisons(s, m)).unwrap_or_default();
    for (i, m) in metrics.iter().enumerate() {
        t.column(m.label(), true);
        if i == 0 && delta_of.is_some() {
            t.column(format!("Δ{}", m.label()), false);
        }
    }
    t.rows = s
        .cells
        .iter()
        .enumerate()
        .map(|(at, c)| {
            let mut row: Vec<String> = c
                .axes
                .iter()
                .filter(|(a, _)| !a.is_method())
                .map(|(_, v)| v.to_string())
                .collect();
            if method_col {
                row.push(c.method.clone());
            }
            row.push(if c.not_converged > 0 {
                format!("{} ({} nc)", c.n, c.not_converged)
            } else {
                c.n.to_string()
            });
            for (i, &m) in metrics.iter().enumerate() {
                row.push(c.stats.get(m).map_or_else(|| "–".into(), mean_std));
                if i == 0 {
                    if let Some(d) = delta_of {
                        row.push(judged_delta(c, d, compared[at].as_ref()));
                    }
                }
            }
            row
        })
        .collect();
    t
}

/// A cell's Δ, marked with the main table's verdict on it.
fn judged_delta(c: &Cell, metric: Metric, compared: Option<&Comparison>) -> String {
    let mark = compared.map_or("", |v| v.significance.mark());
    delta_cell(c.paired.get(metric), c.is_baseline, |_| mark)
}

/// "Best method per setting": for every setting of the non-method axes, the method with the highest
/// mean test accuracy, with its paired difference against the baseline; tied methods get a row each,
/// marked "(tie)". `None` when the grid has a single method.
pub fn best_table(s: &Summary) -> Option<TextTable> {
    if !has_method_column(s) {
        return None;
    }
    let best = best_by(s, BEST_BY);
    if best.is_empty() {
        return None;
    }
    let mut t = TextTable::with_axes(&plain_axes(s));
    let metric = BEST_BY.label();
    t.column("best method", false);
    t.column(metric, true);
    t.column(format!("Δ{metric}"), false);
    // The main table's verdicts: a cell is judged once, in the family of all its comparisons.
    let compared = comparisons(s, BEST_BY);
    let position = cell_positions(s);
    t.rows = best
        .into_iter()
        .flat_map(|(axes, cells)| {
            let tie = cells.len() > 1;
            let (compared, position) = (&compared, &position);
            cells.into_iter().map(move |c| {
                let mut row: Vec<String> = axes.iter().map(|(_, v)| v.to_string()).collect();
                row.push(if tie {
                    format!("{} (tie)", c.method)
                } else {
                    c.method.clone()
                });
                row.push(c.stats.get(BEST_BY).map_or_else(|| "–".into(), mean_std));
                let at = position.get(&std::ptr::from_ref(c));
                row.push(judged_delta(
                    c,
                    BEST_BY,
                    at.and_then(|&i| compared[i].as_ref()),
                ));
                row
            })
        })
        .collect();
    Some(t)
}

/// Where each cell of the summary is (by address, as `best_by` lends the summary's own cells).
pub(super) fn cell_positions(s: &Summary) -> HashMap<*const Cell, usize> {
    s.cells
        .iter()
        .enumerate()
        .map(|(i, c)| (std::ptr::from_ref(c), i))
        .collect()
}

/// Title of the best-method table: the method is chosen on the test split it is scored on, which
/// flatters it, and the title says so.
pub fn best_title(s: &Summary) -> String {
    let plain = plain_axes(s);
    let per = if plain.is_empty() {
        String::new()
    } else {
        format!(" per {}", short_axes(&plain).join(" × "))
    };
    match &s.selected {
        Some(sel) => format!(
            "Best method by {}{per}",
            crate::report::selection::chosen_by(sel)
        ),
        None => format!(
            "Best by {}{per}: best on test (optimistic: chosen on the data it is scored on)",
            BEST_BY.name().replace('_', " ")
        ),
    }
}

/// The legend under the main table: what its Δ column holds and what its marks mean.
pub fn delta_legend(s: &Summary, metrics: &[Metric]) -> Option<String> {
    let first = delta_metric(s, metrics)?;
    Some(delta_sentence(s, first))
}

/// `Δacc: paired difference vs ce …`, the marks included.
fn delta_sentence(s: &Summary, metric: Metric) -> String {
    let (low, high) = metric.difference_range();
    let clipped = if low.is_finite() && high.is_finite() {
        format!(" (clipped to [{low}, {high}])")
    } else {
        String::new()
    };
    format!(
        "Δ{}: paired difference vs {} on the same noisy labels, mean ±half-width of the 95% t-interval{clipped}; {}",
        metric.label(),
        baseline_name(s),
        marks_legend(s, metric)
    )
}

/// The legend under the best-method table: its Δ column's marks, and what "(tie)" means when a
/// setting has tied methods.
pub fn best_legend(s: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    if s.cells.iter().any(|c| c.paired.contains_key(BEST_BY)) {
        out.push(format!(
            "Δ{} vs {}: {}",
            BEST_BY.label(),
            baseline_name(s),
            marks_legend(s, BEST_BY)
        ));
    }
    if best_by(s, BEST_BY).iter().any(|(_, cells)| cells.len() > 1) {
        out.push(format!(
            "(tie): equal mean {} (exactly equal means; ties are not broken, every tied method is listed)",
            BEST_BY.label()
        ));
    }
    out
}

/// Sentences explaining the main table: partial or mixed data, the statistics, the method when
/// there is one (the Δ column's legend is [`delta_legend`]).
pub fn notes(s: &Summary) -> Vec<String> {
    let mut out: Vec<String> = s
        .partial
        .map(|p| {
            format!(
                "partial: {} of {} runs (the grid is still running, was interrupted, or this is one shard)",
                p.runs, p.expected
            )
        })
        .into_iter()
        .chain(s.mixed_builds.clone())
        .collect();
    out.extend(["mean±std over seeds; n = runs per cell".to_string()
        + if s.cells.iter().any(|c| c.not_converged > 0) {
            " (nc = not converged)"
        } else {
            ""
        }]);
    if !has_method_column(s) {
        if let Some(c) = s.cells.first() {
            out.push(format!("method: {}", c.method));
        }
    }
    out.extend(non_finite_note(s));
    out
}

/// Which metrics had NaN or ±∞ values (a diverged fit) in how many runs: they are left out of the
/// statistics, so a table never averages them silently.
fn non_finite_note(s: &Summary) -> Option<String> {
    let runs: usize = s.cells.iter().map(|c| c.n).sum();
    let counts: Vec<String> = s
        .non_finite_metrics()
        .into_iter()
        .map(|m| {
            let count: usize = s.cells.iter().filter_map(|c| c.non_finite.get(m)).sum();
            format!("{m} in {count} of {runs} runs")
        })
        .collect();
    (!counts.is_empty()).then(|| {
        format!(
            "non-finite values (NaN or ±∞, e.g. a diverged fit) are left out of the statistics: {}",
            counts.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::vocab::axis::Section;

    #[test]
    fn axis_headers_drop_the_section_unless_two_axes_share_a_key() {
        let axes = [
            Axis::NOISE_RATE,
            Axis::new(Section::Dataset, "seed"),
            Axis::new(Section::Noise, "seed"),
            Axis::EPSILON,
        ];
        assert_eq!(
            short_axes(&axes),
            ["rate", "dataset.seed", "noise.seed", "epsilon"]
        );
    }
}
