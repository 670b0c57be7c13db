//! Bad input gets a precise answer: every file of `tests/bad_scenarios/` (one per validation rule)
//! must produce exactly the problems its `# expect:` lines name, at those lines and columns, and the
//! command line must show them with the source underlined and exit with code 2.

use assert_cmd::Command;
use labelnoise::scenario::{self, ScenarioError};
use std::path::{Path, PathBuf};

const CORPUS: &str = "tests/bad_scenarios";

/// One expected problem: `LINE:COL: message substring`, optionally a help substring.
#[derive(Debug)]
struct Expect {
    position: String,
    message: String,
    help: Option<String>,
}

fn expectations(text: &str, dir: &Path) -> Vec<Expect> {
    let mut out: Vec<Expect> = Vec::new();
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("# expect: ") {
            let e = e.replace("{dir}", &dir.display().to_string());
            let mut parts = e.splitn(3, ':');
            let (l, c, m) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            out.push(Expect {
                position: format!("{l}:{c}"),
                message: m.trim_start().to_string(),
                help: None,
            });
        } else if let Some(h) = line.strip_prefix("# help: ") {
            out.last_mut()
                .expect("# help: follows an # expect: line")
                .help = Some(h.to_string());
        }
    }
    out
}

fn corpus() -> Vec<PathBuf> {
    crate::toml_files(CORPUS)
}

fn load_err(path: &Path) -> ScenarioError {
    // Every rule, those needing the bundled datasets' shapes (run by the engine's preflight) too.
    match labelnoise::engine::preflight::load_scenario(path) {
        Ok(_) => panic!("{} was accepted", path.display()),
        Err(e) => e,
    }
}

#[test]
fn every_bad_scenario_reports_exactly_its_expected_problems() {
    let files = corpus();
    assert!(files.len() >= 50, "the corpus has {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            text.starts_with("# Rule: "),
            "{} does not start with its rule",
            path.display()
        );
        let expects = expectations(&text, path.parent().unwrap());
        assert!(
            !expects.is_empty(),
            "{} has no # expect: line",
            path.display()
        );
        let err = load_err(path);
        if err.problems.len() != expects.len() {
            failures.push(format!(
                "{}: expected {} problem(s), got {}:\n{}",
                path.display(),
                expects.len(),
                err.problems.len(),
                err.plain()
            ));
            continue;
        }
        for (p, e) in err.problems.iter().zip(&expects) {
            let at = err.location(&p.span);
            let want_at = format!("{}:{}", path.display(), e.position);
            if at != want_at || !p.message.contains(&e.message) {
                failures.push(format!(
                    "{want_at}: expected `{}`, got {at}: {}",
                    e.message, p.message
                ));
            }
            if let Some(h) = &e.help {
                if !p.help.as_deref().unwrap_or("").contains(h.as_str()) {
                    failures.push(format!("{want_at}: expected help `{h}`, got {:?}", p.help));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_problem_says_what_is_allowed() {
    for path in corpus() {
        for p in load_err(&path).problems {
            let says = p.help.is_some()
                || ["expects", "must be", "invalid TOML"]
                    .iter()
                    .any(|w| p.message.contains(w));
            assert!(
                says,
                "{}: `{}` does not say what is allowed",
                path.display(),
                p.message
            );
        }
    }
}

#[test]
fn every_problem_points_inside_the_file() {
    for path in corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        for p in load_err(&path).problems {
            let span = p
                .span
                .unwrap_or_else(|| panic!("{}: `{}` has no position", path.display(), p.message));
            assert!(
                span.end <= text.len() + 1 && span.start <= span.end,
                "{}: {span:?}",
                path.display()
            );
        }
    }
}

fn labelnoise() -> Command {
    let mut cmd = Command::cargo_bin("labelnoise").unwrap();
    cmd.env("NO_COLOR", "1")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

#[test]
fn check_underlines_the_source_and_exits_2() {
    let out = labelnoise()
        .args(["check", "tests/bad_scenarios/unknown_key.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("tests/bad_scenarios/unknown_key.toml:5:1: unknown key `dataset.trian`"),
        "{stderr}"
    );
    // The offending line with its number, then an underline below `trian` (columns 1 to 5).
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with("│ trian = 500"))
        .unwrap_or_else(|| panic!("{stderr}"));
    let code_start = lines[at].find("trian").unwrap();
    let under: Vec<char> = lines[at + 1].chars().collect();
    let prefix_chars = lines[at][..code_start].chars().count();
    let marks: String = under[prefix_chars..prefix_chars + 5].iter().collect();
    assert!(
        marks.chars().all(|c| "─┬".contains(c)),
        "underline `{marks}` in\n{stderr}"
    );
    assert!(stderr.contains("did you mean `train`?"), "{stderr}");
    assert!(stderr.contains("1 problem in scenario"), "{stderr}");
}

#[test]
fn check_reports_all_problems_of_all_files() {
    let out = labelnoise()
        .args([
            "check",
            "tests/bad_scenarios/multiple_problems.toml",
            "scenarios/quickstart.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    for at in ["5:11", "8:8", "10:12", "13:11"] {
        assert!(
            stderr.contains(&format!("multiple_problems.toml:{at}: ")),
            "{at} missing in\n{stderr}"
        );
    }
    assert!(stderr.contains("4 problems in scenario"), "{stderr}");
    assert!(
        stderr.contains("1 of 2 scenario files have problems"),
        "{stderr}"
    );
    // quickstart: 3 noise rates × 3 values of ε × 3 seeds.
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("scenarios/quickstart.toml: ok (27 runs)"),
        "{stdout}"
    );
}

#[test]
fn check_accepts_the_shipped_scenarios() {
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            labelnoise().arg("check").arg(&path).assert().success();
        }
    }
}

#[test]
fn run_and_plan_refuse_a_bad_scenario_before_touching_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    let run = labelnoise()
        .args([
            "run",
            "tests/bad_scenarios/rate_out_of_range.toml",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr)
        .contains("rate_out_of_range.toml:7:14: noise.rate: 1.5 is out of range"));
    assert!(
        !out.exists(),
        "the results folder was created for a bad scenario"
    );
    let plan = labelnoise()
        .args(["plan", "tests/bad_scenarios/rate_out_of_range.toml"])
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(2));
}

