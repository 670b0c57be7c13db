//! Reports: paired differences on hand-made runs, `report` reproducing `run`'s files byte for byte,
//! well-formed SVGs with one legend entry per line, and figures for unusual grid shapes.

use assert_cmd::Command;
use labelnoise::engine::record::RunRecord;
use labelnoise::metrics::Metric;
use labelnoise::report::{self, export, summary};
use quick_xml::events::Event;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// A run record built by hand: label smoothing (ε) or `ce` (`eps = None`) at a noise rate.
fn record(
    index: usize,
    seed: u64,
    rate: f64,
    eps: Option<f64>,
    metrics: &[(&str, f64)],
) -> RunRecord {
    let method = match eps {
        Some(e) => serde_json::json!({"kind": "label_smoothing", "epsilon": e, "style": "uniform"}),
        None => serde_json::json!({"kind": "ce"}),
    };
    let kind = if eps.is_some() {
        "label_smoothing"
    } else {
        "ce"
    };
    let eps_axis = eps.map_or(serde_json::json!(""), |e| serde_json::json!(e));
    let v = serde_json::json!({
        "id": format!("run{index}"), "index": index, "scenario": "hand", "scenario_hash": "0", "version": "0",
        "seed": seed,
        "axes": [["noise.rate", rate], ["method.kind", kind], ["method.epsilon", eps_axis]],
        "config": {
            "dataset": {"source": "blobs", "classes": 3, "features": 2, "separation": 1.0, "train": 10, "test": 10,
                        "test_fraction": 0.25, "standardize": true},
            "noise": {"kind": "symmetric", "rate": rate, "count": "exact", "include_true": false},
            "model": {"kind": "softmax", "l2": 0.0001, "max_iter": 100, "tolerance": 1e-6, "optimizer": "lbfgs",
                      "history": 10, "trace": false, "trace_every": 1, "early_stopping": false,
                      "validation_fraction": 0.1, "patience": 10},
            "method": method
        },
        "data": {"n_train": 10, "n_test": 10, "features": 2, "classes": 3, "class_names": ["0", "1", "2"]},
        "noise": {"noise_id": format!("n{seed}"), "flipped": 0, "rate": rate, "transitions": []},
        "metrics": metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>(),
        "optimizer": {"iterations": 1, "evaluations": 1, "grad_max": 0.0, "objective": 0.0,
                      "termination": "gradient_tolerance", "converged": true},
        "timing": {"fit_seconds": 0.0, "total_seconds": 0.0}
    });
    serde_json::from_value(v).expect("a valid run record")
}

/// Three seeds at rate 0.2 (ls ε = 0, ls ε = 0.1) and at rate 0.4 (the same, far-off numbers, so
/// pairing across rates would show), listed in a scrambled order.
fn hand_runs(with_ce: bool) -> Vec<RunRecord> {
    let mut runs = Vec::new();
    let mut i = 0;
    let mut add = |rate: f64, eps: Option<f64>, acc: [f64; 3], ece: [f64; 3]| {
        for seed in 0..3 {
            runs.push(record(
                i,
                seed,
                rate,
                eps,
                &[
                    ("test_accuracy", acc[seed as usize]),
                    ("test_ece", ece[seed as usize]),
                ],
            ));
            i += 1;
        }
    };
    if with_ce {
        add(0.2, None, [0.75, 0.65, 0.85], [0.0, 0.0, 0.0]);
    }
    add(0.2, Some(0.0), [0.80, 0.70, 0.90], [0.01, 0.02, 0.03]);
    add(0.2, Some(0.1), [0.82, 0.73, 0.91], [0.11, 0.13, 0.15]);
    add(0.4, Some(0.0), [0.10, 0.20, 0.30], [0.5, 0.5, 0.5]);
    add(0.4, Some(0.1), [0.13, 0.19, 0.32], [0.4, 0.4, 0.4]);
    runs.reverse();
    runs.swap(1, 4);
    runs
}

fn cell<'a>(s: &'a summary::Summary, rate: f64, method: &str) -> &'a summary::Cell {
    s.cells
        .iter()
        .find(|c| {
            c.method == method && c.axes[0].1 == labelnoise::scenario::spec::AxisValue::Float(rate)
        })
        .unwrap_or_else(|| panic!("no cell {rate} {method}"))
}

/// t(0.975, 2) from any statistics table.
const T2: f64 = 4.302_652_730;

