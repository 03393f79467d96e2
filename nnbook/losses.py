r"""Losses, their derivatives, and the output-layer shortcut table.

Conventions: ``A`` and ``Y`` have shape $(n^{[L]}, m)$; the per-example loss
$\mathcal{L}^{(i)}$ is summed over output units; the cost is the mean over the
$m$ examples,

$$J = \frac{1}{m} \sum_{i=1}^{m} \mathcal{L}^{(i)}.$$

A loss *derivative* returns the per-example gradient
$dA^{[L]} = m \, \partial J / \partial A^{[L]}$, whose column $i$ is
$\partial \mathcal{L}^{(i)} / \partial a^{[L](i)}$.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import get_activation

__all__ = [
    "LOSSES",
    "SHORTCUTS",
    "Loss",
    "bce",
    "bce_derivative",
    "bce_with_logits",
    "cross_entropy",
    "cross_entropy_derivative",
    "get_loss",
    "mse",
    "mse_derivative",
    "output_delta",
]

EPS = 1e-12


def _m(A: np.ndarray) -> int:
    return A.shape[1] if A.ndim == 2 else A.size


def _eps(A: np.ndarray, eps: float) -> float:
    """Clipping margin, at least the dtype's machine epsilon (so that
    ``1 - eps < 1`` in float32 too)."""
    A = np.asarray(A)
    if A.dtype.kind != "f":
        return eps
    return max(eps, float(np.finfo(A.dtype).eps))


# --8<-- [start:bce]
def bce(A: np.ndarray, Y: np.ndarray, eps: float = EPS) -> float:
    r"""Binary cross-entropy cost from probabilities,

    $$J = -\frac{1}{m} \sum_{i=1}^{m} \sum_k
    \left[ y_k \ln a_k + (1 - y_k) \ln(1 - a_k) \right].$$

    ``A`` is clipped to $[\varepsilon, 1 - \varepsilon]$ so the logarithms stay
    finite.

    Parameters
    ----------
    A : ndarray, shape (n_L, m)
        Predicted probabilities.
    Y : ndarray, shape (n_L, m)
        Targets in $[0, 1]$.
    eps : float
        Clipping margin.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> A, Y = np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])
    >>> round(nb.bce(A, Y), 6)
    0.693147
    """
    eps = _eps(A, eps)
    A = np.clip(A, eps, 1 - eps)
    return float(-(Y * np.log(A) + (1 - Y) * np.log(1 - A)).sum() / _m(A))
# --8<-- [end:bce]


def bce_derivative(
    A: np.ndarray, Y: np.ndarray, eps: float = EPS
) -> np.ndarray:
    r"""Per-example BCE gradient $dA = \dfrac{A - Y}{A(1 - A)}$ (with the
    clipped ``A``).

    Equal to $-\left(\dfrac{Y}{A} - \dfrac{1 - Y}{1 - A}\right)$, over one
    fraction.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> A, Y = np.array([[0.5, 0.8]]), np.array([[1.0, 0.0]])
    >>> nb.bce_derivative(A, Y).round(4).tolist()
    [[-2.0, 5.0]]
    """
    eps = _eps(A, eps)
    Ac = np.clip(A, eps, 1 - eps)
    return (Ac - Y) / (Ac * (1 - Ac))


# --8<-- [start:bce_with_logits]
def bce_with_logits(Z: np.ndarray, Y: np.ndarray) -> float:
    r"""Binary cross-entropy from logits $Z$ (pre-sigmoid), computed stably:

    $$\mathcal{L} = \max(z, 0) - z y + \ln\!\left(1 + e^{-|z|}\right),$$

    which equals $-[y \ln \sigma(z) + (1-y)\ln(1-\sigma(z))]$ without ever
    forming $\sigma(z)$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> Z, Y = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]])
    >>> round(nb.bce_with_logits(Z, Y), 6)
    0.693147
    >>> round(nb.bce_with_logits(np.array([[1000.0]]), np.array([[0.0]])), 6)
    1000.0
    """
    loss = np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))
    return float(loss.sum() / _m(Z))
# --8<-- [end:bce_with_logits]


def mse(A: np.ndarray, Y: np.ndarray) -> float:
    r"""Mean squared error
    $J = \dfrac{1}{m} \sum_{i=1}^{m} \sum_k (a_k - y_k)^2$.

    No $\tfrac12$: the per-example derivative is $2(a - y)$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.mse(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]]))
    2.5
    """
    return float(((A - Y) ** 2).sum() / _m(A))


# --8<-- [start:mse_derivative]
def mse_derivative(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""Per-example MSE gradient $dA = 2(A - Y)$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> A, Y = np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])
    >>> nb.mse_derivative(A, Y).tolist()
    [[2.0, 4.0]]
    """
    return 2 * (A - Y)
# --8<-- [end:mse_derivative]


