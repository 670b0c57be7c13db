//! Noise models: exact counts (property tests), realized rates against the model's definition
//! (statistical tests at fixed seeds), and reproducibility through the engine.

use labelnoise::data::{self, Dataset};
use labelnoise::engine::{self, store, Options};
use labelnoise::metrics::Metric;
use labelnoise::noise::{self, boundary, NoisyLabels};
use labelnoise::rng::derive;
use labelnoise::scenario::spec::{CountMode, DataSource, DatasetSpec, NoiseSpec};
use ndarray::Array2;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Labels only: the class-conditional and uniform kinds never look at the features.
fn no_features(n: usize) -> Array2<f64> {
    Array2::zeros((n, 0))
}

fn apply(spec: &NoiseSpec, truth: &[usize], k: usize, seed: u64) -> NoisyLabels {
    noise::apply(
        spec,
        truth,
        k,
        &no_features(truth.len()),
        &mut derive("test", seed, &[]),
    )
    .unwrap()
}

fn class_sizes(truth: &[usize], k: usize) -> Vec<usize> {
    let mut n = vec![0; k];
    truth.iter().for_each(|&y| n[y] += 1);
    n
}

/// True iff `cells` is a largest-remainder rounding of `quotas` (summing to `total`): every cell is
/// ⌊q⌋ or ⌈q⌉ (quotas within 1e-9 of an integer count as that integer), the cells sum to `total`,
/// and no cell rounded down has a larger remainder than a cell rounded up.
fn is_largest_remainder(quotas: &[f64], cells: &[usize], total: usize) -> Result<(), String> {
    if cells.iter().sum::<usize>() != total {
        return Err(format!("cells {cells:?} do not sum to {total}"));
    }
    let mut up_min = f64::INFINITY;
    let mut down_max = f64::NEG_INFINITY;
    for (&q, &c) in quotas.iter().zip(cells) {
        let (lo, hi) = ((q + 1e-9).floor(), (q - 1e-9).ceil());
        let c = c as f64;
        if c != lo && c != hi {
            return Err(format!("cell {c} is not a rounding of {q}"));
        }
        let r = q - q.floor();
        if c > q + 1e-9 {
            up_min = up_min.min(r);
        } else if c < q - 1e-9 {
            down_max = down_max.max(r);
        }
    }
    if down_max > up_min + 1e-9 {
        return Err(format!("a cell with remainder {down_max} was rounded down while one with {up_min} was rounded up"));
    }
    Ok(())
}

