"""Losses, their per-example derivatives, and the output-layer shortcut table."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

import nnbook as nb
from nnbook.gradcheck import numerical_gradient

rng = np.random.default_rng(0)
A_PROB = rng.uniform(0.05, 0.95, size=(1, 6))
Y_BIN = (rng.random((1, 6)) > 0.5).astype(float)


def test_values():
    A, Y = np.array([[0.8, 0.3]]), np.array([[1.0, 0.0]])
    np.testing.assert_allclose(
        nb.bce(A, Y), -(np.log(0.8) + np.log(0.7)) / 2, rtol=RTOL_SAME_FORMULA,
    )
    np.testing.assert_allclose(nb.mse(A, Y), (0.2**2 + 0.3**2) / 2, rtol=RTOL_SAME_FORMULA)
    P, T = np.array([[0.2, 0.6], [0.8, 0.4]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(
        nb.cross_entropy(P, T), -(np.log(0.8) + np.log(0.6)) / 2, rtol=RTOL_SAME_FORMULA,
    )


def test_bce_with_logits_matches_bce_and_is_stable():
    Z = np.array([[-3.0, -0.5, 0.0, 2.0]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    np.testing.assert_allclose(
        nb.bce_with_logits(Z, Y), nb.bce(nb.sigmoid(Z), Y), rtol=RTOL_SAME_FORMULA,
    )
    assert nb.bce_with_logits(np.array([[1e4, -1e4]]), np.array([[0.0, 1.0]])) == 1e4


def test_bce_clipping_keeps_it_finite():
    assert np.isfinite(nb.bce(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])))
    assert np.isfinite(nb.bce_derivative(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))).all()
    a32 = np.array([[1.0]], dtype=np.float32)
    assert np.isfinite(nb.bce_derivative(a32, np.array([[0.0]], dtype=np.float32))).all()


@pytest.mark.parametrize("name,A,Y", [
    ("bce", A_PROB, Y_BIN),
    ("mse", rng.normal(size=(2, 6)), rng.normal(size=(2, 6))),
    ("cross_entropy", nb.softmax(rng.normal(size=(3, 6))), np.eye(3)[:, [0, 1, 2, 0, 1, 2]]),
])
def test_derivative_is_m_times_dJ_dA(name, A, Y):
    loss = nb.get_loss(name)
    m = A.shape[1]
    num = numerical_gradient(lambda a: loss.value(a, Y), A, eps=1e-7)
    np.testing.assert_allclose(loss.derivative(A, Y), m * num, rtol=1e-6, atol=1e-8)


def test_derivative_formulas():
    A, Y = np.array([[0.25, 0.5]]), np.array([[1.0, 0.0]])
    np.testing.assert_allclose(nb.bce_derivative(A, Y), (A - Y) / (A * (1 - A)))
    np.testing.assert_allclose(nb.mse_derivative(A, Y), 2 * (A - Y))
    np.testing.assert_allclose(nb.cross_entropy_derivative(A, Y), -Y / A)


@pytest.mark.parametrize("activation,loss,Y", [
    ("sigmoid", "bce", Y_BIN),
    ("identity", "mse", rng.normal(size=(1, 6))),
    ("softmax", "cross_entropy", np.eye(3)[:, [2, 1, 0, 0, 1, 2]]),
])
def test_shortcut_equals_general_chain(activation, loss, Y):
    Z = rng.normal(size=Y.shape)
    g, lo = nb.get_activation(activation), nb.get_loss(loss)
    A = g.forward(Z)
    shortcut = nb.output_delta(activation, loss, Z, A, Y)
    general = g.backward(lo.derivative(A, Y), Z, A)
    assert (activation, lo.name) in nb.SHORTCUTS
    np.testing.assert_allclose(shortcut, general, rtol=1e-10, atol=1e-12)
    expected = 2 * (A - Y) if loss == "mse" else A - Y
    np.testing.assert_allclose(shortcut, expected)


@pytest.mark.parametrize("activation,loss", [
    ("tanh", "mse"), ("sigmoid", "mse"), ("relu", "mse"), ("softmax", "mse"),
    ("leaky_relu", "mse"),
])
def test_other_pairs_use_the_general_chain(activation, loss):
    assert (activation, loss) not in nb.SHORTCUTS
    Y = rng.uniform(0.1, 0.9, size=(2, 5))
    Z = rng.normal(size=(2, 5))
    g, lo = nb.get_activation(activation), nb.get_loss(loss)
    A = g.forward(Z)
    np.testing.assert_array_equal(nb.output_delta(activation, loss, Z, A, Y),
                                  g.backward(lo.derivative(A, Y), Z, A))
    # and it is not the naive shortcut A - Y
    assert not np.allclose(nb.output_delta(activation, loss, Z, A, Y), A - Y)


def test_get_loss_aliases_and_unknown():
    assert nb.get_loss("ce") is nb.get_loss("cross_entropy")
    with pytest.raises(ValueError,
                       match=r"loss: expected one of \['bce', 'cross_entropy', 'mse'\]"):
        nb.get_loss("hinge")


# ------------------------------------------------------------------ the clipping margin per dtype
def test_clip_eps_is_1e_12_in_float64_and_machine_epsilon_in_float32():
    from nnbook.losses import EPS, clip_eps

    assert EPS == 1e-12 and clip_eps(np.float64) == 1e-12
    assert clip_eps(np.float32) == 2.0**-23 == float(np.finfo(np.float32).eps)
    # why float32 cannot clip at 1e-12: 1 - 1e-12 rounds to 1, 1 - 2^-23 does not
    assert np.float32(1) - np.float32(1e-12) == 1
    assert np.float32(1) - np.float32(2.0**-23) < 1
    assert clip_eps(np.float32, eps=1e-3) == 1e-3  # a larger request is kept
    assert clip_eps(np.int64) == 1e-12             # integer arrays: the request as is


@pytest.mark.parametrize("dtype,eps", [(np.float64, 1e-12), (np.float32, 2.0**-23)])
def test_saturated_outputs_cost_minus_log_eps(dtype, eps):
    """A confidently wrong output costs -ln(eps) per unit, eps the dtype's margin: 27.63 in
    float64, 15.94 in float32. rtol 1e-6 is float32's rounding of the logarithm."""
    A, Y = np.array([[1.0, 0.0]], dtype), np.array([[0.0, 1.0]], dtype)
    np.testing.assert_allclose(nb.bce(A, Y), -np.log(eps), rtol=1e-6)
    mach = float(np.finfo(dtype).eps)                 # a smaller request is raised to it
    np.testing.assert_allclose(nb.bce(A, Y, eps=1e-30), -np.log(mach), rtol=1e-6)
    P, T = np.array([[0.0], [1.0]], dtype), np.array([[1.0], [0.0]], dtype)
    np.testing.assert_allclose(nb.cross_entropy(P, T), -np.log(eps), rtol=1e-6)
    assert np.isfinite(nb.bce_derivative(A, Y)).all()
    assert np.isfinite(nb.cross_entropy_derivative(P, T)).all()


