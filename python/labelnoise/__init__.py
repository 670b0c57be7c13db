"""labelnoise from Python: run scenarios, load results folders, draw label noise, and build the
smoothed targets the engine trains on. Thin over the Rust library behind the `labelnoise` command
line (the same code, the same numbers, the same error messages).

    import labelnoise
    res = labelnoise.run("scenarios/quickstart.toml")      # or TOML text
    res.summary                                            # summary.csv as a DataFrame
    noisy, record = labelnoise.noisify(y, kind="pairflip", rate=0.3, seed=7)
"""

from __future__ import annotations

import csv
import json
import os
import warnings
from pathlib import Path

import numpy as np

from . import _native
from ._native import LabelnoiseError

__version__ = _native.__version__
__all__ = ["LabelnoiseError", "Result", "load", "noisify", "run", "smooth_targets"]

# Records name the build that made them: here the extension module's file, not the interpreter.
_native.set_code_file(_native.__file__)

# Columns that are names, never numbers (an id may happen to be all digits).
_TEXT_COLUMNS = {"id", "noise_id", "method", "paired_against", "significance"}


class Result:
    """The tables of a results folder, read from the files the Rust report wrote there.

    `runs` (runs.csv), `summary` (summary.csv) and `selected` (selected.csv, when the scenario has
    a [selection]; else None) are pandas DataFrames, or dicts of NumPy arrays without pandas.
    `folder` is the results folder; `summary_json` its summary.json; `table` its summary.md;
    `terminal` the table `labelnoise run` prints (from `run` only; None from `load`).
    """

    def __init__(self, folder, terminal=None):
        self.folder = Path(folder)
        self.terminal = terminal
        self.runs = _table(self.folder / "runs.csv")
        self.summary = _table(self.folder / "summary.csv")
        selected = self.folder / "selected.csv"
        self.selected = _table(selected) if selected.is_file() else None

    @property
    def summary_json(self):
        with open(self.folder / "summary.json", encoding="utf-8") as f:
            return json.load(f)

    @property
    def table(self):
        return (self.folder / "summary.md").read_text(encoding="utf-8")

    def __repr__(self):
        return f"labelnoise.Result({str(self.folder)!r}: {_rows(self.runs)} runs, {_rows(self.summary)} cells)"


def _rows(table):
    if hasattr(table, "shape"):
        return table.shape[0]
    return len(next(iter(table.values()))) if table else 0


def _table(path):
    """A CSV file as a DataFrame (pandas), else as {column: NumPy array}."""
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        with open(path, encoding="utf-8") as f:
            header = next(csv.reader(f), [])
        text = {c: str for c in header if c in _TEXT_COLUMNS}
        return pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""])
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    return {c: _column(c, [r[i] for r in body]) for i, c in enumerate(header)}


def _column(name, values):
    if name not in _TEXT_COLUMNS:
        try:
            return np.array([int(v) for v in values], dtype=np.int64)
        except ValueError:
            pass
        try:
            return np.array([float(v) if v != "" else np.nan for v in values], dtype=np.float64)
        except ValueError:
            pass
    return np.array(values, dtype=object)


def _is_text(scenario: str) -> bool:
    """A string is TOML text unless it names an existing file; else text if it holds a newline or
    an '=' (every scenario does), else a path (that then says it does not exist)."""
    if os.path.isfile(scenario):
        return False
    return "\n" in scenario or "=" in scenario


def _shard_text(shard):
    """`shard` as `--shard` takes it: "I/N" or "slurm" as they are, (index, count) as "I/N"."""
    if shard is None or isinstance(shard, str):
        return shard
    if isinstance(shard, tuple) and len(shard) == 2:
        return f"{shard[0]}/{shard[1]}"
    raise TypeError(f'shard: give "I/N", "slurm" or (index, count), not {shard!r}')


def _metric_names(metrics):
    """`metrics` as `--metrics` takes them: comma-separated text, or a list of names."""
    if metrics is None:
        return None
    if isinstance(metrics, str):
        return metrics.split(",")
    return [str(m) for m in metrics]


