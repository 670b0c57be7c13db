//! Numerically hard inputs end with finite numbers or a clear error, never NaN in a table: features
//! at scale 1e6, constant columns, duplicated rows, a class missing from a split, separable data
//! with hard targets and no penalty. Expected values come from closed forms (the intercept-only
//! optimum is the class frequencies) and invariances (scale, zero columns, duplicated rows).

use assert_cmd::Command;
use labelnoise::data::{self, Dataset};
use labelnoise::engine::execute::{self, Context};
use labelnoise::engine::record::RunRecord;
use labelnoise::metrics::Metric;
use labelnoise::noise::{self, NoisyLabels};
use labelnoise::scenario::spec::{NoiseSpec, RunSpec};
use labelnoise::scenario::{self};
use labelnoise::train::{self, FitInput, FitOutput};
use ndarray::{Array2, Axis};
use rand::Rng as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The first run of a blobs scenario with the given [model] and [[method]] lines.
fn run_spec(model: &str, method: &str) -> RunSpec {
    let text = format!(
        "name = \"n\"\nseeds = 1\n[dataset]\nclasses = 2\n[model]\n{model}\n[[method]]\n{method}\n"
    );
    scenario::parse(&text, "n.toml", Path::new("."))
        .unwrap()
        .runs()
        .remove(0)
}

fn clean(data: &Dataset) -> NoisyLabels {
    let mut rng = labelnoise::rng::derive("noise", 0, &["numerics"]);
    noise::apply(
        &NoiseSpec::None,
        &data.y_train,
        data.classes,
        &data.x_train,
        &mut rng,
    )
    .unwrap()
}

fn measure(run: &RunSpec, data: &Dataset) -> Result<RunRecord, train::TrainError> {
    let ctx = Context {
        scenario: "n",
        scenario_hash: "h",
        ece_bins: 15,
        build: "test",
        selection: None,
    };
    execute::execute(&ctx, run, data, &clean(data), Instant::now())
}

fn fit(run: &RunSpec, data: &Dataset) -> FitOutput {
    let input = FitInput {
        x: data.x_train.view(),
        labels: &data.y_train,
        classes: data.classes,
        model: &run.model,
        method: &run.method,
        true_matrix: None,
        train_rng: labelnoise::rng::derive("train", 0, &[]),
    };
    train::fit(&input, &mut |_: &labelnoise::train::Progress<'_>| {}).unwrap()
}

fn assert_finite(rec: &RunRecord) {
    for (name, v) in rec.metrics.iter() {
        assert!(v.is_finite(), "{name} = {v}");
    }
    assert!(rec.optimizer.objective.is_finite() && rec.optimizer.grad_max.is_finite());
}

/// Two Gaussian classes in `d` dimensions, means ±shift on the first axis; n per split.
fn two_blobs(n_train: usize, n_test: usize, d: usize, shift: f64, seed: u64) -> Dataset {
    let mut rng = labelnoise::rng::derive("data", seed, &["numerics"]);
    let mut draw = |n: usize| {
        let y: Vec<usize> = (0..n).map(|i| i % 2).collect();
        let x = Array2::from_shape_fn((n, d), |(i, j)| {
            let z: f64 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng);
            z + if j == 0 {
                if y[i] == 1 {
                    shift
                } else {
                    -shift
                }
            } else {
                0.0
            }
        });
        (x, y)
    };
    let (x_train, y_train) = draw(n_train);
    let (x_test, y_test) = draw(n_test);
    Dataset {
        x_train,
        y_train,
        x_test: x_test.into(),
        y_test,
        classes: 2,
        class_names: vec!["0".into(), "1".into()],
        feature_names: (0..d).map(|j| format!("x{j}")).collect(),
    }
}

fn standardized(mut d: Dataset) -> Dataset {
    data::standardize(
        &mut d.x_train,
        Arc::make_mut(&mut d.x_test),
        &d.feature_names,
    )
    .unwrap();
    d
}

