//! `LABELNOISE_KERNEL` through the binary: a bad name is refused before anything is written, the
//! unfused kernel fits like the fused ones (same iterations and accuracies, objectives within
//! rounding), its folder records the arithmetic, and runs of the other arithmetic are refused on
//! resume and merge (with how to pin the folder's).

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const SCENARIO: &str = "name = \"arith\"\nseeds = 2\n[dataset]\nclasses = 4\nfeatures = 8\ntrain = 400\ntest = 200\n[[method]]\nkind = \"label_smoothing\"\nepsilon = [0.0, 0.1]\n[[method]]\nkind = \"gce\"\nq = 0.7\n";

/// `labelnoise run FILE --out OUT EXTRA` with `LABELNOISE_KERNEL` set to `kernel` (or unset):
/// (success, stderr).
fn run(file: &Path, out: &Path, kernel: Option<&str>, extra: &[&str]) -> (bool, String) {
    let mut cmd = Command::cargo_bin("labelnoise").unwrap();
    cmd.env_remove("LABELNOISE_KERNEL");
    if let Some(k) = kernel {
        cmd.env("LABELNOISE_KERNEL", k);
    }
    let o = cmd
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
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// The records of a folder by run id.
fn records(dir: &Path) -> BTreeMap<String, Value> {
    fs::read_to_string(dir.join("runs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn an_unknown_kernel_is_refused_with_the_allowed_names_before_anything_is_written() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("s.toml");
    fs::write(&file, SCENARIO).unwrap();
    let out = t.path().join("out");
    let (ok, stderr) = run(&file, &out, Some("avx3"), &[]);
    assert!(!ok);
    assert!(
        stderr.contains("LABELNOISE_KERNEL=\"avx3\" is not a kernel")
            && stderr.contains("auto (the fastest for this CPU), portable, unfused, avx2, avx512"),
        "{stderr}"
    );
    assert!(!out.exists(), "a refused run wrote {}", out.display());
}

#[test]
fn unfused_fits_like_fused_records_its_arithmetic_and_is_not_mixed_on_resume_or_merge() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("s.toml");
    fs::write(&file, SCENARIO).unwrap();
    let (fused, unfused) = (t.path().join("fused"), t.path().join("unfused"));
    let (ok, stderr) = run(&file, &fused, Some("portable"), &[]);
    assert!(ok, "{stderr}");
    let (ok, stderr) = run(&file, &unfused, Some("unfused"), &[]);
    assert!(ok, "{stderr}");

    // Same runs, same optimizer path and predictions; objectives within rounding.
    let (a, b) = (records(&fused), records(&unfused));
    assert_eq!(a.len(), 6);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (id, ra) in &a {
        let rb = &b[id];
        for key in ["iterations", "evaluations", "termination"] {
            assert_eq!(ra["optimizer"][key], rb["optimizer"][key], "{id} {key}");
        }
        for key in ["test_accuracy", "train_accuracy_observed"] {
            assert_eq!(ra["metrics"][key], rb["metrics"][key], "{id} {key}");
        }
        let (fa, fb) = (
            ra["optimizer"]["objective"].as_f64().unwrap(),
            rb["optimizer"]["objective"].as_f64().unwrap(),
        );
        assert!((fa - fb).abs() <= 1e-9 * fa.abs(), "{id}: F {fa} vs {fb}");
    }

    // The manifest names the unfused arithmetic only (fused folders keep their old bytes); the
    // provenance names the kernel and arithmetic of each run.
    assert_eq!(
        json(&unfused.join("scenario.json"))["arithmetic"],
        "unfused"
    );
    assert!(json(&fused.join("scenario.json"))
        .get("arithmetic")
        .is_none());
    let inv = &json(&unfused.join("provenance.json"))["invocations"][0];
    assert_eq!(
        (&inv["kernel"], &inv["arithmetic"]),
        (&"unfused".into(), &"unfused".into())
    );
    let inv = &json(&fused.join("provenance.json"))["invocations"][0];
    assert_eq!(
        (&inv["kernel"], &inv["arithmetic"]),
        (&"portable".into(), &"fused".into())
    );
    // report.html says the same.
    for (dir, arithmetic, kernel) in [
        (&unfused, "unfused", "unfused"),
        (&fused, "fused", "portable (fused)"),
    ] {
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        assert!(html.contains(&format!(
            "<tr><th>arithmetic</th><td>{arithmetic}</td></tr>"
        )));
        assert!(html.contains(&format!("<td>{kernel}</td>")), "{kernel}");
    }

    // Resuming with the other arithmetic is refused (even with --allow-other-build), the folder
    // untouched; pinning the folder's resumes it.
    let before = fs::read_to_string(unfused.join("runs.jsonl")).unwrap();
    for extra in [&[][..], &["--allow-other-build"][..]] {
        let (ok, stderr) = run(&file, &unfused, Some("portable"), extra);
        assert!(!ok);
        assert!(
            stderr.contains("results computed with unfused arithmetic")
                && stderr.contains("this process would use fused arithmetic (kernel portable)")
                && stderr.contains("run with LABELNOISE_KERNEL=unfused"),
            "{stderr}"
        );
    }
    assert_eq!(
        fs::read_to_string(unfused.join("runs.jsonl")).unwrap(),
        before
    );
    let (ok, stderr) = run(&file, &fused, Some("unfused"), &[]);
    assert!(
        !ok && stderr.contains("results computed with fused arithmetic"),
        "{stderr}"
    );
    let (ok, stderr) = run(&file, &unfused, Some("unfused"), &[]);
    assert!(ok, "{stderr}");
    assert_eq!(
        fs::read_to_string(unfused.join("runs.jsonl")).unwrap(),
        before
    );

    // Shards of the two arithmetics do not merge.
    let (s0, s1) = (t.path().join("s0"), t.path().join("s1"));
    assert!(run(&file, &s0, Some("unfused"), &["--shard", "0/2"]).0);
    assert!(run(&file, &s1, Some("portable"), &["--shard", "1/2"]).0);
    let o = Command::cargo_bin("labelnoise")
        .unwrap()
        .args(["merge", "-o"])
        .arg(t.path().join("merged"))
        .arg(&s0)
        .arg(&s1)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        stderr.contains("mixed arithmetics")
            && stderr.contains(&format!("fused arithmetic: {}", s1.display()))
            && stderr.contains(&format!("unfused arithmetic: {}", s0.display())),
        "{stderr}"
    );
}
