//! Peak memory of a run on `.npy` data: one copy of the features, not two (issue 17). The child's
//! own peak resident set (wait4's ru_maxrss) is compared with the data size; the bound has a wide
//! margin for the executable, thread stacks and per-run buffers, yet sits well below the two full
//! copies (file bytes + array, or array + split) the reader used to hold.

use ndarray::Array2;
use std::process::Command;

#[test]
fn a_run_on_npy_data_holds_the_features_once() {
    let dir = tempfile::tempdir().unwrap();
    // 40,000 × 256 f64 = 81.9 MB of features, three classes.
    let (n, d) = (40_000, 256);
    let x = Array2::from_shape_fn((n, d), |(i, j)| {
        ((i * 31 + j * 7) % 101) as f64 / 101.0 + (i % 3) as f64
    });
    let y: ndarray::Array1<i64> = (0..n as i64).map(|i| i % 3).collect();
    ndarray_npy::write_npy(dir.path().join("X.npy"), &x).unwrap();
    ndarray_npy::write_npy(dir.path().join("y.npy"), &y).unwrap();
    let data_kib = (n * d * 8) as i64 / 1024;
    drop(x);
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"m\"\nseeds = 1\n[dataset]\nsource = \"csv\"\npath = \"X.npy\"\nlabels_path = \"y.npy\"\n\
         [noise]\nkind = \"symmetric\"\nrate = 0.2\n[model]\nmax_iter = 3\n[[method]]\nkind = \"ce\"\n",
    )
    .unwrap();
    // Reaped by wait4 below, which also gives the child's peak memory.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(assert_cmd::cargo::cargo_bin("labelnoise"))
        .arg("run")
        .arg(&scenario)
        .args(["--quiet", "--threads", "1", "--out"])
        .arg(dir.path().join("out"))
        .spawn()
        .unwrap();
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
