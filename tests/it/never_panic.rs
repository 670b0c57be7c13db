//! Never panic on user input: bounded property tests standing in for the cargo-fuzz targets in
//! `fuzz/` (which need nightly; `scripts/fuzz.sh` runs them). Scenario text (arbitrary, mutated
//! and generated from the schema) and CSV bytes must give a result or an error, never a panic, and
//! whatever validation accepts must obey the documented rules.

use labelnoise::data;
use labelnoise::scenario::schema::{self, limits, Key, Ty};
use labelnoise::scenario::spec::*;
use labelnoise::scenario::{self, Scenario, ScenarioError};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// Parses and renders; checks what holds for any outcome.
fn parse_and_render(text: &str) -> Result<Scenario, ScenarioError> {
    let result = scenario::parse(text, "p.toml", Path::new("/nonexistent-proptest-dir"));
    match &result {
        Ok(s) => {
            assert!(s.run_count() >= 1 && s.run_count() <= limits::MAX_RUNS);
            if s.run_count() <= 2000 {
                assert_eq!(s.runs().len(), s.run_count());
                // `plan` prints the K×K noise matrix: only for small K, to keep the suite fast.
                let small_k = s
                    .datasets
                    .iter()
                    .all(|d| data::static_shape(&d.spec.source).is_none_or(|sh| sh.classes <= 50));
                if small_k {
                    let _ = labelnoise::commands::plan_text(s);
                }
            }
            accepted_rules_hold(s);
        }
        Err(e) => {
            assert!(!e.problems.is_empty());
            for p in &e.problems {
                if let Some(r) = &p.span {
                    assert!(
                        r.start <= r.end && r.start <= text.len() + 1,
                        "{r:?} in {} bytes",
                        text.len()
                    );
                }
            }
            let plain = e.plain();
            assert!(plain.lines().count() >= e.problems.len());
            let _ = e.render();
        }
    }
    result
}

/// The rules of DESIGN.md, checked on what validation let through (independent of how it checks).
fn accepted_rules_hold(s: &Scenario) {
    let rate = |r: f64| (0.0..=1.0).contains(&r);
    for d in &s.datasets {
        assert!(d.spec.test_fraction > 0.0 && d.spec.test_fraction < 1.0);
        assert_ne!(d.spec.train, Some(0));
        assert_ne!(d.spec.test, Some(0));
        if let DataSource::Blobs { classes, .. }
        | DataSource::Classification { classes, .. }
        | DataSource::Separable { classes, .. } = d.spec.source
        {
            assert!((2..=limits::MAX_CLASSES).contains(&classes));
            assert!(d.spec.train.unwrap() >= classes);
        }
    }
    for n in &s.noises {
        match &n.spec {
            NoiseSpec::Symmetric { rate: r, .. }
            | NoiseSpec::Pairflip { rate: r, .. }
            | NoiseSpec::Instance { rate: r, .. }
            | NoiseSpec::Boundary { rate: r, .. } => {
                assert!(rate(*r))
            }
            NoiseSpec::Asymmetric {
                rate_pos, rate_neg, ..
            } => assert!(rate(*rate_pos) && rate(*rate_neg)),
            NoiseSpec::Matrix { matrix, .. } => {
                assert!(matrix.len() >= 2);
                for row in matrix {
                    assert_eq!(row.len(), matrix.len());
                    assert!(row.iter().all(|v| rate(*v)));
                    assert!((row.iter().sum::<f64>() - 1.0).abs() <= 1e-9);
                }
            }
            NoiseSpec::None | NoiseSpec::Given { .. } => {}
        }
    }
    for m in &s.models {
        assert!(m.spec.l2 >= 0.0 && m.spec.max_iter >= 1);
        for me in &s.methods {
            if let MethodSpec::LabelSmoothing { epsilon, .. } = me.spec {
                assert!(epsilon < 1.0);
                assert!(epsilon >= 0.0 || m.spec.l2 > 0.0);
            }
        }
    }
}

