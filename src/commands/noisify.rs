//! `labelnoise noisify`: labelnoise's label noise for another training pipeline. Reads a label
//! file, applies one noise setting (the scenario's `[noise]` keys, checked by the scenario reader)
//! and writes the noisy labels and a JSON record of what was done.
//!
//! The draw is repetition `--seed` of a scenario run with `noise_stream = "labels"` whose training
//! labels are the file's labels in order ([`crate::noise::stream::for_labels`]): the same labels,
//! settings and seed give the same noisy labels in `noisify` and in such a scenario, on any
//! machine (ChaCha20 keyed by SHA-256, never the platform's generator).

use crate::noise::{self, given::realized_matrix, stream};
use crate::scenario::spec::NoiseSpec;
use crate::vocab::keys::{noise as keys, Key};
use anyhow::{bail, Context};
use ndarray::Array2;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The `noisify` command line.
#[derive(clap::Args, Debug)]
pub struct NoisifyArgs {
    /// Label file: a 1-D .npy array, or a CSV file with a header (see --column).
    #[arg(long)]
    pub labels: PathBuf,
    /// CSV: the label column's name (default: the last column).
    #[arg(long)]
    pub column: Option<String>,
    /// Repetition seed: the noisy labels of repetition SEED of a scenario run with
    /// `noise_stream = "labels"` on the same training labels.
    #[arg(long)]
    pub seed: u64,
    /// Output file: .npy (integer labels) if it ends in .npy, else CSV (one column, header = the
    /// input column's name or `label`).
    #[arg(long)]
    pub out: PathBuf,
    /// JSON record of the draw (default: OUT.json).
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Any noise key as KEY=VALUE (repeatable), e.g. --set matrix=[[0.8,0.2],[0.3,0.7]].
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub keys: NoiseKeys,
}

