#!/usr/bin/env bash
# The Python package (python/): builds and installs the wheel in a fresh virtual environment the
# way README says (`pip install ./python`), then runs its pytest suite, which compares it with the
# command line built from the same source. Run by .ci/run after the Rust tests.
#
# CARGO_TARGET_DIR=target: the wheel's build reuses the dependencies `cargo build --release`
# compiled there (same versions and release profile); only the crates that pyo3's proc-macro
# features touch (syn and what derives with it) and the two labelnoise crates are compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "$venv")"' EXIT
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "maturin==1.16.0" "numpy==2.4.6" "pandas==3.1.1" "pytest==9.2.0" "tqdm==4.67.1"
cargo build --release # the command line the tests compare with
export CARGO_TARGET_DIR="$PWD/target" PATH="$venv/bin:$PATH" # maturin of the venv
start=$(date +%s)
# No build isolation: the pinned maturin above builds it (the build needs no other package).
"$venv/bin/pip" install --no-build-isolation ./python
echo "ci-python: wheel built and installed in $(($(date +%s) - start)) s"
# The extension's own unit tests (linked against the venv's Python).
PYO3_PYTHON="$venv/bin/python" cargo test --release --manifest-path python/Cargo.toml
# The pytest script, not `python -m pytest`, which would put the working folder on sys.path.
LABELNOISE_BIN="$CARGO_TARGET_DIR/release/labelnoise" "$venv/bin/pytest" python/tests -q
