//! `summary_long.csv`: the summary in long ("tidy") form, one row per cell × metric × statistic,
//! so pandas and seaborn select with `query("metric == 'test_accuracy' and statistic == 'mean'")`
//! instead of parsing column names.

use super::format::num;
use super::Exporter;
use crate::report::stats::Stat;
use crate::report::summary::Summary;

/// Axes, method, is_baseline, paired_against, metric, statistic, value. Statistics per metric:
/// mean, std, n, ci95_low, ci95_high; the paired difference against the baseline as delta_mean,
/// delta_std, delta_n, delta_ci95_low, delta_ci95_high; and non_finite (runs left out) when a run
/// of the cell had a NaN or ±∞ value.
pub struct SummaryLong;

/// The names of the `statistic` column, in row order.
pub const STATISTICS: &[&str] = &[
    "mean",
    "std",
    "n",
    "ci95_low",
    "ci95_high",
    "delta_mean",
    "delta_std",
    "delta_n",
    "delta_ci95_low",
    "delta_ci95_high",
    "non_finite",
];

fn stat_values(st: &Stat) -> [String; 5] {
    [
        num(st.mean),
        num(st.std),
        st.n.to_string(),
        num(st.ci_low),
        num(st.ci_high),
    ]
}

impl Exporter for SummaryLong {
    fn serialize(&self, s: &Summary) -> String {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = s.axes.iter().map(ToString::to_string).collect();
        header.extend(
            [
                "method",
                "is_baseline",
                "paired_against",
                "metric",
                "statistic",
                "value",
            ]
            .map(String::from),
        );
        w.write_record(&header).expect("in-memory write");
        for c in &s.cells {
            let mut cell: Vec<String> = c.axes.iter().map(|(_, v)| v.to_string()).collect();
            cell.extend([
                c.method.clone(),
                c.is_baseline.to_string(),
                c.paired_against.clone().unwrap_or_default(),
            ]);
            for &m in &s.metrics {
                // (statistic, value) pairs of the parts the cell has; a value that is not finite
                // (std of one run) is written as an empty field.
                let stats = c
                    .stats
                    .get(m)
                    .map(|st| STATISTICS[..5].iter().zip(stat_values(st)));
                let paired = c
                    .paired
                    .get(m)
                    .map(|d| STATISTICS[5..10].iter().zip(stat_values(d)));
                let non_finite = c
                    .non_finite
                    .get(m)
                    .map(|n| (&STATISTICS[10], n.to_string()));
                let name = m.to_string();
                for (statistic, value) in stats
                    .into_iter()
                    .flatten()
                    .chain(paired.into_iter().flatten())
                    .chain(non_finite)
                {
                    let fields = cell.iter().map(String::as_str).chain([
                        name.as_str(),
                        statistic,
                        value.as_str(),
                    ]);
                    w.write_record(fields).expect("in-memory write");
                }
            }
        }
        String::from_utf8(w.into_inner().expect("in-memory")).expect("utf-8")
    }
}
