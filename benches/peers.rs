//! Our side of `benches/peers.sh`: the reference grid on data written by the peers' generator,
//! single-thread evaluation timings, this machine's floor, and scaling. Prints JSON lines.
//!
//! ```text
//! cargo bench --bench peers -- fit   --data DIR --threads T [--out FILE] [--wait-idle S --retries R]
//! cargo bench --bench peers -- eval  --data DIR [--evals E]
//! cargo bench --bench peers -- floor [--n N --d D]
//! cargo bench --bench peers -- scale [--threads T]
//! cargo bench --bench peers -- own   --threads T      (the grid on the crate's own data)
//! ```
//! DIR holds `manifest.json` ({n, d, k, seeds, rates, eps, l2, tol, max_iter}), `X_<seed>.npy`
//! (f64, n × d) and `y_<seed>_<rate index>.npy` (int64 noisy labels), as peers.sh writes them.

mod common;

use common::{FitRow, GridRun};
use labelnoise::train::loss::RowLoss;
use labelnoise::train::objective::{Kernel, Objective};
use labelnoise::train::targets::SmoothedTarget;
use ndarray::{Array1, Array2};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    // `cargo bench` appends `--bench`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let opts = Opts::parse(args.get(1..).unwrap_or_default());
    match args.first().map(String::as_str) {
        Some("fit") => fit(&opts),
        Some("eval") => eval(&opts),
        Some("floor") => floor(&opts),
        Some("scale") => scale(&opts),
        Some("own") => own(&opts),
        _ => eprintln!(
            "usage: see the header of benches/peers.rs (this runner serves benches/peers.sh)"
        ),
    }
}

struct Opts(HashMap<String, String>);

impl Opts {
    fn parse(args: &[String]) -> Opts {
        let mut m = HashMap::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(key) = a.strip_prefix("--") {
                m.insert(key.to_string(), it.next().cloned().unwrap_or_default());
            }
        }
        Opts(m)
    }
    fn get<T: std::str::FromStr>(&self, key: &str, default: T) -> T {
        self.0
            .get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }
    fn path(&self, key: &str) -> PathBuf {
        PathBuf::from(
            self.0
                .get(key)
                .unwrap_or_else(|| panic!("--{key} is required")),
        )
    }
}

/// The peers' data set: X per seed, noisy labels per (seed, rate).
struct PeerData {
    manifest: Value,
    x: Vec<Array2<f64>>,
    labels: Vec<Vec<Vec<usize>>>,
}

impl PeerData {
    fn load(dir: &Path) -> PeerData {
        let manifest: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json"),
        )
        .expect("manifest.json is JSON");
        let seeds = manifest["seeds"].as_u64().expect("seeds") as usize;
        let rates = manifest["rates"].as_array().expect("rates").len();
        let x = (0..seeds)
            .map(|s| ndarray_npy::read_npy(dir.join(format!("X_{s}.npy"))).expect("X_<seed>.npy"))
            .collect();
        let labels = (0..seeds)
            .map(|s| {
                (0..rates)
                    .map(|r| {
                        let y: Array1<i64> =
                            ndarray_npy::read_npy(dir.join(format!("y_{s}_{r}.npy")))
                                .expect("y_<seed>_<rate>.npy");
                        y.iter().map(|&v| v as usize).collect()
                    })
                    .collect()
            })
            .collect();
        PeerData {
            manifest,
            x,
            labels,
        }
    }

    fn dim(&self, key: &str) -> usize {
        self.manifest[key]
            .as_u64()
            .unwrap_or_else(|| panic!("manifest: {key}")) as usize
    }

    fn floats(&self, key: &str) -> Vec<f64> {
        self.manifest[key]
            .as_array()
            .unwrap_or_else(|| panic!("manifest: {key}"))
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect()
    }

    fn model(&self) -> labelnoise::scenario::spec::ModelSpec {
        let mut m = common::reference_model();
        m.l2 = self.manifest["l2"].as_f64().expect("l2");
        m.tolerance = self.manifest["tol"].as_f64().expect("tol");
        m.max_iter = self.dim("max_iter");
        m
    }

    /// Seed-major, then rate, then ε: the peers' order.
    fn runs(&self) -> Vec<GridRun<'_>> {
        let (rates, eps) = (self.floats("rates"), self.floats("eps"));
        let mut runs = Vec::new();
        for (s, x) in self.x.iter().enumerate() {
            for (r, &rate) in rates.iter().enumerate() {
                for &epsilon in &eps {
                    runs.push(GridRun {
                        seed: s as u64,
                        rate,
                        epsilon,
                        x: x.view(),
                        labels: &self.labels[s][r],
                    });
                }
            }
        }
        runs
    }

    fn bytes(&self) -> usize {
        let x: usize = self.x.iter().map(|a| a.len() * 8).sum();
        let y: usize = self.labels.iter().flatten().map(|l| l.len() * 8).sum();
        x + y
    }
}

