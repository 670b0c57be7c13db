//! A selection as text: `selected.csv` (every choice at full precision, with every candidate's
//! score) and the "selected" table the terminal, `summary.md` and `report.html` show.

use super::format::delta_cell;
use super::significance::Verdict;
use super::{mean_std, num, TextTable, BEST_BY};
use crate::engine::store::{self, StoreError};
use crate::report::selection::{
    metric_name, mode_name, select, values_text, Candidate, Selected, FILE,
};
use std::path::Path;

/// `selected.csv`: one row per repetition × compared cell × family: the chosen tuned values, the
/// validation score, every candidate's score (`l2=0.01 ε=0.1: 0.93; …`), the chosen run's
/// metrics, then their paired differences against the tuned baseline.
pub fn csv(sel: &Selected) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["seed".into()];
    header.extend(sel.compared.iter().map(ToString::to_string));
    header.extend(["family", "is_baseline"].map(String::from));
    header.extend(sel.tune.iter().map(ToString::to_string));
    header.extend(
        [
            "validation",
            "validation_metric",
            "validation_score",
            "candidates",
            "run",
        ]
        .map(String::from),
    );
    header.extend(sel.metrics.iter().map(ToString::to_string));
    header.extend(sel.metrics.iter().map(|m| format!("delta_{m}")));
    w.write_record(&header).expect("in-memory write");
    for c in &sel.choices {
        let mut row = vec![c.seed.to_string()];
        row.extend(c.cell.iter().map(|(_, v)| v.to_string()));
        row.extend([c.family.clone(), c.is_baseline.to_string()]);
        row.extend(c.chosen.iter().map(|(_, v)| v.to_string()));
        let candidates: Vec<String> = c
            .candidates
            .iter()
            .map(|(values, score)| {
                let text = values_text(values);
                let text = if text.is_empty() { "–".into() } else { text };
                format!("{text}: {}", num(*score))
            })
            .collect();
        row.extend([
            mode_name(sel.validation).to_string(),
            metric_name(sel.metric).to_string(),
            num(c.score),
            candidates.join("; "),
            c.run.clone(),
        ]);
        row.extend(
            sel.metrics
                .iter()
                .map(|&m| c.metrics.get(m).map_or_else(String::new, num)),
        );
        row.extend(sel.metrics.iter().map(|&m| {
            c.delta
                .get(m)
                .filter(|_| !c.is_baseline)
                .map_or_else(String::new, |d| num(*d))
        }));
        w.write_record(&row).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory")).expect("utf-8")
}

/// Title of the selected table.
pub fn title(sel: &Selected) -> String {
    let tuned: Vec<String> = sel.tune.iter().map(ToString::to_string).collect();
    format!(
        "Selected on {} validation labels by {} (tuned per family: {})",
        mode_name(sel.validation),
        metric_name(sel.metric),
        tuned.join(", ")
    )
}

/// Sentences explaining the selected table.
pub fn notes(sel: &Selected) -> Vec<String> {
    let metric = BEST_BY.label();
    vec![
        format!(
            "per repetition and family, the tuned values with the best validation {} on held-out training samples \
             (stratified on observed labels, never trained on) scored on their {} labels; ties → larger l2, then \
             smaller |ε|, then grid order; chosen = most frequent choice (repetitions choosing it / n)",
            metric_name(sel.metric),
            mode_name(sel.validation)
        ),
        format!(
            "Δ{metric}: paired difference vs {} with its tuned values chosen the same way, in the same repetition: \
             mean ±half-width of the 95% t-interval, ▲/▼ when the interval is above/below 0",
            sel.baseline
        ),
    ]
}

/// The selected table: compared axes, family, n, the most frequent choice, the validation score
/// and test accuracy (mean±std over repetitions), and the paired difference against the tuned
/// baseline.
pub fn table(sel: &Selected) -> TextTable {
    let metric = BEST_BY;
    let mut t = TextTable::with_axes(&sel.compared);
    t.column("family", false);
    t.column("n", true);
    t.column("chosen", false);
    t.column(format!("val {}", metric_name(sel.metric)), true);
    t.column(metric.label(), true);
    t.column(format!("Δ{}", metric.label()), false);
    t.rows = sel
        .families
        .iter()
        .map(|f| {
            let mut row: Vec<String> = f.cell.iter().map(|(_, v)| v.to_string()).collect();
            let chosen = match f.chosen.first() {
                Some((text, k)) if *k < f.n => format!("{text} ({k}/{})", f.n),
                Some((text, _)) => text.clone(),
                None => String::new(),
            };
            // Marked as the main table marks (no multiple-comparison correction here).
            let delta = delta_cell(f.paired.get(metric), f.is_baseline, |d| {
                let told_apart = d.testable() && (d.ci_low > 0.0 || d.ci_high < 0.0);
                Verdict::of(d.mean, metric.better(), told_apart).mark()
            });
            row.extend([
                f.family.clone(),
                f.n.to_string(),
                chosen,
                mean_std(&f.score),
                f.stats.get(metric).map_or_else(|| "–".into(), mean_std),
                delta,
            ]);
            row
        })
        .collect();
    t
}

/// Redoes the selection from `records` and writes `selected.csv` into `dir` (removing a stale one
/// when no run has a validation score). The entry `report::write_all` calls.
pub fn write(
    dir: &Path,
    candidates: impl IntoIterator<Item = Candidate>,
) -> Result<Option<Selected>, StoreError> {
    let selected = select(candidates);
    let path = dir.join(FILE);
    match &selected {
        Some(sel) => store::write_atomic(&path, csv(sel).as_bytes())?,
        None => match std::fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(StoreError::Io {
                    path: path.display().to_string(),
                    err,
                })
            }
            _ => {}
        },
    }
    Ok(selected)
}
