# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
r"""The feed-forward network: the book's equations, line by line.

Notation (the book's notation page): ``X = A[0]`` has shape $(n^{[0]}, m)$, one
column per example; ``W[l]`` is $(n^{[l]}, n^{[l-1]})$ ("to, from"), ``b[l]``
is $(n^{[l]}, 1)$;

$$Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}, \qquad A^{[l]} = g^{[l]}(Z^{[l]}).$$

Backward, with per-example ``dZ`` (column $i$ is
$\partial\mathcal{L}^{(i)}/\partial z^{[l](i)}$):

$$\begin{aligned}
dW^{[l]} &= \tfrac{1}{m}\, dZ^{[l]} A^{[l-1]\top}, &
db^{[l]} &= \tfrac{1}{m} \textstyle\sum_i dZ^{[l]}_{:,i}, \\
dA^{[l-1]} &= W^{[l]\top} dZ^{[l]}, &
dZ^{[l-1]} &= dA^{[l-1]} \odot g^{[l-1]\prime}(Z^{[l-1]}).
\end{aligned}$$
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _validate as v
from .activations import Activation, get_activation
from .losses import Loss, check_pair, get_loss, output_cost, output_delta

__all__ = ["INITS", "Cache", "Gradients", "History", "Network",
           "StopTraining"]

INITS = ("auto", "xavier", "glorot", "xavier_normal", "he", "normal", "zeros")
"""Weight initialisation schemes accepted by
[`Network`][nnbook.network.Network] (biases always start at 0)."""


@dataclass
class Cache:
    r"""What the forward pass keeps for the backward pass.

    ``Z[l]`` for $l = 1..L$ and ``A[l]`` for $l = 0..L$, with ``A[0] = X``.

    Examples
    --------
    >>> import nnbook as nb
    >>> net = nb.Network([2, 3, 1], ["relu", "sigmoid"], "bce", seed=0)
    >>> cache = net.forward([[1.0], [2.0]])
    >>> sorted(cache.Z), sorted(cache.A), cache.Z[1].shape
    ([1, 2], [0, 1, 2], (3, 1))
    """

    Z: dict[int, np.ndarray]
    A: dict[int, np.ndarray]


@dataclass
class Gradients:
    r"""The backward pass's results, keyed by layer.

    ``dW[l]``, ``db[l]`` ($l = 1..L$) are the true gradients
    $\partial J/\partial W^{[l]}$, $\partial J/\partial b^{[l]}$. ``dZ[l]``
    ($l = 1..L$) and ``dA[l]`` ($l = 1..L-1$) are per-example:
    $\partial J/\partial Z^{[l]} = dZ^{[l]}/m$.

    Examples
    --------
    >>> import nnbook as nb
    >>> net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
    >>> X, Y = nb.datasets.xor()
    >>> grads = net.backward(net.forward(X), Y)
    >>> grads.dW[1].shape, grads.db[2].shape, grads.dZ[2].shape
    ((3, 2), (1, 1), (1, 4))
    >>> sorted(grads.dA)
    [1]
    """

    dW: dict[int, np.ndarray]
    db: dict[int, np.ndarray]
    dZ: dict[int, np.ndarray]
    dA: dict[int, np.ndarray]


@dataclass
class History:
    """What [`Network.fit`][nnbook.network.Network.fit] returns: the mean
    training loss of every completed epoch, the settings, and whether and why
    the run stopped before its last epoch.

    Attributes
    ----------
    loss : list of float
        One entry per completed epoch (fewer than ``epochs`` if stopped).
    epochs : int
        The number of epochs asked for.
    batch_size : int or None
    learning_rate : float
    stopped_reason : str or None
        ``None`` when nothing but the epoch count ended the run; otherwise
        why it stopped: the callback returned ``True``, raised
        [`StopTraining`][nnbook.network.StopTraining] (its message), or
        Ctrl-C.
    interrupted : bool
        ``True`` when Ctrl-C (``KeyboardInterrupt``) stopped the run.

    Examples
    --------
    >>> import nnbook as nb
    >>> net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
    >>> h = net.fit(*nb.datasets.xor(), epochs=5, learning_rate=0.1)
    >>> len(h.loss), h.epochs, h.batch_size, h.learning_rate
    (5, 5, None, 0.1)
    >>> h.stopped_early, h.stopped_reason, h.interrupted
    (False, None, False)
    """

    loss: list[float]
    epochs: int
    batch_size: int | None
    learning_rate: float
    extra: dict[str, Any] = field(default_factory=dict)
    stopped_reason: str | None = None
    interrupted: bool = False

    @property
    def stopped_early(self) -> bool:
        """``True`` when the callback or Ctrl-C stopped the run."""
        return self.stopped_reason is not None


class StopTraining(Exception):
    """Raise it in a ``fit`` callback to stop training after the current
    epoch; its message becomes ``History.stopped_reason``.

    Examples
    --------
    >>> import nnbook as nb
    >>> def stop_when_low(epoch, loss, net):
    ...     if loss < 0.6:
    ...         raise nb.StopTraining(f"loss {loss:.3f} < 0.6")
    >>> net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
    >>> h = net.fit(*nb.datasets.xor(), epochs=10_000, learning_rate=0.5,
    ...             callback=stop_when_low)
    >>> len(h.loss) < 10_000, h.stopped_reason.startswith("StopTraining")
    (True, True)
    """


def _init_weights(
    scheme: str, n_out: int, n_in: int, activation: str,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw one ``(n_out, n_in)`` weight matrix in float64 (cast later, so
    seeds agree)."""
    if scheme == "auto":
        scheme = "he" if activation in ("relu", "leaky_relu") else "xavier"
    if scheme in ("xavier", "glorot"):  # Glorot uniform: U(-r, r),
        r = np.sqrt(6.0 / (n_in + n_out))  # r = sqrt(6 / (n_in + n_out))
        return rng.uniform(-r, r, size=(n_out, n_in))
    if scheme == "xavier_normal":  # N(0, 2 / (n_in + n_out))
        std = np.sqrt(2.0 / (n_in + n_out))
        return rng.normal(0.0, std, size=(n_out, n_in))
    if scheme == "he":  # He normal: N(0, 2 / n_in)
        return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
    if scheme == "normal":  # N(0, 0.01^2)
        return rng.normal(0.0, 0.01, size=(n_out, n_in))
    if scheme == "zeros":  # all units identical: why symmetry must be broken
        return np.zeros((n_out, n_in))
    raise ValueError(f"init: expected one of {list(INITS)}, got {scheme!r}")


