//! Selection on validation labels (`[selection]`), redone from run records alone.
//!
//! For each repetition and each cell of the compared axes (neither tuned nor naming the method),
//! every method family (ce, ls, ls-others, forward, backward, bootstrap, gce, with its untuned
//! method settings) gets the run whose tuned values have the best validation score. Ties go to the
//! stronger regularization: the larger l2, then the smaller |ε|, then the first in grid order. The
//! tuned baseline is `ce` (else label smoothing with ε = 0) with its tuned axes chosen the same
//! way; every family's paired difference is taken against it in the same repetition and cell.
//!
//! [`select`] reads a few fields of each record ([`Candidate`]), never whole records.

mod best;

pub use best::best_by_validation;
use best::cell_scores;

use super::cells::{Axes, Setting};
use super::per_metric::PerMetric;
use super::stats::Stat;
use super::view::RunView;
use crate::engine::record::{RunRecord, ValidationRecord};
use crate::scenario::spec::ValidationLabels;
use crate::scenario::spec::{MethodSpec, SelectionScore, SmoothingStyle};
use crate::vocab::axis::Axis;
use crate::vocab::metric::{Metric, Metrics};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::HashMap;

/// What selection reads of one run record.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub index: usize,
    pub id: String,
    pub seed: u64,
    pub axes: Axes,
    pub method: MethodSpec,
    pub l2: f64,
    pub validation: ValidationRecord,
    pub metrics: Metrics,
}

impl Candidate {
    /// The record's fields selection needs; `None` for a run without a validation score.
    pub fn of(r: &RunRecord) -> Option<Candidate> {
        Candidate::of_view(&RunView::from(r))
    }

    /// [`Candidate::of`] from the fields a report reads of each record.
    pub fn of_view(r: &RunView) -> Option<Candidate> {
        Some(Candidate {
            index: r.index,
            id: r.id.clone(),
            seed: r.seed,
            axes: r.axes.clone(),
            method: r.config.method.clone(),
            l2: r.config.model.l2,
            validation: r.validation.clone()?,
            metrics: r.metrics,
        })
    }

    /// |ε| of label smoothing, 0 for every other method.
    fn epsilon(&self) -> f64 {
        match self.method {
            MethodSpec::LabelSmoothing { epsilon, .. } => epsilon.abs(),
            _ => 0.0,
        }
    }

    /// Preference between two candidates: the better validation score (a NaN score is the worst),
    /// then the larger l2, then the smaller |ε|, then the first in grid order.
    fn preference(&self, other: &Candidate) -> Ordering {
        let score = |c: &Candidate| {
            let s = c.validation.score();
            let s = match c.validation.metric {
                SelectionScore::Accuracy => s,
                SelectionScore::Nll => -s,
            };
            if s.is_nan() {
                f64::NEG_INFINITY
            } else {
                s
            }
        };
        score(self)
            .total_cmp(&score(other))
            .then(self.l2.total_cmp(&other.l2))
            .then(other.epsilon().total_cmp(&self.epsilon()))
            .then(other.index.cmp(&self.index))
    }
}

/// One repetition × compared cell × family: the chosen run and what it was chosen among.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    pub seed: u64,
    /// Values on the compared axes.
    pub cell: Axes,
    pub family: String,
    /// The tuned baseline of its repetition and cell.
    pub is_baseline: bool,
    /// The chosen run's values on the tuned axes.
    pub chosen: Axes,
    /// The chosen run's validation score.
    pub score: f64,
    /// Every candidate's tuned values and validation score, in grid order.
    pub candidates: Vec<(Axes, f64)>,
    /// The chosen run's id and metrics.
    pub run: String,
    pub metrics: Metrics,
    /// Per metric: this choice minus the tuned baseline's in the same repetition and cell.
    #[serde(skip)]
    pub delta: PerMetric<f64>,
}

/// One compared cell × family over repetitions.
#[derive(Clone, Debug, Serialize)]
pub struct FamilyStats {
    pub cell: Axes,
    pub family: String,
    pub is_baseline: bool,
    pub n: usize,
    /// The tuned values chosen, with how many repetitions chose them, most frequent first.
    pub chosen: Vec<(String, usize)>,
    /// The chosen runs' validation scores.
    pub score: Stat,
    /// The chosen runs' metrics (finite values).
    pub stats: PerMetric<Stat>,
    /// Paired difference against the tuned baseline, per repetition (finite values).
    pub paired: PerMetric<Stat>,
}

/// A selection redone from the records.
#[derive(Clone, Debug, Serialize)]
pub struct Selected {
    pub validation: ValidationLabels,
    pub metric: SelectionScore,
    pub tune: Vec<Axis>,
    /// Axes compared across families (neither tuned nor method settings), in column order.
    pub compared: Vec<Axis>,
    /// Name of the tuned baseline family (`ce`, else `ls ε=0`).
    pub baseline: String,
    /// Metrics present in the chosen runs, in table order.
    pub metrics: Vec<Metric>,
    pub choices: Vec<Choice>,
    pub families: Vec<FamilyStats>,
    /// Mean validation score of every grid cell (all axes, over seeds), for the best-method table.
    #[serde(skip)]
    pub cell_scores: HashMap<Setting, f64>,
}