#[test]
fn check_loads_file_backed_data_and_points_at_its_path() {
    // The file exists (so the scenario is valid) but has no column "no_such_column": whatever the
    // CSV loader says, `check` must fail on the data and point at the `path` value.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("d.csv"),
        "x1,x2,label\n0.5,1.0,a\n1.5,0.2,b\n",
    )
    .unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "name = \"csv\"\n[dataset]\nsource = \"csv\"\npath = \"d.csv\"\nlabel = \"no_such_column\"\n",
    )
    .unwrap();
    let out = labelnoise().arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "{}:4:8: dataset (csv file d.csv): ",
            file.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("│ path = \"d.csv\""), "{stderr}");
}

#[test]
fn a_missing_scenario_file_is_a_clear_error() {
    let out = labelnoise()
        .args(["check", "tests/bad_scenarios/no_such_file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("no_such_file.toml: cannot read the scenario file"),
        "{stderr}"
    );
}

#[test]
fn did_you_mean_is_offered_only_for_a_close_name() {
    let err = scenario::parse(
        "name = \"x\"\n[dataset]\nzzzz = 1\n",
        "s.toml",
        Path::new("."),
    )
    .unwrap_err();
    let help = err.problems[0].help.as_deref().unwrap();
    assert!(!help.contains("did you mean"), "{help}");
    assert!(
        help.contains("allowed in [dataset]: source, classes"),
        "{help}"
    );
}

#[test]
fn sections_may_be_arrays_of_inline_tables() {
    let text = "name = \"x\"\ndataset = [{ source = \"blobs\", classes = 2 }]\n\
                method = [{ kind = \"ce\" }, { kind = \"label_smoothing\", epsilon = 0.1 }]\n";
    let s = scenario::parse(text, "s.toml", Path::new(".")).unwrap();
    assert_eq!(s.methods.len(), 2);
    assert_eq!(s.datasets.len(), 1);
}

#[test]
fn positions_count_characters_not_bytes() {
    // "ε" and "é" are two bytes each in UTF-8; the column counts characters.
    let text = "name = \"x\" # ε\n[dataset]\nsource = \"blobs\" # é\nclasses = \"é\"\n";
    let err = scenario::parse(text, "s.toml", Path::new(".")).unwrap_err();
    assert_eq!(err.location(&err.problems[0].span), "s.toml:4:11");
    assert_eq!(labelnoise::scenario::diag::line_col("aé\nb", 3), (1, 3));
    // An offset inside a character is moved back to its start instead of panicking.
    assert_eq!(labelnoise::scenario::diag::line_col("aé\nb", 2), (1, 2));
    assert_eq!(labelnoise::scenario::diag::line_col("ab", 99), (1, 3));
}
