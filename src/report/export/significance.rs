//! Whether a paired difference is marked better or worse: the metric's direction says which way
//! is better, the 95% t-interval (or Holm's adjusted p-value, under `[report]
//! multiple_comparisons = "holm"`) says whether the difference is told apart from 0.
//!
//! A table's family of comparisons for one metric is every cell's paired difference of that
//! metric that can be tested (n ≥ 3, non-zero variance); the best-method table repeats rows of the
//! main table, so a cell gets the same verdict in both.

use crate::report::stats::{holm, Stat, ALPHA};
use crate::report::summary::Summary;
use crate::vocab::correction::Correction;
use crate::vocab::metric::{Better, Metric};
use serde::Serialize;

/// What a paired difference says, read with the metric's direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Better,
    Worse,
    /// Told apart from 0, upwards, for a metric where neither direction is better.
    Higher,
    /// Told apart from 0, downwards, for a metric where neither direction is better.
    Lower,
    /// Not told apart from 0, or not testable (n < 3, zero variance).
    None,
}

impl Verdict {
    /// The word of the CSV and JSON (`better`, `worse`, `higher`, `lower`, `none`).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Higher => "higher",
            Verdict::Lower => "lower",
            Verdict::None => "none",
        }
    }

    /// The mark of the human tables: ▲ better, ▼ worse, ↑ higher, ↓ lower, nothing.
    pub fn mark(self) -> &'static str {
        match self {
            Verdict::Better => "▲",
            Verdict::Worse => "▼",
            Verdict::Higher => "↑",
            Verdict::Lower => "↓",
            Verdict::None => "",
        }
    }

    /// The verdict on a difference whose sign is `mean` when `significant`.
    pub fn of(mean: f64, better: Better, significant: bool) -> Verdict {
        let up = mean > 0.0;
        match (significant, better) {
            (false, _) => Verdict::None,
            (true, Better::Higher) if up => Verdict::Better,
            (true, Better::Higher) => Verdict::Worse,
            (true, Better::Lower) if up => Verdict::Worse,
            (true, Better::Lower) => Verdict::Better,
            (true, Better::Neither) if up => Verdict::Higher,
            (true, Better::Neither) => Verdict::Lower,
        }
    }
}

/// One cell's paired comparison of a metric.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Two-sided paired t-test p-value; `None` when not testable.
    pub p: Option<f64>,
    /// Holm-adjusted p-value over the family; only under the Holm correction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_holm: Option<f64>,
    pub significance: Verdict,
}

/// Every cell's comparison of `metric` against its baseline, in cell order (`None` for a cell
/// without a paired difference of it).
pub fn comparisons(s: &Summary, metric: Metric) -> Vec<Option<Comparison>> {
    let diffs: Vec<Option<&Stat>> = s.cells.iter().map(|c| c.paired.get(metric)).collect();
    let p: Vec<Option<f64>> = diffs.iter().map(|d| d.and_then(Stat::p_value)).collect();
    let family: Vec<f64> = p.iter().flatten().copied().collect();
    let mut adjusted = match s.multiple_comparisons {
        Correction::None => Vec::new(),
        Correction::Holm => holm(&family),
    }
    .into_iter();
    diffs
        .iter()
        .zip(&p)
        .map(|(d, &p)| {
            let d = (*d)?;
            let p_holm = p.and_then(|_| adjusted.next());
            let significant = d.testable()
                && match s.multiple_comparisons {
                    Correction::None => d.ci_low > 0.0 || d.ci_high < 0.0,
                    Correction::Holm => p_holm.is_some_and(|q| q < ALPHA),
                };
            Some(Comparison {
                p,
                p_holm,
                significance: Verdict::of(d.mean, metric.better(), significant),
            })
        })
        .collect()
}

/// The legend of a Δ column's marks: what they mean for `metric` under the summary's correction.
pub fn marks_legend(s: &Summary, metric: Metric) -> String {
    let label = metric.label();
    let marks = match metric.better() {
        Better::Higher => format!("▲ better / ▼ worse (higher {label} is better)"),
        Better::Lower => format!("▲ better / ▼ worse (lower {label} is better)"),
        Better::Neither => format!("↑ higher / ↓ lower (neither is better for {label})"),
    };
    let when = match s.multiple_comparisons {
        Correction::None => "when its 95% t-interval excludes 0".to_string(),
        Correction::Holm => {
            let m = comparisons(s, metric)
                .iter()
                .flatten()
                .filter(|c| c.p.is_some())
                .count();
            format!(
                "when the paired t-test's p-value, Holm-adjusted over the table's {m} comparisons, is below {ALPHA}"
            )
        }
    };
    format!("{marks} {when}; no mark when n < 3 or the differences do not vary")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_comes_from_the_metric() {
        // A lower NLL and a higher accuracy are both better; a weight norm is only higher.
        for (mean, metric, want) in [
            (-0.1, Metric::TestNll, Verdict::Better),
            (0.1, Metric::TestNll, Verdict::Worse),
            (0.1, Metric::TestAccuracy, Verdict::Better),
            (-0.1, Metric::TestAccuracy, Verdict::Worse),
            (0.1, Metric::WeightNorm, Verdict::Higher),
        ] {
            assert_eq!(
                Verdict::of(mean, metric.better(), true),
                want,
                "{metric:?} {mean}"
            );
        }
        assert_eq!(Verdict::of(0.1, Better::Higher, false), Verdict::None);
        assert_eq!(Verdict::Better.mark(), "▲");
        assert_eq!(Verdict::Worse.name(), "worse");
    }
}
