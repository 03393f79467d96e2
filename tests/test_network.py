# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""Network: initialisation, forward/backward equations, step, fit, predict, dtype."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

import nnbook as nb


def test_shapes_and_layer_keys():
    net = nb.Network([3, 5, 4, 2], ["relu", "tanh", "softmax"], "cross_entropy", seed=0)
    assert net.L == 3 and net.sizes == [3, 5, 4, 2]
    assert sorted(net.W) == sorted(net.b) == [1, 2, 3]
    for l in range(1, 4):
        assert net.W[l].shape == (net.sizes[l], net.sizes[l - 1])
        assert net.b[l].shape == (net.sizes[l], 1)
        assert not net.b[l].any()
    assert [net.g[l].name for l in (1, 2, 3)] == ["relu", "tanh", "softmax"]


def test_single_activation_string_applies_to_all_layers():
    net = nb.Network([2, 3, 1], "sigmoid", "bce", seed=0)
    assert [net.g[l].name for l in (1, 2)] == ["sigmoid", "sigmoid"]


def test_same_seed_bit_identical_weights():
    a = nb.Network([4, 6, 3], ["relu", "sigmoid"], "bce", seed=42)
    b = nb.Network([4, 6, 3], ["relu", "sigmoid"], "bce", seed=42)
    c = nb.Network([4, 6, 3], ["relu", "sigmoid"], "bce", seed=43)
    for l in (1, 2):
        assert a.W[l].tobytes() == b.W[l].tobytes()
    assert not np.array_equal(a.W[1], c.W[1])


def test_init_schemes_have_the_documented_scale():
    big = 400
    he = nb.Network([big, big], "relu", "mse", init="he", seed=0).W[1]
    np.testing.assert_allclose(he.std(), np.sqrt(2 / big), rtol=0.02)
    xa = nb.Network([big, big], "tanh", "mse", init="xavier", seed=0).W[1]
    r = np.sqrt(6 / (2 * big))
    assert xa.min() >= -r and xa.max() <= r
    np.testing.assert_allclose(xa.std(), r / np.sqrt(3), rtol=0.02)
    normal = nb.Network([big, big], "tanh", "mse", init="normal", seed=0).W[1]
    np.testing.assert_allclose(normal.std(), 0.01, rtol=0.02)
    auto = nb.Network([big, big, big], ["relu", "tanh"], "mse", seed=0)
    np.testing.assert_allclose(auto.W[1].std(), np.sqrt(2 / big), rtol=0.02)  # He for relu
    np.testing.assert_allclose(auto.W[2].std(), r / np.sqrt(3), rtol=0.02)  # Xavier otherwise
    assert not nb.Network([3, 2], "tanh", "mse", init="zeros").W[1].any()
    with pytest.raises(ValueError, match="init: expected one of"):
        nb.Network([3, 2], "tanh", "mse", init="orthogonal")


def test_forward_is_the_textbook_equations():
    net = nb.Network([3, 4, 2], ["tanh", "sigmoid"], "bce", seed=1)
    net.b[1][:] = 0.3
    X = np.random.default_rng(0).normal(size=(3, 7))
    c = net.forward(X)
    assert c.A[0] is not None and np.array_equal(c.A[0], X)
    Z1 = net.W[1] @ X + net.b[1]
    # The same products, perhaps by another BLAS kernel: equal up to rounding, not bit for bit.
    np.testing.assert_allclose(c.Z[1], Z1, rtol=RTOL_SAME_FORMULA)
    np.testing.assert_allclose(c.A[1], np.tanh(Z1), rtol=RTOL_SAME_FORMULA)
    A2 = nb.sigmoid(net.W[2] @ np.tanh(Z1) + net.b[2])
    np.testing.assert_allclose(c.A[2], A2, rtol=RTOL_SAME_FORMULA)


def test_backward_per_example_dZ_and_one_over_m():
    rng = np.random.default_rng(3)
    net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
    X, Y = rng.normal(size=(2, 6)), (rng.random((1, 6)) > 0.5).astype(float)
    c = net.forward(X)
    g = net.backward(c, Y)
    np.testing.assert_allclose(g.dZ[2], c.A[2] - Y)
    np.testing.assert_allclose(g.dW[2], g.dZ[2] @ c.A[1].T / 6)
    np.testing.assert_allclose(g.db[2], g.dZ[2].mean(axis=1, keepdims=True))
    np.testing.assert_allclose(g.dA[1], net.W[2].T @ g.dZ[2])
    np.testing.assert_allclose(g.dZ[1], g.dA[1] * (1 - c.A[1] ** 2))
    np.testing.assert_allclose(g.dW[1], g.dZ[1] @ X.T / 6)
    # per-example: the gradient of one example's loss is column i of dZ
    single = net.backward(net.forward(X[:, [2]]), Y[:, [2]])
    np.testing.assert_allclose(single.dZ[1][:, 0], g.dZ[1][:, 2])
    assert sorted(g.dA) == [1]


def test_step_updates_in_place():
    net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], "bce", seed=0)
    W1 = net.W[1]
    before = {l: (net.W[l].copy(), net.b[l].copy()) for l in (1, 2)}
    X, Y = nb.datasets.xor()
    g = net.backward(net.forward(X), Y)
    net.step(g, 0.1)
    assert net.W[1] is W1
    for l in (1, 2):
        np.testing.assert_allclose(net.W[l], before[l][0] - 0.1 * g.dW[l])
        np.testing.assert_allclose(net.b[l], before[l][1] - 0.1 * g.db[l])


def test_cost_matches_loss_of_forward():
    net = nb.Network([2, 3, 1], ["relu", "identity"], "mse", seed=0)
    X, Y = nb.datasets.regression_curve(20, seed=0)
    X = np.vstack([X, X**2])
    np.testing.assert_allclose(
        net.cost(X, Y), nb.mse(net.forward(X).A[2], Y), rtol=RTOL_SAME_FORMULA,
    )


