//! `report.html`: contents, the tables, every figure, the plan, the scenario as written and the
//! provenance on one page that opens offline in a browser. The SVGs are inlined; the page has no
//! scripts and no links but to its own sections.

use super::export::{self, Exporter, TextTable};
use super::figures::Figure;
use super::summary::Summary;
use crate::vocab::metric::Metric;
pub use folder::Folder;

mod folder;

const STYLE: &str =
    "body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0;font-size:14px}\
th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}\
div.scroll{max-width:100%;overflow-x:auto}pre{background:#f6f6f6;padding:0.6em;overflow-x:auto}\
nav ol{margin:0.3em 0}\
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
    let mut out = String::from("<div class=\"scroll\"><table>\n<thead><tr>");
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
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// The whole page: contents, the tables of `summary.md`, every figure inlined with its caption,
/// the plan, the scenario as written, the data files and the provenance.
pub struct Html<'a> {
    pub figures: &'a [Figure],
    /// What the folder records besides its runs ([`Folder::read`]).
    pub folder: &'a Folder,
}

/// A section: its anchor and heading.
struct Section {
    id: String,
    title: String,
    body: String,
}

impl Html<'_> {
    /// The sections in page order.
    fn sections(&self, s: &Summary) -> Vec<Section> {
        let section = |id: &str, title: &str, body: String| Section {
            id: id.into(),
            title: title.into(),
            body,
        };
        let mut out = Vec::new();
        let metrics = export::document_metrics(s);
        if s.cells.is_empty() {
            out.push(section(
                "results",
                "Results",
                "<p>No finished runs yet.</p>\n".into(),
            ));
        } else {
            let notes = |lines: Vec<String>| -> String {
                lines
                    .iter()
                    .map(|l| format!("<p class=\"note\">{}.</p>\n", escape(l)))
                    .collect()
            };
            let mut body = notes(export::notes(s));
            body.push_str(&table(&export::table(s, &metrics)));
            body.push_str(&notes(
                export::delta_legend(s, &metrics).into_iter().collect(),
            ));
            out.push(section("results", "Results", body));
            if let Some(best) = export::best_table(s) {
                let mut body = table(&best);
                body.push_str(&notes(export::best_legend(s)));
                out.push(section("best", &export::best_title(s), body));
            }
            if let Some(sel) = &s.selected {
                let mut body = table(&super::export::selection::table(sel));
                body.push_str(&notes(super::export::selection::notes(sel)));
                out.push(section(
                    "selected",
                    &super::export::selection::title(sel),
                    body,
                ));
            }
        }
        if !self.figures.is_empty() {
            out.push(section("figures", "Figures", figures(self.figures)));
        }
        out.push(section("plan", "Plan", folder::plan(s, self.folder)));
        out.push(section(
            "scenario",
            "Scenario",
            folder::scenario(self.folder),
        ));
        if !metrics.is_empty() {
            out.push(section("columns", "Columns", columns(&metrics)));
        }
        out.push(section(
            "data",
            "Data files",
            folder::data_files(self.folder),
        ));
        out.push(section(
            "provenance",
            "Provenance",
            folder::provenance(self.folder, s.mixed_builds.as_deref()),
        ));
        out
    }
}

/// Each figure inlined, with its title, caption and file.
fn figures(figures: &[Figure]) -> String {
    let mut out = String::new();
    for f in figures {
        out.push_str(&format!(
            "<figure id=\"{}\">\n<h3>{}</h3>\n",
            figure_id(f),
            escape(&f.title)
        ));
        out.push_str(f.svg.trim_end());
        out.push_str(&format!(
            "\n<figcaption>{} (<code>plots/{}</code>)</figcaption>\n</figure>\n",
            escape(&f.caption),
            f.file
        ));
    }
    out
}

fn figure_id(f: &Figure) -> String {
    format!("fig-{}", f.file.trim_end_matches(".svg"))
}

/// The metric definitions of the tables.
fn columns(metrics: &[Metric]) -> String {
    let mut out = String::from("<dl>\n");
    for &m in metrics {
        out.push_str(&format!(
            "<dt><code>{}</code></dt><dd>{}</dd>\n",
            escape(&export::legend_name(m, str::to_string)),
            escape(m.definition())
        ));
    }
    out.push_str("</dl>\n");
    out
}

/// Links to every section (and to each figure under Figures).
fn contents(sections: &[Section], figures: &[Figure]) -> String {
    let mut out = String::from("<nav id=\"contents\">\n<h2>Contents</h2>\n<ol>\n");
    for sec in sections {
        out.push_str(&format!(
            "<li><a href=\"#{}\">{}</a>",
            sec.id,
            escape(&sec.title)
        ));
        if sec.id == "figures" {
            out.push_str("\n<ol>\n");
            for f in figures {
                out.push_str(&format!(
                    "<li><a href=\"#{}\">{}</a></li>\n",
                    figure_id(f),
                    escape(&f.title)
                ));
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</nav>\n");
    out
}

impl Exporter for Html<'_> {
    fn serialize(&self, s: &Summary) -> String {
        let title = format!("labelnoise: {}", s.scenario);
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
            escape(&title),
            escape(&s.scenario)
        );
        let sections = self.sections(s);
        out.push_str(&contents(&sections, self.figures));
        for sec in &sections {
            out.push_str(&format!(
                "<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n",
                sec.id,
                escape(&sec.title),
                sec.body
            ));
        }
        out.push_str(&format!(
            "<footer>labelnoise {}: built from runs.jsonl (<code>labelnoise report DIR</code> rebuilds it); every number at full precision is in summary.csv, summary_long.csv, summary.json and runs.csv.</footer>\n</body>\n</html>\n",
            crate::VERSION
        ));
        out
    }
}
