"""labelnoise.run and labelnoise.load against the command line's results folders."""

import os

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import labelnoise

QUICKSTART = "scenarios/quickstart.toml"


@pytest.fixture(scope="module")
def quickstart_py(repo, tmp_path_factory):
    out = tmp_path_factory.mktemp("py") / "quickstart"
    return labelnoise.run(repo / QUICKSTART, out=out, progress=False)


def test_run_gives_the_cli_summary_numbers(quickstart_py, quickstart_cli):
    cli = pd.read_csv(quickstart_cli / "summary.csv")
    py = quickstart_py.summary
    assert len(py) == 9 and list(py.columns) == list(cli.columns)
    for column in cli.columns:
        if pd.api.types.is_numeric_dtype(cli[column]):
            np.testing.assert_array_equal(py[column].to_numpy(), cli[column].to_numpy(), err_msg=column)
        else:
            assert list(py[column].astype(str)) == list(cli[column].astype(str)), column
    # The frame is the folder's own summary.csv, which equals the command line's byte for byte.
    assert (quickstart_py.folder / "summary.csv").read_bytes() == (quickstart_cli / "summary.csv").read_bytes()
    assert len(quickstart_py.summary_json["summary"]["cells"]) == 9
    assert quickstart_py.selected is None


def test_runs_frame_has_one_row_per_run(quickstart_py):
    runs = quickstart_py.runs
    assert len(runs) == 27 and runs["id"].is_unique
    assert sorted(runs["seed"].unique()) == [0, 1, 2]


def test_load_of_a_cli_folder_equals_runs_frames(quickstart_py, quickstart_cli):
    loaded = labelnoise.load(quickstart_cli)
    pdt.assert_frame_equal(loaded.summary, quickstart_py.summary)
    pdt.assert_frame_equal(loaded.runs, quickstart_py.runs)
    assert loaded.folder == quickstart_cli


def test_toml_text_runs_like_its_file(repo, tmp_path, quickstart_py):
    text = (repo / QUICKSTART).read_text()
    res = labelnoise.run(text, out=tmp_path / "q", progress=False)
    pdt.assert_frame_equal(res.summary, quickstart_py.summary)
    assert (tmp_path / "q" / "scenario.toml").read_text() == text


def test_text_paths_resolve_against_the_working_folder(repo, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] > 0).astype(int)
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "label": y}).to_csv(data / "d.csv", index=False)
    monkeypatch.chdir(tmp_path)
    text = 'name = "rel"\nseeds = 1\n[dataset]\nsource = "csv"\npath = "data/d.csv"\nlabel = "label"\n'
    res = labelnoise.run(text, out="out", progress=False)
    assert res.runs["n_train"].iloc[0] + res.runs["n_test"].iloc[0] == 60


def test_bad_toml_raises_the_cli_message_with_its_position(repo, tmp_path, cli):
    text = (repo / QUICKSTART).read_text().replace("separation = 0.6", "separaton = 0.6")
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(labelnoise.LabelnoiseError) as raised:
        labelnoise.run(bad, out=tmp_path / "never", progress=False)
    message = str(raised.value)
    line = text.splitlines().index("separaton = 0.6") + 1
    assert f"bad.toml:{line}:1" in message and "did you mean" in message
    assert message == cli("check", bad, check=False).stderr
    assert isinstance(raised.value, ValueError)
    assert not (tmp_path / "never").exists()
    with pytest.raises(labelnoise.LabelnoiseError, match=rf"<string>:{line}:1"):
        labelnoise.run(text, out=tmp_path / "never", progress=False)


def test_load_refuses_a_folder_without_runs(tmp_path):
    with pytest.raises(labelnoise.LabelnoiseError, match="holds no runs.jsonl"):
        labelnoise.load(tmp_path)


def test_frames_without_pandas_are_dicts_of_arrays(quickstart_py, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    res = labelnoise.load(quickstart_py.folder)
    assert isinstance(res.summary, dict)
    np.testing.assert_array_equal(res.summary["test_accuracy_mean"], quickstart_py.summary["test_accuracy_mean"].to_numpy())
    assert res.runs["id"].dtype == object and res.runs["seed"].dtype == np.int64
    assert os.fspath(res.folder) == os.fspath(quickstart_py.folder)
