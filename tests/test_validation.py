"""Bad input: one test per case, each asserting the exception type and its message."""

from __future__ import annotations

import numpy as np
import pytest

import nnbook as nb


@pytest.fixture
def net():
    return nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)


@pytest.fixture
def data():
    return nb.datasets.xor()


def test_X_and_Y_different_m(net, data):
    X, Y = data
    with pytest.raises(ValueError, match=r"Y: expected 4 examples \(columns\) to match X, got "
                                         r"shape \(1, 3\)"):
        net.fit(X, Y[:, :3], epochs=1, learning_rate=0.1)


def test_Y_1d_is_one_row_for_one_output_unit(net, data):
    X, Y = data
    h1 = net.copy().fit(X, Y[0], epochs=3, learning_rate=0.1)
    h2 = net.copy().fit(X, Y, epochs=3, learning_rate=0.1)
    assert h1.loss == h2.loss  # read as (1, m), never broadcast into (m, m)
    g = net.backward(net.forward(X), Y[0])
    assert g.dZ[2].shape == (1, 4)


def test_Y_1d_refused_for_several_output_units(data):
    X, Y = data
    net = nb.Network([2, 3, 2], ["tanh", "softmax"], "cross_entropy", seed=0)
    with pytest.raises(ValueError, match=r"Y: expected shape \(2, 4\), got 1-D shape \(4,\); a 1-D "
                                         r"target is accepted only when the output layer has one"):
        net.fit(X, Y[0], epochs=1, learning_rate=0.1)


def test_X_wrong_number_of_features(net):
    with pytest.raises(ValueError, match=r"X: expected shape \(2, m\) with n\[0\] = 2 rows "
                                         r"\(= W\[1\].shape\[1\]\), got shape \(3, 4\)"):
        net.forward(np.zeros((3, 4)))


def test_X_transposed_is_refused(net):
    with pytest.raises(ValueError, match=r"X: expected shape \(2, m\).*got shape \(4, 2\)"):
        net.predict(np.zeros((4, 2)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_X(net, data, bad):
    X, Y = data
    X = X.copy()
    X[0, 1] = bad
    with pytest.raises(ValueError, match=r"X: expected finite values, got 1 NaN or inf entries"):
        net.fit(X, Y, epochs=1, learning_rate=0.1)


def test_nonfinite_Y(net, data):
    X, Y = data
    Y = Y.copy()
    Y[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"Y: expected finite values, got 1 NaN or inf entries"):
        net.cost(X, Y)


def test_bce_targets_outside_unit_interval(net, data):
    X, _ = data
    with pytest.raises(ValueError, match=r"Y: expected targets in \[0, 1\] for loss 'bce', got "
                                         r"values in \[-1.0, 2.0\]"):
        net.fit(X, np.array([[0.0, 1.0, 2.0, -1.0]]), epochs=1, learning_rate=0.1)


def test_unknown_activation():
    with pytest.raises(ValueError, match=r"activation: expected one of \[.*\], got 'swish'"):
        nb.Network([2, 1], ["swish"], "mse")


def test_unknown_loss():
    with pytest.raises(ValueError, match=r"loss: expected one of \['bce', 'cross_entropy', "
                                         r"'mse'\], got 'hinge'"):
        nb.Network([2, 1], ["sigmoid"], "hinge")


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf")])
def test_bad_learning_rate(net, data, lr):
    with pytest.raises(ValueError, match=r"learning_rate: expected a finite number > 0, got"):
        net.fit(*data, epochs=1, learning_rate=lr)


def test_learning_rate_not_a_number(net, data):
    with pytest.raises(TypeError, match=r"learning_rate: expected a finite number > 0, got '0.1'"):
        net.fit(*data, epochs=1, learning_rate="0.1")


@pytest.mark.parametrize("epochs", [0, -3])
def test_epochs_below_one(net, data, epochs):
    with pytest.raises(ValueError, match=rf"epochs: expected an integer >= 1, got {epochs}"):
        net.fit(*data, epochs=epochs, learning_rate=0.1)


@pytest.mark.parametrize("epochs", [2.5, True, "10"])
def test_epochs_not_integer(net, data, epochs):
    with pytest.raises(TypeError, match=r"epochs: expected an integer >= 1, got"):
        net.fit(*data, epochs=epochs, learning_rate=0.1)


def test_batch_size_below_one(net, data):
    with pytest.raises(ValueError, match=r"batch_size: expected an integer >= 1, got 0"):
        net.fit(*data, epochs=1, learning_rate=0.1, batch_size=0)


def test_batch_size_not_integer(net, data):
    with pytest.raises(TypeError, match=r"batch_size: expected an integer >= 1, got 2.0"):
        net.fit(*data, epochs=1, learning_rate=0.1, batch_size=2.0)


def test_empty_X(net):
    with pytest.raises(ValueError, match=r"X: expected at least one example, got empty shape "
                                         r"\(2, 0\)"):
        net.fit(np.zeros((2, 0)), np.zeros((1, 0)), epochs=1, learning_rate=0.1)


def test_wrong_number_of_activations():
    with pytest.raises(ValueError, match=r"activations: expected 2 names \(one per layer 1..2\), "
                                         r"got 3"):
        nb.Network([2, 3, 1], ["tanh", "tanh", "sigmoid"], "bce")


def test_Y_wrong_number_of_rows():
    net = nb.Network([2, 3, 3], ["tanh", "softmax"], "cross_entropy", seed=0)
    X, Y = nb.datasets.xor()
    with pytest.raises(ValueError, match=r"Y: expected 3 rows \(n\[L\] output units\), got shape "
                                         r"\(1, 4\) \(one-hot encode labels"):
        net.fit(X, Y, epochs=1, learning_rate=0.1)


def test_non_numeric_X(net):
    with pytest.raises(TypeError, match=r"X: expected a numeric array, got dtype <U1"):
        net.forward(np.array([["a", "b"], ["c", "d"]]))


def test_bad_layer_sizes_and_dtype():
    with pytest.raises(ValueError, match=r"layer_sizes: expected at least 2 sizes"):
        nb.Network([2], [], "mse")
    with pytest.raises(ValueError, match=r"layer_sizes: expected positive integers, got \[2, 0\]"):
        nb.Network([2, 0], ["relu"], "mse")
    with pytest.raises(TypeError, match=r"dtype: expected np.float32 or np.float64, got int64"):
        nb.Network([2, 1], ["relu"], "mse", dtype=np.int64)


def test_step_validates_learning_rate(net, data):
    g = net.backward(net.forward(data[0]), data[1])
    with pytest.raises(ValueError, match=r"learning_rate: expected a finite number > 0, got -1"):
        net.step(g, -1)


def test_shuffle_must_be_bool(net, data):
    with pytest.raises(TypeError, match=r"shuffle: expected True or False, got 'yes'"):
        net.fit(*data, epochs=1, learning_rate=0.1, shuffle="yes")
