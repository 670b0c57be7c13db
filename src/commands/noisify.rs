//! `labelnoise noisify`: labelnoise's label noise for another training pipeline. Reads a label
//! file, applies one noise setting (the scenario's `[noise]` keys, checked by the scenario reader)
//! and writes the noisy labels and a JSON record of what was done.
//!
//! [`draw`] is the library entry (also used by the Python package).
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
    /// Features for the kinds that need them (instance, boundary): a 2-D .npy array aligned with a
    /// .npy label file, or the label CSV file itself (its other columns are the features).
    /// Standardized with their own column means and standard deviations, as a scenario's
    /// training split is.
    #[arg(long, value_name = "FILE")]
    pub features: Option<PathBuf>,
    /// Use the features as they are (a scenario's `dataset.standardize = false`).
    #[arg(long)]
    pub raw_features: bool,
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

/// Why a draw failed: a bad noise setting (its text is the scenario reader's diagnostic, rendered
/// with the position in the settings text) or anything else (files, sizes, kinds).
#[derive(Debug, thiserror::Error)]
pub enum NoisifyError {
    #[error("{0}")]
    Settings(String),
    #[error("{0}")]
    Other(String),
}

/// One noisify draw, as the CLI and the Python package ask for it.
pub struct Request<'a> {
    /// True classes 0..K, one per sample, in file order.
    pub truth: &'a [usize],
    /// The K class names (the labels as written in the file).
    pub class_names: &'a [String],
    pub seed: u64,
    /// `[noise]` keys as KEY and a TOML value (or bare text, read as a string).
    pub keys: &'a [(String, String)],
    /// Features (n × d) for the kinds that need them (`instance`, `boundary`), as read from the
    /// file; standardized here with their own column statistics when `standardize`, as a
    /// scenario's training split is (`dataset.standardize`, default true).
    pub features: Option<Array2<f64>>,
    pub standardize: bool,
    /// What was read, for the record (file names, hashes).
    pub input: serde_json::Value,
}

/// The noisy classes and the JSON record of a draw.
pub struct Drawn {
    pub observed: Vec<usize>,
    pub record: serde_json::Value,
}

/// A command-line value as TOML: numbers, booleans and arrays as written, anything else a string.
fn toml_value(v: &str) -> String {
    if format!("v = {v}").parse::<toml::Table>().is_ok() {
        v.to_string()
    } else {
        toml::Value::String(v.to_string()).to_string()
    }
}

/// The noise setting the keys describe, checked by the scenario reader against K classes (so a
/// bad value gets the same message as in a scenario file, shown in a scenario-like text).
pub fn noise_spec(
    keys: &[(String, String)],
    classes: usize,
    n: usize,
    seed: u64,
) -> Result<NoiseSpec, NoisifyError> {
    let lines: Vec<String> = keys
        .iter()
        .map(|(k, v)| format!("{} = {}", k.trim(), toml_value(v.trim())))
        .collect();
    // A stand-in dataset of the file's K and size: the noise keys are checked against it as in a
    // scenario (asymmetric needs K = 2, a matrix K×K, ...); it is never generated.
    let text = format!(
        "# labelnoise noisify: the noise settings given\n\
         name = \"noisify\"\nseeds = [{seed}]\n[dataset]\nsource = \"blobs\"\nclasses = {classes}\nfeatures = 1\ntrain = {n}\ntest = {classes}\n\
         [noise]\n{}\n",
        lines.join("\n")
    );
    let scenario =
        crate::engine::preflight::parse_scenario(&text, "noisify options", Path::new("."))
            .map_err(|e| NoisifyError::Settings(e.render()))?;
    if scenario.noises.len() != 1 {
        return Err(NoisifyError::Other("noisify writes one set of noisy labels: give one value per key (a list makes a grid axis in a scenario)".into()));
    }
    let spec = scenario.noises[0].spec.clone();
    if let NoiseSpec::Given { .. } = spec {
        return Err(NoisifyError::Other(
            "noise kind \"given\" reads observed labels; noisify injects noise into true labels"
                .into(),
        ));
    }
    Ok(spec)
}

