//! `summary.md`: the table, the best-method table and the definitions of the columns.

use super::columns::{document_metrics, legend_name};
use super::table::{best_legend, best_table, best_title, delta_legend, notes, table, TextTable};
use super::Exporter;
use crate::report::summary::Summary;

pub struct Markdown;

impl Exporter for Markdown {
    fn serialize(&self, s: &Summary) -> String {
        let metrics = document_metrics(s);
        let mut out = format!("# {}\n\n", s.scenario);
        if s.cells.is_empty() {
            out.push_str("No finished runs yet.\n");
            return out;
        }
        out.push_str(&lines(notes(s)));
        out.push('\n');
        out.push_str(&render_markdown(&table(s, &metrics)));
        if let Some(legend) = delta_legend(s, &metrics) {
            out.push_str(&format!("\n{legend}.\n"));
        }
        if let Some(best) = best_table(s) {
            out.push_str(&format!("\n## {}\n\n", best_title(s)));
            out.push_str(&render_markdown(&best));
            let legend = best_legend(s);
            if !legend.is_empty() {
                out.push('\n');
                out.push_str(&lines(legend));
            }
        }
        if let Some(sel) = &s.selected {
            out.push_str(&format!("\n## {}\n\n", super::selection::title(sel)));
            out.push_str(&render_markdown(&super::selection::table(sel)));
            for line in super::selection::notes(sel) {
                out.push_str(&format!("\n{line}.\n"));
            }
        }
        out.push_str("\n## Columns\n\n");
        for &m in &metrics {
            let name = legend_name(m, |n| format!("`{n}`"));
            out.push_str(&format!("- {name}: {}\n", m.definition()));
        }
        out
    }
}

/// Sentences as lines of one paragraph (hard line breaks).
fn lines(sentences: Vec<String>) -> String {
    sentences.into_iter().map(|l| l + ".  \n").collect()
}

/// A Markdown table (pipes in cells escaped).
pub fn render_markdown(t: &TextTable) -> String {
    let line = |cells: &[String]| {
        format!(
            "| {} |\n",
            cells
                .iter()
                .map(|c| c.replace('|', "\\|"))
                .collect::<Vec<_>>()
                .join(" | ")
        )
    };
    let mut out = line(&t.header);
    let rule: Vec<String> = t
        .numeric
        .iter()
        .map(|&n| if n { "---:" } else { "---" }.to_string())
        .collect();
    out.push_str(&line(&rule));
    for r in &t.rows {
        out.push_str(&line(r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_in_cells_are_escaped_and_numbers_align_right() {
        let t = TextTable {
            header: vec!["method".into(), "|W|".into()],
            rows: vec![vec!["ce".into(), "1.000".into()]],
            numeric: vec![false, true],
        };
        assert_eq!(
            render_markdown(&t),
            "| method | \\|W\\| |\n| --- | ---: |\n| ce | 1.000 |\n"
        );
    }
}
