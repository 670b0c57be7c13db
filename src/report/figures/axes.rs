//! Which axes the figures run along and which cells they look at closely. The x axis is
//! [`Axis::NOISE_RATE`] when it varies, else the first axis with at least two numeric values; "vs ε"
//! figures use [`Axis::EPSILON`] when it varies. Every other axis tells the lines apart.

use crate::report::summary::{Axes, Cell, Summary};
use crate::scenario::spec::AxisValue;
use crate::vocab::axis::Axis;

fn numeric(v: &AxisValue) -> Option<f64> {
    match v {
        AxisValue::Int(i) => Some(*i as f64),
        AxisValue::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

fn axis_value<'a>(c: &'a Cell, axis: &Axis) -> Option<&'a AxisValue> {
    c.axes.iter().find(|(a, _)| a == axis).map(|(_, v)| v)
}

/// A cell's value on `axis` when it is a finite number.
pub(super) fn numeric_value(c: &Cell, axis: &Axis) -> Option<f64> {
    axis_value(c, axis).and_then(numeric)
}

/// Axes with at least two distinct numeric values, in column order.
pub fn numeric_axes(s: &Summary) -> Vec<Axis> {
    s.axes
        .iter()
        .filter(|a| {
            let mut v: Vec<f64> = s.cells.iter().filter_map(|c| numeric_value(c, a)).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v.len() >= 2
        })
        .cloned()
        .collect()
}

/// The x axis of the "vs noise" figures: the noise rate when it varies, else the first numeric axis.
pub fn main_axis(s: &Summary) -> Option<Axis> {
    let n = numeric_axes(s);
    if n.contains(&Axis::NOISE_RATE) {
        Some(Axis::NOISE_RATE)
    } else {
        n.into_iter().next()
    }
}

/// The x axis of the "vs ε" figures: ε when it varies, else `main`.
pub(super) fn epsilon_axis(s: &Summary, main: Option<&Axis>) -> Option<Axis> {
    numeric_axes(s)
        .into_iter()
        .find(|a| *a == Axis::EPSILON)
        .or_else(|| main.cloned())
}

/// Axes other than `x` whose value differs among `cells`.
pub(super) fn varying_axes(s: &Summary, cells: &[&Cell], x: Option<&Axis>) -> Vec<Axis> {
    let Some(first) = cells.first() else {
        return Vec::new();
    };
    s.axes
        .iter()
        .filter(|a| {
            Some(*a) != x
                && cells
                    .iter()
                    .any(|c| axis_value(c, a) != axis_value(first, a))
        })
        .cloned()
        .collect()
}

/// The cells of one setting to look at closely: the highest value of the x axis (when it is not a
/// method setting) and the first setting of the other non-method axes. Returns them with a
/// description of the setting.
pub(super) fn focus<'a>(s: &'a Summary, x: Option<&Axis>) -> Option<(Vec<&'a Cell>, String)> {
    let mut cells: Vec<&Cell> = s.cells.iter().collect();
    if let Some(x) = x.filter(|a| !a.is_method()) {
        let max = cells
            .iter()
            .filter_map(|c| numeric_value(c, x))
            .fold(f64::NEG_INFINITY, f64::max);
        cells.retain(|c| numeric_value(c, x) == Some(max));
    }
    let setting = |c: &Cell| -> Axes {
        c.axes
            .iter()
            .filter(|(a, _)| !a.is_method())
            .cloned()
            .collect()
    };
    let first = setting(cells.first()?);
    cells.retain(|c| setting(c) == first);
    Some((cells, describe(&first)))
}

/// ` at rate=0.4, …` after a title, or nothing when the setting is empty.
pub(super) fn at_setting(setting: &str) -> String {
    if setting.is_empty() {
        String::new()
    } else {
        format!(" at {setting}")
    }
}

/// A setting in words: kinds and sources by their value alone, other axes as `name = value`;
/// axes a cell does not have (empty values) left out.
pub(super) fn describe(setting: &[(Axis, AxisValue)]) -> String {
    let parts: Vec<String> = setting
        .iter()
        .filter(|(_, v)| !matches!(v, AxisValue::Text(t) if t.is_empty()))
        .map(|(a, v)| match a.key() {
            "kind" | "source" | "name" => v.to_string(),
            _ => format!("{} = {v}", a.human()),
        })
        .collect();
    parts.join(", ")
}