/// CPU-seconds the whole machine has been busy (/proc/stat: all but idle, iowait, steal).
fn machine_busy() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.parse().ok())
        .collect();
    if v.len() < 8 {
        return f64::NAN;
    }
    (v[..8].iter().sum::<f64>() - v[3] - v[4] - v[7]) / 100.0
}

/// CPU-seconds this process has used (/proc/self/stat utime + stime).
fn own_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    // After the command name: state (not a number, skipped), then fields 4.. ; utime, stime are 14, 15.
    f.get(10)
        .zip(f.get(11))
        .map_or(f64::NAN, |(u, s)| (u + s) / 100.0)
}

/// Cores other processes used meanwhile.
struct Load {
    busy: f64,
    own: f64,
    at: Instant,
}

impl Load {
    fn start() -> Load {
        Load {
            busy: machine_busy(),
            own: own_cpu(),
            at: Instant::now(),
        }
    }
    fn foreign(&self) -> f64 {
        let wall = self.at.elapsed().as_secs_f64().max(1e-9);
        ((machine_busy() - self.busy) - (own_cpu() - self.own)) / wall
    }
}

/// Waits (up to `max` seconds) until other processes use less than 0.1 core over half a second.
fn wait_idle(max: f64) -> f64 {
    let start = Instant::now();
    if max <= 0.0 {
        return 0.0;
    }
    loop {
        let load = Load::start();
        std::thread::sleep(std::time::Duration::from_millis(500));
        if load.foreign() < 0.1 || start.elapsed().as_secs_f64() > max {
            return start.elapsed().as_secs_f64();
        }
    }
}

fn status_kib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn row_json(r: &FitRow, threads: usize, attempt: usize) -> Value {
    json!({"impl": "labelnoise", "seed": r.seed, "noise_rate": r.rate, "eps": r.epsilon,
           "threads": threads, "wall_s": r.seconds, "n_fg": r.evaluations, "n_iter": r.iterations,
           "objective": r.objective, "grad_max": r.grad_max, "converged": r.converged,
           "attempt": attempt})
}

fn summary(rows: &[FitRow], grid_wall: f64, threads: usize, n: usize, d: usize, k: usize) -> Value {
    let evals: usize = rows.iter().map(|r| r.evaluations).sum();
    let fit_sum: f64 = rows.iter().map(|r| r.seconds).sum();
    json!({
        "summary": true, "impl": "labelnoise", "kernel": Kernel::detect().name(),
        "n": n, "d": d, "k": k, "threads": threads, "fits": rows.len(),
        "total_wall_s": grid_wall, "total_fit_s": fit_sum,
        "median_fit_s": median(rows.iter().map(|r| r.seconds).collect()),
        "total_fg": evals,
        "median_fg": median(rows.iter().map(|r| r.evaluations as f64).collect()),
        "median_iter": median(rows.iter().map(|r| r.iterations as f64).collect()),
        "mean_s_per_fg": fit_sum / evals.max(1) as f64,
        "gflops_nominal": 4.0 * (n * d * k) as f64 * evals as f64 / grid_wall / 1e9,
        "not_converged": rows.iter().filter(|r| !r.converged).count(),
    })
}