def test_fit_xor_converges_and_history():
    X, Y = nb.datasets.xor()
    net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], loss="bce", seed=1)
    h = net.fit(X, Y, epochs=2000, learning_rate=0.5)
    assert isinstance(h, nb.History) and len(h.loss) == 2000
    assert (h.epochs, h.batch_size, h.learning_rate) == (2000, None, 0.5)
    assert h.loss[-1] < 0.01 < h.loss[0]
    assert net.predict(X).tolist() == [[0, 1, 1, 0]]
    # the milestone call from the brief runs (seed 0 of a 2-2-1 net sits in a local minimum)
    h0 = nb.Network([2, 2, 1], ["tanh", "sigmoid"], loss="bce", seed=0).fit(
        X, Y, epochs=2000, learning_rate=0.5)
    assert h0.loss[-1] < h0.loss[0]


def test_fit_full_batch_loss_is_cost_before_each_step():
    X, Y = nb.datasets.two_moons(50, seed=0)
    a = nb.Network([2, 4, 1], ["tanh", "sigmoid"], "bce", seed=0)
    b = a.copy()
    h = a.fit(X, Y, epochs=3, learning_rate=0.3)
    expected = []
    for _ in range(3):
        c = b.forward(X)
        expected.append(nb.bce(c.A[2], Y))
        b.step(b.backward(c, Y), 0.3)
    np.testing.assert_allclose(h.loss, expected, rtol=1e-12)
    np.testing.assert_allclose(a.W[1], b.W[1], rtol=1e-12)


def test_fit_minibatch_loss_is_weighted_mean_and_seeded():
    X, Y = nb.datasets.two_moons(50, seed=0)
    a = nb.Network([2, 4, 1], ["tanh", "sigmoid"], "bce", seed=0)
    b, c = a.copy(), a.copy()
    h = a.fit(X, Y, epochs=1, learning_rate=0.3, batch_size=16, seed=7)
    order = np.random.default_rng(7).permutation(50)
    total = 0.0
    for s in range(0, 50, 16):
        idx = order[s:s + 16]
        cache = b.forward(X[:, idx])
        total += nb.bce(cache.A[2], Y[:, idx]) * idx.size
        b.step(b.backward(cache, Y[:, idx]), 0.3)
    np.testing.assert_allclose(h.loss[0], total / 50, rtol=RTOL_SAME_FORMULA)
    np.testing.assert_allclose(a.W[1], b.W[1], rtol=1e-12)
    c.fit(X, Y, epochs=1, learning_rate=0.3, batch_size=16, seed=7)
    assert np.array_equal(a.W[1], c.W[1])


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
def test_divergence_leaves_the_network_as_before_and_names_epoch(fast, monkeypatch):
    import re

    from nnbook import _train

    if not fast:  # the plain loop: the fast one declines every problem
        monkeypatch.setattr(_train, "_supported", lambda net: False)
    X, Y = nb.datasets.regression_curve(30, seed=0)
    net = nb.Network([1, 8, 1], ["relu", "identity"], "mse", seed=0)
    twin = net.copy()
    W, b = dict(net.W), dict(net.b)
    before = {l: (net.W[l].copy(), net.b[l].copy()) for l in net.W}
    with pytest.raises(FloatingPointError, match=r"epoch \d+ .*learning_rate = 1e\+?30; the "
                                                 r"network is left as it was before fit") as err:
        net.fit(X * 1e3, Y * 1e3, epochs=50, learning_rate=1e30)
    epoch = int(re.search(r"epoch (\d+)", str(err.value)).group(1))
    assert epoch > 1
    for l in (1, 2):  # bit-identical, the same arrays
        assert net.W[l] is W[l] and net.b[l] is b[l]
        np.testing.assert_array_equal(net.W[l], before[l][0], strict=True)
        np.testing.assert_array_equal(net.b[l], before[l][1], strict=True)
    # the error carries the losses of the completed epochs, those of a run that stops there
    history = twin.fit(X * 1e3, Y * 1e3, epochs=epoch - 1, learning_rate=1e30)
    assert err.value.history == history.loss


def test_predict_kinds():
    X = np.array([[-1.0, 2.0, 0.0]])
    sig = nb.Network.from_parameters({1: [[1.0]]}, {1: [[0.0]]}, "sigmoid", "bce")
    assert sig.predict(X).tolist() == [[0, 1, 1]] and sig.predict(X).dtype.kind == "i"
    soft = nb.Network.from_parameters({1: [[1.0], [-1.0], [0.0]]}, {1: np.zeros((3, 1))},
                                      "softmax", "cross_entropy")
    assert soft.predict(X).tolist() == [[1, 0, 0]] or soft.predict(X).tolist() == [[1, 0, 2]]
    assert soft.predict(X).shape == (1, 3)
    np.testing.assert_allclose(soft.predict_proba(X).sum(axis=0), 1.0)
    lin = nb.Network.from_parameters({1: [[2.0]]}, {1: [[1.0]]}, "identity", "mse")
    assert lin.predict(X).tolist() == [[-1.0, 5.0, 1.0]]


