//! The figures' colours, shared by the series that choose them and the drawing that uses them.

use plotters::style::RGBColor;

/// Tableau 10, a categorical palette made for line charts.
pub(super) const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0xBA, 0xB0, 0xAC),
];
/// Reference lines (baseline, free-logit optimum, perfect calibration).
pub(super) const REFERENCE: RGBColor = RGBColor(0x55, 0x55, 0x55);
