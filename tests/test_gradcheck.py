# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""Gradient checks for every activation x loss x depth (1 to 4 layers), in float64."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

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
    assert result.kink_count == 0 and result.errors == result.errors_all


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
    assert text.splitlines()[0].split() == ["param", "shape", "|num|", "|ana|", "rel.", "error",
                                            "at", "kink"]
    assert "kink" not in "\n".join(text.splitlines()[1:])  # no kink: nothing said about it
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


# ---------------------------------------------------------------- eps is validated

@pytest.mark.parametrize("eps", [0, 0.0, -1e-6, float("nan"), float("inf"), 0.1, 1e-12],
                         ids=["zero-int", "zero", "negative", "nan", "inf", "too-large",
                              "too-small"])
def test_eps_out_of_range_is_refused(eps):
    net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], "bce", seed=0)
    with pytest.raises(ValueError, match=r"^eps: expected a number with 1e-10 <= eps <= 0\.01, "
                                         r"got " + re.escape(repr(eps)) + "$"):
        nb.gradient_check(net, *nb.datasets.xor(), eps=eps)


@pytest.mark.parametrize("eps", ["1e-6", None, True, [1e-6], 1e-6j],
                         ids=["str", "none", "bool", "list", "complex"])
def test_eps_not_a_number_is_refused(eps):
    net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], "bce", seed=0)
    with pytest.raises(TypeError, match=r"^eps: expected a number with 1e-10 <= eps <= 0\.01, "
                                        r"got " + re.escape(repr(eps)) + "$"):
        nb.gradient_check(net, *nb.datasets.xor(), eps=eps)


def test_eps_bounds_and_numpy_floats_are_accepted():
    net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], "bce", seed=0)
    for eps in (1e-10, 1e-2, np.float32(1e-4), 1e-6):
        assert nb.gradient_check(net, *nb.datasets.xor(), eps=eps).eps == float(eps)


def test_numerical_gradient_validates_eps():
    with pytest.raises(ValueError, match=r"^eps: expected a number with 1e-10 <= eps <= 0\.01, "
                                         r"got 0$"):
        numerical_gradient(lambda w: float(w.sum()), np.ones(2), eps=0)


def test_net_must_be_a_network():
    with pytest.raises(TypeError, match=r"^net: expected an nnbook Network, got dict$"):
        nb.gradient_check({"W": 1}, *nb.datasets.xor())


def test_passed_validates_tol():
    result = nb.gradient_check(nb.Network([2, 1], ["sigmoid"], "bce", seed=0),
                               *nb.datasets.xor())
    with pytest.raises(ValueError, match=r"^tol: expected a finite number > 0, got -1\.0$"):
        result.passed(-1.0)


# ---------------------------------------------------------------- kinks


def _one_unit_at_the_kink(act="relu"):
    """A 2-1-1 network whose single hidden pre-activation is exactly 0 (2*1 - 1*2 + 0)."""
    net = nb.Network.from_parameters({1: [[2.0, -1.0]], 2: [[1.5]]}, {1: [[0.0]], 2: [[0.2]]},
                                     [act, "sigmoid"], "bce")
    X, Y = np.array([[1.0], [2.0]]), np.array([[1.0]])
    assert net.forward(X).Z[1].tolist() == [[0.0]]
    return net, X, Y


def test_relu_exactly_at_the_kink_is_reported_not_failed():
    net, X, Y = _one_unit_at_the_kink()
    result = nb.gradient_check(net, X, Y)
    # What a check blind to kinks says (and nnbook said before it looked for kinks): the
    # analytical dW[1], db[1] are 0 (ReLU'(0) = 0), the central difference is half the slope.
    assert result.errors_all["W1"] == 1.0 and result.errors_all["b1"] == 1.0
    assert np.all(result.analytical["W1"] == 0) and np.all(result.numerical["W1"] != 0)
    # Now: those entries are named as at a kink and not judged; the rest passes.
    assert result.kink_entries == [("W1", (0, 0)), ("W1", (0, 1)), ("b1", (0, 0))]
    assert result.kink_count == 3
    assert result.kinks["W1"].tolist() == [[True, True]]
    assert not result.kinks["W2"].any() and not result.kinks["b2"].any()
    assert result.passed(1e-7) and result.max_error < 1e-7
    text = str(result)
    assert "3 entries at a kink" in text and "W1[0, 0], W1[0, 1], b1[0, 0]" in text
    assert "finite differences are undefined" in text
    assert max(len(line) for line in text.splitlines()) <= 79


def test_leaky_relu_kink_is_reported_too():
    net, X, Y = _one_unit_at_the_kink("leaky_relu")
    result = nb.gradient_check(net, X, Y)
    assert result.kink_count == 3 and result.passed(1e-7)
    assert result.errors_all["W1"] > 1e-3  # slopes 0.01 and 1 averaged


def _kinked_231():
    """A 2-3-1 ReLU network on m = 3 examples whose hidden unit 0 sits exactly at the kink
    (z = 0) for example 0 only."""
    W1 = [[1.0, -1.0], [0.5, 1.0], [-0.3, 0.8]]
    net = nb.Network.from_parameters({1: W1, 2: [[1.0, -2.0, 0.7]]},
                                     {1: [[0.0], [0.1], [0.2]], 2: [[0.0]]},
                                     ["relu", "sigmoid"], "bce")
    X = np.array([[1.0, 0.3, -0.5], [1.0, 0.9, 0.4]])
    Y = np.array([[1.0, 0.0, 1.0]])
    return net, X, Y


