"""labelnoise.run's command-line options (shard, force, metrics, allow_other_build) and its
progress display, against what `labelnoise run` does with the same options."""

import json
import shutil
import sys

import pytest

import labelnoise

QUICKSTART = "scenarios/quickstart.toml"

# A one-run scenario: another grid than the quickstart's, so a folder of one refuses the other.
SMALL = """name = "small"
seeds = 1
[dataset]
source = "blobs"
classes = 2
features = 2
train = 30
test = 10
"""


def cli_error(done):
    """The command line's message for a refused call: its stderr without `Error: `."""
    assert done.returncode != 0, done.stdout
    text = done.stderr.rstrip("\n")
    return text[len("Error: "):] if text.startswith("Error: ") else text


def run_ids(folder):
    lines = (folder / "runs.jsonl").read_text().splitlines()
    return sorted(json.loads(line)["id"] for line in lines)


def test_a_shard_trains_the_clis_shard(repo, cli, tmp_path, monkeypatch):
    cli("run", QUICKSTART, "--shard", "1/3", "--out", tmp_path / "cli", "--quiet")
    monkeypatch.chdir(tmp_path)
    res = labelnoise.run(repo / QUICKSTART, shard=(1, 3), progress=False)
    # The command line's default folder for a shard, below the working folder.
    assert res.folder.resolve() == (tmp_path / "results" / "quickstart" / "shard-1-of-3").resolve()
    assert run_ids(res.folder) == run_ids(tmp_path / "cli")
    assert len(run_ids(res.folder)) == 9  # 27 runs dealt to 3 shards
    assert (res.folder / "summary.csv").read_bytes() == (tmp_path / "cli" / "summary.csv").read_bytes()
    again = labelnoise.run(repo / QUICKSTART, out=tmp_path / "text", shard="1/3", progress=False)
    assert run_ids(again.folder) == run_ids(res.folder)


@pytest.mark.parametrize("shard", ["4/4", "2/0", "x/4", "3", (4, 4)])
def test_a_bad_shard_raises_the_clis_message(repo, cli, tmp_path, shard):
    text = shard if isinstance(shard, str) else f"{shard[0]}/{shard[1]}"
    done = cli("run", QUICKSTART, "--shard", text, "--out", tmp_path / "cli", check=False)
    with pytest.raises(labelnoise.LabelnoiseError) as e:
        labelnoise.run(repo / QUICKSTART, out=tmp_path / "py", shard=shard, progress=False)
    assert str(e.value) == cli_error(done)
    assert f"--shard `{text}`" in str(e.value)
    assert not (tmp_path / "py").exists() and not (tmp_path / "cli").exists()


def test_force_starts_another_scenarios_folder_afresh_as_the_cli_does(repo, cli, tmp_path):
    small = tmp_path / "small.toml"
    small.write_text(SMALL)
    folder = tmp_path / "held"
    cli("run", QUICKSTART, "--out", folder, "--quiet")
    refused = cli("run", small, "--out", folder, "--quiet", check=False)
    with pytest.raises(labelnoise.LabelnoiseError) as e:
        labelnoise.run(small, out=folder, progress=False)
    assert str(e.value) == cli_error(refused)
    assert len(run_ids(folder)) == 27  # untouched
    res = labelnoise.run(small, out=folder, force=True, progress=False)
    cli("run", small, "--out", tmp_path / "cli", "--quiet")
    assert run_ids(res.folder) == run_ids(tmp_path / "cli")
    assert (folder / "summary.csv").read_bytes() == (tmp_path / "cli" / "summary.csv").read_bytes()


def test_metrics_choose_the_table_the_cli_prints(repo, cli, quickstart_cli, tmp_path):
    # The command line's folder, resumed from Python (another build): nothing is left to train.
    shutil.copytree(quickstart_cli, tmp_path / "py")
    shutil.copytree(quickstart_cli, tmp_path / "cli")
    with pytest.raises(labelnoise.LabelnoiseError) as e:
        labelnoise.run(repo / QUICKSTART, out=tmp_path / "py", progress=False)
    assert "--allow-other-build" in str(e.value)
    for metrics in (["test_accuracy", "test_nll"], "test_ece,weight_norm"):
        res = labelnoise.run(
            repo / QUICKSTART, out=tmp_path / "py", metrics=metrics, allow_other_build=True, progress=False
        )
        names = metrics.split(",") if isinstance(metrics, str) else metrics
        printed = cli("run", QUICKSTART, "--out", tmp_path / "cli", "--metrics", ",".join(names)).stdout
        # The command line adds one line: what it trained and where.
        assert printed.startswith(res.terminal), printed
        assert printed[len(res.terminal):].count("\n") == 1
    assert run_ids(tmp_path / "py") == run_ids(quickstart_cli)


def test_an_unknown_metric_raises_the_clis_message(repo, cli, tmp_path):
    done = cli("run", QUICKSTART, "--out", tmp_path / "cli", "--metrics", "test_acuracy", check=False)
    with pytest.raises(labelnoise.LabelnoiseError) as e:
        labelnoise.run(repo / QUICKSTART, out=tmp_path / "py", metrics=["test_acuracy"], progress=False)
    assert str(e.value) == cli_error(done)
    assert "did you mean `test_accuracy`?" in str(e.value)


def test_progress_is_a_tqdm_bar_when_tqdm_is_installed(tmp_path, capfd):
    pytest.importorskip("tqdm")
    labelnoise.run(SMALL, out=tmp_path / "a", progress=True)
    err = capfd.readouterr().err
    assert "labelnoise: 100%" in err and "1/1" in err, err


def test_progress_is_a_text_line_without_tqdm(tmp_path, capfd, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    labelnoise.run(SMALL, out=tmp_path / "a", progress=True)
    err = capfd.readouterr().err
    assert "labelnoise: 1/1 runs" in err and "%|" not in err, err
    labelnoise.run(SMALL, out=tmp_path / "b", progress=False)
    assert capfd.readouterr().err == ""