def test_target_sum_tolerance_is_n_machine_epsilons():
    from nnbook.losses import target_sum_tolerance

    assert target_sum_tolerance(1, np.float64) == 2.0**-52
    assert target_sum_tolerance(10, np.float32) == 10 * 2.0**-23


def test_cross_entropy_with_logits_matches_softmax_then_cross_entropy_and_is_exact():
    Z = np.random.default_rng(2).normal(size=(4, 7))
    Y = np.eye(4)[:, [0, 1, 2, 3, 0, 1, 2]]
    np.testing.assert_allclose(nb.cross_entropy_with_logits(Z, Y),
                               nb.cross_entropy(nb.softmax(Z), Y), rtol=RTOL_SAME_FORMULA)
    # a confident wrong column costs its logit gap (no clip), a right one about e^-gap
    Z = np.array([[1000.0, 1000.0], [0.0, 0.0]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert nb.cross_entropy_with_logits(Z, Y) == 500.0     # (1000 + e^-1000) / 2
    assert nb.cross_entropy(nb.softmax(Z), Y) < 14        # the clipped form: capped at 27.6
    # a 1-D Z is one column (one example)
    z, y = np.array([2.0, 0.0]), np.array([0.0, 1.0])
    np.testing.assert_allclose(nb.cross_entropy_with_logits(z, y),
                               np.log(1 + np.exp(2.0)), rtol=RTOL_SAME_FORMULA)


def test_cross_entropy_with_logits_keeps_float32():
    Z = np.array([[90.0], [0.0]], np.float32)
    Y = np.array([[0.0], [1.0]], np.float32)
    with np.errstate(all="raise", under="ignore"):   # nothing overflows
        J = nb.cross_entropy_with_logits(Z, Y)
    assert J == 90.0


@pytest.mark.parametrize(("activation", "loss", "from_logits"), [
    ("sigmoid", "bce", "bce_with_logits"),
    ("softmax", "cross_entropy", "cross_entropy_with_logits"),
    ("identity", "mse", None), ("sigmoid", "mse", None), ("softmax", "mse", None),
])
def test_output_cost_is_computed_from_the_logits_where_a_clip_would_flatten_it(
        activation, loss, from_logits):
    Z = np.array([[-60.0, 0.5, 60.0], [3.0, -1.0, 0.0]])
    A = nb.get_activation(activation).forward(Z)
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    got = nb.output_cost(activation, loss, Z, A, Y)
    if from_logits is None:
        assert got == nb.get_loss(loss).value(A, Y)
    else:
        assert got == getattr(nb, from_logits)(Z, Y)
        assert got > nb.get_loss(loss).value(A, Y) + 10   # the clipped form caps it


def test_output_cost_refuses_a_pair_outside_valid_pairs():
    Z = np.zeros((1, 2))
    with pytest.raises(ValueError, match=r"^activations, loss: loss 'bce' needs the output "
                                         r"activation .* got 'tanh'"):
        nb.output_cost("tanh", "bce", Z, np.tanh(Z), Z)
