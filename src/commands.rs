//! The command implementations behind `main.rs`, one function per subcommand.

use crate::engine::{self, Progress, Shard};
use crate::report;
use crate::scenario::{self, Scenario};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub struct RunArgs {
    pub file: PathBuf,
    pub out: Option<PathBuf>,
    pub threads: Option<usize>,
    pub shard: Option<String>,
    pub force: bool,
    pub quiet: bool,
    pub metrics: Option<Vec<String>>,
}

/// Loads a scenario, printing its problems (source underlined) on failure.
fn load(file: &Path) -> Result<Scenario, ExitCode> {
    scenario::load(file).map_err(|e| {
        eprint!("{}", e.render());
        ExitCode::from(2)
    })
}

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let scenario = match load(&args.file) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let shard = args.shard.as_deref().map(str::parse::<Shard>).transpose().map_err(anyhow::Error::msg)?;
    if args.threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    let metrics = checked_metrics(args.metrics.clone())?;
    let out = args.out.clone().unwrap_or_else(|| Path::new("results").join(&scenario.name));
    engine::preflight::check(&out, &scenario, shard, args.force)?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // Ctrl-C: stop scheduling new runs; finished ones are already on disk.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("\ninterrupt: finishing the runs in flight (Ctrl-C again to quit at once)");
        });
    }
    let opts = engine::Options {
        out: out.clone(),
        threads: args.threads,
        shard,
        force: args.force,
        progress: if args.quiet { Progress::Quiet } else { Progress::Auto },
        stop,
    };
    let outcome = engine::run(&scenario, &opts)?;
    let summary = report::write_all(&out)?;
    let metrics = report::export::table_metrics(&summary, metrics.as_deref().or(scenario.table_metrics.as_deref()));
    print!("{}", report::export::terminal(&summary, &metrics));
    println!(
        "{} run(s): {} trained now, {} already done{} → {}",
        outcome.total,
        outcome.ran,
        outcome.skipped,
        if outcome.failed.is_empty() { String::new() } else { format!(", {} failed", outcome.failed.len()) },
        out.display()
    );
    for (id, e) in &outcome.failed {
        eprintln!("run {id} failed: {e}");
    }
    if outcome.interrupted {
        eprintln!(
            "interrupted: {} of {} runs are in {}; rerun the same command to resume",
            outcome.ran + outcome.skipped,
            outcome.total,
            out.display()
        );
        return Ok(ExitCode::from(130));
    }
    Ok(if outcome.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn checked_metrics(m: Option<Vec<String>>) -> anyhow::Result<Option<Vec<String>>> {
    if let Some(list) = &m {
        let known: Vec<&str> = crate::metrics::METRICS.iter().map(|(n, _)| *n).collect();
        for name in list {
            if !known.contains(&name.as_str()) {
                bail!("--metrics: unknown metric `{name}`; metrics: {}", known.join(", "));
            }
        }
    }
    Ok(m)
}

pub fn plan(file: &Path) -> anyhow::Result<ExitCode> {
    let s = match load(file) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    print!("{}", plan_text(&s));
    Ok(ExitCode::SUCCESS)
}

/// The resolved grid as text.
pub fn plan_text(s: &Scenario) -> String {
    let mut out = format!("scenario {} ({})\n", s.name, s.path.display());
    if let Some(d) = &s.description {
        out.push_str(&format!("  {d}\n"));
    }
    out.push_str(&format!(
        "runs: {} = {} dataset(s) × {} noise setting(s) × {} model(s) × {} method(s) × {} seed(s)\n",
        s.run_count(),
        s.datasets.len(),
        s.noises.len(),
        s.models.len(),
        s.methods.len(),
        s.seeds.len()
    ));
    out.push_str(&format!("seeds: {:?}\n", s.seeds));
    let runs = s.runs();
    let names = s.axis_names();
    if names.is_empty() {
        out.push_str("axes: none (a single cell)\n");
    } else {
        out.push_str("axes:\n");
        for (i, name) in names.iter().enumerate() {
            let mut values: Vec<String> = Vec::new();
            for r in &runs {
                let v = r.axes[i].1.to_string();
                if !values.contains(&v) {
                    values.push(v);
                }
            }
            out.push_str(&format!("  {name}: {}\n", values.join(", ")));
        }
    }
    out.push_str("\nresolved settings (defaults filled in), first value of each axis:\n");
    let section = |title: &str, v: &dyn erased::Ser| format!("[{title}]\n{}\n", v.toml());
    out.push_str(&section("dataset", &s.datasets[0].spec));
    out.push_str(&section("noise", &s.noises[0].spec));
    out.push_str(&section("model", &s.models[0].spec));
    for m in &s.methods {
        out.push_str(&section("method", &m.spec));
    }
    for n in &s.noises {
        for d in &s.datasets {
            if let Some(shape) = crate::data::static_shape(&d.spec.source) {
                if let Some(t) = crate::noise::expected_matrix(&n.spec, shape.classes) {
                    if !matches!(n.spec, scenario::spec::NoiseSpec::None) {
                        out.push_str(&format!("noise matrix T (P(observed j | true i)) for {}:\n", n.spec.kind_name()));
                        for row in t {
                            let cells: Vec<String> = row.iter().map(|v| format!("{v:.4}")).collect();
                            out.push_str(&format!("  [{}]\n", cells.join(", ")));
                        }
                    }
                }
                if let scenario::spec::NoiseSpec::Symmetric { rate, include_true: true, .. } = n.spec {
                    let k = shape.classes as f64;
                    out.push_str(&format!(
                        "note: include_true = true redraws from all K classes, so the expected flip rate is rate·(K−1)/K = {}\n",
                        rate * (k - 1.0) / k
                    ));
                }
                break;
            }
        }
    }
    out
}

mod erased {
    /// Serializes any spec to TOML for `plan`.
    pub trait Ser {
        fn toml(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn toml(&self) -> String {
            toml::to_string(self).unwrap_or_else(|e| format!("# (not shown: {e})\n"))
        }
    }
}

/// `labelnoise check FILE…`: validates each scenario without training, and loads each dataset that
/// comes from a file (CSV, bundled) once. Prints every problem of every file (source underlined);
/// exit 2 if any file has one.
pub fn check(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut bad = 0;
    for f in files {
        let problems = match scenario::load(f) {
            Ok(s) => {
                let data = scenario::check_data(&s);
                if data.is_empty() {
                    println!("{}: ok ({} runs)", f.display(), s.run_count());
                    continue;
                }
                scenario::ScenarioError {
                    path: f.display().to_string(),
                    source_text: std::fs::read_to_string(f).unwrap_or_default(),
                    problems: data,
                }
            }
            Err(e) => e,
        };
        eprint!("{}", problems.render());
        bad += 1;
    }
    if files.len() > 1 && bad > 0 {
        eprintln!("{bad} of {} scenario files have problems", files.len());
    }
    Ok(if bad == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

pub fn report(dir: &Path, metrics: Option<Vec<String>>) -> anyhow::Result<ExitCode> {
    let metrics = checked_metrics(metrics)?;
    let summary = report::write_all(dir).with_context(|| format!("cannot build the report of {}", dir.display()))?;
    let metrics = report::export::table_metrics(&summary, metrics.as_deref());
    print!("{}", report::export::terminal(&summary, &metrics));
    Ok(ExitCode::SUCCESS)
}

pub fn merge(dirs: &[PathBuf], out: &Path) -> anyhow::Result<ExitCode> {
    let _ = (dirs, out);
    bail!("merge is not available yet")
}

pub fn datasets() -> anyhow::Result<ExitCode> {
    bail!("the dataset catalogue is not available yet")
}
