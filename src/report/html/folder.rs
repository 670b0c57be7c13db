//! The sections of `report.html` that describe the folder rather than the results: the plan (the
//! grid's axes and values, runs), the scenario as written, the data files and the provenance. All
//! come from files of the folder, never from the clock, so `report DIR` rebuilds the same page.

use super::escape;
use crate::engine::provenance::{self, Invocation};
use crate::engine::store::{self, Manifest};
use crate::report::notebook::{RUNS_CSV, SUMMARY_LONG_CSV, TRACE_CSV};
use crate::report::summary::Summary;
use std::path::Path;

/// What the folder records besides its runs.
#[derive(Clone, Debug, Default)]
pub struct Folder {
    pub manifest: Option<Manifest>,
    /// `scenario.toml`, the scenario file as written when the runs started.
    pub scenario_text: Option<String>,
    pub invocations: Vec<Invocation>,
    /// `trace.csv` was written (some run recorded a trace).
    pub has_trace: bool,
}

impl Folder {
    pub fn read(dir: &Path) -> Folder {
        Folder {
            manifest: store::read_manifest(dir).ok(),
            scenario_text: std::fs::read_to_string(dir.join(provenance::SCENARIO_COPY)).ok(),
            invocations: provenance::read(dir),
            has_trace: dir.join(TRACE_CSV).is_file(),
        }
    }
}

/// A two-column table of (name, value) rows; values are HTML already.
fn pairs(rows: &[(String, String)]) -> String {
    let mut out = String::from("<div class=\"scroll\"><table>\n<tbody>\n");
    for (k, v) in rows {
        out.push_str(&format!("<tr><th>{}</th><td>{v}</td></tr>\n", escape(k)));
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// The grid: each axis with its values in grid order, cells, runs and seeds.
pub fn plan(s: &Summary, folder: &Folder) -> String {
    let mut rows: Vec<(String, String)> = Vec::new();
    for (i, axis) in s.axes.iter().enumerate() {
        let mut values: Vec<String> = Vec::new();
        for c in &s.cells {
            // A method without this setting (ε of ce) has an empty value.
            let v = c
                .axes
                .get(i)
                .map(|(_, v)| v.to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "(none)".into());
            if !values.contains(&v) {
                values.push(v);
            }
        }
        rows.push((
            axis.to_string(),
            format!("{} ({} values)", escape(&values.join(", ")), values.len()),
        ));
    }
    let runs: usize = s.cells.iter().map(|c| c.n).sum();
    let seeds = s.cells.iter().map(|c| c.n).max().unwrap_or(0);
    rows.push(("cells".into(), s.cells.len().to_string()));
    rows.push((
        "runs".into(),
        match &folder.manifest {
            Some(m) if m.grid_runs != runs => format!(
                "{runs} in this folder of {} planned ({} in the whole grid)",
                m.total_runs, m.grid_runs
            ),
            _ => runs.to_string(),
        },
    ));
    rows.push(("seeds per cell".into(), seeds.to_string()));
    if let Some(shard) = folder.manifest.as_ref().and_then(|m| m.shard.as_ref()) {
        rows.push(("shard".into(), escape(shard)));
    }
    let mut out = String::new();
    if s.axes.is_empty() {
        out.push_str("<p>No axis varies: a single cell.</p>\n");
    }
    out.push_str(&pairs(&rows));
    out
}

/// The scenario file as written, or where it was when it is not in the folder.
pub fn scenario(folder: &Folder) -> String {
    match (&folder.scenario_text, &folder.manifest) {
        (Some(text), m) => format!(
            "<p class=\"note\">{}as it was when the runs started (a copy is <code>{}</code> in this folder).</p>\n<pre>{}</pre>\n",
            m.as_ref()
                .map(|m| format!("<code>{}</code>, ", escape(&m.scenario_path)))
                .unwrap_or_default(),
            provenance::SCENARIO_COPY,
            escape(text.trim_end())
        ),
        (None, Some(m)) => format!(
            "<p>This folder holds no copy of the scenario (made by an older labelnoise); it was read from <code>{}</code>.</p>\n",
            escape(&m.scenario_path)
        ),
        (None, None) => "<p>This folder records no scenario file.</p>\n".into(),
    }
}

/// The files a notebook reads, with what each holds.
pub fn data_files(folder: &Folder) -> String {
    let mut files = vec![
        (RUNS_CSV, "one row per run: id, index, seed, the axes, method, nominal and realized noise rate (flip_rate), every metric"),
        (SUMMARY_LONG_CSV, "one row per cell × metric × statistic (mean, std, n, 95% interval, paired Δ)"),
        ("summary.csv", "one row per cell, every statistic in its own column"),
        ("summary.json", "the summary with every number"),
        ("runs.jsonl", "the run records, one JSON object per line (the source of everything here)"),
    ];
    if folder.has_trace {
        files.insert(
            1,
            (
                TRACE_CSV,
                "one row per run × step × quantity of the training traces",
            ),
        );
    }
    let rows: Vec<(String, String)> = files
        .into_iter()
        .map(|(f, what)| (f.to_string(), escape(what)))
        .collect();
    pairs(&rows)
}

/// Version, builds, input hashes and every command that wrote into the folder.
pub fn provenance(folder: &Folder, mixed_builds: Option<&str>) -> String {
    let mut rows: Vec<(String, String)> = Vec::new();
    let code = |s: &str| format!("<code>{}</code>", escape(s));
    if let Some(m) = &folder.manifest {
        rows.push(("labelnoise version".into(), escape(&m.version)));
        if !m.build.is_empty() {
            rows.push(("build".into(), code(&m.build)));
        }
        // Which arithmetic made the runs: an `unfused` folder's last digits differ from a fused one's.
        rows.push(("arithmetic".into(), escape(m.arithmetic.name())));
        rows.push(("scenario".into(), escape(&m.scenario)));
        rows.push(("scenario hash".into(), code(&m.scenario_hash)));
        rows.push(("scenario file".into(), code(&m.scenario_path)));
        for (input, hash) in &m.inputs {
            rows.push((format!("input {input}"), code(&format!("sha256 {hash}"))));
        }
    }
    if let Some(mixed) = mixed_builds {
        rows.push(("builds".into(), escape(mixed)));
    }
    let mut out = pairs(&rows);
    if folder.invocations.is_empty() {
        out.push_str("<p>No commands recorded (a folder made by an older labelnoise).</p>\n");
        return out;
    }
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>date (UTC)</th><th>command</th><th>host</th><th>machine</th><th>kernel</th><th>build</th></tr></thead>\n<tbody>\n");
    for i in &folder.invocations {
        out.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
            escape(&i.date),
            escape(&i.command),
            escape(&i.host),
            escape(&i.machine),
            escape(&kernel_cell(i)),
            escape(&i.build)
        ));
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// "avx2 (fused)", "unfused"; "–" for commands that train nothing (`merge`) and for older folders.
fn kernel_cell(i: &Invocation) -> String {
    match (&i.kernel, i.arithmetic) {
        (Some(k), Some(a)) if k != a.name() => format!("{k} ({})", a.name()),
        (Some(k), None) => k.clone(),
        _ => "–".to_string(),
    }
}
