//! Selection on hand-built candidates: every expected choice and difference below is worked out by
//! hand from the numbers given.

use super::*;
use crate::scenario::spec::AxisValue;
use crate::vocab::axis::Section;

const TUNE: [&str; 2] = ["model.l2", "method.epsilon"];

/// A run at noise rate 0.2: `ce` (`eps = None`) or label smoothing, with its validation and test
/// accuracy (validation NLL = 1 − validation accuracy, so both orders agree unless set apart).
fn cand(index: usize, seed: u64, l2: f64, eps: Option<f64>, val: f64, test: f64) -> Candidate {
    let (method, kind, eps_value) = match eps {
        Some(epsilon) => (
            MethodSpec::LabelSmoothing {
                epsilon,
                style: SmoothingStyle::Uniform,
            },
            "label_smoothing",
            AxisValue::Float(epsilon),
        ),
        None => (MethodSpec::Ce, "ce", AxisValue::Text(String::new())),
    };
    let mut metrics = Metrics::new();
    metrics.insert(Metric::TestAccuracy, test);
    Candidate {
        index,
        id: format!("run{index}"),
        seed,
        axes: vec![
            (Axis::NOISE_RATE, AxisValue::Float(0.2)),
            (Axis::new(Section::Model, "l2"), AxisValue::Float(l2)),
            (
                Axis::new(Section::Method, "kind"),
                AxisValue::Text(kind.into()),
            ),
            (Axis::EPSILON, eps_value),
        ],
        method,
        l2,
        validation: ValidationRecord {
            mode: ValidationLabels::Noisy,
            metric: SelectionScore::Accuracy,
            fraction: 0.2,
            tune: TUNE.iter().map(|t| Axis::parse(t).unwrap()).collect(),
            n: 10,
            accuracy: val,
            nll: 1.0 - val,
        },
        metrics,
    }
}

fn find<'s>(sel: &'s Selected, family: &str, seed: u64) -> &'s Choice {
    sel.choices
        .iter()
        .find(|c| c.family == family && c.seed == seed)
        .unwrap_or_else(|| panic!("no {family} choice for seed {seed}: {:?}", sel.choices))
}

fn chosen(c: &Choice) -> String {
    values_text(&c.chosen)
}

#[test]
fn the_validation_winner_is_chosen_where_test_accuracy_disagrees() {
    // ce: l2 = 0.01 wins on validation (0.9 > 0.8) though l2 = 0.1 is far better on test.
    let sel = select([
        cand(0, 0, 0.01, None, 0.9, 0.60),
        cand(1, 0, 0.1, None, 0.8, 0.95),
    ])
    .unwrap();
    let ce = find(&sel, "ce", 0);
    assert_eq!(chosen(ce), "l2=0.01");
    assert_eq!(
        (ce.score, ce.metrics.get(Metric::TestAccuracy)),
        (0.9, Some(0.60))
    );
    let scores: Vec<(String, f64)> = ce
        .candidates
        .iter()
        .map(|(v, s)| (values_text(v), *s))
        .collect();
    assert_eq!(scores, [("l2=0.01".into(), 0.9), ("l2=0.1".into(), 0.8)]);
    assert!(ce.is_baseline);
    // In the records' scrambled order the choice is the same.
    let again = select([
        cand(1, 0, 0.1, None, 0.8, 0.95),
        cand(0, 0, 0.01, None, 0.9, 0.60),
    ])
    .unwrap();
    assert_eq!(chosen(find(&again, "ce", 0)), "l2=0.01");
}

#[test]
fn ties_go_to_the_larger_l2_then_the_smaller_absolute_epsilon() {
    let sel = select([
        cand(0, 0, 0.01, Some(0.05), 0.8, 0.1),
        cand(1, 0, 0.1, Some(0.2), 0.8, 0.2),
        cand(2, 0, 0.1, Some(-0.1), 0.8, 0.3),
        cand(3, 0, 0.1, Some(0.1), 0.8, 0.4),
        cand(4, 0, 0.001, Some(0.0), 0.7, 0.5),
    ])
    .unwrap();
    // l2 = 0.1 beats 0.01 at equal score; among l2 = 0.1, |−0.1| = |0.1| < 0.2: the first in grid
    // order of the two (index 2).
    let ls = find(&sel, "ls", 0);
    assert_eq!(chosen(ls), "l2=0.1 ε=-0.1");
    assert_eq!(ls.metrics.get(Metric::TestAccuracy), Some(0.3));
}

