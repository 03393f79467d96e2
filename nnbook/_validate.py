r"""Argument checks for the public API.

Each check raises ``ValueError`` (wrong value or shape) or ``TypeError`` (wrong
kind of object) with a message that names the argument, what was expected and
what came. They run once, at the API boundary (``Network.fit``, ``forward``,
``cost``, ...), never inside the training loop.

Shape rule for a 1-D ``Y`` (and ``X``) of shape ``(m,)``: it is read as one row
``(1, m)`` only when the layer it must match has exactly one unit; otherwise it
is refused. It is never broadcast against a ``(1, m)`` array into an ``(m, m)``
one.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "check_activations",
    "check_alt",
    "check_cache",
    "check_X",
    "check_Y",
    "check_layer_sizes",
    "check_gradients",
    "check_learning_rate",
    "check_parameters",
    "check_positive_int",
    "check_seed",
    "check_dtype",
]


def _as_float_array(value: Any, name: str, dtype: np.dtype) -> np.ndarray:
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected a numeric array, "
                        f"got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: expected a numeric array, "
                        f"got {type(value).__name__}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected a numeric array, "
                        f"got dtype {arr.dtype}")
    with np.errstate(over="ignore"):  # an overflow is reported just below
        out = arr.astype(dtype, copy=False)
    if out is not arr and arr.dtype.kind == "f":
        over = np.isfinite(arr) & ~np.isfinite(out)
        if over.any():
            top = float(np.abs(arr[over]).max())
            k = int(over.sum())
            raise ValueError(
                f"{name}: expected values that fit {dtype} "
                f"(|x| <= {float(np.finfo(dtype).max):.6g}), got {k} "
                f"{'entry' if k == 1 else 'entries'} beyond it "
                f"(largest |x| = {top:.6g})"
            )
    return out


def _check_finite(arr: np.ndarray, name: str) -> None:
    if not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.isfinite(arr).sum())
        raise ValueError(f"{name}: expected finite values, "
                         f"got {bad} NaN or inf entries")


def check_alt(alt: Any) -> str:
    """A figure's text alternative: a non-empty string, whitespace collapsed
    (it becomes the SVG's accessible name and title)."""
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt: expected a non-empty description of the "
                         f"figure, got {alt!r}")
    return " ".join(alt.split())


FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
"""The dtypes a network computes in. float16 overflows at 65504 (one
exponential of a logit of 11), longdouble and complex are not what the
book's NumPy code or its tolerances are written for."""


def check_dtype(dtype: Any, source: str = "") -> np.dtype:
    """Return ``np.dtype(dtype)``, which must be float32 or float64 (native
    byte order). ``source`` says where an implicit dtype came from."""
    expected = "dtype: expected np.float32 or np.float64, got"
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{expected} {dtype!r}{source}") from exc
    if dt not in FLOAT_DTYPES or not dt.isnative:
        got = dt.name if dt.kind in "biufc" else str(dt)
        if not dt.isnative:
            got += f" in non-native byte order ({dt.str})"
        raise TypeError(f"{expected} {got}{source}")
    return dt


def check_layer_sizes(layer_sizes: Any) -> list[int]:
    """Layer sizes ``[n0, n1, ..., nL]``: at least two positive integers."""
    if (isinstance(layer_sizes, (str, bytes))
            or not isinstance(layer_sizes, Sequence)):
        raise TypeError(
            "layer_sizes: expected a list of integers [n0, ..., nL], "
            f"got {layer_sizes!r}"
        )
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            "layer_sizes: expected at least 2 sizes (input and output), "
            f"got {sizes!r}"
        )
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError("layer_sizes: expected positive integers, "
                             f"got {sizes!r}")
    return [int(n) for n in sizes]


def check_activations(activations: Any, L: int) -> list[str]:
    """One activation name per layer ``1..L``; a single string applies to every
    layer."""
    if isinstance(activations, str):
        return [activations] * L
    if not isinstance(activations, Sequence):
        raise TypeError(
            f"activations: expected a str or a list of {L} names, "
            f"got {activations!r}"
        )
    names = list(activations)
    if len(names) != L:
        raise ValueError(
            f"activations: expected {L} names (one per layer 1..{L}), "
            f"got {len(names)}: {names!r}"
        )
    return names


def check_positive_int(value: Any, name: str) -> int:
    """An integer ``>= 1`` (``epochs``, ``batch_size``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
    return int(value)


def check_learning_rate(value: Any, name: str = "learning_rate") -> float:
    """A finite real number ``> 0``, returned as a Python float (so float32
    stays float32)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a finite number > 0, got {value!r}")
    lr = float(value)
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"{name}: expected a finite number > 0, "
                         f"got {value!r}")
    return lr


