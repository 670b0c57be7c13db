//! The command implementations behind `main.rs`, one function per subcommand.

mod interrupt;
pub mod library;
pub mod noisify;
mod progress;

use crate::engine::preflight::Loaded;
use crate::engine::{self, Shard};
use crate::report;
use crate::scenario::{self, Scenario};
use crate::vocab::metric::Metric;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

pub struct RunArgs {
    pub file: PathBuf,
    pub out: Option<PathBuf>,
    pub threads: Option<usize>,
    pub shard: Option<String>,
    pub force: bool,
    pub allow_other_build: bool,
    pub quiet: bool,
    pub metrics: Option<Vec<String>>,
}

/// More worker threads than this only add start-up time (10,000 threads took minutes to spawn and
/// held off signals meanwhile); results never depend on the count.
fn max_threads() -> usize {
    4 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Loads a scenario and the data it reads from files, so that a bad data file is reported at its
/// scenario key before anything is written (`run`, `plan` and `check` alike).
fn load_checked(file: &Path) -> Result<Scenario, scenario::ScenarioError> {
    load_with_data(file).map(|(s, _)| s)
}

/// [`load_checked`], keeping the datasets the check built for the run.
fn load_with_data(file: &Path) -> Result<(Scenario, Loaded), scenario::ScenarioError> {
    let s = engine::preflight::load_scenario(file)?;
    with_data_loaded(s, &file.display().to_string(), || {
        std::fs::read_to_string(file).unwrap_or_default()
    })
}

/// The scenario if the data it reads from files can be loaded (with the datasets the check built,
/// for the run), else those problems (shown in `source_text`, read only then).
fn with_data_loaded(
    s: Scenario,
    path: &str,
    source_text: impl FnOnce() -> String,
) -> Result<(Scenario, Loaded), scenario::ScenarioError> {
    let (loaded, data) = engine::preflight::load_data(&s);
    if data.is_empty() {
        return Ok((s, loaded));
    }
    Err(scenario::ScenarioError {
        path: path.to_string(),
        source_text: source_text(),
        problems: data,
    })
}

/// Loads a scenario, printing its problems (source underlined) on failure.
fn load(file: &Path) -> Result<(Scenario, Loaded), ExitCode> {
    load_with_data(file).map_err(|e| {
        eprint!("{}", e.render());
        ExitCode::from(2)
    })
}

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    crate::train::objective::Kernel::configured()?;
    let (scenario, loaded) = match load(&args.file) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let shard = args
        .shard
        .as_deref()
        .map(str::parse::<Shard>)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if args.threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    let threads = args.threads.map(clamped_threads);
    let metrics = checked_metrics(args.metrics.clone())?;
    let out = args.out.clone().unwrap_or_else(|| {
        let base = Path::new("results").join(&scenario.name);
        shard.map_or(base.clone(), |s| base.join(s.folder_name()))
    });
    engine::preflight::check(&out, &scenario, shard, args.force)?;
    let stop = interrupt::flag();
    interrupt::set_resume_hint(format!(
        "interrupted: the runs stored so far are kept in {}; resume with the same command, e.g.\n  {}",
        out.display(),
        resume_command(args, &out, shard)
    ));
    let opts = engine::Options {
        out: out.clone(),
        threads,
        shard,
        force: args.force,
        allow_other_build: args.allow_other_build,
        stop,
    };
    let progress = progress::Reporter::new(args.quiet);
    let mut outcome = engine::run_loaded(&scenario, &opts, loaded, &|e| progress.show(e))?;
    if opts.stop.load(Ordering::SeqCst) {
        outcome.interrupted = true;
        // No report: it could outlast the grace period on a large folder; `report DIR` makes it.
        interrupt::ending();
        return Ok(outcome_code(&outcome, args, &out, shard));
    }
    let summary = write_report(&out)?;
    if !args.quiet {
        print!(
            "{}",
            library::terminal_table(&summary, &scenario, metrics, shard)
        );
    }
    Ok(outcome_code(&outcome, args, &out, shard))
}

