//! What the terminal shows and what report.html holds, through the real binary: `--quiet` prints
//! nothing, shards print no best-method table, the ETA waits for a finished run, `datasets` fits
//! 100 columns, `report --help` describes its arguments, the dataset axis has the name users
//! write, and the page's contents, plan, scenario and provenance.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

/// Two bundled datasets × two rates × (ce, ls ε = 0.1) × 2 seeds = 16 runs.
use super::notebook::SCENARIO;
use super::scale::run_ok as run;

fn labelnoise() -> Command {
    Command::cargo_bin("labelnoise").unwrap()
}

fn scenario(dir: &Path) -> PathBuf {
    let file = dir.join("two_sets.toml");
    fs::write(&file, SCENARIO).unwrap();
    file
}

#[test]
fn quiet_prints_nothing_and_progress_estimates_until_a_run_ends() {
    let t = tempfile::tempdir().unwrap();
    let file = scenario(t.path());
    let (stdout, stderr) = run(&file, &t.path().join("q"), &["--quiet"]);
    assert_eq!((stdout.as_str(), stderr.as_str()), ("", ""));

    // Without --quiet (stderr is not a terminal here): a first line before any run ends, then
    // a rate and an ETA; the table and the summary line on stdout.
    let (stdout, stderr) = run(&file, &t.path().join("loud"), &["--threads", "1"]);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[0].starts_with("[0/16] ETA estimating"), "{stderr}");
    let last = lines.last().unwrap();
    assert!(last.starts_with("[16/16] "), "{stderr}");
    assert!(last.contains("ETA 0s"), "{stderr}");
    assert!(
        last.contains(" runs/s") || last.contains(" s/run"),
        "{stderr}"
    );
    assert!(stdout.contains("Best by test accuracy"), "{stdout}");
    assert!(stdout.contains("16 run(s): 16 trained now"), "{stdout}");
}

#[test]
fn a_shard_prints_its_table_without_a_best_method_table() {
    let t = tempfile::tempdir().unwrap();
    let file = scenario(t.path());
    let (stdout, _) = run(&file, &t.path().join("s0"), &["--shard", "0/2"]);
    assert!(stdout.contains("ls ε=0.1"), "{stdout}");
    assert!(!stdout.contains("Best method"), "{stdout}");
    assert!(stdout.contains("shard 0/2: the best-method table needs every shard"));
}

#[test]
fn the_dataset_axis_is_named_by_the_key_users_write() {
    let t = tempfile::tempdir().unwrap();
    let file = scenario(t.path());
    let plan = labelnoise().arg("plan").arg(&file).output().unwrap();
    let plan = String::from_utf8(plan.stdout).unwrap();
    assert!(plan.contains("  dataset.source: iris, wine\n"), "{plan}");
    assert!(!plan.contains("dataset.name"), "{plan}");
    let out = t.path().join("out");
    let (stdout, _) = run(&file, &out, &[]);
    assert!(stdout.starts_with(" source "), "{stdout}");
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("dataset.source,noise.rate,method.kind,"));
    assert!(!fs::read_to_string(out.join("report.html"))
        .unwrap()
        .contains("dataset.name"));
}

#[test]
fn datasets_fits_100_columns() {
    let o = labelnoise().arg("datasets").output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("winequality"));
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
}

#[test]
fn report_help_describes_its_arguments_and_metrics_suggest_a_name() {
    let o = labelnoise().args(["report", "--help"]).output().unwrap();
    let help = String::from_utf8(o.stdout).unwrap();
    assert!(
        help.contains("Results folder written by `labelnoise run`"),
        "{help}"
    );
    assert!(
        help.contains("Metrics shown in the terminal table"),
        "{help}"
    );
    assert!(help.contains("runs.csv"), "{help}");

    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    run(&scenario(t.path()), &out, &["--quiet"]);
    let o = labelnoise()
        .arg("report")
        .arg(&out)
        .args(["--metrics", "test_acuracy"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert!(stderr.contains("did you mean `test_accuracy`?"), "{stderr}");
}

#[test]
fn the_page_has_contents_plan_scenario_and_provenance() {
    let t = tempfile::tempdir().unwrap();
    let file = scenario(t.path());
    let out = t.path().join("out");
    run(&file, &out, &["--quiet"]);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    // Every link of the contents leads to an element of the page.
    let links: Vec<&str> = html
        .split("href=\"#")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert!(links.len() >= 8, "{links:?}");
    for id in &links {
        assert!(html.contains(&format!("id=\"{id}\"")), "no element #{id}");
    }
    for section in ["results", "figures", "plan", "scenario", "provenance"] {
        assert!(links.contains(&section), "{section} not in the contents");
    }
    // The plan: 2 datasets × 2 rates × 2 methods = 8 cells of 2 seeds.
    assert!(html.contains("<tr><th>cells</th><td>8</td></tr>"));
    assert!(html.contains("<tr><th>runs</th><td>16</td></tr>"));
    assert!(html.contains("<tr><th>dataset.source</th><td>iris, wine (2 values)</td></tr>"));
    // The scenario as written, and the file beside the results.
    assert_eq!(
        fs::read_to_string(out.join("scenario.toml")).unwrap(),
        SCENARIO
    );
    assert!(html.contains("[[method]]\nkind = &quot;label_smoothing&quot;\nepsilon = 0.1</pre>"));
    // Provenance: the command that ran, with a UTC date.
    let provenance: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("provenance.json")).unwrap()).unwrap();
    let first = &provenance["invocations"][0];
    let command = first["command"].as_str().unwrap();
    assert!(
        command.contains(" run ") && command.contains("two_sets.toml"),
        "{command}"
    );
    let date = first["date"].as_str().unwrap();
    assert_eq!(date.len(), 20, "{date}");
    assert!(date.ends_with('Z') && date.as_bytes()[10] == b'T', "{date}");
    assert!(html.contains(&format!("<td>{date}</td>")));
    // The kernel that trained the runs and its arithmetic, as recorded.
    let kernel = first["kernel"].as_str().unwrap();
    let arithmetic = first["arithmetic"].as_str().unwrap();
    let expected = if kernel == "unfused" {
        "unfused"
    } else {
        "fused"
    };
    assert_eq!(arithmetic, expected, "{kernel}");
    assert!(
        html.contains(&if kernel == arithmetic {
            format!("<td>{kernel}</td>")
        } else {
            format!("<td>{kernel} ({arithmetic})</td>")
        }),
        "{kernel}"
    );
    assert!(html.contains(&format!(
        "<tr><th>arithmetic</th><td>{arithmetic}</td></tr>"
    )));
    assert!(
        html.contains("sha256 "),
        "bundled inputs are listed with their hashes"
    );
}
