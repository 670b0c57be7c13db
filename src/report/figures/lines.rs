//! The lines of a faceted figure: in each panel one line per method along the x axis, coloured by
//! method family and shaded by parameter ([`super::style`]); cells without a value on the x axis
//! (noise kind `none` along the noise rate, `ce` along ε) become dashed horizontal references at
//! their mean, so every cell of the grid is drawn.

use super::axes::numeric_value;
use super::facet::{facets, FacetChoice, Layout};
use super::series::{Grid, Mark, Panel, Point, Series};
use super::style::{family, method_style, Shape};
use crate::report::summary::{Cell, Summary};
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;
use plotters::style::RGBColor;
use std::collections::HashMap;

/// What a line shows of a metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Values {
    /// The mean with ±1 standard deviation bars.
    MeanStd,
    /// The mean paired difference against the baseline with its 95% t-interval.
    PairedCi,
}

/// Colour and marker of every method of a report, fixed from the whole summary so that a method
/// looks the same in every figure.
pub(super) struct Palette {
    style: HashMap<String, (RGBColor, Shape)>,
}

impl Palette {
    pub fn of(s: &Summary) -> Palette {
        let mut methods: Vec<&str> = Vec::new();
        for c in &s.cells {
            if !methods.contains(&c.method.as_str()) {
                methods.push(&c.method);
            }
        }
        let count = |f: &str| methods.iter().filter(|m| family(m) == f).count();
        let mut style = HashMap::new();
        for (i, m) in methods.iter().enumerate() {
            let rank = methods[..i]
                .iter()
                .filter(|o| family(o) == family(m))
                .count();
            style.insert(m.to_string(), method_style(m, rank, count(family(m))));
        }
        Palette { style }
    }

    /// A method's colour and marker; a family name (a line along a method setting) gets the
    /// family's full colour.
    pub fn get(&self, method: &str) -> (RGBColor, Shape) {
        self.style
            .get(method)
            .copied()
            .unwrap_or_else(|| method_style(method, 0, 1))
    }
}

/// The point of a cell on a line: its value on `x` and the `values` of `metric`.
fn point(c: &Cell, x: f64, metric: Metric, values: Values) -> Option<Point> {
    let source = if values == Values::PairedCi {
        &c.paired
    } else {
        &c.stats
    };
    let st = source.get(metric).filter(|st| st.mean.is_finite())?;
    let bar = match values {
        Values::MeanStd => st
            .std
            .is_finite()
            .then_some((st.mean - st.std, st.mean + st.std)),
        Values::PairedCi => {
            (st.ci_low.is_finite() && st.ci_high.is_finite()).then_some((st.ci_low, st.ci_high))
        }
    };
    Some(Point { x, y: st.mean, bar })
}

/// The lines of one panel: a method's cells along `x`, and a dashed reference per cell without a
/// value on `x`. Along a method setting (ε), a line is the method family (`ls`) and the other
/// methods are references.
pub(super) fn lines(
    palette: &Palette,
    cells: &[&Cell],
    x: &Axis,
    metric: Metric,
    values: Values,
) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    let mut refs: Vec<Series> = Vec::new();
    for c in cells {
        match numeric_value(c, x) {
            Some(xv) => {
                let name = if x.is_method() {
                    family(&c.method).to_string()
                } else {
                    c.method.clone()
                };
                let i = match out.iter().position(|l| l.label == name) {
                    Some(i) => i,
                    None => {
                        let (color, shape) = palette.get(&name);
                        out.push(Series::new(name, color, Some(shape), Mark::Line));
                        out.len() - 1
                    }
                };
                out[i].points.extend(point(c, xv, metric, values));
            }
            None => {
                let Some(p) = point(c, 0.0, metric, values) else {
                    continue;
                };
                let (color, shape) = palette.get(&c.method);
                let label = format!("{} (no {})", c.method, short_name(x));
                let mut r = Series::new(label, color, Some(shape), Mark::Level);
                r.points.push(p);
                refs.push(r);
            }
        }
    }
    for l in &mut out {
        l.points.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out.extend(refs);
    out
}

/// A faceted figure's panels of `metric` against `x`, one per facet; `None` when no panel has a
/// point.
pub(super) fn metric_panels(
    s: &Summary,
    x: &Axis,
    metric: Metric,
    values: Values,
    choice: &FacetChoice,
) -> Option<Grid> {
    let palette = Palette::of(s);
    let layout: Layout<'_> = facets(s, Some(x), choice);
    let cols = layout.cols;
    let panels: Vec<Option<Panel>> = layout
        .slots
        .into_iter()
        .map(|slot| {
            slot.map(|f| Panel {
                title: f.title,
                x_label: x.title(),
                y_label: metric.title(),
                series: lines(&palette, &f.cells, x, metric, values),
            })
        })
        .collect();
    let grid = Grid { panels, cols };
    grid.has_points().then_some(grid)
}

/// Caption text on how every cell is shown, for a figure along `x`.
pub(super) fn references_note(x: &Axis) -> String {
    format!(
        "one panel per setting of the other non-method axes, each with its own y range; cells without a {} \
         are dashed horizontal lines at their mean, in their method's colour",
        x.human()
    )
}

/// The x axis in a reference's legend text: `ε` for ε, else its words.
fn short_name(x: &Axis) -> String {
    if *x == Axis::EPSILON {
        x.label().to_string()
    } else {
        x.human()
    }
}
