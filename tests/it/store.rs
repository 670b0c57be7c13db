//! The results folder keeps what is not ours and what is ours: a user's folder is not overwritten, a
//! failed write leaves no temporary file and says its cause once, bad lines are refused on every
//! load and can be moved aside, changed inputs are refused, and a grown scenario keeps its runs.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

fn labelnoise() -> Command {
    Command::cargo_bin("labelnoise").unwrap()
}

const TINY: &str = "name = \"tiny\"\nseeds = 2\n[dataset]\ntrain = 40\ntest = 20\n[[method]]\nkind = \"label_smoothing\"\nepsilon = [0.0, 0.1]\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

/// Runs `file` into `out` with `extra` flags; returns (success, stdout, stderr).
fn run(file: &Path, out: &Path, extra: &[&str]) -> (bool, String, String) {
    let o = labelnoise()
        .arg("run")
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn lines(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("runs.jsonl"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn a_users_folder_is_refused_and_force_deletes_only_our_files() {
    let t = tempfile::tempdir().unwrap();
    let file = write(t.path(), "s.toml", TINY);
    let out = t.path().join("mine");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("summary.csv"), "my,own\n1,2\n").unwrap();
    fs::write(out.join("notes.txt"), "do not lose me").unwrap();
    let (ok, _, stderr) = run(&file, &out, &[]);
    assert!(!ok);
    assert!(
        stderr.contains(&out.display().to_string())
            && stderr.contains("not a results folder")
            && stderr.contains("notes.txt, summary.csv"),
        "{stderr}"
    );
    assert_eq!(names_in(&out), ["notes.txt", "summary.csv"]);
    assert_eq!(
        fs::read_to_string(out.join("summary.csv")).unwrap(),
        "my,own\n1,2\n"
    );

    let (ok, stdout, stderr) = run(&file, &out, &["--force"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("4 run(s): 4 trained now"), "{stdout}");
    assert!(
        stderr.contains("starting it afresh (deleting summary.csv)"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(out.join("notes.txt")).unwrap(),
        "do not lose me"
    );
    assert_eq!(lines(&out).len(), 4);
}

#[test]
fn a_failed_write_leaves_no_temporary_file_and_names_its_cause_once() {
    let t = tempfile::tempdir().unwrap();
    let file = write(t.path(), "s.toml", TINY);
    let out = t.path().join("out");
    assert!(run(&file, &out, &[]).0);
    // summary.csv replaced by a folder: the report's rename onto it fails.
    fs::remove_file(out.join("summary.csv")).unwrap();
    fs::create_dir(out.join("summary.csv")).unwrap();
    fs::write(out.join("summary.csv").join("x"), "x").unwrap();
    let o = labelnoise().arg("report").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("summary.csv"), "{stderr}");
    assert_eq!(stderr.matches("(os error").count(), 1, "{stderr}");
    assert!(
        names_in(&out).iter().all(|n| !n.contains(".tmp")),
        "{:?}",
        names_in(&out)
    );
}

fn report(dir: &Path) -> (bool, String, String) {
    let o = labelnoise().arg("report").arg(dir).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn set_lines(dir: &Path, lines: &[String]) {
    fs::write(dir.join("runs.jsonl"), lines.join("\n") + "\n").unwrap();
}

/// Line `i` of `good` with one field replaced.
fn edited(good: &[String], i: usize, key: &str, value: serde_json::Value) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&good[i]).unwrap();
    v[key] = value;
    v.to_string()
}

#[test]
fn foreign_repeated_and_out_of_grid_lines_are_refused_by_report_and_run() {
    let t = tempfile::tempdir().unwrap();
    let file = write(t.path(), "s.toml", TINY);
    let out = t.path().join("out");
    assert!(run(&file, &out, &[]).0);
    let good = lines(&out);
    let id1: serde_json::Value = serde_json::from_str(&good[1]).unwrap();
    let cases = [
        (
            good[1].clone(),
            format!(
                "runs.jsonl:5: run {} repeats line 2",
                id1["id"].as_str().unwrap()
            ),
        ),
        (
            edited(&good, 0, "scenario_hash", "0123456789abcdef".into()),
            "runs.jsonl:5: a record of scenario version 0123456789abcdef".to_string(),
        ),
        (
            edited(&good, 0, "scenario", "other".into()),
            "runs.jsonl:5: a record of scenario `other`".to_string(),
        ),
        (
            edited(&good, 0, "index", 4.into()),
            "runs.jsonl:5: grid index 4 is beyond the grid's 4 runs".to_string(),
        ),
    ];
    for (bad, message) in cases {
        let mut all = good.clone();
        all.push(bad);
        set_lines(&out, &all);
        let (ok, _, stderr) = report(&out);
        assert!(!ok && stderr.contains(&message), "{message}: {stderr}");
        assert!(stderr.contains("labelnoise repair"), "{stderr}");
        let (ok, _, stderr) = run(&file, &out, &[]);
        assert!(!ok && stderr.contains(&message), "{message}: {stderr}");
    }
    // A record with an id outside the grid but an index inside it: refused on resume.
    let mut all = good.clone();
    all[3] = edited(&good, 3, "id", "ffffffffffffffff".into());
    set_lines(&out, &all);
    let (ok, _, stderr) = run(&file, &out, &[]);
    assert!(
        !ok && stderr.contains("runs.jsonl:4: run ffffffffffffffff is not among the runs"),
        "{stderr}"
    );
}

#[test]
fn repair_moves_bad_lines_aside_and_keeps_the_rest() {
    let t = tempfile::tempdir().unwrap();
    let file = write(t.path(), "s.toml", TINY);
    let out = t.path().join("out");
    assert!(run(&file, &out, &[]).0);
    let good = lines(&out);
    let foreign = edited(&good, 0, "scenario_hash", "0123456789abcdef".into());
    // good0, garbage, good1, good2, repeat of good1, foreign, good3, torn tail
    let all = [
        good[0].clone(),
        "{\"id\": tor".to_string(),
        good[1].clone(),
        good[2].clone(),
        good[1].clone(),
        foreign,
        good[3].clone(),
    ];
    fs::write(out.join("runs.jsonl"), all.join("\n") + "\n{\"id\":").unwrap();
    assert!(!report(&out).0);

    let o = labelnoise().arg("repair").arg(&out).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}");
    assert!(
        stdout.contains("kept 4 record(s); moved 4 line(s)"),
        "{stdout}"
    );
    assert_eq!(lines(&out), good);
    let rejected: Vec<serde_json::Value> = fs::read_to_string(out.join("runs.rejected.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let numbers: Vec<u64> = rejected
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 5, 6, 8]);
    assert_eq!(rejected[0]["text"], "{\"id\": tor");
    assert_eq!(rejected[1]["text"].as_str().unwrap(), good[1]);

    assert!(report(&out).0);
    let (ok, stdout, _) = run(&file, &out, &[]);
    assert!(
        ok && stdout.contains("0 trained now, 4 already done"),
        "{stdout}"
    );
    // Nothing left to repair.
    let o = labelnoise().arg("repair").arg(&out).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("nothing to repair, all 4 record(s)"));
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A two-class CSV of 40 rows; `shift` moves class 1.
fn csv(shift: f64) -> String {
    let mut s = String::from("a,b,label\n");
    for i in 0..40 {
        let c = i % 2;
        let x = (i as f64 * 0.37).sin() + c as f64 * shift;
        let y = (i as f64 * 0.11).cos() - c as f64 * shift;
        s.push_str(&format!("{x:.4},{y:.4},{c}\n"));
    }
    s
}

const CSV_SCENARIO: &str = "name = \"fromcsv\"\nseeds = 2\n[dataset]\nsource = \"csv\"\npath = \"data/d.csv\"\ntest_fraction = 0.25\n";

#[test]
fn a_changed_data_file_is_refused_on_rerun_and_in_merge() {
    let t = tempfile::tempdir().unwrap();
    fs::create_dir(t.path().join("data")).unwrap();
    let data = t.path().join("data/d.csv");
    fs::write(&data, csv(1.0)).unwrap();
    let file = write(t.path(), "s.toml", CSV_SCENARIO);
    let out = t.path().join("out");
    assert!(run(&file, &out, &[]).0);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("scenario.json")).unwrap()).unwrap();
    let then = sha256_hex(csv(1.0).as_bytes());
    assert_eq!(manifest["inputs"]["data/d.csv"], then.as_str());
    let (ok, stdout, _) = run(&file, &out, &[]);
    assert!(
        ok && stdout.contains("0 trained now, 2 already done"),
        "{stdout}"
    );

    fs::write(&data, csv(2.0)).unwrap();
    let now = sha256_hex(csv(2.0).as_bytes());
    let (ok, _, stderr) = run(&file, &out, &[]);
    assert!(!ok);
    assert!(
        stderr.contains(&format!(
            "data/d.csv changed since these results were made (sha256 {then} then, {now} now)"
        )) && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        lines(&out).len(),
        2,
        "a refused run leaves the folder alone"
    );

    // Shards made from different data are not merged.
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    fs::write(&data, csv(1.0)).unwrap();
    assert!(run(&file, &a, &["--shard", "0/2"]).0);
    fs::write(&data, csv(2.0)).unwrap();
    assert!(run(&file, &b, &["--shard", "1/2"]).0);
    let o = labelnoise()
        .arg("merge")
        .arg(&a)
        .arg(&b)
        .arg("-o")
        .arg(t.path().join("all"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        stderr.contains("mixed input data") && stderr.contains(&then) && stderr.contains(&now),
        "{stderr}"
    );
}

