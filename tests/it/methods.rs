//! Methods and optimizers: every objective's gradient against finite differences, the special cases
//! that reduce to cross entropy, the binary rule of the frameworks, mini-batch reproducibility across
//! thread counts, and the shape of training traces and early-stopping records.

use labelnoise::engine::{self, record::RunRecord, Options};
use labelnoise::metrics::Metric;
use labelnoise::rng;
use labelnoise::scenario::{self, spec::*};
use labelnoise::train::{self, loss::RowLoss, objective::Objective, FitInput, TrainError};
use ndarray::Array2;
use rand::Rng as _;
use rand_distr::StandardNormal;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Random features and labels, made here so the tests do not depend on any generator of the crate.
fn data(n: usize, d: usize, k: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut r = rng::derive("tests/methods", seed, &[]);
    let x = Array2::from_shape_fn((n, d), |_| r.sample::<f64, _>(StandardNormal));
    let y = (0..n).map(|_| r.gen_range(0..k)).collect();
    (x, y)
}

fn symmetric_t(k: usize, rate: f64) -> Vec<Vec<f64>> {
    (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    if i == j {
                        1.0 - rate
                    } else {
                        rate / (k - 1) as f64
                    }
                })
                .collect()
        })
        .collect()
}

fn identity(k: usize) -> Vec<Vec<f64>> {
    symmetric_t(k, 0.0)
}

fn every_method(k: usize) -> Vec<MethodSpec> {
    let t = if k == 2 {
        vec![vec![0.8, 0.2], vec![0.3, 0.7]]
    } else {
        symmetric_t(k, 0.2)
    };
    vec![
        MethodSpec::Ce,
        MethodSpec::LabelSmoothing {
            epsilon: 0.1,
            style: SmoothingStyle::Uniform,
        },
        MethodSpec::LabelSmoothing {
            epsilon: 0.2,
            style: SmoothingStyle::Others,
        },
        MethodSpec::LabelSmoothing {
            epsilon: -0.05,
            style: SmoothingStyle::Uniform,
        },
        MethodSpec::ForwardCorrection {
            matrix: MatrixSource::Given(t.clone()),
        },
        MethodSpec::BackwardCorrection {
            matrix: MatrixSource::Given(t),
        },
        MethodSpec::Bootstrap { beta: 0.8 },
        MethodSpec::Gce { q: 0.7 },
    ]
}

/// (model kind, K, outputs C)
const MODELS: [(ModelKind, usize, usize); 2] =
    [(ModelKind::Softmax, 3, 3), (ModelKind::Logistic, 2, 2 - 1)];

fn objective<'a>(
    x: &'a Array2<f64>,
    y: &'a [usize],
    kind: ModelKind,
    k: usize,
    m: &MethodSpec,
    l2: f64,
) -> Objective<'a> {
    let loss = train::resolve_loss(m, k, kind, None).unwrap();
    let c = if kind == ModelKind::Softmax { k } else { 1 };
    Objective::new(x.view(), y, k, c, loss, l2)
}

fn random_theta(n: usize, seed: u64) -> Vec<f64> {
    let mut r = rng::derive("tests/methods/theta", seed, &[]);
    (0..n)
        .map(|_| 0.5 * r.sample::<f64, _>(StandardNormal))
        .collect()
}

