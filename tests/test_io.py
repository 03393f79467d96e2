# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""save/load: exact round trip, no pickle, clear errors on bad files.

Every file ``load`` cannot read gets a ``ValueError`` that names the path, says what is wrong and
what a file written by ``save`` holds (``nb.io.CONTENTS``); no message mentions pickle. One test
per case.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

import nnbook as nb
from nnbook.io import CONTENTS, FORMAT


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
        assert sorted(data.files) == ["W1", "activations", "b1", "format", "l2", "loss", "sizes"]
        assert all(data[k].dtype != object for k in data.files)
        assert data["format"].shape == () and int(data["format"]) == FORMAT == 1


def _messages(exc):
    """The messages of an exception and of every exception a traceback would show with it."""
    out = []
    while exc is not None:
        out.append(str(exc))
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return out


def _refused(path, reason, exc_type=ValueError):
    """Load ``path``; assert the error names the path, matches ``reason``, lists the contents of
    a file written by save, and that nothing it shows mentions pickle."""
    with pytest.raises(exc_type) as info:
        nb.load(path)
    msg = str(info.value)
    assert msg.startswith(f"path: {str(path)!r}"), msg
    assert re.search(reason, msg), msg
    if exc_type is ValueError:
        assert msg.endswith("; " + CONTENTS), msg
    assert all("pickle" not in m.lower() for m in _messages(info.value)), _messages(info.value)
    return msg


def _write(path, **over):
    arrays = dict(sizes=np.array([2, 3, 1]), activations=np.array(["tanh", "sigmoid"]),
                  loss=np.array("bce"), W1=np.zeros((3, 2)), b1=np.zeros((3, 1)),
                  W2=np.zeros((1, 3)), b2=np.zeros((1, 1)))
    arrays.update(over)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(path, **arrays)


def test_contents_lists_every_array():
    for name in ("format", "sizes", "activations", "loss", "l2", "W1, b1, ..., WL, bL"):
        assert name in CONTENTS


def test_hand_written_file_loads(tmp_path):  # the _write baseline is a valid file
    _write(tmp_path / "a.npz")
    assert nb.load(tmp_path / "a.npz").sizes == [2, 3, 1]


# ---------------------------------------------------------------- files that are not archives

def test_missing_path(tmp_path):
    _refused(tmp_path / "nope.npz", r"^path: '.*nope\.npz': no such file$", FileNotFoundError)


def test_directory(tmp_path):
    _refused(tmp_path, r"is a directory, not a file")


def test_empty_file(tmp_path):
    (tmp_path / "e.npz").write_bytes(b"")
    _refused(tmp_path / "e.npz", r"is empty \(0 bytes\)")


def test_text_file(tmp_path):
    # NumPy alone says "Cannot load file containing pickled data when allow_pickle=False"
    (tmp_path / "net.txt").write_text("W1 = [[1, 2]]\n")
    _refused(tmp_path / "net.txt", r"is not an \.npz archive \(it starts with b'W1 = \['\)")


def test_npy_file(tmp_path):
    # NumPy alone returns an array, and `with` fails with a TypeError about context managers
    np.save(tmp_path / "w.npy", np.zeros((3, 2)))
    _refused(tmp_path / "w.npy", r"is a single-array \.npy file \(as written by np\.save\), "
                                 r"not an \.npz archive")


