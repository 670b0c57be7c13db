//! A diverged fit writes NaN/±∞ metrics as `null` (issue 13, item 5): the folder stays readable
//! (`run` again skips, `report` rebuilds), and the summaries count the non-finite runs per metric
//! instead of averaging them.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const SCENARIO: &str = "name = \"diverges\"\nseeds = 2\n[dataset]\nsource = \"blobs\"\nclasses = 3\n\
    features = 4\ntrain = 90\ntest = 30\n[model]\noptimizer = \"sgd\"\nlearning_rate = 1e20\n\
    momentum = 0.99\nepochs = 5\n[[method]]\nkind = \"ce\"\n[[method]]\nkind = \"label_smoothing\"\n\
    epsilon = 0.1\n";

fn labelnoise(args: &[&str], path: &Path) -> String {
    let out = Command::cargo_bin("labelnoise")
        .unwrap()
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?} failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Per metric, how many lines of `runs.jsonl` hold `null` for it, read from the raw JSON.
fn nulls_per_metric(runs: &str) -> BTreeMap<String, usize> {
    let mut nulls = BTreeMap::new();
    for line in runs.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for (name, value) in v["metrics"].as_object().unwrap() {
            if value.is_null() {
                *nulls.entry(name.clone()).or_insert(0) += 1;
            }
        }
    }
    nulls
}

#[test]
fn a_diverged_run_reruns_and_reports_and_its_non_finite_metrics_are_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    fs::write(&file, SCENARIO).unwrap();
    let out = tmp.path().join("out");
    let out_arg = out.to_str().unwrap();
    let first = labelnoise(&["run", "--out", out_arg], &file);
    let runs = fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert_eq!(runs.lines().count(), 4);
    let nulls = nulls_per_metric(&runs);
    assert!(!nulls.is_empty(), "the scenario no longer diverges: {runs}");

    // Run again: every run is read back and skipped, nothing is rewritten.
    let again = labelnoise(&["run", "--out", out_arg], &file);
    assert!(again.contains("0 trained now, 4 already done"), "{again}");
    assert_eq!(fs::read_to_string(out.join("runs.jsonl")).unwrap(), runs);
    let summary_csv = fs::read_to_string(out.join("summary.csv")).unwrap();
    let report = labelnoise(&["report"], &out);
    assert_eq!(
        fs::read_to_string(out.join("summary.csv")).unwrap(),
        summary_csv
    );

    // Every table says which metrics were non-finite in how many of the 4 runs.
    let note_of = |text: &str| {
        let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
        nulls
            .iter()
            .all(|(m, n)| joined.contains(&format!("{m} in {n} of 4 runs")))
    };
    assert!(note_of(&first) && note_of(&report), "{report}");
    assert!(note_of(
        &fs::read_to_string(out.join("summary.md")).unwrap()
    ));

    // summary.csv: one count column per such metric, summing to the nulls of runs.jsonl.
    let mut r = csv::Reader::from_reader(summary_csv.as_bytes());
    let header = r.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    for (m, n) in &nulls {
        let col = header
            .iter()
            .position(|h| h == format!("{m}_non_finite"))
            .unwrap_or_else(|| panic!("no {m}_non_finite column: {header:?}"));
        let sum: usize = rows
            .iter()
            .map(|row| row[col].parse::<usize>().unwrap())
            .sum();
        assert_eq!(sum, *n, "{m}");
    }
    let count_columns = header.iter().filter(|h| h.ends_with("_non_finite")).count();
    assert_eq!(count_columns, nulls.len());

    // summary.json: the same counts, per cell.
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for (m, n) in &nulls {
        let sum: u64 = json["summary"]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["non_finite"][m].as_u64())
            .sum();
        assert_eq!(sum, *n as u64, "{m}");
    }
}

/// Finite runs write no count column and no note (outputs of converging grids are unchanged).
#[test]
fn finite_runs_have_no_non_finite_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    fs::write(
        &file,
        SCENARIO.replace("1e20", "0.1").replace("0.99", "0.5"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let text = labelnoise(&["run", "--out", out.to_str().unwrap()], &file);
    assert!(!text.contains("non-finite"), "{text}");
    let runs = fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert!(nulls_per_metric(&runs).is_empty());
    let csv = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(!csv.contains("_non_finite"));
    assert!(!fs::read_to_string(out.join("summary.json"))
        .unwrap()
        .contains("non_finite"));
}
