//! Peak memory of a run on `.npy` and CSV data: one copy of the features, not two (issue 17). The child's
//! own peak resident set (wait4's ru_maxrss) is compared with the data size; the bound has a wide
//! margin for the executable, thread stacks and per-run buffers, yet sits well below the two full
//! copies (file bytes + array, or array + split) the reader used to hold.

use ndarray::Array2;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// One memory test at a time: each one's data would count in the other's child (see
/// [`assert_one_copy`]).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// 40,000 × 256 features (81.9 MB of f64), three classes; short decimals, so a CSV copy stays
/// about 50 MB of text.
const SHAPE: (usize, usize) = (40_000, 256);

fn features() -> Array2<f64> {
    Array2::from_shape_fn(SHAPE, |(i, j)| {
        ((i * 31 + j * 7) % 101) as f64 / 4.0 + (i % 3) as f64
    })
}

fn label(i: usize) -> usize {
    i % 3
}

#[test]
fn a_run_on_npy_data_holds_the_features_once() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let y: ndarray::Array1<i64> = (0..SHAPE.0).map(|i| label(i) as i64).collect();
    ndarray_npy::write_npy(dir.path().join("X.npy"), &features()).unwrap();
    ndarray_npy::write_npy(dir.path().join("y.npy"), &y).unwrap();
    assert_one_copy(dir.path(), "path = \"X.npy\"\nlabels_path = \"y.npy\"");
}

/// A CSV file is read twice (labels, then features straight into the split), never parsed into a
/// matrix that is then copied.
#[test]
fn a_run_on_csv_data_holds_the_features_once() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::with_capacity(SHAPE.0 * SHAPE.1 * 6);
    let header: Vec<String> = (0..SHAPE.1).map(|j| format!("x{j}")).collect();
    text.push_str(&header.join(","));
    text.push_str(",y\n");
    for (i, row) in features().rows().into_iter().enumerate() {
        for v in row {
            text.push_str(&v.to_string());
            text.push(',');
        }
        text.push_str(&format!("c{}\n", label(i)));
    }
    std::fs::write(dir.path().join("data.csv"), text).unwrap();
    assert_one_copy(dir.path(), "path = \"data.csv\"");
}

/// Runs a short fit on the data file(s) in `dir` (`files`: the dataset's path keys) and checks the
/// child's peak memory against the features' size.
fn assert_one_copy(dir: &Path, files: &str) {
    let data_kib = (SHAPE.0 * SHAPE.1 * 8) as i64 / 1024;
    let scenario = dir.join("s.toml");
    std::fs::write(
        &scenario,
        format!(
            "name = \"m\"\nseeds = 1\n[dataset]\nsource = \"csv\"\n{files}\n\
             [noise]\nkind = \"symmetric\"\nrate = 0.2\n[model]\nmax_iter = 3\n[[method]]\nkind = \"ce\"\n"
        ),
    )
    .unwrap();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("labelnoise"));
    cmd.arg("run")
        .arg(&scenario)
        .args(["--quiet", "--threads", "1", "--out"])
        .arg(dir.join("out"));
    // Linux keeps a process's peak across exec, and a child spawned by vfork (std's default)
    // shares this test process's memory, so its peak would count ours (the highest this process
    // ever held). A hook before exec makes std fork instead: the child then starts from what this
    // process holds now, the files' buffers already freed and the other memory test not building.
    // SAFETY: the hook does nothing, so it is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| Ok(()));
    }
    // Reaped by wait4 below, which also gives the child's peak memory.
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().unwrap();
    let (status, peak_kib) = wait_with_peak(child.id() as libc::pid_t);
    assert_eq!(status, 0, "the run failed");
    // One copy: the data plus at most half of it and 24 MiB; two copies would be at least 2×.
    let bound = data_kib * 3 / 2 + 24 * 1024;
    assert!(
        peak_kib > data_kib && peak_kib < bound,
        "peak {peak_kib} KiB for {data_kib} KiB of features (bound {bound} KiB)"
    );
}

/// Exit status and peak resident set (KiB) of a child, from wait4: that child's own figure, not
/// the largest of every child of the test process.
fn wait_with_peak(pid: libc::pid_t) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill; pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(got, pid, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss)
}
