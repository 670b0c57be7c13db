//! Numbers as text: full precision for the machine formats, 3 decimals and signed paired
//! differences for the human tables, and the widths the terminal table is kept within.

use crate::report::stats::Stat;

/// Rust's shortest round-trip formatting (equal results give equal bytes); empty when not finite.
pub fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// 3 decimals; fewer for large magnitudes so columns stay narrow.
pub fn fixed(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        format!("{v}")
    } else if a >= 1e5 {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn signed(v: f64) -> String {
    let s = fixed(v);
    if s.starts_with('-') || !v.is_finite() {
        s
    } else {
        format!("+{s}")
    }
}

/// `mean±std` (just the mean when n = 1).
pub fn mean_std(st: &Stat) -> String {
    if st.std.is_finite() {
        format!("{}±{}", fixed(st.mean), fixed(st.std))
    } else {
        fixed(st.mean)
    }
}

/// A Δ cell: the paired difference `d` with its mark ([`delta_text`]), "(baseline)" in the
/// baseline's own row, "–" where there is no difference.
pub fn delta_cell(
    d: Option<&Stat>,
    is_baseline: bool,
    mark: impl FnOnce(&Stat) -> &'static str,
) -> String {
    match d {
        Some(d) => delta_text(d, mark(d)),
        None if is_baseline => "(baseline)".into(),
        None => "–".into(),
    }
}

/// A paired difference: `+0.002 ±0.003 ▲` (mean, half-width of the 95% t-interval, `mark`:
/// see [`Verdict::mark`](super::significance::Verdict::mark)); `+0.950 [0.900, 1.000]` when the
/// interval was clipped to the metric's range and is no longer symmetric.
pub fn delta_text(d: &Stat, mark: &str) -> String {
    if d.ci_low.is_finite() && d.ci_high.is_finite() {
        let (below, above) = (d.mean - d.ci_low, d.ci_high - d.mean);
        let text = if (below - above).abs() <= 1e-9 * (1.0 + below.abs()) {
            format!(
                "{} ±{}",
                signed(d.mean),
                fixed((d.ci_high - d.ci_low) / 2.0)
            )
        } else {
            format!(
                "{} [{}, {}]",
                signed(d.mean),
                fixed(d.ci_low),
                fixed(d.ci_high)
            )
        };
        if mark.is_empty() {
            text
        } else {
            format!("{text} {mark}")
        }
    } else {
        signed(d.mean)
    }
}

/// Widest line, in characters.
pub fn width(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// Joins items into lines no wider than `width` (an item longer than that gets its own line).
pub fn wrap(items: &[String], sep: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        // Room is kept for the separator's mark (`,`) that ends a broken line.
        let room = width.saturating_sub(sep.trim_end().len());
        if !line.is_empty() && line.chars().count() + sep.len() + item.chars().count() > room {
            lines.push(std::mem::take(&mut line) + sep.trim_end());
        }
        if !line.is_empty() {
            line.push_str(sep);
        }
        line.push_str(item);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mean: f64, lo: f64, hi: f64) -> Stat {
        Stat {
            mean,
            std: 0.0,
            n: 3,
            ci_low: lo,
            ci_high: hi,
        }
    }

    #[test]
    fn numbers_keep_three_decimals_and_narrow_columns() {
        assert_eq!(fixed(0.12345), "0.123");
        assert_eq!(fixed(99.99949), "99.999");
        assert_eq!(fixed(123.456), "123.5");
        assert_eq!(fixed(123456.0), "1.23e5");
        assert_eq!(
            mean_std(&Stat {
                mean: 0.5,
                std: f64::NAN,
                n: 1,
                ci_low: f64::NAN,
                ci_high: f64::NAN
            }),
            "0.500"
        );
    }

    #[test]
    fn machine_numbers_round_trip_and_leave_gaps_for_non_finite() {
        let v = 0.1 + 0.2;
        assert_eq!(num(v).parse::<f64>().unwrap(), v);
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(f64::INFINITY), "");
    }

    #[test]
    fn deltas_show_sign_half_width_and_mark() {
        assert_eq!(delta_text(&stat(0.002, -0.001, 0.005), ""), "+0.002 ±0.003");
        assert_eq!(
            delta_text(&stat(0.004, 0.001, 0.007), "▲"),
            "+0.004 ±0.003 ▲"
        );
        assert_eq!(
            delta_text(&stat(-0.004, -0.007, -0.001), "▼"),
            "-0.004 ±0.003 ▼"
        );
        // Clipped at 1: the ends, as the interval is no longer symmetric.
        assert_eq!(
            delta_text(&stat(0.95, 0.88, 1.0), "▲"),
            "+0.950 [0.880, 1.000] ▲"
        );
        // One repetition: no interval, just the difference.
        assert_eq!(delta_text(&stat(0.01, f64::NAN, f64::NAN), ""), "+0.010");
    }

    #[test]
    fn wrap_keeps_lines_within_width() {
        let items: Vec<String> = (0..30).map(|i| format!("item{i}")).collect();
        let lines = wrap(&items, ", ", 40);
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{lines:?}");
        assert_eq!(
            lines
                .join(" ")
                .replace(", ", ",")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .count(),
            30
        );
    }
}