def check_seed(seed: Any, name: str = "seed") -> Any:
    """What ``numpy.random.default_rng`` is given here: ``None`` (fresh
    entropy), an integer ``>= 0``, or a ``numpy.random.Generator`` (used as
    is, so it advances)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    expected = "None, an integer >= 0 or a numpy.random.Generator"
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name}: expected {expected}, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{name}: expected {expected}, got {seed!r}")
    return int(seed)


def _nonfinite_entries(arr: np.ndarray) -> str:
    """``'at entries [(0, 1), (2, 0)] (2 of 6)'``: where ``arr`` is NaN/inf
    (the first five)."""
    bad = np.argwhere(~np.isfinite(arr))
    where = [tuple(int(i) for i in ix) for ix in bad[:5]]
    more = ", ..." if len(bad) > 5 else ""
    return f"at entries {str(where)[:-1]}{more}] ({len(bad)} of {arr.size})"


def check_parameters(
    W: Any, b: Any, sizes: Sequence[int], dtype: np.dtype, when: str
) -> None:
    """A network's own ``W[l]``, ``b[l]`` before a call changes them: layers
    ``1..L``, shapes ``(n[l], n[l-1])`` and ``(n[l], 1)``, the network's dtype,
    finite. ``when`` ("before training starts") goes into the message."""
    L = len(sizes) - 1
    for name, P in (("W", W), ("b", b)):
        if set(P) != set(range(1, L + 1)):
            raise ValueError(f"{name}: expected the layers 1..{L}, "
                             f"got keys {sorted(P, key=repr)}")
    for l in range(1, L + 1):  # noqa: E741
        for name, arr, shape in ((f"W[{l}]", W[l], (sizes[l], sizes[l - 1])),
                                 (f"b[{l}]", b[l], (sizes[l], 1))):
            if (not isinstance(arr, np.ndarray) or arr.shape != shape
                    or arr.dtype != dtype):
                got = (f"a {arr.dtype} array of shape {arr.shape}"
                       if isinstance(arr, np.ndarray)
                       else type(arr).__name__)
                raise ValueError(f"{name}: expected a {dtype} array of shape "
                                 f"{shape}, got {got}")
            if not np.isfinite(arr).all():
                raise ValueError(
                    f"{name}: contains NaN or inf {when}, "
                    f"{_nonfinite_entries(arr)}; the parameters were not "
                    "finite before this call (this is not divergence)"
                )


def check_cache(cache: Any, sizes: Sequence[int], dtype: np.dtype) -> None:
    """A ``Cache`` of this network's forward pass (``Network.backward``):
    ``Z[1..L]`` and ``A[0..L]``, arrays of shape ``(n[l], m)`` with one ``m``,
    the network's dtype, finite."""
    Z, A = getattr(cache, "Z", None), getattr(cache, "A", None)
    if not isinstance(Z, Mapping) or not isinstance(A, Mapping):
        raise TypeError("cache: expected the Cache of this network's forward "
                        "(dicts Z and A keyed by layer), got "
                        f"{type(cache).__name__}")
    L = len(sizes) - 1
    if set(Z) != set(range(1, L + 1)) or set(A) != set(range(L + 1)):
        raise ValueError(
            f"cache: expected Z[1..{L}] and A[0..{L}] of this network's "
            f"forward, got Z keys {sorted(Z, key=repr)} and A keys "
            f"{sorted(A, key=repr)}")
    m = None
    for name, D, first in (("A", A, 0), ("Z", Z, 1)):
        for l in range(first, L + 1):  # noqa: E741
            arr, key = D[l], f"{name}[{l}]"
            if not isinstance(arr, np.ndarray):
                raise TypeError(f"cache: expected {key} to be an array, "
                                f"got {type(arr).__name__}")
            want = f"({sizes[l]}, {'m' if m is None else m})"
            if (arr.ndim != 2 or arr.shape[0] != sizes[l]
                    or (m is not None and arr.shape[1] != m)):
                raise ValueError(f"cache: expected {key} of shape {want} "
                                 f"(this network's), got shape {arr.shape}")
            m = arr.shape[1]
            if arr.dtype != dtype:
                raise ValueError(f"cache: expected {key} of dtype {dtype} "
                                 f"(the network's), got dtype {arr.dtype}")
            if not np.isfinite(arr).all():
                raise ValueError(f"cache: {key} contains NaN or inf "
                                 f"{_nonfinite_entries(arr)}")


def check_gradients(grads: Any, W: Any, b: Any) -> None:
    """``grads.dW[l]``, ``grads.db[l]`` (``Network.step``): exactly the layers
    of ``W``, ``b``, each an array of its parameter's shape and dtype, finite.
    """
    dW, db = getattr(grads, "dW", None), getattr(grads, "db", None)
    if not isinstance(dW, Mapping) or not isinstance(db, Mapping):
        raise TypeError("grads: expected the Gradients of this network's "
                        "backward (dicts dW and db keyed by layer), got "
                        f"{type(grads).__name__}")
    layers = sorted(W)
    for name, G, P in (("dW", dW, W), ("db", db, b)):
        if set(G) != set(layers):
            raise ValueError(
                f"grads: expected {name}[l] for the layers {layers} of this "
                f"network, got layers {sorted(G, key=repr)}")
        for l in layers:  # noqa: E741
            g, p, gname = G[l], P[l], f"{name}[{l}]"
            if not isinstance(g, np.ndarray):
                raise TypeError(f"grads: expected {gname} to be an array, "
                                f"got {type(g).__name__}")
            if g.shape != p.shape:
                raise ValueError(
                    f"grads: expected {gname} of shape {p.shape} (the shape "
                    f"of {name[1:]}[{l}]), got shape {g.shape}")
            if g.dtype != p.dtype:
                raise ValueError(
                    f"grads: expected {gname} of dtype {p.dtype} (the "
                    f"network's), got dtype {g.dtype}")
            if not np.isfinite(g).all():
                raise ValueError(f"grads: {gname} contains NaN or inf "
                                 f"{_nonfinite_entries(g)}")


