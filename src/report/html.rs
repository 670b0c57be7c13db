//! `report.html`: the tables and every figure on one page that opens offline in a browser. The SVGs
//! are inlined and the page has no scripts, links or external files.

use super::export::{self, Exporter, TextTable};
use super::figures::Figure;
use super::summary::Summary;

const STYLE: &str =
    "body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0;font-size:14px}\
th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}\
th{border-bottom:2px solid #888}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:2em 0}figure svg{max-width:100%;height:auto}figcaption{color:#555;max-width:60em}\
p.note{color:#555;margin:0.2em 0}footer{color:#777;margin-top:3em;font-size:13px}";

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn table(t: &TextTable) -> String {
    let class = |i: usize| {
        if t.numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        }
    };
    let mut out = String::from("<table>\n<thead><tr>");
    for (i, h) in t.header.iter().enumerate() {
        out.push_str(&format!("<th{}>{}</th>", class(i), escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            out.push_str(&format!("<td{}>{}</td>", class(i), escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The whole page: the tables of `summary.md`, then every figure inlined.
pub struct Html<'a> {
    pub figures: &'a [Figure],
}

impl Exporter for Html<'_> {
    fn serialize(&self, s: &Summary) -> String {
        let title = format!("labelnoise: {}", s.scenario);
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
            escape(&title),
            escape(&s.scenario)
        );
        if s.cells.is_empty() {
            out.push_str("<p>No finished runs yet.</p>\n");
        } else {
            let metrics = export::document_metrics(s);
            let notes = |lines: Vec<String>| -> String {
                lines
                    .iter()
                    .map(|l| format!("<p class=\"note\">{}.</p>\n", escape(l)))
                    .collect()
            };
            out.push_str(&notes(export::notes(s)));
            out.push_str(&table(&export::table(s, &metrics)));
            out.push_str(&notes(
                export::delta_legend(s, &metrics).into_iter().collect(),
            ));
            if let Some(best) = export::best_table(s) {
                out.push_str(&format!("<h2>{}</h2>\n", escape(&export::best_title(s))));
                out.push_str(&table(&best));
                out.push_str(&notes(export::best_legend(s)));
            }
            if let Some(sel) = &s.selected {
                let title = super::selection::title(sel);
                out.push_str(&format!("<h2>{}</h2>\n", escape(&title)));
                out.push_str(&table(&super::selection::table(sel)));
                for note in super::selection::notes(sel) {
                    out.push_str(&format!("<p class=\"note\">{}.</p>\n", escape(&note)));
                }
            }
            if !self.figures.is_empty() {
                out.push_str("<h2>Figures</h2>\n");
            }
            for f in self.figures {
                let id = f.file.trim_end_matches(".svg");
                out.push_str(&format!(
                    "<figure id=\"{id}\">\n<h3>{}</h3>\n",
                    escape(&f.title)
                ));
                out.push_str(f.svg.trim_end());
                out.push_str(&format!(
                    "\n<figcaption>{} (<code>plots/{}</code>)</figcaption>\n</figure>\n",
                    escape(&f.caption),
                    f.file
                ));
            }
            out.push_str("<h2>Columns</h2>\n<dl>\n");
            for &m in &metrics {
                out.push_str(&format!(
                    "<dt><code>{}</code></dt><dd>{}</dd>\n",
                    escape(&export::legend_name(m, str::to_string)),
                    escape(m.definition())
                ));
            }
            out.push_str("</dl>\n");
        }
        out.push_str(&format!(
            "<footer>labelnoise {}: built from runs.jsonl (<code>labelnoise report DIR</code> rebuilds it); every number at full precision is in summary.csv and summary.json.</footer>\n</body>\n</html>\n",
            crate::VERSION
        ));
        out
    }
}