#[test]
fn nll_prefers_the_lower_score() {
    let mut a = cand(0, 0, 0.01, None, 0.9, 0.6);
    let mut b = cand(1, 0, 0.1, None, 0.8, 0.7);
    for c in [&mut a, &mut b] {
        c.validation.metric = SelectionScore::Nll;
    }
    // NLLs 0.1 (l2 = 0.01) and 0.2 (l2 = 0.1): the lower wins.
    let sel = select([a, b]).unwrap();
    assert_eq!(chosen(find(&sel, "ce", 0)), "l2=0.01");
    assert!((find(&sel, "ce", 0).score - 0.1).abs() < 1e-15);
}

/// Two repetitions where ce chooses a different l2: each smoothing choice is paired with the ce
/// run of the l2 chosen for ce in its own repetition.
#[test]
fn every_family_is_paired_with_ce_at_the_l2_chosen_for_ce_in_the_same_repetition() {
    let sel = select([
        cand(0, 0, 0.01, None, 0.90, 0.70),
        cand(1, 1, 0.01, None, 0.50, 0.71),
        cand(2, 0, 0.1, None, 0.80, 0.80),
        cand(3, 1, 0.1, None, 0.60, 0.81),
        cand(4, 0, 0.01, Some(0.1), 0.70, 0.75),
        cand(5, 1, 0.01, Some(0.1), 0.95, 0.90),
        cand(6, 0, 0.1, Some(0.1), 0.85, 0.78),
        cand(7, 1, 0.1, Some(0.1), 0.40, 0.99),
    ])
    .unwrap();
    // Seed 0: ce picks l2 = 0.01 (test 0.70), ls picks l2 = 0.1 (0.78): Δ = 0.08.
    // Seed 1: ce picks l2 = 0.1 (test 0.81), ls picks l2 = 0.01 (0.90): Δ = 0.09.
    assert_eq!(chosen(find(&sel, "ce", 0)), "l2=0.01");
    assert_eq!(chosen(find(&sel, "ce", 1)), "l2=0.1");
    let d0 = find(&sel, "ls", 0).delta[Metric::TestAccuracy];
    let d1 = find(&sel, "ls", 1).delta[Metric::TestAccuracy];
    assert!(
        (d0 - 0.08).abs() < 1e-12 && (d1 - 0.09).abs() < 1e-12,
        "{d0} {d1}"
    );
    let ls = sel.families.iter().find(|f| f.family == "ls").unwrap();
    let paired = ls.paired[Metric::TestAccuracy];
    assert_eq!(paired.n, 2);
    assert!((paired.mean - 0.085).abs() < 1e-12);
    assert_eq!(
        ls.chosen,
        [("l2=0.1 ε=0.1".into(), 1), ("l2=0.01 ε=0.1".into(), 1)]
    );
    let ce = sel.families.iter().find(|f| f.family == "ce").unwrap();
    assert!(ce.is_baseline && ce.paired.is_empty());
    assert_eq!(sel.baseline, "ce");
}

#[test]
fn without_ce_the_baseline_is_smoothing_at_zero_with_its_l2_tuned() {
    let sel = select([
        cand(0, 0, 0.01, Some(0.0), 0.6, 0.50),
        cand(1, 0, 0.1, Some(0.0), 0.7, 0.55),
        cand(2, 0, 0.01, Some(0.2), 0.9, 0.65),
        cand(3, 0, 0.1, Some(0.2), 0.8, 0.60),
    ])
    .unwrap();
    assert_eq!(sel.baseline, "ls ε=0");
    let base = find(&sel, "ls ε=0", 0);
    assert!(base.is_baseline);
    assert_eq!(chosen(base), "l2=0.1 ε=0");
    let ls = find(&sel, "ls", 0);
    assert_eq!(chosen(ls), "l2=0.01 ε=0.2");
    assert!((ls.delta[Metric::TestAccuracy] - 0.10).abs() < 1e-12);
}

#[test]
fn records_without_a_validation_score_select_nothing() {
    assert!(select(std::iter::empty()).is_none());
}
