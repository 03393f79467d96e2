r"""Losses, their derivatives, and the output-layer shortcut table.

Conventions: ``A`` and ``Y`` have shape $(n^{[L]}, m)$; the per-example loss
$\mathcal{L}^{(i)}$ is summed over output units; the cost is the mean over the
$m$ examples,

$$J = \frac{1}{m} \sum_{i=1}^{m} \mathcal{L}^{(i)}.$$

A loss *derivative* returns the per-example gradient
$dA^{[L]} = m \, \partial J / \partial A^{[L]}$, whose column $i$ is
$\partial \mathcal{L}^{(i)} / \partial a^{[L](i)}$.

Only meaningful pairs of output activation and loss are accepted
([`VALID_PAIRS`][nnbook.losses.VALID_PAIRS], checked by
[`check_pair`][nnbook.losses.check_pair]): BCE needs sigmoid outputs,
cross-entropy needs softmax outputs, MSE takes any output activation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import ACTIVATIONS, get_activation

__all__ = [
    "LOSSES",
    "SHORTCUTS",
    "VALID_PAIRS",
    "Loss",
    "bce",
    "bce_derivative",
    "bce_with_logits",
    "check_pair",
    "clip_eps",
    "cross_entropy",
    "cross_entropy_derivative",
    "cross_entropy_with_logits",
    "get_loss",
    "target_sum_tolerance",
    "mse",
    "mse_derivative",
    "output_cost",
    "output_delta",
]

EPS = 1e-12
r"""The requested clipping margin of BCE and cross-entropy; the margin used is
[`clip_eps`][nnbook.losses.clip_eps] of the dtype (never below its machine
epsilon)."""


def _m(A: np.ndarray) -> int:
    return A.shape[1] if A.ndim == 2 else A.size


def clip_eps(dtype: Any, eps: float = EPS) -> float:
    r"""The clipping margin $\varepsilon$ that [`bce`][nnbook.losses.bce],
    [`bce_derivative`][nnbook.losses.bce_derivative],
    [`cross_entropy`][nnbook.losses.cross_entropy] and
    [`cross_entropy_derivative`][nnbook.losses.cross_entropy_derivative] use
    for arrays of ``dtype``: $\max(\mathrm{eps}, \epsilon_{\mathrm{mach}})$,
    the machine epsilon being the gap between 1 and the next number.

    * float64: $10^{-12}$ (``eps`` itself; $\epsilon_{\mathrm{mach}}
      = 2^{-52} \approx 2.2 \times 10^{-16}$ is smaller);
    * float32: $2^{-23} \approx 1.19 \times 10^{-7}$, not $10^{-12}$:
      $1 - 10^{-12}$ rounds to exactly 1 in float32, so the upper clip would
      leave $\ln(1 - a) = \ln 0$. The losses are therefore capped at
      $-\ln \varepsilon \approx 27.6$ per unit in float64 and
      $\approx 15.9$ in float32.

    A non-floating ``dtype`` (integer targets passed as ``A``) gets ``eps``.

    Where a clip is active the clipped cost is flat in that output (for a
    sigmoid output once $|z| > -\ln \varepsilon$ roughly: 27.6 in float64,
    15.9 in float32), while the output shortcut $A - Y$ is not. That is why
    a network's cost ([`output_cost`][nnbook.losses.output_cost]) is
    computed from the logits $Z^{[L]}$ for sigmoid + BCE and softmax +
    cross-entropy, with no clip: there
    [`Network.backward`][nnbook.network.Network.backward] is its gradient
    for every $z$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.losses import clip_eps
    >>> clip_eps(np.float64), clip_eps(np.float32) == 2.0**-23
    (1e-12, True)
    >>> bool(np.float32(1) - np.float32(1e-12) == 1)   # why float32 needs more
    True
    """
    dt = np.dtype(dtype)
    if dt.kind != "f":
        return eps
    return max(eps, float(np.finfo(dt).eps))


def _eps(A: np.ndarray, eps: float) -> float:
    """The clipping margin for ``A``: ``clip_eps(A.dtype, eps)``."""
    return clip_eps(np.asarray(A).dtype, eps)


# --8<-- [start:bce]
def bce(A: np.ndarray, Y: np.ndarray, eps: float = EPS) -> float:
    r"""Binary cross-entropy cost from probabilities,

    $$J = -\frac{1}{m} \sum_{i=1}^{m} \sum_k
    \left[ y_k \ln a_k + (1 - y_k) \ln(1 - a_k) \right].$$

    ``A`` is clipped to $[\varepsilon, 1 - \varepsilon]$ so the logarithms stay
    finite, with $\varepsilon$ = [`clip_eps`][nnbook.losses.clip_eps] of
    ``A``'s dtype: $10^{-12}$ in float64, $2^{-23} \approx 1.19 \times
    10^{-7}$ in float32.

    Parameters
    ----------
    A : ndarray, shape (n_L, m)
        Predicted probabilities.
    Y : ndarray, shape (n_L, m)
        Targets in $[0, 1]$ (a [`Network`][nnbook.network.Network] refuses
        others).
    eps : float
        Requested clipping margin; raised to the dtype's machine epsilon
        when smaller ([`clip_eps`][nnbook.losses.clip_eps]).

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
    r"""Per-example BCE gradient $dA = \dfrac{A - Y}{A(1 - A)}$ (with ``A``
    clipped to $[\varepsilon, 1 - \varepsilon]$, $\varepsilon$ =
    [`clip_eps`][nnbook.losses.clip_eps] of its dtype: $10^{-12}$ in float64,
    $\approx 1.19 \times 10^{-7}$ in float32).

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
    r"""Categorical cross-entropy for softmax outputs and targets whose
    columns are probability vectors (one-hot labels, or soft labels summing
    to 1),

    $$J = -\frac{1}{m} \sum_{i=1}^{m} \sum_{k} y_k \ln a_k .$$

    ``A`` is clipped below at $\varepsilon$ =
    [`clip_eps`][nnbook.losses.clip_eps] of its dtype ($10^{-12}$ in
    float64, $2^{-23} \approx 1.19 \times 10^{-7}$ in float32), so a
    column costs at most $-\ln \varepsilon$.

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


