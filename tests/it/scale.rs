//! Batch runs at scale, through the real binary: thread-count independence, resume, torn tails,
//! interrupts (SIGKILL and SIGINT), the folder lock, shards and merge.

use assert_cmd::Command;
use fs2::FileExt;
use labelnoise::engine::shard::Shard;
use labelnoise::engine::store;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// 2 noise rates × 3 ε × 2 seeds = 12 quick runs.
const SMALL: &str = r#"
name = "small"
seeds = 2
[dataset]
source = "blobs"
classes = 3
features = 4
train = 120
test = 60
[noise]
kind = "symmetric"
rate = [0.0, 0.2]
[[method]]
kind = "label_smoothing"
epsilon = [0.0, 0.1, 0.2]
"#;

/// 32 runs of a few tens of milliseconds each: long enough to interrupt part-way on one thread.
const SLOW: &str = r#"
name = "slow"
seeds = 4
[dataset]
source = "blobs"
classes = 10
features = 50
train = 6000
test = 200
separation = 0.5
[noise]
kind = "symmetric"
rate = [0.1, 0.3]
[[method]]
kind = "label_smoothing"
epsilon = [0.0, 0.1, 0.2, 0.3]
"#;
const SLOW_RUNS: usize = 2 * 4 * 4;

/// SMALL with one seed, one ε and 100 times the training rows: 2 runs of 12,000 rows, so each
/// evaluation has 2 row chunks of its own and, with more threads than runs, idle threads evaluate
/// the fits' chunks.
fn few_large() -> String {
    let text = SMALL
        .replace("seeds = 2", "seeds = 1")
        .replace("train = 120", "train = 12000")
        .replace("epsilon = [0.0, 0.1, 0.2]", "epsilon = 0.1");
    for edited in ["seeds = 1", "train = 12000", "epsilon = 0.1"] {
        assert!(
            text.contains(edited),
            "SMALL no longer has what few_large edits"
        );
    }
    text
}

const SUMMARIES: [&str; 3] = ["summary.csv", "summary.md", "summary.json"];

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn bin() -> Command {
    Command::cargo_bin("labelnoise").unwrap()
}

/// `labelnoise run FILE --out OUT ARGS…`, expected to succeed; returns stdout and stderr.
pub(crate) fn run_ok(file: &Path, out: &Path, args: &[&str]) -> (String, String) {
    let o = bin()
        .arg("run")
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert!(o.status.success(), "run failed: {stderr}");
    (stdout, stderr)
}

/// Records as JSON values without their `timing`, sorted by id.
fn records(dir: &Path) -> Vec<Value> {
    let text = fs::read_to_string(dir.join("runs.jsonl")).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'));
    let mut out: Vec<Value> = text
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v.as_object_mut()
                .unwrap()
                .remove("timing")
                .expect("every record has its timing");
            v
        })
        .collect();
    out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    out
}

fn ids(dir: &Path) -> Vec<String> {
    records(dir)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// Same records (minus timing) and byte-identical summary files.
fn assert_same_results(a: &Path, b: &Path) {
    assert_eq!(
        records(a),
        records(b),
        "records differ between {} and {}",
        a.display(),
        b.display()
    );
    for f in SUMMARIES {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

fn line_count(path: &Path) -> usize {
    fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn thread_count_does_not_change_results() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "s.toml", SMALL);
    let (one, four) = (t.path().join("one"), t.path().join("four"));
    run_ok(&file, &one, &["--threads", "1"]);
    run_ok(&file, &four, &["--threads", "4"]);
    assert_eq!(records(&one).len(), 12);
    assert_same_results(&one, &four);
}

#[test]
fn fewer_runs_than_threads_do_not_change_results() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "s.toml", &few_large());
    let outs: Vec<PathBuf> = [1, 2, 3]
        .iter()
        .map(|threads| {
            let out = t.path().join(format!("t{threads}"));
            run_ok(&file, &out, &["--threads", &threads.to_string()]);
            out
        })
        .collect();
    assert_eq!(records(&outs[0]).len(), 2);
    assert_same_results(&outs[0], &outs[1]);
    assert_same_results(&outs[0], &outs[2]);
}