fn fit(o: &Opts) {
    let rss_before = status_kib("VmRSS:");
    let loading = Instant::now();
    let data = PeerData::load(&o.path("data"));
    let load_s = loading.elapsed().as_secs_f64();
    let (n, d, k) = (data.dim("n"), data.dim("d"), data.dim("k"));
    let threads = o.get("threads", 2usize);
    let runs = data.runs();
    let model = data.model();
    // Warm-up (page faults, thread start): one small fit, untimed.
    let _ = common::run_grid(&runs[..1], k, &model, 1);
    let retries = o.get("retries", 0usize);
    let mut waited = 0.0;
    let (mut rows, mut wall, mut foreign, mut attempt) = (Vec::new(), 0.0, 0.0, 0);
    for a in 0..=retries {
        waited += wait_idle(o.get("wait-idle", 0.0));
        let load = Load::start();
        (rows, wall) = common::run_grid(&runs, k, &model, threads);
        foreign = load.foreign();
        attempt = a;
        if foreign <= 0.25 {
            break;
        }
    }
    if let Some(out) = o.0.get("out") {
        let lines: Vec<String> = rows
            .iter()
            .map(|r| row_json(r, threads, attempt).to_string())
            .collect();
        std::fs::write(out, lines.join("\n") + "\n").expect("write --out");
    }
    let mut s = summary(&rows, wall, threads, n, d, k);
    // What a user waits for: reading the .npy data and the 27 fits (process start-up, a few ms,
    // and the untimed warm-up fit aside); compared with the peers' fit time alone.
    s["load_s"] = json!(load_s);
    s["whole_s"] = json!(load_s + wall);
    s["foreign_load"] = json!(foreign);
    s["idle_wait_s"] = json!(waited);
    s["data_mib"] = json!(data.bytes() as f64 / 1048576.0);
    s["rss_before_data_mib"] = json!(rss_before / 1024.0);
    s["peak_rss_mib"] = json!(status_kib("VmHWM:") / 1024.0);
    println!("{s}");
}