def check_X(X: Any, n0: int, dtype: np.dtype, name: str = "X") -> np.ndarray:
    """``X`` of shape ``(n0, m)``, ``m >= 1``, finite; cast to ``dtype``."""
    arr = _as_float_array(X, name, dtype)
    if arr.ndim == 1:
        if n0 != 1:
            raise ValueError(
                f"{name}: expected shape ({n0}, m) (one column per example), "
                f"got 1-D shape {arr.shape}; a 1-D array is accepted only "
                "when n[0] = 1"
            )
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array of shape ({n0}, m), "
                         f"got shape {arr.shape}")
    if arr.shape[1] == 0 or arr.shape[0] == 0:
        raise ValueError(f"{name}: expected at least one example, "
                         f"got empty shape {arr.shape}")
    if arr.shape[0] != n0:
        raise ValueError(
            f"{name}: expected shape ({n0}, m) with n[0] = {n0} rows "
            f"(= W[1].shape[1]), got shape {arr.shape}"
        )
    _check_finite(arr, name)
    return arr


def check_Y(
    Y: Any, nL: int, m: int, loss: str, dtype: np.dtype, name: str = "Y"
) -> np.ndarray:
    """``Y`` of shape ``(nL, m)``, finite; in ``[0, 1]`` for BCE and
    cross-entropy; for cross-entropy every column sums to 1 within
    ``losses.target_sum_tolerance(nL, dtype)``."""
    arr = _as_float_array(Y, name, dtype)
    if arr.ndim == 1:
        if nL != 1:
            raise ValueError(
                f"{name}: expected shape ({nL}, {m}), got 1-D shape "
                f"{arr.shape}; a 1-D target is accepted only when the "
                "output layer has one unit (use datasets.one_hot)"
            )
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise ValueError(
            f"{name}: expected a 2-D array of shape ({nL}, {m}), "
            f"got shape {arr.shape}"
        )
    if arr.shape[1] != m:
        raise ValueError(
            f"{name}: expected {m} examples (columns) to match X, "
            f"got shape {arr.shape}"
        )
    if arr.shape[0] != nL:
        hint = ""
        if nL > 1:
            hint = " (one-hot encode labels with nnbook.datasets.one_hot)"
        raise ValueError(
            f"{name}: expected {nL} rows (n[L] output units), "
            f"got shape {arr.shape}{hint}"
        )
    _check_finite(arr, name)
    if loss in ("bce", "cross_entropy") and (arr.min() < 0 or arr.max() > 1):
        i, j = np.argwhere((arr < 0) | (arr > 1))[0]
        raise ValueError(
            f"{name}: expected targets in [0, 1] for loss {loss!r}, "
            f"got values in [{float(arr.min())}, {float(arr.max())}] "
            f"(the first outside at row {i}, column {j})"
        )
    if loss == "cross_entropy":
        from .losses import target_sum_tolerance

        tol = target_sum_tolerance(nL, dtype)
        sums = arr.sum(axis=0, dtype=np.float64)
        bad = np.flatnonzero(np.abs(sums - 1) > tol)
        if bad.size:
            j = int(bad[0])
            raise ValueError(
                f"{name}: expected every column to sum to 1 for loss "
                "'cross_entropy' (a probability vector per example, within "
                f"n[L] * eps = {tol:.3g} for {dtype}), got {bad.size} of "
                f"{m} columns that do not: column {j} sums to "
                f"{float(sums[j])!r} (one label per example: "
                "nnbook.datasets.one_hot; several: sigmoid outputs and 'bce')"
            )
    return arr


EPS_RANGE = (1e-10, 1e-2)
r"""The finite-difference steps ``eps`` that
[`gradient_check`][nnbook.gradcheck.gradient_check] accepts: below
$10^{-10}$ rounding swamps the difference
$J(\theta + \varepsilon) - J(\theta - \varepsilon)$, above $10^{-2}$ the
$O(\varepsilon^2)$ truncation error does."""


def check_eps(value: Any, name: str = "eps") -> float:
    """A finite-difference step: a real number in ``EPS_RANGE``, returned as a
    Python float."""
    lo, hi = EPS_RANGE
    expected = f"a number with {lo:g} <= {name} <= {hi:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected {expected}, got {value!r}")
    eps = float(value)
    if not lo <= eps <= hi:  # also refuses NaN and inf
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    return eps
