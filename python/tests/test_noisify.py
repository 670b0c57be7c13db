"""labelnoise.noisify against `labelnoise noisify`, and smooth_targets against its closed form."""

import json

import numpy as np
import pytest

import labelnoise


def cli_noisify(cli, tmp_path, y, *args, features=None):
    np.save(tmp_path / "y.npy", np.asarray(y, dtype=np.int64))
    extra = []
    if features is not None:
        np.save(tmp_path / "x.npy", features)
        extra = ["--features", tmp_path / "x.npy"]
    cli("noisify", "--labels", tmp_path / "y.npy", *extra, *args, "--out", tmp_path / "noisy.npy")
    record = json.loads((tmp_path / "noisy.npy.json").read_text())
    return np.load(tmp_path / "noisy.npy"), record


def same_draw(py_record, cli_record):
    """Records agree on everything but what was read (a file there, an array here) and the build."""
    drop = {"input", "build"}
    assert {k: v for k, v in py_record.items() if k not in drop} == {
        k: v for k, v in cli_record.items() if k not in drop
    }


@pytest.fixture
def labels():
    return np.random.default_rng(3).choice([3, 7, 10], size=300)


def test_pairflip_equals_the_cli(cli, tmp_path, labels):
    noisy, record = labelnoise.noisify(labels, kind="pairflip", rate=0.3, seed=7)
    cli_noisy, cli_record = cli_noisify(cli, tmp_path, labels, "--kind", "pairflip", "--rate", "0.3", "--seed", "7")
    np.testing.assert_array_equal(noisy, cli_noisy)
    same_draw(record, cli_record)
    # Classes are the sorted distinct values, as the CLI reads a label file: 3 < 7 < 10.
    assert record["class_names"] == ["3", "7", "10"]
    assert record["flipped"] == int((noisy != labels).sum()) == round(0.3 * len(labels))


def test_small_labels_map_like_the_cli(cli, tmp_path):
    y = np.array([3, 7, 7, 10])
    noisy, record = labelnoise.noisify(y, kind="symmetric", rate=0.5, seed=1, count="exact")
    cli_noisy, cli_record = cli_noisify(cli, tmp_path, y, "--kind", "symmetric", "--rate", "0.5", "--count", "exact", "--seed", "1")
    np.testing.assert_array_equal(noisy, cli_noisy)
    same_draw(record, cli_record)
    assert noisy.dtype == y.dtype


def test_matrix_kind_takes_a_list_of_lists(cli, tmp_path):
    y = np.random.default_rng(5).integers(0, 2, size=200)
    matrix = [[0.8, 0.2], [0.3, 0.7]]
    noisy, record = labelnoise.noisify(y, kind="matrix", matrix=np.array(matrix), seed=0)
    cli_noisy, cli_record = cli_noisify(cli, tmp_path, y, "--kind", "matrix", "--set", "matrix=[[0.8,0.2],[0.3,0.7]]", "--seed", "0")
    np.testing.assert_array_equal(noisy, cli_noisy)
    same_draw(record, cli_record)
    assert record["noise"]["matrix"] == matrix


def test_boundary_kind_with_features_equals_the_cli(cli, tmp_path):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(240, 3)) * [1.0, 5.0, 0.2] + 2.0
    y = (x[:, 0] + 0.1 * x[:, 1] > 2.5).astype(np.int64)
    noisy, record = labelnoise.noisify(y, kind="boundary", rate=0.2, seed=7, features=x)
    cli_noisy, cli_record = cli_noisify(cli, tmp_path, y, "--kind", "boundary", "--rate", "0.2", "--seed", "7", features=x)
    np.testing.assert_array_equal(noisy, cli_noisy)
    same_draw(record, cli_record)
    assert record["features"] == {"columns": 3, "standardized": True}


def test_array_likes_with___array___are_accepted(labels):
    class Tensor:  # what a CPU PyTorch tensor offers NumPy
        def __init__(self, a):
            self.a = a

        def __array__(self, dtype=None, copy=None):
            return self.a

    noisy, _ = labelnoise.noisify(Tensor(labels), seed=7)
    np.testing.assert_array_equal(noisy, labelnoise.noisify(labels, seed=7)[0])
    np.testing.assert_array_equal(noisy, labelnoise.noisify(list(labels), seed=7)[0])


def test_bad_settings_raise_the_cli_message(cli, tmp_path, labels):
    with pytest.raises(labelnoise.LabelnoiseError, match="rate") as raised:
        labelnoise.noisify(labels, kind="pairflip", rate=1.5)
    np.save(tmp_path / "y.npy", labels)
    done = cli("noisify", "--labels", tmp_path / "y.npy", "--kind", "pairflip", "--rate", "1.5", "--seed", "7", "--out", tmp_path / "n.npy", check=False)
    assert str(raised.value) == done.stderr
    with pytest.raises(labelnoise.LabelnoiseError, match="did you mean"):
        labelnoise.noisify(labels, kind="pairflp")
    with pytest.raises(TypeError):
        labelnoise.noisify(np.array([0.5, 1.0]))


@pytest.mark.parametrize("k,epsilon", [(2, 0.2), (3, 0.1), (10, 0.05), (5, 0.0)])
def test_smooth_targets_uniform_is_the_closed_form(k, epsilon):
    y = np.arange(4 * k) % k
    t = labelnoise.smooth_targets(y, k, epsilon)
    expected = np.eye(k)[y] * (1 - epsilon) + epsilon / k
    np.testing.assert_allclose(t, expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(t.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    if k == 2 and epsilon == 0.2:
        assert t[0].tolist() == pytest.approx([0.9, 0.1], abs=1e-15)


def test_smooth_targets_others_style():
    t = labelnoise.smooth_targets([0, 2], 3, 0.1, style="others")
    np.testing.assert_allclose(t, [[0.9, 0.05, 0.05], [0.05, 0.05, 0.9]], rtol=0, atol=1e-15)
    with pytest.raises(labelnoise.LabelnoiseError, match="did you mean"):
        labelnoise.smooth_targets([0], 3, 0.1, style="unifrom")
    with pytest.raises(labelnoise.LabelnoiseError, match="ε < 1"):
        labelnoise.smooth_targets([0], 3, 1.0)
    with pytest.raises(labelnoise.LabelnoiseError, match=r"labels\[1\] = 3"):
        labelnoise.smooth_targets([0, 3], 3, 0.1)
