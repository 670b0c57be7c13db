//! Drawing primitives on plotters' SVG backend (text becomes `<text>` elements, so no font library
//! is involved): panels of lines with error bars or bands, markers, the legend below the panels,
//! the grid layout, padded ranges.
//!
//! Sizes are chosen for print: one panel is [`PANEL_W`] px wide and meant to be printed 3.3 in
//! wide (one journal column), so [`MIN_FONT_PX`] is 8 pt at that scale and no text is smaller.

use super::series::{Grid, Mark, Panel, Series};
use super::style::Shape;
use super::Figure;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

pub(super) const FONT: &str = "sans-serif";
pub(super) const PANEL_W: u32 = 400;
pub(super) const PANEL_H: u32 = 300;
/// 8 pt at 3.3 in per panel: 8/72 in × PANEL_W / 3.3 px per inch.
pub const MIN_FONT_PX: f64 = 8.0 / 72.0 * PANEL_W as f64 / 3.3;
const TICK_PX: f64 = 14.0;
const LABEL_PX: f64 = 15.0;
const PANEL_TITLE_PX: f64 = 15.0;
const TITLE_PX: f64 = 17.0;
const LEGEND_PX: f64 = 14.0;
/// Width of a character relative to the font size (generous for sans-serif, so estimates err on
/// the side of room).
const CHAR_EM: f64 = 0.62;

/// A chart of numbers against numbers on an SVG area.
pub(super) type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The SVG drawing area of a figure or of one of its panels.
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// A font whose SVG `font-size` is `px` (plotters writes sizes divided by 1.24).
pub(super) fn font(px: f64) -> FontDesc<'static> {
    (FONT, px * 1.24).into_font()
}

/// One legend line.
pub(super) struct Entry {
    pub label: String,
    pub color: RGBColor,
    pub shape: Option<Shape>,
    pub mark: Mark,
}

/// Drawing errors as the text of a figure problem.
pub(super) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Estimated width in px of `text` at `px`.
pub(super) fn text_width(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * CHAR_EM * px
}

/// `text` broken at spaces into lines no wider than `width` px (a single long word stays whole but
/// is cut at the character that would overflow).
pub(super) fn wrap(text: &str, width: f64, px: f64) -> Vec<String> {
    let max = ((width / (CHAR_EM * px)).floor() as usize).max(4);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if candidate.chars().count() <= max || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        }
        while line.chars().count() > max {
            let cut: String = line.chars().take(max).collect();
            line = line.chars().skip(max).collect();
            lines.push(cut);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Compact tick text: up to 3 decimals without trailing zeros, exponent form for tiny values.
pub(super) fn tick(v: &f64) -> String {
    let v = *v;
    if v != 0.0 && v.abs() < 1e-2 {
        return format!("{v:.0e}");
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// A padded, finite, non-empty range holding every finite value.
pub(super) fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-1e300, 1e300))
    {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    let size = hi.abs().max(lo.abs());
    // A (nearly) flat line gets a range of ±5% of its level, so tick labels stay distinct.
    let pad = if hi - lo > 1e-3 * size {
        (hi - lo) * 0.06
    } else {
        (0.05 * size).max(0.05)
    };
    (lo - pad, hi + pad)
}

/// Draws `shape` centred at `at` (chart or pixel coordinates) in `color`.
pub(super) fn draw_marker<CT: CoordTranslate>(
    area: &DrawingArea<SVGBackend<'_>, CT>,
    at: CT::From,
    shape: Shape,
    color: RGBColor,
) -> Result<(), String> {
    let e = EmptyElement::at(at);
    let fill = color.filled();
    let line = color.stroke_width(2);
    match shape {
        Shape::Circle => area.draw(&(e + Circle::new((0, 0), 4, fill))),
        Shape::Square => area.draw(&(e + Rectangle::new([(-4, -4), (4, 4)], fill))),
        Shape::Up => area.draw(&(e + Polygon::new(vec![(0, -5), (5, 4), (-5, 4)], fill))),
        Shape::Down => area.draw(&(e + Polygon::new(vec![(0, 5), (5, -4), (-5, -4)], fill))),
        Shape::Diamond => {
            area.draw(&(e + Polygon::new(vec![(0, -5), (5, 0), (0, 5), (-5, 0)], fill)))
        }
        Shape::Cross => area.draw(
            &(e + PathElement::new(vec![(-4, -4), (4, 4)], line)
                + PathElement::new(vec![(-4, 4), (4, -4)], line)),
        ),
        Shape::Plus => area.draw(
            &(e + PathElement::new(vec![(-5, 0), (5, 0)], line)
                + PathElement::new(vec![(0, -5), (0, 5)], line)),
        ),
    }
    .map_err(err)
}

/// The series' marker (a circle when it has none) at each of `points`.
fn draw_markers<'p, CT: CoordTranslate<From = (f64, f64)>>(
    area: &DrawingArea<SVGBackend<'_>, CT>,
    points: impl Iterator<Item = &'p (f64, f64)>,
    s: &Series,
) -> Result<(), String> {
    for &at in points {
        draw_marker(area, at, s.shape.unwrap_or(Shape::Circle), s.color)?;
    }
    Ok(())
}

