//! Facets: one panel per setting of the non-method axes that vary (dataset, noise kind, model
//! settings, …) other than the x axis, laid out in rows and columns. Methods are told apart inside a
//! panel by colour and marker; everything else gets its own panel, so no two lines of one panel
//! differ by more than the method.

use super::axes::{describe, varying_axes};
use crate::report::summary::{Cell, Setting, Summary};
use crate::scenario::spec::AxisValue;
use crate::vocab::axis::Axis;
use std::collections::HashMap;

/// How panels are arranged: by default wrapped into at most three columns; an axis named for rows
/// (or columns) puts each of its values on its own row (or column).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FacetChoice {
    pub rows: Option<Axis>,
    pub cols: Option<Axis>,
}

/// One panel's cells and its title (the setting in words, empty settings left out).
#[derive(Clone, Debug)]
pub(super) struct Facet<'s> {
    pub title: String,
    pub cells: Vec<&'s Cell>,
    /// The non-method setting shared by the panel's cells.
    pub setting: Vec<(Axis, AxisValue)>,
}

/// Panels in grid slots: `slots[row * cols + col]`, `None` where a row is shorter.
pub(super) struct Layout<'s> {
    pub slots: Vec<Option<Facet<'s>>>,
    pub cols: usize,
}

/// The axes that make panels: non-method axes other than `x` whose value differs among the cells.
pub(super) fn facet_axes(s: &Summary, x: Option<&Axis>) -> Vec<Axis> {
    let cells: Vec<&Cell> = s.cells.iter().collect();
    varying_axes(s, &cells, x)
        .into_iter()
        .filter(|a| !a.is_method())
        .collect()
}

/// The cells of `s` in panels by the facet axes (for a figure along `x`).
pub(super) fn facets<'s>(s: &'s Summary, x: Option<&Axis>, choice: &FacetChoice) -> Layout<'s> {
    let axes = facet_axes(s, x);
    let mut order: Vec<Facet<'s>> = Vec::new();
    let mut index: HashMap<Setting, usize> = HashMap::new();
    for c in &s.cells {
        let setting: Vec<(Axis, AxisValue)> = c
            .axes
            .iter()
            .filter(|(a, _)| axes.contains(a))
            .cloned()
            .collect();
        let next = order.len();
        let i = *index.entry(Setting::of(&setting)).or_insert(next);
        if i == next {
            order.push(Facet {
                title: String::new(),
                cells: Vec::new(),
                setting,
            });
        }
        order[i].cells.push(c);
    }
    // Titles name what tells panels apart: an axis with one value wherever it applies (a setting
    // of one noise kind only) adds nothing and is left out.
    let telling: Vec<&Axis> = axes
        .iter()
        .filter(|a| {
            let mut values: Vec<String> = order
                .iter()
                .filter_map(|f| f.setting.iter().find(|(b, _)| b == *a))
                .map(|(_, v)| v.to_string())
                .filter(|v| !v.is_empty())
                .collect();
            values.sort();
            values.dedup();
            values.len() > 1
        })
        .collect();
    for f in &mut order {
        let shown: Vec<(Axis, AxisValue)> = f
            .setting
            .iter()
            .filter(|(a, _)| telling.contains(&a))
            .cloned()
            .collect();
        f.title = describe(&shown);
    }
    let mut titles: Vec<&str> = order.iter().map(|f| f.title.as_str()).collect();
    titles.sort_unstable();
    titles.dedup();
    if titles.len() < order.len() {
        // An axis with one value tells a panel apart from those where it does not apply (a
        // binarized dataset beside the same one unbinarized): name every axis then.
        for f in &mut order {
            f.title = describe(&f.setting);
        }
    }
    arrange(order, choice)
}

/// The value of `axis` in a facet's setting, as text (`None` when the axis is not a facet axis).
fn value_of(f: &Facet<'_>, axis: Option<&Axis>) -> Option<String> {
    let axis = axis?;
    f.setting
        .iter()
        .find(|(a, _)| a == axis)
        .map(|(_, v)| v.to_string())
}

/// Places facets into rows and columns: by the chosen axes' values, else wrapped.
fn arrange<'s>(facets: Vec<Facet<'s>>, choice: &FacetChoice) -> Layout<'s> {
    let by_rows = facets
        .iter()
        .any(|f| value_of(f, choice.rows.as_ref()).is_some());
    let by_cols = facets
        .iter()
        .any(|f| value_of(f, choice.cols.as_ref()).is_some());
    if !by_rows && !by_cols {
        let n = facets.len();
        let cols = match n {
            0..=3 => n.max(1),
            4 => 2,
            _ => 3,
        };
        return Layout {
            slots: facets.into_iter().map(Some).collect(),
            cols,
        };
    }
    // Each facet's (row key, column key); a missing side counts up within the other's group.
    let rank = |values: &mut Vec<String>, v: String| match values.iter().position(|x| *x == v) {
        Some(i) => i,
        None => {
            values.push(v);
            values.len() - 1
        }
    };
    let (mut row_values, mut col_values) = (Vec::new(), Vec::new());
    let mut counts: HashMap<usize, usize> = HashMap::new();
    let mut placed = Vec::new();
    for f in facets {
        let r = value_of(&f, choice.rows.as_ref()).map(|v| rank(&mut row_values, v));
        let c = value_of(&f, choice.cols.as_ref()).map(|v| rank(&mut col_values, v));
        let (r, c) = match (r, c) {
            (Some(r), Some(c)) => (r, c),
            (Some(r), None) => (r, next(&mut counts, r)),
            (None, Some(c)) => (next(&mut counts, c), c),
            (None, None) => (0, next(&mut counts, usize::MAX)),
        };
        placed.push((r, c, f));
    }
    let mut taken: Vec<(usize, usize)> = placed.iter().map(|(r, c, _)| (*r, *c)).collect();
    taken.sort_unstable();
    taken.dedup();
    if taken.len() < placed.len() {
        // Another axis varies within a row × column: wrap instead of stacking panels.
        let facets = placed.into_iter().map(|(_, _, f)| f).collect();
        return arrange(facets, &FacetChoice::default());
    }
    let cols = placed.iter().map(|(_, c, _)| c + 1).max().unwrap_or(1);
    let rows = placed.iter().map(|(r, _, _)| r + 1).max().unwrap_or(1);
    let mut slots: Vec<Option<Facet<'s>>> = (0..rows * cols).map(|_| None).collect();
    for (r, c, f) in placed {
        slots[r * cols + c] = Some(f);
    }
    Layout { slots, cols }
}

fn next(counts: &mut HashMap<usize, usize>, key: usize) -> usize {
    let n = counts.entry(key).or_insert(0);
    *n += 1;
    *n - 1
}