def cross_entropy(A: np.ndarray, Y: np.ndarray, eps: float = EPS) -> float:
    r"""Categorical cross-entropy for softmax outputs and one-hot ``Y``,

    $$J = -\frac{1}{m} \sum_{i=1}^{m} \sum_{k} y_k \ln a_k .$$

    ``A`` is clipped below at $\varepsilon$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> A = np.array([[0.25, 0.5], [0.75, 0.5]])
    >>> Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> round(nb.cross_entropy(A, Y), 6)
    0.490415
    """
    return float(-(Y * np.log(np.clip(A, _eps(A, eps), None))).sum() / _m(A))


def cross_entropy_derivative(
    A: np.ndarray, Y: np.ndarray, eps: float = EPS
) -> np.ndarray:
    r"""Per-example cross-entropy gradient $dA = -Y / A$ (``A`` clipped below
    at $\varepsilon$).

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> A, Y = np.array([[0.25], [0.75]]), np.array([[0.0], [1.0]])
    >>> nb.cross_entropy_derivative(A, Y).round(4).tolist()
    [[-0.0], [-1.3333]]
    """
    return -Y / np.clip(A, _eps(A, eps), None)


@dataclass(frozen=True)
class Loss:
    r"""A loss: its cost $J(A, Y)$ and its per-example derivative $dA^{[L]}$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> loss = nb.get_loss("mse")
    >>> A, Y = np.array([[1.0]]), np.array([[0.0]])
    >>> loss.value(A, Y), loss.derivative(A, Y).tolist()
    (1.0, [[2.0]])
    """

    name: str
    value: Callable[[np.ndarray, np.ndarray], float]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]

    def __call__(self, A: np.ndarray, Y: np.ndarray) -> float:
        """The cost: ``loss(A, Y)`` is ``loss.value(A, Y)``."""
        return self.value(A, Y)


LOSSES: dict[str, Loss] = {
    "bce": Loss("bce", bce, bce_derivative),
    "mse": Loss("mse", mse, mse_derivative),
    "cross_entropy": Loss("cross_entropy", cross_entropy,
                          cross_entropy_derivative),
}
"""Loss name -> [`Loss`][nnbook.losses.Loss]. (``bce_with_logits`` is a cost
helper, not a network loss.)"""

_ALIASES = {"ce": "cross_entropy",
            "categorical_cross_entropy": "cross_entropy",
            "binary_cross_entropy": "bce"}


def get_loss(name: str | Loss) -> Loss:
    r"""Look up a loss by name: ``"bce"``, ``"mse"`` or ``"cross_entropy"``
    (alias ``"ce"``).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names.

    Examples
    --------
    >>> import nnbook as nb
    >>> nb.get_loss("ce").name
    'cross_entropy'
    >>> nb.get_loss("l1")
    Traceback (most recent call last):
    ...
    ValueError: loss: expected one of ['bce', 'cross_entropy', 'mse'], got 'l1'
    """
    if isinstance(name, Loss):
        return name
    key = _ALIASES.get(name, name) if isinstance(name, str) else name
    if key not in LOSSES:
        raise ValueError(f"loss: expected one of {sorted(LOSSES)}, "
                         f"got {name!r}")
    return LOSSES[key]


# --8<-- [start:SHORTCUTS]
SHORTCUTS: dict[
    tuple[str, str], Callable[[np.ndarray, np.ndarray], np.ndarray]
] = {
    ("sigmoid", "bce"): lambda A, Y: A - Y,
    ("softmax", "cross_entropy"): lambda A, Y: A - Y,
    ("identity", "mse"): lambda A, Y: 2 * (A - Y),
}
# --8<-- [end:SHORTCUTS]
r"""(output activation, loss) -> $dZ^{[L]}(A, Y)$ for the pairs where the chain
simplifies."""


# --8<-- [start:output_delta]
def output_delta(
    activation: str, loss: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray
) -> np.ndarray:
    r"""Per-example output gradient $dZ^{[L]} = m \partial J/\partial Z^{[L]}$.

    For the three matched pairs the chain rule collapses:

    * sigmoid + BCE: $dZ^{[L]} = A^{[L]} - Y$
    * softmax + cross-entropy: $dZ^{[L]} = A^{[L]} - Y$
    * identity + MSE: $dZ^{[L]} = 2(A^{[L]} - Y)$

    Every other pairing uses the general chain
    $dZ^{[L]} = g^{[L]}.\mathrm{backward}(dA^{[L]}, Z^{[L]}, A^{[L]})$ with
    $dA^{[L]}$ the loss derivative.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> Z, Y = np.array([[0.0, 2.0]]), np.array([[1.0, 0.0]])
    >>> A = nb.sigmoid(Z)  # sigmoid and BCE: dZ = A - Y
    >>> nb.output_delta("sigmoid", "bce", Z, A, Y).round(4).tolist()
    [[-0.5, 0.8808]]
    >>> A = np.tanh(Z)  # tanh and MSE: dZ = 2 (A - Y) (1 - A^2)
    >>> nb.output_delta("tanh", "mse", Z, A, Y).round(4).tolist()
    [[-2.0, 0.1362]]
    """
    act = get_activation(activation)
    lo = get_loss(loss)
    shortcut = SHORTCUTS.get((act.name, lo.name))
    if shortcut is not None:
        return shortcut(A, Y)
    return act.backward(lo.derivative(A, Y), Z, A)
# --8<-- [end:output_delta]
