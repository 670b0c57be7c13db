//! The notebook files (`runs.csv`, `trace.csv`, `summary_long.csv`) through the real binary: their
//! columns and types, one row per record with the record's values, agreement with the wide
//! `summary.csv`, and `report` rebuilding them byte for byte.

use assert_cmd::Command;
use labelnoise::metrics::Metric;
use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// Two bundled datasets × two nominal rates × (ce, ls ε = 0.1) × 2 seeds = 16 runs with traces.
pub const SCENARIO: &str = r#"name = "nb"
seeds = 2
[[dataset]]
source = "iris"
[[dataset]]
source = "wine"
[noise]
kind = "symmetric"
rate = [0.0, 0.3]
[model]
kind = "softmax"
trace = true
max_iter = 20
[[method]]
kind = "ce"
[[method]]
kind = "label_smoothing"
epsilon = 0.1
"#;

/// Runs the scenario into `dir/out` and returns that folder.
fn run(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("nb.toml");
    fs::write(&file, SCENARIO).unwrap();
    let out = dir.join("out");
    Command::cargo_bin("labelnoise")
        .unwrap()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--threads", "2"])
        .assert()
        .success();
    out
}

fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = ::csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|row| row.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn records(dir: &Path) -> Vec<Value> {
    fs::read_to_string(dir.join("runs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A field that must be a number, or empty for a missing or non-finite value.
fn float(field: &str) -> Option<f64> {
    (!field.is_empty()).then(|| {
        field
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("`{field}` is not a number"))
    })
}

/// The summary's axis columns: those of summary.csv before `method`.
fn summary_axes(dir: &Path) -> Vec<String> {
    let (header, _) = csv(&dir.join("summary.csv"));
    header.into_iter().take_while(|h| h != "method").collect()
}

#[test]
fn runs_csv_has_one_row_per_record_with_the_records_values() {
    let t = tempfile::tempdir().unwrap();
    let out = run(t.path());
    let recs = records(&out);
    let (header, rows) = csv(&out.join("runs.csv"));
    assert_eq!(rows.len(), recs.len(), "one row per runs.jsonl line");
    assert_eq!(rows.len(), 16);

    // Columns: run, the summary's axes (the dataset axis under the key users write), the method,
    // the nominal rate as its axis, then data columns and every metric (realized rate `flip_rate`).
    let axes = summary_axes(&out);
    assert_eq!(
        axes,
        [
            "dataset.source",
            "noise.rate",
            "method.kind",
            "method.epsilon",
            "method.style"
        ]
    );
    let mut expected: Vec<String> = ["id", "index", "seed"].map(String::from).into();
    expected.extend(axes.iter().cloned());
    expected.extend(["method", "noise_id", "n_train", "n_test", "classes"].map(String::from));
    assert_eq!(header[..expected.len()], expected[..]);
    let metric_columns = &header[expected.len()..];
    assert!(metric_columns
        .iter()
        .all(|c| Metric::from_name(c).is_some()));
    for m in ["test_accuracy", "flip_rate", "memorized", "weight_norm"] {
        assert!(metric_columns.iter().any(|c| c == m), "{m} missing");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();

    let by_id: HashMap<&str, &Value> = recs
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    let mut previous = (0, String::new());
    for row in &rows {
        let rec = by_id[row[col("id")].as_str()];
        let index: u64 = row[col("index")].parse().unwrap();
        assert_eq!(index, rec["index"].as_u64().unwrap());
        assert_eq!(row[col("seed")], rec["seed"].to_string());
        // Grid order: index, then id.
        let key = (index, row[col("id")].clone());
        assert!(key >= previous, "rows out of grid order at {key:?}");
        previous = key;
        for m in metric_columns {
            let stored = rec["metrics"].get(m.as_str()).and_then(Value::as_f64);
            assert_eq!(float(&row[col(m)]), stored, "{m} of {}", row[0]);
        }
        // The nominal rate is the scenario's; the realized one counts the flipped labels.
        let nominal = float(&row[col("noise.rate")]).unwrap();
        assert_eq!(nominal, rec["config"]["noise"]["rate"].as_f64().unwrap());
        let flipped = rec["noise"]["flipped"].as_f64().unwrap();
        let n_train: f64 = row[col("n_train")].parse().unwrap();
        assert_eq!(float(&row[col("flip_rate")]).unwrap(), flipped / n_train);
        if nominal == 0.0 {
            assert_eq!(flipped, 0.0);
        } else {
            assert!(flipped > 0.0);
        }
        let method = &row[col("method")];
        let kind = rec["config"]["method"]["kind"].as_str().unwrap();
        assert_eq!(method, if kind == "ce" { "ce" } else { "ls ε=0.1" });
        assert_eq!(row[col("method.kind")], kind);
        assert!(["iris", "wine"].contains(&row[col("dataset.source")].as_str()));
    }
}

#[test]
fn trace_csv_has_a_row_per_run_step_and_recorded_quantity() {
    let t = tempfile::tempdir().unwrap();
    let out = run(t.path());
    let recs = records(&out);
    let (header, rows) = csv(&out.join("trace.csv"));
    let n = header.len();
    assert_eq!(header[n - 3..], ["step", "quantity", "value"]);
    assert_eq!(header[..3], ["id", "index", "seed"]);
    assert_eq!(header[3..n - 4], summary_axes(&out)[..]);
    assert_eq!(header[n - 4], "method");

    // Every non-null quantity of every trace point, and nothing else.
    let mut expected: HashMap<(String, u64, String), Option<f64>> = HashMap::new();
    for r in &recs {
        for p in r["trace"].as_array().unwrap() {
            for (q, v) in p.as_object().unwrap() {
                if q == "step" || v.is_null() {
                    continue;
                }
                let key = (
                    r["id"].as_str().unwrap().to_string(),
                    p["step"].as_u64().unwrap(),
                    q.clone(),
                );
                expected.insert(key, v.as_f64());
            }
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(rows.len(), expected.len());
    for row in &rows {
        let key = (
            row[0].clone(),
            row[n - 3].parse().unwrap(),
            row[n - 2].clone(),
        );
        assert_eq!(float(&row[n - 1]), expected[&key], "{key:?}");
    }
}

#[test]
fn summary_long_holds_the_wide_summarys_numbers() {
    let t = tempfile::tempdir().unwrap();
    let out = run(t.path());
    let (wide_header, wide) = csv(&out.join("summary.csv"));
    let (header, long) = csv(&out.join("summary_long.csv"));
    let axes = summary_axes(&out);
    let k = axes.len();
    assert_eq!(header[..k], axes[..]);
    assert_eq!(
        header[k..],
        [
            "method",
            "is_baseline",
            "paired_against",
            "metric",
            "statistic",
            "value"
        ]
    );
    let mut value: HashMap<(Vec<String>, String, String), String> = HashMap::new();
    for row in &long {
        let key = (row[..=k].to_vec(), row[k + 3].clone(), row[k + 4].clone());
        assert!(
            value.insert(key, row[k + 5].clone()).is_none(),
            "a repeated row"
        );
        float(&row[k + 5]);
    }
    let col = |name: &str| wide_header.iter().position(|h| h == name).unwrap();
    let mut compared = 0;
    for row in &wide {
        let cell = row[..=k].to_vec();
        let get = |m: &str, s: &str| value.get(&(cell.clone(), m.to_string(), s.to_string()));
        assert_eq!(get("test_accuracy", "n"), Some(&row[col("n")]));
        for m in ["test_accuracy", "test_ece", "weight_norm"] {
            for (wide_suffix, statistic) in [
                ("_mean", "mean"),
                ("_std", "std"),
                ("_ci95_low", "ci95_low"),
                ("_ci95_high", "ci95_high"),
            ] {
                assert_eq!(
                    get(m, statistic),
                    Some(&row[col(&format!("{m}{wide_suffix}"))])
                );
                compared += 1;
            }
            let delta = &row[col(&format!("delta_{m}_mean"))];
            if !delta.is_empty() {
                assert_eq!(get(m, "delta_mean"), Some(delta));
                compared += 1;
            }
        }
    }
    // 8 cells × 3 metrics × 4 statistics, and the ε = 0.1 cells' differences against ce.
    assert_eq!(compared, 8 * 3 * 4 + 4 * 3);
}

#[test]
fn report_rebuilds_the_notebook_files_byte_for_byte() {
    let t = tempfile::tempdir().unwrap();
    let out = run(t.path());
    let files = ["runs.csv", "trace.csv", "summary_long.csv", "report.html"];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| fs::read(out.join(f)).unwrap())
        .collect();
    for f in files {
        fs::remove_file(out.join(f)).unwrap();
    }
    Command::cargo_bin("labelnoise")
        .unwrap()
        .arg("report")
        .arg(&out)
        .assert()
        .success();
    for (f, bytes) in files.iter().zip(before) {
        assert_eq!(fs::read(out.join(f)).unwrap(), bytes, "{f} differs");
    }
}