#[test]
fn paired_differences_on_hand_made_runs() {
    let s = report::summarize("hand", &hand_runs(false));
    let base = cell(&s, 0.2, "ls ε=0");
    assert!(base.is_baseline && base.paired.is_empty() && base.paired_against.is_none());
    let ls = cell(&s, 0.2, "ls ε=0.1");
    assert_eq!(ls.paired_against.as_deref(), Some("ls ε=0"));
    // Per-seed differences 0.02, 0.03, 0.01: mean 0.02, s = 0.01, half-width t·s/√3.
    let d = ls.paired[Metric::TestAccuracy];
    let half = T2 * 0.01 / 3f64.sqrt();
    assert!((d.mean - 0.02).abs() < 1e-12 && (d.std - 0.01).abs() < 1e-12 && d.n == 3);
    assert!((d.ci_low - (0.02 - half)).abs() < 1e-9 && (d.ci_high - (0.02 + half)).abs() < 1e-9);
    let at = |rate: f64, method: &str| {
        let c = cell(&s, rate, method);
        s.cells.iter().position(|x| std::ptr::eq(x, c)).unwrap()
    };
    let verdict = |m: Metric, rate: f64, method: &str| {
        export::comparisons(&s, m)[at(rate, method)]
            .unwrap()
            .significance
    };
    // The interval holds 0: no mark.
    assert_eq!(export::delta_text(&d, ""), format!("+0.020 ±{:.3}", half));
    assert_eq!(
        verdict(Metric::TestAccuracy, 0.2, "ls ε=0.1"),
        export::Verdict::None
    );
    // ECE differences 0.10, 0.11, 0.12: the interval excludes 0, and a higher ECE is worse.
    let e = ls.paired[Metric::TestEce];
    assert!((e.mean - 0.11).abs() < 1e-12);
    assert_eq!(
        verdict(Metric::TestEce, 0.2, "ls ε=0.1"),
        export::Verdict::Worse
    );
    // At rate 0.4: differences 0.03, −0.01, 0.02 (paired by seed, not by file order).
    let d4 = cell(&s, 0.4, "ls ε=0.1").paired[Metric::TestAccuracy];
    assert!((d4.mean - 0.04 / 3.0).abs() < 1e-12);
    // ECE at 0.4 drops by exactly 0.1 on every seed: zero variance, no verdict.
    let e4 = cell(&s, 0.4, "ls ε=0.1").paired[Metric::TestEce];
    assert!((e4.mean + 0.1).abs() < 1e-12 && e4.std == 0.0);
    assert_eq!(
        verdict(Metric::TestEce, 0.4, "ls ε=0.1"),
        export::Verdict::None
    );
    // The result does not depend on the order of the records.
    let mut sorted = hand_runs(false);
    sorted.sort_by_key(|r| r.index);
    assert_eq!(
        serde_json::to_string(&report::summarize("hand", &sorted)).unwrap(),
        serde_json::to_string(&s).unwrap()
    );
}

#[test]
fn ce_is_the_preferred_baseline() {
    let s = report::summarize("hand", &hand_runs(true));
    assert!(cell(&s, 0.2, "ce").is_baseline);
    let ls0 = cell(&s, 0.2, "ls ε=0");
    assert!(!ls0.is_baseline);
    assert_eq!(ls0.paired_against.as_deref(), Some("ce"));
    // ls ε=0 − ce = 0.05 on every seed (up to rounding): the interval is undefined, no mark.
    let d = ls0.paired[Metric::TestAccuracy];
    assert!((d.mean - 0.05).abs() < 1e-12 && d.std.abs() < 1e-12);
    assert!(!d.testable());
    let table = export::table(&s, &[Metric::TestAccuracy]);
    let row = &table.rows[s.cells.iter().position(|c| std::ptr::eq(c, ls0)).unwrap()];
    assert_eq!(row.last().unwrap(), "+0.050 ±0.000", "{row:?}");
    // No ce at rate 0.4: there, ls ε = 0 stays the baseline.
    assert!(cell(&s, 0.4, "ls ε=0").is_baseline);
    assert_eq!(
        cell(&s, 0.4, "ls ε=0.1").paired_against.as_deref(),
        Some("ls ε=0")
    );
}