/// A value for a key of the schema: usually of the right type, sometimes valid, sometimes not.
fn value_for(key: &'static Key) -> BoxedStrategy<String> {
    let number = prop_oneof![
        Just("0".to_string()),
        Just("1".to_string()),
        Just("-1".to_string()),
        Just("0.5".to_string()),
        Just("1e-4".to_string()),
        Just("1.0".to_string()),
        Just("1e300".to_string()),
        Just("-1e-300".to_string()),
        Just("9223372036854775807".to_string()),
        Just("nan".to_string()),
        (0u32..5000).prop_map(|v| v.to_string()),
        (-2.0f64..2.0).prop_map(|v| format!("{v:?}")),
    ];
    let scalar: BoxedStrategy<String> = match key.ty {
        Ty::Float | Ty::Int => number.boxed(),
        Ty::Bool => prop_oneof![
            Just("true".to_string()),
            Just("false".to_string()),
            Just("1".to_string())
        ]
        .boxed(),
        Ty::Choice(allowed) if !allowed.is_empty() => prop_oneof![
            4 => proptest::sample::select(allowed.to_vec()).prop_map(|s| format!("\"{s}\"")),
            1 => Just("\"nope\"".to_string()),
            1 => Just("3".to_string()),
        ]
        .boxed(),
        Ty::Choice(_) => prop_oneof![
            Just("\"data.csv\"".to_string()),
            Just("\",\"".to_string()),
            Just("\"\"".to_string()),
            Just("\"\\t\"".to_string()),
            Just("\"é\"".to_string()),
        ]
        .boxed(),
        Ty::Matrix | Ty::MatrixOrTrue => prop_oneof![
            Just("[[0.8, 0.2], [0.3, 0.7]]".to_string()),
            Just("[[0.5, 0.5], [0.5, 0.5]]".to_string()),
            Just("[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]".to_string()),
            Just("[[0.9, 0.1], [0.2]]".to_string()),
            Just("[]".to_string()),
            Just("[[]]".to_string()),
            Just("[[1]]".to_string()),
            Just("\"true\"".to_string()),
            Just("[1, 2]".to_string()),
        ]
        .boxed(),
        Ty::Column => prop_oneof![
            Just("\"label\"".to_string()),
            Just("0".to_string()),
            Just("-1".to_string())
        ]
        .boxed(),
        Ty::Columns => prop_oneof![
            Just("[\"a\", \"b\"]".to_string()),
            Just("[0, 0]".to_string()),
            Just("[]".to_string()),
            Just("[\"test_accuracy\"]".to_string()),
        ]
        .boxed(),
        Ty::Names => prop_oneof![
            Just("[\"model.l2\", \"method.epsilon\"]".to_string()),
            Just("[\"method.epsilon\"]".to_string()),
            Just("[\"noise.rate\"]".to_string()),
            Just("[\"model.l2\", \"model.l2\"]".to_string()),
            Just("[]".to_string()),
            Just("[1]".to_string()),
            Just("\"model.l2\"".to_string()),
        ]
        .boxed(),
    };
    if key.sweep {
        prop_oneof![
            3 => scalar.clone(),
            1 => proptest::collection::vec(scalar, 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        ]
        .boxed()
    } else {
        scalar
    }
}

/// A table: some of the section's keys (and now and then an unknown one) with values.
fn table(header: &'static str, keys: &'static [Key]) -> impl Strategy<Value = String> {
    let entries: Vec<BoxedStrategy<Option<String>>> = keys
        .iter()
        .map(|k| {
            prop_oneof![2 => Just(None), 1 => value_for(k).prop_map(move |v| Some(format!("{} = {v}", k.name)))].boxed()
        })
        .collect();
    (
        entries,
        proptest::option::weighted(0.1, Just("colour = 3".to_string())),
    )
        .prop_map(move |(e, extra)| {
            let mut lines = vec![header.to_string()];
            lines.extend(e.into_iter().flatten());
            lines.extend(extra);
            lines.join("\n")
        })
}

fn scenario_text() -> impl Strategy<Value = String> {
    (
        proptest::option::weighted(
            0.9,
            prop_oneof![
                Just("name = \"p\"".to_string()),
                Just("name = \"a b\"".to_string())
            ],
        ),
        proptest::option::of(prop_oneof![
            Just("seeds = 2".to_string()),
            Just("seeds = [1, 1]".to_string()),
            Just("seeds = 0".to_string()),
            Just("seeds = 1000000000000".to_string()),
        ]),
        proptest::collection::vec(table("[[dataset]]", schema::DATASET), 0..3),
        proptest::option::of(table("[noise]", schema::NOISE)),
        proptest::option::of(table("[model]", schema::MODEL)),
        proptest::collection::vec(table("[[method]]", schema::METHOD), 0..3),
        proptest::option::of(table("[report]", schema::REPORT)),
        proptest::option::of(table("[selection]", schema::SELECTION)),
    )
        .prop_map(
            |(name, seeds, datasets, noise, model, methods, report, selection)| {
                let mut parts: Vec<String> = name.into_iter().chain(seeds).collect();
                parts.extend(datasets);
                parts.extend(noise);
                parts.extend(model);
                parts.extend(methods);
                parts.extend(report);
                parts.extend(selection);
                parts.join("\n") + "\n"
            },
        )
}

/// A plausible value for a key: in its documented range most of the time, anything now and then.
fn plausible(key: &'static str) -> BoxedStrategy<String> {
    let f = |lo: f64, hi: f64| (lo..=hi).prop_map(|v| format!("{v:?}")).boxed();
    let i = |lo: u32, hi: u32| (lo..=hi).prop_map(|v| v.to_string()).boxed();
    let good = match key {
        "rate" | "rate_pos" | "rate_neg" | "beta" => f(0.0, 1.0),
        "epsilon" => f(-0.2, 0.95),
        "l2" => prop_oneof![
            Just("0.0".to_string()),
            Just("1e-4".to_string()),
            f(0.0, 1.0)
        ]
        .boxed(),
        "classes" => i(2, 6),
        "features" => i(1, 8),
        "train" => i(1, 300),
        "test" => i(1, 100),
        "separation" | "class_sep" | "margin" | "std" | "floor" => f(0.0, 3.0),
        "test_fraction" | "validation_fraction" => f(0.01, 0.99),
        "max_iter" | "epochs" | "patience" | "trace_every" | "history" | "ece_bins" => i(1, 30),
        "informative" | "redundant" | "clusters_per_class" => i(0, 4),
        "batch_size" => i(1, 400),
        "tolerance" | "learning_rate" | "momentum" => f(0.0, 0.99),
        "q" => f(0.01, 1.0),
        "binarize_threshold" => f(2.0, 9.0),
        "matrix" => prop_oneof![
            Just("[[0.8, 0.2], [0.3, 0.7]]".to_string()),
            Just("[[0.5, 0.5], [0.5, 0.5]]".to_string()),
            Just("[[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]".to_string()),
            Just("\"true\"".to_string()),
        ]
        .boxed(),
        "count" => proptest::sample::select(schema::COUNT_MODES.to_vec())
            .prop_map(|s| format!("\"{s}\""))
            .boxed(),
        "style" => proptest::sample::select(schema::STYLES.to_vec())
            .prop_map(|s| format!("\"{s}\""))
            .boxed(),
        "optimizer" => Just("\"lbfgs\"".to_string()).boxed(),
        "include_true" | "standardize" | "trace" => {
            prop_oneof![Just("true".to_string()), Just("false".to_string())].boxed()
        }
        _ => Just("1".to_string()).boxed(),
    };
    let list =
        proptest::collection::vec(good.clone(), 1..3).prop_map(|v| format!("[{}]", v.join(", ")));
    let any_key = [
        schema::DATASET,
        schema::NOISE,
        schema::MODEL,
        schema::METHOD,
    ]
    .into_iter()
    .flatten()
    .find(|k| k.name == key)
    .expect("a schema key");
    let sweepable = any_key.sweep;
    if sweepable {
        prop_oneof![12 => good, 3 => list, 1 => value_for(any_key)].boxed()
    } else {
        prop_oneof![12 => good, 1 => value_for(any_key)].boxed()
    }
}

/// A table of one kind with some of the keys that kind takes.
fn plausible_table(
    header: &'static str,
    kind_key: &'static str,
    kind: &'static str,
    keys: &'static [&'static str],
) -> BoxedStrategy<String> {
    let entries: Vec<BoxedStrategy<Option<String>>> = keys
        .iter()
        .map(|k| prop_oneof![1 => Just(None), 1 => plausible(k).prop_map(move |v| Some(format!("{k} = {v}")))].boxed())
        .collect();
    entries
        .prop_map(move |e| {
            let mut lines = vec![header.to_string(), format!("{kind_key} = \"{kind}\"")];
            lines.extend(e.into_iter().flatten());
            lines.join("\n")
        })
        .boxed()
}