def test_kink_entries_are_only_those_that_move_a_kinked_unit():
    # 2-3-1, m = 3: hidden unit 0 sits at 0 for example 0 only. Its incoming weights and bias
    # are at the kink; every other entry (units 1 and 2, layer 2) is judged and passes.
    net, X, Y = _kinked_231()
    result = nb.gradient_check(net, X, Y)
    assert result.kink_entries == [("W1", (0, 0)), ("W1", (0, 1)), ("b1", (0, 0))]
    assert result.errors_all["W1"] > 1e-2  # blind to kinks: "failed"
    assert result.errors["W1"] < 1e-7 and result.passed(1e-7)


def test_near_kink_within_eps_is_found_and_far_is_not():
    for z, expected in ((1e-7, 3), (-5e-7, 3), (1e-3, 0)):
        net = nb.Network.from_parameters({1: [[2.0, -1.0]], 2: [[1.5]]}, {1: [[z]], 2: [[0.2]]},
                                         ["relu", "sigmoid"], "bce")
        result = nb.gradient_check(net, [[1.0], [2.0]], [[1.0]], eps=1e-6)
        assert result.kink_count == expected, (z, str(result))
        assert result.errors["b2"] < 1e-7, str(result)


def test_a_wrong_relu_backward_still_fails_next_to_a_kink(monkeypatch):
    net, X, Y = _kinked_231()
    # a backward with a wrong slope (1.5 instead of 1 on the active side)
    monkeypatch.setitem(nb.activations._BACKWARD, "relu",
                        lambda dA, Z, A: dA * 1.5 * (Z > 0))
    result = nb.gradient_check(net, X, Y)
    assert result.kink_count == 3
    assert not result.passed(1e-7) and result.errors["W1"] > 1e-2, str(result)


def test_outputs_are_the_valid_pairs_shortcuts_first():
    """The table checks exactly the pairs a Network accepts (built from VALID_PAIRS, so a pair
    added there is checked here too), the three shortcuts first."""
    assert sorted(OUTPUTS) == sorted(nb.VALID_PAIRS) and len(OUTPUTS) == len(nb.VALID_PAIRS)
    assert [pair in nb.SHORTCUTS for pair in OUTPUTS] == [True] * 3 + [False] * 5


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_gradient_check_passes_on_saturated_outputs(output):
    """The check differentiates the network's own cost (from Z[L]), so a backward pass that is
    right far past the clip (logit gap 100) is judged right, not off by 100 %."""
    if output == "sigmoid":
        net = nb.Network.from_parameters({1: [[100.0]]}, {1: [[0.0]]}, "sigmoid", "bce")
        Y = np.array([[0.0, 1.0]])
    else:
        net = nb.Network.from_parameters({1: [[50.0], [-50.0]]}, {1: [[0.0], [0.0]]},
                                         "softmax", "cross_entropy")
        Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    result = nb.gradient_check(net, np.array([[1.0, -1.0]]), Y)
    assert result.passed(1e-7), result


def test_gradient_check_refuses_X_beyond_the_networks_dtype_and_names_overflow():
    net32 = nb.Network([4, 2], "relu", "mse", seed=0, dtype=np.float32)
    with pytest.raises(ValueError, match=r"^X: expected values that fit float32"):
        nb.gradient_check(net32, np.full((4, 2), 1e308), np.zeros((2, 2)))
    net = nb.Network([2, 4, 3], ["relu", "sigmoid"], "bce", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match=r"^forward: Z\[1\] = W\[1\] A\[0\] \+ "
                                                     r"b\[1\] overflows float64 .*X 1e\+308"):
            nb.gradient_check(net, np.full((2, 3), -1e308), np.ones((3, 3)))


def test_relative_error_of_huge_gradients_does_not_overflow():
    """The ratio is scale-free: gradients near 1e300 (X = -1e308 through a ReLU) give the same
    relative error as the same vectors scaled down, without an overflow in the norms."""
    a, b = np.array([3e300, -4e300]), np.array([3e300, -4.4e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = nb.relative_error(a, b)
    np.testing.assert_allclose(got, nb.relative_error(a / 1e300, b / 1e300), rtol=1e-15)
    np.testing.assert_allclose(nb.relative_error([1.0, 0.0], [0.0, 1.0]), 2**-0.5,
                               rtol=RTOL_SAME_FORMULA)    # ordinary sizes: unchanged


def test_gradient_check_names_a_cost_that_overflows_and_keeps_the_networks_target_check():
    """A bias of 1e300 squares beyond float64: a FloatingPointError listing b[1]'s magnitude, no
    warning. Targets are checked in the network's dtype, as Network does: soft labels that sum
    to 1 within float32's tolerance are accepted for a float32 network, though the check itself
    runs on a float64 copy."""
    net = nb.Network([1, 1], "leaky_relu", "mse", seed=0)
    net.b[1][0, 0] = 1e300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match=r"^gradient_check: the cost J .* overflows "
                                                     r"float64: .*, b\[1\] 1e\+300\. "):
            nb.gradient_check(net, [[0.1]], [[0.1]])
    net32 = nb.Network([1, 2], "softmax", "cross_entropy", seed=0, dtype=np.float32)
    Y = np.array([[0.71465358], [0.28534642]], np.float32)   # in float64: 1 + 3e-8
    assert abs(Y.sum(dtype=np.float64) - 1) > nb.losses.target_sum_tolerance(2, np.float64)
    assert nb.gradient_check(net32, [[0.3]], Y).passed(1e-6)


@pytest.mark.parametrize(("seed", "error"), [("abc", TypeError), (1.5, TypeError),
                                             (None, TypeError), (True, TypeError),
                                             (-1, ValueError)])
def test_check_problem_names_a_bad_seed(seed, error) -> None:
    with pytest.raises(error, match=r"^seed: expected an integer >= 0"):
        nb.gradcheck.check_problem("relu", "sigmoid", "bce", 2, seed=seed)
