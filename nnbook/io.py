# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
r"""Save and load a [`Network`][nnbook.network.Network] as a plain ``.npz``
file (no pickle).

The archive holds ``W1, b1, ..., WL, bL`` and four plain arrays: ``sizes``
(int64), ``activations`` (unicode strings, one per layer), ``loss`` (a 0-d
unicode string) and ``l2`` (a 0-d float64, the L2 penalty's strength; a file
without it loads with ``l2 = 0``). Loading uses
``numpy.load(path, allow_pickle=False)`` and checks every array's presence and
shape.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .network import Network

__all__ = ["load", "save"]


def save(net: Network, path: str | os.PathLike[str]) -> None:
    r"""Write ``net`` to ``path`` (``.npz``; NumPy appends the suffix if it is
    missing).

    Examples
    --------
    >>> import os, tempfile, numpy as np, nnbook as nb
    >>> net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> nb.save(net, path)
    >>> back = nb.load(path)
    >>> back.sizes, all(np.array_equal(net.W[l], back.W[l]) for l in (1, 2))
    ([2, 3, 1], True)
    """
    arrays: dict[str, np.ndarray] = {
        "sizes": np.asarray(net.sizes, dtype=np.int64),
        "activations": np.asarray(
            [net.g[l].name for l in range(1, net.L + 1)], dtype=np.str_),
        "loss": np.asarray(net.loss.name, dtype=np.str_),
        "l2": np.asarray(net.l2, dtype=np.float64),
    }
    for l in range(1, net.L + 1):
        arrays[f"W{l}"] = net.W[l]
        arrays[f"b{l}"] = net.b[l]
    np.savez(path, **arrays)


def _get(data: Any, key: str, path: Any) -> np.ndarray:
    if key not in data.files:
        raise ValueError(f"{path}: array {key!r} is missing "
                         f"(found {sorted(data.files)})")
    return data[key]


def load(path: str | os.PathLike[str]) -> Network:
    r"""Read a network written by [`save`][nnbook.io.save] (with
    ``allow_pickle=False``).

    Raises
    ------
    ValueError
        If an array is missing or has the wrong shape; the message names the
        array.

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
    ValueError: ...: array 'W1' has shape (1, 3), expected (1, 2)
    """
    with np.load(path, allow_pickle=False) as data:
        sizes_arr = _get(data, "sizes", path)
        if (sizes_arr.ndim != 1 or sizes_arr.size < 2
                or sizes_arr.dtype.kind not in "iu"):
            raise ValueError(f"{path}: array 'sizes' must be 1-D integers "
                             f"[n0, ..., nL], got {sizes_arr!r}")
        sizes = [int(n) for n in sizes_arr]
        L = len(sizes) - 1
        acts = _get(data, "activations", path)
        if acts.shape != (L,) or acts.dtype.kind != "U":
            raise ValueError(f"{path}: array 'activations' has shape "
                             f"{acts.shape}, expected ({L},) strings")
        loss = _get(data, "loss", path)
        if loss.shape != () or loss.dtype.kind != "U":
            raise ValueError(f"{path}: array 'loss' must be a 0-d string, "
                             f"got shape {loss.shape}")
        l2 = data["l2"] if "l2" in data.files else np.asarray(0.0)
        if l2.shape != () or l2.dtype.kind != "f":
            raise ValueError(f"{path}: array 'l2' must be a 0-d float, "
                             f"got shape {l2.shape}, dtype {l2.dtype}")
        W: dict[int, np.ndarray] = {}
        b: dict[int, np.ndarray] = {}
        for l in range(1, L + 1):
            for name, shape, store in ((f"W{l}", (sizes[l], sizes[l - 1]), W),
                                       (f"b{l}", (sizes[l], 1), b)):
                arr = _get(data, name, path)
                if arr.shape != shape:
                    raise ValueError(
                        f"{path}: array {name!r} has shape {arr.shape}, "
                        f"expected {shape}"
                    )
                if arr.dtype.kind != "f":
                    raise ValueError(f"{path}: array {name!r} has dtype "
                                     f"{arr.dtype}, expected a floating dtype")
                store[l] = arr
        return Network.from_parameters(W, b, [str(a) for a in acts], str(loss),
                                       dtype=W[1].dtype, l2=float(l2))