#[test]
fn features_at_scale_1e6_give_finite_numbers_and_standardizing_removes_the_scale() {
    let run = run_spec("l2 = 1e-4", "kind = \"ce\"");
    let base = two_blobs(200, 100, 3, 1.0, 1);
    let mut big = base.clone();
    big.x_train.mapv_inplace(|v| v * 1e6);
    Arc::make_mut(&mut big.x_test).mapv_inplace(|v| v * 1e6);
    // Raw: the optimizer sees gradients of order 1e6; it must end finite (converged or saying not).
    let raw = measure(&run, &big).unwrap();
    assert_finite(&raw);
    assert_eq!(
        raw.metrics.get(Metric::Converged).unwrap() == 1.0,
        raw.optimizer.converged()
    );
    // Standardized: the same problem as at scale 1, up to rounding.
    let a = measure(&run, &standardized(base)).unwrap();
    let b = measure(&run, &standardized(big)).unwrap();
    assert_finite(&b);
    for m in [
        Metric::TestAccuracy,
        Metric::TestNll,
        Metric::Objective,
        Metric::WeightNorm,
    ] {
        let (a, b) = (a.metrics.get(m).unwrap(), b.metrics.get(m).unwrap());
        assert!((a - b).abs() <= 1e-6 * (1.0 + a.abs()), "{m}: {a} vs {b}");
    }
}

#[test]
fn constant_columns_change_nothing_after_standardizing() {
    let run = run_spec("l2 = 1e-3", "kind = \"label_smoothing\"\nepsilon = 0.1");
    let base = standardized(two_blobs(150, 80, 2, 1.0, 2));
    // Append a constant 7 and a constant 0 column, then standardize: both become all-zero columns,
    // whose weights have zero gradient from θ = 0, so the optimum is unchanged.
    let widen = |x: &Array2<f64>| {
        let mut w = Array2::zeros((x.nrows(), 4));
        w.slice_mut(ndarray::s![.., ..2]).assign(x);
        w.column_mut(2).fill(7.0);
        w
    };
    let wide = standardized(Dataset {
        x_train: widen(&base.x_train),
        x_test: widen(&base.x_test).into(),
        feature_names: (0..4).map(|j| format!("x{j}")).collect(),
        ..base.clone()
    });
    assert!(wide.x_train.column(2).iter().all(|&v| v == 0.0));
    let (a, b) = (fit(&run, &base), fit(&run, &wide));
    assert!(b.report.objective.is_finite());
    assert!(
        (a.report.objective - b.report.objective).abs() <= 1e-10,
        "{} vs {}",
        a.report.objective,
        b.report.objective
    );
    assert!(b
        .model
        .weights
        .slice(ndarray::s![2.., ..])
        .iter()
        .all(|&w| w == 0.0));
}

#[test]
fn all_constant_features_give_the_class_frequencies() {
    // No usable feature: the softmax optimum (intercepts unpenalized) predicts the training class
    // frequencies for every sample, so test NLL = −mean log(n_y / n) and accuracy = share of the
    // majority class.
    let run = run_spec("l2 = 1e-2\ntolerance = 1e-10", "kind = \"ce\"");
    let mut d = two_blobs(90, 60, 2, 1.0, 3);
    // 60 of class 1, 30 of class 0 in training.
    d.y_train = (0..90).map(|i| usize::from(i % 3 != 0)).collect();
    d.x_train.fill(3.5);
    Arc::make_mut(&mut d.x_test).fill(3.5);
    let d = standardized(d);
    let rec = measure(&run, &d).unwrap();
    assert_finite(&rec);
    let freq = [30.0 / 90.0, 60.0 / 90.0];
    let nll = -d.y_test.iter().map(|&y| f64::ln(freq[y])).sum::<f64>() / d.y_test.len() as f64;
    let majority = d.y_test.iter().filter(|&&y| y == 1).count() as f64 / d.y_test.len() as f64;
    assert!(
        (rec.metrics.get(Metric::TestNll).unwrap() - nll).abs() < 1e-6,
        "{} vs {nll}",
        rec.metrics.get(Metric::TestNll).unwrap()
    );
    assert_eq!(rec.metrics.get(Metric::TestAccuracy).unwrap(), majority);
    assert_eq!(rec.metrics.get(Metric::WeightNorm).unwrap(), 0.0);
}