def test_float32_end_to_end():
    X, Y = nb.datasets.spirals(60, classes=3, seed=0, one_hot=True)
    net = nb.Network([2, 8, 6, 3], ["relu", "tanh", "softmax"], "cross_entropy", seed=0,
                     dtype=np.float32)
    c = net.forward(X)
    g = net.backward(c, Y)
    arrays = [*c.Z.values(), *c.A.values(), *g.dW.values(), *g.db.values(), *g.dZ.values(),
              *g.dA.values(), *net.W.values(), *net.b.values()]
    assert all(a.dtype == np.float32 for a in arrays)
    net.step(g, np.float64(0.1))
    net.fit(X, Y, epochs=3, learning_rate=0.1, batch_size=16)
    assert all(a.dtype == np.float32 for a in [*net.W.values(), *net.b.values()])
    assert net.predict_proba(X).dtype == np.float32
    for loss, out, Yl in (("bce", "sigmoid", (Y[:1] > 0).astype(np.float32)),
                          ("mse", "identity", Y[:1])):
        n2 = nb.Network([2, 4, 1], ["leaky_relu", out], loss, seed=0, dtype=np.float32)
        g2 = n2.backward(n2.forward(X), Yl)
        assert all(a.dtype == np.float32 for a in [*g2.dW.values(), *g2.dZ.values()])


def test_from_parameters_copies_and_validates():
    W1 = np.ones((2, 3))
    net = nb.Network.from_parameters([W1, np.ones((1, 2))], [np.zeros(2), np.zeros((1, 1))],
                                     ["relu", "identity"], "mse")
    W1[0, 0] = 5.0
    assert net.W[1][0, 0] == 1.0 and net.sizes == [3, 2, 1] and net.b[1].shape == (2, 1)
    with pytest.raises(ValueError, match=r"W\[2\]: expected shape \(1, 2\) to follow W\[1\]"):
        nb.Network.from_parameters({1: np.ones((2, 3)), 2: np.ones((1, 4))},
                                   {1: np.zeros((2, 1)), 2: np.zeros((1, 1))}, "relu")
    with pytest.raises(ValueError, match=r"b\[1\]: expected shape \(2, 1\), got shape \(1, 2\)"):
        nb.Network.from_parameters({1: np.ones((2, 3))}, {1: np.zeros((1, 2))}, "relu")
    with pytest.raises(ValueError, match=r"W\[1\]: expected finite values"):
        nb.Network.from_parameters({1: [[np.nan]]}, {1: [[0.0]]}, "relu")
    assert nb.Network.from_parameters({1: np.ones((1, 1), np.float32)}, {1: [[0.0]]},
                                      "relu").dtype == np.float32


def test_copy_is_independent():
    a = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
    b = a.copy()
    b.W[1] += 1
    assert not np.array_equal(a.W[1], b.W[1])
    assert repr(a) == "Network([2, 3, 1], ['tanh', 'sigmoid'], loss='bce', dtype=float64)"


def test_engine_never_imports_matplotlib():
    import subprocess
    import sys

    code = ("import sys, nnbook, nnbook.gradcheck, nnbook.worked, nnbook.io, nnbook._train; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_api_of_contributing_md():
    for name in ["sigmoid", "tanh", "relu", "identity", "leaky_relu", "softmax",
                 "sigmoid_derivative", "tanh_derivative", "relu_derivative",
                 "identity_derivative", "leaky_relu_derivative", "ACTIVATIONS", "DERIVATIVES",
                 "get_activation", "bce", "bce_with_logits", "mse", "cross_entropy",
                 "bce_derivative", "mse_derivative", "cross_entropy_derivative", "get_loss",
                 "output_delta", "VALID_PAIRS", "Network", "gradient_check", "save", "load",
                 "datasets",
                 "__version__"]:
        assert hasattr(nb, name), name
    assert set(nb.__all__) <= set(dir(nb))
    for f in ["xor", "two_moons", "circles", "spirals", "regression_curve"]:
        assert callable(getattr(nb.datasets, f))


# ------------------------------------------------------------------ L2 regularisation
def _l2_problem(l2: float = 0.3):
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(3, 7)), (rng.random((1, 7)) > 0.5).astype(float)
    net = nb.Network([3, 4, 3, 1], ["tanh", "relu", "sigmoid"], "bce", seed=2, l2=l2)
    return net, X, Y


def test_l2_cost_adds_the_penalty_on_weights_only():
    net, X, Y = _l2_problem(0.3)
    plain = net.copy()
    plain.l2 = 0.0
    squares = sum(float((W ** 2).sum()) for W in net.W.values())
    np.testing.assert_allclose(
        net.cost(X, Y), plain.cost(X, Y) + 0.3 / (2 * 7) * squares,
        rtol=RTOL_SAME_FORMULA,
    )
    net.b[1][:] = 5.0  # biases are not penalised
    np.testing.assert_allclose(net.penalty(7), 0.3 / 14 * squares, rtol=RTOL_SAME_FORMULA)


def test_l2_backward_adds_lambda_over_m_W_to_dW_not_db():
    net, X, Y = _l2_problem(0.3)
    plain = net.copy()
    plain.l2 = 0.0
    g, g0 = net.backward(net.forward(X), Y), plain.backward(plain.forward(X), Y)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(g.dW[l], g0.dW[l] + 0.3 / 7 * net.W[l], rtol=1e-13)
        np.testing.assert_array_equal(g.db[l], g0.db[l])
        np.testing.assert_array_equal(g.dZ[l], g0.dZ[l])


@pytest.mark.parametrize("l2", [0.0, 0.05, 0.7, 3.0])
def test_l2_gradient_check_passes(l2: float):
    net, X, Y = _l2_problem(l2)
    result = nb.gradient_check(net, X, Y)
    assert result.max_error < 1e-7, str(result)


def test_l2_step_is_weight_decay():
    """W := W - alpha (dW_data + (lambda/m) W) equals (1 - alpha lambda/m) W - alpha dW_data."""
    net, X, Y = _l2_problem(0.3)
    plain = net.copy()
    plain.l2 = 0.0
    data = plain.backward(plain.forward(X), Y)
    decayed = {l: (1 - 0.5 * 0.3 / 7) * net.W[l] - 0.5 * data.dW[l] for l in net.W}
    net.step(net.backward(net.forward(X), Y), learning_rate=0.5)
    for l in net.W:
        np.testing.assert_allclose(net.W[l], decayed[l], rtol=1e-14, atol=1e-15)