fn labels(k: usize, max_n: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..k, 1..max_n)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn exact_symmetric_flips_exactly_round_rate_n_never_to_the_true_class(
        (k, truth) in (2usize..30).prop_flat_map(|k| (Just(k), labels(k, 3000))),
        rate in 0.0f64..=1.0,
        seed in any::<u64>(),
    ) {
        let spec = NoiseSpec::Symmetric { rate, count: CountMode::Exact, include_true: false };
        let noisy = apply(&spec, &truth, k, seed);
        let want = (rate * truth.len() as f64).round() as usize;
        // Exactly `want` samples are redrawn; as many changed, so none was redrawn to its own class.
        prop_assert_eq!(noisy.realized.flipped, want);
        prop_assert!(noisy.observed.iter().all(|&o| o < k));
        for (i, row) in noisy.realized.transitions.iter().enumerate() {
            prop_assert_eq!(row.iter().sum::<usize>(), truth.iter().filter(|&&y| y == i).count());
        }
    }

    #[test]
    fn exact_matrix_noise_hits_every_largest_remainder_cell_count(
        (k, truth, raw) in (2usize..8).prop_flat_map(|k| (
            Just(k),
            labels(k, 2000),
            prop::collection::vec(prop::collection::vec(prop_oneof![Just(0.0), 0.0f64..1.0], k), k),
        )),
        seed in any::<u64>(),
    ) {
        // Rows: random non-negative weights (some exactly 0), normalized; an all-zero row is I.
        let t: Vec<Vec<f64>> = raw.iter().enumerate().map(|(i, row)| {
            let s: f64 = row.iter().sum();
            if s == 0.0 { (0..k).map(|j| f64::from(u8::from(i == j))).collect() } else { row.iter().map(|v| v / s).collect() }
        }).collect();
        let spec = NoiseSpec::Matrix { matrix: t.clone(), count: CountMode::Exact };
        let noisy = apply(&spec, &truth, k, seed);
        for (i, n_i) in class_sizes(&truth, k).into_iter().enumerate() {
            let quotas: Vec<f64> = t[i].iter().map(|p| p * n_i as f64).collect();
            if let Err(e) = is_largest_remainder(&quotas, &noisy.realized.transitions[i], n_i) {
                return Err(TestCaseError::fail(format!("class {i}: {e}")));
            }
        }
    }

    #[test]
    fn pairflip_maps_only_i_to_i_plus_1_mod_k_with_exact_per_class_counts(
        (k, truth) in (2usize..12).prop_flat_map(|k| (Just(k), labels(k, 2000))),
        rate in 0.0f64..=1.0,
        seed in any::<u64>(),
        exact in any::<bool>(),
    ) {
        let count = if exact { CountMode::Exact } else { CountMode::Bernoulli };
        let noisy = apply(&NoiseSpec::Pairflip { rate, count }, &truth, k, seed);
        for (&y, &o) in truth.iter().zip(&noisy.observed) {
            prop_assert!(o == y || o == (y + 1) % k, "{} → {}", y, o);
        }
        if exact {
            for (i, n_i) in class_sizes(&truth, k).into_iter().enumerate() {
                // Two cells: the flip count is rate·n_i rounded (either way on an exact .5 tie).
                let moved = n_i - noisy.realized.transitions[i][i];
                prop_assert!((moved as f64 - rate * n_i as f64).abs() <= 0.5 + 1e-9, "class {}: {} of {}", i, moved, n_i);
            }
        }
    }
}

#[test]
fn exact_counts_survive_many_classes_where_truncation_would_lose_them() {
    // cleanlab's pitfall: K = 120, 20% symmetric noise as a matrix, 50 samples per class. Per-cell
    // truncation of 0.2/119·50 ≈ 0.084 gives 0 flips; largest remainder keeps 10 per class.
    let k = 120;
    let t = labelnoise::noise::symmetric::matrix(0.2, k, false);
    let truth: Vec<usize> = (0..k * 50).map(|i| i % k).collect();
    let noisy = apply(
        &NoiseSpec::Matrix {
            matrix: t,
            count: CountMode::Exact,
        },
        &truth,
        k,
        3,
    );
    assert_eq!(noisy.realized.flipped, k * 10);
    assert!((noisy.realized.rate - 0.2).abs() < 1e-12);
}

#[test]
fn bernoulli_matrix_noise_realizes_every_cell_within_five_standard_errors() {
    let t = vec![
        vec![0.7, 0.2, 0.1, 0.0],
        vec![0.05, 0.9, 0.0, 0.05],
        vec![0.25, 0.25, 0.25, 0.25],
        vec![0.0, 0.0, 0.4, 0.6],
    ];
    // 100,000 labels with unequal classes (10%, 20%, 30%, 40%).
    let truth: Vec<usize> = (0..100_000)
        .map(|i| [0, 1, 1, 2, 2, 2, 3, 3, 3, 3][i % 10])
        .collect();
    let noisy = apply(
        &NoiseSpec::Matrix {
            matrix: t.clone(),
            count: CountMode::Bernoulli,
        },
        &truth,
        4,
        11,
    );
    for (i, n_i) in class_sizes(&truth, 4).into_iter().enumerate() {
        for (j, &p) in t[i].iter().enumerate() {
            let got = noisy.realized.transitions[i][j] as f64 / n_i as f64;
            let se = (p * (1.0 - p) / n_i as f64).sqrt();
            assert!(
                (got - p).abs() <= 5.0 * se,
                "cell ({i}, {j}): {got} vs {p} ± {se}"
            );
        }
    }
    // The expected rate is class-weighted: Σ n_i/n (1 − T_ii).
    let want = 0.1 * 0.3 + 0.2 * 0.1 + 0.3 * 0.75 + 0.4 * 0.4;
    assert!((noisy.expected_rate - want).abs() < 1e-12);
}

