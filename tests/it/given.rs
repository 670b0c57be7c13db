//! `noise.kind = "given"`: observed labels read from the data (real annotator noise), through the
//! binary. Also the generator of the shipped example `scenarios/data/iris_annotators.csv`.

use assert_cmd::Command;
use labelnoise::data::load_bundled;
use rand::Rng as _;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn labelnoise() -> Command {
    Command::cargo_bin("labelnoise").unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Annotator error rates of `scenarios/data/iris_annotators.csv` (annotator_1..3).
const ERROR_RATES: [f64; 3] = [0.1, 0.2, 0.3];
const FEATURES: [&str; 4] = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

/// The annotator-like process behind `scenarios/data/iris_annotators.csv`, from the bundled iris
/// set (150 flowers, 3 species):
/// - each flower's *confusable* species is the other species whose centroid (features
///   standardized over all 150 flowers) is nearest to the flower: a wrong label is always that
///   one, so confusions concentrate on similar species (versicolor ↔ virginica);
/// - annotator a (1..3) errs on each flower independently with probability `ERROR_RATES[a-1]`,
///   drawn from labelnoise's ChaCha stream `derive("annotator", a, ["iris"])`, flowers in order;
/// - `aggregate` is the majority vote of the three; `worst` is the confusable species if any
///   annotator erred, else the true one (CIFAR-10N's `aggre_label` and `worse_label`).
fn annotator_csv() -> String {
    let raw = load_bundled("iris", None).unwrap();
    let (n, d, k) = (raw.y.len(), raw.x.ncols(), raw.classes);
    let mean: Vec<f64> = (0..d).map(|j| raw.x.column(j).sum() / n as f64).collect();
    let std: Vec<f64> = (0..d)
        .map(|j| {
            let ss: f64 = raw.x.column(j).iter().map(|v| (v - mean[j]).powi(2)).sum();
            (ss / n as f64).sqrt()
        })
        .collect();
    let z = |i: usize, j: usize| (raw.x[[i, j]] - mean[j]) / std[j];
    let mut centroid = vec![vec![0.0; d]; k];
    let mut size = vec![0usize; k];
    for i in 0..n {
        size[raw.y[i]] += 1;
        for (j, c) in centroid[raw.y[i]].iter_mut().enumerate() {
            *c += z(i, j);
        }
    }
    for c in 0..k {
        centroid[c].iter_mut().for_each(|v| *v /= size[c] as f64);
    }
    let confusable: Vec<usize> = (0..n)
        .map(|i| {
            let dist = |c: usize| {
                (0..d)
                    .map(|j| (z(i, j) - centroid[c][j]).powi(2))
                    .sum::<f64>()
            };
            (0..k)
                .filter(|&c| c != raw.y[i])
                .min_by(|&a, &b| dist(a).total_cmp(&dist(b)))
                .unwrap()
        })
        .collect();
    let annotators: Vec<Vec<usize>> = ERROR_RATES
        .iter()
        .enumerate()
        .map(|(a, &rate)| {
            let mut rng = labelnoise::rng::derive("annotator", a as u64 + 1, &["iris"]);
            (0..n)
                .map(|i| {
                    if rng.gen::<f64>() < rate {
                        confusable[i]
                    } else {
                        raw.y[i]
                    }
                })
                .collect()
        })
        .collect();
    let name = |c: usize| raw.class_names[c].as_str();
    let mut out = format!(
        "species,{},annotator_1,annotator_2,annotator_3,aggregate,worst\n",
        FEATURES.join(",")
    );
    for i in 0..n {
        let votes: Vec<usize> = annotators.iter().map(|a| a[i]).collect();
        let wrong = votes.iter().filter(|&&v| v != raw.y[i]).count();
        let aggregate = if wrong >= 2 { confusable[i] } else { raw.y[i] };
        let worst = if wrong >= 1 { confusable[i] } else { raw.y[i] };
        let x: Vec<String> = (0..d).map(|j| raw.x[[i, j]].to_string()).collect();
        let labels: Vec<&str> = votes.iter().map(|&v| name(v)).collect();
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            name(raw.y[i]),
            x.join(","),
            labels.join(","),
            name(aggregate),
            name(worst)
        ));
    }
    out
}