def test_l2_is_kept_by_copy_and_from_parameters_and_shown_in_repr():
    net, _, _ = _l2_problem(0.25)
    assert net.copy().l2 == 0.25
    assert "l2=0.25" in repr(net)
    assert "l2" not in repr(nb.Network([2, 1], "sigmoid", "bce", seed=0))
    again = nb.Network.from_parameters(net.W, net.b, ["tanh", "relu", "sigmoid"], "bce", l2=2)
    assert again.l2 == 2.0 and isinstance(again.l2, float)


@pytest.mark.parametrize(
    "bad, error",
    [(-0.1, ValueError), (float("nan"), ValueError), (float("inf"), ValueError),
     ("0.1", TypeError), (True, TypeError), (None, TypeError), ([0.1], TypeError)],
)
def test_l2_is_validated_naming_the_argument(bad, error):
    with pytest.raises(error, match=r"l2: expected a finite number >= 0"):
        nb.Network([2, 1], "sigmoid", "bce", l2=bad)
    net = nb.Network([2, 1], "sigmoid", "bce")
    with pytest.raises(error, match=r"l2: expected a finite number >= 0"):
        net.l2 = bad
    assert net.l2 == 0.0


def test_l2_fit_history_is_the_regularised_cost_and_shrinks_weights():
    X, Y = nb.datasets.regression_curve(40, seed=0)
    nets = {lam: nb.Network([1, 16, 1], ["tanh", "identity"], "mse", seed=0, l2=lam)
            for lam in (0.0, 1.0)}
    for net in nets.values():
        before = net.cost(X, Y)
        hist = net.fit(X, Y, epochs=1, learning_rate=0.05)
        # full batch: J before the step
        np.testing.assert_allclose(
            hist.loss[0], before, rtol=RTOL_SAME_FORMULA,
        )
        net.fit(X, Y, epochs=300, learning_rate=0.05)

    def norm(net):
        return sum(float((W ** 2).sum()) for W in net.W.values())

    assert norm(nets[1.0]) < norm(nets[0.0])


def test_from_parameters_dtype_and_conversion():
    """dtype defaults to W[1]'s when it is float32/float64, else float64; the arrays are cast,
    copied, and a non-numeric or empty parameter set is refused by name."""
    W32 = {1: np.ones((1, 2), np.float32)}
    b = {1: np.zeros((1, 1))}
    assert nb.Network.from_parameters(W32, b, "identity").dtype == np.float32
    assert nb.Network.from_parameters({1: [[1, 2]]}, {1: [[0]]}, "identity").dtype == np.float64
    net = nb.Network.from_parameters({1: np.ones((1, 2))}, b, "identity", dtype=np.float32)
    assert net.W[1].dtype == net.b[1].dtype == np.float32
    with pytest.raises(TypeError, match=r"^W\[1\]: expected a numeric array, got dtype <U1$"):
        nb.Network.from_parameters({1: [["a", "b"]]}, b, "identity")
    with pytest.raises(ValueError, match=r"^W, b: expected the same layer keys 1..L, got W keys "
                                         r"\[\] and b keys \[\]$"):
        nb.Network.from_parameters({}, {}, "identity")


# ------------------------------------- validate everything, then change anything (issue 11)
def _everything(net: nb.Network) -> dict:
    """Every parameter (identity, dtype, shape, bytes) and every other attribute of ``net``."""
    state = {f"{name}[{l}]": (id(a), a.dtype, a.shape, a.tobytes())
             for name, P in (("W", net.W), ("b", net.b)) for l, a in P.items()}
    state["dicts"] = (id(net.W), id(net.b), list(net.W), list(net.b))
    for key, value in vars(net).items():
        if key not in ("W", "b"):
            state[key] = (copy.copy(value), repr(value))
    return state


def _net221() -> nb.Network:
    return nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0, l2=0.1)


def _grads(net: nb.Network) -> nb.Gradients:
    X, Y = nb.datasets.xor()
    Y = np.repeat(Y, net.sizes[-1], axis=0)           # one row per output unit
    return net.backward(net.forward(X), Y)


def _foreign_grads(case: str) -> nb.Gradients:
    other = {"layer 2 differs": [2, 3, 2], "layer 1 differs": [2, 5, 1]}.get(case, [2, 3, 1])
    g = _grads(nb.Network(other, ["tanh", "sigmoid"], "bce", seed=1))
    if case == "missing layer":
        del g.dW[2]
    elif case == "float32":
        g.dW[1] = g.dW[1].astype(np.float32)
    elif case == "NaN in db[2]":
        g.db[2][0, 0] = np.nan
    elif case == "inf in dW[1]":
        g.dW[1][1, 0] = -np.inf
        g.dW[1][2, 1] = np.inf
    elif case == "a list":
        g.db[1] = g.db[1].tolist()
    elif case == "a dict":
        return {"dW": g.dW, "db": g.db}
    return g