/// ∇F (loss mean + l2 penalty, full batch and a mini-batch) against central differences, for every
/// method on softmax and logistic models.
#[test]
fn every_objective_gradient_matches_finite_differences() {
    let h = 1e-6;
    for (kind, k, c) in MODELS {
        let (x, y) = data(40, 4, k, 1);
        for m in every_method(k) {
            let mut obj = objective(&x, &y, kind, k, &m, 0.3);
            let n = obj.n_params();
            assert_eq!(n, (4 + 1) * c);
            let theta = random_theta(n, 2);
            let rows = [3usize, 17, 5, 5, 39];
            for subset in [None, Some(&rows[..])] {
                let mut eval = |t: &[f64], g: &mut [f64]| match subset {
                    None => obj.value_grad(t, g),
                    Some(r) => obj.value_grad_rows(t, r, g),
                };
                let mut g = vec![0.0; n];
                eval(&theta, &mut g);
                let mut scratch = vec![0.0; n];
                for i in 0..n {
                    let (mut up, mut dn) = (theta.clone(), theta.clone());
                    up[i] += h;
                    dn[i] -= h;
                    let fd = (eval(&up, &mut scratch) - eval(&dn, &mut scratch)) / (2.0 * h);
                    assert!(
                        (fd - g[i]).abs() < 1e-7 * (1.0 + g[i].abs()),
                        "{kind:?} {m:?} θ[{i}]: fd {fd} vs {}",
                        g[i]
                    );
                }
            }
        }
    }
}

fn value_and_grad(obj: &mut Objective<'_>, theta: &[f64]) -> (f64, Vec<f64>) {
    let mut g = vec![0.0; theta.len()];
    let v = obj.value_grad(theta, &mut g);
    (v, g)
}

/// forward_correction with T = I, backward_correction with T = I, bootstrap with β = 1 and
/// label_smoothing with ε = 0 are cross entropy: same value and gradient to rounding.
#[test]
fn special_cases_reduce_to_cross_entropy() {
    for (kind, k, _) in MODELS {
        let (x, y) = data(30, 3, k, 3);
        let theta = random_theta(
            objective(&x, &y, kind, k, &MethodSpec::Ce, 0.1).n_params(),
            4,
        );
        let (v0, g0) = value_and_grad(
            &mut objective(&x, &y, kind, k, &MethodSpec::Ce, 0.1),
            &theta,
        );
        for m in [
            MethodSpec::ForwardCorrection {
                matrix: MatrixSource::Given(identity(k)),
            },
            MethodSpec::BackwardCorrection {
                matrix: MatrixSource::Given(identity(k)),
            },
            MethodSpec::Bootstrap { beta: 1.0 },
            MethodSpec::LabelSmoothing {
                epsilon: 0.0,
                style: SmoothingStyle::Uniform,
            },
            MethodSpec::LabelSmoothing {
                epsilon: 0.0,
                style: SmoothingStyle::Others,
            },
        ] {
            let (v, g) = value_and_grad(&mut objective(&x, &y, kind, k, &m, 0.1), &theta);
            assert!((v - v0).abs() < 1e-14, "{kind:?} {m:?}: {v} vs {v0}");
            for (a, b) in g.iter().zip(&g0) {
                assert!((a - b).abs() < 1e-14, "{kind:?} {m:?}");
            }
        }
    }
}

/// GCE_q → CE as q → 0. Per sample, with a = log p_y: 0 ≤ CE − GCE_q ≤ q·a²/2 (e^{qa} lies between
/// 1 + qa and 1 + qa + (qa)²/2 for qa ≤ 0), so on the mean objective the gap is at most
/// q·max a²/2; at q = 1e-6 this is ~1e-6 here, and it shrinks linearly with q.
#[test]
fn gce_approaches_ce_as_q_goes_to_zero() {
    for (kind, k, _) in MODELS {
        let (x, y) = data(30, 3, k, 5);
        let theta = random_theta(
            objective(&x, &y, kind, k, &MethodSpec::Ce, 0.0).n_params(),
            6,
        );
        let (ce, _) = value_and_grad(
            &mut objective(&x, &y, kind, k, &MethodSpec::Ce, 0.0),
            &theta,
        );
        // max a² over samples, from the per-sample CE of single-row objectives.
        let mut one = objective(&x, &y, kind, k, &MethodSpec::Ce, 0.0);
        let mut g = vec![0.0; theta.len()];
        let max_a2 = (0..y.len())
            .map(|i| one.value_grad_rows(&theta, &[i], &mut g).powi(2))
            .fold(0.0, f64::max);
        let mut last_gap = f64::INFINITY;
        for q in [1e-2, 1e-4, 1e-6] {
            let (v, _) = value_and_grad(
                &mut objective(&x, &y, kind, k, &MethodSpec::Gce { q }, 0.0),
                &theta,
            );
            let gap = ce - v;
            assert!(
                gap >= 0.0 && gap <= q * max_a2 / 2.0 * (1.0 + 1e-9),
                "{kind:?} q={q}: gap {gap}"
            );
            assert!(gap < last_gap);
            last_gap = gap;
        }
        assert!(last_gap < 1e-5, "{last_gap}");
    }
}