fn blobs(classes: usize, features: usize, train: usize, separation: f64, seed: u64) -> Dataset {
    let spec = DatasetSpec {
        source: DataSource::Blobs {
            classes,
            features,
            separation,
        },
        train: Some(train),
        test: Some(50),
        test_fraction: 0.25,
        standardize: true,
        noise_stream: Default::default(),
    };
    data::build(&spec, Path::new("."), seed).unwrap()
}

#[test]
fn instance_noise_realizes_its_mean_rate_at_n_10000() {
    let data = blobs(5, 10, 10_000, 1.0, 0);
    for (rate, seed) in [(0.2, 1), (0.4, 2)] {
        let spec = NoiseSpec::Instance { rate, std: 0.1 };
        let noisy = noise::apply(
            &spec,
            &data.y_train,
            5,
            &data.x_train,
            &mut derive("test", seed, &[]),
        )
        .unwrap();
        assert!(
            (noisy.realized.rate - rate).abs() < 0.02,
            "rate {rate}: realized {}",
            noisy.realized.rate
        );
    }
    // At rate 0 the truncated normal is a half normal: E[q] = 0.1·sqrt(2/π) ≈ 0.0798, on record as
    // the expected rate and realized within sampling error (sd of the flip count ≤ sqrt(n·E[q])).
    let noisy = noise::apply(
        &NoiseSpec::Instance {
            rate: 0.0,
            std: 0.1,
        },
        &data.y_train,
        5,
        &data.x_train,
        &mut derive("test", 3, &[]),
    )
    .unwrap();
    let half_normal = 0.1 * (2.0 / std::f64::consts::PI).sqrt();
    assert!((noisy.expected_rate - half_normal).abs() < 1e-12);
    assert!((noisy.realized.rate - half_normal).abs() < 5.0 * (half_normal / 10_000.0).sqrt());
}

#[test]
fn instance_noise_targets_depend_on_the_features() {
    // Uniform targets would send each class's flips evenly to the K − 1 = 4 others (25% each). The
    // softmax of x·W_y concentrates them: in some class one target takes far more than its share.
    let data = blobs(5, 10, 4000, 1.0, 0);
    let noisy = noise::apply(
        &NoiseSpec::Instance {
            rate: 0.5,
            std: 0.1,
        },
        &data.y_train,
        5,
        &data.x_train,
        &mut derive("test", 4, &[]),
    )
    .unwrap();
    let t = &noisy.realized.transitions;
    let top_share = (0..5)
        .map(|i| {
            let off: Vec<usize> = (0..5).filter(|&j| j != i).map(|j| t[i][j]).collect();
            *off.iter().max().unwrap() as f64 / off.iter().sum::<usize>() as f64
        })
        .fold(0.0, f64::max);
    assert!(top_share > 0.4, "largest target share {top_share}");
}