#[test]
fn duplicated_rows_leave_the_mean_objective_unchanged() {
    let run = run_spec("l2 = 1e-3\ntolerance = 1e-9", "kind = \"ce\"");
    let base = standardized(two_blobs(100, 50, 3, 0.8, 4));
    let twice = Dataset {
        x_train: ndarray::concatenate(Axis(0), &[base.x_train.view(), base.x_train.view()])
            .unwrap(),
        y_train: [base.y_train.clone(), base.y_train.clone()].concat(),
        ..base.clone()
    };
    let (a, b) = (
        measure(&run, &base).unwrap(),
        measure(&run, &twice).unwrap(),
    );
    assert_finite(&b);
    assert!(
        (a.metrics.get(Metric::Objective).unwrap() - b.metrics.get(Metric::Objective).unwrap())
            .abs()
            < 1e-9
    );
    assert!(
        (a.metrics.get(Metric::TestNll).unwrap() - b.metrics.get(Metric::TestNll).unwrap()).abs()
            < 1e-6
    );
    // The same point with both labels: the best one can say is ½ each, which is finite.
    let mut conflict = base.clone();
    conflict.x_train =
        ndarray::concatenate(Axis(0), &[base.x_train.view(), base.x_train.view()]).unwrap();
    conflict.y_train = [
        base.y_train.clone(),
        base.y_train.iter().map(|y| 1 - y).collect(),
    ]
    .concat();
    let c = measure(&run, &conflict).unwrap();
    assert_finite(&c);
    assert!(
        (c.metrics.get(Metric::Objective).unwrap() - std::f64::consts::LN_2).abs() < 1e-6,
        "{}",
        c.metrics.get(Metric::Objective).unwrap()
    );
}