/// The binary logistic model with label smoothing trains on y·(1−ε) + ε/2 (TF
/// `sigmoid_cross_entropy`, Keras `BinaryCrossentropy(label_smoothing=ε)`): the objective equals
/// the sigmoid cross entropy written out here by hand.
#[test]
fn logistic_label_smoothing_is_the_keras_binary_rule() {
    let (x, y) = data(25, 3, 2, 7);
    let eps = 0.2;
    let m = MethodSpec::LabelSmoothing {
        epsilon: eps,
        style: SmoothingStyle::Uniform,
    };
    let l2 = 0.05;
    let mut obj = objective(&x, &y, ModelKind::Logistic, 2, &m, l2);
    let theta = random_theta(obj.n_params(), 8);
    let (v, _) = value_and_grad(&mut obj, &theta);
    let (w, b) = (&theta[..3], theta[3]);
    let mut want = 0.0;
    for (i, &yi) in y.iter().enumerate() {
        let z: f64 = (0..3).map(|j| x[[i, j]] * w[j]).sum::<f64>() + b;
        let s = 1.0 / (1.0 + (-z).exp());
        let t = yi as f64 * (1.0 - eps) + eps / 2.0;
        want -= t * s.ln() + (1.0 - t) * (1.0 - s).ln();
    }
    want = want / y.len() as f64 + 0.5 * l2 * w.iter().map(|v| v * v).sum::<f64>();
    assert!((v - want).abs() < 1e-13, "{v} vs {want}");
}

fn model(kind: ModelKind, l2: f64, optimizer: OptimizerSpec) -> ModelSpec {
    ModelSpec {
        kind,
        l2,
        max_iter: 1000,
        tolerance: 1e-7,
        optimizer,
        trace: false,
        trace_every: 1,
        early_stopping: false,
        validation_fraction: 0.1,
        patience: 10,
    }
}

fn fit(
    x: &Array2<f64>,
    y: &[usize],
    k: usize,
    spec: &ModelSpec,
    m: &MethodSpec,
) -> Result<train::FitOutput, TrainError> {
    let input = FitInput {
        x: x.view(),
        labels: y,
        classes: k,
        model: spec,
        method: m,
        true_matrix: None,
        train_rng: rng::derive("train", 0, &["tests"]),
    };
    train::fit(&input, &mut |_| {})
}

/// A K = 2 softmax model with penalty λ and a logistic model with penalty λ/2 have the same
/// optimal probabilities: the softmax optimum splits w = w₁ − w₀ as ±w/2, whose penalty is
/// (λ/2)·‖w‖²/2. Checked for the convex methods, fitted by L-BFGS from both sides.
#[test]
fn logistic_and_two_class_softmax_agree() {
    let (x, y) = data(60, 3, 2, 9);
    let (xt, _) = data(20, 3, 2, 10);
    for m in [
        MethodSpec::Ce,
        MethodSpec::LabelSmoothing {
            epsilon: 0.2,
            style: SmoothingStyle::Uniform,
        },
        MethodSpec::LabelSmoothing {
            epsilon: 0.2,
            style: SmoothingStyle::Others,
        },
    ] {
        let lbfgs = OptimizerSpec::Lbfgs { history: 10 };
        let soft = fit(
            &x,
            &y,
            2,
            &model(ModelKind::Softmax, 0.2, lbfgs.clone()),
            &m,
        )
        .unwrap();
        let logi = fit(&x, &y, 2, &model(ModelKind::Logistic, 0.1, lbfgs), &m).unwrap();
        assert!(soft.report.converged() && logi.report.converged());
        let (ps, pl) = (
            soft.model.predict_proba(xt.view()),
            logi.model.predict_proba(xt.view()),
        );
        for (a, b) in ps.iter().zip(pl.iter()) {
            assert!((a - b).abs() < 1e-7, "{m:?}: {a} vs {b}");
        }
    }
}

