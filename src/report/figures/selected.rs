//! `selected.svg`: test accuracy of each method family with its tuned values chosen on validation
//! labels, against the main compared axis, the tuned baseline dashed.

use super::draw::draw_lines;
use super::series::{Grid, Mark, Panel, Point, Series};
use super::style::method_style;
use super::{Attempt, Figure};
use crate::report::selection::{values_text, Selected};
use crate::report::summary::Summary;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;

/// The x axis: the noise rate when it is compared and varies, else the first compared axis with
/// two numeric values.
fn x_axis(sel: &Selected) -> Option<Axis> {
    let varies = |axis: &Axis| {
        let mut values: Vec<f64> = sel
            .families
            .iter()
            .filter_map(|f| f.cell.iter().find(|(a, _)| a == axis)?.1.number())
            .collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        values.len() >= 2
    };
    let numeric: Vec<&Axis> = sel.compared.iter().filter(|a| varies(a)).collect();
    numeric
        .iter()
        .find(|a| ***a == Axis::NOISE_RATE)
        .or(numeric.first())
        .map(|a| (*a).clone())
}

pub(super) fn selected(s: &Summary) -> Attempt {
    let sel = s.selected.as_ref()?;
    let x = x_axis(sel)?;
    let metric = Metric::TestAccuracy;
    let mut series: Vec<Series> = Vec::new();
    for f in &sel.families {
        let Some(xv) = f
            .cell
            .iter()
            .find(|(a, _)| *a == x)
            .and_then(|(_, v)| v.number())
        else {
            continue;
        };
        let others: Vec<(Axis, _)> = f.cell.iter().filter(|(a, _)| *a != x).cloned().collect();
        let mut label = f.family.clone();
        if !others.is_empty() {
            label = format!("{label}, {}", values_text(&others));
        }
        if f.is_baseline {
            label = format!("{label} (tuned baseline)");
        }
        let Some(st) = f.stats.get(metric).filter(|st| st.mean.is_finite()) else {
            continue;
        };
        let bar = st
            .std
            .is_finite()
            .then_some((st.mean - st.std, st.mean + st.std));
        let point = Point {
            x: xv,
            y: st.mean,
            bar,
        };
        match series.iter_mut().find(|l| l.label == label) {
            Some(line) => line.points.push(point),
            None => {
                // The family's colour and marker, as in every other figure of the report.
                let (color, shape) = method_style(&f.family, 0, 1);
                let mark = if f.is_baseline {
                    Mark::Dashed
                } else {
                    Mark::Line
                };
                series.push(Series {
                    label,
                    color,
                    shape: Some(shape),
                    mark,
                    points: vec![point],
                });
            }
        }
    }
    for line in &mut series {
        line.points.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    if series.is_empty() {
        return None;
    }
    let tuned: Vec<String> = sel.tune.iter().map(ToString::to_string).collect();
    let panel = Panel {
        title: format!(
            "tuned per family: {}",
            sel.tune
                .iter()
                .map(Axis::human)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        x_label: x.human().to_string(),
        y_label: "test accuracy".into(),
        series,
    };
    Some(draw_lines(
        Figure::SELECTED,
        format!(
            "Test accuracy with tuned values chosen on validation vs {}",
            x.human()
        ),
        format!(
            "Mean test accuracy over repetitions of each method family with its tuned values ({}) chosen per \
             repetition on held-out {} validation labels; dashed: the tuned baseline ({}); error bars: ±1 sample \
             standard deviation over repetitions.",
            tuned.join(", "),
            crate::report::selection::mode_text(sel),
            sel.baseline
        ),
        Grid {
            panels: vec![Some(panel)],
            cols: 1,
        },
    ))
}
