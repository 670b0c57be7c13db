//! `labelnoise noisify`, through the binary: the labels a scenario run trains on, exact counts,
//! reproducible output, clear errors.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn labelnoise() -> Command {
    Command::cargo_bin("labelnoise").unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// A labels CSV: `id,y` with classes `y[i]`.
fn label_csv(dir: &Path, y: &[usize]) -> std::path::PathBuf {
    let mut text = String::from("id,y\n");
    for (i, c) in y.iter().enumerate() {
        text.push_str(&format!("r{i},{c}\n"));
    }
    let path = dir.join("labels.csv");
    fs::write(&path, text).unwrap();
    path
}

fn noisify(dir: &Path, labels: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    labelnoise()
        .current_dir(dir)
        .arg("noisify")
        .arg("--labels")
        .arg(labels)
        .args(extra)
        .assert()
}

/// A training file in order (test_path: no split drawn), K = 4, uneven classes, two features
/// that carry the class (so instance and boundary noise have something to lean on), written as
/// `train.csv`/`test.csv` and as `X.npy`/`y.npy`/`Xt.npy`/`yt.npy`. Returns the true labels.
fn training_files(dir: &Path) -> Vec<usize> {
    let y: Vec<usize> = (0..83).map(|i| (i * 7 + i / 5) % 4).collect();
    let x = |i: usize, c: usize| [c as f64 + (i % 3) as f64 * 0.4, (i % 5) as f64 + c as f64];
    let mut train = String::from("x1,x2,y\n");
    let mut xs = Vec::new();
    for (i, &c) in y.iter().enumerate() {
        let [a, b] = x(i, c);
        train.push_str(&format!("{a},{b},{c}\n"));
        xs.extend([a, b]);
    }
    fs::write(dir.join("train.csv"), train).unwrap();
    let yt: Vec<usize> = (0..20).map(|i| i % 4).collect();
    let test: String = yt.iter().map(|c| format!("{c}.5,1,{c}\n")).collect();
    fs::write(dir.join("test.csv"), format!("x1,x2,y\n{test}")).unwrap();
    let xs = ndarray::Array2::from_shape_vec((y.len(), 2), xs).unwrap();
    ndarray_npy::write_npy(dir.join("X.npy"), &xs).unwrap();
    let ys = ndarray::Array1::from_iter(y.iter().map(|&c| c as i64));
    ndarray_npy::write_npy(dir.join("y.npy"), &ys).unwrap();
    let xt = ndarray::Array2::from_shape_fn((20, 2), |(i, j)| (yt[i] + j) as f64 + 0.5);
    ndarray_npy::write_npy(dir.join("Xt.npy"), &xt).unwrap();
    let yt = ndarray::Array1::from_iter(yt.iter().map(|&c| c as i64));
    ndarray_npy::write_npy(dir.join("yt.npy"), &yt).unwrap();
    y
}