/// Records without their wall-clock timing, sorted (runs are appended in completion order).
fn results(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = lines(dir)
        .iter()
        .map(|l| {
            let mut r: serde_json::Value = serde_json::from_str(l).unwrap();
            r.as_object_mut().unwrap().remove("timing");
            r.to_string()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_grown_scenario_keeps_its_runs_and_trains_only_the_new_ones() {
    let t = tempfile::tempdir().unwrap();
    let file = write(t.path(), "s.toml", TINY);
    let out = t.path().join("out");
    assert!(run(&file, &out, &[]).0);
    // One more seed and one more ε: 3 seeds × 3 methods = 9 runs, 4 of them stored.
    let grown = TINY
        .replace("seeds = 2", "seeds = 3")
        .replace("[0.0, 0.1]", "[0.0, 0.1, 0.2]");
    fs::write(&file, &grown).unwrap();
    let (ok, stdout, stderr) = run(&file, &out, &[]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("9 run(s): 5 trained now, 4 already done"),
        "{stdout}"
    );
    assert!(stderr.contains("from 4 to 9 runs"), "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let ns: Vec<u64> = summary["summary"]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["n"].as_u64().unwrap())
        .collect();
    assert_eq!(ns, [3, 3, 3]);
    // The grown folder holds what a fresh run of the grown scenario writes.
    let fresh = t.path().join("fresh");
    assert!(run(&file, &fresh, &[]).0);
    assert_eq!(results(&out), results(&fresh));
    for f in ["summary.csv", "summary.json", "scenario.json"] {
        let a = fs::read_to_string(out.join(f)).unwrap();
        let b = fs::read_to_string(fresh.join(f)).unwrap();
        assert_eq!(a, b.replace("fresh", "out"), "{f}");
    }

    // Changing an existing run's meaning (l2 of every run) is refused, and nothing is touched.
    let before = lines(&out);
    fs::write(&file, format!("{grown}[model]\nl2 = 0.01\n")).unwrap();
    let (ok, _, stderr) = run(&file, &out, &[]);
    assert!(!ok);
    assert!(
        stderr.contains("its file changed since")
            && stderr.contains("is not in the edited grid")
            && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(lines(&out), before);
    // So is a change of the calibration bins, which every stored ECE depends on.
    fs::write(&file, format!("{grown}[report]\nece_bins = 10\n")).unwrap();
    let (ok, _, stderr) = run(&file, &out, &[]);
    assert!(!ok && stderr.contains("ece_bins = 15"), "{stderr}");
}

#[test]
fn runs_of_another_build_are_refused_unless_allowed_and_then_marked() {
    let t = tempfile::tempdir().unwrap();
    let file = write(t.path(), "s.toml", TINY);
    let out = t.path().join("out");
    assert!(run(&file, &out, &[]).0);
    // The build id: the version and the executable's SHA-256, computed here independently.
    let exe = assert_cmd::cargo::cargo_bin("labelnoise");
    let build = format!(
        "{}+{}",
        env!("CARGO_PKG_VERSION"),
        &sha256_hex(&fs::read(exe).unwrap())[..16]
    );
    let manifest = fs::read_to_string(out.join("scenario.json")).unwrap();
    assert!(
        manifest.contains(&format!("\"build\": \"{build}\"")),
        "{manifest}"
    );
    let good = lines(&out);
    for l in &good {
        let r: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(r["build"], build.as_str());
    }
    // Pretend an older build made the folder and two of its runs are missing.
    let old = "0.0.1+0123456789abcdef";
    fs::write(out.join("scenario.json"), manifest.replace(&build, old)).unwrap();
    let kept: Vec<String> = good[..2].iter().map(|l| l.replace(&build, old)).collect();
    set_lines(&out, &kept);
    let (ok, _, stderr) = run(&file, &out, &[]);
    assert!(!ok);
    assert!(
        stderr.contains(&format!("build {old} made them, this is {build}"))
            && stderr.contains("--allow-other-build"),
        "{stderr}"
    );
    assert_eq!(lines(&out), kept);
    let (ok, stdout, stderr) = run(&file, &out, &["--allow-other-build"]);
    assert!(
        ok && stdout.contains("2 trained now, 2 already done"),
        "{stdout}{stderr}"
    );
    let mark = format!("mixed builds: {old} (2 runs), {build} (2 runs)");
    assert!(stderr.contains(&mark), "{stderr}");
    let (ok, stdout, stderr) = report(&out);
    assert!(ok && stderr.contains(&mark), "{stderr}");
    assert!(stdout.contains(&mark), "the table lacks the mark: {stdout}");
    for file in ["summary.md", "report.html"] {
        let body = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(body.contains(&mark), "{file} lacks the mark");
    }
}