fn plausible_scenario() -> impl Strategy<Value = String> {
    let dataset = prop_oneof![
        4 => plausible_table("[[dataset]]", "source", "blobs", &["classes", "features", "train", "test", "separation"]),
        1 => plausible_table("[[dataset]]", "source", "classification", &["classes", "features", "informative", "redundant", "train", "test"]),
        1 => plausible_table("[[dataset]]", "source", "iris", &["train", "test", "test_fraction"]),
        1 => plausible_table("[[dataset]]", "source", "winequality", &["binarize_threshold", "test_fraction"]),
    ];
    let union = |tables: Vec<BoxedStrategy<String>>| proptest::strategy::Union::new(tables);
    let noise = union(
        schema::NOISE_KINDS
            .iter()
            .map(|k| plausible_table("[noise]", "kind", k, schema::noise_keys(k)))
            .collect(),
    );
    let method = union(
        schema::METHOD_KINDS
            .iter()
            .map(|k| plausible_table("[[method]]", "kind", k, schema::method_keys(k)))
            .collect(),
    );
    let model = union(
        schema::MODEL_KINDS
            .iter()
            .map(|k| {
                plausible_table(
                    "[model]",
                    "kind",
                    k,
                    &["l2", "max_iter", "tolerance", "history"],
                )
            })
            .collect(),
    );
    (
        proptest::collection::vec(dataset, 1..3),
        proptest::option::of(noise),
        proptest::option::of(model),
        proptest::collection::vec(method, 0..3),
    )
        .prop_map(|(d, n, m, me)| {
            let mut parts = vec!["name = \"p\"\nseeds = 2".to_string()];
            parts.extend(d);
            parts.extend(n);
            parts.extend(m);
            parts.extend(me);
            parts.join("\n") + "\n"
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn plausible_scenarios_never_panic_and_accepted_ones_obey_the_rules(text in plausible_scenario()) {
        let _ = parse_and_render(&text);
    }

    #[test]
    fn generated_scenarios_never_panic(text in scenario_text()) {
        let _ = parse_and_render(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = parse_and_render(&text);
    }

    #[test]
    fn mutated_valid_scenarios_never_panic(
        cuts in proptest::collection::vec((0usize..2000, 0usize..8, "\\PC{0,6}"), 1..4),
    ) {
        let mut text = std::fs::read_to_string("scenarios/quickstart.toml").unwrap();
        for (at, len, insert) in cuts {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(at..end, &insert);
        }
        let _ = parse_and_render(&text);
    }
}

/// A CSV source reading `data.csv` in `dir` with the given options.
fn csv_spec(label_index: bool, header: bool, delimiter: char) -> DatasetSpec {
    DatasetSpec {
        source: DataSource::Csv {
            path: PathBuf::from("data.csv"),
            test_path: None,
            label: if label_index {
                LabelColumn::Index(0)
            } else {
                LabelColumn::Name(String::new())
            },
            header,
            delimiter,
            columns: None,
            labels_path: None,
            test_labels_path: None,
        },
        train: None,
        test: None,
        test_fraction: 0.25,
        standardize: true,
        noise_stream: Default::default(),
    }
}

fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        Just("1".to_string()),
        Just("-2.5".to_string()),
        Just("1e308".to_string()),
        Just("nan".to_string()),
        Just("".to_string()),
        Just("a".to_string()),
        Just("\"q,\"".to_string()),
        Just("é".to_string()),
    ];
    let row = proptest::collection::vec(cell, 0..5).prop_map(|c| c.join(","));
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        proptest::collection::vec(row, 0..12).prop_map(|rows| rows.join("\n").into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Until the CSV loader lands this only sees `Unsupported`; afterwards it fuzzes the loader.
    #[test]
    fn csv_bytes_never_panic(bytes in csv_bytes(), label_index: bool, header: bool, semicolon: bool) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.csv"), &bytes).unwrap();
        let spec = csv_spec(label_index, header, if semicolon { ';' } else { ',' });
        if let Ok(d) = data::build(&spec, dir.path(), 0) {
            prop_assert_eq!(d.x_train.nrows(), d.y_train.len());
            prop_assert_eq!(d.x_test.nrows(), d.y_test.len());
            prop_assert!(d.y_train.iter().chain(&d.y_test).all(|&y| y < d.classes));
            prop_assert!(d.x_train.iter().chain(d.x_test.iter()).all(|v| v.is_finite()));
        }
    }
}

/// The plausible generator must reach accepted scenarios, or the rule checks above see nothing.
#[test]
fn plausible_generator_reaches_valid_scenarios() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = plausible_scenario();
    let accepted = (0..200)
        .filter(|_| {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            scenario::parse(&text, "p.toml", Path::new(".")).is_ok()
        })
        .count();
    assert!(
        accepted >= 40,
        "only {accepted} of 200 generated scenarios were valid"
    );
}

