//! `report` on a results folder of 1,000,000 runs (issue 13, item 9): wall time and peak memory of
//! `report::write_all`, the code `labelnoise report DIR` runs (single-threaded: one core). Goal:
//! under 60 s and under 1 GB. The folder (10 noise rates × 10 values of ε × 10,000 seeds, records
//! shaped like a real quickstart record, ~2.9 GB) is written under the temporary directory first
//! and removed afterwards; only the report is measured.
//!
//! `cargo bench --bench report_scale` (`RUNS=200000` for a smaller folder). Linux only for the
//! memory figure (peak resident set from /proc, reset before the report).

use labelnoise::engine::store::{self, Manifest};
use labelnoise::report;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

#[path = "common/records.rs"]
mod synthetic_records;
use synthetic_records::{EPSILONS, RATES};

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let seeds = runs.div_ceil(RATES * EPSILONS);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let started = Instant::now();
    let bytes = write_folder(dir.path(), seeds);
    eprintln!(
        "wrote {} runs ({:.2} GB) in {:.1} s",
        seeds * RATES * EPSILONS,
        bytes as f64 / 1e9,
        started.elapsed().as_secs_f64()
    );
    reset_peak_memory();
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let written = report::write_all(dir.path()).expect("the report");
    let seconds = started.elapsed().as_secs_f64();
    // CPU time as well: on a busy machine the wall time says little.
    let cpu = match (cpu_seconds(), cpu_before) {
        (Some(after), Some(before)) => format!("{:.1} s", after - before),
        _ => "unknown".into(),
    };
    let cells = written.summary.cells.len();
    assert_eq!(cells, RATES * EPSILONS);
    println!(
        "report of {} runs ({cells} cells): {seconds:.1} s wall, {cpu} CPU, peak memory {} (CPU: {})",
        seeds * RATES * EPSILONS,
        peak_memory().map_or("unknown".into(), |kb| format!("{:.0} MB", kb as f64 / 1e3)),
        cpu_name()
    );
}

/// Writes `runs.jsonl` (in a scrambled order, as runs finish) and `scenario.json`; returns the
/// size of `runs.jsonl`.
fn write_folder(dir: &Path, seeds: usize) -> u64 {
    let template = synthetic_records::template();
    let total = RATES * EPSILONS * seeds;
    let file = std::fs::File::create(dir.join(store::RUNS)).expect("runs.jsonl");
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut bytes = 0u64;
    for k in 0..total {
        // A fixed permutation of the grid: stride coprime with the count.
        let rec = synthetic_records::record(&template, (k * 7_919) % total, seeds);
        let line = serde_json::to_string(&rec).expect("serializes") + "\n";
        bytes += line.len() as u64;
        out.write_all(line.as_bytes()).expect("written");
    }
    out.flush().expect("written");
    let manifest = Manifest {
        scenario: template.scenario.clone(),
        scenario_hash: template.scenario_hash.clone(),
        version: template.version.clone(),
        build: String::new(),
        arithmetic: Default::default(),
        shard: None,
        total_runs: total,
        grid_runs: total,
        scenario_path: String::new(),
        inputs: Default::default(),
        multiple_comparisons: Default::default(),
        figures: Default::default(),
    };
    store::write_manifest(dir, &manifest).expect("scenario.json");
    bytes
}

/// Resets the kernel's peak resident set of this process (Linux 4.0+), so the peak read after
/// the report is the report's own.
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set in kB (`VmHWM`), where /proc tells it.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU time of this process, where /proc tells it (fields 14 and 15 of
/// /proc/self/stat, in clock ticks of 1/100 s on Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|n| n.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