/// Every method fits both model kinds with L-BFGS to the gradient tolerance (l2 > 0 keeps the
/// backward-corrected and negative-ε objectives bounded below).
#[test]
fn every_method_fits_both_models() {
    for (kind, k, _) in MODELS {
        let (x, y) = data(80, 4, k, 11);
        for m in every_method(k) {
            let out = fit(
                &x,
                &y,
                k,
                &model(kind, 0.05, OptimizerSpec::Lbfgs { history: 10 }),
                &m,
            )
            .unwrap();
            assert!(out.report.converged(), "{kind:?} {m:?}: {:?}", out.report);
            assert!(out.report.grad_max <= 1e-7);
        }
    }
}

#[test]
fn singular_noise_matrix_is_an_error_for_backward_correction() {
    // Symmetric noise at rate (K−1)/K makes every row of T equal: T is singular.
    for k in [2usize, 3] {
        let t = labelnoise::noise::expected_matrix(
            &NoiseSpec::Symmetric {
                rate: (k - 1) as f64 / k as f64,
                count: CountMode::Exact,
                include_true: false,
            },
            k,
        )
        .unwrap();
        let m = MethodSpec::BackwardCorrection {
            matrix: MatrixSource::True,
        };
        let err = train::resolve_loss(&m, k, ModelKind::Softmax, Some(&t)).unwrap_err();
        assert!(
            matches!(&err, TrainError::Invalid(s) if s.contains("singular")),
            "{err:?}"
        );
        // Forward correction needs no inverse.
        let fwd = MethodSpec::ForwardCorrection {
            matrix: MatrixSource::True,
        };
        assert!(matches!(
            train::resolve_loss(&fwd, k, ModelKind::Softmax, Some(&t)),
            Ok(RowLoss::Forward { .. })
        ));
    }
}

#[test]
fn forward_correction_with_an_impossible_observed_label_is_an_error() {
    let (x, y) = data(20, 2, 2, 12);
    let m = MethodSpec::ForwardCorrection {
        matrix: MatrixSource::Given(vec![vec![1.0, 0.0], vec![1.0, 0.0]]),
    };
    let err = fit(
        &x,
        &y,
        2,
        &model(
            ModelKind::Logistic,
            0.1,
            OptimizerSpec::Lbfgs { history: 10 },
        ),
        &m,
    )
    .unwrap_err();
    assert!(
        matches!(&err, TrainError::Invalid(s) if s.contains("column 1")),
        "{err:?}"
    );
}