#[test]
fn rerun_skips_finished_runs_and_equals_an_uninterrupted_run() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "s.toml", SMALL);
    let (whole, resumed) = (t.path().join("whole"), t.path().join("resumed"));
    run_ok(&file, &whole, &[]);
    run_ok(&file, &resumed, &[]);
    // Keep 5 records, as if the process had stopped after them.
    let text = fs::read_to_string(resumed.join("runs.jsonl")).unwrap();
    let kept: String = text.lines().take(5).map(|l| format!("{l}\n")).collect();
    fs::write(resumed.join("runs.jsonl"), kept).unwrap();
    let (stdout, _) = run_ok(&file, &resumed, &[]);
    assert!(
        stdout.contains("12 run(s): 7 trained now, 5 already done"),
        "{stdout}"
    );
    let o = bin()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&resumed)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("skipping 12 finished run(s)"));
    assert_same_results(&whole, &resumed);
}

#[test]
fn torn_last_line_is_dropped_with_a_warning() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "s.toml", SMALL);
    let (whole, torn) = (t.path().join("whole"), t.path().join("torn"));
    run_ok(&file, &whole, &[]);
    run_ok(&file, &torn, &[]);
    let text = fs::read_to_string(torn.join("runs.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Four whole records, then the first half of the fifth (a crash mid-write).
    let cut = format!(
        "{}\n{}",
        lines[..4].join("\n"),
        &lines[4][..lines[4].len() / 2]
    );
    fs::write(torn.join("runs.jsonl"), &cut).unwrap();
    // A report reads around it without treating it as data.
    let o = bin().arg("report").arg(&torn).output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("torn"));
    let (stdout, stderr) = run_ok(&file, &torn, &[]);
    assert!(stderr.contains("dropped a torn last line"), "{stderr}");
    assert!(stdout.contains("8 trained now, 4 already done"), "{stdout}");
    assert_same_results(&whole, &torn);
}

/// Starts `run FILE --out OUT` with one thread, quiet, stderr captured.
fn spawn_run(file: &Path, out: &Path) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("labelnoise"))
        .arg("run")
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(["--threads", "1", "--quiet"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts `run` on the slow scenario with one thread and waits until at least one record is stored.
fn start_slow(file: &Path, out: &Path) -> std::process::Child {
    let child = spawn_run(file, out);
    let start = Instant::now();
    while line_count(&out.join("runs.jsonl")) < 1 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no record after 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

#[test]
fn sigkill_loses_only_runs_in_flight_and_resume_equals_an_uninterrupted_run() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "slow.toml", SLOW);
    let (whole, killed) = (t.path().join("whole"), t.path().join("killed"));
    let mut child = start_slow(&file, &killed);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let stored = line_count(&killed.join("runs.jsonl"));
    assert!(
        (1..SLOW_RUNS).contains(&stored),
        "{stored} runs stored before the kill"
    );
    // Make it worse: a half-written record at the end.
    let mut bytes = fs::read(killed.join("runs.jsonl")).unwrap();
    bytes.extend_from_slice(b"{\"id\":\"0123456789abcdef\",\"index\":3,\"metri");
    fs::write(killed.join("runs.jsonl"), bytes).unwrap();
    let (stdout, stderr) = run_ok(&file, &killed, &[]);
    assert!(stderr.contains("dropped a torn last line"));
    assert!(
        stdout.contains(&format!("{} already done", stored)),
        "{stdout}"
    );
    run_ok(&file, &whole, &[]);
    assert_same_results(&whole, &killed);
}

#[test]
fn interrupt_stops_scheduling_and_exits_nonzero_with_how_to_resume() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "slow.toml", SLOW);
    let (whole, stopped) = (t.path().join("whole"), t.path().join("stopped"));
    let child = start_slow(&file, &stopped);
    let status = std::process::Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("resume with the same command"), "{stderr}");
    assert!(
        stderr.contains(&format!("--out {}", stopped.display())),
        "{stderr}"
    );
    // Every stored line is a whole record, and some runs were never started.
    let stored = records(&stopped).len();
    assert!(
        stored < SLOW_RUNS,
        "all runs finished despite the interrupt"
    );
    run_ok(&file, &stopped, &[]);
    run_ok(&file, &whole, &[]);
    assert_same_results(&whole, &stopped);
}

