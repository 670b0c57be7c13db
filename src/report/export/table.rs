//! The tables as text cells, shared by the terminal, Markdown and HTML writers: the main table
//! (mean±std per metric, paired difference after the first), the best method per setting, and the
//! sentences that explain them.

use super::columns::BEST_BY;
use super::format::{delta_text, mean_std};
use crate::report::summary::{best_by, Cell, Summary};
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

/// A table as text cells.
#[derive(Clone, Debug, PartialEq)]
pub struct TextTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Right-align the column (numbers).
    pub numeric: Vec<bool>,
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
    let mut header = short_axes(&plain_axes(s));
    let mut numeric = vec![true; header.len()];
    let method_col = has_method_column(s);
    if method_col {
        header.push("method".into());
        numeric.push(false);
    }
    header.push("n".into());
    numeric.push(true);
    let delta_of = delta_metric(s, metrics);
    for (i, m) in metrics.iter().enumerate() {
        header.push(m.label().to_string());
        numeric.push(true);
        if i == 0 && delta_of.is_some() {
            header.push(format!("Δ{}", m.label()));
            numeric.push(false);
        }
    }
    let rows = s
        .cells
        .iter()
        .map(|c| {
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
                        row.push(delta_cell(c, d));
                    }
                }
            }
            row
        })
        .collect();
    TextTable {
        header,
        rows,
        numeric,
    }
}

fn delta_cell(c: &Cell, metric: Metric) -> String {
    match c.paired.get(metric) {
        Some(d) => delta_text(d),
        None if c.is_baseline => "(baseline)".into(),
        None => "–".into(),
    }
}

/// "Best method per setting": for every setting of the non-method axes, the method with the highest
/// mean test accuracy, with its paired difference against the baseline. `None` when the grid has a
/// single method.
pub fn best_table(s: &Summary) -> Option<TextTable> {
    if !has_method_column(s) {
        return None;
    }
    let best = best_by(s, BEST_BY);
    if best.is_empty() {
        return None;
    }
    let mut header = short_axes(&plain_axes(s));
    let mut numeric = vec![true; header.len()];
    let metric = BEST_BY.label();
    header.extend([
        "best method".to_string(),
        metric.to_string(),
        format!("Δ{metric}"),
    ]);
    numeric.extend([false, true, false]);
    let rows = best
        .into_iter()
        .map(|(axes, c)| {
            let mut row: Vec<String> = axes.iter().map(|(_, v)| v.to_string()).collect();
            row.push(c.method.clone());
            row.push(c.stats.get(BEST_BY).map_or_else(|| "–".into(), mean_std));
            row.push(delta_cell(c, BEST_BY));
            row
        })
        .collect();
    Some(TextTable {
        header,
        rows,
        numeric,
    })
}

/// Title of the best-method table.
pub fn best_title(s: &Summary) -> String {
    let plain = plain_axes(s);
    let per = if plain.is_empty() {
        String::new()
    } else {
        format!(" per {}", short_axes(&plain).join(" × "))
    };
    let by = s.selected.as_ref().map_or_else(
        || BEST_BY.name().replace('_', " "),
        crate::report::selection::chosen_by,
    );
    format!("Best method by {by}{per}")
}

/// Sentences explaining a table: the statistics, the Δ column, the method when there is one.
pub fn notes(s: &Summary, metrics: &[Metric]) -> Vec<String> {
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
    if let Some(first) = delta_metric(s, metrics) {
        out.push(format!(
            "Δ{}: paired difference vs {} on the same noisy labels: mean ±half-width of the 95% t-interval, \
             ▲/▼ when the interval is above/below 0",
            first.label(),
            baseline_name(s)
        ));
    }
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
