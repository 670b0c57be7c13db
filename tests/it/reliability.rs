//! Issue 13 through the real binary: results that used to be silently wrong, and hangs.

use assert_cmd::Command;
use std::path::Path;

fn labelnoise() -> Command {
    Command::cargo_bin("labelnoise").unwrap()
}

/// A 3-class CSV of 120 rows whose features are multiplied by `scale`, in `dir/d.csv` with its
/// scenario `dir/s.toml` (same relative path everywhere, so every folder draws the same split).
fn scaled_csv(dir: &Path, scale: f64) {
    let mut text = String::from("a,b,c,y\n");
    for i in 0..120u32 {
        let class = i % 3;
        // Deterministic, class-dependent features with a spread inside each class.
        let wobble = f64::from((i * 37) % 17) / 17.0 - 0.5;
        let row = [
            f64::from(class) + 1.3 * wobble,
            -f64::from(class) + 0.7 * wobble.sin(),
            wobble * wobble,
        ];
        let cells: Vec<String> = row.iter().map(|v| format!("{:e}", v * scale)).collect();
        text += &format!("{},{class}\n", cells.join(","));
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("d.csv"), text).unwrap();
    std::fs::write(
        dir.join("s.toml"),
        "name = \"scaled\"\nseeds = 2\n[dataset]\nsource = \"csv\"\npath = \"d.csv\"\nlabel = \"y\"\n\
         [model]\nl2 = 1e-3\n",
    )
    .unwrap();
}

fn metric(runs: &str, name: &str) -> Vec<f64> {
    let mut values: Vec<(u64, f64)> = runs
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["seed"].as_u64().unwrap(),
                v["metrics"][name].as_f64().unwrap(),
            )
        })
        .collect();
    values.sort_by_key(|v| v.0);
    values.into_iter().map(|(_, v)| v).collect()
}

/// Standardization is scale invariant, so features scaled by 1e300 or 1e-300 must give the
/// unscaled fit (they used to overflow or read as constant: chance accuracy, |W| = 0).
#[test]
fn features_at_extreme_scales_train_like_unscaled_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let fit = |scale: f64| {
        let dir = tmp.path().join(format!("s{scale:e}"));
        scaled_csv(&dir, scale);
        labelnoise()
            .arg("run")
            .arg(dir.join("s.toml"))
            .args(["--quiet", "--out"])
            .arg(dir.join("out"))
            .assert()
            .success();
        std::fs::read_to_string(dir.join("out/runs.jsonl")).unwrap()
    };
    let reference = fit(1.0);
    let accuracy = metric(&reference, "test_accuracy");
    let norm = metric(&reference, "weight_norm");
    assert!(accuracy.iter().all(|&a| a > 0.5), "unscaled: {accuracy:?}");
    for scale in [1e300, 1e154, 1e-160, 1e-300] {
        let runs = fit(scale);
        assert_eq!(metric(&runs, "test_accuracy"), accuracy, "scale {scale:e}");
        for (a, b) in metric(&runs, "weight_norm").iter().zip(&norm) {
            assert!((a - b).abs() < 1e-9 * b, "scale {scale:e}: |W| {a} vs {b}");
        }
    }
}

/// A huge thread count is clamped (it used to spawn ~10,000 threads and ignore signals).
#[test]
fn a_huge_thread_count_is_clamped() {
    let tmp = tempfile::tempdir().unwrap();
    scaled_csv(tmp.path(), 1.0);
    let assert = labelnoise()
        .arg("run")
        .arg(tmp.path().join("s.toml"))
        .args(["--quiet", "--threads", "100000", "--out"])
        .arg(tmp.path().join("out"))
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr);
    let cores = std::thread::available_parallelism().unwrap().get();
    assert!(
        stderr.contains(&format!("--threads 100000 clamped to {}", 4 * cores)),
        "{stderr}"
    );
}

/// `check FILE` and everything it prints, with the exit code.
fn check(path: &Path) -> (i32, String) {
    let out = labelnoise().arg("check").arg(path).output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap(), text)
}