#[test]
fn a_class_missing_from_a_split_gives_finite_numbers_or_a_clear_error() {
    let run = run_spec("l2 = 1e-3", "kind = \"label_smoothing\"\nepsilon = 0.1");
    // Three classes; the test split holds only classes 0 and 1.
    let mut rng = labelnoise::rng::derive("data", 5, &["numerics"]);
    let x = Array2::from_shape_fn((120, 2), |(i, j)| {
        (i % 3) as f64 * if j == 0 { 2.0 } else { -1.0 } + rng.gen::<f64>()
    });
    let y: Vec<usize> = (0..120).map(|i| i % 3).collect();
    let test_rows: Vec<usize> = (0..120).filter(|i| i % 3 != 2).take(30).collect();
    let mut d = Dataset {
        x_train: x.clone(),
        y_train: y.clone(),
        x_test: x.select(Axis(0), &test_rows).into(),
        y_test: test_rows.iter().map(|&i| y[i]).collect(),
        classes: 3,
        class_names: vec!["a".into(), "b".into(), "c".into()],
        feature_names: vec!["x0".into(), "x1".into()],
    };
    let rec = measure(&run, &d).unwrap();
    assert_finite(&rec);
    // The training split without class 2: its intercept is pushed down until its gradient meets the
    // tolerance; the numbers stay finite.
    let keep: Vec<usize> = (0..120).filter(|i| i % 3 != 2).collect();
    d.x_train = x.select(Axis(0), &keep);
    d.y_train = keep.iter().map(|&i| y[i]).collect();
    d.x_test = x.clone().into();
    d.y_test = y.clone();
    let rec = measure(&run, &d).unwrap();
    assert_finite(&rec);
    // Through the loader, a split that leaves a class out is refused with a message naming it.
    let mut spec = run.dataset.clone();
    spec.train = Some(1);
    let err = data::build(&spec, Path::new("."), 0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs at least 1 training sample"), "{err}");
}

#[test]
fn separable_data_with_hard_targets_and_no_penalty_stays_finite() {
    // Exactly separable: x₀ = ±(1 + u). With l2 = 0 and ε = 0 there is no finite optimum; whatever
    // the optimizer does, the numbers are finite and a stop at max_iter is reported as such.
    let mut d = two_blobs(100, 50, 2, 0.0, 6);
    for (x, y) in [
        (&mut d.x_train, &d.y_train),
        (Arc::make_mut(&mut d.x_test), &d.y_test),
    ] {
        for (mut row, &label) in x.rows_mut().into_iter().zip(y) {
            let u = row[0].abs().min(3.0);
            row[0] = if label == 1 { 1.0 + u } else { -1.0 - u };
        }
    }
    let short = measure(&run_spec("l2 = 0.0\nmax_iter = 3", "kind = \"ce\""), &d).unwrap();
    assert_finite(&short);
    assert_eq!(short.metrics.get(Metric::Converged).unwrap(), 0.0);
    assert_eq!(short.metrics.get(Metric::TestAccuracy).unwrap(), 1.0);
    // No finite optimum: asking for a smaller gradient only makes the weights larger (the loss
    // decays like exp(−margin·‖w‖)), whereas smoothing has an optimum the weights settle at.
    let norm = |tolerance: &str, method: &str| {
        let rec = measure(
            &run_spec(
                &format!("l2 = 0.0\nmax_iter = 10000\ntolerance = {tolerance}"),
                method,
            ),
            &d,
        )
        .unwrap();
        assert_finite(&rec);
        rec.metrics.get(Metric::WeightNorm).unwrap()
    };
    let (hard_loose, hard_tight) = (
        norm("1e-4", "kind = \"ce\""),
        norm("1e-10", "kind = \"ce\""),
    );
    assert!(
        hard_tight > hard_loose + 1.0,
        "hard targets: ‖W‖ {hard_loose} → {hard_tight}"
    );
    let smooth = "kind = \"label_smoothing\"\nepsilon = 0.1";
    let (smooth_loose, smooth_tight) = (norm("1e-6", smooth), norm("1e-10", smooth));
    assert!(
        (smooth_tight - smooth_loose).abs() < 1e-4,
        "smoothing: ‖W‖ {smooth_loose} → {smooth_tight}"
    );
}

#[test]
fn the_table_says_how_many_fits_did_not_converge() {
    // Three seeds, max_iter = 1: no L-BFGS fit can meet a 1e-10 gradient tolerance in one step.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    std::fs::write(
        &file,
        "name = \"nc\"\nseeds = 3\n[dataset]\nclasses = 3\nfeatures = 4\ntrain = 90\ntest = 30\n\
         [model]\nl2 = 0.0\nmax_iter = 1\ntolerance = 1e-10\n[[method]]\nkind = \"ce\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("labelnoise")
        .unwrap()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(tmp.path().join("results"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("3 (3 nc)"), "{stdout}");
    assert!(stdout.contains("nc = not converged"), "{stdout}");
    assert!(!stdout.contains("NaN"), "{stdout}");
}

/// Issue 13 item 4: SGD with learning_rate = 1e6 explodes (the objective ends ~1e43 here, against
/// F(0) = ln 3 for the zero model it started from). The record says `diverged` and not converged,
/// and the table counts it as not converged.
#[test]
fn an_exploding_sgd_fit_is_reported_diverged_not_converged() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("s.toml");
    std::fs::write(
        &file,
        "name = \"diverged\"\nseeds = 1\n[dataset]\nsource = \"blobs\"\nclasses = 3\nfeatures = 4\n\
         train = 90\ntest = 30\n[model]\noptimizer = \"sgd\"\nlearning_rate = 1e6\nepochs = 5\n\
         [[method]]\nkind = \"ce\"\n",
    )
    .unwrap();
    let results = tmp.path().join("results");
    let out = Command::cargo_bin("labelnoise")
        .unwrap()
        .args(["run", "--out"])
        .arg(&results)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = std::fs::read_to_string(results.join("runs.jsonl")).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let objective = v["optimizer"]["objective"].as_f64().unwrap();
    assert!(objective > 10.0 * 3f64.ln(), "objective {objective}");
    assert_eq!(v["optimizer"]["termination"], "diverged");
    assert_eq!(v["optimizer"]["converged"], false);
    assert_eq!(v["metrics"]["converged"].as_f64(), Some(0.0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("1 (1 nc)"), "{stdout}");
}