STEP_REFUSALS = {
    # the old bug: layer 1 fits, so W[1] used to change before layer 2 failed to broadcast
    "layer 2 differs": (ValueError, r"^grads: expected dW\[2\] of shape \(1, 3\) \(the shape of "
                                    r"W\[2\]\), got shape \(2, 3\)$"),
    "layer 1 differs": (ValueError, r"^grads: expected dW\[1\] of shape \(3, 2\) \(the shape of "
                                    r"W\[1\]\), got shape \(5, 2\)$"),
    "missing layer": (ValueError, r"^grads: expected dW\[l\] for the layers \[1, 2\] of this "
                                  r"network, got layers \[1\]$"),
    "float32": (ValueError, r"^grads: expected dW\[1\] of dtype float64 \(the network's\), got "
                            r"dtype float32$"),
    "NaN in db[2]": (ValueError, r"^grads: db\[2\] contains NaN or inf at entries \[\(0, 0\)\] "
                                 r"\(1 of 1\)$"),
    "inf in dW[1]": (ValueError, r"^grads: dW\[1\] contains NaN or inf at entries \[\(1, 0\), "
                                 r"\(2, 1\)\] \(2 of 6\)$"),
    "a list": (TypeError, r"^grads: expected db\[1\] to be an array, got list$"),
    "a dict": (TypeError, r"^grads: expected the Gradients of this network's backward \(dicts dW "
                          r"and db keyed by layer\), got dict$"),
}


@pytest.mark.parametrize("case", list(STEP_REFUSALS))
def test_step_refuses_another_networks_grads_and_changes_nothing(case):
    net = _net221()
    before = _everything(net)
    error, match = STEP_REFUSALS[case]
    with pytest.raises(error, match=match):
        net.step(_foreign_grads(case), learning_rate=0.1)
    assert _everything(net) == before


@pytest.mark.parametrize(("dtype", "lr"), [(np.float64, 1e308), (np.float32, 1e30)])
def test_step_refuses_an_update_that_would_overflow_and_changes_nothing(dtype, lr):
    net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0, dtype=dtype)
    g = _grads(net)
    g.dW[2][...] = 1e10                              # finite, but lr * dW[2] overflows
    before = _everything(net)
    with _no_warnings():
        with pytest.raises(FloatingPointError,
                           match=rf"^step: W\[2\] - learning_rate \* dW\[2\] with learning_rate "
                                 rf"= {lr:.0e}".replace("+", r"\+") + r" is not finite at "
                                 r"entries \[\(0, 0\), \(0, 1\), \(0, 2\)\] \(3 of 3\) "
                                 r"\(overflow\); nothing was changed$"):
            net.step(g, lr)
    assert _everything(net) == before


class _no_warnings:
    """No warning may escape (turned into an error)."""

    def __enter__(self):
        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


@pytest.mark.parametrize(("lr", "error"), [(0, ValueError), (-1.0, ValueError),
                                           (float("nan"), ValueError), ("0.1", TypeError),
                                           (True, TypeError)])
def test_step_bad_learning_rate_changes_nothing(lr, error):
    net = _net221()
    g = _grads(net)
    before = _everything(net)
    with pytest.raises(error, match=r"^learning_rate: expected a finite number > 0, got "):
        net.step(g, lr)
    assert _everything(net) == before


def test_step_refuses_nonfinite_parameters_and_changes_nothing():
    net = _net221()
    g = _grads(net)
    net.W[1][0, 1] = np.nan
    before = _everything(net)
    with pytest.raises(ValueError, match=r"^W\[1\]: contains NaN or inf before the step, at "
                                         r"entries \[\(0, 1\)\] \(1 of 6\); the parameters were "
                                         r"not finite before this call \(this is not "
                                         r"divergence\)$"):
        net.step(g, 0.1)
    assert _everything(net) == before                # the NaN too, bit for bit


@pytest.mark.parametrize(("bad", "error"), [(-1.0, ValueError), (float("nan"), ValueError),
                                            (float("inf"), ValueError), ("0.1", TypeError),
                                            (None, TypeError), (True, TypeError),
                                            (np.array(0.1), TypeError)])
def test_l2_setter_refusal_changes_nothing(bad, error):
    net = _net221()
    before = _everything(net)
    with pytest.raises(error, match=r"^l2: expected a finite number >= 0, got "):
        net.l2 = bad
    assert _everything(net) == before and net.l2 == 0.1


FIT_REFUSALS = [
    # (keyword arguments replacing the good ones, error, message)
    ({"X": np.zeros((3, 4))}, ValueError, r"^X: expected shape \(2, m\)"),
    ({"Y": np.zeros((1, 5))}, ValueError, r"^Y: expected 4 examples"),
    ({"epochs": 0}, ValueError, r"^epochs: expected an integer >= 1, got 0$"),
    ({"epochs": -5}, ValueError, r"^epochs: expected an integer >= 1, got -5$"),
    ({"epochs": 1.5}, TypeError, r"^epochs: expected an integer >= 1, got 1.5$"),
    ({"epochs": True}, TypeError, r"^epochs: expected an integer >= 1, got True$"),
    ({"epochs": "10"}, TypeError, r"^epochs: expected an integer >= 1, got '10'$"),
    ({"learning_rate": 0.0}, ValueError, r"^learning_rate: expected a finite number > 0, got 0.0$"),
    ({"learning_rate": np.nan}, ValueError, r"^learning_rate: expected a finite number > 0"),
    ({"batch_size": 0}, ValueError, r"^batch_size: expected an integer >= 1, got 0$"),
    ({"batch_size": 2.5}, TypeError, r"^batch_size: expected an integer >= 1, got 2.5$"),
    ({"shuffle": "yes"}, TypeError, r"^shuffle: expected True or False, got 'yes'$"),
    ({"seed": "abc"}, TypeError, r"^seed: expected None, an integer >= 0 or a "
                                 r"numpy.random.Generator, got 'abc'$"),
    ({"seed": -1}, ValueError, r"^seed: expected None, an integer >= 0 or a "
                               r"numpy.random.Generator, got -1$"),
    ({"progress": "yes"}, TypeError, r"^progress: expected True or False, got 'yes'$"),
    ({"callback": "stop"}, TypeError, r"^callback: expected None or a function "
                                      r"callback\(epoch, loss, net\), got 'stop'$"),
]


