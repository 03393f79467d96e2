# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""The seeds' hand formulas equal the general backward pass and central differences."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

import nnbook as nb
from nnbook import worked as wk
from nnbook.gradcheck import numerical_gradient


def rel(a, b):
    return nb.relative_error(a, b)


# ------------------------------------------------------------------ seed 004
def _E(x, t, w1, w2, b2=None, b3=None):
    O3 = wk.net221_forward(x, w1, w2, b2, b3)["O3"]
    return float(((np.asarray(t) - O3) ** 2).sum())


def test_221_forward_matches_scalar_equations_and_network():
    x, t, w1, w2 = wk.example_221()
    f = wk.net221_forward(x, w1, w2)
    O2_1 = nb.sigmoid(x[0, 0] * w1[0, 0] + x[1, 0] * w1[1, 0])  # seed L24
    O2_2 = nb.sigmoid(x[0, 0] * w1[0, 1] + x[1, 0] * w1[1, 1])  # seed L25
    O3 = nb.sigmoid(O2_1 * w2[0, 0] + O2_2 * w2[1, 0])  # seed L9
    np.testing.assert_allclose(f["O2"].ravel().tolist(), [O2_1, O2_2], rtol=RTOL_SAME_FORMULA)
    np.testing.assert_allclose(float(f["O3"][0, 0]), float(O3), rtol=RTOL_SAME_FORMULA)
    net = wk.net221_to_network(w1, w2)
    np.testing.assert_allclose(net.forward(x).A[2], f["O3"], rtol=1e-15)
    assert np.array_equal(net.W[1], w1.T) and np.array_equal(net.W[2], w2.T)
    # E == MSE at m = 1
    np.testing.assert_allclose(
        net.cost(x, t), _E(x, t, w1, w2), rtol=RTOL_SAME_FORMULA,
    )


def test_221_sensitivities_match_finite_differences():
    x, _, w1, w2 = wk.example_221()
    s = wk.net221_sensitivities(x, w1, w2)
    O3 = lambda a, b: float(wk.net221_forward(x, a, b)["O3"][0, 0])  # noqa: E731
    n1 = numerical_gradient(lambda a: O3(a, w2), w1)
    n2 = numerical_gradient(lambda b: O3(w1, b), w2)
    for i in (1, 2):
        for j in (1, 2):
            np.testing.assert_allclose(s[f"w1_{i}{j}"], n1[i - 1, j - 1], rtol=1e-8)
        np.testing.assert_allclose(s[f"w2_{i}1"], n2[i - 1, 0], rtol=1e-8)


def test_221_seed_errata_would_fail():
    x, _, w1, w2 = wk.example_221()
    s = wk.net221_sensitivities(x, w1, w2)
    f = wk.net221_forward(x, w1, w2)
    s3 = float(nb.sigmoid_derivative(f["I3"][0, 0]))
    # L154 as written: inner derivative dO^2_1/dw^1_11 = O^1_1 sigma'(I_{O^2_1}), not O^1_2 ...
    as_written = w2[0, 0] * x[0, 0] * float(nb.sigmoid_derivative(f["I2"][0, 0])) * s3
    assert abs(as_written - s["w1_21"]) > 1e-3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_221_error_gradients_equal_backward_and_fd(seed):
    if seed == 0:
        x, t, w1, w2 = wk.example_221()
    else:
        rng = np.random.default_rng(seed)
        x, t = rng.normal(size=(2, 1)), rng.uniform(size=(1, 1))
        w1, w2 = rng.normal(size=(2, 2)), rng.normal(size=(2, 1))
    gw1, gw2 = wk.net221_error_gradients(x, t, w1, w2)
    net = wk.net221_to_network(w1, w2)
    g = net.backward(net.forward(x), t)
    assert rel(gw1, g.dW[1].T) < 1e-14 and rel(gw2, g.dW[2].T) < 1e-14
    assert rel(gw1, numerical_gradient(lambda a: _E(x, t, a, w2), w1)) < 1e-8
    assert rel(gw2, numerical_gradient(lambda b: _E(x, t, w1, b), w2)) < 1e-8


def test_221_bias_extension():
    x, t, w1, w2 = wk.example_221()
    b2, b3 = np.array([[0.2], [-0.4]]), np.array([[0.1]])
    g = wk.net221_bias_gradients(x, t, w1, w2, b2, b3)
    net = wk.net221_to_network(w1, w2, b2, b3)
    e = net.backward(net.forward(x), t)
    assert rel(g["b3"], e.db[2]) < 1e-14 and rel(g["b2"], e.db[1]) < 1e-14
    assert rel(g["w1"], e.dW[1].T) < 1e-14 and rel(g["w2"], e.dW[2].T) < 1e-14
    assert rel(g["b2"], numerical_gradient(lambda b: _E(x, t, w1, w2, b, b3), b2)) < 1e-8
    assert rel(g["b3"], numerical_gradient(lambda b: _E(x, t, w1, w2, b2, b), b3)) < 1e-8


# ------------------------------------------------------------------ seed 003
def test_layer_2to4_component_equations():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(2, 1)), rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    np.testing.assert_allclose(wk.layer_2to4(x, W, b), W @ x + b, rtol=1e-15)
    net = nb.Network.from_parameters({1: W}, {1: b}, "identity")
    np.testing.assert_allclose(net.forward(x).A[1], wk.layer_2to4(x, W, b), rtol=1e-15)
    with pytest.raises(ValueError, match=r"expected shapes \(2, 1\), \(4, 2\), \(4, 1\)"):
        wk.layer_2to4(x, W.T, b)


