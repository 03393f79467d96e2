# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
r"""Save and load a [`Network`][nnbook.network.Network] as a plain ``.npz``
file (no Python objects, only numbers and strings).

The archive holds ``W1, b1, ..., WL, bL`` and five plain arrays: ``format``
(a 0-d integer, the file format, now 1), ``sizes`` (int64), ``activations``
(unicode strings, one per layer), ``loss`` (a 0-d unicode string) and ``l2``
(a 0-d float64, the L2 penalty's strength). Files written before ``format``
and ``l2`` were stored load as format 1 with ``l2 = 0``.

Loading uses ``numpy.load(path, allow_pickle=False)`` and checks every array's
presence, shape and dtype. Anything else is refused with a ``ValueError`` that
names the path and says what a file written by [`save`][nnbook.io.save]
contains; a missing file raises ``FileNotFoundError``.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import numpy as np

from .network import Network

__all__ = ["FORMAT", "load", "save"]

FORMAT = 1
"""The file format [`save`][nnbook.io.save] writes and
[`load`][nnbook.io.load] reads."""

CONTENTS = ("a file written by nb.save is an .npz archive of the arrays "
            "format, sizes, activations, loss, l2 and W1, b1, ..., WL, bL")


def _check_path(path: Any) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError("path: expected a file name (str or os.PathLike), "
                        f"got {type(path).__name__}")
    p = os.fspath(path)
    if not isinstance(p, str):
        raise TypeError(f"path: expected a file name (str), got {p!r}")
    if not p:
        raise ValueError("path: expected a file name, got ''")
    return p


def _bad(p: str, reason: str) -> ValueError:
    return ValueError(f"path: {p!r} {reason}; {CONTENTS}")


def save(net: Network, path: str | os.PathLike[str]) -> None:
    r"""Write ``net`` to ``path`` (``.npz``; the suffix is appended if it is
    missing).

    The file is written next to ``path`` first and then renamed, so a failed
    save never leaves a half-written file behind.

    Raises
    ------
    TypeError
        If ``net`` is not a [`Network`][nnbook.network.Network] or ``path``
        is not a file name.
    ValueError
        If ``path`` is a directory, or a parameter holds NaN or inf (such a
        file could not be loaded).
    FileNotFoundError, PermissionError
        If the folder of ``path`` does not exist or cannot be written; the
        message names ``path``.

    Examples
    --------
    >>> import os, tempfile, numpy as np, nnbook as nb
    >>> net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> nb.save(net, path)
    >>> back = nb.load(path)
    >>> back.sizes, all(np.array_equal(net.W[l], back.W[l]) for l in (1, 2))
    ([2, 3, 1], True)
    >>> nb.save(net, tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    ValueError: path: '...' is a directory; expected a file name such as
    'net.npz'
    """
    if not isinstance(net, Network):
        raise TypeError("net: expected an nnbook Network, "
                        f"got {type(net).__name__}")
    p = _check_path(path)
    if os.path.isdir(p) or p.endswith((os.sep, "/")):
        raise ValueError(f"path: {p!r} is a directory; "
                         "expected a file name such as 'net.npz'")
    if not p.endswith(".npz"):
        p += ".npz"
    folder = os.path.dirname(p) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"path: {p!r}: the folder {folder!r} "
                                "does not exist")
    arrays: dict[str, np.ndarray] = {
        "format": np.asarray(FORMAT, dtype=np.int64),
        "sizes": np.asarray(net.sizes, dtype=np.int64),
        "activations": np.asarray(
            [net.g[l].name for l in range(1, net.L + 1)], dtype=np.str_),
        "loss": np.asarray(net.loss.name, dtype=np.str_),
        "l2": np.asarray(net.l2, dtype=np.float64),
    }
    for l in range(1, net.L + 1):
        for name, arr in ((f"W{l}", net.W[l]), (f"b{l}", net.b[l])):
            if not np.isfinite(arr).all():
                raise ValueError(f"net: {name[0]}[{l}] holds NaN or inf; "
                                 "nothing was written (load would refuse "
                                 "the file)")
            arrays[name] = arr
    part = p + ".part"
    try:
        with open(part, "wb") as f:
            np.savez(f, **arrays)
        os.replace(part, p)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.remove(part)
        reason = exc.strerror or str(exc)
        raise type(exc)(f"path: {p!r}: cannot write it ({reason})") from exc


def _read(p: str) -> dict[str, np.ndarray]:
    """Every array of the archive at ``p``, or a ValueError saying why not."""
    if not os.path.exists(p):
        raise FileNotFoundError(f"path: {p!r}: no such file")
    if os.path.isdir(p):
        raise _bad(p, "is a directory, not a file")
    try:
        with open(p, "rb") as f:
            head = f.read(6)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise type(exc)(f"path: {p!r}: cannot read it ({reason})") from exc
    if not head:
        raise _bad(p, "is empty (0 bytes)")
    if head == b"\x93NUMPY":
        raise _bad(p, "is a single-array .npy file (as written by np.save), "
                      "not an .npz archive")
    if not head.startswith(b"PK"):
        raise _bad(p, f"is not an .npz archive (it starts with {head!r})")
    key = None
    try:  # our own file object: closed even when the archive is unreadable
        with open(p, "rb") as f, np.load(f, allow_pickle=False) as data:
            arrays = {}
            for key in data.files:
                arrays[key] = data[key]
    except Exception as exc:  # zipfile.BadZipFile, EOFError, zlib.error, ...
        if isinstance(exc, ValueError) and "pickle" in str(exc).lower():
            # an array of Python objects: never suggest loading it unsafely
            raise _bad(p, f"holds an array {key!r} of Python objects, not "
                          "of numbers or strings") from None
        raise _bad(p, "is truncated or corrupt (an .npz archive that cannot "
                      f"be read: {type(exc).__name__}: {exc})") from exc
    return arrays


def load(path: str | os.PathLike[str]) -> Network:
    r"""Read a network written by [`save`][nnbook.io.save] (with
    ``allow_pickle=False``).

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not one ``save`` writes: a directory, an empty,
        truncated or corrupt file, a text file, an ``.npy`` file, an archive
        with a missing, extra or misshaped array, an unknown format, or
        parameters a [`Network`][nnbook.network.Network] refuses. The
        message names the path (and the array) and lists what a file written
        by ``save`` holds.

    Examples
    --------
    >>> import os, tempfile, numpy as np, nnbook as nb
    >>> path = os.path.join(tempfile.mkdtemp(), "bad.npz")
    >>> np.savez(path, sizes=np.array([2, 1]),
    ...          activations=np.array(["sigmoid"]), loss=np.array("bce"),
    ...          W1=np.zeros((1, 3)), b1=np.zeros((1, 1)))
    >>> nb.load(path)
    Traceback (most recent call last):
    ...
    ValueError: path: '...bad.npz' has an array 'W1' of shape (1, 3),
    expected (1, 2); a file written by nb.save is an .npz archive of the
    arrays format, sizes, activations, loss, l2 and W1, b1, ..., WL, bL
    """
    p = _check_path(path)
    data = _read(p)

    def get(key: str) -> np.ndarray:
        if key not in data:
            raise _bad(p, f"has no array {key!r} (it holds {sorted(data)})")
        return data[key]

    fmt = data.get("format", np.asarray(FORMAT))
    if fmt.shape != () or fmt.dtype.kind not in "iu":
        raise _bad(p, "has an array 'format' that is not a 0-d integer")
    if int(fmt) != FORMAT:
        raise _bad(p, f"is in file format {int(fmt)}; this nnbook reads "
                      f"format {FORMAT}")
    sizes_arr = get("sizes")
    if (sizes_arr.ndim != 1 or sizes_arr.size < 2
            or sizes_arr.dtype.kind not in "iu" or sizes_arr.min() < 1):
        raise _bad(p, "has an array 'sizes' that is not [n0, ..., nL] "
                      f"(at least 2 positive integers): {sizes_arr.tolist()}")
    sizes = [int(n) for n in sizes_arr]
    L = len(sizes) - 1
    params = [f"{p_}{l}" for l in range(1, L + 1) for p_ in "Wb"]
    extra = sorted(set(data) - {"format", "sizes", "activations", "loss",
                                "l2", *params})
    if extra:
        raise _bad(p, f"holds unexpected arrays {extra}")
    acts = get("activations")
    if acts.shape != (L,) or acts.dtype.kind != "U":
        raise _bad(p, f"has an array 'activations' of shape {acts.shape} "
                      f"and dtype {acts.dtype}, expected ({L},) strings")
    loss = get("loss")
    if loss.shape != () or loss.dtype.kind != "U":
        raise _bad(p, f"has an array 'loss' of shape {loss.shape} and dtype "
                      f"{loss.dtype}, expected a 0-d string")
    l2 = data.get("l2", np.asarray(0.0))
    if l2.shape != () or l2.dtype.kind != "f":
        raise _bad(p, f"has an array 'l2' of shape {l2.shape} and dtype "
                      f"{l2.dtype}, expected a 0-d float")
    W: dict[int, np.ndarray] = {}
    b: dict[int, np.ndarray] = {}
    for l in range(1, L + 1):
        for name, shape, store in ((f"W{l}", (sizes[l], sizes[l - 1]), W),
                                   (f"b{l}", (sizes[l], 1), b)):
            arr = get(name)
            if arr.shape != shape:
                raise _bad(p, f"has an array {name!r} of shape {arr.shape}, "
                              f"expected {shape}")
            if arr.dtype not in (np.float32, np.float64):
                raise _bad(p, f"has an array {name!r} of dtype {arr.dtype}, "
                              "expected float32 or float64")
            if arr.dtype != data["W1"].dtype:
                raise _bad(p, f"has arrays of two dtypes, {name!r} is "
                              f"{arr.dtype} but 'W1' is {data['W1'].dtype}")
            store[l] = arr
    try:
        return Network.from_parameters(W, b, [str(a) for a in acts],
                                       str(loss), dtype=W[1].dtype,
                                       l2=float(l2))
    except (ValueError, TypeError) as exc:
        raise _bad(p, f"holds a network nnbook refuses ({exc})") from None