const LEGEND_ROW: u32 = 22;
const SWATCH: u32 = 36;

/// Legend entries in columns of equal width below the panels: (columns, rows) for `width`.
fn legend_shape(entries: &[Entry], width: u32) -> (usize, usize, u32) {
    let longest = entries
        .iter()
        .map(|e| text_width(&e.label, LEGEND_PX))
        .fold(0.0, f64::max);
    let col_w = (SWATCH as f64 + 8.0 + longest + 16.0).ceil() as u32;
    let cols = ((width.saturating_sub(16)) / col_w.max(1)).max(1) as usize;
    let cols = cols.min(entries.len().max(1));
    (cols, entries.len().div_ceil(cols), col_w)
}

fn draw_legend(area: &Area<'_>, entries: &[Entry], width: u32) -> Result<(), String> {
    let (cols, _, col_w) = legend_shape(entries, width);
    for (i, e) in entries.iter().enumerate() {
        let x = 8 + (i % cols) as i32 * col_w as i32;
        let y = 12 + (i / cols) as i32 * LEGEND_ROW as i32;
        let sw = SWATCH as i32;
        match e.mark {
            Mark::Line | Mark::Band => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + sw, y)],
                    e.color.stroke_width(2),
                ))
                .map_err(err)?;
            }
            Mark::Dashed | Mark::Level => {
                for k in 0..3 {
                    let x0 = x + 13 * k;
                    area.draw(&PathElement::new(
                        vec![(x0, y), (x0 + 8, y)],
                        e.color.stroke_width(2),
                    ))
                    .map_err(err)?;
                }
            }
            Mark::Box => {
                area.draw(&Rectangle::new(
                    [(x + 4, y - 6), (x + sw - 4, y + 6)],
                    e.color.filled(),
                ))
                .map_err(err)?;
            }
        }
        if let Some(shape) = e.shape {
            draw_marker(area, (x + sw / 2, y), shape, e.color)?;
        }
        area.draw(&Text::new(
            e.label.clone(),
            (x + sw + 8, y - 8),
            font(LEGEND_PX),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Panels in a grid of `cols` columns under a (wrapped) title, one legend below: draws each panel
/// in its slot through `panel`; returns the SVG text. Empty slots stay blank.
pub(super) fn draw_figure<T>(
    title: &str,
    panels: &[Option<T>],
    cols: usize,
    panel_h: u32,
    legend: &[Entry],
    mut panel: impl FnMut(&Area<'_>, &T) -> Result<(), String>,
) -> Result<String, String> {
    let cols = cols.max(1);
    let rows = panels.len().max(1).div_ceil(cols);
    let w = cols as u32 * PANEL_W;
    let title_h = heading_height(title, w, TITLE_PX, 8);
    let (_, legend_rows, _) = legend_shape(legend, w);
    let legend_h = if legend.is_empty() {
        0
    } else {
        16 + LEGEND_ROW * legend_rows as u32
    };
    let h = title_h + rows as u32 * panel_h + legend_h;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let rest = heading(&root, title, TITLE_PX, 8)?;
        let (plots, legend_area) = rest.split_vertically(rows as u32 * panel_h);
        for (area, p) in plots.split_evenly((rows, cols)).iter().zip(panels) {
            if let Some(p) = p {
                panel(area, p)?;
            }
        }
        draw_legend(&legend_area, legend, w)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Legend entries of `series`, one per distinct label, in first-seen order.
pub(super) fn entries<'a>(series: impl Iterator<Item = &'a Series>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for s in series.filter(|s| !s.points.is_empty()) {
        if !out.iter().any(|e| e.label == s.label) {
            out.push(Entry {
                label: s.label.clone(),
                color: s.color,
                shape: s.shape,
                mark: s.mark,
            });
        }
    }
    out
}

/// A figure of line panels sharing one x range, with one legend entry per distinct line label.
pub(super) fn draw_lines(
    file: &'static str,
    title: String,
    caption: String,
    grid: Grid,
) -> Result<Figure, String> {
    let all = || grid.panels.iter().flatten().flat_map(|p| p.series.iter());
    let legend = entries(all());
    // Panels share the x range so they read side by side; levels have no x of their own.
    let x_range = padded(
        all()
            .filter(|s| s.mark != Mark::Level)
            .flat_map(|s| s.points.iter().map(|q| q.x)),
    );
    let svg = draw_figure(
        &title,
        &grid.panels,
        grid.cols,
        PANEL_H,
        &legend,
        |area, p| draw_panel(area, p, x_range),
    )?;
    Ok(Figure {
        file,
        title,
        caption,
        svg,
    })
}

/// Height of a centred heading of `text` wrapped to `width`, starting `top` px down.
fn heading_height(text: &str, width: u32, px: f64, top: u32) -> u32 {
    let lines = wrap(text, width as f64 - 16.0, px).len();
    top + 4 + (lines as f64 * px * 1.3).ceil() as u32
}

/// Draws `text` centred and wrapped at the top of `area`; returns the area below it.
fn heading<'a>(area: &Area<'a>, text: &str, px: f64, top: u32) -> Result<Area<'a>, String> {
    let (w, _) = area.dim_in_pixel();
    let (head, body) = area.split_vertically(heading_height(text, w, px, top));
    for (i, line) in wrap(text, w as f64 - 16.0, px).into_iter().enumerate() {
        let y = top as i32 + (i as f64 * px * 1.3) as i32;
        let style = font(px)
            .into_text_style(&head)
            .pos(Pos::new(HPos::Center, VPos::Top));
        head.draw(&Text::new(line, (w as i32 / 2, y), style))
            .map_err(err)?;
    }
    Ok(body)
}

/// Splits a panel's area into its (wrapped) title and the rest.
pub(super) fn titled<'a>(area: &Area<'a>, title: &str) -> Result<Area<'a>, String> {
    heading(area, title, PANEL_TITLE_PX, 4)
}