def test_truncated_archive(tmp_path):
    nb.save(nb.Network([3, 5, 1], ["tanh", "sigmoid"], "bce", seed=0), tmp_path / "net.npz")
    data = (tmp_path / "net.npz").read_bytes()
    (tmp_path / "half.npz").write_bytes(data[: len(data) // 2])
    _refused(tmp_path / "half.npz", r"is truncated or corrupt \(an \.npz archive that cannot be "
                                    r"read: BadZipFile: ")


def test_corrupt_archive(tmp_path):
    nb.save(nb.Network([3, 5, 1], ["tanh", "sigmoid"], "bce", seed=0), tmp_path / "net.npz")
    data = bytearray((tmp_path / "net.npz").read_bytes())
    start = data.index(b"W1.npy") + 200  # inside W1's bytes: the CRC no longer matches
    data[start:start + 8] = b"\xff" * 8
    (tmp_path / "bad.npz").write_bytes(bytes(data))
    _refused(tmp_path / "bad.npz", r"is truncated or corrupt \(an \.npz archive that cannot be "
                                   r"read: BadZipFile: Bad CRC-32")


def test_object_array_is_refused_without_suggesting_pickle(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, W1=np.array([object()] * 6, dtype=object).reshape(3, 2))
    _refused(path, r"holds an array 'W1' of Python objects, not of numbers or strings")


def test_unreadable_file(tmp_path, monkeypatch):
    _write(tmp_path / "a.npz")

    def denied(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(nb.io, "open", denied, raising=False)
    _refused(tmp_path / "a.npz", r"^path: '.*a\.npz': cannot read it \(Permission denied\)$",
             PermissionError)


# ---------------------------------------------------------------- archives with wrong arrays

def test_missing_array_is_named(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, b2=None)
    _refused(path, r"has no array 'b2' \(it holds \['W1', 'W2', 'activations', 'b1', 'loss', "
                   r"'sizes'\]\)")


def test_missing_sizes(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, sizes=None)
    _refused(path, r"has no array 'sizes'")


def test_extra_array_is_named(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, W3=np.zeros((1, 1)), notes=np.array("hello"))
    _refused(path, r"holds unexpected arrays \['W3', 'notes'\]")


def test_misshaped_array_is_named(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, W2=np.zeros((3, 1)))
    _refused(path, r"has an array 'W2' of shape \(3, 1\), expected \(1, 3\)")


def test_bad_sizes(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, sizes=np.array([2, 0, 1]))
    _refused(path, r"has an array 'sizes' that is not \[n0, \.\.\., nL\] \(at least 2 positive "
                   r"integers\): \[2, 0, 1\]")
    _write(path, sizes=np.array([2.0, 3.0, 1.0]))
    _refused(path, r"has an array 'sizes' that is not")


def test_bad_activations(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, activations=np.array(["tanh"]))
    _refused(path, r"has an array 'activations' of shape \(1,\) and dtype <U4, "
                   r"expected \(2,\) strings")


def test_unknown_activation_or_loss(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, activations=np.array(["swish", "sigmoid"]))
    _refused(path, r"holds a network nnbook refuses \(activations: layer 1's activation: "
                   r"expected one of \[.*\], got 'swish'\)")
    _write(path, loss=np.array("hinge"))
    _refused(path, r"holds a network nnbook refuses \(loss: expected one of")


def test_bad_loss_array(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, loss=np.array(["bce"]))
    _refused(path, r"has an array 'loss' of shape \(1,\) and dtype <U3, expected a 0-d string")


@pytest.mark.parametrize("version", [0, 2, 99])
def test_unknown_format_version(tmp_path, version):
    path = tmp_path / "a.npz"
    _write(path, format=np.asarray(version))
    _refused(path, rf"is in file format {version}; this nnbook reads format 1")


def test_format_not_an_integer(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, format=np.asarray("1"))
    _refused(path, r"has an array 'format' that is not a 0-d integer")


def test_float16_weights(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, W1=np.zeros((3, 2), dtype=np.float16))
    _refused(path, r"has an array 'W1' of dtype float16, expected float32 or float64")


def test_integer_weights(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, b2=np.zeros((1, 1), dtype=np.int64))
    _refused(path, r"has an array 'b2' of dtype int64, expected float32 or float64")


def test_mixed_dtypes(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, W2=np.zeros((1, 3), dtype=np.float32))
    _refused(path, r"has arrays of two dtypes, 'W2' is float32 but 'W1' is float64")


def test_non_finite_weights(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, W2=np.array([[0.0, np.nan, np.inf]]))
    _refused(path, r"holds a network nnbook refuses \(W\[2\]: expected finite values, got 2 "
                   r"NaN or inf entries\)")


def test_l2_round_trips_and_old_files_load_without_it(tmp_path):
    net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0, l2=0.25)
    nb.save(net, tmp_path / "net.npz")
    assert nb.load(tmp_path / "net.npz").l2 == 0.25
    with np.load(tmp_path / "net.npz") as data:  # a file from before format and l2 were stored
        arrays = {k: data[k] for k in data.files if k not in ("l2", "format")}
    np.savez(tmp_path / "old.npz", **arrays)
    old = nb.load(tmp_path / "old.npz")
    assert old.l2 == 0.0 and old.W[1].tobytes() == net.W[1].tobytes()


def test_negative_l2(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, l2=np.asarray(-1.0))
    _refused(path, r"holds a network nnbook refuses \(l2: expected a finite number >= 0, "
                   r"got -1\.0\)")


def test_misshaped_l2(tmp_path):
    path = tmp_path / "a.npz"
    _write(path, l2=np.asarray([0.1, 0.2]))
    _refused(path, r"has an array 'l2' of shape \(2,\) and dtype float64, expected a 0-d float")


@pytest.mark.parametrize("path", [3, None, b"net.npz"], ids=["int", "none", "bytes"])
def test_load_path_must_be_a_file_name(path):
    with pytest.raises(TypeError, match=r"^path: expected a file name \(str or os\.PathLike\), "
                                        r"got "):
        nb.load(path)


def test_empty_path():
    with pytest.raises(ValueError, match=r"^path: expected a file name, got ''$"):
        nb.load("")
    with pytest.raises(ValueError, match=r"^path: expected a file name, got ''$"):
        nb.save(nb.Network([2, 1], ["sigmoid"], "bce", seed=0), "")


# ---------------------------------------------------------------- save


@pytest.fixture
def small():
    return nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)


def test_save_appends_the_suffix(tmp_path, small):
    nb.save(small, tmp_path / "net")
    assert sorted(os.listdir(tmp_path)) == ["net.npz"]  # and no .part file left behind
    assert nb.load(tmp_path / "net.npz").sizes == small.sizes


def test_save_to_a_directory(tmp_path, small):
    with pytest.raises(ValueError, match=r"^path: '.*' is a directory; expected a file name such "
                                         r"as 'net\.npz'$"):
        nb.save(small, tmp_path)
    with pytest.raises(ValueError, match=r"is a directory"):
        nb.save(small, str(tmp_path / "models") + os.sep)
    assert os.listdir(tmp_path) == []


def test_save_into_a_missing_folder(tmp_path, small):
    with pytest.raises(FileNotFoundError, match=r"^path: '.*net\.npz': the folder '.*nowhere' "
                                                r"does not exist$"):
        nb.save(small, tmp_path / "nowhere" / "net.npz")


def test_save_not_writable(tmp_path, small, monkeypatch):
    def denied(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(nb.io, "open", denied, raising=False)
    with pytest.raises(PermissionError, match=r"^path: '.*net\.npz': cannot write it "
                                              r"\(Permission denied\)$"):
        nb.save(small, tmp_path / "net.npz")
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_save_into_a_read_only_folder(tmp_path, small):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match=r"^path: '.*net\.npz': cannot write it"):
            nb.save(small, folder / "net.npz")
    finally:
        folder.chmod(0o700)


def test_failed_save_keeps_the_old_file(tmp_path, small, monkeypatch):
    nb.save(small, tmp_path / "net.npz")
    before = (tmp_path / "net.npz").read_bytes()

    def disk_full(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nb.io.np, "savez", disk_full)
    other = nb.Network([2, 5, 1], ["relu", "sigmoid"], "bce", seed=1)
    with pytest.raises(OSError, match=r"^path: '.*net\.npz': cannot write it \(No space left"):
        nb.save(other, tmp_path / "net.npz")
    assert (tmp_path / "net.npz").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["net.npz"]


def test_save_needs_a_network(tmp_path):
    with pytest.raises(TypeError, match=r"^net: expected an nnbook Network, got dict$"):
        nb.save({"W1": np.zeros((1, 1))}, tmp_path / "net.npz")


@pytest.mark.parametrize("path", [3, None, ["net.npz"]], ids=["int", "none", "list"])
def test_save_path_must_be_a_file_name(small, path):
    with pytest.raises(TypeError, match=r"^path: expected a file name \(str or os\.PathLike\), "
                                        r"got "):
        nb.save(small, path)


def test_save_refuses_non_finite_parameters(tmp_path, small):
    small.b[2][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^net: b\[2\] holds NaN or inf; nothing was written"):
        nb.save(small, tmp_path / "net.npz")
    assert os.listdir(tmp_path) == []


def test_unreadable_archive_leaves_no_open_file(tmp_path):
    # np.load(path) left the file open when the zip could not be read: a ResourceWarning later
    import gc
    import warnings

    nb.save(nb.Network([3, 5, 1], ["tanh", "sigmoid"], "bce", seed=0), tmp_path / "net.npz")
    data = (tmp_path / "net.npz").read_bytes()
    (tmp_path / "half.npz").write_bytes(data[: len(data) // 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError):
            nb.load(tmp_path / "half.npz")
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
