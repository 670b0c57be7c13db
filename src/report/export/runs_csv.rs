//! `runs.csv` and `trace.csv`: the run records flattened for notebooks, written row by row so a
//! folder of a million runs never needs them all in memory. Both start with the same run columns
//! (id, index, seed, the grid's axes as the summary names them, the method label), so a notebook
//! can join them or group either one the same way.
//!
//! The realized flip rate is the metric `flip_rate`; the nominal rate is the axis `noise.rate`
//! (or a column of that name when the rate does not vary).
//!
//! The writers take records in the order they are given; `runs.csv` promises grid order (index,
//! then run id, so seeds in order), so the caller feeds them sorted.

use super::format::num;
use crate::engine::record::{RunRecord, TracePoint};
use crate::report::summary::method_label;
use crate::vocab::axis::Axis;
use crate::vocab::metric::Metric;
use std::io::{self, Write};

/// The columns of `runs.csv` and the leading columns of `trace.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunColumns {
    axes: Vec<Axis>,
    metrics: Vec<Metric>,
    /// `noise.rate` is not an axis: write the nominal rate of each run in a column of that name.
    nominal_rate: bool,
}

impl RunColumns {
    /// Columns for runs on `axes` (the summary's, in its order) with `metrics` (those present in
    /// any run; a run without one leaves its field empty).
    pub fn new(axes: &[Axis], metrics: &[Metric]) -> RunColumns {
        RunColumns {
            axes: axes.to_vec(),
            metrics: metrics.to_vec(),
            nominal_rate: !axes.contains(&Axis::NOISE_RATE),
        }
    }

    /// id, index, seed, the axes, method.
    fn run_header(&self) -> Vec<String> {
        let mut h: Vec<String> = ["id", "index", "seed"].map(String::from).into();
        h.extend(self.axes.iter().map(ToString::to_string));
        h.push("method".into());
        h
    }

    fn run_fields(&self, rec: &RunRecord) -> Vec<String> {
        let mut row = vec![rec.id.clone(), rec.index.to_string(), rec.seed.to_string()];
        row.extend(self.axes.iter().map(|axis| {
            rec.axes
                .iter()
                .find(|(a, _)| a == axis)
                .map_or_else(String::new, |(_, v)| v.to_string())
        }));
        row.push(method_label(&rec.config.method));
        row
    }

    /// Every column of `runs.csv`.
    pub fn header(&self) -> Vec<String> {
        let mut h = self.run_header();
        if self.nominal_rate {
            h.push(Axis::NOISE_RATE.to_string());
        }
        h.extend(["noise_id", "n_train", "n_test", "classes"].map(String::from));
        h.extend(self.metrics.iter().map(ToString::to_string));
        h
    }

    fn row(&self, rec: &RunRecord) -> Vec<String> {
        let mut row = self.run_fields(rec);
        if self.nominal_rate {
            row.push(nominal_rate(rec).map_or_else(String::new, num));
        }
        row.extend([
            rec.noise.noise_id.clone(),
            rec.data.n_train.to_string(),
            rec.data.n_test.to_string(),
            rec.data.classes.to_string(),
        ]);
        row.extend(
            self.metrics
                .iter()
                .map(|&m| rec.metrics.get(m).map_or_else(String::new, num)),
        );
        row
    }
}

/// The noise kind's nominal `rate`, when it has one (`none` and `matrix` have none).
fn nominal_rate(rec: &RunRecord) -> Option<f64> {
    serde_json::to_value(&rec.config.noise)
        .ok()?
        .get("rate")?
        .as_f64()
}

/// Writes `runs.csv`: one row per run, in the order given.
pub struct RunsCsvWriter<W: Write> {
    out: csv::Writer<W>,
    columns: RunColumns,
}

impl<W: Write> RunsCsvWriter<W> {
    /// Writes the header.
    pub fn new(out: W, columns: RunColumns) -> io::Result<Self> {
        let mut out = csv::Writer::from_writer(out);
        out.write_record(columns.header())?;
        Ok(RunsCsvWriter { out, columns })
    }

    pub fn row(&mut self, rec: &RunRecord) -> io::Result<()> {
        Ok(self.out.write_record(self.columns.row(rec))?)
    }

    /// Flushes and gives the destination back.
    pub fn finish(self) -> io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

/// The quantities of a trace point, as `trace.csv` names them in its `quantity` column (absent
/// ones are left out).
pub fn trace_quantities(p: &TracePoint) -> [(&'static str, Option<f64>); 7] {
    [
        ("objective", Some(p.objective)),
        ("train_loss_corrupted", p.train_loss_corrupted),
        ("train_loss_clean", p.train_loss_clean),
        ("memorized", p.memorized),
        ("test_accuracy", Some(p.test_accuracy)),
        ("weight_norm", Some(p.weight_norm)),
        ("validation_loss", p.validation_loss),
    ]
}

/// Writes `trace.csv`: one row per run × step × quantity, runs in the order given.
pub struct TraceCsvWriter<W: Write> {
    out: csv::Writer<W>,
    columns: RunColumns,
}

impl<W: Write> TraceCsvWriter<W> {
    /// Writes the header: the run columns, then step, quantity, value.
    pub fn new(out: W, columns: RunColumns) -> io::Result<Self> {
        let mut out = csv::Writer::from_writer(out);
        let mut header = columns.run_header();
        header.extend(["step", "quantity", "value"].map(String::from));
        out.write_record(header)?;
        Ok(TraceCsvWriter { out, columns })
    }

    /// The rows of one run's trace (none when it recorded no trace).
    pub fn row(&mut self, rec: &RunRecord) -> io::Result<()> {
        if rec.trace.is_empty() {
            return Ok(());
        }
        let run = self.columns.run_fields(rec);
        for p in &rec.trace {
            let step = p.step.to_string();
            for (quantity, value) in trace_quantities(p) {
                let Some(value) = value else { continue };
                let value = num(value);
                let fields =
                    run.iter()
                        .map(String::as_str)
                        .chain([step.as_str(), quantity, value.as_str()]);
                self.out.write_record(fields)?;
            }
        }
        Ok(())
    }

    pub fn finish(self) -> io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}