/// A chart of `x` × `y` ranges on `area`, with axis titles `desc` (no x title: a smaller label
/// area), `y_labels` ticks on y, compact tick text and the figures' fonts.
pub(super) fn chart_on<'a, 'b>(
    area: &'a Area<'b>,
    (x, y): (Range<f64>, Range<f64>),
    (x_desc, y_desc): (&str, &str),
    y_labels: usize,
) -> Result<Chart<'a, 'b>, String> {
    let mut chart = ChartBuilder::on(area)
        .margin_right(16)
        .margin_left(6)
        .margin_bottom(4)
        .x_label_area_size(if x_desc.is_empty() { 28 } else { 48 })
        .y_label_area_size(66)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(font(TICK_PX))
        .axis_desc_style(font(LABEL_PX))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .max_light_lines(1)
        .x_labels(6)
        .y_labels(y_labels)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// The y range of a panel: every point, bar end and band edge.
fn y_range(p: &Panel) -> (f64, f64) {
    padded(
        p.series
            .iter()
            .flat_map(|s| s.points.iter())
            .flat_map(|q| [Some(q.y), q.bar.map(|b| b.0), q.bar.map(|b| b.1)])
            .flatten(),
    )
}

// A panel's chart, then each kind of line in turn (levels, bands, lines with bars and markers):
// one match over the marks keeps the drawing order visible, so it runs past 80 lines.
fn draw_panel(area: &Area<'_>, p: &Panel, (x0, x1): (f64, f64)) -> Result<(), String> {
    let body = titled(area, &p.title)?;
    let (y0, y1) = y_range(p);
    let mut chart = chart_on(&body, (x0..x1, y0..y1), (&p.x_label, &p.y_label), 5)?;
    // Lines with error bars are shifted apart by up to ±1.5% of the x range so bars stay visible.
    let barred: Vec<&Series> = p
        .series
        .iter()
        .filter(|s| s.mark == Mark::Line && s.points.iter().any(|q| q.bar.is_some()))
        .collect();
    let step = if barred.len() > 1 {
        0.03 * (x1 - x0) / (barred.len() - 1) as f64
    } else {
        0.0
    };
    for s in p.series.iter().filter(|s| !s.points.is_empty()) {
        let shift = barred
            .iter()
            .position(|b| std::ptr::eq(*b, s))
            .map_or(0.0, |i| (i as f64 - (barred.len() - 1) as f64 / 2.0) * step);
        let xy: Vec<(f64, f64)> = s.points.iter().map(|q| (q.x + shift, q.y)).collect();
        match s.mark {
            Mark::Level => {
                let y = s.points[0].y;
                chart
                    .draw_series(DashedLineSeries::new(
                        [(x0, y), (x1, y)],
                        7,
                        5,
                        s.color.stroke_width(2),
                    ))
                    .map_err(err)?;
                if let Some(shape) = s.shape {
                    // The marker at the right end ties the level to its legend entry.
                    let at = (x1 - 0.04 * (x1 - x0), y);
                    draw_marker(chart.plotting_area(), at, shape, s.color)?;
                }
            }
            Mark::Dashed => {
                chart
                    .draw_series(DashedLineSeries::new(xy, 6, 4, s.color.stroke_width(2)))
                    .map_err(err)?;
            }
            Mark::Band => {
                let mut band: Vec<(f64, f64)> = Vec::new();
                band.extend(s.points.iter().filter_map(|q| q.bar.map(|b| (q.x, b.1))));
                band.extend(
                    s.points
                        .iter()
                        .rev()
                        .filter_map(|q| q.bar.map(|b| (q.x, b.0))),
                );
                if band.len() > 2 {
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            band,
                            s.color.mix(0.18).filled(),
                        )))
                        .map_err(err)?;
                }
                // A few markers along the line tell methods apart without colour.
                let every = (xy.len() / 6).max(1);
                draw_markers(chart.plotting_area(), xy.iter().step_by(every), s)?;
                chart
                    .draw_series(LineSeries::new(xy, s.color.stroke_width(2)))
                    .map_err(err)?;
            }
            Mark::Line | Mark::Box => {
                chart
                    .draw_series(LineSeries::new(xy.iter().copied(), s.color.stroke_width(2)))
                    .map_err(err)?;
                chart
                    .draw_series(s.points.iter().filter_map(|q| {
                        q.bar.map(|(lo, hi)| {
                            ErrorBar::new_vertical(
                                q.x + shift,
                                lo,
                                q.y,
                                hi,
                                s.color.stroke_width(1),
                                8,
                            )
                        })
                    }))
                    .map_err(err)?;
                draw_markers(chart.plotting_area(), xy.iter(), s)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
