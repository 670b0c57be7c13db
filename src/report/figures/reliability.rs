//! `reliability.svg`: reliability diagrams of the hard-label baseline and the most accurate other
//! method at the focus setting, bins pooled over seeds.

use super::axes::{at_setting, focus};
use super::draw::{draw_figure, err, Area, Entry, FONT};
use super::series::{pooled, runs_of, Mark};
use super::style::REFERENCE;
use super::{Attempt, Figure, RunsByCell};
use crate::metrics::ReliabilityBin;
use crate::report::export::fixed;
use crate::report::summary::{Cell, Summary};
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;
use plotters::prelude::*;

const ACCURACY_BAR: RGBColor = RGBColor(0x4E, 0x79, 0xA7);
const CONFIDENCE: RGBColor = RGBColor(0xE1, 0x57, 0x59);

pub(super) fn reliability(s: &Summary, by_cell: &RunsByCell, x: Option<&Axis>) -> Attempt {
    let (cells, setting) = focus(s, x)?;
    let panels: Vec<(String, Vec<ReliabilityBin>)> = baseline_and_best(&cells)
        .into_iter()
        .map(|c| {
            let ece = c
                .stats
                .get(Metric::TestEce)
                .map_or(String::new(), |st| format!(", mean ECE {}", fixed(st.mean)));
            (format!("{}{ece}", c.method), pooled(runs_of(by_cell, c)))
        })
        .filter(|(_, bins)| !bins.is_empty())
        .collect();
    if panels.is_empty() {
        return None;
    }
    let at = at_setting(&setting);
    Some(draw_reliability(&format!("Reliability diagrams{at}"), &panels).map(|svg| Figure {
        file: Figure::RELIABILITY,
        title: "Reliability diagrams".into(),
        caption: format!(
            "Test accuracy (bars) and mean top-1 confidence (red ticks) per confidence bin, against the diagonal \
             of perfect calibration, for the hard-label baseline and the most accurate other method{at}; bins \
             pooled over seeds (counts summed). Ticks below the bar top: under-confident; above: over-confident."
        ),
        svg,
    }))
}

/// The baseline cell and the non-baseline cell of highest mean test accuracy (the first on ties).
fn baseline_and_best<'a>(cells: &[&'a Cell]) -> Vec<&'a Cell> {
    let baseline = cells.iter().copied().find(|c| c.is_baseline);
    let acc = |c: &Cell| {
        c.stats
            .get(Metric::TestAccuracy)
            .map_or(f64::NEG_INFINITY, |st| st.mean)
    };
    let best =
        cells
            .iter()
            .copied()
            .filter(|c| !c.is_baseline)
            .fold(None::<&Cell>, |b, c| match b {
                Some(b) if acc(b) >= acc(c) => Some(b),
                _ => Some(c),
            });
    [baseline, best].into_iter().flatten().collect()
}

fn draw_reliability(
    title: &str,
    panels: &[(String, Vec<ReliabilityBin>)],
) -> Result<String, String> {
    let entries = [
        Entry {
            label: "accuracy in bin".into(),
            color: ACCURACY_BAR,
            mark: Mark::Box,
        },
        Entry {
            label: "mean confidence in bin".into(),
            color: CONFIDENCE,
            mark: Mark::Plain,
        },
        Entry {
            label: "perfect calibration".into(),
            color: REFERENCE,
            mark: Mark::Dashed,
        },
    ];
    draw_figure(title, panels, &entries, |area, (name, bins)| {
        draw_bins(area, name, bins)
    })
}

fn draw_bins(area: &Area<'_>, name: &str, bins: &[ReliabilityBin]) -> Result<(), String> {
    let mut chart = ChartBuilder::on(area)
        .caption(name, (FONT, 16).into_font())
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..1f64, 0f64..1f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("top-1 confidence")
        .y_desc("accuracy")
        .max_light_lines(1)
        .draw()
        .map_err(err)?;
    chart
        .draw_series(bins.iter().map(|b| {
            Rectangle::new(
                [(b.lo, 0.0), (b.hi, b.accuracy)],
                ACCURACY_BAR.mix(0.75).filled(),
            )
        }))
        .map_err(err)?;
    chart
        .draw_series(bins.iter().map(|b| {
            PathElement::new(
                vec![(b.lo, b.confidence), (b.hi, b.confidence)],
                CONFIDENCE.stroke_width(2),
            )
        }))
        .map_err(err)?;
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            6,
            4,
            REFERENCE.stroke_width(1),
        ))
        .map_err(err)?;
    Ok(())
}
