//! Ranges, wrapping and tick text of the drawing primitives.

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

#[test]
fn wrapped_lines_fit_and_keep_every_word() {
    let text = "Training loss on corrupted and clean samples vs label smoothing ε";
    let lines = wrap(text, 200.0, 15.0);
    assert!(lines.len() > 1);
    for l in &lines {
        assert!(text_width(l, 15.0) <= 200.0, "{l}");
    }
    assert_eq!(lines.join(" "), text);
    assert_eq!(tick(&0.30000000000000004), "0.3");
    assert_eq!(tick(&-0.0), "0");
    assert_eq!(tick(&100.0), "100");
}
