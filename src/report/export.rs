//! One writer per format, all from the same [`Summary`]. Numbers are written with Rust's shortest
//! round-trip formatting, so equal results give equal bytes.

use super::summary::{best_by, Cell, Summary};
use super::DEFAULT_TABLE_METRICS;
use comfy_table::{presets, ContentArrangement, Table};

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// `summary.csv`: axes, n, not_converged, then per metric mean, std, 95% t-interval, then per
/// metric the paired difference against the baseline (mean and interval).
pub fn csv(s: &Summary) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = s.axes.clone();
    header.extend(["method".into(), "n".into(), "not_converged".into()]);
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
        row.extend([c.method.clone(), c.n.to_string(), c.not_converged.to_string()]);
        for m in &s.metrics {
            match c.stats.get(m) {
                Some(st) => row.extend([num(st.mean), num(st.std), num(st.ci_low), num(st.ci_high)]),
                None => row.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        for m in &s.metrics {
            match c.paired.get(m) {
                Some(st) => row.extend([num(st.mean), num(st.ci_low), num(st.ci_high)]),
                None => row.extend(std::iter::repeat_n(String::new(), 3)),
            }
        }
        w.write_record(&row).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory")).expect("utf-8")
}

/// `summary.json`: the whole summary (NaN as null) and the best-method table.
pub fn json(s: &Summary) -> String {
    let best: Vec<serde_json::Value> = best_by(s, "test_accuracy", true)
        .into_iter()
        .map(|(axes, c)| serde_json::json!({ "axes": axes, "method": c.method, "test_accuracy": c.stats["test_accuracy"] }))
        .collect();
    let v = serde_json::json!({ "summary": s, "best_by_test_accuracy": best });
    serde_json::to_string_pretty(&v).expect("serializes") + "\n"
}

/// Short column names: the key without its section when that is unambiguous.
fn short_axes(axes: &[String]) -> Vec<String> {
    axes.iter()
        .map(|a| {
            let tail = a.split_once('.').map_or(a.as_str(), |(_, t)| t);
            let clash = axes.iter().filter(|b| b.split_once('.').map_or(b.as_str(), |(_, t)| t) == tail).count() > 1;
            if clash { a.clone() } else { tail.to_string() }
        })
        .collect()
}

fn mean_std(c: &Cell, m: &str) -> String {
    match c.stats.get(m) {
        Some(s) if s.std.is_finite() => format!("{:.4} ± {:.4}", s.mean, s.std),
        Some(s) => format!("{:.4}", s.mean),
        None => "–".into(),
    }
}

fn delta(c: &Cell, m: &str) -> String {
    match c.paired.get(m) {
        Some(d) if d.ci_low.is_finite() => {
            let sign = if d.ci_low > 0.0 { " ▲" } else if d.ci_high < 0.0 { " ▼" } else { "" };
            format!("{:+.4} [{:+.4}, {:+.4}]{sign}", d.mean, d.ci_low, d.ci_high)
        }
        Some(d) => format!("{:+.4}", d.mean),
        None if c.is_baseline => "baseline".into(),
        None => "–".into(),
    }
}

/// Rows of the human tables: axes that vary, n, chosen metrics, paired Δ of test accuracy.
fn rows(s: &Summary, metrics: &[String]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = short_axes(&s.axes);
    header.push("n".into());
    header.extend(metrics.iter().cloned());
    let with_delta = s.cells.iter().any(|c| c.paired.contains_key("test_accuracy"));
    if with_delta {
        header.push("Δ test_accuracy vs baseline [95% CI]".into());
    }
    let rows = s
        .cells
        .iter()
        .map(|c| {
            let mut row: Vec<String> = c.axes.iter().map(|(_, v)| v.to_string()).collect();
            row.push(if c.not_converged > 0 {
                format!("{} ({} not converged)", c.n, c.not_converged)
            } else {
                c.n.to_string()
            });
            row.extend(metrics.iter().map(|m| mean_std(c, m)));
            if with_delta {
                row.push(delta(c, "test_accuracy"));
            }
            row
        })
        .collect();
    (header, rows)
}

/// Metrics for the human tables: the user's choice, else the defaults present in the data.
pub fn table_metrics(s: &Summary, chosen: Option<&[String]>) -> Vec<String> {
    match chosen {
        Some(c) => c.to_vec(),
        None => DEFAULT_TABLE_METRICS.iter().filter(|m| s.metrics.iter().any(|x| x == *m)).map(|m| m.to_string()).collect(),
    }
}

/// The terminal table (fits 100 columns by wrapping cells).
pub fn terminal(s: &Summary, metrics: &[String]) -> String {
    let (header, rows) = rows(s, metrics);
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(100)
        .set_header(header);
    for r in rows {
        t.add_row(r);
    }
    let mut out = format!("{t}\n");
    let best = best_by(s, "test_accuracy", true);
    if best.len() > 1 || s.cells.iter().any(|c| c.is_baseline) {
        out.push_str("\nbest method by test accuracy:\n");
        for (axes, c) in best {
            let what: Vec<String> = axes.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!("  {:<40} {} ({:.4})\n", what.join(" "), c.method, c.stats["test_accuracy"].mean));
        }
    }
    out
}

/// `summary.md`: the same table in Markdown, plus the best-method table.
pub fn markdown(s: &Summary) -> String {
    let metrics = table_metrics(s, None);
    let (header, rows) = rows(s, &metrics);
    let mut out = format!("# {}\n\nMean ± sample standard deviation over seeds; Δ is the paired difference against the hard-label baseline on the same noisy labels (95% t-interval; ▲/▼ when the interval excludes 0).\n\n", s.scenario);
    let line = |cells: &[String]| format!("| {} |\n", cells.iter().map(|c| c.replace('|', "\\|")).collect::<Vec<_>>().join(" | "));
    out.push_str(&line(&header));
    out.push_str(&line(&vec!["---".to_string(); header.len()]));
    for r in rows {
        out.push_str(&line(&r));
    }
    let best = best_by(s, "test_accuracy", true);
    if !best.is_empty() {
        out.push_str("\n## Best method by test accuracy\n\n| setting | method | test_accuracy |\n| --- | --- | --- |\n");
        for (axes, c) in best {
            let what: Vec<String> = axes.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!("| {} | {} | {} |\n", what.join(" "), c.method, mean_std(c, "test_accuracy")));
        }
    }
    out
}