def run(
    scenario,
    out=None,
    threads=None,
    progress=True,
    force=False,
    shard=None,
    metrics=None,
    allow_other_build=False,
) -> Result:
    """Runs a scenario as `labelnoise run` does and returns its tables.

    `scenario`: a path to a scenario file, or the TOML text itself (its relative data paths resolve
    against the working folder). `out`: the results folder (default results/<name>, or
    results/<name>/shard-I-of-N with a shard); rerunning into it trains only what is missing.
    `threads`: worker threads (default: all cores; results do not depend on it). `progress`: a
    tqdm bar when tqdm is installed, else a progress line, on sys.stderr.

    The command line's options: `force` (--force) starts the folder afresh even if it holds
    other results; `shard` (--shard) trains only shard I of N, given as "I/N", (I, N) or "slurm";
    `metrics` (--metrics) chooses the columns of `Result.terminal`, the table the command line
    prints (a list of names, or comma-separated text); `allow_other_build` (--allow-other-build)
    adds runs to a folder another build of labelnoise made (such as the command line's).

    Bad scenarios and options raise LabelnoiseError with the command line's message (file:line:
    column for scenarios). The GIL is released while training. Ctrl-C stops starting runs, stores
    the runs in flight and then raises KeyboardInterrupt; the folder resumes with the same call.
    """
    if isinstance(scenario, os.PathLike):
        source, is_text = os.fspath(scenario), False
    elif isinstance(scenario, str):
        source, is_text = scenario, _is_text(scenario)
    else:
        raise TypeError(f"scenario: give a path or TOML text, not {type(scenario).__name__}")
    out = None if out is None else os.fspath(out)
    folder, terminal = _native.run(
        source,
        is_text,
        out,
        threads,
        bool(progress),
        _shard_text(shard),
        bool(force),
        bool(allow_other_build),
        _metric_names(metrics),
    )
    return Result(folder, terminal)


def load(folder) -> Result:
    """The tables of an existing results folder (`labelnoise run` or `labelnoise.run`), without
    training. A folder whose report is missing (an interrupted run) gets it written first, as
    `labelnoise report DIR` writes it."""
    folder = Path(folder)
    missing = [n for n in ("runs.csv", "summary.csv") if not (folder / n).is_file()]
    if missing or not (folder / "runs.jsonl").is_file():
        for w in _native.report(os.fspath(folder)):
            warnings.warn(w, stacklevel=2)
    return Result(folder)


class _DefaultRate(float):
    """noisify's default rate, passed only to the kinds that have a rate."""


_RATE = _DefaultRate(0.3)


def _label_array(labels, what="labels"):
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ValueError(f"{what}: a 1-D array of integer labels is needed, got shape {y.shape}")
    if y.dtype == np.bool_:
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{what}: integer labels are needed, got dtype {y.dtype}")
    return y


def _plain(value):
    """NumPy arrays and scalars as Python lists and numbers."""
    return value.tolist() if hasattr(value, "tolist") else value


def noisify(labels, kind="pairflip", rate=_RATE, seed=7, features=None, standardize=True, **keys):
    """labelnoise's label noise, as `labelnoise noisify` draws it for the same labels, settings
    and seed. Returns (noisy labels as an array of the labels' dtype, the record as a dict).

    `labels`: any 1-D integer array-like (NumPy, PyTorch tensors, lists); the classes are the
    sorted distinct values. `kind`, `rate` and `**keys` are the [noise] keys (`count="exact"`,
    `matrix=[[0.8, 0.2], [0.3, 0.7]]`, ...). `features` (n × d) for kinds that need them
    (instance, boundary), standardized as a scenario's training split unless standardize=False.
    """
    y = _label_array(labels)
    pairs = [("kind", kind)]
    has_rate = _native.noise_kind_keys(kind)
    if rate is not _RATE or has_rate is None or "rate" in has_rate:
        pairs.append(("rate", float(rate)))
    pairs += [(name, _plain(value)) for name, value in keys.items()]
    x, columns = None, 0
    if features is not None:
        x = np.asarray(features, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"features: a 2-D array (n × d) is needed, got shape {x.shape}")
        columns = x.shape[1]
        x = np.ascontiguousarray(x, dtype="<f8").tobytes()
    noisy, record = _native.noisify(
        y.astype("<i8").tobytes(), int(seed), pairs, x, columns, bool(standardize)
    )
    return np.asarray(noisy, dtype=np.int64).astype(y.dtype), json.loads(record)


def smooth_targets(labels, k, epsilon, style="uniform"):
    """The n × k target matrix a label-smoothing run trains on: `uniform` onehot·(1−ε) + ε/K (PyTorch's
    `label_smoothing`), or `others` (1−ε on the label, ε/(K−1) on each other class). `labels` are
    classes 0..k−1."""
    y = _label_array(labels)
    flat = _native.smooth_targets(y.astype(np.int64).tolist(), int(k), float(epsilon), style)
    return np.asarray(flat, dtype=np.float64).reshape(len(y), int(k))
