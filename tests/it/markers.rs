//! Better/worse marks, clipped intervals, Holm's correction and ties, on hand-made runs whose
//! differences and p-values are computed here by hand.

use labelnoise::engine::record::RunRecord;
use labelnoise::metrics::Metric;
use labelnoise::report::export::{self, Exporter, Verdict};
use labelnoise::report::{self, stats::Stat, summary};
use labelnoise::vocab::correction::Correction;

/// A `ce` run or a label-smoothing run (ε) at noise rate 0.2, from a stored record with its
/// metrics replaced.
fn record(index: usize, seed: u64, eps: Option<f64>, metrics: &[(Metric, f64)]) -> RunRecord {
    let mut r: RunRecord = serde_json::from_str(include_str!(
        "../../src/engine/testdata/quickstart_run.json"
    ))
    .unwrap();
    let method = match eps {
        Some(e) => serde_json::json!({"kind": "label_smoothing", "epsilon": e, "style": "uniform"}),
        None => serde_json::json!({"kind": "ce"}),
    };
    r.config.method = serde_json::from_value(method).unwrap();
    r.axes = serde_json::from_value(serde_json::json!([
        ["noise.rate", 0.2],
        [
            "method.kind",
            if eps.is_some() {
                "label_smoothing"
            } else {
                "ce"
            }
        ],
        [
            "method.epsilon",
            eps.map_or(serde_json::json!(""), |e| serde_json::json!(e))
        ]
    ]))
    .unwrap();
    (r.index, r.seed, r.id) = (index, seed, format!("run{index}"));
    r.metrics = Default::default();
    for &(m, v) in metrics {
        r.metrics.insert(m, v);
    }
    r
}

/// Runs of `ce` and of ls at each ε, one per value of `per_method` (a seed each).
fn runs(metric: Metric, per_method: &[(Option<f64>, &[f64])]) -> Vec<RunRecord> {
    let mut out = Vec::new();
    for (eps, values) in per_method {
        for (seed, &v) in values.iter().enumerate() {
            out.push(record(out.len(), seed as u64, *eps, &[(metric, v)]));
        }
    }
    out
}

fn position(s: &summary::Summary, method: &str) -> usize {
    s.cells.iter().position(|c| c.method == method).unwrap()
}

fn verdict(s: &summary::Summary, metric: Metric, method: &str) -> Verdict {
    export::comparisons(s, metric)[position(s, method)]
        .unwrap()
        .significance
}

/// The Δ column of the main table for `method`.
fn delta_shown(s: &summary::Summary, metric: Metric, method: &str) -> String {
    let t = export::table(s, &[metric]);
    t.rows[position(s, method)].last().unwrap().clone()
}

#[test]
fn a_lower_nll_and_a_higher_accuracy_are_marked_better() {
    // NLL of ls is 0.10, 0.12, 0.14 below ce's: better.
    let s = report::summarize(
        "nll",
        &runs(
            Metric::TestNll,
            &[(None, &[1.0, 1.1, 1.2]), (Some(0.1), &[0.9, 0.98, 1.06])],
        ),
    );
    assert_eq!(verdict(&s, Metric::TestNll, "ls ε=0.1"), Verdict::Better);
    assert!(delta_shown(&s, Metric::TestNll, "ls ε=0.1").ends_with(" ▲"));
    // The same drop in accuracy is worse.
    let s = report::summarize(
        "acc",
        &runs(
            Metric::TestAccuracy,
            &[(None, &[0.8, 0.7, 0.9]), (Some(0.1), &[0.7, 0.58, 0.76])],
        ),
    );
    assert_eq!(
        verdict(&s, Metric::TestAccuracy, "ls ε=0.1"),
        Verdict::Worse
    );
    assert!(delta_shown(&s, Metric::TestAccuracy, "ls ε=0.1").ends_with(" ▼"));
    // CSV says it in words.
    let csv = export::Csv.serialize(&s);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let header = r.headers().unwrap().clone();
    let col = header
        .iter()
        .position(|h| h == "delta_test_accuracy_significance")
        .unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(&rows[position(&s, "ls ε=0.1")][col], "worse");
    assert_eq!(&rows[position(&s, "ce")][col], "");
    // The legend under the table says which way is better.
    let legend = export::delta_legend(&s, &[Metric::TestAccuracy]).unwrap();
    assert!(
        legend.contains("▲ better / ▼ worse (higher acc is better)"),
        "{legend}"
    );
}