/// The file [`write`] writes in the results folder.
pub const FILE: &str = "selected.csv";

pub fn mode_name(v: ValidationLabels) -> &'static str {
    match v {
        ValidationLabels::Noisy => "noisy",
        ValidationLabels::Clean => "clean",
    }
}

pub fn metric_name(m: SelectionScore) -> &'static str {
    match m {
        SelectionScore::Accuracy => "accuracy",
        SelectionScore::Nll => "nll",
    }
}

/// What the best-method table is chosen by with a selection.
pub fn chosen_by(sel: &Selected) -> String {
    format!(
        "validation {} on {} labels (not on test)",
        metric_name(sel.metric),
        mode_name(sel.validation)
    )
}

/// `noisy` or `clean`: the labels the validation samples were scored against.
pub fn mode_text(sel: &Selected) -> &'static str {
    mode_name(sel.validation)
}

/// The family of a method: its kind (smoothing by style) and its untuned method settings.
fn family(c: &Candidate, tune: &[Axis]) -> String {
    let base = match &c.method {
        MethodSpec::Ce => "ce",
        MethodSpec::LabelSmoothing { style, .. } => match style {
            SmoothingStyle::Uniform => "ls",
            SmoothingStyle::Others => "ls-others",
        },
        MethodSpec::ForwardCorrection { .. } => "forward",
        MethodSpec::BackwardCorrection { .. } => "backward",
        MethodSpec::Bootstrap { .. } => "bootstrap",
        MethodSpec::Gce { .. } => "gce",
    };
    let mut name = base.to_string();
    for (axis, value) in &c.axes {
        let untuned = axis.is_method() && !tune.contains(axis);
        let shown = !matches!(axis.key(), "kind" | "style") && value.to_string() != "";
        if untuned && shown {
            name.push_str(&format!(" {}={value}", axis.label()));
        }
    }
    name
}

/// Values of `axes` restricted to `keep`.
fn restrict(axes: &Axes, keep: impl Fn(&Axis) -> bool) -> Axes {
    axes.iter().filter(|(a, _)| keep(a)).cloned().collect()
}