@pytest.mark.parametrize(("change", "error", "match"), FIT_REFUSALS,
                         ids=[next(iter(c)) + "=" + repr(next(iter(c.values())))[:12]
                              for c, _, _ in FIT_REFUSALS])
def test_fit_bad_argument_is_named_and_changes_nothing(change, error, match):
    net = _net221()
    X, Y = nb.datasets.xor()
    kwargs = {"X": X, "Y": Y, "epochs": 3, "learning_rate": 0.5, "batch_size": 2, "seed": 0}
    kwargs.update(change)
    before = _everything(net)
    with pytest.raises(error, match=match):
        net.fit(kwargs.pop("X"), kwargs.pop("Y"), **kwargs)
    assert _everything(net) == before


@pytest.mark.parametrize(("param", "where", "value", "match"), [
    ("W", (1, (0, 1), (2, 0)), np.nan,
     r"^W\[1\]: contains NaN or inf before training starts, at entries \[\(0, 1\), \(2, 0\)\] "
     r"\(2 of 6\); the parameters were not finite before this call \(this is not divergence\)$"),
    ("b", (2, (0, 0)), np.inf,
     r"^b\[2\]: contains NaN or inf before training starts, at entries \[\(0, 0\)\] \(1 of 1\)"),
])
def test_fit_names_nonfinite_parameters_before_training_not_divergence(param, where, value,
                                                                       match):
    net = _net221()
    l, *entries = where
    for ix in entries:
        getattr(net, param)[l][ix] = value
    before = _everything(net)
    with pytest.raises(ValueError, match=match) as err:
        net.fit(*nb.datasets.xor(), epochs=10, learning_rate=0.5)
    assert "diverged" not in str(err.value)
    assert _everything(net) == before


def test_fit_refuses_a_parameter_of_another_dtype_or_shape():
    net = _net221()
    net.W[2] = net.W[2].astype(np.float32)
    before = _everything(net)
    with pytest.raises(ValueError, match=r"^W\[2\]: expected a float64 array of shape \(1, 3\), "
                                         r"got a float32 array of shape \(1, 3\)$"):
        net.fit(*nb.datasets.xor(), epochs=1, learning_rate=0.5)
    assert _everything(net) == before
    net = _net221()
    net.b[1] = np.zeros((3,))
    before = _everything(net)
    with pytest.raises(ValueError, match=r"^b\[1\]: expected a float64 array of shape \(3, 1\), "
                                         r"got a float64 array of shape \(3,\)$"):
        net.step(_grads(_net221()), 0.1)
    assert _everything(net) == before


SEED_ENTRY_POINTS = {
    "Network": lambda seed: nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=seed),
    "fit": lambda seed: _net221().fit(*nb.datasets.xor(), epochs=1, learning_rate=0.1,
                                      batch_size=2, seed=seed),
    "two_moons": lambda seed: nb.datasets.two_moons(10, seed=seed),
    "circles": lambda seed: nb.datasets.circles(10, seed=seed),
    "spirals": lambda seed: nb.datasets.spirals(12, seed=seed),
    "regression_curve": lambda seed: nb.datasets.regression_curve(10, seed=seed),
}


@pytest.mark.parametrize("entry", list(SEED_ENTRY_POINTS))
@pytest.mark.parametrize(("seed", "error"), [("abc", TypeError), (-1, ValueError),
                                             (1.5, TypeError), (True, TypeError)])
def test_seed_is_refused_naming_seed_at_every_entry_point(entry, seed, error):
    with pytest.raises(error, match=r"^seed: expected None, an integer >= 0 or a "
                                    rf"numpy.random.Generator, got {seed!r}$"):
        SEED_ENTRY_POINTS[entry](seed)


def test_seed_accepts_a_generator_used_as_is():
    a = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=np.random.default_rng(7))
    b = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=7)
    assert all(np.array_equal(a.W[l], b.W[l]) for l in a.W)
    Xg, _ = nb.datasets.two_moons(20, seed=np.random.default_rng(3))
    Xi, _ = nb.datasets.two_moons(20, seed=3)
    assert np.array_equal(Xg, Xi)
    X, Y = nb.datasets.xor()
    a.fit(X, Y, epochs=2, learning_rate=0.1, batch_size=2, seed=np.random.default_rng(5))
    b.fit(X, Y, epochs=2, learning_rate=0.1, batch_size=2, seed=5)
    assert all(np.array_equal(a.W[l], b.W[l]) for l in a.W)


@pytest.mark.parametrize("call", ["forward", "backward", "cost", "predict"])
def test_nonfinite_parameters_are_named_by_every_pass(call):
    """A NaN/inf parameter is refused by name before any pass uses it (not a NaN result)."""
    net = _net221()
    X, Y = nb.datasets.xor()
    cache = net.forward(X)
    net.b[1][2, 0] = np.inf
    before = _everything(net)
    run = {"forward": lambda: net.forward(X), "backward": lambda: net.backward(cache, Y),
           "cost": lambda: net.cost(X, Y), "predict": lambda: net.predict(X)}[call]
    when = {"backward": "the backward pass", "cost": "computing the cost"}.get(
        call, "the forward pass")
    with pytest.raises(ValueError, match=rf"^b\[1\]: contains NaN or inf before {when}, at "
                                         r"entries \[\(2, 0\)\] \(1 of 3\)"):
        run()
    assert _everything(net) == before


