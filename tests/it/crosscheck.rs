//! The inputs and outputs of `scripts/crosscheck/cleanlab_check.py`: out-of-sample probabilities of
//! real fits on a few datasets, with what labelnoise's estimators and detection measures make of
//! them, written to `target/tmp/crosscheck/cases.json` for the script to recompute with cleanlab,
//! scikit-learn and a NumPy transcription of Patrini et al.'s anchor code. The test itself checks
//! the invariants every case must meet (calibrated rows sum to the label counts, T̂ rows sum to 1).

use labelnoise::engine::estimated::{cross_fitted, draw_inputs};
use labelnoise::estimate::{anchor, confident, rank};
use labelnoise::scenario::spec::{MethodSpec, RunSpec};
use serde_json::json;
use std::path::Path;

/// (name, [dataset] and [noise] lines) of each case.
const CASES: &[(&str, &str)] = &[
    (
        "k4_pairflip",
        "classes = 4\nfeatures = 10\ntrain = 1200\ntest = 10\nseparation = 1.0\n[noise]\nkind = \"pairflip\"\nrate = 0.3",
    ),
    (
        "k10_symmetric",
        "classes = 10\nfeatures = 20\ntrain = 3000\ntest = 10\nseparation = 0.8\n[noise]\nkind = \"symmetric\"\nrate = 0.4",
    ),
    (
        "k3_overlapping",
        "classes = 3\nfeatures = 2\ntrain = 900\ntest = 10\nseparation = 0.3\n[noise]\nkind = \"symmetric\"\nrate = 0.2",
    ),
    (
        "k2_large",
        "classes = 2\nfeatures = 5\ntrain = 20000\ntest = 10\nseparation = 1.0\n[noise]\nkind = \"asymmetric\"\nrate_pos = 0.3\nrate_neg = 0.1",
    ),
];

fn run_of(lines: &str) -> RunSpec {
    let text = format!("name = \"c\"\nseeds = 1\n[dataset]\n{lines}\n[model]\nl2 = 1e-3\n");
    labelnoise::scenario::parse(&text, "c.toml", Path::new("."))
        .unwrap()
        .runs()
        .remove(0)
}

#[test]
fn crosscheck_cases_are_written_and_consistent() {
    let mut cases = Vec::new();
    for (name, lines) in CASES {
        let run = run_of(lines);
        let (data, noisy) = draw_inputs(&run).unwrap();
        let probs = cross_fitted(&run, &data, &noisy, &MethodSpec::Ce, None, 5).unwrap();
        let y = &noisy.observed;
        let a = confident::analyze(probs.view(), y);
        let counts: Vec<usize> = (0..data.classes)
            .map(|k| y.iter().filter(|&&l| l == k).count())
            .collect();
        for (row, &n_k) in a.calibrated.iter().zip(&counts) {
            assert_eq!(row.iter().sum::<usize>(), n_k, "{name}");
        }
        for row in &a.transition {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{name}");
        }
        let self_confidence: Vec<f64> = (0..y.len()).map(|i| 1.0 - probs[[i, y[i]]]).collect();
        let wrong = &noisy.corrupted;
        let top = rank::top(&self_confidence, a.estimated_errors);
        cases.push(json!({
            "name": name,
            "probs": probs.outer_iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            "labels": y,
            "wrong": wrong,
            "thresholds": a.thresholds,
            "raw": a.raw,
            "calibrated": a.calibrated,
            "transition": a.transition,
            "estimated_errors": a.estimated_errors,
            "issues": (0..y.len()).filter(|&i| a.issues[i]).collect::<Vec<_>>(),
            "anchor_97": anchor::estimate(probs.view(), 97.0),
            "anchor_100": anchor::estimate(probs.view(), 100.0),
            "self_confidence": {
                "scores": self_confidence,
                "top": (0..y.len()).filter(|&i| top[i]).collect::<Vec<_>>(),
                "prf": rank::precision_recall_f1(&top, wrong),
                "auroc": rank::auroc(&self_confidence, wrong),
                "ap": rank::average_precision(&self_confidence, wrong),
            },
        }));
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("crosscheck");
    std::fs::create_dir_all(&dir).unwrap();
    let text = serde_json::to_string(&json!({ "cases": cases })).unwrap();
    std::fs::write(dir.join("cases.json"), text).unwrap();
}