/// One mini-batch fit of a hundred thousand epochs: minutes of training, far beyond the grace
/// period an interrupt leaves the runs in flight.
const LONG_FIT: &str = r#"
name = "long_fit"
seeds = 1
[dataset]
source = "blobs"
classes = 10
features = 50
train = 20000
test = 100
[noise]
kind = "symmetric"
rate = 0.2
[model]
optimizer = "sgd"
epochs = 100000
trace = false
"#;

#[test]
fn sigterm_during_a_long_fit_quits_within_the_grace_period_and_stores_no_cut_off_run() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "long.toml", LONG_FIT);
    let out = t.path().join("out");
    let mut child = spawn_run(&file, &out);
    // The folder exists once training has started.
    let start = Instant::now();
    while !out.join("scenario.json").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no folder after a minute"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let term = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(term.success());
    // Not a speed check: the fit alone needs minutes, so only the watchdog can end it this soon.
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("still running 30 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("resume with the same command"), "{stderr}");
    assert!(
        stderr.contains(&format!("--out {}", out.display())),
        "{stderr}"
    );
    assert_eq!(
        line_count(&out.join("runs.jsonl")),
        0,
        "the cut-off run was stored"
    );
}

#[test]
fn changed_scenario_is_refused_unless_forced() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "s.toml", SMALL);
    let out = t.path().join("out");
    run_ok(&file, &out, &[]);
    fs::write(
        &file,
        SMALL.replace("rate = [0.0, 0.2]", "rate = [0.0, 0.3, 0.4]"),
    )
    .unwrap();
    let o = bin()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("its file changed since") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        records(&out).len(),
        12,
        "a refused run must leave the folder alone"
    );
    let (stdout, stderr) = run_ok(&file, &out, &["--force"]);
    assert!(
        stdout.contains("18 run(s): 18 trained now, 0 already done"),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "warning: --force: {} held results of an earlier version",
            out.display()
        )) && stderr.contains("starting it afresh"),
        "{stderr}"
    );
    let rates: BTreeSet<String> = records(&out)
        .iter()
        .map(|r| r["config"]["noise"]["rate"].to_string())
        .collect();
    assert_eq!(
        rates,
        BTreeSet::from(["0.0".into(), "0.3".into(), "0.4".into()])
    );
}

#[test]
fn a_second_writer_is_refused_by_the_lock() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "s.toml", SMALL);
    let out = t.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let lock = fs::File::create(out.join(store::LOCK)).unwrap();
    FileExt::lock_exclusive(&lock).unwrap();
    let o = bin()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("in use by another labelnoise process"));
    assert!(!out.join("runs.jsonl").exists());
    // merge refuses a folder still being written, too
    let o = bin()
        .arg("merge")
        .arg(&out)
        .arg("-o")
        .arg(t.path().join("m"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("still being written"));
    FileExt::unlock(&lock).unwrap();
    run_ok(&file, &out, &[]);
}

#[test]
fn shards_partition_the_grid_with_sizes_differing_by_at_most_one() {
    let s = labelnoise::scenario::parse(SLOW, "slow.toml", Path::new(".")).unwrap();
    let all: BTreeSet<String> = s.runs().into_iter().map(|r| r.id).collect();
    assert_eq!(all.len(), SLOW_RUNS);
    for n in [1, 2, 3, 5, 7, 32, 40] {
        let mut union = BTreeSet::new();
        let mut sizes = Vec::new();
        for i in 0..n {
            let shard = Shard::new(i, n).unwrap();
            let mine: Vec<String> = shard.select(s.runs()).into_iter().map(|r| r.id).collect();
            sizes.push(mine.len());
            for id in mine {
                assert!(union.insert(id), "a run is in two shards of {n}");
            }
        }
        assert_eq!(union, all, "the shards of {n} do not cover the grid");
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{n} shards: sizes {sizes:?}"
        );
    }
}