class Network:
    r"""A fully connected feed-forward network trained by gradient descent.

    Parameters
    ----------
    layer_sizes : list of int
        $[n^{[0]}, n^{[1]}, \dots, n^{[L]}]$, input size first.
    activations : str or list of str
        One name per layer $1..L$ (see
        [`nnbook.ACTIVATIONS`][nnbook.activations.ACTIVATIONS]); a single
        string is used for every layer.
    loss : str
        ``"bce"``, ``"mse"`` or ``"cross_entropy"``, paired with the output
        activation (the last of ``activations``) as
        [`VALID_PAIRS`][nnbook.losses.VALID_PAIRS] allows: ``"bce"`` after
        sigmoid, ``"cross_entropy"`` after softmax, ``"mse"`` after any.
        Targets are checked per loss: in $[0, 1]$ for BCE; for cross-entropy
        also every column summing to 1 within
        [`target_sum_tolerance`][nnbook.losses.target_sum_tolerance].
    init : str
        ``"xavier"``/``"glorot"`` (Glorot *uniform*, $U(-r, r)$ with
        $r = \sqrt{6/(n^{[l-1]} + n^{[l]})}$), ``"xavier_normal"``
        ($\mathcal{N}(0, 2/(n^{[l-1]} + n^{[l]}))$), ``"he"``
        ($\mathcal{N}(0, 2/n^{[l-1]})$), ``"normal"``
        ($\mathcal{N}(0, 0.01^2)$), ``"zeros"``, or ``"auto"``: He for relu and
        leaky_relu layers, Xavier otherwise. Biases always start at zero.
    seed : int, numpy.random.Generator or None
        Seed of the ``numpy.random.default_rng`` that draws the weights
        (an integer >= 0, a Generator used as is, or ``None`` for a fresh
        one); the same integer seed gives bit-identical weights.
    dtype : numpy floating dtype
        ``np.float64`` (default) or ``np.float32``, nothing else (float16
        overflows at 65504; a ``TypeError`` names ``dtype``); every array
        keeps it end to end. Inputs are cast to it, and a value beyond its
        range (``X = 1e39`` for float32) is refused, not turned into inf.
    l2 : float
        Strength $\lambda \ge 0$ of the L2 penalty (default 0: none). The cost
        becomes $J = \frac{1}{m}\sum_i \mathcal{L}^{(i)}
        + \frac{\lambda}{2m}\sum_l \lVert W^{[l]} \rVert_F^2$ (biases are not
        penalised), so [`backward`][nnbook.network.Network.backward] adds
        $\frac{\lambda}{m} W^{[l]}$ to $dW^{[l]}$. Settable later:
        ``net.l2 = 0.1`` (validated).

    Attributes
    ----------
    W, b : dict[int, ndarray]
        Parameters keyed by layer $1..L$: ``W[l]`` is $(n^{[l]}, n^{[l-1]})$,
        ``b[l]`` is $(n^{[l]}, 1)$.
    g : dict[int, Activation]
        Activation of each layer.
    loss : Loss
    sizes : list of int
    L : int
        Number of parameterised layers.
    l2 : float
        The L2 penalty strength $\lambda$.

    Examples
    --------
    >>> import nnbook as nb
    >>> net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], loss="bce", seed=0)
    >>> net.L, net.W[1].shape, net.b[1].shape, net.W[2].shape
    (2, (3, 2), (3, 1), (1, 3))
    >>> X, Y = nb.datasets.xor()
    >>> net.forward(X).A[2].shape
    (1, 4)
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activations: str | Sequence[str],
        loss: str = "mse",
        *,
        init: str = "auto",
        seed: int | None = None,
        dtype: Any = np.float64,
        l2: float = 0.0,
    ) -> None:
        self.sizes = v.check_layer_sizes(layer_sizes)
        self.L = len(self.sizes) - 1
        names = v.check_activations(activations, self.L)
        self.g: dict[int, Activation] = {}
        for l, name in enumerate(names, start=1):
            try:
                self.g[l] = get_activation(name)
            except (TypeError, ValueError) as exc:  # say which argument
                raise type(exc)(f"activations: layer {l}'s {exc}") from None
        self.loss: Loss = get_loss(loss)
        check_pair(self.g[self.L].name, self.loss.name)  # VALID_PAIRS only
        self.dtype = v.check_dtype(dtype)
        if init not in INITS:
            raise ValueError(
                f"init: expected one of {list(INITS)}, got {init!r}")
        self.init = init
        self.seed = v.check_seed(seed)
        self.l2 = l2
        rng = np.random.default_rng(seed)
        n = self.sizes
        self.W: dict[int, np.ndarray] = {}
        self.b: dict[int, np.ndarray] = {}
        for l in range(1, self.L + 1):
            W = _init_weights(init, n[l], n[l - 1], self.g[l].name, rng)
            self.W[l] = W.astype(self.dtype)
            self.b[l] = np.zeros((n[l], 1), dtype=self.dtype)

    @property
    def l2(self) -> float:
        r"""The L2 penalty strength $\lambda \ge 0$ (0: no penalty).

        The cost gains $\frac{\lambda}{2m}\sum_l \lVert W^{[l]}\rVert_F^2$
        and each $dW^{[l]}$ gains $\frac{\lambda}{m} W^{[l]}$; biases are not
        penalised. A rejected value leaves the network unchanged.

        Examples
        --------
        >>> import nnbook as nb
        >>> net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
        >>> net.l2 = 0.1
        >>> net.l2
        0.1
        >>> net.l2 = -1.0
        Traceback (most recent call last):
        ...
        ValueError: l2: expected a finite number >= 0, got -1.0
        >>> net.l2
        0.1
        """
        return self._l2

    @l2.setter
    def l2(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"l2: expected a finite number >= 0, got {value!r}")
        if not math.isfinite(float(value)) or value < 0:
            raise ValueError(
                f"l2: expected a finite number >= 0, got {value!r}")
        self._l2 = float(value)

    # ------------------------------------------------------------ construction
    @classmethod
    def from_parameters(
        cls,
        W: Mapping[int, Any] | Sequence[Any],
        b: Mapping[int, Any] | Sequence[Any],
        activations: str | Sequence[str],
        loss: str = "mse",
        *,
        dtype: Any = None,
        l2: float = 0.0,
    ) -> Network:
        r"""Build a network from given weights and biases (copied).

        Parameters
        ----------
        W, b : dict keyed 1..L, or list (``W[0]`` is layer 1)
            ``W[l]`` of shape $(n^{[l]}, n^{[l-1]})$, ``b[l]`` of shape
            $(n^{[l]}, 1)$ (a 1-D ``b[l]`` of length $n^{[l]}$ is read as a
            column).
        activations, loss, l2
            As in [`Network`][nnbook.network.Network].
        dtype : floating dtype or None
            ``np.float32`` or ``np.float64``. ``None``: the dtype of ``W[1]``
            if it is a floating array (float16 or longdouble is refused with a
            ``TypeError`` naming ``dtype``: pass ``dtype=`` to cast), else
            float64. A value beyond the dtype's range is refused, naming
            ``W[l]`` or ``b[l]``.

        Examples
        --------
        >>> import numpy as np
        >>> import nnbook as nb
        >>> W, b = {1: [[1.0, -1.0]]}, {1: [[0.5]]}
        >>> net = nb.Network.from_parameters(W, b, "identity")
        >>> net.forward(np.array([[2.0], [1.0]])).A[1].tolist()
        [[1.5]]
        >>> W, b = {1: np.ones((2, 3))}, {1: np.zeros((3, 1))}
        >>> nb.Network.from_parameters(W, b, "identity")
        Traceback (most recent call last):
        ...
        ValueError: b[1]: expected shape (2, 1), got shape (3, 1)
        """
        Ws = _as_layer_dict(W, "W")
        bs = _as_layer_dict(b, "b")
        if (not Ws or sorted(Ws) != list(range(1, len(Ws) + 1))
                or sorted(bs) != sorted(Ws)):
            raise ValueError(
                f"W, b: expected the same layer keys 1..L, "
                f"got W keys {sorted(Ws)} and b keys {sorted(bs)}"
            )
        L = len(Ws)
        given = getattr(Ws[1], "dtype", None)
        if dtype is None and given is not None and given.kind == "f":
            dt = v.check_dtype(given, " (the dtype of W[1]; pass dtype= "
                                      "np.float32 or np.float64 to cast)")
        else:
            dt = v.check_dtype(np.float64 if dtype is None else dtype)
        Warr: dict[int, np.ndarray] = {}
        barr: dict[int, np.ndarray] = {}
        for l in range(1, L + 1):
            Wl = v._as_float_array(Ws[l], f"W[{l}]", dt).copy()
            if Wl.ndim != 2:
                raise ValueError(
                    f"W[{l}]: expected a 2-D array (n[l], n[l-1]), "
                    f"got shape {Wl.shape}"
                )
            if l > 1 and Wl.shape[1] != Warr[l - 1].shape[0]:
                raise ValueError(
                    f"W[{l}]: expected shape "
                    f"({Wl.shape[0]}, {Warr[l - 1].shape[0]}) to follow "
                    f"W[{l - 1}] of shape {Warr[l - 1].shape}, "
                    f"got shape {Wl.shape}"
                )
            bl = v._as_float_array(bs[l], f"b[{l}]", dt).copy()
            if bl.ndim == 1 and bl.shape[0] == Wl.shape[0]:
                bl = bl.reshape(-1, 1)
            if bl.shape != (Wl.shape[0], 1):
                raise ValueError(f"b[{l}]: expected shape ({Wl.shape[0]}, 1), "
                                 f"got shape {bl.shape}")
            for name, arr in ((f"W[{l}]", Wl), (f"b[{l}]", bl)):
                v._check_finite(arr, name)
            Warr[l], barr[l] = Wl, bl
        sizes = [Warr[1].shape[1]]
        sizes += [Warr[l].shape[0] for l in range(1, L + 1)]
        net = cls(sizes, activations, loss, init="zeros", dtype=dt, l2=l2)
        net.W, net.b = Warr, barr
        net.init = "given"
        return net

    def __repr__(self) -> str:
        acts = [self.g[l].name for l in range(1, self.L + 1)]
        l2 = f", l2={self.l2!r}" if self.l2 else ""
        return (f"Network({self.sizes}, {acts}, loss={self.loss.name!r}, "
                f"dtype={self.dtype.name}{l2})")

    # --------------------------------------------------------------- the maths
    def forward(self, X: Any, *, check: bool = True) -> Cache:
        r"""Forward propagation, for $l = 1, \dots, L$:

        $$Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}, \qquad
        A^{[l]} = g^{[l]}(Z^{[l]}).$$

        Parameters
        ----------
        X : array, shape (n0, m)
        check : bool
            Validate ``X`` (shape, finiteness, dtype) and the parameters, and
            the result. The training loop passes ``False`` because ``fit``
            validated once already.

        Returns
        -------
        Cache
            ``Z[1..L]`` and ``A[0..L]`` with ``A[0] = X``, all finite.

        Raises
        ------
        ValueError, TypeError
            A bad ``X`` or a NaN/inf parameter ``W[l]``/``b[l]`` (named).
        FloatingPointError
            Values that fit the dtype whose arithmetic does not (a float32
            ``X`` of 3e38 times a weight above 1): the message names the
            ``Z[l]`` that overflowed and the largest magnitude of ``X`` and of
            each ``W[l]``, ``b[l]`` involved.

        Examples
        --------
        >>> import numpy as np
        >>> import nnbook as nb
        >>> W, b = {1: [[1.0, 2.0]]}, {1: [[0.0]]}
        >>> net = nb.Network.from_parameters(W, b, "sigmoid")
        >>> cache = net.forward(np.array([[1.0], [-0.5]]))
        >>> cache.Z[1].tolist(), cache.A[1].tolist()
        ([[0.0]], [[0.5]])
        """
        if check:  # checked inputs in, finite values out (_checked_forward)
            v.check_parameters(self.W, self.b, self.sizes, self.dtype,
                               "before the forward pass")
            X = v.check_X(X, self.sizes[0], self.dtype)
            return self._checked_forward(X)
        # --8<-- [start:forward]
        W, b, g, L = self.W, self.b, self.g, self.L
        A = {0: X}
        Z = {}
        for l in range(1, L + 1):
            Z[l] = W[l] @ A[l - 1] + b[l]
            A[l] = g[l].forward(Z[l])
        return Cache(Z, A)
        # --8<-- [end:forward]

    def backward(
        self, cache: Cache, Y: Any, *, check: bool = True
    ) -> Gradients:
        r"""Backpropagation, in the book's notation.

        $dZ^{[L]}$ comes from
        [`nnbook.output_delta`][nnbook.losses.output_delta] (the shortcut
        $A^{[L]} - Y$ for sigmoid + BCE and softmax + cross-entropy,
        $2(A^{[L]} - Y)$ for identity + MSE, the general chain otherwise); then
        for $l = L, \dots, 1$ (with ``l2`` $= \lambda > 0$,
        $\frac{\lambda}{m} W^{[l]}$ is added to $dW^{[l]}$, the gradient of the
        penalty):

        $$\begin{aligned}
        dW^{[l]} &= \tfrac{1}{m} dZ^{[l]} A^{[l-1]\top}, &
        db^{[l]} &= \tfrac{1}{m} \textstyle\sum_i dZ^{[l]}_{:,i}, \\
        dA^{[l-1]} &= W^{[l]\top} dZ^{[l]}, &
        dZ^{[l-1]} &= dA^{[l-1]} \odot g^{[l-1]\prime}(Z^{[l-1]}).
        \end{aligned}$$

        Raises
        ------
        ValueError, TypeError
            ``cache`` is not this network's forward (keys, shapes, one $m$,
            dtype, finite values), a bad ``Y``, or a NaN/inf parameter.
        FloatingPointError
            A gradient overflows although every input fits the dtype (an MSE
            target of $-10^{308}$): the message names the first quantity that
            overflowed and the largest magnitudes of the values involved.

        Examples
        --------
        >>> import numpy as np
        >>> import nnbook as nb
        >>> W, b = {1: [[1.0, 2.0]]}, {1: [[0.0]]}
        >>> net = nb.Network.from_parameters(W, b, "sigmoid", "bce")
        >>> X, Y = np.array([[1.0], [-0.5]]), np.array([[1.0]])
        >>> grads = net.backward(net.forward(X), Y)
        >>> grads.dZ[1].tolist(), grads.dW[1].tolist(), grads.db[1].tolist()
        ([[-0.5]], [[-0.5, 0.25]], [[-0.5]])
        """
        if check:  # checked inputs in, finite gradients out
            v.check_parameters(self.W, self.b, self.sizes, self.dtype,
                               "before the backward pass")
            v.check_cache(cache, self.sizes, self.dtype)
            Y = v.check_Y(Y, self.sizes[-1], cache.A[0].shape[1],
                          self.loss.name, self.dtype)
            with _quiet():
                grads = self.backward(cache, Y, check=False)
            self._check_backward(grads, cache, Y)
            return grads
        # --8<-- [start:backward]
        W, g, L = self.W, self.g, self.L
        Z, A = cache.Z, cache.A
        m = A[0].shape[1]
        dZ, dA, dW, db = {}, {}, {}, {}
        dZ[L] = output_delta(g[L].name, self.loss.name, Z[L], A[L], Y)
        for l in range(L, 0, -1):
            dW[l] = (1 / m) * dZ[l] @ A[l - 1].T
            if self.l2:                        # L2 penalty: + (lambda/m) W[l]
                dW[l] += (self.l2 / m) * W[l]
            db[l] = (1 / m) * dZ[l].sum(axis=1, keepdims=True)
            if l > 1:
                dA[l - 1] = W[l].T @ dZ[l]
                dZ[l - 1] = g[l - 1].backward(dA[l - 1], Z[l - 1], A[l - 1])
        return Gradients(dW, db, dZ, dA)
        # --8<-- [end:backward]

    def _checked_forward(self, X: np.ndarray) -> Cache:
        """``forward`` of a checked ``X`` through checked parameters. Values
        that fit the dtype can still overflow in the arithmetic (a float32
        ``X`` of 3e38 times a weight of 2): that is a ``FloatingPointError``
        naming the layer and the values involved, never an inf or NaN
        returned, never an escaped warning."""
        with _quiet():
            cache = self.forward(X, check=False)
        L = self.L
        for l in range(1, L + 1):
            if not np.isfinite(cache.Z[l]).all():
                raise self._overflow(
                    f"forward: Z[{l}] = W[{l}] A[{l - 1}] + b[{l}]",
                    cache.Z[l], {"X": X}, layers=l)
        if not np.isfinite(cache.A[L]).all():
            raise self._overflow(f"forward: A[{L}] = g(Z[{L}])", cache.A[L],
                                 {"X": X})
        return cache

    def _check_backward(self, grads: Gradients, cache: Cache,
                        Y: np.ndarray) -> None:
        """Finite gradients, or a ``FloatingPointError`` naming the first
        quantity of the backward pass that overflowed and the values
        involved (one ``isfinite`` per parameter when all is well)."""
        L = self.L
        if all(np.isfinite(grads.dW[l]).all()
               and np.isfinite(grads.db[l]).all() for l in range(1, L + 1)):
            return
        order = [("dZ", L, f"dZ[{L}] = output_delta(A[{L}], Y)")]
        for l in range(L, 0, -1):
            order += [("dW", l, f"dW[{l}] = dZ[{l}] A[{l - 1}]^T / m"),
                      ("db", l, f"db[{l}] = sum_i dZ[{l}][:, i] / m")]
            if l > 1:
                order += [("dA", l - 1, f"dA[{l - 1}] = W[{l}]^T dZ[{l}]"),
                          ("dZ", l - 1, f"dZ[{l - 1}] = dA[{l - 1}] * "
                                        f"g'(Z[{l - 1}])")]
        values = {"Y": Y}
        values.update((f"cache.A[{l}]", A) for l, A in cache.A.items())
        for name, l, what in order:
            arr = getattr(grads, name)[l]
            if not np.isfinite(arr).all():
                raise self._overflow(f"backward: {what}", arr, values)

    def _overflow(self, what: str, arr: Any, values: dict[str, Any],
                  layers: int | None = None) -> FloatingPointError:
        """The error for ``what`` (an array ``arr``) overflowing although
        every input fits the dtype: where, and the largest magnitude of each
        value involved (``values``, then ``W[l]``, ``b[l]`` of the first
        ``layers`` layers, all by default)."""
        dt = self.dtype
        where = (f" {v._nonfinite_entries(arr)}" if np.ndim(arr) else "")
        named = dict(values)
        for l in range(1, (self.L if layers is None else layers) + 1):
            named[f"W[{l}]"], named[f"b[{l}]"] = self.W[l], self.b[l]
        sizes = ", ".join(f"{name} {float(np.abs(a).max()):.3g}"
                          for name, a in named.items())
        hint = ", or compute in float64" if dt == np.float32 else ""
        return FloatingPointError(
            f"{what} overflows {dt.name}{where}: the values involved fit "
            f"{dt.name} (|x| <= {float(np.finfo(dt).max):.4g}) but this "
            f"arithmetic on them does not. Their largest magnitudes: "
            f"{sizes}. Scale the largest down (standardise X and Y){hint}.")

    def step(self, grads: Gradients, learning_rate: float) -> None:
        r"""One gradient-descent update, in place:
        $W^{[l]} := W^{[l]} - \alpha\, dW^{[l]}$,
        $b^{[l]} := b^{[l]} - \alpha\, db^{[l]}$ for every layer (a
        simultaneous update: all gradients were computed before any parameter
        changes).

        All or nothing: every input is checked and every new value computed
        before any parameter changes; a refused call leaves the network
        bit-identical.

        Raises
        ------
        ValueError, TypeError
            ``learning_rate`` is not a finite number > 0; ``grads`` is not this
            network's (a missing layer, a ``dW[l]``/``db[l]`` of another shape
            or dtype, NaN or inf entries: the message names which); or a
            parameter ``W[l]``/``b[l]`` is already NaN/inf.
        FloatingPointError
            The update would make a parameter NaN or inf (overflow).

        Examples
        --------
        >>> import numpy as np
        >>> import nnbook as nb
        >>> W, b = {1: [[1.0]]}, {1: [[0.0]]}
        >>> net = nb.Network.from_parameters(W, b, "identity", "mse")
        >>> X, Y = np.array([[1.0]]), np.array([[3.0]])
        >>> net.step(net.backward(net.forward(X), Y), learning_rate=0.25)
        >>> net.W[1].tolist(), net.b[1].tolist()
        ([[2.0]], [[1.0]])
        """
        lr = v.check_learning_rate(learning_rate)
        v.check_parameters(self.W, self.b, self.sizes, self.dtype,
                           "before the step")
        v.check_gradients(grads, self.W, self.b)
        with np.errstate(over="ignore", invalid="ignore"):
            W = {l: self.W[l] - lr * grads.dW[l] for l in self.W}
            b = {l: self.b[l] - lr * grads.db[l] for l in self.b}
        for name, new in (("W", W), ("b", b)):
            for l, P in new.items():
                if not np.isfinite(P).all():
                    raise FloatingPointError(
                        f"step: {name}[{l}] - learning_rate * d{name}[{l}] "
                        f"with learning_rate = {lr} is not finite "
                        f"{v._nonfinite_entries(P)} (overflow); nothing "
                        "was changed")
        for l in self.W:                      # in place: W[l] keeps its id
            self.W[l][...] = W[l]
            self.b[l][...] = b[l]

    def cost(self, X: Any, Y: Any) -> float:
        r"""The cost $J = \frac{1}{m}\sum_i \mathcal{L}^{(i)}$ on ``(X, Y)``,
        plus $\frac{\lambda}{2m}\sum_l \lVert W^{[l]}\rVert_F^2$ when ``l2``
        $= \lambda > 0$.

        BCE after a sigmoid and cross-entropy after a softmax are computed
        from the logits $Z^{[L]}$ ([`output_cost`][nnbook.losses.output_cost]),
        not from clipped outputs: the cost is accurate for any $z$, and
        [`backward`][nnbook.network.Network.backward] is its gradient even
        where the outputs round to 0 or 1. A cost that overflows the dtype
        (values that fit it, squared) raises ``FloatingPointError`` with the
        largest magnitudes of ``X``, ``Y``, $A^{[L]}$ and every parameter.

        Examples
        --------
        >>> import numpy as np
        >>> import nnbook as nb
        >>> W, b = {1: [[1.0]]}, {1: [[0.0]]}
        >>> net = nb.Network.from_parameters(W, b, "identity", "mse")
        >>> net.cost(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]]))
        2.5
        >>> net = nb.Network.from_parameters(W, b, "sigmoid", "bce")
        >>> net.cost(np.array([[100.0]]), np.array([[0.0]]))  # not capped
        100.0
        """
        X = v.check_X(X, self.sizes[0], self.dtype)
        Y = v.check_Y(Y, self.sizes[-1], X.shape[1], self.loss.name,
                      self.dtype)
        v.check_parameters(self.W, self.b, self.sizes, self.dtype,
                           "before computing the cost")
        cache = self._checked_forward(X)
        L = self.L
        with _quiet():
            J = output_cost(self.g[L].name, self.loss.name, cache.Z[L],
                            cache.A[L], Y) + self.penalty(X.shape[1])
        if not math.isfinite(J):
            raise self._overflow(
                "cost: J (the mean loss" + (" + the L2 penalty)" if self.l2
                                            else ")"), J,
                {"X": X, "Y": Y, f"A[{L}]": cache.A[L]})
        return J

    def penalty(self, m: int) -> float:
        r"""The L2 term of the cost on $m$ examples,
        $\frac{\lambda}{2m}\sum_{l=1}^{L} \lVert W^{[l]}\rVert_F^2$ (0.0 when
        ``l2`` is 0).

        Examples
        --------
        >>> import nnbook as nb
        >>> W, b = {1: [[3.0, 4.0]]}, {1: [[1.0]]}
        >>> net = nb.Network.from_parameters(W, b, "identity", l2=0.5)
        >>> net.penalty(m=5)
        1.25
        """
        # --8<-- [start:penalty]
        if not self.l2:
            return 0.0
        squares = sum(float(np.vdot(W, W)) for W in self.W.values())
        return self.l2 / (2 * m) * squares
        # --8<-- [end:penalty]

    # ---------------------------------------------------------------- training
    def fit(
        self,
        X: Any,
        Y: Any,
        *,
        epochs: int,
        learning_rate: float,
        batch_size: int | None = None,
        shuffle: bool = True,
        seed: int | np.random.Generator | None = None,
        progress: bool = False,
        callback: Callable[[int, float, Network], bool | None] | None = None,
    ) -> History:
        r"""Train by (minibatch) gradient descent.

        Each epoch visits every example once, in minibatches of ``batch_size``
        columns (full batch when ``None`` or ``>= m``), in an order shuffled by
        its own ``numpy.random.default_rng(seed)`` when ``shuffle`` (a full
        batch is never shuffled: the order does not matter). For each
        minibatch: forward, backward, step.

        Every argument, and the network's own parameters (finite, of the
        right shapes and dtype), is checked before anything changes.

        Parameters
        ----------
        X, Y : arrays, shapes (n0, m) and (nL, m)
        epochs : int
            At least 1 (any size: a long run can be watched and stopped).
        learning_rate : float
            $\alpha > 0$.
        batch_size : int or None
            Columns per minibatch; ``None``: the full batch.
        shuffle : bool
        seed : int >= 0, numpy.random.Generator or None
            Seed of the shuffling.
        progress : bool
            Show a progress bar (epoch, loss, elapsed and remaining time) on
            stderr. Needs tqdm, the optional extra ``nnbook[progress]``.
        callback : callable or None
            Called after every completed epoch as
            ``callback(epoch, loss, net)``, with ``epoch`` counted from 1,
            ``loss`` that epoch's entry of ``History.loss`` and ``net`` this
            network holding that epoch's weights (read it, do not change it).
            Return ``True`` (or raise
            [`StopTraining`][nnbook.network.StopTraining]) to stop after this
            epoch; ``None`` or ``False`` to go on. Any other exception it
            raises propagates, and the network is left as it was before
            ``fit``.

        Returns
        -------
        History
            ``loss[e]`` is the example-weighted mean of the minibatch costs met
            during epoch ``e + 1`` (before each minibatch's update; no extra
            forward pass). With ``l2`` $= \lambda > 0$ each minibatch cost
            includes its penalty
            $\frac{\lambda}{2 m_B}\sum_l \lVert W^{[l]}\rVert_F^2$ ($m_B$ its
            size).

        Raises
        ------
        ValueError, TypeError
            A bad argument (the message names it), or a parameter ``W[l]`` or
            ``b[l]`` that is NaN or inf before training starts (the message
            names it and its entries: that is not divergence).
        ImportError
            ``progress=True`` without tqdm installed.
        FloatingPointError
            If the loss becomes NaN or inf during training (divergence). The
            network is left bit-identical to before the call (a failed call
            changes nothing; retry with a smaller ``learning_rate``), and the
            error's ``history`` attribute lists the losses of the epochs that
            completed.

        Notes
        -----
        **Ctrl-C.** The first Ctrl-C (``KeyboardInterrupt``) during ``fit``
        stops it at the end of the current minibatch: the network is put back
        to the weights of the last completed epoch (the initial ones if none
        completed) and ``fit`` *returns* the history so far, with
        ``History.interrupted`` true and ``History.stopped_reason`` saying
        after how many epochs. It does not raise: check ``interrupted`` if a
        script should stop too. A second Ctrl-C raises ``KeyboardInterrupt``
        at once, again with the weights of the last completed epoch. (Only in
        the main thread, and only when Python's default SIGINT handler is in
        place.)

        Examples
        --------
        >>> import nnbook as nb
        >>> X, Y = nb.datasets.xor()
        >>> net = nb.Network([2, 4, 1], ["tanh", "sigmoid"], loss="bce",
        ...                  seed=0)
        >>> hist = net.fit(X, Y, epochs=2000, learning_rate=0.5)
        >>> len(hist.loss), hist.loss[-1] < 0.05, net.predict(X).tolist()
        (2000, True, [[0, 1, 1, 0]])

        A callback that stops the run once the loss is low enough:

        >>> net = nb.Network([2, 4, 1], ["tanh", "sigmoid"], loss="bce",
        ...                  seed=0)
        >>> def low_enough(epoch, loss, net):
        ...     return loss < 0.1
        >>> hist = net.fit(X, Y, epochs=100_000, learning_rate=0.5,
        ...                callback=low_enough)
        >>> len(hist.loss), hist.loss[-1] < 0.1, hist.stopped_reason
        (159, True, 'callback returned True at epoch 159')
        """
        from . import _train

        X = v.check_X(X, self.sizes[0], self.dtype)
        m = X.shape[1]
        Y = v.check_Y(Y, self.sizes[-1], m, self.loss.name, self.dtype)
        epochs = v.check_positive_int(epochs, "epochs")
        lr = v.check_learning_rate(learning_rate)
        if batch_size is None:
            bs = m
        else:
            bs = min(v.check_positive_int(batch_size, "batch_size"), m)
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(
                f"shuffle: expected True or False, got {shuffle!r}")
        seed = v.check_seed(seed)
        if not isinstance(progress, (bool, np.bool_)):
            raise TypeError(
                f"progress: expected True or False, got {progress!r}")
        if callback is not None and not callable(callback):
            raise TypeError("callback: expected None or a function "
                            f"callback(epoch, loss, net), got {callback!r}")
        v.check_parameters(self.W, self.b, self.sizes, self.dtype,
                           "before training starts")
        bar = _progress_bar(epochs) if progress else None
        control = _train.Control(
            _epoch_hook(self, bar, callback), publish=callback is not None)
        rng = np.random.default_rng(seed)
        before = {l: (self.W[l], self.W[l].copy(), self.b[l], self.b[l].copy())
                  for l in self.W}
        try:
            losses = _train.train(
                self, X, Y, epochs=epochs, learning_rate=lr, batch_size=bs,
                shuffle=bool(shuffle) and bs < m, rng=rng, control=control,
            )
        except Exception:    # a failure (divergence, a callback's error): the
            for l, (W, W0, b, b0) in before.items():   # network as before fit
                W[...], b[...] = W0, b0
                self.W[l], self.b[l] = W, b
            raise
        finally:
            if bar is not None:
                bar.close()
        return History(losses, epochs, batch_size, lr,
                       stopped_reason=control.stopped_reason,
                       interrupted=control.interrupted)

    # -------------------------------------------------------------- prediction
    def predict_proba(self, X: Any) -> np.ndarray:
        r"""The network output $A^{[L]}$ for ``X`` (probabilities for
        sigmoid/softmax outputs).

        Examples
        --------
        >>> import numpy as np
        >>> import nnbook as nb
        >>> W, b = {1: [[1.0]]}, {1: [[0.0]]}
        >>> net = nb.Network.from_parameters(W, b, "sigmoid", "bce")
        >>> net.predict_proba(np.array([[0.0]])).tolist()
        [[0.5]]
        """
        return self.forward(X).A[self.L]

    def predict(self, X: Any) -> np.ndarray:
        r"""Predictions: class labels for classifiers, the raw output
        otherwise.

        * sigmoid output: ``int`` array, 1 where $a \ge 0.5$ (i.e. $z \ge 0$),
          same shape as $A^{[L]}$ (``(1, m)`` for one output unit);
        * softmax output: the row index of the largest probability, ``int``
          array ``(1, m)``;
        * any other output: $A^{[L]}$ itself.

        Examples
        --------
        >>> import numpy as np
        >>> import nnbook as nb
        >>> W, b = {1: [[1.0]]}, {1: [[0.0]]}
        >>> net = nb.Network.from_parameters(W, b, "sigmoid", "bce")
        >>> net.predict(np.array([[-2.0, 0.0, 3.0]])).tolist()
        [[0, 1, 1]]
        """
        A = self.predict_proba(X)
        out = self.g[self.L].name
        if out == "sigmoid":
            return (A >= 0.5).astype(np.int64)
        if out == "softmax":
            return A.argmax(axis=0).reshape(1, -1)
        return A

    # ----------------------------------------------------------------- helpers
    def parameters(self) -> dict[str, np.ndarray]:
        """The parameters by name, ``{"W1": W[1], "b1": b[1], ...}`` (the
        arrays themselves).

        Examples
        --------
        >>> import nnbook as nb
        >>> list(nb.Network([2, 2, 1], "sigmoid", "bce", seed=0).parameters())
        ['W1', 'b1', 'W2', 'b2']
        """
        out: dict[str, np.ndarray] = {}
        for l in range(1, self.L + 1):
            out[f"W{l}"], out[f"b{l}"] = self.W[l], self.b[l]
        return out

    def copy(self) -> Network:
        """An independent copy (arrays copied).

        Examples
        --------
        >>> import nnbook as nb
        >>> a = nb.Network([2, 1], "sigmoid", "bce", seed=0)
        >>> b = a.copy()
        >>> b.W[1][0, 0] = 9.0
        >>> float(a.W[1][0, 0]) == 9.0
        False
        """
        acts = [self.g[l].name for l in range(1, self.L + 1)]
        return Network.from_parameters(self.W, self.b, acts, self.loss.name,
                                       dtype=self.dtype, l2=self.l2)


def _quiet() -> Any:
    """``np.errstate`` for a checked pass: overflow and invalid operations
    give inf/NaN quietly, and the caller checks and names them; underflow
    to 0 is harmless."""
    return np.errstate(over="ignore", invalid="ignore", under="ignore")


def _progress_bar(epochs: int) -> Any:
    """A tqdm bar over the epochs, on stderr (tqdm imported only here)."""
    try:
        from tqdm import tqdm
    except ImportError as exc:
        raise ImportError(
            "progress=True needs tqdm, the optional extra nnbook[progress]: "
            "pip install 'nnbook[progress]' (or pip install tqdm)"
        ) from exc
    return tqdm(total=epochs, desc="fit", unit="epoch", dynamic_ncols=True)


def _epoch_hook(
    net: Network, bar: Any,
    callback: Callable[[int, float, Network], Any] | None,
) -> Callable[[int, float], str | None] | None:
    """What ``fit`` does after each completed epoch: advance the bar, ask the
    callback; return why to stop, or ``None``."""
    if bar is None and callback is None:
        return None
    saved = np.geterr()  # the callback runs under the caller's settings

    def on_epoch(epoch: int, loss: float) -> str | None:
        if bar is not None:
            bar.set_postfix_str(f"loss={loss:.4g}", refresh=False)
            bar.update()
        if callback is None:
            return None
        with np.errstate(**saved):
            try:
                answer = callback(epoch, loss, net)
            except StopTraining as stop:
                return f"StopTraining at epoch {epoch}: {stop}"
        if answer is True or answer is np.True_:
            return f"callback returned True at epoch {epoch}"
        if answer is None or answer is False or answer is np.False_:
            return None
        raise TypeError("callback: expected it to return True (stop), False "
                        f"or None, got {answer!r} at epoch {epoch}")

    return on_epoch


def _as_layer_dict(
    params: Mapping[int, Any] | Sequence[Any], name: str
) -> dict[int, Any]:
    if isinstance(params, Mapping):
        return dict(params)
    if isinstance(params, Sequence) and not isinstance(params, (str, bytes)):
        return {l: p for l, p in enumerate(params, start=1)}
    raise TypeError(f"{name}: expected a dict keyed 1..L or a list of arrays, "
                    f"got {params!r}")
