# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""save/load: exact round trip, no pickle, clear errors on bad files."""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_is_bit_exact(tmp_path, dtype):
    net = nb.Network([3, 5, 4, 2], ["relu", "tanh", "softmax"], "cross_entropy", seed=3,
                     dtype=dtype)
    net.b[2][:] = np.pi
    path = tmp_path / "net.npz"
    nb.save(net, path)
    back = nb.load(path)
    assert back.sizes == net.sizes and back.loss.name == "cross_entropy"
    assert [back.g[l].name for l in (1, 2, 3)] == ["relu", "tanh", "softmax"]
    for l in (1, 2, 3):
        assert back.W[l].dtype == dtype
        assert back.W[l].tobytes() == net.W[l].tobytes()
        assert back.b[l].tobytes() == net.b[l].tobytes()
    X = np.random.default_rng(0).normal(size=(3, 4)).astype(dtype)
    assert np.array_equal(back.predict_proba(X), net.predict_proba(X))


def test_file_holds_no_objects(tmp_path):
    path = tmp_path / "net.npz"
    nb.save(nb.Network([2, 1], ["sigmoid"], "bce", seed=0), path)
    with np.load(path, allow_pickle=False) as data:
        assert sorted(data.files) == ["W1", "activations", "b1", "l2", "loss", "sizes"]
        assert all(data[k].dtype != object for k in data.files)


def _write(path, **over):
    arrays = dict(sizes=np.array([2, 3, 1]), activations=np.array(["tanh", "sigmoid"]),
                  loss=np.array("bce"), W1=np.zeros((3, 2)), b1=np.zeros((3, 1)),
                  W2=np.zeros((1, 3)), b2=np.zeros((1, 1)))
    arrays.update(over)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(path, **arrays)


def test_missing_array_is_named(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, b2=None)
    with pytest.raises(ValueError, match=r"array 'b2' is missing"):
        nb.load(path)


def test_misshaped_array_is_named(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, W2=np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"array 'W2' has shape \(3, 1\), expected \(1, 3\)"):
        nb.load(path)


def test_bad_metadata(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, activations=np.array(["tanh"]))
    with pytest.raises(ValueError, match=r"array 'activations' has shape \(1,\), expected \(2,\)"):
        nb.load(path)
    _write(path, loss=np.array("hinge"))
    with pytest.raises(ValueError, match=r"loss: expected one of"):
        nb.load(path)


def test_pickled_object_array_refused(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, W1=np.array([object()] * 6, dtype=object).reshape(3, 2))
    with pytest.raises(ValueError, match="allow_pickle"):
        nb.load(path)


def test_l2_round_trips_and_old_files_load_without_it(tmp_path):
    net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0, l2=0.25)
    nb.save(net, tmp_path / "net.npz")
    assert nb.load(tmp_path / "net.npz").l2 == 0.25
    with np.load(tmp_path / "net.npz") as data:
        arrays = {k: data[k] for k in data.files if k != "l2"}
    np.savez(tmp_path / "old.npz", **arrays)
    assert nb.load(tmp_path / "old.npz").l2 == 0.0
    np.savez(tmp_path / "bad.npz", **arrays, l2=np.asarray(-1.0))
    with pytest.raises(ValueError, match="l2: expected a finite number >= 0"):
        nb.load(tmp_path / "bad.npz")
    np.savez(tmp_path / "bad2.npz", **arrays, l2=np.asarray([0.1, 0.2]))
    with pytest.raises(ValueError, match="array 'l2' must be a 0-d float"):
        nb.load(tmp_path / "bad2.npz")
