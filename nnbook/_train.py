# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
r"""The training loop behind `Network.fit`: the book's equations, without
the overhead.

Contract: ``train(net, X, Y, *, epochs, learning_rate, batch_size, shuffle,
rng, control=None)`` returns a ``list[float]``, where ``X`` $(n^{[0]}, m)$
and ``Y`` $(n^{[L]}, m)$ are already validated and in ``net.dtype``,
``batch_size`` is an int in ``1..m`` and ``rng`` is a
``numpy.random.Generator``. Each epoch draws ``rng.permutation(m)`` when
``shuffle`` and visits the columns in that order, in minibatches of
``batch_size`` (the last one may be shorter). The per-epoch loss is the
example-weighted mean of the minibatch costs met during the epoch (before
each minibatch's update). On NaN/inf the weights of the last finite epoch are
restored and ``FloatingPointError`` names the epoch (``Network.fit`` then puts
back the weights it started from: a failed call changes nothing).

Both loops share one epoch driver, `_run_epochs`, so they stop alike: a
`Control` carries the per-epoch hook of ``fit`` (progress bar, callback) and
the flag that the first Ctrl-C sets; the loop then stops at the end of the
current minibatch and puts back the weights of the last completed epoch.

The fast loop is a *twin* of `Network.forward`, `Network.backward` and
`Network.step` (``tests/test_train.py`` checks that one epoch of it gives the
same weights as the same minibatches sent through those three methods). It
computes the same equations,

$$Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}, \quad A^{[l]} = g^{[l]}(Z^{[l]}),
\quad dW^{[l]} = \tfrac{1}{m} dZ^{[l]} A^{[l-1]\top}, \quad
db^{[l]} = \tfrac{1}{m} dZ^{[l]} \mathbf{1},
\quad dA^{[l-1]} = W^{[l]\top} dZ^{[l]},$$

with five changes of *bookkeeping*, none of the mathematics:

1. **No allocation per step.** Every $Z$, $A$, $dZ$, $dW$ has a buffer made
   once per batch size; every NumPy call writes into one with ``out=``;
   activations and updates happen in place. A minibatch is gathered into a
   buffer with ``np.take(..., out=)``; the data set is never copied. When ``X``
   is the transpose of a row-major ``(m, n0)`` array (``X_rows.T``, a view),
   the gather copies whole contiguous rows.
2. **The bias as a weight on a constant input.** For $l \ge 2$ the buffer of
   $A^{[l-1]}$ has an extra row of ones, and $[W^{[l]}\; b^{[l]}]$ is stored as
   one matrix, so $Z^{[l]} = [W^{[l]}\; b^{[l]}]\,[A^{[l-1]}; \mathbf{1}^\top]$
   is one product and $[dW^{[l]}\; db^{[l]}] =
   \tfrac1m dZ^{[l]} [A^{[l-1]}; \mathbf{1}^\top]^\top$ another. (Stored
   transposed, $[W\; b]^\top$, so that $W^{[l]\top}$ is a contiguous block.)
3. **The step size folded in once.** $dZ^{[L]}$ is multiplied by $\alpha/m$ as
   soon as it is formed. Everything below it is linear in $dZ^{[L]}$, so the
   products come out as $\alpha\, dW^{[l]}$ and $\alpha\, db^{[l]}$ and the
   update is one subtraction.
4. **$g'$ without keeping $Z$.** $\sigma' = A(1-A)$ and $\tanh' = 1 - A^2$ are
   read from $A$; ReLU computes $A = Z \odot [Z > 0]$ and keeps the mask
   $[Z > 0]$, which is ReLU$'(Z)$. So $Z$ is overwritten by $A$ and never kept.
5. **The L2 penalty as a decay.** With ``net.l2`` $= \lambda > 0$ the gradient
   gains $\frac{\lambda}{m} W^{[l]}$; the update applies it as
   $W^{[l]} := (1 - \alpha\lambda/m)\, W^{[l]}
   - \alpha\, dW^{[l]}_{\text{data}}$, the same number up to rounding, and
   the recorded cost adds
   $\frac{\lambda}{2m}\sum_l\lVert W^{[l]}\rVert_F^2$.

The recorded cost is `losses.output_cost`'s, the one `Network.cost` computes:
from $Z^{[L]}$ for sigmoid + BCE and softmax + cross-entropy (so the output
activation is applied together with the cost). Differences with the plain
loop are rounding only (about $10^{-16}$ relative per operation in float64).
Networks whose activations or loss are not the library's own fall back to the
plain loop, `_train_plain`.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from .activations import LEAKY_SLOPE, get_activation
from .losses import LOSSES, VALID_PAIRS, output_cost

if TYPE_CHECKING:
    from .network import Network

__all__ = ["Control", "train"]


# ---------------------------------------------------- stopping, for both loops
class Control:
    """What ``fit`` asks of a loop besides the mathematics.

    ``on_epoch(epoch, loss)`` is called after every completed epoch (with the
    network holding that epoch's weights when ``publish`` is true) and returns
    a reason to stop, or ``None``. ``interrupted`` is set by the first Ctrl-C
    (see `catch_sigint`). After the run, ``stopped_reason`` says why it ended
    early (``None``: all epochs ran).
    """

    def __init__(
        self,
        on_epoch: Callable[[int, float], str | None] | None = None,
        publish: bool = False,
    ) -> None:
        self.on_epoch = on_epoch
        self.publish = publish
        self.interrupted = False
        self.stopped_reason: str | None = None


@contextmanager
def catch_sigint(control: Control) -> Iterator[None]:
    """While the block runs, the first SIGINT (Ctrl-C) only sets
    ``control.interrupted``; the loop checks it between minibatches. The
    handler then steps aside, so a second Ctrl-C raises KeyboardInterrupt at
    once. Installed only in the main thread and only over Python's default
    handler (a handler someone else installed is left alone)."""
    default = signal.default_int_handler
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not default):
        yield
        return

    def first_ctrl_c(signum: int, frame: object) -> None:
        control.interrupted = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGINT, first_ctrl_c)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _run_epochs(
    epochs: int,
    m: int,
    learning_rate: float,
    run_epoch: Callable[[Control], float | None],
    save: Callable[[], None],
    restore: Callable[[], None],
    params_finite: Callable[[], bool],
    publish: Callable[[], None],
    control: Control | None,
) -> list[float]:
    r"""The epoch loop both training loops share.

    ``run_epoch(ctl)`` runs one epoch's minibatches and returns the sum of
    their costs $\sum m_B J_B$, or ``None`` if ``ctl.interrupted`` stopped it
    between two minibatches. ``save``/``restore`` keep and put back the
    weights of the last completed epoch; ``publish`` makes ``net.W``/``net.b``
    hold the current weights (the fast loop keeps them in its own buffer).
    Any exception (divergence, a failing callback, a second Ctrl-C) leaves the
    weights of the last completed epoch.
    """
    ctl = control if control is not None else Control()
    history: list[float] = []
    try:
        for epoch in range(1, epochs + 1):
            if ctl.interrupted:
                break
            total = run_epoch(ctl)
            if total is None:                 # Ctrl-C between minibatches
                restore()
                break
            loss = total / m
            if not (math.isfinite(loss) and params_finite()):
                restore()                     # back to the last finite epoch
                err = _diverged(epoch, loss, learning_rate)
                err.history = list(history)   # the completed epochs' losses
                raise err
            save()
            history.append(float(loss))
            if ctl.on_epoch is not None:
                if ctl.publish:
                    publish()
                reason = ctl.on_epoch(epoch, history[-1])
                if reason is not None:
                    ctl.stopped_reason = reason
                    break
    except BaseException:
        restore()
        raise
    if ctl.interrupted and ctl.stopped_reason is None:
        done = len(history)
        ctl.stopped_reason = (
            f"interrupted (Ctrl-C) after {done} of {epochs} epochs; the "
            f"weights are those at the end of epoch {done}")
    return history


# -------------------------------------------------------------- the plain loop


def _snapshot(
    net: Network,
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    return ({l: W.copy() for l, W in net.W.items()},
            {l: b.copy() for l, b in net.b.items()})


def _finite(net: Network) -> bool:
    return all(np.isfinite(net.W[l]).all() and np.isfinite(net.b[l]).all()
               for l in net.W)


def _diverged(
    epoch: int, loss: float, learning_rate: float
) -> FloatingPointError:
    return FloatingPointError(
        f"training diverged at epoch {epoch} (loss = {loss}) with "
        f"learning_rate = {learning_rate}; the network is left as it was "
        f"before fit. Try a smaller learning_rate."
    )


def _train_plain(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    shuffle: bool,
    rng: np.random.Generator,
    control: Control | None = None,
) -> list[float]:
    """Reference loop: ``forward``, ``backward`` and the update of ``step``
    per minibatch (the update unchecked: a diverging run is caught, as in the
    fast loop, at the end of its epoch)."""
    m = X.shape[1]
    L = net.L
    last_good = [_snapshot(net)]

    def run_epoch(ctl: Control) -> float | None:
        order = rng.permutation(m) if shuffle else None
        total = 0.0
        for start in range(0, m, batch_size):
            if ctl.interrupted:
                return None
            if order is None:
                Xb = X[:, start:start + batch_size]
                Yb = Y[:, start:start + batch_size]
            else:
                idx = order[start:start + batch_size]
                Xb, Yb = X[:, idx], Y[:, idx]
            cache = net.forward(Xb, check=False)
            mb = Xb.shape[1]
            J = output_cost(net.g[L].name, net.loss.name, cache.Z[L],
                            cache.A[L], Yb) + net.penalty(mb)
            total += J * mb
            grads = net.backward(cache, Yb, check=False)
            for l in range(1, L + 1):       # W := W - alpha dW, b likewise
                net.W[l] -= learning_rate * grads.dW[l]
                net.b[l] -= learning_rate * grads.db[l]
        return total

    def save() -> None:
        last_good[0] = _snapshot(net)

    def restore() -> None:
        # in place, so outside references see the good weights
        W, b = last_good[0]
        for l in net.W:
            net.W[l][...] = W[l]
            net.b[l][...] = b[l]

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _run_epochs(epochs, m, learning_rate, run_epoch, save, restore,
                           lambda: _finite(net), lambda: None, control)


# --------------------------------------------------------------- the fast loop

# activation codes, so the hot loop compares small ints instead of strings
_IDENTITY, _RELU, _TANH, _SIGMOID, _SOFTMAX, _LEAKY = range(6)
_KIND = {"identity": _IDENTITY, "relu": _RELU, "tanh": _TANH,
         "sigmoid": _SIGMOID, "softmax": _SOFTMAX, "leaky_relu": _LEAKY}
# (output activation, loss) -> k with dZ[L] = k (A[L] - Y): the shortcuts
# of losses.SHORTCUTS
_SHORTCUT = {("sigmoid", "bce"): 1, ("softmax", "cross_entropy"): 1,
             ("identity", "mse"): 2}

_dot, _take = np.dot, np.take
_add, _subtract = np.add, np.subtract
_multiply, _divide = np.multiply, np.divide
_maximum, _negative = np.maximum, np.negative
_exp, _log, _tanh, _vdot = np.exp, np.log, np.tanh, np.vdot
_log1p, _absolute = np.log1p, np.absolute
_reciprocal, _greater, _copyto = np.reciprocal, np.greater, np.copyto
_sum_rows = np.add.reduce  # ndarray.sum without the Python wrapper
_max_rows = np.maximum.reduce


def _sum_all(a: np.ndarray) -> float:
    """The sum of every entry."""
    return float(_sum_rows(a, axis=None))


def _gather_source(X: np.ndarray) -> tuple[np.ndarray, int]:
    """What ``np.take`` reads without copying: ``(X.T, 0)`` (rows) or
    ``(X, 1)`` (columns)."""
    if X.T.flags.c_contiguous:
        return X.T, 0
    return np.ascontiguousarray(X), 1  # no copy when X is row-major


def _supported(net: Network) -> bool:
    """True when every activation and the loss are the library's own, paired
    as `VALID_PAIRS` allows (the twin knows them)."""
    try:
        acts_ok = all(net.g[l] == get_activation(net.g[l].name)
                      and net.g[l].name in _KIND
                      for l in range(1, net.L + 1))
    except ValueError:
        return False
    return (acts_ok and LOSSES.get(net.loss.name) == net.loss
            and (net.g[net.L].name, net.loss.name) in VALID_PAIRS)


class _FastLoop:
    r"""Buffers and compiled steps for one ``train`` call (see the module
    docstring).

    Parameters live in one flat buffer ``flat`` (a copy of ``net.W``/``net.b``,
    written back at the end): ``W[1]`` $(n^{[1]}, n^{[0]})$, ``b[1]``
    $(n^{[1]},)$, then for $l \ge 2$ ``P[l]`` $= [W^{[l]}\; b^{[l]}]^\top$ of
    shape $(n^{[l-1]} + 1, n^{[l]})$. One flat buffer makes the per-epoch
    snapshot one copy and the finiteness check one sum.
    """

    def __init__(self, net: Network, X: np.ndarray, Y: np.ndarray,
                 learning_rate: float, batch_size: int, gather: bool) -> None:
        dt = np.dtype(net.dtype)
        n, L = net.sizes, net.L
        self.net, self.L, self.dt = net, L, dt
        self.kinds = [_KIND[net.g[l].name] for l in range(1, L + 1)]
        self.loss_name = net.loss.name
        self.shortcut = _SHORTCUT.get((net.g[L].name, net.loss.name))
        c = dt.type
        # 0-d arrays: the cheapest scalar operand for a ufunc, and of the
        # network's dtype
        self.zero, self.one = np.array(c(0)), np.array(c(1))
        self.two = np.array(c(2))
        self.slope = np.array(c(LEAKY_SLOPE))
        self.lr = learning_rate

        # parameters: one flat buffer, views per layer
        shapes = [(n[1], n[0]), (n[1],)]
        shapes += [(n[l - 1] + 1, n[l]) for l in range(2, L + 1)]
        self.flat = np.empty(sum(math.prod(s) for s in shapes), dt)
        views, o = [], 0
        for s in shapes:
            k = math.prod(s)
            views.append(self.flat[o:o + k].reshape(s))
            o += k
        self.W1, self.b1 = views[0], views[1]
        self.P = {l: views[l] for l in range(2, L + 1)}
        self.snap = np.empty_like(self.flat)
        # gradient buffers (shared by all batch sizes): alpha dW[1],
        # alpha db[1], alpha P[l]-shaped
        self.G1, self.g1 = np.empty_like(self.W1), np.empty_like(self.b1)
        self.GP = {l: np.empty_like(self.P[l]) for l in self.P}
        self.load()

        # the data: gathered per minibatch into buffers, or used as is
        # (one full batch)
        m = X.shape[1]
        self.gather = gather
        if gather:
            # X = X_rows.T (a view): gather whole rows of X_rows, contiguous
            # runs of n0 values; a row-major X: gather columns, value by value
            # (slower); else one copy, made here
            self.Xsrc, self.xaxis = _gather_source(X)
            self.Ysrc, self.yaxis = _gather_source(Y)
        else:
            contiguous = X.flags.c_contiguous or X.flags.f_contiguous
            self.X = X if contiguous else np.ascontiguousarray(X)
            self.Y = np.ascontiguousarray(Y)
        self.m = m

    # -- parameters in and out of the flat buffer
    def load(self) -> None:
        """Copy ``net.W``, ``net.b`` into the flat buffer."""
        net = self.net
        self.W1[...] = net.W[1]
        self.b1[...] = net.b[1][:, 0]
        for l, P in self.P.items():
            P[:-1] = net.W[l].T   # W^T, the contiguous block
            P[-1] = net.b[l][:, 0]

    def store(self) -> None:
        """Copy the flat buffer back into ``net.W``, ``net.b`` (in place)."""
        net = self.net
        net.W[1][...] = self.W1
        net.b[1][:, 0] = self.b1
        for l, P in self.P.items():
            net.W[l][...] = P[:-1].T
            net.b[l][:, 0] = P[-1]

    # -- one compiled step per batch size
    def compile(
        self, mb: int
    ) -> tuple[Callable[[], float], np.ndarray | None, np.ndarray | None]:
        """Build the step for minibatches of ``mb`` columns.

        Returns ``(step, Xbuf, Ybuf)``: ``step()`` runs forward, backward and
        update on the minibatch held in ``Xbuf``, ``Ybuf`` (filled by the
        caller when gathering; ``None`` for a full batch, which reads ``X`` and
        ``Y`` as they are) and returns the sum of the per-example losses,
        $m_B J_B$, computed from the forward pass.
        """
        dt, L, n = self.dt, self.L, self.net.sizes
        kinds = self.kinds
        zero, one, two = self.zero, self.one, self.two
        slope = self.slope
        # alpha / m, folded into dZ[L] (change 3)
        scale = np.array(dt.type(self.lr / mb))
        # L2 penalty (lambda/2m) sum ||W||^2: its gradient (lambda/m) W makes
        # the step W := (1 - alpha lambda/m) W - alpha dW, a decay of W before
        # the usual update (change 5)
        l2 = self.net.l2
        decay = np.array(dt.type(1 - self.lr * l2 / mb)) if l2 else None
        half_l2 = l2 / 2

        def buf(*shape: int) -> np.ndarray:
            return np.zeros(shape, dt)

        # A[0]: the minibatch, gathered into Xbuf (mb, n0) whose transpose
        # is A[0], or X itself
        if self.gather:
            Xbuf = buf(mb, n[0]) if self.xaxis == 0 else buf(n[0], mb)
            A0 = Xbuf.T if self.xaxis == 0 else Xbuf
        else:
            Xbuf, A0 = None, self.X
        A0T = A0.T
        # Y and the loss scratch S share one layout, so that the cost is one
        # np.vdot of their storage: (n_L, mb), or (mb, n_L) when Y is
        # gathered by rows
        rows = self.gather and self.yaxis == 0
        Ystore = buf(mb, n[L]) if rows else buf(n[L], mb)
        Sstore = np.zeros_like(Ystore)
        Yb, S = (Ystore.T, Sstore.T) if rows else (Ystore, Sstore)  # (n_L, mb)
        if not self.gather:                   # one full batch: Y never changes
            Yb[...] = self.Y
        Ybuf = Ystore if self.gather else None
        ones = buf(mb) + 1                    # db[1] = dZ[1] 1

        # H[l] = [A[l]; 1] for hidden layers (change 2); A[L] plain
        H = {l: buf(n[l] + 1, mb) for l in range(1, L)}
        for Hl in H.values():
            Hl[-1] = 1
        A = {l: H[l][:-1] for l in H}
        A[L] = buf(n[L], mb)
        # D[l]: dA[l], turned into dZ[l] in place; T[l]: scratch for g'
        D = {l: buf(n[l], mb) for l in range(1, L + 1)}
        T = {l: buf(n[l], mb) for l in range(1, L + 1)}
        M = {l: np.zeros((n[l], mb), bool) if kinds[l - 1] == _LEAKY else None
             for l in range(1, L + 1)}
        col = buf(mb)                         # softmax column sums / maxima
        col2 = buf(mb)                        # ln of the column sums
        W1, b1, b1col = self.W1, self.b1, self.b1[:, None]
        G1, g1 = self.G1, self.g1
        A1, D1, k1, T1, M1 = A[1], D[1], kinds[0], T[1], M[1]

        def activate(k: int, Al: np.ndarray, Tl: np.ndarray,
                     Ml: np.ndarray | None) -> None:
            """A = g(Z), in place (Al holds Z on entry)."""
            if k == _RELU:                    # max(0, z) = z [z > 0]
                _greater(Al, zero, out=Tl)    # Tl = [z > 0] = relu'(z), kept
                _multiply(Al, Tl, out=Al)
            elif k == _TANH:
                _tanh(Al, out=Al)
            elif k == _SIGMOID:               # 1 / (1 + e^{-z})
                _negative(Al, out=Al)
                _exp(Al, out=Al)              # e^{-z} = inf gives exactly 0
                _add(Al, one, out=Al)
                _reciprocal(Al, out=Al)
            elif k == _SOFTMAX:               # e^{z - max} / sum, per column
                _max_rows(Al, axis=0, out=col)
                _subtract(Al, col, out=Al)
                _exp(Al, out=Al)
                _sum_rows(Al, axis=0, out=col)
                _divide(Al, col, out=Al)
            elif k == _LEAKY:                 # max(z, slope z), 0 < slope < 1
                _multiply(Al, slope, out=Tl)
                _maximum(Al, Tl, out=Al)

        def chain(k: int, Dl: np.ndarray, Al: np.ndarray, Tl: np.ndarray,
                  Ml: np.ndarray | None) -> None:
            """dZ = g.backward(dA, Z, A), in place on Dl (dA on entry), with
            g' read from A."""
            if k == _RELU:                    # relu' = [z > 0], from forward
                _multiply(Dl, Tl, out=Dl)
            elif k == _TANH:                  # tanh' = 1 - a^2
                _multiply(Al, Al, out=Tl)
                _subtract(one, Tl, out=Tl)
                _multiply(Dl, Tl, out=Dl)
            elif k == _SIGMOID:               # sigma' = a (1 - a)
                _subtract(one, Al, out=Tl)
                _multiply(Al, Tl, out=Tl)
                _multiply(Dl, Tl, out=Dl)
            elif k == _SOFTMAX:               # a * (da - sum(da * a))
                _multiply(Dl, Al, out=Tl)
                _sum_rows(Tl, axis=0, out=col)
                _subtract(Dl, col, out=Dl)
                _multiply(Dl, Al, out=Dl)
            elif k == _LEAKY:                 # 1 where a > 0, slope elsewhere
                _greater(Al, zero, out=Ml)
                _copyto(Tl, slope)
                _copyto(Tl, one, where=Ml)
                _multiply(Dl, Tl, out=Dl)

        # per-layer tuples for l >= 2, with every view made once; the output
        # layer's activation is applied with its cost (output_cost)
        fwd = [(self.P[l].T, H[l - 1], A[l], kinds[l - 1], T[l], M[l])
               for l in range(2, L)]
        PTL, HL = (self.P[L].T, H[L - 1]) if L > 1 else (None, None)
        bwd = [(D[l], D[l].T, H[l - 1], self.GP[l], self.P[l],
                self.P[l][:-1], D[l - 1], A[l - 1], kinds[l - 2], T[l - 1],
                M[l - 1])
               for l in range(L, 1, -1)]
        AL, DL, TL, kL, ML = A[L], D[L], T[L], kinds[L - 1], M[L]
        # W[l]^T, for the penalty
        WTs = [self.P[l][:-1] for l in range(2, L + 1)]
        loss_name, shortcut = self.loss_name, self.shortcut
        scale2 = np.array(dt.type(2 * self.lr / mb))

        def output() -> float:
            """A[L] = g(Z[L]) in place (AL holds Z[L] on entry), and the sum
            of the per-example losses, m_B J_B, as losses.output_cost
            computes it: from Z[L] for sigmoid + BCE and softmax +
            cross-entropy (TL is free scratch there: both take a
            shortcut)."""
            if loss_name == "bce":            # max(z, 0) - z y
                _maximum(AL, zero, out=S)     # + ln(1 + e^{-|z|})
                _multiply(AL, Yb, out=TL)
                _subtract(S, TL, out=S)
                _absolute(AL, out=TL)
                _negative(TL, out=TL)
                _exp(TL, out=TL)
                _log1p(TL, out=TL)
                _add(S, TL, out=S)
                activate(_SIGMOID, AL, TL, ML)
                return _sum_all(Sstore)
            if loss_name == "cross_entropy":  # -sum y ln a, with the
                _max_rows(AL, axis=0, out=col)  # log-softmax
                _subtract(AL, col, out=AL)    # ln a = (z - max) - ln sum
                _exp(AL, out=TL)
                _sum_rows(TL, axis=0, out=col)
                _log(col, out=col2)
                _subtract(AL, col2, out=S)
                _divide(TL, col, out=AL)      # a = e^{z - max} / sum
                return -float(_vdot(Ystore, Sstore))
            activate(kL, AL, TL, ML)          # mse: sum (a - y)^2
            _subtract(AL, Yb, out=S)
            return float(_vdot(Sstore, Sstore))

        def step() -> float:
            # ---- forward: Z[l] = W[l] A[l-1] + b[l], A[l] = g(Z[l])
            _dot(W1, A0, out=A1)
            _add(A1, b1col, out=A1)
            if L > 1:
                activate(k1, A1, T1, M1)
                for PT, Hp, Al, k, Tl, Ml in fwd:
                    _dot(PT, Hp, out=Al)      # [W b] [A; 1]
                    activate(k, Al, Tl, Ml)
                _dot(PTL, HL, out=AL)         # Z[L]
            # ---- A[L] and the cost, summed over the batch:
            #      m_B J_B (+ (lambda/2) sum ||W||^2)
            total = output()
            if decay is not None:
                squares = float(_vdot(W1, W1))
                for WT in WTs:
                    squares += float(_vdot(WT, WT))
                total += half_l2 * squares
            # ---- dZ[L], times alpha/m
            if shortcut == 1:                 # A - Y
                _subtract(AL, Yb, out=DL)
                _multiply(DL, scale, out=DL)
            elif shortcut == 2:               # 2 (A - Y); S holds A - Y
                _multiply(S, scale2, out=DL)
            else:                             # general chain (mse):
                _multiply(S, two, out=DL)     # dA = 2 (a - y), then g'
                chain(kL, DL, AL, TL, ML)
                _multiply(DL, scale, out=DL)
            # ---- backward and update, l = L..2 (P = [W b]^T)
            for Dl, DlT, Hp, GP, P, WT, Dp, Ap, kp, Tp, Mp in bwd:
                _dot(Hp, DlT, out=GP)         # alpha [dW db]^T = [A;1] dZ^T
                _dot(WT, Dl, out=Dp)          # dA[l-1] = W^T dZ, old W
                if decay is not None:         # W *= 1 - alpha lambda / m
                    _multiply(WT, decay, out=WT)
                _subtract(P, GP, out=P)       # W -= alpha dW, b -= alpha db
                chain(kp, Dp, Ap, Tp, Mp)     # dZ[l-1] = dA[l-1] * g'
            # ---- layer 1
            _dot(D1, A0T, out=G1)             # alpha dW[1] = dZ[1] A[0]^T
            _dot(D1, ones, out=g1)            # alpha db[1] = dZ[1] 1
            if decay is not None:
                _multiply(W1, decay, out=W1)
            _subtract(W1, G1, out=W1)
            _subtract(b1, g1, out=b1)
            return total

        return step, Xbuf, Ybuf

    def params_finite(self) -> bool:
        """All parameters finite (one sum; the exact check only if the sum is
        not finite)."""
        return (math.isfinite(float(self.flat.sum()))
                or bool(np.isfinite(self.flat).all()))


def train(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    shuffle: bool,
    rng: np.random.Generator,
    control: Control | None = None,
) -> list[float]:
    r"""Run ``epochs`` epochs of minibatch gradient descent on ``net``, in
    place.

    Parameters
    ----------
    net : Network
        Trained in place (``net.W[l]``, ``net.b[l]`` keep their identity).
    X : ndarray, shape (n0, m)
        Validated, in ``net.dtype``. ``X_rows.T`` (a view of a row-major array)
        is gathered fastest.
    Y : ndarray, shape (nL, m)
    epochs : int
    learning_rate : float
    batch_size : int
        In ``1..m``; the last minibatch of an epoch has ``m % batch_size``
        columns if that is not zero.
    shuffle : bool
        Visit the columns in the order ``rng.permutation(m)``, drawn anew every
        epoch.
    rng : numpy.random.Generator
    control : Control or None
        ``fit``'s per-epoch hook and the Ctrl-C flag. With a `Control`, the
        first Ctrl-C stops the run at the end of the current minibatch, the
        weights of the last completed epoch are put back and
        ``control.stopped_reason`` says so (see `catch_sigint`).

    Returns
    -------
    list of float
        The per-epoch loss: the example-weighted mean of the minibatch costs
        computed during the epoch,
        $\frac{1}{m}\sum_{\text{batches}} m_B\, J_B$. Shorter than
        ``epochs`` when the run was stopped.

    Raises
    ------
    FloatingPointError
        When an epoch's loss (or a parameter) becomes NaN/inf. The weights are
        restored to the end of the last finite epoch (the initial ones if it is
        epoch 1) before raising; ``Network.fit`` then restores the weights it
        started from.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> from nnbook._train import train
    >>> X, Y = nb.datasets.xor()
    >>> net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], "bce", seed=0)
    >>> rng = np.random.default_rng(0)
    >>> losses = train(net, X, Y, epochs=3, learning_rate=0.1, batch_size=4,
    ...                shuffle=False, rng=rng)
    >>> len(losses), all(np.isfinite(losses))
    (3, True)
    """
    if control is not None:
        with catch_sigint(control):
            return _train(net, X, Y, epochs, learning_rate, batch_size,
                          shuffle, rng, control)
    return _train(net, X, Y, epochs, learning_rate, batch_size, shuffle, rng,
                  None)


def _train(
    net: Network, X: np.ndarray, Y: np.ndarray, epochs: int,
    learning_rate: float, batch_size: int, shuffle: bool,
    rng: np.random.Generator, control: Control | None,
) -> list[float]:
    """`train` without the SIGINT handler: the fast loop, or the plain one."""
    if not _supported(net):
        return _train_plain(net, X, Y, epochs=epochs,
                            learning_rate=learning_rate,
                            batch_size=batch_size, shuffle=shuffle, rng=rng,
                            control=control)
    m = X.shape[1]
    bs = batch_size
    gather = shuffle or bs < m
    loop = _FastLoop(net, X, Y, learning_rate, bs, gather)
    # one compiled step per batch size; per minibatch:
    # (start, stop, step, X buffer, Y buffer). A learning rate beyond the
    # dtype (1e308 in float32) becomes inf here, quietly: the first epoch
    # then diverges and says so
    with np.errstate(over="ignore"):
        step, Xb, Yb = loop.compile(bs)
        batches = [(s, s + bs, step, Xb, Yb)
                   for s in range(0, m - bs + 1, bs)]
        if m % bs:
            step_last, Xl, Yl = loop.compile(m % bs)
            batches.append((m - m % bs, m, step_last, Xl, Yl))
    if gather:
        Xsrc, xaxis = loop.Xsrc, loop.xaxis
        Ysrc, yaxis = loop.Ysrc, loop.yaxis
    arange = np.arange(m)
    flat, snap = loop.flat, loop.snap
    _copyto(snap, flat)

    def run_epoch(ctl: Control) -> float | None:
        if not gather:                        # one full batch, data used as is
            return step()
        order = rng.permutation(m) if shuffle else arange
        total = 0.0
        for start, stop, st, xb, yb in batches:
            if ctl.interrupted:
                return None
            idx = order[start:stop]           # the minibatch's columns
            _take(Xsrc, idx, axis=xaxis, out=xb, mode="clip")
            _take(Ysrc, idx, axis=yaxis, out=yb, mode="clip")
            total += st()
        return total

    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return _run_epochs(
                epochs, m, learning_rate, run_epoch,
                save=lambda: _copyto(snap, flat),
                restore=lambda: _copyto(flat, snap),
                params_finite=loop.params_finite, publish=loop.store,
                control=control,
            )
    finally:
        loop.store()
