//! The figures' colours and markers. A method wears its family's colour (Okabe & Ito 2008, a
//! palette readable with every common colour-vision deficiency) in a shade for its parameter, and
//! its family's marker, so lines stay apart in grey print too. Colours depend on the method's name
//! alone plus its rank among the report's methods of the same family, so a method has the same
//! colour in every figure of a report.

use plotters::style::RGBColor;

/// Okabe–Ito colours, black first (the hard-label baseline `ce`).
const OKABE_ITO: [RGBColor; 7] = [
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
];

/// Reference lines (perfect calibration, Δ = 0, free-logit optimum).
pub(super) const REFERENCE: RGBColor = RGBColor(0x55, 0x55, 0x55);

/// A point marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    Circle,
    Square,
    Up,
    Down,
    Diamond,
    Cross,
    Plus,
}

/// Families in a fixed order: colour and marker of each (`ls` and `ls-others` share blue and
/// differ by marker).
const FAMILIES: [(&str, usize, Shape); 8] = [
    ("ce", 0, Shape::Circle),
    ("ls", 1, Shape::Square),
    ("ls-others", 6, Shape::Diamond),
    ("bootstrap", 2, Shape::Up),
    ("forward", 3, Shape::Down),
    ("backward", 4, Shape::Cross),
    ("gce", 5, Shape::Diamond),
    ("", 0, Shape::Plus),
];

/// The method family of a method label (`ls ε=0.1` → `ls`).
pub(super) fn family(method: &str) -> &str {
    method.split(' ').next().unwrap_or_default()
}

/// Colour and marker of a method: `rank` of `count` methods of its family in this report (grid
/// order) picks the shade, from light to the full colour.
pub(super) fn method_style(method: &str, rank: usize, count: usize) -> (RGBColor, Shape) {
    let fam = family(method);
    let i = FAMILIES
        .iter()
        .position(|(f, _, _)| *f == fam)
        .unwrap_or_else(|| {
            // An unknown family still gets a stable colour: from its name's bytes.
            let h = fam
                .bytes()
                .fold(0usize, |h, b| h.wrapping_mul(31) + b as usize);
            1 + h % (FAMILIES.len() - 2)
        });
    let (_, colour, shape) = FAMILIES[i];
    (shade(OKABE_ITO[colour], rank, count), shape)
}

/// The `rank`-th of `count` shades of `c`: the last is `c`, earlier ones mixed with white (up to
/// 55% white for the first, so the lightest stays visible on white).
fn shade(c: RGBColor, rank: usize, count: usize) -> RGBColor {
    if count <= 1 {
        return c;
    }
    let white = 0.55 * (count - 1 - rank.min(count - 1)) as f64 / (count - 1) as f64;
    // Black lightens to grey.
    let mix = |v: u8| (v as f64 + (255.0 - v as f64) * white).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// Colours of extra reference curves (one per kind of cap), after the method colours.
pub(super) fn reference_colour(i: usize) -> RGBColor {
    [REFERENCE, OKABE_ITO[6], OKABE_ITO[5], OKABE_ITO[3]][i % 4]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_keep_their_colour_and_parameters_their_shade() {
        let (ce, ce_shape) = method_style("ce", 0, 1);
        assert_eq!(ce, RGBColor(0, 0, 0));
        assert_eq!(ce_shape, Shape::Circle);
        let (light, _) = method_style("ls ε=0.1", 0, 2);
        let (dark, _) = method_style("ls ε=0.3", 1, 2);
        assert_eq!(dark, OKABE_ITO[1]);
        assert_ne!(light, dark);
        assert_ne!(
            method_style("gce q=0.7", 0, 1),
            method_style("forward T=true", 0, 1)
        );
    }
}
