# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""Properties of backpropagation on networks Hypothesis draws: any depth, widths, batch size,
smooth activations, every output/loss pair and any L2 strength.

1. ``Network.backward`` equals central differences of ``Network.cost`` (``gradient_check``).
2. The batch gradient is the mean of the single-example gradients (the 1/m of the cost).
3. Every gradient has its parameter's shape.

The examples are derandomized (the same on every run, so CI never flakes) and have no deadline
(a shared 2-core machine must not turn slowness into failure).
"""

from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed (uv sync)")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import nnbook as nb  # noqa: E402
from nnbook.gradcheck import OUTPUTS  # noqa: E402

SMOOTH = ("sigmoid", "tanh", "identity")  # no kink for central differences to straddle
PROFILE = settings(max_examples=40, deadline=None, derandomize=True)


@st.composite
def problems(draw):
    """A network and a batch it can be trained on."""
    output, loss = draw(st.sampled_from(OUTPUTS))
    depth = draw(st.integers(1, 3))
    n_out = draw(st.integers(2 if output == "softmax" else 1, 3))
    sizes = [draw(st.integers(1, 4)) for _ in range(depth)] + [n_out]
    hidden = [draw(st.sampled_from(SMOOTH)) for _ in range(depth - 1)]
    m = draw(st.integers(1, 6))
    l2 = draw(st.sampled_from([0.0, 0.1, 1.0]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    net = nb.Network(sizes, [*hidden, output], loss, seed=seed, l2=l2)
    for l in net.b:  # non-zero biases, so their gradients are exercised too
        net.b[l][:] = rng.normal(0.0, 0.5, size=net.b[l].shape)
    X = rng.normal(size=(sizes[0], m))
    if loss == "cross_entropy":
        Y = np.eye(n_out)[:, rng.integers(0, n_out, size=m)]
    elif loss == "bce":
        Y = rng.integers(0, 2, size=(n_out, m)).astype(float)
    else:
        Y = rng.normal(size=(n_out, m))
    return net, X, Y


@PROFILE
@given(problems())
def test_backward_equals_central_differences(problem):
    net, X, Y = problem
    result = nb.gradient_check(net, X, Y)
    # Central differences with eps = 1e-6 carry an O(eps^2) truncation and an O(1e-16 / eps)
    # rounding error, about 1e-10 relative for these O(1) costs: 1e-6 leaves ample room and still
    # catches any wrong factor or transpose (those give errors of order 1e-2 to 1).
    assert result.max_error < 1e-6, str(result)


@PROFILE
@given(problems())
def test_batch_gradient_is_the_mean_of_single_example_gradients(problem):
    net, X, Y = problem
    m = X.shape[1]
    batch = net.backward(net.forward(X), Y)
    for l in range(1, net.L + 1):
        assert batch.dW[l].shape == net.W[l].shape and batch.db[l].shape == net.b[l].shape
    # With L2, the penalty (l2 / 2m) sum ||W||^2 is also shared out by 1/m: single examples
    # (m = 1) each see l2 * W, and their mean is l2 * W, while the batch adds (l2 / m) * W.
    # Compare the data parts.
    singles = [net.backward(net.forward(X[:, [i]]), Y[:, [i]]) for i in range(m)]
    for l in range(1, net.L + 1):
        penalty_batch = net.l2 / m * net.W[l]
        penalty_single = net.l2 * net.W[l]
        mean_dW = np.mean([g.dW[l] - penalty_single for g in singles], axis=0)
        mean_db = np.mean([g.db[l] for g in singles], axis=0)
        # Both sides sum the same m products in another order: equal up to rounding.
        np.testing.assert_allclose(batch.dW[l] - penalty_batch, mean_dW, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(batch.db[l], mean_db, rtol=1e-10, atol=1e-13)
