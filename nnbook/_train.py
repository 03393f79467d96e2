# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
r"""The training loop behind :meth:`nnbook.Network.fit`.

This first version is the plain loop: forward, backward, step, once per minibatch. The
contract (kept by any faster twin): ``train(net, X, Y, *, epochs, learning_rate, batch_size,
shuffle, rng) -> list[float]``, where ``X``, ``Y`` are already validated and in ``net.dtype``,
``batch_size`` is an int in ``1..m``, and ``rng`` is a ``numpy.random.Generator``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .network import Network

__all__ = ["train"]


def _snapshot(net: Network) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    return ({l: W.copy() for l, W in net.W.items()}, {l: b.copy() for l, b in net.b.items()})


def _finite(net: Network) -> bool:
    return all(np.isfinite(net.W[l]).all() and np.isfinite(net.b[l]).all() for l in net.W)


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
) -> list[float]:
    r"""Run ``epochs`` epochs of minibatch gradient descent on ``net``, in place.

    Returns the per-epoch loss: the example-weighted mean of the minibatch costs computed
    during the epoch, $\frac{1}{m}\sum_{\text{batches}} m_B\, J_B$.

    Raises
    ------
    FloatingPointError
        When an epoch's loss (or a parameter) becomes NaN/inf. The weights are restored to the
        end of the last finite epoch (the initial ones if it is epoch 1) before raising.

    Examples
    --------
    >>> import numpy as np, nnbook as nb
    >>> X, Y = nb.datasets.xor()
    >>> net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], "bce", seed=0)
    >>> losses = train(net, X, Y, epochs=3, learning_rate=0.1, batch_size=4, shuffle=False,
    ...                rng=np.random.default_rng(0))
    >>> len(losses), all(np.isfinite(losses))
    (3, True)
    """
    m = X.shape[1]
    L = net.L
    history: list[float] = []
    last_good = _snapshot(net)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(m) if shuffle else None
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, m, batch_size):
                if order is None:
                    Xb, Yb = X[:, start:start + batch_size], Y[:, start:start + batch_size]
                else:
                    idx = order[start:start + batch_size]
                    Xb, Yb = X[:, idx], Y[:, idx]
                cache = net.forward(Xb, check=False)
                total += net.loss.value(cache.A[L], Yb) * Xb.shape[1]
                grads = net.backward(cache, Yb, check=False)
                net.step(grads, learning_rate)
        loss = total / m
        if not (np.isfinite(loss) and _finite(net)):
            for l in net.W:  # restore in place, so outside references see the good weights
                net.W[l][...] = last_good[0][l]
                net.b[l][...] = last_good[1][l]
            raise FloatingPointError(
                f"training diverged at epoch {epoch} (loss = {loss}) with learning_rate = "
                f"{learning_rate}; weights restored to the end of epoch {epoch - 1}. "
                f"Try a smaller learning_rate."
            )
        last_good = _snapshot(net)
        history.append(float(loss))
    return history