/// Single-thread time of one evaluation at the optimum of the (seed 0, rate 0.2, ε = 0.1) fit, for
/// every kernel of this CPU and for the issue-2 evaluation.
fn eval(o: &Opts) {
    let data = PeerData::load(&o.path("data"));
    let (d, k) = (data.dim("d"), data.dim("k"));
    let runs = data.runs();
    let run = runs
        .iter()
        .find(|r| r.rate == 0.2 && r.epsilon == 0.1)
        .unwrap_or(&runs[0]);
    let model = data.model();
    let method = common::smoothing(run.epsilon);
    let input = labelnoise::train::FitInput {
        x: run.x.view(),
        labels: run.labels,
        classes: k,
        model: &model,
        method: &method,
        true_matrix: None,
        train_rng: labelnoise::rng::derive("train", 0, &[]),
    };
    let fitted =
        labelnoise::train::fit(&input, &mut |_: &labelnoise::train::Progress<'_>| {}).expect("fit");
    let mut theta: Vec<f64> = fitted.model.weights.iter().copied().collect();
    theta.extend(fitted.model.bias.iter());
    assert_eq!(theta.len(), (d + 1) * k);
    let loss = || {
        RowLoss::Soft(SmoothedTarget::new(
            run.epsilon,
            k,
            labelnoise::scenario::spec::SmoothingStyle::Uniform,
        ))
    };
    let evals = o.get("evals", 500usize);
    let time = |name: &str, f: &mut dyn FnMut(&[f64], &mut [f64]) -> f64| {
        let mut g = vec![0.0; theta.len()];
        // At most about 3 s per candidate (the portable kernel without hardware FMA is slow).
        let t = Instant::now();
        let mut value = f(black_box(&theta), &mut g);
        let evals = evals
            .min((3.0 / t.elapsed().as_secs_f64()).ceil() as usize)
            .max(5);
        let mut times = Vec::with_capacity(evals);
        for _ in 0..evals {
            let t = Instant::now();
            value = f(black_box(&theta), &mut g);
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let flops = 4.0 * (run.x.nrows() * d * k) as f64;
        println!(
            "{}",
            json!({"eval": name, "evals": evals, "objective": value,
                   "min_ms": times[0] * 1e3, "median_ms": median(times.clone()) * 1e3,
                   "gflops_at_min": flops / times[0] / 1e9})
        );
    };
    let mut old = common::baseline::Baseline::new(run.x, run.labels, k, k, loss(), model.l2);
    time(
        "issue-2 evaluation (ndarray general_mat_mul)",
        &mut |t, g| old.value_grad(t, g),
    );
    for kernel in Kernel::available() {
        let mut obj = Objective::new(run.x, run.labels, k, k, loss(), model.l2);
        obj.set_kernel(kernel);
        time(&format!("{} kernel", kernel.name()), &mut |t, g| {
            obj.value_grad(t, g)
        });
    }
}

/// Read bandwidth, best of many passes: over a buffer the size of X (as an evaluation reads it,
/// repeatedly) and over 1 GiB (from memory).
fn floor(o: &Opts) {
    let (n, d) = (o.get("n", common::N), o.get("d", common::D));
    let read = |len: usize, passes: usize| {
        let buf: Vec<f64> = (0..len).map(|i| (i % 7) as f64).collect();
        let mut best = f64::INFINITY;
        for _ in 0..passes {
            let t = Instant::now();
            let mut acc = [0.0f64; 8];
            for chunk in buf.chunks_exact(8) {
                for l in 0..8 {
                    acc[l] += chunk[l];
                }
            }
            black_box(acc);
            best = best.min(t.elapsed().as_secs_f64());
        }
        (len * 8) as f64 / best / 1e9
    };
    let x_gbs = read(n * d, 200);
    let dram_gbs = read(1 << 27, 5);
    println!(
        "{}",
        json!({"x_bytes": n * d * 8, "read_gbs_x_sized": x_gbs, "read_gbs_1gib": dram_gbs,
               "read_x_ms_x_sized": (n * d * 8) as f64 / x_gbs / 1e6,
               "read_x_ms_1gib": (n * d * 8) as f64 / dram_gbs / 1e6})
    );
}

/// Time per fit and per evaluation for N = 2k, 20k, 200k (one thread), and the 27-fit grid on
/// 1 and `threads` threads, on the crate's own data.
fn scale(o: &Opts) {
    let model = common::reference_model();
    for n in [2_000, 20_000, 200_000] {
        let own = common::OwnGrid::new(n, 1);
        let runs = own.runs();
        let run = runs
            .iter()
            .find(|r| r.rate == 0.2 && r.epsilon == 0.1)
            .expect("run");
        let mut best = (f64::INFINITY, 0);
        for _ in 0..3 {
            let (rows, wall) = common::run_grid(std::slice::from_ref(run), common::K, &model, 1);
            if wall < best.0 {
                best = (wall, rows[0].evaluations);
            }
        }
        println!(
            "{}",
            json!({"scale": "n", "n": n, "fit_s": best.0, "n_fg": best.1,
                   "ms_per_fg": best.0 / best.1 as f64 * 1e3,
                   "us_per_fg_per_1000_rows": best.0 / best.1 as f64 * 1e9 / n as f64})
        );
    }
    let own = common::OwnGrid::new(common::N, 3);
    let runs = own.runs();
    for threads in 1..=o.get("threads", 2usize) {
        let (rows, wall) = common::run_grid(&runs, common::K, &model, threads);
        let mut s = summary(&rows, wall, threads, common::N, common::D, common::K);
        s["scale"] = json!("threads");
        println!("{s}");
    }
}

fn own(o: &Opts) {
    let own = common::OwnGrid::new(common::N, 3);
    let runs = own.runs();
    let model = common::reference_model();
    let threads = o.get("threads", 2usize);
    let (rows, wall) = common::run_grid(&runs, common::K, &model, threads);
    let mut s = summary(&rows, wall, threads, common::N, common::D, common::K);
    s["data"] = json!("labelnoise blobs (separation 0.3), not the peers' data");
    println!("{s}");
}