#[test]
fn scenario_files_that_are_not_small_regular_files_are_refused_by_what_they_are() {
    let (code, text) = check(Path::new("/dev/zero"));
    assert_eq!(code, 2);
    assert!(
        text.contains("it is a character device, not a regular file"),
        "{text}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.toml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(17 << 20).unwrap();
    let (code, text) = check(&big);
    assert_eq!(code, 2);
    assert!(text.contains("larger than 16 MiB"), "{text}");
}

#[test]
fn names_are_checked_for_type_length_and_control_characters() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, format!("{body}\n[dataset]\n")).unwrap();
        p
    };
    let (code, text) = check(&write("table.toml", "name = {x = 1}"));
    assert_eq!(code, 2);
    assert!(text.contains("`name` must be a string"), "{text}");
    assert!(!text.contains("needs a `name`"), "{text}");
    assert!(text.contains("1 problem in scenario"), "{text}");

    let long = "a".repeat(300);
    let (code, text) = check(&write("long.toml", &format!("name = \"{long}\"")));
    assert_eq!(code, 2);
    assert!(text.contains("name is 300 characters long"), "{text}");

    // A TOML escape puts a real ESC into the name; a raw one in the source is shown as `?`.
    let (code, text) = check(&write("esc.toml", "name = \"a\\u001b[31mred\""));
    assert_eq!(code, 2);
    assert!(
        !text.contains('\u{1b}'),
        "a raw escape reached the terminal: {text:?}"
    );
    assert!(text.contains("a\\u{1b}[31mred"), "{text}");
    let (code, text) = check(&write("raw.toml", "name = \"a\u{1b}[31mred\""));
    assert_eq!(code, 2);
    assert!(
        !text.contains('\u{1b}'),
        "a raw escape reached the terminal: {text:?}"
    );
}

#[test]
fn a_data_path_that_is_a_device_says_what_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("dev.toml");
    std::fs::write(
        &scenario,
        "name = \"dev\"\n[dataset]\nsource = \"csv\"\npath = \"/dev/zero\"\n",
    )
    .unwrap();
    let (code, text) = check(&scenario);
    assert_eq!(code, 2);
    assert!(
        text.contains("/dev/zero is a character device, not a regular file"),
        "{text}"
    );
}

/// A data file that cannot be loaded is refused by `run` and `plan` as `check` refuses it: at the
/// scenario key, exit code 2, before the results folder exists; once fixed, the run goes through.
#[test]
fn bad_data_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    scaled_csv(tmp.path(), 1.0);
    let csv = tmp.path().join("d.csv");
    let good = std::fs::read_to_string(&csv).unwrap();
    // The first data row's first feature becomes NaN (line 2 of the file).
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    let rest = lines[1].split_once(',').unwrap().1.to_string();
    lines[1] = format!("nan,{rest}");
    let bad = lines.join("\n") + "\n";
    std::fs::write(&csv, &bad).unwrap();
    let out = tmp.path().join("out");
    let scenario = tmp.path().join("s.toml");
    for command in ["run", "plan", "check"] {
        let mut cmd = labelnoise();
        cmd.arg(command).arg(&scenario);
        if command == "run" {
            cmd.arg("--out").arg(&out);
        }
        let result = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{command}: {text}");
        assert!(text.contains("s.toml:5:8"), "{command}: {text}");
        assert!(text.contains("d.csv:2"), "{command}: {text}");
    }
    assert!(!out.exists(), "run wrote {} before refusing", out.display());
    std::fs::write(&csv, &good).unwrap();
    labelnoise()
        .arg("run")
        .arg(&scenario)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
}

/// A folder holding fewer runs than its grid says so in every table and in report.html.
#[test]
fn a_partial_folder_is_marked_partial() {
    let tmp = tempfile::tempdir().unwrap();
    scaled_csv(tmp.path(), 1.0);
    let out = tmp.path().join("out");
    labelnoise()
        .arg("run")
        .arg(tmp.path().join("s.toml"))
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let runs = out.join("runs.jsonl");
    let text = std::fs::read_to_string(&runs).unwrap();
    let total = text.lines().count();
    assert_eq!(total, 2, "two seeds, one cell");
    let complete = labelnoise().arg("report").arg(&out).output().unwrap();
    assert!(!String::from_utf8_lossy(&complete.stdout).contains("partial"));
    let first = text.lines().next().unwrap().to_string() + "\n";
    std::fs::write(&runs, first).unwrap();
    let partial = labelnoise().arg("report").arg(&out).output().unwrap();
    assert!(partial.status.success());
    let note = format!("partial: 1 of {total} runs");
    assert!(String::from_utf8_lossy(&partial.stdout).contains(&note));
    for file in ["summary.md", "report.html"] {
        let body = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(body.contains(&note), "{file} lacks the partial note");
    }
}