def _foreign_cache(case: str, net: nb.Network) -> object:
    X, _ = nb.datasets.xor()
    cache = net.forward(X)
    if case == "another network":
        return nb.Network([3, 3, 1], ["tanh", "sigmoid"], "bce", seed=1).forward(np.ones((3, 4)))
    if case == "missing layer":
        del cache.Z[2]
    elif case == "other m":
        cache.A[1] = cache.A[1][:, :3]
    elif case == "float32":
        cache.Z[1] = cache.Z[1].astype(np.float32)
    elif case == "NaN in A[2]":
        cache.A[2][0, 1] = np.nan
    elif case == "a dict":
        return {"Z": cache.Z, "A": cache.A}
    return cache


CACHE_REFUSALS = {
    "another network": (ValueError, r"^cache: expected A\[0\] of shape \(2, m\) \(this network's\),"
                                    r" got shape \(3, 4\)$"),
    "missing layer": (ValueError, r"^cache: expected Z\[1..2\] and A\[0..2\] of this network's "
                                  r"forward, got Z keys \[1\] and A keys \[0, 1, 2\]$"),
    "other m": (ValueError, r"^cache: expected A\[1\] of shape \(3, 4\) \(this network's\), got "
                            r"shape \(3, 3\)$"),
    "float32": (ValueError, r"^cache: expected Z\[1\] of dtype float64 \(the network's\), got "
                            r"dtype float32$"),
    "NaN in A[2]": (ValueError, r"^cache: A\[2\] contains NaN or inf at entries \[\(0, 1\)\] "
                                r"\(1 of 4\)$"),
    "a dict": (TypeError, r"^cache: expected the Cache of this network's forward \(dicts Z and A "
                          r"keyed by layer\), got dict$"),
}


@pytest.mark.parametrize("case", list(CACHE_REFUSALS))
def test_backward_refuses_a_cache_that_is_not_this_networks(case):
    """Never a wrong gradient: a cache of another network (or spoiled) is refused by name."""
    net = _net221()
    _, Y = nb.datasets.xor()
    cache = _foreign_cache(case, net)
    before = _everything(net)
    error, match = CACHE_REFUSALS[case]
    with pytest.raises(error, match=match):
        net.backward(cache, Y)
    assert _everything(net) == before


# ------------------------------------------------ saturated outputs: cost and backward agree
SATURATION = [(np.float64, 40.0), (np.float64, 100.0), (np.float64, 700.0),
              (np.float32, 20.0), (np.float32, 90.0)]
"""Logit sizes |z| well past the clip (-ln eps = 27.6 in float64, 15.9 in float32)."""
CD_STEP = {np.float64: 1e-3, np.float32: 2.0**-4}
"""Central-difference steps: the cost is all but linear in a saturated logit (its second
derivative is sigma'(z) < 1e-8 here), so a wide step costs no truncation error and keeps the
rounding error of J (|J| ulp / 2h) small: about 1e-13 in float64, 1e-4 in float32."""
CD_TOL = {np.float64: {"rtol": 1e-7, "atol": 1e-9}, np.float32: {"rtol": 1e-3, "atol": 1e-3}}


def _saturated_net(output: str, z: float, dtype) -> nb.Network:
    """One layer, X = [[1, -1]]: a sigmoid unit with logits (z, -z), or a softmax pair whose
    columns have logits (z/2, -z/2) and (-z/2, z/2): a gap of z."""
    if output == "sigmoid":
        return nb.Network.from_parameters({1: [[z]]}, {1: [[0.0]]}, "sigmoid", "bce",
                                          dtype=dtype)
    return nb.Network.from_parameters({1: [[z / 2], [-z / 2]]}, {1: [[0.0], [0.0]]},
                                      "softmax", "cross_entropy", dtype=dtype)


def _central_differences(net: nb.Network, X, Y, h: float) -> dict[str, np.ndarray]:
    out = {}
    for name, P in (("W", net.W), ("b", net.b)):
        for l in P:
            g = np.zeros(P[l].shape)
            for k in range(P[l].size):
                J = []
                for sign in (1, -1):
                    other = net.copy()
                    (other.W if name == "W" else other.b)[l].flat[k] += sign * h
                    J.append(other.cost(X, Y))
                g.flat[k] = (J[0] - J[1]) / (2 * h)
            out[f"d{name}{l}"] = g
    return out


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
@pytest.mark.parametrize("wrong", [True, False], ids=["confidently-wrong", "confidently-right"])
@pytest.mark.parametrize(("dtype", "z"), SATURATION,
                         ids=[f"{np.dtype(d).name}-z{z:g}" for d, z in SATURATION])
def test_saturated_outputs_backward_is_the_gradient_of_the_cost(output, wrong, dtype, z):
    """Far past the clip the network's cost (from the logits) keeps its slope, and backward's
    shortcut A - Y is its gradient: central differences of cost equal backward."""
    net = _saturated_net(output, z, dtype)
    X = np.array([[1.0, -1.0]])
    right = np.array([[1.0, 0.0]]) if output == "sigmoid" else np.eye(2)
    Y = 1 - right if wrong else right
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = net.cost(X, Y)
        grads = net.backward(net.forward(X), Y)
        numeric = _central_differences(net, X, Y, CD_STEP[dtype])
    assert np.isfinite(J)
    # the true cost: each example costs about its logit gap when wrong, about e^-gap when right
    # (to the rounding of a cost near 1: the dtype's machine epsilon)
    np.testing.assert_allclose(J, z if wrong else np.exp(-z), rtol=1e-6,
                               atol=np.finfo(dtype).eps)
    for l in net.W:
        assert grads.dW[l].dtype == grads.db[l].dtype == dtype
        np.testing.assert_allclose(grads.dW[l], numeric[f"dW{l}"], **CD_TOL[dtype])
        np.testing.assert_allclose(grads.db[l], numeric[f"db{l}"], **CD_TOL[dtype])
    if wrong:  # the slope the clipped cost would have lost: 1 per unit of z
        assert np.abs(numeric["dW1"]).max() > 0.4


