//! Nothing is lost: a results folder that cannot be written, or whose disk is too small for what
//! the runs will write, is refused before any training, with a message naming the folder.

use assert_cmd::Command;
use labelnoise::engine::preflight::{self, estimate_bytes};
use labelnoise::scenario;
use std::fs;
use std::path::{Path, PathBuf};

fn labelnoise() -> Command {
    Command::cargo_bin("labelnoise").unwrap()
}

fn write_scenario(dir: &Path, text: &str) -> PathBuf {
    let file = dir.join("s.toml");
    fs::write(&file, text).unwrap();
    file
}

fn size_of(path: &Path) -> u64 {
    if path.is_dir() {
        fs::read_dir(path)
            .unwrap()
            .map(|e| size_of(&e.unwrap().path()))
            .sum()
    } else {
        fs::metadata(path).unwrap().len()
    }
}

/// A folder this process cannot write in, even as root: a read-only copy where permissions bind,
/// else sysfs, which refuses new files to everyone.
fn unwritable_folder(tmp: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let ro = tmp.join("read-only");
    fs::create_dir(&ro).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(ro.join("t"), "x").is_err() {
        return ro;
    }
    let _ = fs::remove_file(ro.join("t"));
    let sys = PathBuf::from("/sys/kernel");
    assert!(
        fs::write(sys.join("labelnoise-probe"), "x").is_err(),
        "no unwritable folder to test with"
    );
    sys
}

#[test]
fn a_read_only_folder_is_refused_before_training() {
    let tmp = tempfile::tempdir().unwrap();
    let ro = unwritable_folder(tmp.path());
    let file = write_scenario(
        tmp.path(),
        "name = \"p\"\nseeds = 1\n[dataset]\ntrain = 50\ntest = 20\n",
    );
    let out = labelnoise()
        .arg("run")
        .arg(&file)
        .arg("--quiet")
        .arg("--out")
        .arg(&ro)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "cannot write in the results folder {}",
            ro.display()
        )),
        "{stderr}"
    );
    assert!(!ro.join("runs.jsonl").exists());
}

#[test]
fn a_path_through_a_file_is_refused_with_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("plain"), "x").unwrap();
    let target = tmp.path().join("plain").join("results");
    let file = write_scenario(
        tmp.path(),
        "name = \"p\"\nseeds = 1\n[dataset]\ntrain = 50\ntest = 20\n",
    );
    let out = labelnoise()
        .arg("run")
        .arg(&file)
        .arg("--quiet")
        .arg("--out")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "cannot create the results folder {}",
            target.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_disk_too_small_for_the_grid_is_refused_before_training() {
    // 100 000 noise draws, each flipping about half of 5·10^8 training labels: the sidecars alone
    // hold some 10^14 flipped ids, more than any disk here. Validation accepts the scenario (each
    // dataset is within the size limit), so only the space check can stop it, before any data
    // is generated.
    let tmp = tempfile::tempdir().unwrap();
    let file = write_scenario(
        tmp.path(),
        "name = \"huge\"\nseeds = 100000\n[dataset]\nclasses = 2\nfeatures = 1\ntrain = 500000000\ntest = 1\n\
         [noise]\nkind = \"symmetric\"\nrate = 0.5\n",
    );
    let out_dir = tmp.path().join("results");
    let out = labelnoise()
        .arg("run")
        .arg(&file)
        .arg("--quiet")
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("the results folder {} has ", out_dir.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("but these 100000 run(s) need about"),
        "{stderr}"
    );
    assert!(!out_dir.join("runs.jsonl").exists());
    assert!(!out_dir.join("scenario.json").exists());
}

#[test]
fn the_estimate_bounds_what_a_run_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("results");
    labelnoise()
        .args(["run", "scenarios/quickstart.toml", "--quiet", "--out"])
        .arg(&out_dir)
        .assert()
        .success();
    let s = scenario::load(Path::new("scenarios/quickstart.toml")).unwrap();
    let parts = preflight::estimate_parts(&s.runs());
    let records = size_of(&out_dir.join("runs.jsonl"));
    let sidecars = size_of(&out_dir.join("noise"));
    let summaries: u64 = ["summary.csv", "summary.md", "summary.json"]
        .iter()
        .map(|f| size_of(&out_dir.join(f)))
        .sum();
    // Upper bounds, and not wildly so (within 10×).
    for (what, estimated, actual) in [
        ("records", parts.records, records),
        ("sidecars", parts.sidecars, sidecars),
        ("summaries", parts.summaries, summaries),
    ] {
        assert!(
            estimated >= actual && estimated <= 10 * actual,
            "{what}: estimated {estimated}, wrote {actual}"
        );
    }
    assert!(estimate_bytes(&s.runs()) >= size_of(&out_dir));
    // A finished folder needs nothing more.
    let again = preflight::check(&out_dir, &s, None, false).unwrap();
    assert_eq!(again.pending, 0);
}