/// The expected transition matrix of a class-conditional noise setting (K ≤ 12, to stay readable)
/// and the include_true note, for the first dataset whose class count is known before loading.
fn noise_notes(n: &scenario::Variant<scenario::spec::NoiseSpec>, classes: usize) -> String {
    use scenario::spec::NoiseSpec;
    let mut out = String::new();
    let class_conditional = matches!(
        n.spec,
        NoiseSpec::Symmetric { .. }
            | NoiseSpec::Pairflip { .. }
            | NoiseSpec::Asymmetric { .. }
            | NoiseSpec::Matrix { .. }
    );
    if let Some(t) = crate::noise::expected_matrix(&n.spec, classes) {
        if class_conditional && classes <= 12 {
            let label: Vec<String> = n.axes.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!(
                "noise matrix T[i][j] = P(observed j | true i), {} {}:\n",
                n.spec.kind_name(),
                label.join(" ")
            ));
            for row in t.rows() {
                let cells: Vec<String> = row.iter().map(|v| format!("{v:.4}")).collect();
                out.push_str(&format!("  [{}]\n", cells.join(", ")));
            }
        }
    }
    if let NoiseSpec::Symmetric {
        rate,
        include_true: true,
        ..
    } = n.spec
    {
        let k = classes as f64;
        out.push_str(&format!(
            "note: include_true = true redraws from all K classes, so the expected flip rate is rate·(K−1)/K = {}\n",
            rate * (k - 1.0) / k
        ));
    }
    out
}

/// A thread count of at most [`max_threads`], with a note when it was cut.
fn clamped_threads(requested: usize) -> usize {
    let max = max_threads();
    if requested > max {
        eprintln!(
            "note: --threads {requested} clamped to {max} (4 × the {} cores here)",
            max / 4
        );
    }
    requested.min(max)
}

