//! The `labelnoise` command line: parses arguments and calls the library.

use clap::{Parser, Subcommand};
use labelnoise::commands;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "labelnoise",
    version,
    about = "How much does label smoothing help when training labels are wrong?"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train every run of a scenario's grid and print the summary table.
    Run {
        /// Scenario file (TOML).
        file: PathBuf,
        /// Results folder (default: results/<scenario name>, and results/<name>/shard-I-of-N with --shard).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: all cores; at most 4 × the cores, more are clamped). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Run only shard I of N (0-based), e.g. 3/16, or `slurm` to read the Slurm array variables.
        #[arg(long)]
        shard: Option<String>,
        /// Start the results folder afresh even if it holds other results.
        #[arg(long)]
        force: bool,
        /// Add runs to a results folder made by another build of labelnoise (marked "mixed builds").
        #[arg(long)]
        allow_other_build: bool,
        /// Print nothing on success (no progress, table or summary line); warnings and errors still
        /// go to stderr.
        #[arg(long, short)]
        quiet: bool,
        /// Metrics shown in the terminal table, comma-separated.
        #[arg(long, value_delimiter = ',')]
        metrics: Option<Vec<String>>,
    },
    /// Print the resolved grid (axes, values, defaults, number of runs); train nothing.
    Plan { file: PathBuf },
    /// Validate scenario files without running them; reports every problem found.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Rebuild every report file (summaries, runs.csv, trace.csv, plots, report.html) from a results
    /// folder's runs.jsonl, without training; the files equal those `run` wrote, byte for byte.
    Report {
        /// Results folder written by `labelnoise run` or `labelnoise merge` (holds runs.jsonl).
        dir: PathBuf,
        /// Metrics shown in the terminal table, comma-separated (names as in `summary.csv`, e.g.
        /// test_accuracy,test_ece); the files always hold every metric.
        #[arg(long, value_delimiter = ',')]
        metrics: Option<Vec<String>>,
    },
    /// Combine shard folders of one scenario into one results folder, equal to a single-process run.
    Merge {
        /// Shard folders (refused if they mix scenarios or versions, or a run is missing or twice).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder, e.g. results/<scenario name>.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Move the bad lines of a results folder's runs.jsonl (unreadable, torn, of another scenario or
    /// grid, repeated runs) to runs.rejected.jsonl, keeping the rest.
    Repair { dir: PathBuf },
    /// List the bundled datasets with their sizes and sources.
    Datasets,
    /// Print every scenario key with its type, default and meaning (Markdown).
    Schema,
    /// Write noisy labels for another training pipeline (.npy or .csv) and a JSON record (realized
    /// matrix, flipped ids, seed, settings, version, input SHA-256).
    ///
    /// Noise settings are the scenario's [noise] keys, as --KEY VALUE or --set KEY=VALUE, checked as
    /// in a scenario file. The labels are those of repetition --seed of a scenario run with
    /// `noise_stream = "labels"` (in [dataset]) whose training labels are this file's labels in
    /// order: the noise stream is ChaCha20 keyed by SHA-256 of ("noise", seed, the labels' content
    /// and K, the noise settings), so the same labels, settings and seed give the same output on
    /// any machine. Kinds that need the features (instance, boundary) are refused.
    Noisify(commands::noisify::NoisifyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            file,
            out,
            threads,
            shard,
            force,
            allow_other_build,
            quiet,
            metrics,
        } => commands::run(&commands::RunArgs {
            file,
            out,
            threads,
            shard,
            force,
            allow_other_build,
            quiet,
            metrics,
        }),
        Command::Plan { file } => commands::plan(&file),
        Command::Check { files } => commands::check(&files),
        Command::Report { dir, metrics } => commands::report(&dir, metrics),
        Command::Merge { dirs, out } => commands::merge(&dirs, &out),
        Command::Repair { dir } => commands::repair(&dir),
        Command::Datasets => commands::datasets(),
        Command::Noisify(args) => commands::noisify::noisify(&args),
        Command::Schema => {
            print!("{}", labelnoise::scenario::schema::markdown());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(1)
        }
    }
}
