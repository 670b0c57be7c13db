//! One writer per format, all from the same [`Summary`]: `summary.csv` and `summary.json` (every
//! number, full precision), `summary.md` and the terminal table (compact, for people).
//!
//! Numbers in CSV and JSON use Rust's shortest round-trip formatting, so equal results give equal
//! bytes. The human tables show mean±std with 3 decimals and the paired difference against the
//! hard-label baseline as `+0.002 ±0.003 ▲` (mean, half-width of the 95% t-interval, ▲/▼ when the
//! interval lies above/below 0).

use super::stats::Stat;
use super::summary::{best_by, Cell, Summary};
use crate::vocab::metric::Metric;
use comfy_table::{CellAlignment, ContentArrangement, Table};

/// The terminal table is kept within this many columns when the metrics are the defaults.
pub const TERMINAL_WIDTH: usize = 100;

/// Metrics of the terminal table unless the user picks others (`--metrics`, `[report] metrics`);
/// dropped from the end while the table would be wider than [`TERMINAL_WIDTH`].
pub const DEFAULT_TABLE_METRICS: &[&str] = &[
    "test_accuracy",
    "test_ece",
    "memorized",
    "weight_norm",
    "train_loss_corrupted",
];

/// Metrics of the tables in `summary.md` and `report.html` (those present in the data).
pub const DOCUMENT_METRICS: &[&str] = &[
    "test_accuracy",
    "test_nll",
    "test_ece",
    "train_loss_corrupted",
    "train_loss_clean",
    "memorized",
    "recovered",
    "weight_norm",
    "logit_gap",
];

/// The metric ranked by the "best method" tables.
pub const BEST_BY: &str = "test_accuracy";

/// Short column header of a metric (the legend under each table spells them out).
pub fn short_name(metric: &str) -> &str {
    match metric {
        "test_accuracy" => "acc",
        "test_nll" => "nll",
        "test_brier" => "brier",
        "test_ece" => "ece",
        "test_mce" => "mce",
        "test_ece_pos" => "ece_pos",
        "train_loss_corrupted" => "loss_corr",
        "train_loss_clean" => "loss_clean",
        "train_loss_corrupted_true" => "loss_corr_true",
        "train_accuracy_observed" => "train_acc",
        "weight_norm" => "|W|",
        "logit_gap" => "gap",
        "logit_gap_cap" => "gap_cap",
        other => other,
    }
}

/// Definition of a metric from [`Metric`].
pub fn definition(metric: &str) -> Option<&'static str> {
    Metric::from_name(metric).map(Metric::definition)
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// 3 decimals; fewer for large magnitudes so columns stay narrow.
pub fn fixed(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        format!("{v}")
    } else if a >= 1e5 {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn signed(v: f64) -> String {
    let s = fixed(v);
    if s.starts_with('-') || !v.is_finite() {
        s
    } else {
        format!("+{s}")
    }
}

/// `mean±std` (just the mean when n = 1).
pub fn mean_std(st: &Stat) -> String {
    if st.std.is_finite() {
        format!("{}±{}", fixed(st.mean), fixed(st.std))
    } else {
        fixed(st.mean)
    }
}

/// ▲ when the 95% interval lies above 0, ▼ below, nothing when it contains 0 (or is unknown).
pub fn direction(d: &Stat) -> &'static str {
    if d.ci_low > 0.0 {
        "▲"
    } else if d.ci_high < 0.0 {
        "▼"
    } else {
        ""
    }
}

/// A paired difference: `+0.002 ±0.003 ▲` (mean, half-width of the 95% t-interval, direction).
pub fn delta_text(d: &Stat) -> String {
    if d.ci_low.is_finite() && d.ci_high.is_finite() {
        let mark = direction(d);
        let text = format!(
            "{} ±{}",
            signed(d.mean),
            fixed((d.ci_high - d.ci_low) / 2.0)
        );
        if mark.is_empty() {
            text
        } else {
            format!("{text} {mark}")
        }
    } else {
        signed(d.mean)
    }
}