#[test]
fn boundary_noise_flips_exactly_and_prefers_uncertain_samples() {
    let data = blobs(3, 5, 3000, 1.0, 0);
    let spec = NoiseSpec::Boundary {
        rate: 0.2,
        count: CountMode::Exact,
        floor: 0.05,
    };
    let noisy = noise::apply(
        &spec,
        &data.y_train,
        3,
        &data.x_train,
        &mut derive("test", 5, &[]),
    )
    .unwrap();
    assert_eq!(noisy.realized.flipped, 600);
    let probs = boundary::reference_probabilities(&data.x_train, &data.y_train, 3).unwrap();
    let h: Vec<f64> = probs.rows().into_iter().map(boundary::entropy).collect();
    let mean = |flipped: bool| {
        let v: Vec<f64> = (0..h.len())
            .filter(|&i| noisy.corrupted[i] == flipped)
            .map(|i| h[i])
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(
        mean(true) > 1.5 * mean(false),
        "entropy flipped {} vs unflipped {}",
        mean(true),
        mean(false)
    );
    // Each flip goes to the reference model's most probable wrong class.
    for &i in &noisy.realized.flipped_ids {
        let y = data.y_train[i];
        let best = (0..3)
            .filter(|&j| j != y)
            .max_by(|&a, &b| probs[[i, a]].total_cmp(&probs[[i, b]]))
            .unwrap();
        assert_eq!(noisy.observed[i], best);
    }
}

#[test]
fn boundary_bernoulli_realizes_its_expected_rate() {
    let data = blobs(4, 5, 4000, 1.0, 1);
    let spec = NoiseSpec::Boundary {
        rate: 0.3,
        count: CountMode::Bernoulli,
        floor: 0.05,
    };
    let noisy = noise::apply(
        &spec,
        &data.y_train,
        4,
        &data.x_train,
        &mut derive("test", 6, &[]),
    )
    .unwrap();
    // Σ Bernoulli(p_i): variance ≤ n·E/… ≤ n/4.
    let sd = (0.25f64 / 4000.0).sqrt();
    assert!(noisy.expected_rate <= 0.3 + 1e-12);
    assert!((noisy.realized.rate - noisy.expected_rate).abs() < 5.0 * sd);
}

#[test]
fn asymmetric_noise_at_run_time_refuses_k_other_than_2() {
    let err = noise::apply(
        &NoiseSpec::Asymmetric {
            rate_pos: 0.1,
            rate_neg: 0.1,
            count: CountMode::Exact,
        },
        &[0, 1, 2],
        3,
        &no_features(3),
        &mut derive("test", 0, &[]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("binary"), "{err}");
    let err = noise::apply(
        &NoiseSpec::Matrix {
            matrix: vec![vec![1.0, 0.0], vec![0.0, 1.0]],
            count: CountMode::Exact,
        },
        &[0, 1, 2],
        3,
        &no_features(3),
        &mut derive("test", 0, &[]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("K = 3"), "{err}");
}

const SCENARIO: &str = r#"
name = "noise-repro"
seeds = 3
[dataset]
source = "blobs"
classes = 3
features = 4
train = 300
test = 60
separation = 1.0
[[noise]]
kind = "symmetric"
rate = 0.3
count = "bernoulli"
[[noise]]
kind = "instance"
rate = 0.3
[[noise]]
kind = "boundary"
rate = 0.2
[model]
kind = "softmax"
l2 = 1e-2
[[method]]
kind = "ce"
[[method]]
kind = "label_smoothing"
epsilon = [0.1, 0.2]
"#;

/// Sidecar text and flipped ids by noise id.
type Sidecars = BTreeMap<String, (String, Vec<usize>)>;

/// Runs the scenario into `dir`; returns the records and the sidecars.
fn run_scenario(dir: &Path, threads: usize) -> (Vec<engine::record::RunRecord>, Sidecars) {
    let scenario =
        labelnoise::scenario::parse(SCENARIO, "noise-repro.toml", Path::new(".")).unwrap();
    let opts = Options {
        out: dir.to_path_buf(),
        threads: Some(threads),
        shard: None,
        force: false,
        allow_other_build: false,
        stop: Arc::new(AtomicBool::new(false)),
    };
    let outcome = engine::run(&scenario, &opts, &engine::event::ignore).unwrap();
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    let records = store::load(dir).unwrap().records;
    let mut sidecars = BTreeMap::new();
    for r in &records {
        let text =
            std::fs::read_to_string(dir.join("noise").join(format!("{}.json", r.noise.noise_id)))
                .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ids: Vec<usize> = serde_json::from_value(v["flipped_ids"].clone()).unwrap();
        sidecars.insert(r.noise.noise_id.clone(), (text, ids));
    }
    (records, sidecars)
}

#[test]
fn same_seed_same_noisy_labels_across_methods_and_runs_and_repetitions_differ() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (records, sidecars) = run_scenario(a.path(), 2);
    assert_eq!(records.len(), 3 * 3 * 3);
    // Every method of one (noise, seed) cell trained on the same realized noise.
    let mut by_cell: BTreeMap<(String, u64), BTreeSet<String>> = BTreeMap::new();
    for r in &records {
        let key = (serde_json::to_string(&r.config.noise).unwrap(), r.seed);
        let realized = serde_json::to_string(&(
            &r.noise.noise_id,
            r.noise.flipped,
            &r.noise.transitions,
            r.metrics.get(Metric::Flipped).unwrap(),
        ))
        .unwrap();
        by_cell.entry(key).or_default().insert(realized);
        assert_eq!(sidecars[&r.noise.noise_id].1.len(), r.noise.flipped);
    }
    assert_eq!(by_cell.len(), 9);
    assert!(by_cell.values().all(|s| s.len() == 1), "{by_cell:?}");
    // The sidecar is what the noise model gives for (seed, dataset, noise) alone, recomputed here.
    for r in &records {
        let data = data::build(&r.config.dataset, Path::new("."), r.seed).unwrap();
        let keys = [
            serde_json::to_string(&r.config.dataset).unwrap(),
            serde_json::to_string(&r.config.noise).unwrap(),
        ];
        let mut rng = derive("noise", r.seed, &[&keys[0], &keys[1]]);
        let noisy = noise::apply(
            &r.config.noise,
            &data.y_train,
            data.classes,
            &data.x_train,
            &mut rng,
        )
        .unwrap();
        assert_eq!(noisy.realized.flipped_ids, sidecars[&r.noise.noise_id].1);
    }
    // Repetitions differ.
    let ids: BTreeSet<&Vec<usize>> = sidecars.values().map(|(_, ids)| ids).collect();
    assert_eq!(ids.len(), 9);
    // Another run, on one thread, writes byte-identical sidecars.
    let (_, again) = run_scenario(b.path(), 1);
    assert_eq!(sidecars, again);
}

#[test]
fn noise_kinds_scenario_plans_every_matrix_and_runs_every_kind() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/noise_kinds.toml");
    let scenario = labelnoise::scenario::load(&path).unwrap();
    let plan = labelnoise::commands::plan_text(&scenario);
    for kind in ["symmetric", "pairflip", "asymmetric", "matrix"] {
        assert!(
            plan.contains(&format!(
                "noise matrix T[i][j] = P(observed j | true i), {kind}"
            )),
            "{plan}"
        );
    }
    assert!(
        plan.contains("expected flip rate is rate·(K−1)/K = 0.15"),
        "{plan}"
    );
    let dir = tempfile::tempdir().unwrap();
    let opts = Options {
        out: dir.path().to_path_buf(),
        threads: Some(2),
        shard: None,
        force: false,
        allow_other_build: false,
        stop: Arc::new(AtomicBool::new(false)),
    };
    let outcome = engine::run(&scenario, &opts, &engine::event::ignore).unwrap();
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    let records = store::load(dir.path()).unwrap().records;
    let kinds: BTreeSet<&str> = records.iter().map(|r| r.config.noise.kind_name()).collect();
    assert_eq!(kinds.len(), 7);
    for r in &records {
        let n = r.data.n_train;
        match &r.config.noise {
            NoiseSpec::None => assert_eq!(r.noise.flipped, 0),
            // Exact counts: round(rate·n) per class (balanced binary blobs, 250 per class).
            NoiseSpec::Pairflip { rate, .. } => assert_eq!(r.noise.flipped as f64, rate * n as f64),
            NoiseSpec::Asymmetric {
                rate_pos, rate_neg, ..
            } => {
                assert_eq!(r.noise.transitions[1][0] as f64, rate_pos * 250.0);
                assert_eq!(r.noise.transitions[0][1] as f64, rate_neg * 250.0);
            }
            NoiseSpec::Boundary { rate, .. } => assert_eq!(r.noise.flipped as f64, rate * n as f64),
            NoiseSpec::Symmetric { .. } => assert_eq!(r.noise.expected_rate, Some(0.15)),
            NoiseSpec::Matrix { .. } | NoiseSpec::Instance { .. } => assert!(r.noise.flipped > 0),
            NoiseSpec::Given { .. } => unreachable!("the scenario has no given labels"),
        }
    }
}
