//! `[selection]` through the binary: the validation winner from hand-built records, `report`
//! rebuilding `selected.csv` byte for byte, clean vs noisy validation without noise, the held-out
//! sizes, and scikit-learn's rounding of `test_fraction`.

use assert_cmd::Command;
use labelnoise::data;
use labelnoise::engine::record::RunRecord;
use labelnoise::scenario::spec::{DataSource, DatasetSpec};
use std::fs;
use std::path::Path;

fn labelnoise() -> Command {
    Command::cargo_bin("labelnoise").unwrap()
}

/// A hand-built record of `ce` at an l2, with its validation and test accuracy.
fn record(index: usize, seed: u64, l2: f64, val: f64, test: f64) -> String {
    let v = serde_json::json!({
        "id": format!("run{index}"), "index": index, "scenario": "hand", "scenario_hash": "0", "version": "0",
        "seed": seed,
        "axes": [["model.l2", l2]],
        "config": {
            "dataset": {"source": "blobs", "classes": 3, "features": 2, "separation": 1.0, "train": 10, "test": 10,
                        "test_fraction": 0.25, "standardize": true},
            "noise": {"kind": "symmetric", "rate": 0.2, "count": "exact", "include_true": false},
            "model": {"kind": "softmax", "l2": l2, "max_iter": 100, "tolerance": 1e-6, "optimizer": "lbfgs",
                      "history": 10, "trace": false, "trace_every": 1, "early_stopping": false,
                      "validation_fraction": 0.1, "patience": 10},
            "method": {"kind": "ce"}
        },
        "data": {"n_train": 8, "n_test": 10, "features": 2, "classes": 3, "class_names": ["0", "1", "2"]},
        "noise": {"noise_id": format!("n{seed}"), "flipped": 2, "rate": 0.2, "transitions": []},
        "metrics": {"test_accuracy": test},
        "optimizer": {"iterations": 1, "evaluations": 1, "grad_max": 0.0, "objective": 0.0,
                      "termination": "gradient_tolerance", "converged": true},
        "validation": {"mode": "noisy", "metric": "accuracy", "fraction": 0.2, "tune": ["model.l2"], "n": 2,
                       "accuracy": val, "nll": 1.0},
        "timing": {"fit_seconds": 0.0, "total_seconds": 0.0}
    });
    serde_json::from_value::<RunRecord>(v.clone()).expect("a valid record");
    v.to_string()
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|row| row.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name} in {header:?}"));
    &row[i]
}

#[test]
fn report_selects_the_validation_winner_from_records_and_lists_every_candidate() {
    let tmp = tempfile::tempdir().unwrap();
    // Seed 0: l2 = 0.01 wins on validation (0.5 > 0.25) though l2 = 1 wins on test.
    // Seed 1: l2 = 1 wins on validation (1 > 0.75).
    let lines = [
        record(0, 0, 0.01, 0.5, 0.6),
        record(1, 1, 0.01, 0.75, 0.7),
        record(2, 0, 1.0, 0.25, 0.9),
        record(3, 1, 1.0, 1.0, 0.8),
    ];
    fs::write(tmp.path().join("runs.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = labelnoise()
        .arg("report")
        .arg(tmp.path())
        .assert()
        .success();
    let printed = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        printed.contains("Selected on noisy validation labels by accuracy"),
        "{printed}"
    );
    let (header, rows) = csv_rows(&tmp.path().join("selected.csv"));
    assert_eq!(rows.len(), 2, "one row per repetition");
    let at = |seed: &str| rows.iter().find(|r| r[0] == seed).unwrap();
    assert_eq!(column(&header, at("0"), "model.l2"), "0.01");
    assert_eq!(column(&header, at("0"), "validation_score"), "0.5");
    assert_eq!(column(&header, at("0"), "test_accuracy"), "0.6");
    assert_eq!(
        column(&header, at("0"), "candidates"),
        "l2=0.01: 0.5; l2=1: 0.25"
    );
    assert_eq!(column(&header, at("1"), "model.l2"), "1");
    assert_eq!(
        column(&header, at("1"), "candidates"),
        "l2=0.01: 0.75; l2=1: 1"
    );
    // The best setting is chosen on validation: the mean validation accuracy ties at 0.625 for
    // both l2 values ((0.5 + 0.75)/2 and (0.25 + 1)/2), and the tie goes to the larger l2.
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("summary.json")).unwrap())
            .unwrap();
    let best = &json["best_by_test_accuracy"];
    assert_eq!(best.as_array().map(Vec::len), Some(1), "{best}");
    assert_eq!(best[0]["axes"][0][1], serde_json::json!(1.0), "{best}");
}