#[test]
fn no_mark_from_two_seeds_or_from_differences_that_do_not_vary() {
    // Two seeds, differences 0.10 and 0.11: the 95% interval excludes 0 (half-width
    // 12.706 · 0.00707 / √2 = 0.064), yet n < 3 gets no mark.
    let s = report::summarize(
        "two",
        &runs(
            Metric::TestAccuracy,
            &[(None, &[0.5, 0.6]), (Some(0.1), &[0.6, 0.71])],
        ),
    );
    let d = s.cells[position(&s, "ls ε=0.1")].paired[Metric::TestAccuracy];
    assert!(d.n == 2 && d.ci_low > 0.0, "{d:?}");
    assert_eq!(verdict(&s, Metric::TestAccuracy, "ls ε=0.1"), Verdict::None);
    assert!(!delta_shown(&s, Metric::TestAccuracy, "ls ε=0.1").contains('▲'));
    // Three seeds, each exactly 0.25 above ce: zero variance, no mark.
    let s = report::summarize(
        "flat",
        &runs(
            Metric::TestAccuracy,
            &[(None, &[0.25, 0.5, 0.5]), (Some(0.1), &[0.5, 0.75, 0.75])],
        ),
    );
    let d = s.cells[position(&s, "ls ε=0.1")].paired[Metric::TestAccuracy];
    assert_eq!((d.n, d.std), (3, 0.0));
    assert_eq!(verdict(&s, Metric::TestAccuracy, "ls ε=0.1"), Verdict::None);
    assert_eq!(
        delta_shown(&s, Metric::TestAccuracy, "ls ε=0.1"),
        "+0.250 ±0.000"
    );
}

#[test]
fn accuracy_intervals_never_leave_the_unit_interval() {
    // Means near 1 with a wide spread: the raw t-interval of ls would end at 1.11.
    let s = report::summarize(
        "clip",
        &runs(
            Metric::TestAccuracy,
            &[(None, &[0.1, 0.2, 0.15]), (Some(0.1), &[1.0, 0.9, 1.0])],
        ),
    );
    let raw = Stat::of(&[1.0, 0.9, 1.0]);
    assert!(raw.ci_high > 1.0);
    for c in &s.cells {
        let st = c.stats[Metric::TestAccuracy];
        assert!((0.0..=1.0).contains(&st.ci_low) && (0.0..=1.0).contains(&st.ci_high));
        if let Some(d) = c.paired.get(Metric::TestAccuracy) {
            assert!((-1.0..=1.0).contains(&d.ci_low) && (-1.0..=1.0).contains(&d.ci_high));
        }
    }
    let ls = s.cells[position(&s, "ls ε=0.1")].stats[Metric::TestAccuracy];
    assert_eq!((ls.ci_low, ls.ci_high), (raw.ci_low, 1.0));
    // The differences 0.9, 0.7, 0.85 have an interval reaching past 1: clipped at 1.
    let d = s.cells[position(&s, "ls ε=0.1")].paired[Metric::TestAccuracy];
    assert_eq!(d.ci_high, 1.0);
    assert!(delta_shown(&s, Metric::TestAccuracy, "ls ε=0.1").contains(", 1.000]"));
}

#[test]
fn holm_adjusts_the_p_values_of_a_table() {
    // Two smoothed methods against ce: differences (0.02, 0.03, 0.04) and (0.01, 0.05, 0.03).
    let mut s = report::summarize(
        "holm",
        &runs(
            Metric::TestAccuracy,
            &[
                (None, &[0.5, 0.6, 0.7]),
                (Some(0.1), &[0.52, 0.63, 0.74]),
                (Some(0.2), &[0.51, 0.65, 0.73]),
            ],
        ),
    );
    // Paired t-tests by hand: mean 0.03, s = 0.01, t = 3√3 on 2 df, p = 0.035098718645984…
    // (scipy 1.17.1: stats.t.sf(3*3**0.5, 2)*2); mean 0.03, s = 0.02, t = 1.5√3,
    // p = 0.12168993434632014.
    let (p1, p2) = (0.035_098_718_645_984_65, 0.121_689_934_346_320_14);
    let plain = export::comparisons(&s, Metric::TestAccuracy);
    let (at1, at2) = (position(&s, "ls ε=0.1"), position(&s, "ls ε=0.2"));
    let got = |c: &[Option<export::Comparison>], m: &str| {
        c[if m == "ls ε=0.1" { at1 } else { at2 }].unwrap()
    };
    assert!((got(&plain, "ls ε=0.1").p.unwrap() - p1).abs() < 1e-10);
    assert!((got(&plain, "ls ε=0.2").p.unwrap() - p2).abs() < 1e-10);
    assert_eq!(got(&plain, "ls ε=0.1").significance, Verdict::Better);
    assert_eq!(got(&plain, "ls ε=0.1").p_holm, None);
    // Holm over the two: 2·p1 = 0.0702 and max(2·p1, p2) = 0.1217, neither below 0.05.
    s.multiple_comparisons = Correction::Holm;
    let holm = export::comparisons(&s, Metric::TestAccuracy);
    assert!((got(&holm, "ls ε=0.1").p_holm.unwrap() - 2.0 * p1).abs() < 1e-10);
    assert!((got(&holm, "ls ε=0.2").p_holm.unwrap() - p2).abs() < 1e-10);
    assert_eq!(got(&holm, "ls ε=0.1").significance, Verdict::None);
    let legend = export::delta_legend(&s, &[Metric::TestAccuracy]).unwrap();
    assert!(
        legend.contains("Holm-adjusted over the table's 2 comparisons"),
        "{legend}"
    );
    let csv = export::Csv.serialize(&s);
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .contains("delta_test_accuracy_p_holm"));
}