/// On a strongly convex problem both mini-batch optimizers, with a cosine schedule decaying to 0,
/// end near the L-BFGS minimum (a fact about the objective, not about our optimizers' paths).
#[test]
fn minibatch_optimizers_approach_the_lbfgs_minimum() {
    let (x, y) = data(200, 4, 3, 13);
    let m = MethodSpec::LabelSmoothing {
        epsilon: 0.1,
        style: SmoothingStyle::Uniform,
    };
    let best = fit(
        &x,
        &y,
        3,
        &model(
            ModelKind::Softmax,
            0.05,
            OptimizerSpec::Lbfgs { history: 10 },
        ),
        &m,
    )
    .unwrap();
    assert!(best.report.converged());
    for opt in [
        OptimizerSpec::Sgd {
            epochs: 200,
            batch_size: 20,
            learning_rate: 0.05,
            momentum: 0.9,
            schedule: Schedule::Cosine,
        },
        OptimizerSpec::Adam {
            epochs: 200,
            batch_size: 20,
            learning_rate: 0.02,
            schedule: Schedule::Cosine,
        },
    ] {
        let out = fit(&x, &y, 3, &model(ModelKind::Softmax, 0.05, opt.clone()), &m).unwrap();
        assert_eq!(out.report.iterations, 200);
        assert_eq!(out.report.evaluations, 200 * 10 + 1);
        let gap = out.report.objective - best.report.objective;
        assert!((0.0..1e-5).contains(&gap), "{opt:?}: gap {gap}");
    }
}

// ---- through the engine -------------------------------------------------------------------------

fn run_scenario(text: &str, threads: usize) -> (tempfile::TempDir, Vec<RunRecord>) {
    let s =
        scenario::parse(text, "inline.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e:?}"));
    let dir = tempfile::tempdir().unwrap();
    let opts = Options {
        out: dir.path().join("out"),
        threads: Some(threads),
        shard: None,
        force: false,
        allow_other_build: false,
        stop: Arc::new(AtomicBool::new(false)),
    };
    let outcome = engine::run(&s, &opts, &engine::event::ignore).unwrap();
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    let mut recs = engine::store::load(&opts.out).unwrap().records;
    recs.sort_by(|a, b| a.id.cmp(&b.id));
    (dir, recs)
}

/// Records as JSON without the wall-clock part.
fn results(recs: &[RunRecord]) -> Vec<String> {
    recs.iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap();
            v.as_object_mut().unwrap().remove("timing");
            v.to_string()
        })
        .collect()
}

const MINIBATCH: &str = r#"
name = "minibatch-determinism"
seeds = 2
[dataset]
source = "blobs"
classes = 3
features = 6
train = 150
test = 100
[noise]
kind = "symmetric"
rate = 0.3
[model]
optimizer = ["sgd", "adam"]
epochs = 4
batch_size = 16
schedule = "cosine"
[[method]]
kind = "ce"
[[method]]
kind = "label_smoothing"
epsilon = [0.0, 0.1]
[[method]]
kind = "gce"
"#;

#[test]
fn minibatch_runs_are_bit_identical_across_thread_counts() {
    let (_a, one) = run_scenario(MINIBATCH, 1);
    let (_b, two) = run_scenario(MINIBATCH, 2);
    let (_c, again) = run_scenario(MINIBATCH, 2);
    assert_eq!(one.len(), 2 * 2 * 4);
    assert_eq!(results(&one), results(&two));
    assert_eq!(results(&two), results(&again));
    for r in &one {
        assert_eq!(r.trace.len(), 4, "mini-batch runs trace by default");
        assert_eq!(r.optimizer.iterations, 4);
    }
    // Batch order comes from the (dataset, noise) stream, not the method: ce and label smoothing
    // with ε = 0 (the same objective) train identically, optimizer by optimizer and seed by seed.
    let find = |opt: &str, seed: u64, ce: bool| {
        one.iter()
            .find(|r| {
                r.seed == seed
                    && serde_json::to_value(&r.config.model).unwrap()["optimizer"] == opt
                    && if ce {
                        r.config.method == MethodSpec::Ce
                    } else {
                        r.config.method
                            == MethodSpec::LabelSmoothing {
                                epsilon: 0.0,
                                style: SmoothingStyle::Uniform,
                            }
                    }
            })
            .unwrap()
    };
    for opt in ["sgd", "adam"] {
        for seed in [0, 1] {
            let (a, b) = (find(opt, seed, true), find(opt, seed, false));
            assert_eq!(a.metrics, b.metrics);
            assert_eq!(a.trace, b.trace);
        }
    }
    assert_ne!(find("sgd", 0, true).metrics, find("sgd", 1, true).metrics);
}