#[test]
fn best_method_per_rate() {
    let s = report::summarize("hand", &hand_runs(true));
    let best = summary::best_by(&s, Metric::TestAccuracy);
    let names: Vec<(String, &str)> = best
        .iter()
        .map(|(axes, c)| {
            assert_eq!(c.len(), 1, "no tie here");
            (axes[0].1.to_string(), c[0].method.as_str())
        })
        .collect();
    // Means at 0.2: ce 0.75, ls0 0.80, ls0.1 0.82; at 0.4: ls0 0.20, ls0.1 0.2133….
    assert_eq!(
        names,
        vec![
            ("0.2".to_string(), "ls ε=0.1"),
            ("0.4".to_string(), "ls ε=0.1")
        ]
    );
    let table = export::best_table(&s).expect("several methods");
    assert_eq!(table.header, vec!["rate", "best method", "acc", "Δacc"]);
    assert_eq!(table.rows[0][..3], ["0.2", "ls ε=0.1", "0.820±0.090"]);
}

#[test]
fn terminal_table_is_compact() {
    let s = report::summarize("hand", &hand_runs(true));
    let metrics = export::table_metrics(&s, None);
    let text = export::terminal(&s, &metrics);
    assert!(export::width(&text) <= 100, "{text}");
    let header = text.lines().next().unwrap();
    for col in ["rate", "method", "n", "acc", "Δacc", "ece"] {
        assert!(header.split_whitespace().any(|h| h == col), "{header}");
    }
    assert!(text.contains("0.820±0.090"), "{text}");
    assert!(text.contains("(baseline)"));
    // A chosen metric list is honoured as given.
    let chosen = vec![Metric::TestEce];
    let text = export::terminal(&s, &chosen);
    assert!(
        text.lines().next().unwrap().contains("Δece")
            && !text.lines().next().unwrap().contains(" acc ")
    );
}

// ---------------------------------------------------------------------------------------------
// Through the binary.

fn labelnoise() -> Command {
    Command::cargo_bin("labelnoise").expect("binary")
}

fn scenario(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    fs::write(&path, format!("name = \"{name}\"\n{body}")).unwrap();
    path
}

const TINY_DATA: &str = "[dataset]\nsource = \"blobs\"\nclasses = 3\nfeatures = 4\ntrain = 120\ntest = 90\nseparation = 1.0\n";

/// Every output file of a results folder (path relative to it → bytes), runs.jsonl excluded.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for name in report::FILES {
        out.insert(
            name.to_string(),
            fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")),
        );
    }
    for e in fs::read_dir(dir.join("plots")).unwrap() {
        let p = e.unwrap().path();
        out.insert(
            format!("plots/{}", p.file_name().unwrap().to_string_lossy()),
            fs::read(&p).unwrap(),
        );
    }
    out
}

