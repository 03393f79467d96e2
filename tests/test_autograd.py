# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""Network.backward agrees with the independent ``autograd`` package (float64, 1e-10 relative).

The forward pass and the losses are re-implemented here in ``autograd.numpy``; autograd then
differentiates the cost with respect to every W[l] and b[l] by reverse-mode AD.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

import nnbook as nb

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

AG_ACT = {
    "sigmoid": lambda z: 0.5 * (anp.tanh(0.5 * z) + 1.0),
    "tanh": anp.tanh,
    "relu": lambda z: anp.where(z > 0, z, 0.0 * z),
    "identity": lambda z: z,
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "softmax": lambda z: anp.exp(z - anp.max(z, axis=0, keepdims=True))
    / anp.sum(anp.exp(z - anp.max(z, axis=0, keepdims=True)), axis=0, keepdims=True),
}
AG_LOSS = {
    "bce": lambda A, Y: -anp.sum(Y * anp.log(A) + (1 - Y) * anp.log(1 - A)) / A.shape[1],
    "mse": lambda A, Y: anp.sum((A - Y) ** 2) / A.shape[1],
    "cross_entropy": lambda A, Y: -anp.sum(Y * anp.log(A)) / A.shape[1],
}
HIDDEN = ["sigmoid", "tanh", "relu", "identity", "leaky_relu"]
OUTPUTS = nb.VALID_PAIRS  # every (output activation, loss) pair a Network accepts


def _random_problem(seed: int):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))
    out, loss = OUTPUTS[seed % len(OUTPUTS)]
    nL = 3 if out == "softmax" else int(rng.integers(1, 3))
    sizes = [int(rng.integers(2, 6))] + [int(rng.integers(2, 7)) for _ in range(depth - 1)] + [nL]
    acts = [str(rng.choice(HIDDEN)) for _ in range(depth - 1)] + [out]
    m = int(rng.integers(3, 9))
    net = nb.Network(sizes, acts, loss, seed=seed)
    for l in range(1, depth + 1):
        net.b[l] = rng.normal(0, 0.3, size=net.b[l].shape)
    X = rng.normal(size=(sizes[0], m))
    if loss == "mse":
        Y = rng.normal(size=(nL, m))
    elif out == "softmax":
        Y = np.eye(nL)[:, rng.integers(0, nL, m)]
    else:
        Y = rng.uniform(0.05, 0.95, size=(nL, m))  # soft BCE targets in (0, 1)
    return net, X, Y


@pytest.mark.parametrize("seed", range(40))
def test_backward_matches_autograd(seed):
    net, X, Y = _random_problem(seed)
    c = net.forward(X)
    for l in range(1, net.L + 1):  # away from the ReLU kink, where both sides are conventions
        if net.g[l].name in ("relu", "leaky_relu"):
            assert np.abs(c.Z[l]).min() > 1e-8
    names = [net.g[l].name for l in range(1, net.L + 1)]

    def cost(params):
        A = X
        for l in range(1, net.L + 1):
            A = AG_ACT[names[l - 1]](anp.dot(params[2 * l - 2], A) + params[2 * l - 1])
        return AG_LOSS[net.loss.name](A, Y)

    params = [p for l in range(1, net.L + 1) for p in (net.W[l], net.b[l])]
    ag = autograd.grad(cost)(params)
    np.testing.assert_allclose(cost(params), net.cost(X, Y), rtol=RTOL_SAME_FORMULA)
    g = net.backward(c, Y)
    ours = [p for l in range(1, net.L + 1) for p in (g.dW[l], g.db[l])]
    errs = [nb.relative_error(a, o) for a, o in zip(ag, ours, strict=True)]
    assert max(errs) < 1e-10, (names, net.loss.name, errs)

