"""Shared fixtures: the repository, the `labelnoise` command line to compare with, a runner."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def cli():
    """Runs the command line built from the same source (LABELNOISE_BIN, else target/release)."""
    binary = Path(os.environ.get("LABELNOISE_BIN", REPO / "target" / "release" / "labelnoise"))
    if not binary.is_file():
        pytest.fail(f"{binary} not found: build it with `cargo build --release` or set LABELNOISE_BIN")

    def call(*args, check=True):
        done = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, cwd=REPO)
        if check and done.returncode != 0:
            raise AssertionError(f"labelnoise {' '.join(map(str, args))} failed:\n{done.stderr}")
        return done

    return call


@pytest.fixture(scope="session")
def quickstart_cli(cli, tmp_path_factory):
    """The quickstart scenario run by the command line."""
    out = tmp_path_factory.mktemp("cli") / "quickstart"
    cli("run", "scenarios/quickstart.toml", "--out", out, "--quiet")
    return out