/// Parses an SVG with quick-xml, checking that every element closes in order; returns the texts.
fn svg_texts(svg: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut open: Vec<Vec<u8>> = Vec::new();
    let mut texts = Vec::new();
    let mut roots = 0;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                if open.is_empty() {
                    roots += 1;
                    assert_eq!(e.name().as_ref(), b"svg");
                }
                open.push(e.name().as_ref().to_vec());
            }
            Event::End(e) => assert_eq!(
                open.pop().as_deref(),
                Some(e.name().as_ref()),
                "mismatched end tag"
            ),
            Event::Text(t) => {
                let t = t.unescape().expect("valid entities").trim().to_string();
                if !t.is_empty() {
                    texts.push(t);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(open.is_empty(), "unclosed elements {open:?}");
    assert_eq!(roots, 1);
    texts
}

fn count(texts: &[String], label: &str) -> usize {
    texts.iter().filter(|t| *t == label).count()
}

#[test]
fn report_rebuilds_the_files_run_wrote_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(
        tmp.path(),
        "tiny",
        &format!(
            "seeds = 2\n{TINY_DATA}[noise]\nkind = \"symmetric\"\nrate = [0.0, 0.3]\n[model]\nl2 = 1e-3\ntrace = true\ntrace_every = 2\n\
             [[method]]\nkind = \"ce\"\n[[method]]\nkind = \"label_smoothing\"\nepsilon = [0.1, 0.3]\n"
        ),
    );
    let out = tmp.path().join("out");
    let run = labelnoise()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .success();
    let printed = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    assert!(
        printed.lines().all(|l| l.chars().count() <= 100),
        "{printed}"
    );
    let written = outputs(&out);
    let files: Vec<&str> = written.keys().map(String::as_str).collect();
    for f in [
        "plots/accuracy.svg",
        "plots/delta_accuracy.svg",
        "plots/train_loss.svg",
        "plots/ece.svg",
        "plots/norm_gap.svg",
        "plots/reliability.svg",
        "plots/trace.svg",
    ] {
        assert!(files.contains(&f), "{f} missing from {files:?}");
    }
    // Remove every output, rebuild from runs.jsonl alone, compare bytes.
    for name in report::FILES {
        fs::remove_file(out.join(name)).unwrap();
    }
    fs::remove_dir_all(out.join("plots")).unwrap();
    labelnoise().arg("report").arg(&out).assert().success();
    let rebuilt = outputs(&out);
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        rebuilt.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &written {
        assert!(bytes == &rebuilt[name], "{name} differs after `report`");
    }

    // Every SVG is well-formed; each line has exactly one legend entry.
    let text = |name: &str| svg_texts(std::str::from_utf8(&written[name]).unwrap());
    let methods = ["ce", "ls ε=0.1", "ls ε=0.3"];
    for name in ["plots/accuracy.svg", "plots/train_loss.svg"] {
        let t = text(name);
        for m in methods {
            assert_eq!(count(&t, m), 1, "{name}: legend entries for {m}: {t:?}");
        }
    }
    // vs ε: one panel per noise rate; the line is the family `ls`, ce a reference (it has no ε).
    for (name, rows) in [("plots/ece.svg", 1), ("plots/norm_gap.svg", 2)] {
        let t = text(name);
        for r in ["noise rate = 0", "noise rate = 0.3"] {
            assert_eq!(count(&t, r), rows, "{name}: {r} in {t:?}");
        }
        assert_eq!((count(&t, "ls"), count(&t, "ce (no ε)")), (1, 1), "{t:?}");
        assert_eq!(methods.iter().map(|m| count(&t, m)).sum::<usize>(), 0);
    }
    assert_eq!(count(&text("plots/norm_gap.svg"), "free-logit optimum"), 1);
    // Paired Δ against ce: the two smoothing lines and the Δ = 0 reference; ce itself has no Δ.
    let t = text("plots/delta_accuracy.svg");
    assert_eq!(
        (
            count(&t, "ls ε=0.1"),
            count(&t, "ls ε=0.3"),
            count(&t, "ce (Δ = 0)"),
            count(&t, "ce")
        ),
        (1, 1, 1, 0)
    );
    // Training curves and reliability diagrams at the highest rate.
    let t = text("plots/trace.svg");
    for m in methods {
        assert_eq!(count(&t, m), 1, "trace: {m} in {t:?}");
    }
    assert!(t.iter().any(|x| x == "noise rate = 0.3"));
    let t = text("plots/reliability.svg");
    assert!(t.iter().any(|x| x.starts_with("ce, mean ECE")), "{t:?}");
    assert_eq!(t.iter().filter(|x| x.contains("mean ECE")).count(), 2);

    // The HTML page holds every figure inline and needs nothing from outside.
    let html = String::from_utf8(written["report.html"].clone()).unwrap();
    for (name, bytes) in written.iter().filter(|(n, _)| n.ends_with(".svg")) {
        assert!(
            html.contains(std::str::from_utf8(bytes).unwrap().trim_end()),
            "{name} not inlined"
        );
    }
    for external in ["<script", "src=", "<link", "@import"] {
        assert!(!html.contains(external), "report.html contains {external}");
    }
    // Links go only to the page's own sections (the table of contents).
    assert!(html.contains("href=\"#"));
    assert_eq!(
        html.matches("href=").count(),
        html.matches("href=\"#").count()
    );
    // The only URLs are the SVG namespace names.
    assert_eq!(
        html.matches("http").count(),
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );

    // Runs finish in any order (threads): the same records in reverse order give the same bytes.
    let runs = fs::read_to_string(out.join("runs.jsonl")).unwrap();
    let reversed: String = runs.lines().rev().map(|l| format!("{l}\n")).collect();
    assert_ne!(runs, reversed);
    fs::write(out.join("runs.jsonl"), reversed).unwrap();
    // `report` again gives the same bytes again (nothing depends on the previous report).
    labelnoise()
        .arg("report")
        .arg(&out)
        .arg("--metrics")
        .arg("test_nll,recovered")
        .assert()
        .success();
    assert_eq!(outputs(&out), written);
}

