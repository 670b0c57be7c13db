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
        .arg("--quiet")
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