/// `summary.csv`: axes, method, n, not_converged, baseline flags, then per metric mean, std, 95%
/// t-interval, then per metric the paired difference against the baseline (mean and interval).
pub fn csv(s: &Summary) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = s.axes.clone();
    header.extend(
        [
            "method",
            "n",
            "not_converged",
            "is_baseline",
            "paired_against",
        ]
        .map(String::from),
    );
    for m in &s.metrics {
        for suffix in ["mean", "std", "ci95_low", "ci95_high"] {
            header.push(format!("{m}_{suffix}"));
        }
    }
    for m in &s.metrics {
        for suffix in ["mean", "ci95_low", "ci95_high"] {
            header.push(format!("delta_{m}_{suffix}"));
        }
    }
    w.write_record(&header).expect("in-memory write");
    for c in &s.cells {
        let mut row: Vec<String> = c.axes.iter().map(|(_, v)| v.to_string()).collect();
        row.extend([
            c.method.clone(),
            c.n.to_string(),
            c.not_converged.to_string(),
            c.is_baseline.to_string(),
            c.paired_against.clone().unwrap_or_default(),
        ]);
        for m in &s.metrics {
            match c.stats.get(m) {
                Some(st) => {
                    row.extend([num(st.mean), num(st.std), num(st.ci_low), num(st.ci_high)])
                }
                None => row.extend(vec![String::new(); 4]),
            }
        }
        for m in &s.metrics {
            match c.paired.get(m) {
                Some(st) => row.extend([num(st.mean), num(st.ci_low), num(st.ci_high)]),
                None => row.extend(vec![String::new(); 3]),
            }
        }
        w.write_record(&row).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory")).expect("utf-8")
}

/// `summary.json`: the whole summary (NaN as null) and the best-method table.
pub fn json(s: &Summary) -> String {
    let best: Vec<serde_json::Value> = best_by(s, BEST_BY, true)
        .into_iter()
        .map(|(axes, c)| {
            serde_json::json!({
                "axes": axes,
                "method": c.method,
                BEST_BY: c.stats[BEST_BY],
                format!("delta_{BEST_BY}"): c.paired.get(BEST_BY),
                "paired_against": c.paired_against,
            })
        })
        .collect();
    let v = serde_json::json!({ "summary": s, format!("best_by_{BEST_BY}"): best });
    serde_json::to_string_pretty(&v).expect("serializes") + "\n"
}

/// A table as text cells, shared by the terminal, Markdown and HTML writers.
#[derive(Clone, Debug, PartialEq)]
pub struct TextTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Right-align the column (numbers).
    pub numeric: Vec<bool>,
}

/// Short column names of the non-method axes: the key without its section when unambiguous.
pub(crate) fn short_axes(axes: &[String]) -> Vec<String> {
    let tail = |a: &str| a.split_once('.').map_or(a, |(_, t)| t).to_string();
    axes.iter()
        .map(|a| {
            let clash = axes.iter().filter(|b| tail(b) == tail(a)).count() > 1;
            if clash {
                a.clone()
            } else {
                tail(a)
            }
        })
        .collect()
}

fn is_method_axis(axis: &str) -> bool {
    axis.starts_with("method.")
}