#[test]
fn report_refuses_a_folder_without_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let a = labelnoise()
        .arg("report")
        .arg(tmp.path())
        .assert()
        .failure();
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(err.contains("runs.jsonl"), "{err}");
    let a = labelnoise()
        .arg("report")
        .arg(tmp.path())
        .arg("--metrics")
        .arg("acuracy")
        .assert()
        .failure();
    assert!(String::from_utf8(a.get_output().stderr.clone())
        .unwrap()
        .contains("unknown metric `acuracy`"));
}

/// Grids of other shapes: the figures that apply are drawn, the others skipped, nothing panics.
#[test]
fn figures_cope_with_any_grid_shape() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, String, &[&str]); 3] = [
        // One cell: no axis at all.
        (
            "single",
            format!("seeds = 1\n{TINY_DATA}[noise]\nkind = \"symmetric\"\nrate = 0.2\n[model]\ntrace = true\n[[method]]\nkind = \"ce\"\n"),
            &["plots/reliability.svg", "plots/trace.svg"],
        ),
        // Only ε varies, binary logistic model: x is ε everywhere.
        (
            "eps_only",
            "seeds = 2\n[dataset]\nsource = \"blobs\"\nclasses = 2\nfeatures = 3\ntrain = 80\ntest = 60\n\
             [noise]\nkind = \"symmetric\"\nrate = 0.2\n[model]\nkind = \"logistic\"\n\
             [[method]]\nkind = \"label_smoothing\"\nepsilon = [0.0, 0.2]\n"
                .to_string(),
            &["plots/accuracy.svg", "plots/delta_accuracy.svg", "plots/train_loss.svg", "plots/ece.svg", "plots/norm_gap.svg", "plots/reliability.svg"],
        ),
        // A dataset axis is the only numeric one; no noise (no corrupted samples); one method.
        (
            "separation",
            "seeds = 1\n[dataset]\nsource = \"blobs\"\nclasses = 3\nfeatures = 3\ntrain = 60\ntest = 60\nseparation = [0.5, 2.0]\n\
             [noise]\nkind = \"symmetric\"\nrate = 0.0\n[[method]]\nkind = \"label_smoothing\"\nepsilon = 0.1\n"
                .to_string(),
            &["plots/accuracy.svg", "plots/train_loss.svg", "plots/ece.svg", "plots/norm_gap.svg", "plots/reliability.svg"],
        ),
    ];
    for (name, body, expected) in cases {
        let file = scenario(tmp.path(), name, &body);
        let out = tmp.path().join(name);
        labelnoise()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .assert()
            .success();
        let files = outputs(&out);
        let plots: Vec<&str> = files
            .keys()
            .map(String::as_str)
            .filter(|f| f.starts_with("plots/"))
            .collect();
        let mut expected = expected.to_vec();
        expected.sort_unstable();
        assert_eq!(plots, expected, "{name}");
        for p in plots {
            let t = svg_texts(std::str::from_utf8(&files[p]).unwrap());
            assert!(!t.is_empty());
        }
    }
    // The ε-only grid: one line, named by the method family.
    let t = svg_texts(&fs::read_to_string(tmp.path().join("eps_only/plots/accuracy.svg")).unwrap());
    assert_eq!(count(&t, "ls"), 1, "{t:?}");
}

#[test]
fn an_empty_results_folder_gives_empty_tables_and_no_figures() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("runs.jsonl"), "").unwrap();
    // A figure from an earlier report that no longer applies goes; the user's own file stays.
    fs::create_dir(tmp.path().join("plots")).unwrap();
    fs::write(tmp.path().join("plots/trace.svg"), "<svg/>").unwrap();
    fs::write(tmp.path().join("plots/mine.svg"), "<svg/>").unwrap();
    let s = report::write_all(tmp.path()).unwrap().summary;
    assert!(!tmp.path().join("plots/trace.svg").exists());
    fs::remove_file(tmp.path().join("plots/mine.svg")).unwrap();
    assert!(s.cells.is_empty());
    assert!(fs::read_to_string(tmp.path().join("summary.md"))
        .unwrap()
        .contains("No finished runs"));
    assert_eq!(fs::read_dir(tmp.path().join("plots")).unwrap().count(), 0);
}