/// Inputs that once crashed or hung (found while writing these tests and the fuzz targets).
#[test]
fn regressions() {
    let cases = [
        // A grid of 10^20 cells: was expanded in memory before any size check.
        "name = \"x\"\n[dataset]\nseparation = [1,2,3,4,5,6,7,8,9,10]\nclasses = [2,3,4,5,6,7,8,9,10,11]\n\
         features = [1,2,3,4,5,6,7,8,9,10]\ntrain = [100,200,300,400,500,600,700,800,900,1000]\n\
         test = [1,2,3,4,5,6,7,8,9,10]\n[noise]\nrate = [0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9]\n\
         [model]\nl2 = [1,2,3,4,5,6,7,8,9,10]\nmax_iter = [1,2,3,4,5,6,7,8,9,10]\n",
        // seeds = 2^63 − 1: was collected into a vector of that length.
        "name = \"x\"\nseeds = 9223372036854775807\n[dataset]\n",
        // classes × clusters_per_class overflowed.
        "name = \"x\"\n[dataset]\nsource = \"classification\"\nclasses = 4096\nclusters_per_class = 9223372036854775807\n",
        // informative + redundant overflowed.
        "name = \"x\"\n[dataset]\nsource = \"classification\"\ninformative = 9223372036854775807\nredundant = 9223372036854775807\n",
        // A ragged matrix reached the singularity check.
        "name = \"x\"\n[dataset]\nclasses = 2\n[noise]\nkind = \"matrix\"\nmatrix = [[0.5, 0.5], [1.0]]\n[[method]]\nkind = \"backward_correction\"\n",
        // An unclosed list at the end of a file whose last line is a comment.
        "name = \"x\"\nrate = [0.1,\n# é\n",
        // K past its limit reached the K×K noise matrix of a backward-correction check (found by
        // the plausible-scenario property test).
        "name = \"p\"\nseeds = 2\n[[dataset]]\nsource = \"classification\"\nclasses = 9223372036854775807\n[[method]]\nkind = \"backward_correction\"\n",
        // L-BFGS memory of history × parameters.
        "name = \"x\"\n[dataset]\nfeatures = 100000\nclasses = 4096\ntrain = 4096\ntest = 1\n[model]\nhistory = 1000\n",
    ];
    for text in cases {
        assert!(parse_and_render(text).is_err(), "accepted:\n{text}");
    }
}