#[test]
fn slurm_shard_reads_the_array_variables_and_writes_its_own_folder() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "s.toml", SMALL);
    let o = bin()
        .current_dir(t.path())
        .args(["run", "s.toml", "--shard", "slurm", "--quiet"])
        .env("SLURM_ARRAY_TASK_ID", "3")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_MAX", "3")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .env_remove("SLURM_ARRAY_TASK_STEP")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dir = t.path().join("results/small/shard-2-of-3");
    let m = store::read_manifest(&dir).unwrap();
    assert_eq!(
        (m.shard.as_deref(), m.total_runs, m.grid_runs),
        (Some("2/3"), 4, 12)
    );
    let s = labelnoise::scenario::load(&file).unwrap();
    let mut expected: Vec<String> = Shard::new(2, 3)
        .unwrap()
        .select(s.runs())
        .into_iter()
        .map(|r| r.id)
        .collect();
    expected.sort();
    assert_eq!(ids(&dir), expected);
    // Outside an array it says what is missing.
    let o = bin()
        .current_dir(t.path())
        .args(["run", "s.toml", "--shard", "slurm"])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("SLURM_ARRAY_TASK_ID is not set"));
}

/// Runs shards 0..n of `file` into `dir/shard-I-of-N` (the default folders, from `dir` as cwd).
fn run_shards(dir: &Path, file: &str, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let o = bin()
                .current_dir(dir)
                .args(["run", file, "--quiet", "--shard", &format!("{i}/{n}")])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let name = if file.starts_with("other") {
                "other"
            } else {
                "small"
            };
            dir.join("results")
                .join(name)
                .join(format!("shard-{i}-of-{n}"))
        })
        .collect()
}

fn merge(dirs: &[PathBuf], out: &Path) -> std::process::Output {
    bin()
        .arg("merge")
        .args(dirs)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap()
}

