//! The table printed after `run`, `report` and `merge`: aligned columns under a single rule, its
//! legend, and the best-method table, kept within [`TERMINAL_WIDTH`] columns.

use super::columns::{present, DEFAULT_TABLE_METRICS};
use super::format::{width, wrap};
use super::table::{best_legend, best_table, best_title, delta_legend, notes, table, TextTable};
use super::Exporter;
use crate::report::summary::Summary;
use crate::vocab::metric::Metric;
use comfy_table::{CellAlignment, ContentArrangement, Table};

/// The terminal table is kept within this many columns when the metrics are the defaults.
pub const TERMINAL_WIDTH: usize = 100;

/// The terminal output for the chosen metrics (see [`table_metrics`]).
pub struct Terminal<'a> {
    pub metrics: &'a [Metric],
    /// Show the best-method table (not for a shard: its runs are one slice of the grid, so its
    /// "best" would be a partial answer).
    pub best: bool,
}

impl Exporter for Terminal<'_> {
    fn serialize(&self, s: &Summary) -> String {
        if s.cells.is_empty() {
            return "no finished runs yet\n".into();
        }
        let mut out = render_terminal(&table(s, self.metrics));
        let words = |line: String| {
            wrap(
                &line.split(' ').map(String::from).collect::<Vec<_>>(),
                " ",
                TERMINAL_WIDTH,
            )
        };
        for line in delta_legend(s, self.metrics)
            .into_iter()
            .chain(notes(s))
            .flat_map(words)
            .chain(abbreviations(self.metrics))
        {
            out.push_str(&line);
            out.push('\n');
        }
        let best = best_table(s).filter(|b| self.best && (b.rows.len() > 1 || s.cells.len() > 1));
        if let Some(best) = best {
            out.push('\n');
            for line in words(best_title(s) + ":") {
                out.push_str(&line);
                out.push('\n');
            }
            out.push_str(&render_terminal(&best));
            for line in best_legend(s).into_iter().flat_map(words) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        if let Some(sel) = &s.selected {
            out.push_str(&format!("\n{}:\n", super::selection::title(sel)));
            out.push_str(&render_terminal(&super::selection::table(sel)));
            for line in super::selection::notes(sel).into_iter().flat_map(words) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }
}

/// The terminal output: the table, its legend, and the best-method table.
pub fn terminal(s: &Summary, metrics: &[Metric]) -> String {
    Terminal {
        metrics,
        best: true,
    }
    .serialize(s)
}

/// `acc = test_accuracy, …` for the abbreviated headers, wrapped to the terminal width.
fn abbreviations(metrics: &[Metric]) -> Vec<String> {
    let items: Vec<String> = metrics
        .iter()
        .filter(|m| m.label() != m.name())
        .map(|m| format!("{} = {m}", m.label()))
        .collect();
    wrap(&items, ", ", TERMINAL_WIDTH)
}

/// Aligned columns under a single rule, no wrapping, trailing spaces trimmed.
pub fn render_terminal(t: &TextTable) -> String {
    let mut table = Table::new();
    // Only the line under the header is drawn (comfy-table preset order: HeaderLines and
    // MiddleHeaderIntersections are the 6th and 7th components).
    table
        .load_preset("     ──            ")
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(t.header.clone());
    for r in &t.rows {
        table.add_row(r.clone());
    }
    for (i, &numeric) in t.numeric.iter().enumerate() {
        if let Some(c) = table.column_mut(i) {
            c.set_cell_alignment(if numeric {
                CellAlignment::Right
            } else {
                CellAlignment::Left
            });
        }
    }
    let lines: Vec<String> = table.lines().map(|l| l.trim_end().to_string()).collect();
    lines.join("\n") + "\n"
}

/// Metrics for the terminal table: the user's choice, else the defaults present in the data, as
/// many as fit in [`TERMINAL_WIDTH`] columns (at least one).
pub fn table_metrics(s: &Summary, chosen: Option<&[Metric]>) -> Vec<Metric> {
    if let Some(c) = chosen {
        return c.to_vec();
    }
    let mut metrics = present(s, DEFAULT_TABLE_METRICS);
    while metrics.len() > 1 && width(&render_terminal(&table(s, &metrics))) > TERMINAL_WIDTH {
        metrics.pop();
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_rendering_aligns_numbers_right_and_trims() {
        let t = TextTable {
            header: vec!["method".into(), "acc".into()],
            rows: vec![
                vec!["ce".into(), "0.5±0.1".into()],
                vec!["ls ε=0.1".into(), "10.25±1.5".into()],
            ],
            numeric: vec![false, true],
        };
        let text = render_terminal(&t);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines.iter().all(|l| !l.ends_with(' ')));
        assert!(lines[1].chars().all(|c| c == '─' || c == ' '), "{text}");
        // Right-aligned: both numbers end in the same column.
        assert_eq!(lines[2].chars().count(), lines[3].chars().count());
        assert!(lines[2].starts_with(" ce "));
    }
}