/// Draws the noisy labels: repetition `seed` of a scenario run with `noise_stream = "labels"` on
/// the same training labels (and, for `instance` and `boundary`, the same features).
pub fn draw(req: Request<'_>) -> Result<Drawn, NoisifyError> {
    let (n, k) = (req.truth.len(), req.class_names.len());
    let spec = noise_spec(req.keys, k, n, req.seed)?;
    let needs_features = matches!(
        spec,
        NoiseSpec::Instance { .. } | NoiseSpec::Boundary { .. }
    );
    let x = match req.features {
        Some(mut x) => {
            if x.nrows() != n {
                return Err(NoisifyError::Other(format!(
                    "{} feature rows for {n} labels; they must align row by row",
                    x.nrows()
                )));
            }
            if req.standardize {
                let names: Vec<String> = (0..x.ncols()).map(|j| format!("x{j}")).collect();
                let mut none = Array2::zeros((0, x.ncols()));
                crate::data::standardize(&mut x, &mut none, &names)
                    .map_err(|e| NoisifyError::Other(e.to_string()))?;
            }
            x
        }
        None if needs_features => {
            return Err(NoisifyError::Other(format!(
                "noise kind \"{}\" depends on the features: give them with --features (a 2-D .npy array aligned with the labels, or the label CSV file itself)",
                spec.kind_name()
            )))
        }
        None => Array2::zeros((n, 0)),
    };
    let mut rng = stream::for_labels(req.seed, req.truth, k, &spec);
    let noisy = noise::apply(&spec, req.truth, k, &x, &mut rng)
        .map_err(|e| NoisifyError::Other(e.to_string()))?;
    let realized = &noisy.realized;
    let record = serde_json::json!({
        "labelnoise_version": crate::VERSION,
        "build": crate::engine::build::id(),
        "input": req.input,
        "seed": req.seed,
        "stream": format!("noise stream of repetition seed {} keyed by the labels' content (noise_stream = \"labels\")", req.seed),
        "noise": spec,
        "features": needs_features.then(|| serde_json::json!({
            "columns": x.ncols(),
            "standardized": req.standardize,
        })),
        "classes": k,
        "class_names": req.class_names,
        "n": n,
        "flipped": realized.flipped,
        "rate": realized.rate,
        "expected_rate": noisy.expected_rate,
        "transitions": realized.transitions,
        "realized_matrix": realized_matrix(&realized.transitions).to_rows(),
        "flipped_ids": realized.flipped_ids,
    });
    Ok(Drawn {
        observed: noisy.observed,
        record,
    })
}

/// The `[noise]` keys of the command line: the key flags, then every `--set KEY=VALUE`.
fn keys_of(args: &NoisifyArgs) -> anyhow::Result<Vec<(String, String)>> {
    let mut keys: Vec<(String, String)> = args
        .keys
        .0
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    for kv in &args.set {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--set {kv}: expected KEY=VALUE, e.g. --set rate=0.3");
        };
        keys.push((k.to_string(), v.to_string()));
    }
    Ok(keys)
}

/// `labelnoise noisify`: writes the noisy labels (.npy or .csv) and the JSON record.
pub fn noisify(args: &NoisifyArgs) -> anyhow::Result<ExitCode> {
    let column = args.column.as_deref();
    let (truth, names, features) = match &args.features {
        Some(f) => {
            let read = crate::data::observed::labelled_features(f, &args.labels, column)
                .map_err(anyhow::Error::msg)?;
            (read.y, read.class_names, Some(read.x))
        }
        None => {
            let (y, names) = crate::data::observed::label_file(&args.labels, column)
                .map_err(anyhow::Error::msg)?;
            (y, names, None)
        }
    };
    let hash = |p: &Path| crate::engine::inputs::file_hash(p);
    let input = serde_json::json!({
        "labels": args.labels.display().to_string(),
        "column": args.column,
        "sha256": hash(&args.labels),
        "features": args.features.as_ref().map(|f| f.display().to_string()),
        "features_sha256": args.features.as_deref().map(hash),
    });
    let keys = keys_of(args)?;
    let drawn = match draw(Request {
        truth: &truth,
        class_names: &names,
        seed: args.seed,
        keys: &keys,
        features,
        standardize: !args.raw_features,
        input,
    }) {
        Ok(d) => d,
        Err(NoisifyError::Settings(text)) => {
            eprint!("{text}");
            return Ok(ExitCode::from(2));
        }
        Err(NoisifyError::Other(e)) => bail!(e),
    };
    let noisy_names: Vec<&str> = drawn.observed.iter().map(|&c| names[c].as_str()).collect();
    write_labels(&args.out, column, &noisy_names)?;
    let record_path = args.record.clone().unwrap_or_else(|| {
        let mut p = args.out.clone().into_os_string();
        p.push(".json");
        PathBuf::from(p)
    });
    std::fs::write(
        &record_path,
        serde_json::to_string_pretty(&drawn.record)? + "\n",
    )
    .with_context(|| format!("cannot write the record {}", record_path.display()))?;
    println!(
        "{}: {} labels, {} flipped (rate {:.4}); record in {}",
        args.out.display(),
        truth.len(),
        drawn.record["flipped"],
        drawn.record["rate"].as_f64().unwrap_or(0.0),
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