/// Blobs with more features than training samples (separable with probability 1) and 40% symmetric
/// noise: the trace has one point per epoch, steps 1..E, every field finite, and the corrupted-sample
/// loss and memorization present.
#[test]
fn trace_is_one_finite_point_per_epoch() {
    let text = r#"
name = "trace-shape"
seeds = [0]
[dataset]
source = "blobs"
classes = 3
features = 120
train = 90
test = 90
separation = 3.0
[noise]
kind = "symmetric"
rate = 0.4
[model]
optimizer = "sgd"
l2 = 0.0
epochs = 12
batch_size = 10
learning_rate = 0.05
[[method]]
kind = "ce"
"#;
    let (_d, recs) = run_scenario(text, 1);
    let r = &recs[0];
    assert_eq!(r.noise.flipped, 36);
    assert_eq!(r.trace.len(), 12);
    for (e, p) in r.trace.iter().enumerate() {
        assert_eq!(p.step, e + 1);
        let fields = [
            p.objective,
            p.train_loss_corrupted.expect("corrupted samples exist"),
            p.train_loss_clean.expect("clean samples exist"),
            p.memorized.expect("corrupted samples exist"),
            p.test_accuracy,
            p.weight_norm,
        ];
        assert!(fields.iter().all(|v| v.is_finite()), "{p:?}");
        assert!(
            (0.0..=1.0).contains(&p.memorized.unwrap()) && (0.0..=1.0).contains(&p.test_accuracy)
        );
        assert!(p.validation_loss.is_none());
    }
    // The last point is the returned model.
    let last = r.trace.last().unwrap();
    assert_eq!(last.weight_norm, r.metrics.get(Metric::WeightNorm).unwrap());
    assert_eq!(last.memorized, r.metrics.get(Metric::Memorized));
    // L-BFGS traces every `trace_every` iterations.
    let lbfgs = text
        .replace(
            "optimizer = \"sgd\"",
            "optimizer = \"lbfgs\"\ntrace = true\ntrace_every = 3\nmax_iter = 20",
        )
        .replace("epochs = 12\nbatch_size = 10\nlearning_rate = 0.05\n", "");
    let (_d, recs) = run_scenario(&lbfgs, 1);
    let r = &recs[0];
    let steps: Vec<usize> = r.trace.iter().map(|p| p.step).collect();
    assert_eq!(
        steps,
        (1..=r.optimizer.iterations / 3)
            .map(|i| 3 * i)
            .collect::<Vec<_>>()
    );
}

/// Early stopping watches mean CE on held-out noisy labels, returns the best epoch's weights and
/// records where it stopped.
#[test]
fn early_stopping_records_and_restores_the_best_epoch() {
    let text = r#"
name = "early-stopping"
seeds = [0, 1]
[dataset]
source = "blobs"
classes = 3
features = 60
train = 100
test = 100
separation = 1.0
[noise]
kind = "symmetric"
rate = 0.4
[model]
optimizer = "adam"
l2 = 0.0
epochs = 80
batch_size = 10
learning_rate = 0.05
early_stopping = true
validation_fraction = 0.2
patience = 4
[[method]]
kind = "ce"
"#;
    let (_d, recs) = run_scenario(text, 1);
    let mut stopped_early = 0;
    for r in &recs {
        let m = &r.metrics;
        let (stopped, best) = (
            m.get(Metric::StoppedEpoch).unwrap() as usize,
            m.get(Metric::BestEpoch).unwrap() as usize,
        );
        assert_eq!(m.get(Metric::ValidationSize).unwrap(), 20.0);
        assert_eq!(r.trace.len(), stopped);
        assert_eq!(r.optimizer.iterations, stopped);
        let vals: Vec<f64> = r.trace.iter().map(|p| p.validation_loss.unwrap()).collect();
        let argmin = (0..vals.len()).fold(0, |b, i| if vals[i] < vals[b] { i } else { b });
        assert_eq!(best, argmin + 1, "{vals:?}");
        assert_eq!(m.get(Metric::ValidationLoss).unwrap(), vals[argmin]);
        // The returned model is the best epoch's: same weights, same norm and test accuracy.
        assert_eq!(
            m.get(Metric::WeightNorm).unwrap(),
            r.trace[argmin].weight_norm
        );
        assert_eq!(
            m.get(Metric::TestAccuracy).unwrap(),
            r.trace[argmin].test_accuracy
        );
        if r.optimizer.termination == train::Termination::EarlyStopped {
            assert_eq!(stopped - best, 4);
            stopped_early += 1;
        } else {
            assert_eq!(stopped, 80);
        }
    }
    assert!(
        stopped_early > 0,
        "with 40% noise and D > n, the noisy validation loss turns up"
    );
}

