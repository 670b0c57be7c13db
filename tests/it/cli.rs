//! End to end through the real binary.

use assert_cmd::Command;
use std::path::Path;

fn labelnoise() -> Command {
    Command::cargo_bin("labelnoise").unwrap()
}

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn quickstart_runs_and_writes_the_documented_files() {
    let out = tempfile::tempdir().unwrap();
    let assert = labelnoise()
        .args(["run", &scenario("quickstart.toml"), "--out"])
        .arg(out.path())
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        stdout.contains("Best by test accuracy per rate: best on test (optimistic"),
        "{stdout}"
    );
    assert!(stdout.contains("27 run(s): 27 trained now"), "{stdout}");

    let runs = std::fs::read_to_string(out.path().join("runs.jsonl")).unwrap();
    assert_eq!(runs.lines().count(), 27);
    for line in runs.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in [
            "test_accuracy",
            "test_nll",
            "train_loss_clean",
            "weight_norm",
            "logit_gap",
            "flipped",
        ] {
            assert!(
                v["metrics"][key].is_number(),
                "metric {key} missing in {line}"
            );
        }
        let rate = v["config"]["noise"]["rate"].as_f64().unwrap();
        // Exact counting: round(rate · n_train) flips.
        assert_eq!(
            v["metrics"]["flipped"].as_f64().unwrap(),
            (rate * 2000.0).round()
        );
        assert!(v["optimizer"]["termination"].is_string());
    }

    let csv = std::fs::read_to_string(out.path().join("summary.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for col in [
        "noise.rate",
        "method.epsilon",
        "n",
        "test_accuracy_mean",
        "test_accuracy_std",
        "test_nll_mean",
        "train_loss_corrupted_mean",
        "train_loss_clean_mean",
        "weight_norm_mean",
        "logit_gap_mean",
        "flipped_mean",
        "delta_test_accuracy_mean",
    ] {
        assert!(
            header.contains(&col),
            "column {col} missing from {header:?}"
        );
    }
    // 3 rates × 3 ε cells, each over 3 seeds.
    assert_eq!(csv.lines().count(), 1 + 9);
    let n_col = header.iter().position(|c| *c == "n").unwrap();
    for line in csv.lines().skip(1) {
        assert_eq!(line.split(',').nth(n_col), Some("3"));
    }
}

#[test]
fn plan_prints_the_grid_without_training() {
    let out = labelnoise()
        .args(["plan", &scenario("quickstart.toml")])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("runs: 27"), "{text}");
    assert!(text.contains("noise.rate: 0, 0.2, 0.4"), "{text}");
    assert!(text.contains("method.epsilon: 0, 0.1, 0.2"), "{text}");
    assert!(text.contains("l2 = 0.0001"), "defaults shown: {text}");
}

#[test]
fn a_bad_scenario_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "name = \"x\"\n[dataset]\nsource = \"blobs\"\n[noise]\nrat = 0.2\n",
    )
    .unwrap();
    let out = labelnoise().arg("check").arg(&path).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("bad.toml:5:1"), "{err}");
    assert!(err.contains("noise.rat"), "{err}");
    assert!(err.contains("did you mean `rate`?"), "{err}");
}

#[test]
fn hard_targets_on_separable_data_are_never_reported_converged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sep.toml");
    std::fs::write(
        &path,
        "name = \"sep\"\nseeds = 2\n[dataset]\nsource = \"blobs\"\nclasses = 3\nfeatures = 5\n\
         train = 200\ntest = 50\nseparation = 30.0\n[model]\nl2 = 0.0\n\
         [[method]]\nkind = \"label_smoothing\"\nepsilon = [0.0, 0.1]\n",
    )
    .unwrap();
    labelnoise()
        .args(["run", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .assert()
        .success();
    let runs = std::fs::read_to_string(dir.path().join("out/runs.jsonl")).unwrap();
    for line in runs.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let eps = v["config"]["method"]["epsilon"].as_f64().unwrap();
        let m = &v["metrics"];
        // Far-apart blobs are separable: with ε = 0 and no penalty there is no finite optimum.
        assert_eq!(m["train_accuracy_observed"].as_f64(), Some(1.0), "{line}");
        let unbounded = eps == 0.0;
        assert_eq!(
            m["no_finite_optimum"].as_f64(),
            Some(f64::from(u8::from(unbounded))),
            "{line}"
        );
        assert_eq!(
            v["optimizer"]["converged"].as_bool(),
            Some(!unbounded),
            "{line}"
        );
    }
}

/// A bad `--shard` stops before anything is written, and says the flag, the value given and what
/// is allowed (shards are numbered 0..N).
#[test]
fn bad_shard_flags_are_refused_with_the_value_and_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (given, says) in [
        ("4/4", "shard 4/4 does not exist: need 0 ≤ I < N"),
        ("2/0", "shard 2/0 does not exist: need 0 ≤ I < N"),
        (
            "x/4",
            "I is not a whole number (expected I/N, e.g. 0/4, or `slurm`)",
        ),
        ("3", "expected I/N, e.g. 0/4, or `slurm`"),
    ] {
        let o = labelnoise()
            .args([
                "run",
                &scenario("quickstart.toml"),
                "--quiet",
                "--shard",
                given,
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "--shard {given}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        let prefix = format!("Error: --shard `{given}`: ");
        assert!(
            stderr.starts_with(&prefix) && stderr.contains(says) && stderr.lines().count() == 1,
            "--shard {given}: {stderr}"
        );
        assert!(!out.exists(), "--shard {given} wrote {}", out.display());
    }
}
