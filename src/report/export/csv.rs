//! `summary.csv`: every number of the summary at full precision, one row per cell.

use super::format::num;
use super::significance::comparisons;
use super::Exporter;
use crate::report::summary::Summary;
use crate::vocab::correction::Correction;
use crate::vocab::metric::Metric;

/// Axes, method, n, not_converged, baseline flags, then per metric mean, std, 95% t-interval
/// (clipped to the metric's range), then per metric the paired difference against the baseline
/// (mean, interval clipped to the range of differences, paired t-test p-value, its Holm
/// adjustment under `multiple_comparisons = "holm"`, and `significance`: better, worse, higher,
/// lower or none), then, only for metrics that had NaN or ±∞ values in some run, how many runs of
/// the cell had them.
pub struct Csv;

impl Exporter for Csv {
    fn serialize(&self, s: &Summary) -> String {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let non_finite = s.non_finite_metrics();
        let holm = s.multiple_comparisons == Correction::Holm;
        let compared: Vec<_> = s.metrics.iter().map(|&m| comparisons(s, m)).collect();
        w.write_record(header(s, &non_finite, holm))
            .expect("in-memory write");
        for (at, c) in s.cells.iter().enumerate() {
            let mut row: Vec<String> = c.axes.iter().map(|(_, v)| v.to_string()).collect();
            row.extend([
                c.method.clone(),
                c.n.to_string(),
                c.not_converged.to_string(),
                c.is_baseline.to_string(),
                c.paired_against.clone().unwrap_or_default(),
            ]);
            for &m in &s.metrics {
                match c.stats.get(m) {
                    Some(st) => {
                        row.extend([num(st.mean), num(st.std), num(st.ci_low), num(st.ci_high)])
                    }
                    None => row.extend(vec![String::new(); 4]),
                }
            }
            for (&m, compared) in s.metrics.iter().zip(&compared) {
                match (c.paired.get(m), compared[at]) {
                    (Some(st), Some(v)) => {
                        let p = |p: Option<f64>| p.map_or_else(String::new, num);
                        row.extend([num(st.mean), num(st.ci_low), num(st.ci_high), p(v.p)]);
                        if holm {
                            row.push(p(v.p_holm));
                        }
                        row.push(v.significance.name().to_string());
                    }
                    _ => row.extend(vec![String::new(); 5 + usize::from(holm)]),
                }
            }
            for &m in &non_finite {
                row.push(c.non_finite.get(m).copied().unwrap_or(0).to_string());
            }
            w.write_record(&row).expect("in-memory write");
        }
        String::from_utf8(w.into_inner().expect("in-memory")).expect("utf-8")
    }
}

fn header(s: &Summary, non_finite: &[Metric], holm: bool) -> Vec<String> {
    let mut header: Vec<String> = s.axes.iter().map(ToString::to_string).collect();
    header.extend(
        [
            "method",
            "n",
            "not_converged",
            "is_baseline",
            "paired_against",
        ]
        .map(String::from),
    );
    for m in &s.metrics {
        for suffix in ["mean", "std", "ci95_low", "ci95_high"] {
            header.push(format!("{m}_{suffix}"));
        }
    }
    for m in &s.metrics {
        let suffixes: &[&str] = if holm {
            &[
                "mean",
                "ci95_low",
                "ci95_high",
                "p",
                "p_holm",
                "significance",
            ]
        } else {
            &["mean", "ci95_low", "ci95_high", "p", "significance"]
        };
        for suffix in suffixes {
            header.push(format!("delta_{m}_{suffix}"));
        }
    }
    header.extend(non_finite.iter().map(|m| format!("{m}_non_finite")));
    header
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::per_metric::PerMetric;
    use crate::report::stats::Stat;
    use crate::report::summary::Cell;
    use crate::scenario::spec::AxisValue;
    use crate::vocab::axis::Axis;

    #[test]
    fn rows_have_a_field_per_header_and_numbers_round_trip() {
        let acc = Stat::of(&[0.5, 0.7, 0.9]);
        let mut cell = Cell {
            axes: vec![(Axis::NOISE_RATE, AxisValue::Float(0.2))],
            method: "ce".into(),
            spec: crate::scenario::spec::MethodSpec::Ce,
            classes: 2,
            is_baseline: true,
            paired_against: None,
            n: 3,
            not_converged: 0,
            stats: PerMetric::new(),
            paired: PerMetric::new(),
            flip_rate: 0.2,
            non_finite: PerMetric::new(),
        };
        cell.stats.insert(Metric::TestAccuracy, acc);
        let s = Summary {
            scenario: "hand".into(),
            axes: vec![Axis::NOISE_RATE],
            metrics: vec![Metric::TestAccuracy, Metric::TestEce],
            cells: vec![cell],
            partial: None,
            mixed_builds: None,
            selected: None,
            multiple_comparisons: Correction::None,
        };
        let text = Csv.serialize(&s);
        let mut r = ::csv::Reader::from_reader(text.as_bytes());
        let header = r.headers().unwrap().clone();
        // 1 axis, 5 cell columns, 4 statistics and 5 paired values per metric.
        assert_eq!(header.len(), 1 + 5 + 2 * 4 + 2 * 5);
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(row.len(), header.len());
        let field = |name: String| &row[header.iter().position(|h| h == name).unwrap()];
        let (acc_name, ece_name) = (Metric::TestAccuracy, Metric::TestEce);
        assert_eq!(
            field(format!("{acc_name}_mean")).parse::<f64>().unwrap(),
            acc.mean
        );
        assert_eq!(
            field(format!("{acc_name}_ci95_high"))
                .parse::<f64>()
                .unwrap(),
            acc.ci_high
        );
        // Absent metrics and differences leave empty fields.
        assert_eq!(field(format!("{ece_name}_mean")), "");
        assert_eq!(field(format!("delta_{acc_name}_mean")), "");
    }
}