#[test]
fn singular_true_matrix_fails_the_run_with_a_clear_message() {
    let text = r#"
name = "singular"
seeds = [0]
[dataset]
source = "blobs"
classes = 2
features = 3
train = 50
test = 50
[noise]
kind = "symmetric"
rate = 0.5
[[method]]
kind = "backward_correction"
"#;
    // The scenario check already knows the scenario's T: the singular matrix is refused before any
    // training, naming the kind, the rate and K.
    let err = scenario::parse(text, "inline.toml", Path::new(".")).unwrap_err();
    assert!(err.plain().contains("singular"), "{}", err.plain());
}

#[test]
fn shipped_method_scenarios_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let compare =
        scenario::load(&root.join("methods_compare.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    // 4 noise settings (2 kinds × 2 rates) × 7 methods × 3 seeds.
    assert_eq!(compare.run_count(), 4 * 7 * 3);
    let memo = scenario::load(&root.join("memorization.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(memo.run_count(), 2 * 5 * 3);
    assert!(memo
        .runs()
        .iter()
        .all(|r| r.model.trace && matches!(r.model.optimizer, OptimizerSpec::Sgd { .. })));
}

/// A correction matrix given in the file is the one used: with T = I both corrections are
/// cross entropy, so the fits are identical to `ce` bit for bit.
#[test]
fn given_identity_matrix_corrections_train_exactly_like_ce() {
    let text = r#"
name = "given-matrix"
seeds = [0]
[dataset]
source = "blobs"
classes = 2
features = 4
train = 80
test = 80
[noise]
kind = "symmetric"
rate = 0.2
[model]
kind = "logistic"
[[method]]
kind = "ce"
[[method]]
kind = "forward_correction"
matrix = [[1.0, 0.0], [0.0, 1.0]]
[[method]]
kind = "backward_correction"
matrix = [[1.0, 0.0], [0.0, 1.0]]
"#;
    let (_d, recs) = run_scenario(text, 1);
    assert_eq!(recs.len(), 3);
    let ce = recs
        .iter()
        .find(|r| r.config.method == MethodSpec::Ce)
        .unwrap();
    for r in &recs {
        assert_eq!(r.metrics, ce.metrics, "{:?}", r.config.method);
    }
}

#[test]
fn negative_epsilon_needs_an_l2_penalty() {
    let text = |l2: &str| {
        format!(
            "name = \"neg\"\n[dataset]\nsource = \"blobs\"\n[model]\nl2 = {l2}\n\
             [[method]]\nkind = \"label_smoothing\"\nepsilon = -0.1\n"
        )
    };
    let err = scenario::parse(&text("0.0"), "neg.toml", Path::new(".")).unwrap_err();
    assert!(format!("{err:?}").contains("model.l2"), "{err:?}");
    assert!(scenario::parse(&text("0.01"), "neg.toml", Path::new(".")).is_ok());
}