# --8<-- [start:cross_entropy_with_logits]
def cross_entropy_with_logits(Z: np.ndarray, Y: np.ndarray) -> float:
    r"""Categorical cross-entropy from logits $Z$ (pre-softmax), computed
    stably through the log-softmax

    $$\begin{aligned}
    \ln a_k &= (z_k - z_{\max}) - \ln \textstyle\sum_j e^{z_j - z_{\max}},
    \\
    J &= -\frac{1}{m} \sum_{i=1}^{m} \sum_k y_k \ln a_k ,
    \end{aligned}$$

    per column, with $z_{\max}$ the column's largest logit: every
    exponential is at most 1 and the sum at least 1, so nothing overflows
    and no logarithm meets 0. Equal to
    [`cross_entropy`][nnbook.losses.cross_entropy] of
    [`softmax`][nnbook.activations.softmax]$(Z)$ without its clip.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> Z = np.array([[0.0, 1000.0], [0.0, 0.0]])
    >>> Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round(nb.cross_entropy_with_logits(Z, Y), 6)   # (ln 2 + 1000) / 2
    500.346574
    """
    Z = Z.reshape(-1, 1) if Z.ndim == 1 else Z  # one column: one example
    Zs = Z - Z.max(axis=0, keepdims=True)
    log_a = Zs - np.log(np.exp(Zs).sum(axis=0, keepdims=True))
    return float(-(Y.reshape(Z.shape) * log_a).sum() / Z.shape[1])
# --8<-- [end:cross_entropy_with_logits]


