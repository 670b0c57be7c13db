//! Drawing primitives on plotters' SVG backend (text becomes `<text>` elements, so no font library
//! is involved): panels of lines with error bars, the legend, the grid layout, padded ranges.

use super::series::{Mark, Panel, Series};
use super::Figure;
use plotters::coord::Shift;
use plotters::prelude::*;

pub(super) const FONT: &str = "sans-serif";
const PANEL_W: u32 = 460;
const PANEL_H: u32 = 340;
const TITLE_H: u32 = 40;
const LEGEND_ROW: i32 = 22;

/// The SVG drawing area of a figure or of one of its panels.
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// One legend line.
pub(super) struct Entry {
    pub label: String,
    pub color: RGBColor,
    pub mark: Mark,
}

/// Drawing errors as the text of a figure problem.
pub(super) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
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

fn legend_width(entries: &[Entry]) -> u32 {
    let longest = entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0) as u32;
    (64 + 8 * longest).clamp(140, 440)
}

fn draw_legend(area: &Area<'_>, entries: &[Entry]) -> Result<(), String> {
    for (i, e) in entries.iter().enumerate() {
        let y = 40 + LEGEND_ROW * i as i32;
        match e.mark {
            Mark::Line | Mark::Plain => {
                area.draw(&PathElement::new(
                    vec![(10, y), (40, y)],
                    e.color.stroke_width(2),
                ))
                .map_err(err)?;
                if e.mark == Mark::Line {
                    area.draw(&Circle::new((25, y), 3, e.color.filled()))
                        .map_err(err)?;
                }
            }
            Mark::Dashed => {
                for k in 0..3 {
                    area.draw(&PathElement::new(
                        vec![(10 + 11 * k, y), (17 + 11 * k, y)],
                        e.color.stroke_width(2),
                    ))
                    .map_err(err)?;
                }
            }
            Mark::Box => {
                area.draw(&Rectangle::new(
                    [(12, y - 6), (38, y + 6)],
                    e.color.filled(),
                ))
                .map_err(err)?;
            }
        }
        area.draw(&Text::new(
            e.label.clone(),
            (48, y - 7),
            (FONT, 14).into_font(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Panels in a grid (1×n up to 3, else 2 columns) with one legend on the right: draws the title,
/// the legend and, through `panel`, each panel in its area; returns the SVG text.
pub(super) fn draw_figure<T>(
    title: &str,
    panels: &[T],
    legend: &[Entry],
    mut panel: impl FnMut(&Area<'_>, &T) -> Result<(), String>,
) -> Result<String, String> {
    let cols = if panels.len() <= 3 {
        panels.len().max(1)
    } else {
        2
    };
    let rows = panels.len().max(1).div_ceil(cols);
    let lw = legend_width(legend);
    let legend_h = 60 + LEGEND_ROW as u32 * legend.len() as u32;
    let h = (TITLE_H + rows as u32 * PANEL_H).max(TITLE_H + legend_h);
    let w = cols as u32 * PANEL_W + lw;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root.titled(title, (FONT, 20).into_font()).map_err(err)?;
        let (plots, legend_area) = body.split_horizontally(w - lw);
        for (area, p) in plots.split_evenly((rows, cols)).iter().zip(panels) {
            panel(area, p)?;
        }
        draw_legend(&legend_area, legend)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// A figure of line panels sharing one x range, with one legend entry per distinct line label.
pub(super) fn draw_lines(
    file: &'static str,
    title: String,
    caption: String,
    panels: Vec<Panel>,
) -> Result<Figure, String> {
    let mut entries: Vec<Entry> = Vec::new();
    for p in &panels {
        for s in p.series.iter().filter(|s| !s.points.is_empty()) {
            if !entries.iter().any(|e| e.label == s.label) {
                entries.push(Entry {
                    label: s.label.clone(),
                    color: s.color,
                    mark: s.mark,
                });
            }
        }
    }
    // Panels share the x range so they read side by side.
    let x_range = padded(
        panels
            .iter()
            .flat_map(|p| p.series.iter().flat_map(|s| s.points.iter().map(|q| q.x))),
    );
    let svg = draw_figure(&title, &panels, &entries, |area, panel| {
        draw_panel(area, panel, x_range)
    })?;
    Ok(Figure {
        file,
        title,
        caption,
        svg,
    })
}

fn draw_panel(area: &Area<'_>, p: &Panel, (x0, x1): (f64, f64)) -> Result<(), String> {
    let points = || p.series.iter().flat_map(|s| s.points.iter());
    let (y0, y1) = padded(
        points()
            .flat_map(|q| [Some(q.y), q.bar.map(|b| b.0), q.bar.map(|b| b.1)])
            .flatten(),
    );
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, (FONT, 16).into_font())
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .max_light_lines(1)
        .x_labels(6)
        .y_labels(6)
        .draw()
        .map_err(err)?;
    // Lines with error bars are shifted apart by up to ±1.5% of the x range so bars stay visible.
    let barred: Vec<&Series> = p
        .series
        .iter()
        .filter(|s| s.points.iter().any(|q| q.bar.is_some()))
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
        if s.mark == Mark::Dashed {
            // A one-point reference line is drawn as a short level segment so it stays visible.
            let xy = match xy.as_slice() {
                [(x, y)] => vec![(x - 0.03 * (x1 - x0), *y), (x + 0.03 * (x1 - x0), *y)],
                _ => xy,
            };
            chart
                .draw_series(DashedLineSeries::new(xy, 6, 4, s.color.stroke_width(2)))
                .map_err(err)?;
            continue;
        }
        chart
            .draw_series(LineSeries::new(xy.iter().copied(), s.color.stroke_width(2)))
            .map_err(err)?;
        chart
            .draw_series(xy.iter().map(|&p| Circle::new(p, 3, s.color.filled())))
            .map_err(err)?;
        chart
            .draw_series(s.points.iter().filter_map(|q| {
                q.bar.map(|(lo, hi)| {
                    ErrorBar::new_vertical(q.x + shift, lo, q.y, hi, s.color.stroke_width(1), 8)
                })
            }))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_finite_and_non_empty() {
        for values in [
            vec![],
            vec![f64::NAN],
            vec![2.0],
            vec![0.0, 0.0],
            vec![-1e308, 1e308, f64::INFINITY],
            vec![1e16, 1e16 + 2.0],
        ] {
            let (lo, hi) = padded(values.iter().copied());
            assert!(
                lo.is_finite() && hi.is_finite() && lo < hi,
                "{values:?} → {lo}..{hi}"
            );
            for v in values
                .iter()
                .filter(|v| v.is_finite())
                .map(|v| v.clamp(-1e300, 1e300))
            {
                assert!(lo <= v && v <= hi);
            }
        }
    }
}