/// `l2=0.01 ε=0.1`: tuned values as text (empty values, such as ce's ε, left out).
pub fn values_text(axes: &Axes) -> String {
    axes.iter()
        .filter(|(_, v)| v.to_string() != "")
        .map(|(a, v)| format!("{}={v}", a.label()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Positions of keys in first-appearance order.
struct Order<K>(HashMap<K, usize>);

impl<K: std::hash::Hash + Eq> Order<K> {
    fn of(&mut self, key: K) -> usize {
        let next = self.0.len();
        *self.0.entry(key).or_insert(next)
    }
}

/// The candidates of one repetition × compared cell × family.
struct Group {
    seed: u64,
    cell: Axes,
    family: String,
    /// (cell, family, seed) positions, for the output order.
    order: (usize, usize, usize),
    members: Vec<Candidate>,
}

/// Redoes the selection from the records' candidates (any order): `None` when no run has a
/// validation score.
pub fn select(candidates: impl IntoIterator<Item = Candidate>) -> Option<Selected> {
    let mut all: Vec<Candidate> = candidates.into_iter().collect();
    all.sort_by(|a, b| a.index.cmp(&b.index).then(a.id.cmp(&b.id)));
    let first = all.first()?;
    let (validation, metric, tune) = (
        first.validation.mode,
        first.validation.metric,
        first.validation.tune.clone(),
    );
    let compared: Vec<Axis> = first
        .axes
        .iter()
        .map(|(a, _)| a.clone())
        .filter(|a| !a.is_method() && !tune.contains(a))
        .collect();
    let cell_scores = cell_scores(&all);
    let has_ce = all.iter().any(|c| matches!(c.method, MethodSpec::Ce));
    let baseline = if has_ce { "ce" } else { "ls ε=0" }.to_string();
    let mut groups = group(all, &tune, &baseline);
    groups.sort_by_key(|g| g.order);
    let mut choices: Vec<Choice> = groups.iter().map(|g| choose(g, &tune)).collect();
    pair_with_baselines(&mut choices, &baseline);
    let metrics = Metric::ALL
        .into_iter()
        .filter(|&m| choices.iter().any(|c| c.metrics.contains(m)))
        .collect::<Vec<_>>();
    let families = family_stats(&choices, &metrics);
    Some(Selected {
        validation,
        metric,
        tune,
        compared,
        baseline,
        metrics,
        choices,
        families,
        cell_scores,
    })
}

/// Groups candidates by repetition × compared cell × family. The baseline's candidates (ce, or
/// label smoothing with ε = 0 when no ce ran) also form the family `baseline` when it is not a
/// family of its own.
fn group(all: Vec<Candidate>, tune: &[Axis], baseline: &str) -> Vec<Group> {
    let (mut cells, mut families, mut seeds) = (
        Order(HashMap::new()),
        Order(HashMap::new()),
        Order(HashMap::new()),
    );
    let mut index: HashMap<(usize, usize, usize), usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for c in all {
        let cell = restrict(&c.axes, |a| !a.is_method() && !tune.contains(a));
        let mut names = vec![family(&c, tune)];
        let zero_smoothing =
            matches!(c.method, MethodSpec::LabelSmoothing { epsilon, .. } if epsilon == 0.0);
        if baseline != "ce" && zero_smoothing && names[0] != baseline {
            names.push(baseline.to_string());
        }
        let cell_at = cells.of(Setting::of(&cell));
        let seed_at = seeds.of(c.seed);
        for name in names {
            let key = (cell_at, families.of(name.clone()), seed_at);
            let at = *index.entry(key).or_insert_with(|| {
                groups.push(Group {
                    seed: c.seed,
                    cell: cell.clone(),
                    family: name.clone(),
                    order: key,
                    members: Vec::new(),
                });
                groups.len() - 1
            });
            groups[at].members.push(c.clone());
        }
    }
    groups
}

/// The group's preferred candidate.
fn choose(g: &Group, tune: &[Axis]) -> Choice {
    let best = g
        .members
        .iter()
        .max_by(|a, b| a.preference(b))
        .expect("a group has a member");
    let tuned = |c: &Candidate| restrict(&c.axes, |a| tune.contains(a));
    Choice {
        seed: g.seed,
        cell: g.cell.clone(),
        family: g.family.clone(),
        is_baseline: false,
        chosen: tuned(best),
        score: best.validation.score(),
        candidates: g
            .members
            .iter()
            .map(|c| (tuned(c), c.validation.score()))
            .collect(),
        run: best.id.clone(),
        metrics: best.metrics,
        delta: PerMetric::new(),
    }
}

/// Marks each repetition × cell's baseline choice and sets every choice's paired differences
/// against it.
fn pair_with_baselines(choices: &mut [Choice], baseline: &str) {
    let mut baselines: HashMap<(Setting, u64), Metrics> = HashMap::new();
    for c in choices.iter_mut().filter(|c| c.family == baseline) {
        c.is_baseline = true;
        baselines.insert((Setting::of(&c.cell), c.seed), c.metrics);
    }
    for c in choices.iter_mut() {
        let Some(base) = baselines.get(&(Setting::of(&c.cell), c.seed)) else {
            continue;
        };
        for (m, v) in c.metrics.iter() {
            if let Some(b) = base.get(m) {
                c.delta.insert(m, v - b);
            }
        }
    }
}

/// Statistics of each compared cell × family over its repetitions, in the choices' order.
fn family_stats(choices: &[Choice], metrics: &[Metric]) -> Vec<FamilyStats> {
    let mut order: Vec<(Setting, String)> = Vec::new();
    let mut members: HashMap<(Setting, String), Vec<&Choice>> = HashMap::new();
    for c in choices {
        let key = (Setting::of(&c.cell), c.family.clone());
        if !members.contains_key(&key) {
            order.push(key.clone());
        }
        members.entry(key).or_default().push(c);
    }
    order
        .into_iter()
        .map(|key| {
            let group = &members[&key];
            let finite = |values: Vec<f64>| -> Option<Stat> {
                let v: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
                (!v.is_empty()).then(|| Stat::of(&v))
            };
            let mut stats = PerMetric::new();
            let mut paired = PerMetric::new();
            for &m in metrics {
                if let Some(s) = finite(group.iter().filter_map(|c| c.metrics.get(m)).collect()) {
                    stats.insert(m, s);
                }
                let is_baseline = group.iter().all(|c| c.is_baseline);
                let deltas = group.iter().filter_map(|c| c.delta.get(m).copied());
                if let Some(s) = finite(deltas.collect()).filter(|_| !is_baseline) {
                    paired.insert(m, s);
                }
            }
            let score = finite(group.iter().map(|c| c.score).collect()).unwrap_or(Stat::of(&[]));
            FamilyStats {
                cell: group[0].cell.clone(),
                family: group[0].family.clone(),
                is_baseline: group.iter().all(|c| c.is_baseline),
                n: group.len(),
                chosen: chosen_counts(group),
                score,
                stats,
                paired,
            }
        })
        .collect()
}

/// The tuned values chosen and how often, most frequent first (first chosen on ties).
fn chosen_counts(group: &[&Choice]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for c in group {
        let text = values_text(&c.chosen);
        match counts.iter_mut().find(|(t, _)| *t == text) {
            Some((_, n)) => *n += 1,
            None => counts.push((text, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
}

#[cfg(test)]
mod tests;