def target_sum_tolerance(n: int, dtype: Any) -> float:
    r"""How far from 1 a column of cross-entropy targets may sum:
    $n \, \epsilon_{\mathrm{mach}}$ for $n$ output units
    ($\epsilon_{\mathrm{mach}}$ = ``np.finfo(dtype).eps``, $2^{-52}$ in
    float64, $2^{-23}$ in float32).

    Why this much: a probability vector that sums to 1 exactly, rounded entry
    by entry into ``dtype``, moves its sum by at most
    $\tfrac12 \epsilon_{\mathrm{mach}}$; one computed in ``dtype`` (a
    softmax: $n$ exponentials, a sum of $n$ terms, $n$ divisions) carries
    about $(n + 2) \tfrac12 \epsilon_{\mathrm{mach}}$. Both fit under
    $n \, \epsilon_{\mathrm{mach}}$ for $n \ge 2$ (and a one-unit
    softmax is exactly 1). A column outside it is not a probability
    vector, and the softmax shortcut $A - Y$ would then be off by
    $A (\sum_k y_k - 1)$: a [`Network`][nnbook.network.Network] refuses
    it.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.losses import target_sum_tolerance
    >>> target_sum_tolerance(10, np.float64) == 10 * 2.0**-52
    True
    >>> float(target_sum_tolerance(3, np.float32))
    3.5762786865234375e-07
    """
    return n * float(np.finfo(np.dtype(dtype)).eps)


def cross_entropy_derivative(
    A: np.ndarray, Y: np.ndarray, eps: float = EPS
) -> np.ndarray:
    r"""Per-example cross-entropy gradient $dA = -Y / A$ (``A`` clipped below
    at $\varepsilon$ = [`clip_eps`][nnbook.losses.clip_eps] of its dtype:
    $10^{-12}$ in float64, $\approx 1.19 \times 10^{-7}$ in float32).

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


# --8<-- [start:VALID_PAIRS]
VALID_PAIRS: tuple[tuple[str, str], ...] = (
    ("sigmoid", "bce"),            # BCE needs outputs in (0, 1)
    ("softmax", "cross_entropy"),  # cross-entropy: a distribution per column
    *((name, "mse") for name in ACTIVATIONS),  # MSE: any real output
)
# --8<-- [end:VALID_PAIRS]
r"""The (output activation, loss) pairs a [`Network`][nnbook.network.Network]
accepts; [`check_pair`][nnbook.losses.check_pair] refuses every other.

A loss is meaningful for an output activation when the outputs lie where the
loss is defined and the loss measures what they stand for:

* ``bce`` is $-[y \ln a + (1 - y) \ln(1 - a)]$ per unit: it needs every
  $a$ in $(0, 1)$, one independent probability per unit. Only sigmoid
  guarantees it. tanh, identity, ReLU and leaky ReLU leave $(0, 1)$ (the
  logarithms are clipped there, and the cost stops being differentiable);
  softmax stays in $(0, 1)$ but ties its units into one distribution, whose
  negative log-likelihood is cross-entropy, not a sum of per-unit BCEs.
* ``cross_entropy`` is $-\sum_k y_k \ln a_k$ per column: it needs each
  column to be a probability distribution. Only softmax guarantees it
  (positive, summing to 1); with sigmoid outputs nothing pulls the units
  whose $y_k = 0$ down, so the cost falls by pushing every $a_k$ to 1.
* ``mse`` is $\sum_k (a_k - y_k)^2$: defined for any real outputs, so every
  activation of [`ACTIVATIONS`][nnbook.activations.ACTIVATIONS] may feed it.

