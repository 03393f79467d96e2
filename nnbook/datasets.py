r"""Small data sets made in code, in the book's column convention.

Every generator returns ``(X, Y)`` with ``X`` of shape $(n^{[0]}, m)$ (one
column per example) and ``Y`` of shape $(1, m)$ — or one-hot $(k, m)$ with
``one_hot=True`` — as float64 arrays. Randomness comes from
``numpy.random.default_rng(seed)``: the same seed gives the same data.
``seed`` is an integer >= 0, a ``numpy.random.Generator`` (used as is) or
``None``; anything else is refused naming ``seed``. ``noise`` is a finite
number in $[0, 10^{100}]$ (``turns`` in $[-10^{100}, 10^{100}]$), so the points
always fit float64; ``one_hot`` is ``True`` or ``False``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ._validate import check_seed

__all__ = ["circles", "one_hot", "regression_curve", "spirals", "two_moons",
           "xor"]


def _check_m(m: Any, minimum: int = 1) -> int:
    if (isinstance(m, bool) or not isinstance(m, numbers.Integral)
            or m < minimum):
        raise ValueError(f"m: expected an integer >= {minimum}, got {m!r}")
    return int(m)


SCALE = 1e100
"""Largest ``noise`` (and ``|turns|``) accepted: beyond it the points could
overflow float64 (a Gaussian draw reaches about 10 standard deviations)."""


def _check_real(value: Any, name: str, low: float, high: float,
                closed: bool = True) -> float:
    """A finite real number in ``[low, high]`` (``(low, high)`` when not
    ``closed``), returned as a float."""
    inside = (lambda x: low <= x <= high) if closed else (
        lambda x: low < x < high)
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or not inside(value)):
        where = f"[{low:g}, {high:g}]" if closed else f"({low:g}, {high:g})"
        raise ValueError(f"{name}: expected a finite number in {where}, "
                         f"got {value!r}")
    return float(value)


def _check_noise(noise: Any) -> float:
    return _check_real(noise, "noise", 0.0, SCALE)


def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def one_hot(labels: Any, k: int | None = None) -> np.ndarray:
    r"""One-hot encode integer labels into a $(k, m)$ matrix: column $i$ is
    $e_{y^{(i)}}$.

    Parameters
    ----------
    labels : array of int, shape (m,) or (1, m)
        Class indices in $0..k-1$.
    k : int, optional
        Number of classes; defaults to ``max(labels) + 1``.

    Examples
    --------
    >>> import nnbook as nb
    >>> nb.datasets.one_hot([0, 2, 1]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    try:
        y = np.asarray(labels)
    except ValueError as exc:  # ragged
        raise ValueError("labels: expected shape (m,) or (1, m), got a "
                         "ragged sequence") from exc
    if y.dtype.kind not in "biuf":
        raise TypeError(f"labels: expected integers, got dtype {y.dtype}")
    if k is not None and (isinstance(k, bool)
                          or not isinstance(k, numbers.Integral)):
        raise TypeError(f"k: expected an integer or None, got {k!r}")
    if y.ndim == 2 and y.shape[0] == 1:
        y = y[0]
    if y.ndim != 1:
        raise ValueError("labels: expected shape (m,) or (1, m), "
                         f"got shape {y.shape}")
    if y.size and (not np.isfinite(y).all() or y.max() >= 2**62
                   or not np.all(np.equal(np.mod(y, 1), 0)) or y.min() < 0):
        raise ValueError("labels: expected non-negative integers")
    y = y.astype(np.int64)
    if k is None:
        k = int(y.max()) + 1 if y.size else 0
    if y.size and y.max() >= k:
        raise ValueError("k: expected more than the largest label "
                         f"{int(y.max())}, got {k}")
    out = np.zeros((k, y.size))
    out[y, np.arange(y.size)] = 1.0
    return out


def _finish(
    X: np.ndarray, labels: np.ndarray, k: int, one_hot_: bool
) -> tuple[np.ndarray, np.ndarray]:
    if _check_flag(one_hot_, "one_hot"):
        return X, one_hot(labels, k)
    return X, labels.astype(np.float64).reshape(1, -1)


def xor(*, one_hot: bool = False) -> tuple[np.ndarray, np.ndarray]:
    r"""The four XOR points: $y = x_1 \oplus x_2$.

    Columns, in order: $(0,0) \to 0$, $(0,1) \to 1$, $(1,0) \to 1$,
    $(1,1) \to 0$.

    Examples
    --------
    >>> import nnbook as nb
    >>> X, Y = nb.datasets.xor()
    >>> X.tolist(), Y.tolist()
    ([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]], [[0.0, 1.0, 1.0, 0.0]])
    """
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    return _finish(X, np.array([0, 1, 1, 0]), 2, one_hot)


def two_moons(
    m: int = 200, noise: float = 0.1, seed: int | None = 0,
    *, one_hot: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two interleaving half circles (as scikit-learn's ``make_moons``),
    shuffled.

    Class 0: $(\cos t, \sin t)$, class 1: $(1 - \cos t, \tfrac12 - \sin t)$,
    $t \in [0, \pi]$, plus Gaussian noise of standard deviation ``noise``.
    Class sizes $\lceil m/2 \rceil$, $\lfloor m/2 \rfloor$.

    Examples
    --------
    >>> import nnbook as nb
    >>> X, Y = nb.datasets.two_moons(100, noise=0.1, seed=0)
    >>> X.shape, Y.shape, int(Y.sum())
    ((2, 100), (1, 100), 50)
    """
    m = _check_m(m, 2)
    noise = _check_noise(noise)
    rng = np.random.default_rng(check_seed(seed))
    m0 = (m + 1) // 2
    t0 = np.linspace(0, np.pi, m0)
    t1 = np.linspace(0, np.pi, m - m0)
    X = np.hstack([np.vstack([np.cos(t0), np.sin(t0)]),
                   np.vstack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    labels = np.r_[np.zeros(m0, int), np.ones(m - m0, int)]
    X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(m)
    return _finish(X[:, order], labels[order], 2, one_hot)


def circles(
    m: int = 200, noise: float = 0.05, factor: float = 0.5,
    seed: int | None = 0, *, one_hot: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two concentric circles: outer radius 1 (class 0), inner radius
    ``factor`` (class 1).

    Examples
    --------
    >>> import nnbook as nb
    >>> X, Y = nb.datasets.circles(100, seed=0)
    >>> X.shape, int(Y.sum())
    ((2, 100), 50)
    """
    m = _check_m(m, 2)
    noise = _check_noise(noise)
    factor = _check_real(factor, "factor", 0.0, 1.0, closed=False)
    rng = np.random.default_rng(check_seed(seed))
    m0 = (m + 1) // 2
    t0 = np.linspace(0, 2 * np.pi, m0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, m - m0, endpoint=False)
    X = np.hstack([np.vstack([np.cos(t0), np.sin(t0)]),
                   factor * np.vstack([np.cos(t1), np.sin(t1)])])
    labels = np.r_[np.zeros(m0, int), np.ones(m - m0, int)]
    X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(m)
    return _finish(X[:, order], labels[order], 2, one_hot)


def spirals(
    m: int = 300, classes: int = 2, noise: float = 0.2, turns: float = 1.0,
    seed: int | None = 0, *, one_hot: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Interleaved spiral arms (the CS231n spiral), one arm per class.

    Arm $c$: radius $r \in [0, 1]$, angle
    $\theta = 2\pi\,(\text{turns}\; r + c/k)$ plus Gaussian angle noise
    ``noise``; points $(r\cos\theta, r\sin\theta)$. With ``classes > 2`` use
    ``one_hot=True`` and a softmax output.

    Examples
    --------
    >>> import nnbook as nb
    >>> X, Y = nb.datasets.spirals(90, classes=3, seed=0, one_hot=True)
    >>> X.shape, Y.shape, Y.sum(axis=1).tolist()
    ((2, 90), (3, 90), [30.0, 30.0, 30.0])
    """
    m = _check_m(m, 2)
    noise = _check_noise(noise)
    if (isinstance(classes, bool) or not isinstance(classes, numbers.Integral)
            or classes < 2):
        raise ValueError(f"classes: expected an integer >= 2, got {classes!r}")
    turns = _check_real(turns, "turns", -SCALE, SCALE)
    rng = np.random.default_rng(check_seed(seed))
    counts = [m // classes + (1 if c < m % classes else 0)
              for c in range(classes)]
    Xs, ls = [], []
    for c, mc in enumerate(counts):
        r = np.linspace(0.0, 1.0, mc)
        theta = (2 * np.pi * (turns * r + c / classes)
                 + rng.normal(0.0, noise, mc))
        Xs.append(np.vstack([r * np.cos(theta), r * np.sin(theta)]))
        ls.append(np.full(mc, c))
    X, labels = np.hstack(Xs), np.concatenate(ls)
    order = rng.permutation(m)
    return _finish(X[:, order], labels[order], classes, one_hot)


def regression_curve(
    m: int = 100, noise: float = 0.1, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    r"""A 1-D regression task: $x \sim U(-1, 1)$,
    $y = \sin(\pi x) + \varepsilon$,
    $\varepsilon \sim \mathcal{N}(0, \text{noise}^2)$; ``X`` sorted, shape
    $(1, m)$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> X, Y = nb.datasets.regression_curve(50, noise=0.0, seed=0)
    >>> X.shape, Y.shape, bool(abs(Y - np.sin(np.pi * X)).max() == 0)
    ((1, 50), (1, 50), True)
    """
    m = _check_m(m)
    noise = _check_noise(noise)
    rng = np.random.default_rng(check_seed(seed))
    x = np.sort(rng.uniform(-1.0, 1.0, m))
    y = np.sin(np.pi * x) + rng.normal(0.0, noise, m)
    return x.reshape(1, -1), y.reshape(1, -1)