/// Whether the grid has more than one method (then a `method` column names each cell's).
fn has_method_column(s: &Summary) -> bool {
    s.axes.iter().any(|a| is_method_axis(a))
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

/// The main table: non-method axes, method, n, then per metric mean±std; after the first metric,
/// its paired difference against the baseline when the grid has one.
pub fn table(s: &Summary, metrics: &[String]) -> TextTable {
    let plain: Vec<String> = s
        .axes
        .iter()
        .filter(|a| !is_method_axis(a))
        .cloned()
        .collect();
    let mut header = short_axes(&plain);
    let mut numeric = vec![true; header.len()];
    let method_col = has_method_column(s);
    if method_col {
        header.push("method".into());
        numeric.push(false);
    }
    header.push("n".into());
    numeric.push(true);
    let delta_of = metrics
        .first()
        .filter(|m| s.cells.iter().any(|c| c.paired.contains_key(*m)))
        .cloned();
    for (i, m) in metrics.iter().enumerate() {
        header.push(short_name(m).to_string());
        numeric.push(true);
        if i == 0 && delta_of.is_some() {
            header.push(format!("Δ{}", short_name(m)));
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
                .filter(|(k, _)| !is_method_axis(k))
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
            for (i, m) in metrics.iter().enumerate() {
                row.push(c.stats.get(m).map_or_else(|| "–".into(), mean_std));
                if i == 0 {
                    if let Some(d) = &delta_of {
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

fn delta_cell(c: &Cell, metric: &str) -> String {
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
    let best = best_by(s, BEST_BY, true);
    if best.is_empty() {
        return None;
    }
    let plain: Vec<String> = s
        .axes
        .iter()
        .filter(|a| !is_method_axis(a))
        .cloned()
        .collect();
    let mut header = short_axes(&plain);
    let mut numeric = vec![true; header.len()];
    let metric = short_name(BEST_BY);
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
            row.push(mean_std(&c.stats[BEST_BY]));
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
    let plain: Vec<String> = s
        .axes
        .iter()
        .filter(|a| !is_method_axis(a))
        .cloned()
        .collect();
    let per = if plain.is_empty() {
        String::new()
    } else {
        format!(" per {}", short_axes(&plain).join(" × "))
    };
    format!("Best method by test accuracy{per}")
}

/// Sentences explaining a table: the statistics, the Δ column, the method when there is one.
pub fn notes(s: &Summary, metrics: &[String]) -> Vec<String> {
    let mut out = vec![
        "mean±std over seeds; n = runs per cell".to_string()
            + if s.cells.iter().any(|c| c.not_converged > 0) {
                " (nc = not converged)"
            } else {
                ""
            },
    ];
    if let Some(first) = metrics
        .first()
        .filter(|m| s.cells.iter().any(|c| c.paired.contains_key(*m)))
    {
        out.push(format!(
            "Δ{}: paired difference vs {} on the same noisy labels: mean ±half-width of the 95% t-interval, \
             ▲/▼ when the interval is above/below 0",
            short_name(first),
            baseline_name(s)
        ));
    }
    if !has_method_column(s) {
        if let Some(c) = s.cells.first() {
            out.push(format!("method: {}", c.method));
        }
    }
    out
}

/// `acc = test_accuracy, …` for the abbreviated headers, wrapped to the terminal width.
fn abbreviations(metrics: &[String]) -> Vec<String> {
    let items: Vec<String> = metrics
        .iter()
        .filter(|m| short_name(m) != m.as_str())
        .map(|m| format!("{} = {m}", short_name(m)))
        .collect();
    wrap(&items, ", ", TERMINAL_WIDTH)
}

/// Joins items into lines no wider than `width` (an item longer than that gets its own line).
fn wrap(items: &[String], sep: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        // Room is kept for the separator's mark (`,`) that ends a broken line.
        let room = width.saturating_sub(sep.trim_end().len());
        if !line.is_empty() && line.chars().count() + sep.len() + item.chars().count() > room {
            lines.push(std::mem::take(&mut line) + sep.trim_end());
        }
        if !line.is_empty() {
            line.push_str(sep);
        }
        line.push_str(item);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
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

/// Widest line, in characters.
pub fn width(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// Metrics for the terminal table: the user's choice, else the defaults present in the data, as
/// many as fit in [`TERMINAL_WIDTH`] columns (at least one).
pub fn table_metrics(s: &Summary, chosen: Option<&[String]>) -> Vec<String> {
    if let Some(c) = chosen {
        return c.to_vec();
    }
    let mut metrics: Vec<String> = DEFAULT_TABLE_METRICS
        .iter()
        .filter(|m| s.metrics.iter().any(|x| x == *m))
        .map(|m| m.to_string())
        .collect();
    while metrics.len() > 1 && width(&render_terminal(&table(s, &metrics))) > TERMINAL_WIDTH {
        metrics.pop();
    }
    metrics
}

/// The terminal output: the table, its legend, and the best-method table.
pub fn terminal(s: &Summary, metrics: &[String]) -> String {
    if s.cells.is_empty() {
        return "no finished runs yet\n".into();
    }
    let mut out = render_terminal(&table(s, metrics));
    let words = |line: String| {
        wrap(
            &line.split(' ').map(String::from).collect::<Vec<_>>(),
            " ",
            TERMINAL_WIDTH,
        )
    };
    for line in notes(s, metrics)
        .into_iter()
        .flat_map(words)
        .chain(abbreviations(metrics))
    {
        out.push_str(&line);
        out.push('\n');
    }
    if let Some(best) = best_table(s).filter(|b| b.rows.len() > 1 || s.cells.len() > 1) {
        out.push('\n');
        out.push_str(&best_title(s));
        out.push_str(":\n");
        out.push_str(&render_terminal(&best));
    }
    out
}

/// Metrics of the document tables (Markdown, HTML).
pub fn document_metrics(s: &Summary) -> Vec<String> {
    DOCUMENT_METRICS
        .iter()
        .filter(|m| s.metrics.iter().any(|x| x == *m))
        .map(|m| m.to_string())
        .collect()
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
        .map(|&n| {
            if n {
                "---:".to_string()
            } else {
                "---".to_string()
            }
        })
        .collect();
    out.push_str(&line(&rule));
    for r in &t.rows {
        out.push_str(&line(r));
    }
    out
}

/// `summary.md`: the table, the best-method table and the definitions of the columns.
pub fn markdown(s: &Summary) -> String {
    let metrics = document_metrics(s);
    let mut out = format!("# {}\n\n", s.scenario);
    if s.cells.is_empty() {
        out.push_str("No finished runs yet.\n");
        return out;
    }
    for line in notes(s, &metrics) {
        out.push_str(&line);
        out.push_str(".  \n");
    }
    out.push('\n');
    out.push_str(&render_markdown(&table(s, &metrics)));
    if let Some(best) = best_table(s) {
        out.push_str(&format!("\n## {}\n\n", best_title(s)));
        out.push_str(&render_markdown(&best));
    }
    out.push_str("\n## Columns\n\n");
    for m in &metrics {
        let name = short_name(m);
        let def = definition(m).unwrap_or("");
        let name = if name == m {
            format!("`{m}`")
        } else {
            format!("`{name}` = `{m}`")
        };
        out.push_str(&format!("- {name}: {def}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mean: f64, lo: f64, hi: f64) -> Stat {
        Stat {
            mean,
            std: 0.0,
            n: 3,
            ci_low: lo,
            ci_high: hi,
        }
    }

    #[test]
    fn numbers_keep_three_decimals_and_narrow_columns() {
        assert_eq!(fixed(0.12345), "0.123");
        assert_eq!(fixed(99.99949), "99.999");
        assert_eq!(fixed(123.456), "123.5");
        assert_eq!(fixed(123456.0), "1.23e5");
        assert_eq!(
            mean_std(&Stat {
                mean: 0.5,
                std: f64::NAN,
                n: 1,
                ci_low: f64::NAN,
                ci_high: f64::NAN
            }),
            "0.500"
        );
    }

    #[test]
    fn deltas_show_sign_half_width_and_direction() {
        assert_eq!(delta_text(&stat(0.002, -0.001, 0.005)), "+0.002 ±0.003");
        assert_eq!(delta_text(&stat(0.004, 0.001, 0.007)), "+0.004 ±0.003 ▲");
        assert_eq!(delta_text(&stat(-0.004, -0.007, -0.001)), "-0.004 ±0.003 ▼");
        // One repetition: no interval, just the difference.
        assert_eq!(delta_text(&stat(0.01, f64::NAN, f64::NAN)), "+0.010");
    }

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

    #[test]
    fn wrap_keeps_lines_within_width() {
        let items: Vec<String> = (0..30).map(|i| format!("item{i}")).collect();
        let lines = wrap(&items, ", ", 40);
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{lines:?}");
        assert_eq!(
            lines
                .join(" ")
                .replace(", ", ",")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .count(),
            30
        );
    }
}