Every pair of [`SHORTCUTS`][nnbook.losses.SHORTCUTS] is in this table."""


def check_pair(activation: str, loss: str) -> tuple[str, str]:
    r"""Refuse an (output activation, loss) pair not in
    [`VALID_PAIRS`][nnbook.losses.VALID_PAIRS].

    ``activation`` is the output layer's, the last of a network's
    ``activations``. Names are resolved first (``"ce"`` is
    ``"cross_entropy"``), so an unknown name gets the lookup's error.

    Returns
    -------
    tuple of str
        The canonical ``(activation, loss)`` names.

    Raises
    ------
    ValueError
        Naming ``activations`` and ``loss``, the pair that came, the output
        activations the loss accepts and the full list of valid pairs.

    Examples
    --------
    >>> from nnbook.losses import VALID_PAIRS, check_pair
    >>> [pair for pair in VALID_PAIRS if pair[1] != "mse"]
    [('sigmoid', 'bce'), ('softmax', 'cross_entropy')]
    >>> check_pair("softmax", "ce")
    ('softmax', 'cross_entropy')
    >>> check_pair("tanh", "bce")
    Traceback (most recent call last):
    ...
    ValueError: activations, loss: loss 'bce' needs the output activation
    (the last of activations) to be one of ['sigmoid'], got 'tanh'; the
    valid (output activation, loss) pairs are [('sigmoid', 'bce'), ...]
    """
    act = get_activation(activation).name
    lo = get_loss(loss).name
    if (act, lo) not in VALID_PAIRS:
        ok = [a for a, name in VALID_PAIRS if name == lo]
        raise ValueError(
            f"activations, loss: loss {lo!r} needs the output activation "
            f"(the last of activations) to be one of {ok}, got {act!r}; "
            "the valid (output activation, loss) pairs are "
            f"{list(VALID_PAIRS)}"
        )
    return act, lo


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

    The softmax shortcut uses $\sum_k y_k = 1$ in every column: for other
    targets the gradient is $A^{[L]} \sum_k y_k - Y$, which is why a
    [`Network`][nnbook.network.Network] refuses them. The other valid pairs
    (MSE after a non-identity output) use the general chain
    $dZ^{[L]} = g^{[L]}.\mathrm{backward}(dA^{[L]}, Z^{[L]}, A^{[L]})$ with
    $dA^{[L]}$ the loss derivative. A pair outside
    [`VALID_PAIRS`][nnbook.losses.VALID_PAIRS] raises ``ValueError``
    ([`check_pair`][nnbook.losses.check_pair]).

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
    act, lo = check_pair(activation, loss)  # a pair of VALID_PAIRS
    shortcut = SHORTCUTS.get((act, lo))
    if shortcut is not None:
        return shortcut(A, Y)
    dA = get_loss(lo).derivative(A, Y)
    return get_activation(act).backward(dA, Z, A)
# --8<-- [end:output_delta]


# --8<-- [start:output_cost]
def output_cost(
    activation: str, loss: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray
) -> float:
    r"""A network's cost $J$ from its output layer, the way
    [`Network.cost`][nnbook.network.Network.cost] and the training loop
    compute it.

    * sigmoid + BCE: [`bce_with_logits`][nnbook.losses.bce_with_logits]
      $(Z^{[L]}, Y)$;
    * softmax + cross-entropy:
      [`cross_entropy_with_logits`][nnbook.losses.cross_entropy_with_logits]
      $(Z^{[L]}, Y)$;
    * MSE after any output: [`mse`][nnbook.losses.mse]$(A^{[L]}, Y)$.

    Why from the logits: [`bce`][nnbook.losses.bce] and
    [`cross_entropy`][nnbook.losses.cross_entropy] clip $A$ at
    $\varepsilon$ ([`clip_eps`][nnbook.losses.clip_eps]), so once an output
    is that close to 0 or 1 their cost is flat, while the shortcut
    $dZ^{[L]} = A^{[L]} - Y$ of [`output_delta`][nnbook.losses.output_delta]
    is not. From $Z^{[L]}$ the cost is accurate for every $z$, and its
    derivative is exactly $\sigma(z) - y$ (softmax: $a - y$): the shortcut.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> Z, Y = np.array([[100.0]]), np.array([[0.0]])   # confidently wrong
    >>> A = nb.sigmoid(Z)
    >>> nb.output_cost("sigmoid", "bce", Z, A, Y), round(nb.bce(A, Y), 2)
    (100.0, 27.63)
    """
    act, lo = check_pair(activation, loss)  # a pair of VALID_PAIRS
    if (act, lo) == ("sigmoid", "bce"):
        return bce_with_logits(Z, Y)
    if (act, lo) == ("softmax", "cross_entropy"):
        return cross_entropy_with_logits(Z, Y)
    return get_loss(lo).value(A, Y)
# --8<-- [end:output_cost]