/// The shipped example is exactly what the documented process makes. To regenerate it:
/// `LABELNOISE_REGENERATE=1 cargo test --release --test it shipped_annotator`.
#[test]
fn shipped_annotator_csv_is_what_the_documented_process_makes() {
    let path = repo().join("scenarios/data/iris_annotators.csv");
    let made = annotator_csv();
    if std::env::var_os("LABELNOISE_REGENERATE").is_some() {
        fs::write(&path, &made).unwrap();
    }
    assert_eq!(fs::read_to_string(&path).unwrap(), made);
    // Independent facts of the process: 150 rows; every disagreement with the truth is the
    // flower's one confusable species, so each row has at most 2 distinct labels.
    let rows: Vec<Vec<&str>> = made
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 150);
    for r in &rows {
        let mut labels: Vec<&str> = [r[0], r[5], r[6], r[7], r[8], r[9]].to_vec();
        labels.sort();
        labels.dedup();
        assert!(labels.len() <= 2, "{r:?}");
    }
}

/// A training file with features, true labels and observed labels, and a test file: with
/// `test_path`, no split is drawn, so training sample i is row i of the file.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    /// Rows (x, true, observed) for K = 3; `observed` given per row.
    fn new(truth: &[usize], observed: &[usize]) -> Files {
        let dir = tempfile::tempdir().unwrap();
        let mut train = String::from("x1,x2,y,annotator\n");
        for (i, (&t, &o)) in truth.iter().zip(observed).enumerate() {
            let (a, b) = (
                (t as f64) * 2.0 + (i % 5) as f64 * 0.1,
                (i % 7) as f64 * 0.3,
            );
            train.push_str(&format!("{a},{b},{t},{o}\n"));
        }
        fs::write(dir.path().join("train.csv"), train).unwrap();
        let mut test = String::from("x1,x2,y,annotator\n");
        for i in 0..30 {
            let t = i % 3;
            test.push_str(&format!(
                "{},{},{t},{t}\n",
                t as f64 * 2.0 + 0.05,
                (i % 4) as f64 * 0.2
            ));
        }
        fs::write(dir.path().join("test.csv"), test).unwrap();
        Files { dir }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn scenario(&self, noise: &str) -> PathBuf {
        let text = format!(
            "name = \"g\"\nseeds = 1\n[dataset]\nsource = \"csv\"\npath = \"train.csv\"\ntest_path = \"test.csv\"\n\
             label = \"y\"\ncolumns = [\"x1\", \"x2\"]\n[noise]\n{noise}\n[model]\nl2 = 0.01\n\
             [[method]]\nkind = \"ce\"\n[[method]]\nkind = \"forward_correction\"\nmatrix = \"true\"\n"
        );
        let file = self.path().join("s.toml");
        fs::write(&file, text).unwrap();
        file
    }
    /// Runs the scenario and returns its records.
    fn run(&self, noise: &str) -> Vec<Value> {
        let file = self.scenario(noise);
        let out = self.path().join("out");
        let _ = fs::remove_dir_all(&out);
        labelnoise()
            .args(["run", "-q", "--out"])
            .arg(&out)
            .arg(&file)
            .assert()
            .success();
        records(&out)
    }
}