fn refused(o: &std::process::Output) -> String {
    assert!(!o.status.success(), "merge should have been refused");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn merged_shards_equal_a_single_process_run_byte_for_byte() {
    let t = TempDir::new().unwrap();
    let file = write(t.path(), "s.toml", SMALL);
    let single = t.path().join("single");
    run_ok(&file, &single, &[]);
    let shards = run_shards(t.path(), "s.toml", 3);
    let merged = t.path().join("results/small");
    let o = merge(&shards, &merged);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same_results(&single, &merged);
    assert_eq!(
        fs::read(single.join("scenario.json")).unwrap(),
        fs::read(merged.join("scenario.json")).unwrap()
    );
    let indexes: Vec<u64> = fs::read_to_string(merged.join("runs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["index"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(
        indexes,
        (0..12).collect::<Vec<u64>>(),
        "merged records are in grid order"
    );
    let sidecars = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = fs::read_dir(d.join("noise"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    fs::read(&p).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    // one noise draw per (rate, seed)
    assert_eq!(sidecars(&merged).len(), 4);
    assert_eq!(sidecars(&single), sidecars(&merged));
    // The merged folder is an ordinary results folder: a rerun there has nothing left to do.
    let (stdout, _) = run_ok(&file, &merged, &[]);
    assert!(
        stdout.contains("0 trained now, 12 already done"),
        "{stdout}"
    );
}

#[test]
fn merge_refuses_missing_runs_and_lists_them() {
    let t = TempDir::new().unwrap();
    write(t.path(), "s.toml", SMALL);
    let shards = run_shards(t.path(), "s.toml", 3);
    let out = t.path().join("merged");
    let err = refused(&merge(&[shards[0].clone(), shards[2].clone()], &out));
    assert!(
        err.contains("4 of the grid's 12 run(s) are missing")
            && err.contains("shard(s) not given: 1/3"),
        "{err}"
    );
    for id in ids(&shards[1]) {
        assert!(
            err.contains(&format!("id {id} shard 1/3")),
            "{id} not listed: {err}"
        );
    }
    assert!(
        !out.join("runs.jsonl").exists(),
        "nothing is written when refused"
    );
    // An interrupted shard: its lost runs are listed too.
    let text = fs::read_to_string(shards[1].join("runs.jsonl")).unwrap();
    let lost: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let kept: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
    fs::write(shards[1].join("runs.jsonl"), kept).unwrap();
    let err = refused(&merge(&shards, &out));
    assert!(
        err.contains("1 of the grid's 12 run(s) are missing")
            && err.contains("holds 3 of its 4 runs"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "#{} id {}",
            lost["index"],
            lost["id"].as_str().unwrap()
        )),
        "{err}"
    );
}

/// A shard killed mid-write: merge names the torn line it ignores before refusing the run lost in it.
#[test]
fn merge_warns_of_a_torn_line_before_refusing_its_lost_run() {
    let t = TempDir::new().unwrap();
    write(t.path(), "s.toml", SMALL);
    let shards = run_shards(t.path(), "s.toml", 2);
    let runs = shards[1].join("runs.jsonl");
    let text = fs::read_to_string(&runs).unwrap();
    fs::write(&runs, &text[..text.len() - 10]).unwrap();
    let err = refused(&merge(&shards, &t.path().join("merged")));
    let warning = format!(
        "warning: {}: the last line is torn (a run interrupted mid-write) and was ignored",
        runs.display()
    );
    let refusal = "1 of the grid's 12 run(s) are missing";
    match (err.find(&warning), err.find(refusal)) {
        (Some(w), Some(r)) => assert!(w < r, "{err}"),
        _ => panic!("{err}"),
    }
}

#[test]
fn merge_refuses_duplicate_runs_and_lists_them() {
    let t = TempDir::new().unwrap();
    write(t.path(), "s.toml", SMALL);
    let mut shards = run_shards(t.path(), "s.toml", 3);
    let copy = t.path().join("copy-of-shard-0");
    fs::create_dir_all(&copy).unwrap();
    for f in ["runs.jsonl", "scenario.json"] {
        fs::copy(shards[0].join(f), copy.join(f)).unwrap();
    }
    shards.push(copy.clone());
    let err = refused(&merge(&shards, &t.path().join("merged")));
    assert!(err.contains("4 run(s) appear more than once"), "{err}");
    for id in ids(&shards[0]) {
        let line = err
            .lines()
            .find(|l| l.contains(&id))
            .unwrap_or_else(|| panic!("{id} not listed: {err}"));
        assert!(
            line.contains("shard-0-of-3") && line.contains("copy-of-shard-0"),
            "{line}"
        );
    }
    let err = refused(&merge(
        &[shards[0].clone(), shards[0].clone()],
        &t.path().join("merged"),
    ));
    assert!(err.contains("given twice"), "{err}");
}

#[test]
fn merge_refuses_mixed_scenarios_and_versions() {
    let t = TempDir::new().unwrap();
    write(t.path(), "s.toml", SMALL);
    write(
        t.path(),
        "other.toml",
        &SMALL.replace("name = \"small\"", "name = \"other\""),
    );
    let small = run_shards(t.path(), "s.toml", 2);
    let other = run_shards(t.path(), "other.toml", 2);
    let out = t.path().join("merged");
    let err = refused(&merge(&[small[0].clone(), other[1].clone()], &out));
    assert!(
        err.contains("mixed scenarios") && err.contains("`small`") && err.contains("`other`"),
        "{err}"
    );
    // Same name, changed content.
    write(
        t.path(),
        "s.toml",
        &SMALL.replace("seeds = 2", "seeds = [0, 5]"),
    );
    let o = bin()
        .current_dir(t.path())
        .args([
            "run", "s.toml", "--quiet", "--shard", "1/2", "--out", "changed",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = refused(&merge(&[small[0].clone(), t.path().join("changed")], &out));
    assert!(err.contains("mixed scenarios"), "{err}");
    // Another program version.
    let m = small[1].join("scenario.json");
    let text = fs::read_to_string(&m).unwrap();
    fs::write(
        &m,
        text.replace(
            &format!("\"version\": \"{}\"", labelnoise::VERSION),
            "\"version\": \"0.0.1\"",
        ),
    )
    .unwrap();
    let err = refused(&merge(&small, &out));
    assert!(
        err.contains("mixed program versions")
            && err.contains("labelnoise 0.0.1")
            && err.contains(&format!("labelnoise {}", labelnoise::VERSION)),
        "{err}"
    );
    assert!(!out.join("runs.jsonl").exists());
}
