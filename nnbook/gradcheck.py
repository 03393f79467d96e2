# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
r"""Gradient checking by central differences.

For every entry $\theta$ of every $W^{[l]}$ and $b^{[l]}$,

$$\frac{\partial J}{\partial \theta} \approx
\frac{J(\theta + \varepsilon) - J(\theta - \varepsilon)}{2\varepsilon},$$

with error $O(\varepsilon^2)$. The numerical and the analytical
(backpropagated) gradient of each parameter array are compared by the *norm
ratio*

$$\text{rel}(g_{\text{num}}, g_{\text{ana}}) =
\frac{\lVert g_{\text{num}} - g_{\text{ana}} \rVert_2}
     {\max\left(\lVert g_{\text{num}} \rVert_2
           + \lVert g_{\text{ana}} \rVert_2,\ \ \text{tiny}\right)},$$

which is 0 for equal gradients, 1 for unrelated ones, and is not thrown off by
single entries that are (near) zero. Everything runs in float64, whatever the
network's dtype.

Central differences assume $J$ is smooth between $\theta - \varepsilon$ and
$\theta + \varepsilon$. ReLU and leaky ReLU have a kink at $z = 0$: when
moving one entry by $\pm\varepsilon$ moves a pre-activation of such a layer
onto or across 0, the difference quotient averages the two slopes, while
backpropagation uses the derivative on one side (the book's convention
$\mathrm{ReLU}'(0) = 0$). Such an entry is *at a kink*: it is counted, named
and left out of the judged relative error, never reported as a failure.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _validate as v
from .losses import SHORTCUTS, VALID_PAIRS, output_cost
from .network import Network

__all__ = [
    "KINKED",
    "GradCheckResult",
    "gradient_check",
    "check_problem",
    "format_table",
    "gradient_check_table",
    "numerical_gradient",
    "relative_error",
]

TINY = 1e-300

KINKED = ("relu", "leaky_relu")
"""Activations with a kink (a jump of $g'$) at $z = 0$."""


def relative_error(a: Any, b: Any) -> float:
    r"""The norm ratio of ``a`` and ``b``, their relative error:

    $$\frac{\lVert a - b\rVert_2}
    {\max(\lVert a\rVert_2 + \lVert b\rVert_2,\ \text{tiny})}.$$

    Examples
    --------
    >>> import nnbook as nb
    >>> nb.relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> round(nb.relative_error([1.0, 0.0], [0.0, 1.0]), 4)
    0.7071
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    top = max(float(np.abs(a).max(initial=0.0)),
              float(np.abs(b).max(initial=0.0)))
    if 1e150 < top < np.inf:  # the ratio is scale-free: no norm overflows
        a, b = a / top, b / top
    den = max(float(np.linalg.norm(a) + np.linalg.norm(b)), TINY)
    return float(np.linalg.norm(a - b)) / den


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: Any, eps: float = 1e-6
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function $f$ at $x$ (any
    shape), in float64:

    $$\frac{\partial f}{\partial x_k} \approx
    \frac{f(x + \varepsilon e_k) - f(x - \varepsilon e_k)}{2\varepsilon}.$$

    ``f`` receives a float64 array of ``x``'s shape (perturbed one entry at a
    time) and must return a number. ``x`` itself is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> def f(w):
    ...     return float((w ** 2).sum())
    >>> g = nb.numerical_gradient(f, np.array([[1.0, -2.0]]))
    >>> g.round(6).tolist()
    [[2.0, -4.0]]
    """
    eps = v.check_eps(eps)
    x = np.array(x, dtype=np.float64)  # a copy
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        old = x[k]
        x[k] = old + eps
        f_plus = float(f(x))
        x[k] = old - eps
        f_minus = float(f(x))
        x[k] = old
        grad[k] = (f_plus - f_minus) / (2 * eps)
    return grad


@dataclass
class GradCheckResult:
    r"""The outcome of [`gradient_check`][nnbook.gradcheck.gradient_check].

    Attributes
    ----------
    errors : dict[str, float]
        Relative error (norm ratio) per parameter, keyed
        ``"W1", "b1", ..., "WL", "bL"``, over the entries that are not at a
        kink (all entries when there is no kink).
    numerical, analytical : dict[str, ndarray]
        The two gradients per parameter.
    eps : float
        The finite-difference step.
    kinks : dict[str, ndarray]
        Per parameter, a boolean mask of its shape: ``True`` where moving the
        entry by $\pm\varepsilon$ moves a ReLU or leaky-ReLU pre-activation
        onto or across its kink at 0. There the central difference averages
        two slopes, so those entries are reported, not judged.

    Examples
    --------
    >>> import nnbook as nb
    >>> net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], "bce", seed=0)
    >>> result = nb.gradient_check(net, *nb.datasets.xor())
    >>> print(str(result).splitlines()[0])
    param      shape       |num|       |ana|  rel. error  at kink
    >>> result.max_error < 1e-7, result.passed(1e-7), result.kink_count
    (True, True, 0)
    """

    errors: dict[str, float]
    numerical: dict[str, np.ndarray] = field(repr=False)
    analytical: dict[str, np.ndarray] = field(repr=False)
    eps: float = 1e-6
    kinks: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def max_error(self) -> float:
        """The largest relative error over all parameters (entries at a kink
        left out)."""
        return max(self.errors.values())

    @property
    def max_relative_error(self) -> float:
        """Alias of
        [`max_error`][nnbook.gradcheck.GradCheckResult.max_error]."""
        return self.max_error

    @property
    def errors_all(self) -> dict[str, float]:
        """Relative error per parameter over *all* its entries, kinks
        included (what a check blind to kinks would report)."""
        return {k: relative_error(self.numerical[k], self.analytical[k])
                for k in self.errors}

    @property
    def kink_count(self) -> int:
        """How many parameter entries are at a kink."""
        return sum(int(mask.sum()) for mask in self.kinks.values())

    @property
    def kink_entries(self) -> list[tuple[str, tuple[int, ...]]]:
        """The entries at a kink, as ``(parameter, index)`` pairs with
        0-based NumPy indices: ``("W1", (0, 1))`` is ``W[1][0, 1]``."""
        return [(k, tuple(int(i) for i in idx))
                for k, mask in self.kinks.items()
                for idx in np.argwhere(mask)]

    def passed(self, tol: float = 1e-7) -> bool:
        """``True`` when every parameter's relative error, over the entries
        not at a kink, is below ``tol``. Entries at a kink are not failures:
        see [`kink_entries`][nnbook.gradcheck.GradCheckResult.kink_entries].

        Examples
        --------
        >>> import nnbook as nb
        >>> result = nb.GradCheckResult({"W1": 3e-9, "b1": 2e-7}, {}, {})
        >>> result.passed(1e-7)
        False
        """
        tol = v.check_learning_rate(tol, "tol")
        return self.max_error < tol

    def __str__(self) -> str:
        lines = [f"{'param':<6} {'shape':>9} {'|num|':>11} {'|ana|':>11} "
                 f"{'rel. error':>11} {'at kink':>8}"]
        for name, err in self.errors.items():
            num, ana = self.numerical[name], self.analytical[name]
            shape = "x".join(str(s) for s in num.shape)
            kinked = int(self.kinks[name].sum()) if name in self.kinks else 0
            judged = f"{err:.2e}" if kinked < num.size else "-"  # none left
            lines.append(f"{name:<6} {shape:>9} {np.linalg.norm(num):>11.4e} "
                         f"{np.linalg.norm(ana):>11.4e} {judged:>11} "
                         f"{kinked:>8}")
        lines.append(f"max relative error = {self.max_error:.2e}  "
                     f"(eps = {self.eps:g})")
        n = self.kink_count
        if n:
            lines.append(f"{n} {'entry' if n == 1 else 'entries'} at a kink "
                         "(a ReLU or leaky-ReLU pre-activation crosses 0")
            lines.append("within eps): finite differences are undefined "
                         "there, so not judged:")
            names = [f"{k}[{', '.join(map(str, idx))}]"
                     for k, idx in self.kink_entries]
            line = " "
            for i, entry in enumerate(names):
                piece = entry + ("," if i < len(names) - 1 else "")
                if len(line) + 1 + len(piece) > 79:
                    lines.append(line)
                    line = " "
                line += " " + piece
            lines.append(line)
        return "\n".join(lines)


def _crosses_kink(
    net: Network, Z0: dict[int, np.ndarray], Zm: dict[int, np.ndarray],
    Zp: dict[int, np.ndarray],
) -> bool:
    """Whether, between the two perturbed forward passes, some pre-activation
    of a kinked layer moved onto or across 0."""
    for l in range(1, net.L + 1):
        if net.g[l].name in KINKED:
            lo = np.minimum(np.minimum(Zm[l], Zp[l]), Z0[l])
            hi = np.maximum(np.maximum(Zm[l], Zp[l]), Z0[l])
            if np.any((lo <= 0) & (hi >= 0) & (Zm[l] != Zp[l])):
                return True
    return False


def gradient_check(
    net: Network, X: Any, Y: Any, eps: float = 1e-6
) -> GradCheckResult:
    r"""Compare ``net.backward`` with central differences of ``net``'s cost,
    parameter by parameter.

    Works on a float64 copy of ``net`` (which is left untouched). An entry
    whose $\pm\varepsilon$ move carries a ReLU or leaky-ReLU pre-activation
    onto or across 0 is *at a kink*: the difference quotient there averages
    two slopes, so it is reported in
    [`kinks`][nnbook.gradcheck.GradCheckResult] and left out of
    ``errors``, instead of being counted as a failure.

    Parameters
    ----------
    net : Network
    X, Y : arrays
        Inputs ``(n0, m)`` and targets ``(nL, m)``.
    eps : float
        Finite-difference step $\varepsilon$, with
        $10^{-10} \le \varepsilon \le 10^{-2}$.

    Returns
    -------
    GradCheckResult

    Examples
    --------
    >>> import nnbook as nb
    >>> X, Y = nb.datasets.xor()
    >>> net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], loss="bce", seed=0)
    >>> result = nb.gradient_check(net, X, Y)
    >>> list(result.errors), result.passed(1e-7)
    (['W1', 'b1', 'W2', 'b2'], True)

    A ReLU unit whose pre-activation is exactly 0: its incoming weights are
    at the kink, reported and not judged.

    >>> net = nb.Network.from_parameters(
    ...     {1: [[1.0, -1.0], [0.5, 1.0]], 2: [[1.0, -2.0]]},
    ...     {1: [[0.0], [0.1]], 2: [[0.0]]}, ["relu", "sigmoid"], "bce")
    >>> result = nb.gradient_check(net, [[1.0], [1.0]], [[1.0]])
    >>> result.kink_entries, result.passed(1e-7)
    ([('W1', (0, 0)), ('W1', (0, 1)), ('b1', (0, 0))], True)
    """
    if not isinstance(net, Network):
        raise TypeError("net: expected an nnbook Network, "
                        f"got {type(net).__name__}")
    eps = v.check_eps(eps)
    acts = [net.g[l].name for l in range(1, net.L + 1)]
    net64 = Network.from_parameters(net.W, net.b, acts, net.loss.name,
                                    dtype=np.float64, l2=net.l2)
    # X and Y must fit the network's own dtype; the check runs in float64
    X = v.check_X(X, net.sizes[0], net.dtype).astype(np.float64)
    Y = v.check_Y(Y, net.sizes[-1], X.shape[1], net.loss.name,
                  net.dtype).astype(np.float64)
    quiet = {"over": "ignore", "invalid": "ignore", "under": "ignore"}
    cache0 = net64.forward(X)            # checked: an overflow is named
    with np.errstate(**quiet):           # Y was checked in net's dtype
        grads = net64.backward(cache0, Y, check=False)
    net64._check_backward(grads, cache0, Y)
    L = net64.L

    def cost() -> tuple[float, dict[int, np.ndarray]]:
        # J as Network.cost computes it (from Z[L] for sigmoid + BCE and
        # softmax + cross-entropy; with the L2 penalty when net.l2 > 0) and
        # the pre-activations
        with np.errstate(**quiet):
            cache = net64.forward(X, check=False)
            J = output_cost(net64.g[L].name, net64.loss.name, cache.Z[L],
                            cache.A[L], Y) + net64.penalty(X.shape[1])
        if not np.isfinite(J):
            raise net64._overflow(
                "gradient_check: the cost J (of parameters moved by at most "
                f"eps = {eps})", J, {"X": X, "Y": Y, f"A[{L}]": cache.A[L]})
        return J, cache.Z

    cost()                               # the cost itself: finite, or named

    errors: dict[str, float] = {}
    numerical: dict[str, np.ndarray] = {}
    analytical: dict[str, np.ndarray] = {}
    kinks: dict[str, np.ndarray] = {}
    for l in range(1, net64.L + 1):
        for name, param, ana in (("W", net64.W[l], grads.dW[l]),
                                 ("b", net64.b[l], grads.db[l])):
            num = np.zeros_like(param)
            kink = np.zeros(param.shape, dtype=bool)
            for k in np.ndindex(param.shape):
                old = param[k]
                param[k] = old + eps
                j_plus, Z_plus = cost()
                param[k] = old - eps
                j_minus, Z_minus = cost()
                param[k] = old
                num[k] = (j_plus - j_minus) / (2 * eps)
                kink[k] = _crosses_kink(net64, cache0.Z, Z_minus, Z_plus)
            key = f"{name}{l}"
            errors[key] = relative_error(num[~kink], ana[~kink])
            numerical[key], analytical[key], kinks[key] = num, ana, kink
    return GradCheckResult(errors, numerical, analytical, eps, kinks)


HIDDEN = ("sigmoid", "tanh", "relu", "identity", "leaky_relu")
"""Hidden-layer activations covered by
[`gradient_check_table`][nnbook.gradcheck.gradient_check_table]."""

OUTPUTS = tuple(sorted(VALID_PAIRS, key=lambda pair: pair not in SHORTCUTS))
"""(output activation, loss) pairs covered: every pair of
[`VALID_PAIRS`][nnbook.losses.VALID_PAIRS], the three shortcuts first, then
the general-chain pairs."""

KINK = 1e-4


def check_problem(
    hidden: str | None, output: str, loss: str, depth: int,
    seed: int = 0, m: int = 5,
) -> tuple[Network, np.ndarray, np.ndarray]:
    r"""A small random problem for one (hidden, output, loss, depth)
    combination.

    Sizes $[3, 4, \dots, 4, n^{[L]}]$ with $n^{[L]} = 3$ for softmax, 1
    otherwise; $m = 5$. He-normal weights, $\mathcal{N}(0, 0.5^2)$ biases. The
    seed is advanced until no ReLU/leaky-ReLU pre-activation lies within
    $10^{-4}$ of the kink at 0 (so central differences never straddle it) and,
    for a ReLU/leaky-ReLU output, at least 60% of the output pre-activations
    are positive (so the gradient is not trivially zero).

    Examples
    --------
    >>> from nnbook.gradcheck import check_problem
    >>> net, X, Y = check_problem("relu", "sigmoid", "bce", depth=3)
    >>> net.sizes, X.shape, Y.shape
    ([3, 4, 4, 1], (3, 5), (1, 5))
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed: expected an integer >= 0 (the first seed "
                        f"tried), got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed: expected an integer >= 0 (the first seed "
                         f"tried), got {seed!r}")
    nL = 3 if output == "softmax" else 1
    sizes = [3] + [4] * (depth - 1) + [nL]
    acts = [hidden] * (depth - 1) + [output]
    for s in range(seed, seed + 1000):
        rng = np.random.default_rng(s)
        net = Network(sizes, acts, loss, init="he", seed=s)
        # non-zero biases, so that the check of b is not trivial
        for l in range(1, net.L + 1):
            net.b[l] = rng.normal(0.0, 0.5, size=net.b[l].shape)
        if output in ("relu", "leaky_relu"):
            # most outputs on the active side, so gradients are not ~0
            net.b[net.L] += 1.0
        X = rng.normal(size=(3, m))
        if loss == "mse":
            Y = rng.normal(size=(nL, m))
        elif nL == 1:
            Y = rng.integers(0, 2, size=(1, m)).astype(np.float64)
        else:
            Y = np.eye(nL)[:, rng.integers(0, nL, size=m)]
        cache = net.forward(X)
        kinked = any(
            np.abs(cache.Z[l]).min() < KINK
            for l in range(1, net.L + 1)
            if net.g[l].name in ("relu", "leaky_relu")
        )
        active = (output not in ("relu", "leaky_relu")
                  or (cache.Z[net.L] > 0).mean() >= 0.6)
        if not kinked and active:
            return net, X, Y
    raise RuntimeError("no kink-free problem found")  # pragma: no cover


def gradient_check_table(
    depths: Iterable[int] = (1, 2, 3, 4), eps: float = 1e-6
) -> list[dict[str, Any]]:
    r"""Gradient-check every valid (hidden activation, output activation, loss,
    depth) combination.

    Depth 1 has no hidden layer; deeper networks use the same hidden activation
    in every hidden layer ([`HIDDEN`][nnbook.gradcheck.HIDDEN]), with each
    output pair of [`OUTPUTS`][nnbook.gradcheck.OUTPUTS]. Returns one row per
    combination: ``hidden``, ``output``, ``loss``, ``depth``, ``max_error``.

    Examples
    --------
    >>> from nnbook.gradcheck import gradient_check_table
    >>> rows = gradient_check_table(depths=[1])
    >>> len(rows), max(r["max_error"] for r in rows) < 1e-7
    (8, True)
    """
    rows = []
    for depth in depths:
        for hidden in (HIDDEN if depth > 1 else (None,)):
            for output, loss in OUTPUTS:
                net, X, Y = check_problem(hidden, output, loss, depth)
                result = gradient_check(net, X, Y, eps=eps)
                rows.append({"hidden": hidden or "-", "output": output,
                             "loss": loss, "depth": depth,
                             "max_error": result.max_error})
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """Format [`gradient_check_table`][nnbook.gradcheck.gradient_check_table]
    rows as a Markdown table.

    Examples
    --------
    >>> from nnbook.gradcheck import format_table
    >>> row = {"hidden": "-", "output": "sigmoid", "loss": "bce", "depth": 1,
    ...        "max_error": 1.5e-11}
    >>> print(format_table([row]))
    | depth | hidden | output | loss | max rel. error |
    | ---: | --- | --- | --- | ---: |
    | 1 | - | sigmoid | bce | 1.50e-11 |
    """
    out = ["| depth | hidden | output | loss | max rel. error |",
           "| ---: | --- | --- | --- | ---: |"]
    for r in rows:
        out.append(f"| {r['depth']} | {r['hidden']} | {r['output']} "
                   f"| {r['loss']} | {r['max_error']:.2e} |")
    return "\n".join(out)