#[test]
fn ties_are_listed_not_broken() {
    // ls ε=0.1 and ls ε=0.2 have the same accuracies: equal means, both best.
    let s = report::summarize(
        "tie",
        &runs(
            Metric::TestAccuracy,
            &[
                (None, &[0.5, 0.6, 0.7]),
                (Some(0.1), &[0.75, 0.5, 0.625]),
                (Some(0.2), &[0.625, 0.75, 0.5]),
            ],
        ),
    );
    let best = summary::best_by(&s, Metric::TestAccuracy);
    let [(_, cells)] = &best[..] else {
        panic!("one setting: {best:?}")
    };
    let names: Vec<&str> = cells.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(names, ["ls ε=0.1", "ls ε=0.2"]);
    let table = export::best_table(&s).unwrap();
    let methods: Vec<&str> = table.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(methods, ["ls ε=0.1 (tie)", "ls ε=0.2 (tie)"]);
    assert!(export::best_legend(&s)
        .iter()
        .any(|l| l.starts_with("(tie)")));
    assert!(export::best_title(&s).contains("best on test (optimistic"));
    let json: serde_json::Value = serde_json::from_str(&export::Json.serialize(&s)).unwrap();
    let entries = json["best_by_test_accuracy"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["tied_with"], serde_json::json!(["ls ε=0.2"]));
}

/// A tiny grid with `[report] multiple_comparisons = "holm"`.
const HOLM_SCENARIO: &str = "name = \"holm\"\nseeds = 3\n[dataset]\nsource = \"blobs\"\nclasses = 3\n\
features = 4\ntrain = 120\ntest = 90\n[noise]\nkind = \"symmetric\"\nrate = 0.2\n[[method]]\nkind = \"ce\"\n\
[[method]]\nkind = \"label_smoothing\"\nepsilon = [0.1, 0.3]\n[report]\nmultiple_comparisons = \"holm\"\n";

#[test]
fn the_holm_setting_reaches_run_and_report_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("holm.toml");
    std::fs::write(&file, HOLM_SCENARIO).unwrap();
    let out = tmp.path().join("out");
    let bin = || assert_cmd::Command::cargo_bin("labelnoise").unwrap();
    bin()
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let csv_text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (p, p_holm) = (
        col("delta_test_accuracy_p"),
        col("delta_test_accuracy_p_holm"),
    );
    // Holm over the testable comparisons of the table, recomputed from the written p-values.
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let written: Vec<(f64, f64)> = rows
        .iter()
        .filter(|row| !row[p].is_empty())
        .map(|row| (row[p].parse().unwrap(), row[p_holm].parse().unwrap()))
        .collect();
    assert!(!written.is_empty(), "{csv_text}");
    let raw: Vec<f64> = written.iter().map(|w| w.0).collect();
    let adjusted = report::stats::holm(&raw);
    for ((_, h), a) in written.iter().zip(&adjusted) {
        assert_eq!(h, a);
    }
    // `report` reads the setting from the folder, not from the scenario file.
    let before = std::fs::read(out.join("summary.csv")).unwrap();
    std::fs::remove_file(&file).unwrap();
    bin().arg("report").arg(&out).assert().success();
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), before);
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.contains("Holm-adjusted"), "{md}");
    // A list is refused: the setting is not an axis.
    let list = tmp.path().join("list.toml");
    std::fs::write(
        &list,
        HOLM_SCENARIO.replace("= \"holm\"", "= [\"none\", \"holm\"]"),
    )
    .unwrap();
    bin().arg("check").arg(&list).assert().failure();
}
