"""nnbook.autodiff: every local derivative, the backward order, and networks built from Values.

Each operation's derivative is checked against central finite differences (rtol 1e-7: the
truncation error of a step h = 1e-6 is O(h^2) and its rounding error O(eps / h) ~ 1e-10 relative)
and against the independent `autograd` package (rtol 1e-12, RTOL_SAME_FORMULA: the same formula
evaluated twice). Then the issue's check: networks of several depths and widths, every hidden
activation the engine has, the meaningful (output, loss) pairs, built neuron by neuron from
Values, give the gradients of `Network.backward` to 1e-12 relative, entry by entry.

Why 1e-12 holds entry by entry with atol=0: both sides evaluate the same sums of products in a
different order (BLAS against one addition at a time), so an entry differs by a few units of
2.2e-16 times the condition number of its sum (sum of |terms| / |sum|). Most entries agree to
1e-15; the largest difference over the 64 networks drawn here is 1.4e-13, an output bias whose
per-example terms nearly cancel. A gradient that is exactly 0 (a ReLU unit off for every
example: 0 times anything) is exactly 0 on both sides, which assert_allclose accepts with atol=0.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

import nnbook as nb
from nnbook.autodiff import Value

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

# name -> (build with Values, the same function in autograd.numpy, points to test at)
UNARY = {
    "exp": (Value.exp, anp.exp, [-3.0, -0.5, 0.0, 0.7, 4.0]),
    "log": (Value.log, anp.log, [0.01, 0.5, 1.0, 3.0, 50.0]),
    "tanh": (Value.tanh, anp.tanh, [-4.0, -0.3, 0.0, 0.8, 2.5]),
    "sigmoid": (Value.sigmoid,  # the stable form, written again in autograd.numpy
                lambda a: 1 / (1 + anp.exp(-a)) if a >= 0 else anp.exp(a) / (1 + anp.exp(a)),
                [-30.0, -2.0, -0.1, 0.0, 0.4, 3.0, 30.0]),
    "relu": (Value.relu, lambda a: anp.where(a > 0, a, 0.0 * a), [-2.0, -0.1, 0.3, 5.0]),
    "leaky_relu": (Value.leaky_relu, lambda a: anp.where(a > 0, a, 0.01 * a),
                   [-2.0, -0.1, 0.3, 5.0]),
    "neg": (Value.__neg__, lambda a: -a, [-1.5, 0.0, 2.0]),
    "square": (lambda v: v**2, lambda a: a**2, [-1.5, 0.0, 2.0]),
    "cube": (lambda v: v**3, lambda a: a**3, [-1.5, 0.5, 2.0]),
    "sqrt": (lambda v: v**0.5, lambda a: a**0.5, [0.25, 1.0, 7.0]),
    "reciprocal power": (lambda v: v**-2, lambda a: a**-2.0, [-3.0, 0.5, 2.0]),
    "zeroth power": (lambda v: v**0, lambda a: a**0.0 + 0.0 * a, [-1.0, 2.0]),
}
BINARY = {
    "+": (lambda a, b: a + b),
    "-": (lambda a, b: a - b),
    "*": (lambda a, b: a * b),
    "/": (lambda a, b: a / b),
}
PAIRS = [(-1.5, 2.0), (0.3, -0.7), (4.0, 0.25), (-2.0, -3.0)]


def central(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_derivative(name: str) -> None:
    build, ag, points = UNARY[name]
    for x in points:
        a = Value(x)
        v = build(a)
        v.backward()
        np.testing.assert_allclose(v.data, ag(x), rtol=RTOL_SAME_FORMULA, atol=0)
        if name == "sigmoid" and x > 10:
            # sigma (1 - sigma) loses digits to 1 - sigma near 1, as the engine's derivative
            # does: there the two must agree exactly, and autograd to the digits that are left
            assert a.grad == float(nb.sigmoid_derivative(np.array([x]))[0])
            np.testing.assert_allclose(a.grad, autograd.grad(ag)(x), rtol=1e-2)
            continue
        np.testing.assert_allclose(a.grad, autograd.grad(ag)(x), rtol=RTOL_SAME_FORMULA, atol=0)
        if abs(x) > 10:  # the sigmoid's slope there (1e-13) is below the FD noise
            continue
        fd = central(lambda t: build(Value(t)).data, x)
        np.testing.assert_allclose(a.grad, fd, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary_derivatives(op: str) -> None:
    f = BINARY[op]
    for x, y in PAIRS:
        a, b = Value(x), Value(y)
        v = f(a, b)
        v.backward()
        assert v.data == f(x, y)
        da, db = autograd.grad(f, 0)(x, y), autograd.grad(f, 1)(x, y)
        np.testing.assert_allclose([a.grad, b.grad], [da, db], rtol=RTOL_SAME_FORMULA, atol=0)
        fd = [central(lambda t, y=y: f(t, y), x), central(lambda t, x=x: f(x, t), y)]
        np.testing.assert_allclose([a.grad, b.grad], fd, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("op", sorted(BINARY))
def test_plain_numbers_on_either_side(op: str) -> None:
    f = BINARY[op]
    for x, y in PAIRS:
        a = Value(x)
        left, right = f(a, y), f(y, a)  # __op__ and __rop__
        assert (left.data, right.data) == (f(x, y), f(y, x))
        left.backward()
        np.testing.assert_allclose(a.grad, autograd.grad(f, 0)(x, y), rtol=RTOL_SAME_FORMULA)
        right.backward()
        np.testing.assert_allclose(a.grad, autograd.grad(f, 1)(y, x), rtol=RTOL_SAME_FORMULA)


def test_sigmoid_is_the_engines() -> None:
    zs = [-800.0, -40.0, -1.3, 0.0, 2.2, 40.0, 800.0]
    assert [Value(z).sigmoid().data for z in zs] == nb.sigmoid(np.array(zs)).tolist()
    assert [Value(z).tanh().data for z in zs] == nb.tanh(np.array(zs)).tolist()


def test_relu_at_zero_follows_the_book() -> None:
    for f, slope in ((Value.relu, 0.0), (Value.leaky_relu, 0.01)):
        a = Value(0.0)
        f(a).backward()
        assert a.grad == slope == float(nb.DERIVATIVES[f.__name__](np.array([0.0]))[0])


def test_a_value_used_twice_collects_both_paths() -> None:
    x = Value(3.0)
    y = x * x  # two edges from x into one node
    y.backward()
    assert x.grad == 6.0
    w = Value(0.5)
    h = w.tanh()
    J = h * w + h.exp()  # w reaches J along three paths
    J.backward()
    t = math.tanh(0.5)
    expected = (1 - t * t) * 0.5 + t + math.exp(t) * (1 - t * t)
    np.testing.assert_allclose(w.grad, expected, rtol=RTOL_SAME_FORMULA)


def test_backward_order_is_reverse_topological() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = e.topological_order()
    assert len(order) == len({id(v) for v in order}) == 5
    pos = {id(v): k for k, v in enumerate(order)}
    for v in order:
        assert all(pos[id(p)] < pos[id(v)] for p in v.parents)
    e.backward()
    # e = (ab + a) ab: de/da = (b + 1) ab + (ab + a) b
    assert (a.grad, b.grad) == (3 * 2 + 3 * 2, 3 * 1 + 0 + 1 * 2) == (12.0, 5.0)


def test_backward_resets_and_is_repeatable() -> None:
    x = Value(2.0)
    y = x * 3 + x
    y.backward()
    y.backward()
    assert x.grad == 4.0  # not 8: each backward starts from zero


def test_deep_graph_has_no_recursion_limit() -> None:
    x = Value(0.3)
    v = x
    for _ in range(20_000):  # far beyond Python's recursion limit
        v = v * 1.0001 - 0.0001
    v.backward()
    np.testing.assert_allclose(x.grad, 1.0001**20_000, rtol=1e-9)


@pytest.mark.parametrize("bad", ["1", None, [1.0], np.ones(2), True, 1j])
def test_non_numbers_are_refused_by_name(bad) -> None:
    with pytest.raises(TypeError, match=r"^data: expected a real number"):
        Value(bad)
    a = Value(1.0)
    for op, f in BINARY.items():
        with pytest.raises(TypeError, match=rf"^operand of '{re_escape(op)}': expected"):
            f(a, bad)
    with pytest.raises(TypeError, match=r"^exponent: expected a real number"):
        a ** Value(2.0)


def re_escape(s: str) -> str:
    import re

    return re.escape(s)


def test_bad_values_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"^data: expected a finite number, got nan"):
        Value(float("nan"))
    with pytest.raises(ValueError, match=r"^log: expected a value > 0, got 0.0"):
        Value(0.0).log()
    with pytest.raises(ZeroDivisionError, match="division by a value 0"):
        Value(1.0) / 0
    with pytest.raises(OverflowError, match="^exp: "):
        Value(710.0).exp()
    with pytest.raises(ValueError, match="^exponent: "):
        Value(-2.0) ** 0.5
    with pytest.raises(OverflowError, match=r"^×: the result"):
        Value(1e300) * 1e300
    with pytest.raises(TypeError, match="^label: expected a str"):
        Value(1.0, label=3)


# ------------------------------------------------------------------ networks built from Values
def _activation(name: str, z: list[Value]) -> list[Value]:
    if name == "identity":
        return z
    if name == "softmax":  # exp(z_j - c) / sum_k exp(z_k - c); c a constant: same softmax
        c = max(v.data for v in z)
        e = [(v - c).exp() for v in z]
        total = e[0]
        for t in e[1:]:
            total = total + t
        return [t / total for t in e]
    return [getattr(v, name)() for v in z]


def value_gradients(net: nb.Network, X: np.ndarray, Y: np.ndarray):
    """J and its gradients, the network built neuron by neuron from Values."""
    W = {l: [[Value(w) for w in row] for row in net.W[l].tolist()] for l in net.W}  # noqa: E741
    b = {l: [Value(v) for v in net.b[l][:, 0].tolist()] for l in net.b}  # noqa: E741
    m = X.shape[1]
    terms = []
    for i in range(m):
        a = X[:, i].tolist()  # the data are plain numbers
        for l in range(1, net.L + 1):  # noqa: E741
            z = []
            for j, row in enumerate(W[l]):
                s = b[l][j]
                for w, ak in zip(row, a, strict=True):
                    s = s + w * ak
                z.append(s)
            a = _activation(net.g[l].name, z)
        for ak, yk in zip(a, Y[:, i].tolist(), strict=True):
            if net.loss.name == "mse":
                terms.append((ak - yk) ** 2)
            elif net.loss.name == "bce":
                terms.append(-(yk * ak.log() + (1 - yk) * (1 - ak).log()))
            else:
                terms.append(-(yk * ak.log()))
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    J = total / m
    J.backward()
    dW = {l: np.array([[w.grad for w in row] for row in W[l]]) for l in W}  # noqa: E741
    db = {l: np.array([[v.grad] for v in b[l]]) for l in b}  # noqa: E741
    return J.data, dW, db


HIDDEN = ["sigmoid", "tanh", "relu", "identity", "leaky_relu"]
OUTPUT_LOSS = [("sigmoid", "bce"), ("softmax", "cross_entropy"), ("identity", "mse"),
               ("sigmoid", "mse"), ("tanh", "mse"), ("relu", "mse"), ("leaky_relu", "mse"),
               ("softmax", "mse")]


def random_problem(seed: int):
    """A network of 1 to 4 layers, widths 1 to 5, biases non-zero, m = 2..5 examples."""
    rng = np.random.default_rng(seed)
    out, loss = OUTPUT_LOSS[seed % len(OUTPUT_LOSS)]
    depth = 1 + seed % 4
    n_out = 3 if out == "softmax" else int(rng.integers(1, 3))
    sizes = ([int(rng.integers(1, 5))] + [int(rng.integers(1, 6)) for _ in range(depth - 1)]
             + [n_out])
    acts = [HIDDEN[(seed // 4 + k) % len(HIDDEN)] for k in range(depth - 1)] + [out]
    m = int(rng.integers(2, 6))
    net = nb.Network(sizes, acts, loss, seed=seed)
    for l in net.b:  # noqa: E741
        net.b[l] = rng.normal(0.0, 0.5, size=net.b[l].shape)
    X = rng.normal(size=(sizes[0], m))
    if loss == "bce":
        Y = rng.integers(0, 2, size=(n_out, m)).astype(float)
    elif loss == "cross_entropy":
        Y = np.eye(n_out)[:, rng.integers(0, n_out, m)]
    else:
        Y = rng.normal(size=(n_out, m))
    return net, X, Y


def test_the_221_example_matches_network_backward() -> None:
    x, t, w1, w2 = nb.worked.example_221()
    net = nb.Network.from_parameters({1: w1.T, 2: w2.T}, {1: np.zeros((2, 1)),
                                     2: np.zeros((1, 1))}, "sigmoid", "mse")
    J, dW, db = value_gradients(net, x, t)
    grads = net.backward(net.forward(x), t)
    np.testing.assert_allclose(J, net.cost(x, t), rtol=RTOL_SAME_FORMULA, atol=0)
    for l in (1, 2):  # noqa: E741
        np.testing.assert_allclose(dW[l], grads.dW[l], rtol=RTOL_SAME_FORMULA, atol=0)
        np.testing.assert_allclose(db[l], grads.db[l], rtol=RTOL_SAME_FORMULA, atol=0)


def test_random_networks_cover_every_activation_and_pair() -> None:
    problems = [random_problem(s) for s in range(64)]
    hidden = {net.g[l].name for net, _, _ in problems for l in range(1, net.L)}  # noqa: E741
    pairs = {(net.g[net.L].name, net.loss.name) for net, _, _ in problems}
    assert hidden == set(HIDDEN) and pairs == set(OUTPUT_LOSS)
    assert {net.L for net, _, _ in problems} == {1, 2, 3, 4}


@pytest.mark.parametrize("seed", range(64))
def test_random_network_matches_network_backward(seed: int) -> None:
    net, X, Y = random_problem(seed)
    J, dW, db = value_gradients(net, X, Y)
    grads = net.backward(net.forward(X), Y)
    np.testing.assert_allclose(J, net.cost(X, Y), rtol=RTOL_SAME_FORMULA, atol=0)
    for l in range(1, net.L + 1):  # noqa: E741
        np.testing.assert_allclose(dW[l], grads.dW[l], rtol=RTOL_SAME_FORMULA, atol=0,
                                   err_msg=f"dW[{l}] of {net}")
        np.testing.assert_allclose(db[l], grads.db[l], rtol=RTOL_SAME_FORMULA, atol=0,
                                   err_msg=f"db[{l}] of {net}")


def test_the_comparison_can_fail(monkeypatch) -> None:
    """A wrong local derivative (tanh' = 1 - t instead of 1 - t^2) is caught."""

    def wrong_tanh(self: Value) -> Value:
        t = math.tanh(self.data)
        return Value._result(t, "tanh", (self,), (1 - t,))

    net, X, Y = random_problem(5)  # its hidden layer is tanh
    assert net.g[1].name == "tanh"
    monkeypatch.setattr(Value, "tanh", wrong_tanh)
    _, dW, _ = value_gradients(net, X, Y)
    grads = net.backward(net.forward(X), Y)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(dW[1], grads.dW[1], rtol=RTOL_SAME_FORMULA, atol=0)