/// Says what the run did (and how to resume an interrupted one); the exit code: 0, 1 when a run
/// failed, 130 when interrupted.
fn outcome_code(
    outcome: &engine::Outcome,
    args: &RunArgs,
    out: &Path,
    shard: Option<Shard>,
) -> ExitCode {
    if !args.quiet {
        println!(
            "{} run(s): {} trained now, {} already done{} → {}",
            outcome.total,
            outcome.ran,
            outcome.skipped,
            if outcome.failed.is_empty() {
                String::new()
            } else {
                format!(", {} failed", outcome.failed.len())
            },
            out.display()
        );
    }
    for (id, e) in &outcome.failed {
        eprintln!("run {id} failed: {e}");
    }
    if outcome.interrupted {
        eprintln!(
            "interrupted: {} of {} runs are stored in {}; resume with the same command, e.g.\n  {}\n\
             (`labelnoise report {}` summarizes the runs stored so far)",
            outcome.ran + outcome.skipped,
            outcome.total,
            out.display(),
            resume_command(args, out, shard),
            out.display()
        );
        return ExitCode::from(interrupt::EXIT_CODE as u8);
    }
    if outcome.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The command that resumes this run.
fn resume_command(args: &RunArgs, out: &Path, shard: Option<Shard>) -> String {
    let mut again = format!(
        "labelnoise run {} --out {}",
        args.file.display(),
        out.display()
    );
    if let Some(s) = shard {
        again.push_str(&format!(" --shard {s}"));
    }
    again
}

/// Writes the report files of `dir` (`report::write_all`) and prints its warnings to stderr.
fn write_report(dir: &Path) -> Result<report::Summary, crate::engine::store::StoreError> {
    let written = report::write_all(dir)?;
    for w in &written.warnings {
        eprintln!("warning: {w}");
    }
    Ok(written.summary)
}

fn checked_metrics(m: Option<Vec<String>>) -> anyhow::Result<Option<Vec<Metric>>> {
    let Some(names) = m else { return Ok(None) };
    let mut metrics = Vec::with_capacity(names.len());
    for name in &names {
        let Some(metric) = Metric::from_name(name) else {
            let known: Vec<&str> = Metric::ALL.map(Metric::name).into();
            let hint = crate::scenario::diag::did_you_mean(name, &known)
                .map(|h| format!(" {h}"))
                .unwrap_or_default();
            bail!(
                "--metrics: unknown metric `{name}`;{hint} metrics: {}",
                known.join(", ")
            );
        };
        metrics.push(metric);
    }
    Ok(Some(metrics))
}

pub fn plan(file: &Path) -> anyhow::Result<ExitCode> {
    let s = match load(file) {
        Ok((s, _)) => s,
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
    if let Some(d) = &s.detection {
        let scores: Vec<&str> = d.scores.iter().map(|k| k.name()).collect();
        out.push_str(&format!(
            "[detection]\nscore = {scores:?}\nfolds = {}\n\n",
            d.folds
        ));
    }
    if let Some(sel) = &s.selection {
        out.push_str(&section("selection", sel));
    }
    for n in &s.noises {
        let classes = s
            .datasets
            .iter()
            .find_map(|d| crate::data::static_shape(&d.spec.source));
        if let Some(shape) = classes {
            out.push_str(&noise_notes(n, shape.classes));
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
        let problems = match load_checked(f) {
            Ok(s) => {
                println!("{}: ok ({} runs)", f.display(), s.run_count());
                continue;
            }
            Err(e) => e,
        };
        eprint!("{}", problems.render());
        bad += 1;
    }
    if files.len() > 1 && bad > 0 {
        eprintln!("{bad} of {} scenario files have problems", files.len());
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Rebuilds every table and figure of a results folder from its `runs.jsonl`, without training
/// (the same `report::write_all` that `run` ends with, so the files are byte for byte the same).
pub fn report(dir: &Path, metrics: Option<Vec<String>>) -> anyhow::Result<ExitCode> {
    let metrics = checked_metrics(metrics)?;
    library::require_runs(dir)?;
    let summary = write_report(dir)
        .with_context(|| format!("cannot build the report of {}", dir.display()))?;
    let metrics = report::export::table_metrics(&summary, metrics.as_deref());
    print!("{}", report::export::terminal(&summary, &metrics));
    println!(
        "rebuilt from {} run(s): summary.csv, summary_long.csv, summary.md, summary.json, runs.csv (trace.csv with traces), plots/*.svg, report.html in {}",
        summary.cells.iter().map(|c| c.n).sum::<usize>(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `labelnoise merge DIR… -o OUT`: checks and combines shard folders, then writes the summaries.
pub fn merge(dirs: &[PathBuf], out: &Path) -> anyhow::Result<ExitCode> {
    let warnings = progress::Reporter::new(true);
    let merged = engine::merge::merge(dirs, out, &|e| warnings.show(e))?;
    let summary = write_report(out)
        .with_context(|| format!("cannot build the report of {}", out.display()))?;
    let metrics = report::export::table_metrics(&summary, None);
    print!("{}", report::export::terminal(&summary, &metrics));
    println!(
        "merged {} run(s) and {} noise draw(s) from {} folder(s) → {}",
        merged.runs,
        merged.sidecars,
        merged.folders,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `labelnoise repair DIR`: moves bad lines of `runs.jsonl` aside and says which.
pub fn repair(dir: &Path) -> anyhow::Result<ExitCode> {
    let r = engine::repair::repair(dir)?;
    if r.moved.is_empty() {
        println!(
            "{}: nothing to repair, all {} record(s) are good",
            dir.display(),
            r.kept
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "kept {} record(s); moved {} line(s) to {}:",
        r.kept,
        r.moved.len(),
        r.rejected_file.display()
    );
    for (line, why) in &r.moved {
        println!("  line {line}: {why}");
    }
    println!(
        "rebuild the tables with `labelnoise report {}`, or rerun the scenario into it to redo missing runs",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `labelnoise datasets`: every data source with its size, class balance and origin. Sizes of
/// the bundled sets are measured on the data as loaded.
pub fn datasets() -> anyhow::Result<ExitCode> {
    use crate::data::catalog::{self, Kind};
    use comfy_table::{presets, ColumnConstraint, ContentArrangement, Table};
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(report::export::TERMINAL_WIDTH as u16)
        .set_header(["source", "n", "d", "K", "class balance", "origin"])
        // Fixed widths so the short columns do not take an even share of the 100 columns.
        .set_constraints(
            [20, 13, 10, 9, 22].map(|w| ColumnConstraint::Absolute(comfy_table::Width::Fixed(w))),
        );
    for r in catalog::rows()? {
        t.add_row([
            r.source, r.samples, r.features, r.classes, r.balance, r.origin,
        ]);
    }
    println!("{t}");
    let width = report::export::TERMINAL_WIDTH;
    let citation = textwrap::Options::new(width)
        .initial_indent("  ")
        .subsequent_indent("    ");
    println!("{}", textwrap::fill("Generators: n, d and K are the keys train + test, features and classes (defaults in parentheses).", width));
    println!("{}", textwrap::fill("Bundled data are compiled in (no network); provenance in data/README.md. Licence and citation:", width));
    for e in catalog::ENTRIES.iter().filter(|e| e.kind == Kind::Bundled) {
        let text = format!("{}: {}. {}", e.name, e.licence, e.citation);
        println!("{}", textwrap::fill(&text, &citation));
    }
    Ok(ExitCode::SUCCESS)
}