fn records(out: &Path) -> Vec<Value> {
    fs::read_to_string(out.join("runs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn truth(n: usize) -> Vec<usize> {
    (0..n).map(|i| i % 3).collect()
}

#[test]
fn labels_differing_in_m_known_places_flip_m_with_their_counted_matrix() {
    let y = truth(60);
    let mut observed = y.clone();
    // m = 4 known changes: rows 0 (0→1), 4 (1→2), 8 (2→0) and 10 (1→0).
    for (row, to) in [(0, 1), (4, 2), (8, 0), (10, 0)] {
        observed[row] = to;
    }
    let files = Files::new(&y, &observed);
    let recs = files.run("kind = \"given\"\nobserved_label = \"annotator\"");
    assert_eq!(recs.len(), 2);
    let mut counts = vec![vec![0u64; 3]; 3];
    for (&t, &o) in y.iter().zip(&observed) {
        counts[t][o] += 1;
    }
    for r in &recs {
        assert_eq!(r["noise"]["flipped"], 4);
        assert_eq!(r["noise"]["transitions"], serde_json::json!(counts));
        assert_eq!(r["data"]["n_test"], 30);
    }
    let id = recs[0]["noise"]["noise_id"].as_str().unwrap();
    let side: Value = serde_json::from_str(
        &fs::read_to_string(files.path().join(format!("out/noise/{id}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(side["flipped_ids"], serde_json::json!([0, 4, 8, 10]));
    assert_eq!(side["observed_of_flipped"], serde_json::json!([1, 2, 0, 0]));
}

#[test]
fn given_labels_equal_to_the_true_ones_give_the_noise_free_results_bit_for_bit() {
    let y = truth(60);
    let files = Files::new(&y, &y);
    let given = files.run("kind = \"given\"\nobserved_label = \"annotator\"");
    let none = files.run("kind = \"none\"");
    assert_eq!(given.len(), none.len());
    for (g, n) in given.iter().zip(&none) {
        assert_eq!(g["noise"]["flipped"], 0);
        // Forward correction with the realized identity matrix is plain CE, as with no noise.
        assert_eq!(g["metrics"], n["metrics"], "{}", g["config"]["method"]);
    }
}

#[test]
fn several_observed_columns_are_one_axis() {
    let y = truth(30);
    let files = Files::new(&y, &y);
    let file = files.scenario("kind = \"given\"\nobserved_label = [\"annotator\", \"y\"]");
    labelnoise()
        .arg("plan")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "noise.observed_label: annotator, y",
        ));
}

#[test]
fn an_observed_array_of_the_wrong_length_is_refused_naming_both_lengths_and_the_file() {
    let y = truth(30);
    let files = Files::new(&y, &y);
    let arr = ndarray::Array1::<i64>::from_vec(vec![0, 1, 2, 0]);
    ndarray_npy::write_npy(files.path().join("obs.npy"), &arr).unwrap();
    let file = files.scenario("kind = \"given\"\nobserved_labels_path = \"obs.npy\"");
    let out = labelnoise().arg("check").arg(&file).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("4 observed labels for the 30 rows of the training file train.csv"),
        "{err}"
    );
    assert!(err.contains("obs.npy"), "{err}");
    assert!(err.contains("s.toml:11:"), "{err}");
}

#[test]
fn an_unknown_column_a_value_that_is_no_class_and_fractional_labels_are_refused() {
    let y = truth(30);
    let mut observed = y.clone();
    observed[3] = 7;
    let files = Files::new(&y, &observed);
    let check = |noise: &str| {
        let file = files.scenario(noise);
        let out = labelnoise().arg("check").arg(&file).assert().code(2);
        String::from_utf8_lossy(&out.get_output().stderr).to_string()
    };
    let err = check("kind = \"given\"\nobserved_label = \"anotator\"");
    assert!(
        err.contains("no such column in the header (did you mean \"annotator\"?)"),
        "{err}"
    );
    assert!(err.contains("s.toml:11:"), "{err}");
    let err = check("kind = \"given\"\nobserved_label = \"annotator\"");
    assert!(
        err.contains("train.csv:5: column \"annotator\" (index 3) is \"7\", which is not a class of the true labels (classes: 0, 1, 2)"),
        "{err}"
    );
    let arr = ndarray::Array1::<f64>::from_elem(30, 0.5);
    ndarray_npy::write_npy(files.path().join("half.npy"), &arr).unwrap();
    let err = check("kind = \"given\"\nobserved_labels_path = \"half.npy\"");
    assert!(err.contains("labels must be whole numbers"), "{err}");
}

/// NumPy's own `.npz` output (stored and deflated, zip64 records), CIFAR-10N key names, one axis.
#[test]
fn observed_labels_from_numpy_npz_files_by_key() {
    let y = truth(30);
    let files = Files::new(&y, &y);
    for npz in ["human_labels.npz", "human_labels_compressed.npz"] {
        fs::copy(repo().join("tests/data").join(npz), files.path().join(npz)).unwrap();
        let recs = files.run(&format!(
            "kind = \"given\"\nobserved_labels_path = \"{npz}\"\nobserved_labels_key = [\"aggre_label\", \"worse_label\"]"
        ));
        let flipped: Vec<(String, u64)> = recs
            .iter()
            .map(|r| {
                let key = r["config"]["noise"]["observed_labels_key"]
                    .as_str()
                    .unwrap();
                (key.to_string(), r["noise"]["flipped"].as_u64().unwrap())
            })
            .collect();
        assert!(flipped.contains(&("aggre_label".into(), 2)), "{flipped:?}");
        assert!(flipped.contains(&("worse_label".into(), 4)), "{flipped:?}");
    }
}