/// Runs a one-run scenario with `noise_stream = "labels"` and then `noisify` with the same
/// labels, noise and seed; both must flip the same samples to the same classes.
fn same_draw_as_a_scenario(dataset: &str, noise: &str, cli: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let y = training_files(dir);
    fs::write(
        dir.join("s.toml"),
        format!(
            "name = \"n\"\nseeds = [7]\n[dataset]\nsource = \"csv\"\n{dataset}\n\
             noise_stream = \"labels\"\n[noise]\n{noise}\n"
        ),
    )
    .unwrap();
    labelnoise()
        .current_dir(dir)
        .args(["run", "-q", "--out", "out", "s.toml"])
        .assert()
        .success();
    let run: Value = serde_json::from_str(
        fs::read_to_string(dir.join("out/runs.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let id = run["noise"]["noise_id"].as_str().unwrap();
    let side = read_json(&dir.join(format!("out/noise/{id}.json")));

    let mut args = cli.to_vec();
    args.extend(["--seed", "7", "--out", "noisy.csv"]);
    labelnoise()
        .current_dir(dir)
        .arg("noisify")
        .args(&args)
        .assert()
        .success();
    let rec = read_json(&dir.join("noisy.csv.json"));
    assert_eq!(rec["flipped_ids"], side["flipped_ids"], "{noise}");
    assert_eq!(rec["transitions"], run["noise"]["transitions"], "{noise}");
    // The labels themselves: class names are the integers 0..3, so values are classes.
    let noisy: Vec<usize> = fs::read_to_string(dir.join("noisy.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.parse().unwrap())
        .collect();
    let ids: Vec<usize> = serde_json::from_value(side["flipped_ids"].clone()).unwrap();
    let of: Vec<usize> = serde_json::from_value(side["observed_of_flipped"].clone()).unwrap();
    let mut expected = y.clone();
    for (i, o) in ids.iter().zip(of) {
        expected[*i] = o;
    }
    assert_eq!(noisy, expected, "{noise}");
    assert!(!ids.is_empty(), "{noise}");
}

const CSV_DATASET: &str = "path = \"train.csv\"\ntest_path = \"test.csv\"\nlabel = \"y\"";
const NPY_DATASET: &str = "path = \"X.npy\"\nlabels_path = \"y.npy\"\ntest_path = \"Xt.npy\"\ntest_labels_path = \"yt.npy\"";

#[test]
fn noisify_gives_the_labels_a_scenario_run_trains_on() {
    same_draw_as_a_scenario(
        CSV_DATASET,
        "kind = \"pairflip\"\nrate = 0.3",
        &[
            "--labels",
            "train.csv",
            "--column",
            "y",
            "--kind",
            "pairflip",
            "--rate",
            "0.3",
        ],
    );
}

/// The kinds that read the features: the CSV's other columns, or a .npy array beside .npy labels,
/// standardized as the scenario's training split is.
#[test]
fn noisify_with_features_gives_the_instance_and_boundary_labels_of_a_scenario() {
    same_draw_as_a_scenario(
        CSV_DATASET,
        "kind = \"instance\"\nrate = 0.25",
        &[
            "--labels",
            "train.csv",
            "--column",
            "y",
            "--features",
            "train.csv",
            "--kind",
            "instance",
            "--rate",
            "0.25",
        ],
    );
    same_draw_as_a_scenario(
        NPY_DATASET,
        "kind = \"boundary\"\nrate = 0.2",
        &[
            "--labels",
            "y.npy",
            "--features",
            "X.npy",
            "--kind",
            "boundary",
            "--rate",
            "0.2",
        ],
    );
}

#[test]
fn pairflip_flips_exactly_round_rate_times_each_class_to_the_next_class() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // K = 3, 10 labels per class: rate 0.3 flips exactly 3 per class, i → i+1 mod 3.
    let y: Vec<usize> = (0..30).map(|i| i % 3).collect();
    let labels = label_csv(dir, &y);
    noisify(
        dir,
        &labels,
        &[
            "--kind", "pairflip", "--set", "rate=0.3", "--seed", "1", "--out", "n.npy", "--record",
            "r.json",
        ],
    )
    .success();
    let rec = read_json(&dir.join("r.json"));
    assert_eq!(rec["flipped"], 9);
    assert_eq!(
        rec["transitions"],
        serde_json::json!([[7, 3, 0], [0, 7, 3], [3, 0, 7]])
    );
    assert_eq!(
        rec["realized_matrix"][0],
        serde_json::json!([0.7, 0.3, 0.0])
    );
    let noisy: ndarray::Array1<i64> = ndarray_npy::read_npy(dir.join("n.npy")).unwrap();
    for (i, &t) in y.iter().enumerate() {
        let flipped = rec["flipped_ids"].as_array().unwrap().contains(&i.into());
        let want = if flipped { (t + 1) % 3 } else { t };
        assert_eq!(noisy[i] as usize, want, "label {i}");
    }
    assert_eq!(rec["seed"], 1);
    assert_eq!(rec["noise"]["kind"], "pairflip");
    assert_eq!(rec["input"]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn the_same_seed_and_labels_give_the_same_bytes_and_another_seed_other_flips() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let y: Vec<usize> = (0..200).map(|i| (i * 13) % 5).collect();
    let labels = label_csv(dir, &y);
    let run = |seed: &str, out: &str| {
        noisify(
            dir,
            &labels,
            &[
                "--kind",
                "symmetric",
                "--rate",
                "0.2",
                "--seed",
                seed,
                "--out",
                out,
            ],
        )
        .success();
        fs::read(dir.join(out)).unwrap()
    };
    assert_eq!(run("3", "a.csv"), run("3", "b.csv"));
    assert_ne!(run("3", "a.csv"), run("4", "c.csv"));
}

#[test]
fn bad_inputs_get_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let labels = label_csv(dir, &[0, 1, 0, 1]);
    let err = |labels: &Path, extra: &[&str]| {
        let out = noisify(dir, labels, extra).failure();
        String::from_utf8_lossy(&out.get_output().stderr).to_string()
    };
    let base = ["--seed", "0", "--out", "o.csv"];
    let e = err(
        &labels,
        &[&base[..], &["--column", "yy", "--rate", "0.1"]].concat(),
    );
    assert!(
        e.contains("--column \"yy\": no such column in the header (did you mean \"y\"?)"),
        "{e}"
    );
    let e = err(
        &labels,
        &[&base[..], &["--kind", "instance", "--rate", "0.1"]].concat(),
    );
    assert!(
        e.contains("noise kind \"instance\" depends on the features"),
        "{e}"
    );
    let e = err(&labels, &[&base[..], &["--rate", "1.5"]].concat());
    assert!(e.contains("rate") && e.contains("[0, 1]"), "{e}");
    let e = err(&labels, &[&base[..], &["--set", "rat=0.1"]].concat());
    assert!(e.contains("did you mean"), "{e}");
    // Features must come as a .npy array beside .npy labels, or be the label CSV itself, and
    // align with the labels row by row.
    let x = ndarray::Array2::<f64>::zeros((3, 2));
    ndarray_npy::write_npy(dir.join("x.npy"), &x).unwrap();
    let e = err(
        &labels,
        &[
            &base[..],
            &["--features", "x.npy", "--kind", "boundary", "--rate", "0.1"],
        ]
        .concat(),
    );
    assert!(
        e.contains("--features x.npy: give a 2-D .npy array beside a .npy label file"),
        "{e}"
    );
    let y4 = ndarray::Array1::<i64>::from_vec(vec![0, 1, 0, 1]);
    ndarray_npy::write_npy(dir.join("y4.npy"), &y4).unwrap();
    let e = err(
        &dir.join("y4.npy"),
        &[
            &base[..],
            &["--features", "x.npy", "--kind", "boundary", "--rate", "0.1"],
        ]
        .concat(),
    );
    assert!(e.contains("4 labels for the 3 rows of x.npy"), "{e}");
    let frac = ndarray::Array1::<f64>::from_vec(vec![0.0, 1.5, 1.0]);
    ndarray_npy::write_npy(dir.join("frac.npy"), &frac).unwrap();
    let e = err(&dir.join("frac.npy"), &base);
    assert!(
        e.contains("row 1 (0-based) of the labels is 1.5; labels must be whole numbers"),
        "{e}"
    );
}