# ------------------------------- overflow of values that fit the dtype (F7 of the API fuzz)
def _f32(sizes, acts, loss, **kw) -> nb.Network:
    return nb.Network(sizes, acts, loss, seed=0, dtype=np.float32, **kw)


def _overflow_cases():
    """(network, call, regex): values that each fit the dtype, arithmetic that does not."""
    X1, X3 = np.ones((2, 4)), np.full((2, 4), 3e38)
    net = _f32([2, 3, 1], ["tanh", "sigmoid"], "bce")
    for name, run in (("forward", lambda n: n.forward(X3)),
                      ("predict", lambda n: n.predict(X3)),
                      ("predict_proba", lambda n: n.predict_proba(X3)),
                      ("cost", lambda n: n.cost(X3, np.ones((1, 4))))):
        yield (f"{name}: float32 X = 3e38", net, run,
               r"^forward: Z\[1\] = W\[1\] A\[0\] \+ b\[1\] overflows float32 at entries "
               r"\[\(\d, \d\).*: the values involved fit float32 \(\|x\| <= 3\.403e\+38\) but "
               r"this arithmetic on them does not\. Their largest magnitudes: X 3e\+38, W\[1\] "
               r"[\d.]+, b\[1\] 0\. Scale the largest down \(standardise X and Y\), or compute "
               r"in float64\.$")
    deep = _f32([2, 3, 1], ["identity", "identity"], "mse")
    deep.W[2][...] = 1e30
    yield ("forward: float32 W[2] = 1e30 in layer 2", deep,
           lambda n: n.forward(np.full((2, 4), 1e10)),
           r"^forward: Z\[2\] = W\[2\] A\[1\] \+ b\[2\] overflows float32 .*X 1e\+10, "
           r"W\[1\] [\d.]+, b\[1\] 0, W\[2\] 1e\+30, b\[2\] 0\. ")
    big_b = _f32([2, 3, 1], ["tanh", "identity"], "mse")
    big_b.b[2][0, 0] = 1e38
    yield ("cost: float32 b[2] = 1e38", big_b, lambda n: n.cost(X1, np.zeros((1, 4))),
           r"^cost: J \(the mean loss\) overflows float32: .*A\[2\] 1e\+38, .*b\[2\] 1e\+38\. ")
    decay = _f32([2, 3, 1], ["tanh", "tanh"], "mse", l2=0.1)
    decay.W[2][...] = 1e20
    yield ("cost: the L2 penalty of W[2] = 1e20 in float32", decay,
           lambda n: n.cost(X1, np.zeros((1, 4))),
           r"^cost: J \(the mean loss \+ the L2 penalty\) overflows float32: .*W\[2\] 1e\+20, ")
    mse = nb.Network([2, 3, 1], ["tanh", "identity"], "mse", seed=0)
    Y = np.full((1, 4), -1e308)
    yield ("backward: MSE Y = -1e308 in float64", mse,
           lambda n: n.backward(n.forward(X1), Y),
           r"^backward: dZ\[2\] = output_delta\(A\[2\], Y\) overflows float64 at entries "
           r"\[\(0, 0\), \(0, 1\), \(0, 2\), \(0, 3\)\] \(4 of 4\): .*Y 1e\+308, cache\.A\[0\] 1, "
           r".*\. Scale the largest down \(standardise X and Y\)\.$")
    yield ("cost: MSE Y = -1e308 in float64", mse, lambda n: n.cost(X1, Y),
           r"^cost: J \(the mean loss\) overflows float64: .*Y 1e\+308, ")
    relu = nb.Network([2, 3, 1], ["relu", "identity"], "mse", seed=0)
    relu.W[2][...] = 1e200
    Yr = np.full((1, 4), 1e200)
    yield ("backward: dA[1] = W[2]^T dZ[2] in float64", relu,
           lambda n: n.backward(n.forward(np.full((2, 4), 1e-200)), Yr),
           r"^backward: dA\[1\] = W\[2\]\^T dZ\[2\] overflows float64 .*W\[2\] 1e\+200, ")


OVERFLOWS = list(_overflow_cases())


@pytest.mark.parametrize("case", OVERFLOWS, ids=[c[0] for c in OVERFLOWS])
def test_overflow_of_values_that_fit_is_a_named_floating_point_error(case):
    """Never inf/NaN returned, never an escaped RuntimeWarning: a FloatingPointError that says
    what overflowed and the magnitudes of the values involved; the network is unchanged."""
    _, net, run, match = case
    before = _everything(net)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match=match):
            run(net)
    assert _everything(net) == before


def test_overflow_check_raises_no_false_alarm():
    """The stable sigmoid and softmax, underflow, and a logit gap beyond float32 are fine, even
    under np.errstate(all="raise"): finite results, no error."""
    net = nb.Network.from_parameters({1: [[1.0], [-1.0]]}, {1: [[0.0], [0.0]]}, "softmax",
                                     "cross_entropy", dtype=np.float32)
    sig = nb.Network.from_parameters({1: [[1.0]]}, {1: [[0.0]]}, "sigmoid", "bce",
                                     dtype=np.float32)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        A = net.forward(np.array([[3e38]])).A[1]           # logits +-3e38: z - max overflows
        p = sig.predict_proba(np.array([[-3e38, -1e4, 0.0, 1e4, 3e38]]))
        J = sig.cost(np.array([[-1e4, 1e4]]), np.array([[1.0, 0.0]]))
        grads = sig.backward(sig.forward(np.array([[-1e4, 1e4]])), np.array([[1.0, 0.0]]))
    assert A.ravel().tolist() == [1.0, 0.0]
    assert p.ravel().tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert J == 1e4 and np.isfinite(grads.dW[1]).all()
