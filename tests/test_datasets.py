"""Data sets: shapes, labels, seeding."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import nnbook as nb
from nnbook import datasets as ds


def test_xor():
    X, Y = ds.xor()
    assert X.tolist() == [[0, 0, 1, 1], [0, 1, 0, 1]]
    assert Y.tolist() == [[0, 1, 1, 0]]
    assert ds.xor(one_hot=True)[1].tolist() == [[1, 0, 0, 1], [0, 1, 1, 0]]


@pytest.mark.parametrize("make", [ds.two_moons, ds.circles, ds.spirals])
def test_classification_sets_are_seeded_and_balanced(make):
    X, Y = make(101, seed=3)
    X2, Y2 = make(101, seed=3)
    X3, _ = make(101, seed=4)
    assert X.shape == (2, 101) and Y.shape == (1, 101)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2) and not np.array_equal(X, X3)
    assert set(np.unique(Y).tolist()) == {0.0, 1.0}
    assert abs(int(Y.sum()) - 50) <= 1


def test_circles_radii_and_moons_shape():
    X, Y = ds.circles(200, noise=0.0, factor=0.3)
    r = np.linalg.norm(X, axis=0)
    np.testing.assert_allclose(r[Y[0] == 0], 1.0)
    np.testing.assert_allclose(r[Y[0] == 1], 0.3)
    X, Y = ds.two_moons(200, noise=0.0)
    assert X[1, Y[0] == 0].min() >= -1e-12  # upper moon is above y = 0


def test_spirals_three_classes_one_hot():
    X, Y = ds.spirals(150, classes=3, seed=0, one_hot=True)
    assert X.shape == (2, 150) and Y.shape == (3, 150)
    assert Y.sum(axis=0).tolist() == [1.0] * 150 and Y.sum(axis=1).tolist() == [50.0] * 3


def test_regression_curve():
    X, Y = ds.regression_curve(64, noise=0.0, seed=1)
    assert X.shape == Y.shape == (1, 64)
    assert np.all(np.diff(X[0]) >= 0) and X.min() >= -1 and X.max() <= 1
    np.testing.assert_allclose(Y, np.sin(np.pi * X))


def test_one_hot():
    assert ds.one_hot([1, 0], 3).tolist() == [[0, 1], [1, 0], [0, 0]]
    with pytest.raises(ValueError, match="k: expected more than the largest label 3"):
        ds.one_hot([3], 2)
    with pytest.raises(ValueError, match="labels: expected non-negative integers"):
        ds.one_hot([0.5])


def test_bad_arguments():
    with pytest.raises(ValueError, match="m: expected an integer >= 2"):
        ds.two_moons(1)
    with pytest.raises(ValueError, match="noise: expected a finite number in"):
        ds.circles(10, noise=-1)
    with pytest.raises(ValueError, match="classes: expected an integer >= 2"):
        ds.spirals(10, classes=1)


def test_datasets_train_a_network():
    X, Y = ds.two_moons(200, noise=0.1, seed=0)
    net = nb.Network([2, 16, 1], ["tanh", "sigmoid"], "bce", seed=0)
    net.fit(X, Y, epochs=300, learning_rate=0.5, batch_size=32, seed=0)
    assert (net.predict(X) == Y).mean() > 0.95


# Found by tests/test_api_fuzz.py: each refused naming the argument, with no warning escaping.
REFUSED = [
    (lambda: ds.two_moons(10, one_hot="yes"), "one_hot: expected True or False"),
    (lambda: ds.circles(10, one_hot=None), "one_hot: expected True or False"),
    (lambda: ds.regression_curve(5, noise=math.inf), "noise: expected a finite number"),
    (lambda: ds.spirals(10, noise=math.inf), "noise: expected a finite number"),
    (lambda: ds.circles(10, noise=1e308), r"noise: expected a finite number in \[0, 1e\+100\]"),
    (lambda: ds.circles(10, factor=None), r"factor: expected a finite number in \(0, 1\)"),
    (lambda: ds.circles(10, factor="a"), "factor: expected a finite number"),
    (lambda: ds.spirals(10, turns=math.nan), "turns: expected a finite number"),
    (lambda: ds.spirals(10, turns=math.inf), "turns: expected a finite number"),
    (lambda: ds.spirals(10, turns="a"), "turns: expected a finite number"),
    (lambda: ds.one_hot([0], 2.5), "k: expected an integer or None"),
    (lambda: ds.one_hot([0], "3"), "k: expected an integer or None"),
    (lambda: ds.one_hot(["a", "b"]), "labels: expected integers"),
    (lambda: ds.one_hot([[0], [0, 1]]), "labels: expected shape"),
    (lambda: ds.one_hot([1e300]), "labels: expected non-negative integers"),
]


@pytest.mark.parametrize("call, message", REFUSED)
def test_bad_values_are_refused_by_name(call, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises((ValueError, TypeError), match=message):
            call()


def test_largest_noise_and_turns_give_finite_points():
    for X, Y in (ds.two_moons(50, noise=1e100), ds.circles(50, noise=1e100),
                 ds.spirals(50, noise=1e100, turns=-1e100), ds.regression_curve(50, noise=1e100)):
        assert np.isfinite(X).all() and np.isfinite(Y).all()
