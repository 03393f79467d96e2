# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""Gradient checks for every activation x loss x depth (1 to 4 layers), in float64."""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb
from nnbook.gradcheck import HIDDEN, KINK, OUTPUTS, check_problem, numerical_gradient

COMBOS = [(None, out, loss, 1) for out, loss in OUTPUTS] + [
    (hidden, out, loss, depth)
    for depth in (2, 3, 4) for hidden in HIDDEN for out, loss in OUTPUTS
]


@pytest.mark.parametrize("hidden,output,loss,depth", COMBOS,
                         ids=[f"{d}-{h or 'none'}-{o}-{lo}" for h, o, lo, d in COMBOS])
def test_backprop_matches_central_differences(hidden, output, loss, depth):
    net, X, Y = check_problem(hidden, output, loss, depth)
    cache = net.forward(X)
    for l in range(1, net.L + 1):  # the problem is kink-free, as promised
        if net.g[l].name in ("relu", "leaky_relu"):
            assert np.abs(cache.Z[l]).min() >= KINK
    result = nb.gradient_check(net, X, Y)
    assert set(result.errors) == {f"{p}{l}" for l in range(1, depth + 1) for p in "Wb"}
    # the check is not vacuous: the gradient is non-zero
    assert max(np.linalg.norm(g) for g in result.analytical.values()) > 1e-6
    assert result.max_error < 1e-7, str(result)
    assert result.passed(1e-7)


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    net, X, Y = check_problem("tanh", "sigmoid", "bce", 2)
    bad = nb.SHORTCUTS[("sigmoid", "bce")]
    monkeypatch.setitem(nb.SHORTCUTS, ("sigmoid", "bce"), lambda A, Y: 1.1 * bad(A, Y))
    result = nb.gradient_check(net, X, Y)
    assert result.max_error > 1e-3 and not result.passed(1e-7)


def test_gradient_check_runs_in_float64_and_leaves_net_untouched():
    net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0, dtype=np.float32)
    W1 = net.W[1].copy()
    X, Y = nb.datasets.xor()
    result = nb.gradient_check(net, X, Y)
    assert all(g.dtype == np.float64 for g in result.numerical.values())
    assert result.max_error < 1e-7
    assert np.array_equal(net.W[1], W1) and net.W[1].dtype == np.float32


def test_result_str_table_and_alias():
    net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], "bce", seed=0)
    result = nb.gradient_check(net, *nb.datasets.xor())
    text = str(result)
    assert text.splitlines()[0].split() == ["param", "shape", "|num|", "|ana|", "rel.", "error"]
    assert "W1" in text and "2x2" in text and "max relative error" in text
    assert result.max_relative_error == result.max_error == max(result.errors.values())


def test_numerical_gradient_on_a_hand_formula():
    W = np.array([[0.5, -1.0], [2.0, 0.1]])
    x = np.array([[1.0], [3.0]])
    f = lambda W_: float((nb.sigmoid(W_ @ x) ** 2).sum())  # noqa: E731
    a = nb.sigmoid(W @ x)
    hand = (2 * a * a * (1 - a)) @ x.T
    np.testing.assert_allclose(numerical_gradient(f, W), hand, rtol=1e-8)
    assert nb.relative_error(hand, hand) == 0.0
