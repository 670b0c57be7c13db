//! `reliability.svg`: reliability diagrams of the hard-label baseline and the most accurate other
//! method at the focus setting, bins pooled over seeds, each with the count of test samples per bin
//! under it.

use super::axes::{at_setting, focus};
use super::draw::{chart_on, draw_figure, err, titled, Area, Entry, PANEL_H};
use super::series::{pooled, runs_of, Mark};
use super::style::REFERENCE;
use super::{Attempt, Figure, RunsByCell};
use crate::metrics::ReliabilityBin;
use crate::report::export::fixed;
use crate::report::summary::{Cell, Summary};
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;
use plotters::prelude::*;

const ACCURACY_BAR: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const CONFIDENCE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const COUNT_BAR: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// The cells drawn: the baseline and the most accurate other method at the focus setting.
pub(super) fn cells<'s>(s: &'s Summary, x: Option<&Axis>) -> Vec<&'s Cell> {
    focus(s, x).map_or_else(Vec::new, |(cells, _)| baseline_and_best(&cells))
}

pub(super) fn reliability(s: &Summary, by_cell: &RunsByCell, x: Option<&Axis>) -> Attempt {
    let (_, setting) = focus(s, x)?;
    let panels: Vec<Option<(String, Vec<ReliabilityBin>)>> = cells(s, x)
        .into_iter()
        .map(|c| {
            let ece = c
                .stats
                .get(Metric::TestEce)
                .map_or(String::new(), |st| format!(", mean ECE {}", fixed(st.mean)));
            (format!("{}{ece}", c.method), pooled(runs_of(by_cell, c)))
        })
        .filter(|(_, bins)| !bins.is_empty())
        .map(Some)
        .collect();
    if panels.is_empty() {
        return None;
    }
    let at = at_setting(&setting);
    Some(draw_reliability(&format!("Reliability diagrams{at}"), &panels).map(|svg| Figure {
        file: Figure::RELIABILITY,
        title: "Reliability diagrams".into(),
        caption: format!(
            "Test accuracy (bars) and mean top-1 confidence (orange ticks) per confidence bin, against the diagonal \
             of perfect calibration, for the hard-label baseline and the most accurate other method{at}; under \
             each, the number of test samples per bin (grey). Bins pooled over seeds (counts summed). Ticks below \
             the bar top: under-confident; above: over-confident."
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
    panels: &[Option<(String, Vec<ReliabilityBin>)>],
) -> Result<String, String> {
    let entries = [
        Entry {
            label: "accuracy in bin".into(),
            color: ACCURACY_BAR,
            shape: None,
            mark: Mark::Box,
        },
        Entry {
            label: "mean confidence in bin".into(),
            color: CONFIDENCE,
            shape: None,
            mark: Mark::Line,
        },
        Entry {
            label: "perfect calibration".into(),
            color: REFERENCE,
            shape: None,
            mark: Mark::Dashed,
        },
        Entry {
            label: "test samples in bin".into(),
            color: COUNT_BAR,
            shape: None,
            mark: Mark::Box,
        },
    ];
    let cols = panels.len().min(3);
    draw_figure(
        title,
        panels,
        cols,
        PANEL_H + 130,
        &entries,
        |area, (name, bins)| draw_bins(area, name, bins),
    )
}

fn draw_bins(area: &Area<'_>, name: &str, bins: &[ReliabilityBin]) -> Result<(), String> {
    let body = titled(area, name)?;
    let (_, h) = body.dim_in_pixel();
    let (top, bottom) = body.split_vertically(h * 7 / 10);
    let mut chart = chart_on(&top, (0.0..1.0, 0.0..1.0), ("", "accuracy"), 5)?;
    chart
        .draw_series(bins.iter().map(|b| {
            Rectangle::new(
                [(b.lo, 0.0), (b.hi, b.accuracy)],
                ACCURACY_BAR.mix(0.7).filled(),
            )
        }))
        .map_err(err)?;
    chart
        .draw_series(bins.iter().map(|b| {
            PathElement::new(
                vec![(b.lo, b.confidence), (b.hi, b.confidence)],
                CONFIDENCE.stroke_width(3),
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
    let most = bins.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
    let y = 0.0..most * 1.08;
    let mut counts = chart_on(&bottom, (0.0..1.0, y), ("top-1 confidence", "samples"), 3)?;
    counts
        .draw_series(
            bins.iter()
                .map(|b| Rectangle::new([(b.lo, 0.0), (b.hi, b.count as f64)], COUNT_BAR.filled())),
        )
        .map_err(err)?;
    Ok(())
}