@pytest.mark.parametrize("x,y,w,b", [(2.0, 1.0, 0.0, 0.0), (-0.7, 0.2, 1.3, -0.4),
                                     (1.5, 0.9, -0.8, 0.3)])
def test_single_neuron_gradients(x, y, w, b):
    dw, db = wk.single_neuron_gradients(x, y, w, b)
    L = lambda w_, b_: float((nb.sigmoid(np.float64(w_ * x + b_)) - y) ** 2)  # noqa: E731
    h = 1e-6
    np.testing.assert_allclose(dw, (L(w + h, b) - L(w - h, b)) / (2 * h), rtol=1e-7)
    np.testing.assert_allclose(db, (L(w, b + h) - L(w, b - h)) / (2 * h), rtol=1e-7)
    net = nb.Network.from_parameters({1: [[w]]}, {1: [[b]]}, "sigmoid", "mse")
    g = net.backward(net.forward([[x]]), [[y]])
    np.testing.assert_allclose(float(g.dW[1][0, 0]), dw, rtol=RTOL_SAME_FORMULA)
    np.testing.assert_allclose(float(g.db[1][0, 0]), db, rtol=RTOL_SAME_FORMULA)


# ------------------------------------------------------------------ seed 000
PAIRS = [("tanh", "sigmoid", "bce"), ("relu", "sigmoid", "mse"), ("sigmoid", "identity", "mse"),
         ("identity", "tanh", "mse"), ("leaky_relu", "softmax", "cross_entropy")]


@pytest.mark.parametrize("g1,g2,loss", PAIRS)
def test_two_layer_jacobians_equal_backward_and_fd(g1, g2, loss):
    rng = np.random.default_rng(5)
    n0, n1 = 3, 4
    n2 = 3 if g2 == "softmax" else 2
    x = rng.normal(size=(n0, 1))
    y = np.eye(n2)[:, [1]] if loss == "cross_entropy" else (
        rng.uniform(0.1, 0.9, (n2, 1)) if loss == "bce" else rng.normal(size=(n2, 1)))
    W1, b1 = rng.normal(size=(n1, n0)), rng.normal(size=(n1, 1))
    W2, b2 = rng.normal(size=(n2, n1)), rng.normal(size=(n2, 1))
    J = wk.two_layer_jacobians(x, y, W1, b1, W2, b2, g1, g2, loss)
    assert J["ds2_da1"].shape == (n2, n1) and J["da1_ds1"].shape == (n1, n1)
    assert J["dy_da2"].shape == (n2, n2) and J["ds1_db1"].shape == (n1, n1)
    assert J["delta2"].shape == (1, n2) and J["delta1"].shape == (1, n1)
    net = nb.Network.from_parameters({1: W1, 2: W2}, {1: b1, 2: b2}, [g1, g2], loss)
    g = net.backward(net.forward(x), y)
    for name, l in (("W", 1), ("b", 1), ("W", 2), ("b", 2)):
        eng = (g.dW if name == "W" else g.db)[l]
        assert rel(J[f"d{name}{l}"], eng) < RTOL_SAME_FORMULA
    assert rel(J["delta2"].T, g.dZ[2]) < RTOL_SAME_FORMULA
    assert rel(J["delta1"].T, g.dZ[1]) < RTOL_SAME_FORMULA
    cost = lambda W1_: nb.Network.from_parameters(  # noqa: E731
        {1: W1_, 2: W2}, {1: b1, 2: b2}, [g1, g2], loss).cost(x, y)
    assert rel(J["dW1"], numerical_gradient(cost, W1)) < 1e-7
    # the seed's W2^T in the chain (erratum 000-6) is wrong, not just transposed
    wrong = J["delta2"] @ W2.T if n2 == n1 else None
    assert wrong is None or not np.allclose(wrong, J["delta1"])


# ------------------------------------------------------------------ seed 001
@pytest.mark.parametrize("task,out,loss", [("classification", "sigmoid", "bce"),
                                           ("regression", "identity", "mse")])
@pytest.mark.parametrize("seed", [0, 1])
def test_three_layer_gradients(task, out, loss, seed):
    rng = np.random.default_rng(seed)
    sizes = [3, 5, 4, 1]
    W = {l: rng.normal(size=(sizes[l], sizes[l - 1])) for l in (1, 2, 3)}
    b = {l: rng.normal(0, 0.3, size=(sizes[l], 1)) for l in (1, 2, 3)}
    m = 8
    X = rng.normal(size=(3, m))
    Y = (rng.random((1, m)) > 0.5).astype(float) if task == "classification" \
        else rng.normal(size=(1, m))
    r = wk.three_layer_gradients(X, Y, W, b, task=task)
    assert min(np.abs(r["Z1"]).min(), np.abs(r["Z2"]).min()) > 1e-4  # no ReLU kinks
    net = nb.Network.from_parameters(W, b, ["relu", "relu", out], loss)
    c = net.forward(X)
    g = net.backward(c, Y)
    np.testing.assert_allclose(r["J"], net.cost(X, Y), rtol=RTOL_SAME_FORMULA)
    for l in (1, 2, 3):
        assert rel(r[f"dW{l}"], g.dW[l]) < RTOL_SAME_FORMULA
        assert rel(r[f"db{l}"], g.db[l]) < RTOL_SAME_FORMULA
        assert rel(r[f"dZ{l}"], g.dZ[l] / m) < RTOL_SAME_FORMULA  # seed 001's dZ includes 1/m
    result = nb.gradient_check(net, X, Y)
    assert result.max_error < 1e-7
    with pytest.raises(ValueError, match="task: expected 'classification' or 'regression'"):
        wk.three_layer_gradients(X, Y, W, b, task="ranking")