const TINY: &str =
    "seeds = 2\n[dataset]\nsource = \"blobs\"\nclasses = 3\nfeatures = 4\ntrain = 60\ntest = 40\n\
                    separation = 1.5\n[model]\nl2 = [1e-3, 1e-1]\n[[method]]\nkind = \"ce\"\n\
                    [[method]]\nkind = \"label_smoothing\"\nepsilon = [0.0, 0.2]\n";

fn run(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let file = dir.join(format!("{name}.toml"));
    fs::write(&file, format!("name = \"{name}\"\n{text}")).unwrap();
    let out = dir.join(name);
    let args = [
        Path::new("run"),
        &file,
        Path::new("--out"),
        &out,
        Path::new("-q"),
    ];
    labelnoise().args(args).assert().success();
    out
}

#[test]
fn run_and_report_write_the_same_selected_csv_and_hold_out_the_stated_share() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "{TINY}[noise]\nkind = \"symmetric\"\nrate = [0.0, 0.3]\n[selection]\ntune = [\"model.l2\", \"method.epsilon\"]\n"
    );
    let out = run(tmp.path(), "sel", &text);
    let written = fs::read(out.join("selected.csv")).unwrap();
    assert!(out.join("plots/selected.svg").is_file());
    fs::remove_file(out.join("selected.csv")).unwrap();
    labelnoise().arg("report").arg(&out).assert().success();
    assert_eq!(fs::read(out.join("selected.csv")).unwrap(), written);
    // 2 seeds × 2 rates × families ce and ls.
    let (header, rows) = csv_rows(&out.join("selected.csv"));
    assert_eq!(rows.len(), 8);
    assert_eq!(
        rows.iter()
            .filter(|r| column(&header, r, "is_baseline") == "true")
            .count(),
        4
    );
    // ⌈0.2·60⌉ = 12 of the 60 training samples are held out; 48 are fitted on.
    for line in fs::read_to_string(out.join("runs.jsonl")).unwrap().lines() {
        let rec: RunRecord = serde_json::from_str(line).unwrap();
        let v = rec.validation.expect("every run is scored on validation");
        assert_eq!((v.n, rec.data.n_train), (12, 48));
    }
}

#[test]
fn clean_validation_labels_without_noise_select_as_noisy_ones_do() {
    let tmp = tempfile::tempdir().unwrap();
    let tune = "tune = [\"model.l2\", \"method.epsilon\"]\n";
    let noisy = run(
        tmp.path(),
        "noisy",
        &format!("{TINY}[selection]\nvalidation = \"noisy\"\n{tune}"),
    );
    let clean = run(
        tmp.path(),
        "clean",
        &format!("{TINY}[selection]\nvalidation = \"clean\"\n{tune}"),
    );
    let (h1, a) = csv_rows(&noisy.join("selected.csv"));
    let (h2, b) = csv_rows(&clean.join("selected.csv"));
    assert_eq!(h1, h2);
    assert_eq!(a.len(), b.len());
    let mode = h1.iter().position(|h| h == "validation").unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((x[mode].as_str(), y[mode].as_str()), ("noisy", "clean"));
        let drop = |r: &[String]| -> Vec<String> {
            r.iter()
                .enumerate()
                .filter(|(i, _)| *i != mode)
                .map(|(_, v)| v.clone())
                .collect()
        };
        assert_eq!(drop(x), drop(y));
    }
}

/// scikit-learn's `train_test_split(test_size=0.3)` puts ⌈0.3·n⌉ samples in test: 540 of digits'
/// 1797, 54 of wine's 178.
#[test]
fn test_fraction_rounds_the_test_side_up_as_scikit_learn() {
    for (name, n_test, n_train) in [("digits", 540, 1257), ("wine", 54, 124)] {
        let spec = DatasetSpec {
            source: DataSource::Bundled {
                name: name.into(),
                binarize_threshold: None,
            },
            train: None,
            test: None,
            test_fraction: 0.3,
            standardize: true,
            noise_stream: Default::default(),
        };
        let ds = data::build(&spec, Path::new("."), 0).unwrap();
        assert_eq!(
            (ds.y_test.len(), ds.y_train.len()),
            (n_test, n_train),
            "{name}"
        );
    }
}