/// One `--KEY VALUE` flag per `[noise]` key of the scenario key table (same name, doc and default
/// as `labelnoise schema`), except the keys of `kind = "given"`, which reads labels instead.
#[derive(Clone, Debug, Default)]
pub struct NoiseKeys(pub Vec<(&'static str, String)>);

fn flag_keys() -> impl Iterator<Item = &'static Key> {
    keys::ALL.iter().filter(|k| {
        !keys::KINDS
            .find("given")
            .is_some_and(|g| g.key_names().contains(&k.name))
    })
}

impl clap::FromArgMatches for NoiseKeys {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Ok(NoiseKeys(
            flag_keys()
                .filter_map(|k| m.get_one::<String>(k.name).map(|v| (k.name, v.clone())))
                .collect(),
        ))
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for NoiseKeys {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        flag_keys().fold(cmd, |cmd, k| {
            let allowed = k.allowed_text();
            let allowed = if allowed.is_empty() {
                String::new()
            } else {
                format!("; {allowed}")
            };
            cmd.arg(
                clap::Arg::new(k.name)
                    .long(k.name)
                    .value_name("VALUE")
                    .help(format!(
                        "noise.{}: {} (default {}{allowed})",
                        k.name,
                        k.doc,
                        k.default_text()
                    )),
            )
        })
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// A command-line value as TOML: numbers, booleans and arrays as written, anything else a string.
fn toml_value(v: &str) -> String {
    if format!("v = {v}").parse::<toml::Table>().is_ok() {
        v.to_string()
    } else {
        toml::Value::String(v.to_string()).to_string()
    }
}

/// The noise setting the flags describe, checked by the scenario reader against K classes (so a
/// bad value gets the same message as in a scenario file, shown in a scenario-like text).
fn noise_spec(
    args: &NoisifyArgs,
    classes: usize,
    n: usize,
) -> anyhow::Result<Result<NoiseSpec, ExitCode>> {
    let mut lines = Vec::new();
    for (k, v) in &args.keys.0 {
        lines.push(format!("{k} = {}", toml_value(v)));
    }
    for kv in &args.set {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--set {kv}: expected KEY=VALUE, e.g. --set rate=0.3");
        };
        lines.push(format!("{} = {}", k.trim(), toml_value(v.trim())));
    }
    // A stand-in dataset of the file's K and size: the noise keys are checked against it as in a
    // scenario (asymmetric needs K = 2, a matrix K×K, ...); it is never generated.
    let text = format!(
        "# labelnoise noisify --labels {}: the noise settings given on the command line\n\
         name = \"noisify\"\nseeds = [{}]\n[dataset]\nsource = \"blobs\"\nclasses = {classes}\nfeatures = 1\ntrain = {n}\ntest = {classes}\n\
         [noise]\n{}\n",
        args.labels.display(),
        args.seed,
        lines.join("\n")
    );
    let scenario =
        match crate::engine::preflight::parse_scenario(&text, "noisify options", Path::new(".")) {
            Ok(s) => s,
            Err(e) => {
                eprint!("{}", e.render());
                return Ok(Err(ExitCode::from(2)));
            }
        };
    if scenario.noises.len() != 1 {
        bail!("noisify writes one set of noisy labels: give one value per key (a list makes a grid axis in a scenario)");
    }
    let spec = scenario.noises[0].spec.clone();
    match spec {
        NoiseSpec::Instance { .. } | NoiseSpec::Boundary { .. } => bail!(
            "noise kind \"{}\" depends on the features (x), which noisify does not read: run it in a scenario with the features (dataset.source = \"csv\", noise_stream = \"labels\") and take the flipped ids from its noise sidecar",
            spec.kind_name()
        ),
        NoiseSpec::Given { .. } => bail!("noise kind \"given\" reads observed labels; noisify injects noise into true labels"),
        _ => Ok(Ok(spec)),
    }
}

/// `labelnoise noisify`: writes the noisy labels (.npy or .csv) and the JSON record.
pub fn noisify(args: &NoisifyArgs) -> anyhow::Result<ExitCode> {
    let (truth, names) = crate::data::observed::label_file(&args.labels, args.column.as_deref())
        .map_err(anyhow::Error::msg)?;
    let k = names.len();
    let spec = match noise_spec(args, k, truth.len())? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let mut rng = stream::for_labels(args.seed, &truth, k, &spec);
    let noisy = noise::apply(&spec, &truth, k, &Array2::zeros((truth.len(), 0)), &mut rng)
        .map_err(anyhow::Error::msg)?;
    let noisy_names: Vec<&str> = noisy.observed.iter().map(|&c| names[c].as_str()).collect();
    write_labels(&args.out, args.column.as_deref(), &noisy_names)?;
    let record_path = args.record.clone().unwrap_or_else(|| {
        let mut p = args.out.clone().into_os_string();
        p.push(".json");
        PathBuf::from(p)
    });
    let realized = &noisy.realized;
    let record = serde_json::json!({
        "labelnoise_version": crate::VERSION,
        "build": crate::engine::build::id(),
        "input": {
            "labels": args.labels.display().to_string(),
            "column": args.column,
            "sha256": crate::engine::inputs::file_hash(&args.labels),
        },
        "seed": args.seed,
        "stream": format!("noise stream of repetition seed {} keyed by the labels' content (noise_stream = \"labels\")", args.seed),
        "noise": spec,
        "classes": k,
        "class_names": names,
        "n": truth.len(),
        "flipped": realized.flipped,
        "rate": realized.rate,
        "expected_rate": noisy.expected_rate,
        "transitions": realized.transitions,
        "realized_matrix": realized_matrix(&realized.transitions).to_rows(),
        "flipped_ids": realized.flipped_ids,
    });
    std::fs::write(&record_path, serde_json::to_string_pretty(&record)? + "\n")
        .with_context(|| format!("cannot write the record {}", record_path.display()))?;
    println!(
        "{}: {} labels, {} flipped (rate {:.4}); record in {}",
        args.out.display(),
        truth.len(),
        realized.flipped,
        realized.rate,
        record_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the labels: a 1-D int64 .npy (the labels must be integers), else a one-column CSV.
fn write_labels(out: &Path, column: Option<&str>, labels: &[&str]) -> anyhow::Result<()> {
    let is_npy = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if is_npy {
        let ints: Result<Vec<i64>, _> = labels.iter().map(|v| v.parse::<i64>()).collect();
        let Ok(ints) = ints else {
            bail!("{}: the labels are text, which .npy cannot hold as integers; write a .csv file instead", out.display());
        };
        ndarray_npy::write_npy(out, &ndarray::Array1::from_vec(ints))
            .with_context(|| format!("cannot write {}", out.display()))?;
        return Ok(());
    }
    let mut w =
        ::csv::Writer::from_path(out).with_context(|| format!("cannot write {}", out.display()))?;
    w.write_record([column.unwrap_or("label")])?;
    for v in labels {
        w.write_record([v])?;
    }
    w.flush()?;
    Ok(())
}
