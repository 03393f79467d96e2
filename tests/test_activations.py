"""Activations and their derivatives: values, stability, dtype, the softmax Jacobian."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

import nnbook as nb
from nnbook.gradcheck import numerical_gradient

ELEMENTWISE = ["sigmoid", "tanh", "relu", "identity", "leaky_relu"]


def test_tables_pair_every_activation_with_its_derivative():
    assert set(nb.ACTIVATIONS) == set(nb.DERIVATIVES) == {*ELEMENTWISE, "softmax"}


def test_known_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(
        nb.sigmoid(z).tolist(),
        [1 / (1 + np.e**2), 0.5, 1 / (1 + np.e**-3)],
        rtol=RTOL_SAME_FORMULA,
    )
    assert nb.relu(z).tolist() == [0.0, 0.0, 3.0]
    np.testing.assert_allclose(nb.leaky_relu(z).tolist(), [-0.02, 0.0, 3.0], rtol=RTOL_SAME_FORMULA)
    assert nb.identity(z).tolist() == [-2.0, 0.0, 3.0]
    np.testing.assert_allclose(nb.tanh(z).tolist(), np.tanh(z).tolist(), rtol=RTOL_SAME_FORMULA)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_finite_differences(name):
    z = np.array([-2.3, -0.7, 0.4, 1.9])  # away from the kink at 0
    g, dg = nb.ACTIVATIONS[name], nb.DERIVATIVES[name]
    num = np.array([numerical_gradient(lambda t: float(g(t).sum()), np.array([zi]))[0] for zi in z])
    np.testing.assert_allclose(dg(z), num, rtol=1e-8, atol=1e-10)


def test_relu_derivative_at_zero_is_zero():
    assert nb.relu_derivative(np.array([0.0])).tolist() == [0.0]
    assert nb.leaky_relu_derivative(np.array([0.0])).tolist() == [0.01]
    assert "ReLU}'(0) = 0" in nb.relu_derivative.__doc__


def test_sigmoid_is_stable_at_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = nb.sigmoid(np.array([-1e4, -800.0, 800.0, 1e4]))
        ds = nb.sigmoid_derivative(np.array([-1e4, 1e4]))
    assert s.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert ds.tolist() == [0.0, 0.0]
    assert np.isfinite(nb.softmax(np.array([[1e4], [0.0], [-1e4]]))).all()


@pytest.mark.parametrize("name", [*ELEMENTWISE, "softmax"])
def test_float32_stays_float32(name):
    z = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    assert nb.ACTIVATIONS[name](z).dtype == np.float32
    if name != "softmax":
        assert nb.DERIVATIVES[name](z).dtype == np.float32


def test_softmax_columns_sum_to_one_and_shift_invariant():
    z = np.random.default_rng(0).normal(size=(4, 6))
    a = nb.softmax(z)
    np.testing.assert_allclose(a.sum(axis=0), 1.0)
    np.testing.assert_allclose(nb.softmax(z + 100.0), a, rtol=1e-12)


def test_softmax_derivative_raises_and_points_to_the_jacobian():
    with pytest.raises(ValueError, match="Jacobian .* not diagonal.*softmax_jacobian"):
        nb.softmax_derivative(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="Jacobian"):
        nb.get_activation("softmax").derivative(np.zeros((3, 1)))


def test_softmax_jacobian_matches_finite_differences():
    z = np.array([0.3, -1.2, 2.0])
    J = nb.softmax_jacobian(z)
    num = np.stack([numerical_gradient(lambda t, i=i: float(nb.softmax(t[:, None])[i, 0]), z)
                    for i in range(3)])
    np.testing.assert_allclose(J, num, atol=1e-9)
    np.testing.assert_allclose(J, np.diag(nb.softmax(z[:, None])[:, 0]) - np.outer(
        nb.softmax(z[:, None]), nb.softmax(z[:, None])))


def test_softmax_backward_is_the_jacobian_vector_product():
    rng = np.random.default_rng(1)
    Z, dA = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    g = nb.get_activation("softmax")
    dZ = g.backward(dA, Z, g.forward(Z))
    expected = np.stack([nb.softmax_jacobian(Z[:, i]).T @ dA[:, i] for i in range(5)], axis=1)
    np.testing.assert_allclose(dZ, expected, atol=1e-14)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_backward_is_dA_times_derivative(name):
    rng = np.random.default_rng(2)
    Z, dA = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    g = nb.get_activation(name)
    np.testing.assert_allclose(g.backward(dA, Z, g.forward(Z)), dA * g.derivative(Z), rtol=1e-14)


def test_get_activation_returns_frozen_dataclass_and_rejects_unknown():
    g = nb.get_activation("tanh")
    assert (g.name, g.forward, g.derivative) == ("tanh", nb.tanh, nb.tanh_derivative)
    with pytest.raises(AttributeError):
        g.name = "relu"  # type: ignore[misc]
    with pytest.raises(ValueError, match=r"activation: expected one of \['identity'.*got 'gelu'"):
        nb.get_activation("gelu")
