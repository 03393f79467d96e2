# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""What a Network accepts: only meaningful (output activation, loss) pairs, targets checked per
loss, float32/float64 only, values that fit the dtype. One test per refused case, each asserting
the error type and its message (the argument it names, what was expected, what came); and, for
every accepted pair, that ``backward`` is the gradient of ``cost`` (central differences).

Every test runs with warnings turned into errors (the ``no_warnings`` fixture), so a cast
overflow or a ``log(0)`` that escapes before an error fails the test.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import nnbook as nb
from nnbook._validate import check_X
from nnbook.losses import VALID_PAIRS, check_pair, target_sum_tolerance


@pytest.fixture(autouse=True)
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _sizes(activation: str, loss: str) -> list[int]:
    return [3, 4, 3 if activation == "softmax" else 2]


def _targets(loss: str, n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Valid targets, not only labels: soft BCE targets in [0, 1] (0 and 1 included), soft
    cross-entropy columns (Dirichlet draws, and one one-hot column), real MSE targets."""
    if loss == "bce":
        Y = rng.uniform(0.0, 1.0, size=(n, m))
        Y[0, 0], Y[-1, -1] = 0.0, 1.0
        return Y
    if loss == "cross_entropy":
        Y = rng.dirichlet(np.ones(n), size=m).T
        Y[:, 0] = np.eye(n)[:, 1]
        return Y
    return rng.normal(size=(n, m))


def _central_differences(J, params: list[np.ndarray], h: float = 1e-6) -> list[np.ndarray]:
    """dJ/dP for each array P in ``params``, entry by entry, (J(P + h) - J(P - h)) / 2h."""
    out = []
    for P in params:
        G = np.zeros_like(P)
        for ix in np.ndindex(P.shape):
            keep = P[ix]
            P[ix] = keep + h
            up = J()
            P[ix] = keep - h
            down = J()
            P[ix] = keep
            G[ix] = (up - down) / (2 * h)
        out.append(G)
    return out


# ------------------------------------------------------------------ pairs
INVALID_PAIRS = [(a, lo) for lo in nb.LOSSES for a in nb.ACTIVATIONS if (a, lo) not in VALID_PAIRS]
PAIRS_LIST = re.escape(str(list(VALID_PAIRS)))


def test_the_table_of_pairs():
    """BCE after sigmoid only, cross-entropy after softmax only, MSE after every activation;
    each shortcut is a valid pair."""
    assert [p for p in VALID_PAIRS if p[1] == "bce"] == [("sigmoid", "bce")]
    assert [p for p in VALID_PAIRS if p[1] == "cross_entropy"] == [("softmax", "cross_entropy")]
    assert sorted(a for a, lo in VALID_PAIRS if lo == "mse") == sorted(nb.ACTIVATIONS)
    assert set(nb.SHORTCUTS) <= set(VALID_PAIRS)
    assert len(VALID_PAIRS) == len(set(VALID_PAIRS)) == 8
    assert len(INVALID_PAIRS) == 3 * len(nb.ACTIVATIONS) - 8 == 10


@pytest.mark.parametrize("activation,loss", INVALID_PAIRS)
def test_invalid_pair_refused_at_construction(activation, loss):
    ok = [a for a, lo in VALID_PAIRS if lo == loss]
    msg = (rf"activations, loss: loss '{loss}' needs the output activation \(the last of "
           rf"activations\) to be one of {re.escape(str(ok))}, got '{activation}'; the valid "
           rf"\(output activation, loss\) pairs are {PAIRS_LIST}$")
    with pytest.raises(ValueError, match=msg):
        nb.Network([3, 4, 2], ["tanh", activation], loss)


def test_tanh_output_with_bce_refused():
    with pytest.raises(ValueError, match=r"loss 'bce' needs the output activation .* to be one "
                                         r"of \['sigmoid'\], got 'tanh'"):
        nb.Network([2, 3, 1], "tanh", "bce")


def test_identity_output_with_cross_entropy_refused():
    with pytest.raises(ValueError, match=r"loss 'cross_entropy' needs the output activation .* "
                                         r"to be one of \['softmax'\], got 'identity'"):
        nb.Network([2, 3, 3], ["relu", "identity"], "ce")


def test_invalid_pair_refused_by_from_parameters():
    W, b = {1: np.ones((2, 3))}, {1: np.zeros((2, 1))}
    with pytest.raises(ValueError, match=r"activations, loss: loss 'bce' needs .* got 'relu'"):
        nb.Network.from_parameters(W, b, "relu", "bce")


def test_invalid_pair_refused_by_load(tmp_path):
    """A file whose (output activation, loss) is not a valid pair does not load."""
    net = nb.Network([3, 4, 2], ["tanh", "sigmoid"], "bce", seed=0)
    nb.save(net, tmp_path / "ok.npz")
    with np.load(tmp_path / "ok.npz", allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["activations"] = np.array(["tanh", "identity"])
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=r"activations, loss: loss 'bce' needs the output "
                                         r"activation .* got 'identity'"):
        nb.load(tmp_path / "bad.npz")


def test_output_delta_refuses_an_invalid_pair():
    Z = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"activations, loss: loss 'cross_entropy' needs .* one "
                                         r"of \['softmax'\], got 'sigmoid'"):
        nb.output_delta("sigmoid", "cross_entropy", Z, nb.sigmoid(Z), np.eye(2)[:, [0, 1, 0]])


def test_check_pair_resolves_aliases():
    assert check_pair("softmax", "ce") == ("softmax", "cross_entropy")
    assert check_pair("relu", "mse") == ("relu", "mse")


@pytest.mark.parametrize("activation,loss", VALID_PAIRS)
def test_backward_is_the_gradient_of_cost(activation, loss):
    """For every valid pair and valid (soft) targets, backward equals central differences of
    cost. h = 1e-6: truncation O(h^2) ~ 1e-12, rounding ~ 1e-16 / h ~ 1e-10 on O(1) costs, so
    rtol 1e-6 (atol 1e-9 for entries near 0) leaves room and still catches a wrong factor,
    which is off by 1e-2 or more."""
    rng = np.random.default_rng(11)
    sizes, m = _sizes(activation, loss), 5
    net = nb.Network(sizes, ["tanh", activation], loss, seed=3)
    for l in net.b:
        net.b[l][:] = rng.normal(0.0, 0.5, size=net.b[l].shape)
    if activation in ("relu", "leaky_relu"):
        net.b[2] += 1.0  # mostly active output units
    X = rng.normal(size=(sizes[0], m))
    Y = _targets(loss, sizes[-1], m, rng)
    Z = net.forward(X).Z
    assert min(np.abs(Z[l]).min() for l in Z) > 1e-3  # no kink within reach of h
    grads = net.backward(net.forward(X), Y)
    params = [p for l in range(1, net.L + 1) for p in (net.W[l], net.b[l])]
    fd = _central_differences(lambda: net.cost(X, Y), params)
    ours = [g for l in range(1, net.L + 1) for g in (grads.dW[l], grads.db[l])]
    for g, n in zip(ours, fd, strict=True):
        np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ targets, per loss
@pytest.fixture
def softmax_net():
    return nb.Network([2, 3, 3], ["tanh", "softmax"], "cross_entropy", seed=0)


X3 = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
MULTI_HOT = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # column 0 sums to 2
ALL_ZERO = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])   # column 2 sums to 0
SUM_MSG = (r"Y: expected every column to sum to 1 for loss 'cross_entropy' \(a probability "
           r"vector per example, within n\[L\] \* eps = 6\.66e-16 for float64\), got 1 of 3 "
           r"columns that do not: column {j} sums to {s} \(one label per example: "
           r"nnbook\.datasets\.one_hot; several: sigmoid outputs and 'bce'\)")


@pytest.mark.parametrize("call", ["cost", "backward", "fit"])
def test_multi_hot_column_refused(softmax_net, call):
    before = {l: w.copy() for l, w in softmax_net.W.items()}
    with pytest.raises(ValueError, match=SUM_MSG.format(j=0, s=r"2\.0")):
        if call == "cost":
            softmax_net.cost(X3, MULTI_HOT)
        elif call == "backward":
            softmax_net.backward(softmax_net.forward(X3), MULTI_HOT)
        else:
            softmax_net.fit(X3, MULTI_HOT, epochs=1, learning_rate=0.1)
    for l, w in before.items():
        np.testing.assert_array_equal(softmax_net.W[l], w)


def test_all_zero_column_refused(softmax_net):
    with pytest.raises(ValueError, match=SUM_MSG.format(j=2, s=r"0\.0")):
        softmax_net.backward(softmax_net.forward(X3), ALL_ZERO)


def test_negative_cross_entropy_target_refused(softmax_net):
    Y = np.array([[1.5, 0.0, 0.0], [-0.5, 1.0, 0.0], [0.0, 0.0, 1.0]])  # sums to 1, not >= 0
    with pytest.raises(ValueError, match=r"Y: expected targets in \[0, 1\] for loss "
                                         r"'cross_entropy', got values in \[-0\.5, 1\.5\] \(the "
                                         r"first outside at row 0, column 0\)"):
        softmax_net.cost(X3, Y)


def test_bce_target_outside_unit_interval_refused():
    net = nb.Network([2, 3, 2], ["tanh", "sigmoid"], "bce", seed=0)
    Y = np.array([[0.0, 1.0, 0.5], [1.0, 1.2, 0.0]])
    with pytest.raises(ValueError, match=r"Y: expected targets in \[0, 1\] for loss 'bce', got "
                                         r"values in \[0\.0, 1\.2\] \(the first outside at row "
                                         r"1, column 1\)"):
        net.backward(net.forward(X3), Y)


@pytest.mark.parametrize("Y", [MULTI_HOT, ALL_ZERO], ids=["multi-hot", "all-zero"])
def test_refused_targets_would_give_a_wrong_gradient(softmax_net, Y):
    """Why they are refused: past the check (``check=False``), the shortcut A - Y is not the
    gradient of the cost for such columns (it is A sum_k y_k - Y)."""
    net = softmax_net

    def J():
        return nb.cross_entropy(net.forward(X3).A[2], Y)

    fd = _central_differences(J, [net.W[2]])[0]
    wrong = net.backward(net.forward(X3), Y, check=False).dW[2]
    assert nb.relative_error(wrong, fd) > 0.1


def test_cross_entropy_tolerance_is_n_eps():
    """float32, 3 units: tolerance 3 * 2^-23. A column 1 ulp of 0.5 (6e-8) off 1 is accepted, a
    column 1e-6 off is refused; softmax outputs computed in float32 pass."""
    net = nb.Network([2, 3, 3], ["tanh", "softmax"], "cross_entropy", seed=0, dtype=np.float32)
    tol = target_sum_tolerance(3, np.float32)
    assert tol == 3 * 2.0**-23
    near = np.array([[np.nextafter(np.float32(0.5), np.float32(1))], [0.5], [0.0]], np.float32)
    assert 0 < abs(float(near.sum(dtype=np.float64)) - 1) < tol
    net.cost(X3[:, :1], near)
    far = np.array([[0.5 + 1e-6], [0.5], [0.0]], np.float32)
    with pytest.raises(ValueError, match=r"Y: expected every column to sum to 1 .* within "
                                         r"n\[L\] \* eps = 3\.58e-07 for float32\), got 1 of 1 "
                                         r"columns that do not: column 0 sums to 1\.00000"):
        net.cost(X3[:, :1], far)
    logits = np.random.default_rng(0).normal(0, 5, size=(3, 500)).astype(np.float32)
    net.cost(np.zeros((2, 500), np.float32), nb.softmax(logits))


# ------------------------------------------------------------------ dtypes
@pytest.mark.parametrize("dtype,shown", [
    (np.float16, "float16"), ("f2", "float16"), (np.longdouble, np.dtype(np.longdouble).name),
    (np.int32, "int32"), (int, "int64"), (np.complex128, "complex128"), (object, "object"),
    (">f8", r"float64 in non-native byte order \(>f8\)"), ("abc", "'abc'"),
])
def test_dtype_other_than_float32_or_float64_refused(dtype, shown):
    with pytest.raises(TypeError, match=rf"^dtype: expected np\.float32 or np\.float64, "
                                        rf"got {shown}$"):
        nb.Network([2, 1], ["sigmoid"], "bce", dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32", "f8", float])
def test_float32_and_float64_accepted(dtype):
    net = nb.Network([2, 1], ["sigmoid"], "bce", dtype=dtype, seed=0)
    assert net.dtype in (np.float32, np.float64) and net.W[1].dtype == net.dtype


def test_from_parameters_refuses_a_float16_W_without_dtype():
    W, b = {1: np.ones((1, 2), np.float16)}, {1: np.zeros((1, 1), np.float16)}
    with pytest.raises(TypeError, match=r"dtype: expected np\.float32 or np\.float64, got "
                                        r"float16 \(the dtype of W\[1\]; pass dtype= "
                                        r"np\.float32 or np\.float64 to cast\)"):
        nb.Network.from_parameters(W, b, "identity")
    assert nb.Network.from_parameters(W, b, "identity", dtype=np.float32).W[1].dtype == np.float32


# ------------------------------------------------------------------ values and the dtype's range
@pytest.fixture
def net32():
    return nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0, dtype=np.float32)


RANGE32 = r"expected values that fit float32 \(\|x\| <= 3\.40282e\+38\), got "


@pytest.mark.parametrize("call", ["forward", "cost", "fit", "predict"])
def test_X_beyond_float32_refused_without_a_warning(net32, call):
    X = np.array([[1e39, 0.0], [1.0, 2.0]])
    Y = np.array([[1.0, 0.0]])
    with pytest.raises(ValueError, match=r"^X: " + RANGE32 + r"1 entry beyond it \(largest "
                                         r"\|x\| = 1e\+39\)$"):
        if call == "forward":
            net32.forward(X)
        elif call == "cost":
            net32.cost(X, Y)
        elif call == "fit":
            net32.fit(X, Y, epochs=1, learning_rate=0.1)
        else:
            net32.predict(X)


def test_Y_beyond_float32_refused_without_a_warning():
    net = nb.Network([2, 2], ["identity"], "mse", seed=0, dtype=np.float32)
    Y = np.array([[1e39, -3e39], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"^Y: " + RANGE32 + r"2 entries beyond it \(largest "
                                         r"\|x\| = 3e\+39\)$"):
        net.cost(np.zeros((2, 2)), Y)


def test_W_beyond_float32_refused_by_from_parameters():
    W, b = {1: [[1e39, 0.0]]}, {1: [[0.0]]}
    with pytest.raises(ValueError, match=r"^W\[1\]: " + RANGE32 + r"1 entry beyond it"):
        nb.Network.from_parameters(W, b, "identity", dtype=np.float32)


def test_longdouble_X_beyond_float64_refused():
    if np.finfo(np.longdouble).max <= np.finfo(np.float64).max:
        pytest.skip("longdouble is float64 on this platform")
    net = nb.Network([1, 1], ["identity"], "mse", seed=0)
    X = np.array([[np.longdouble("1e400")]])
    with pytest.raises(ValueError, match=r"^X: expected values that fit float64 \(\|x\| <= "
                                         r"1\.79769e\+308\), got 1 entry beyond it"):
        net.forward(X)


def test_values_that_fit_are_cast():
    """Integers and float64 values within range become the network's dtype, no warning."""
    net = nb.Network([2, 1], ["sigmoid"], "bce", seed=0, dtype=np.float32)
    A = net.forward(np.array([[1, 2], [3, 4]], dtype=np.int64)).A[1]
    assert A.dtype == np.float32
    X = check_X(np.array([[3e38], [1e-50]]), 2, np.dtype(np.float32))  # largest and underflow
    assert X.dtype == np.float32 and X[0, 0] == np.float32(3e38) and X[1, 0] == 0


def test_complex_X_refused(net32):
    with pytest.raises(TypeError, match=r"^X: expected a numeric array, got dtype complex128$"):
        net32.forward(np.ones((2, 1), dtype=complex))


# ------------------------------------------------------------------ names
def test_unknown_activation_names_activations_and_the_layer():
    with pytest.raises(ValueError, match=r"^activations: layer 2's activation: expected one of "
                                         r"\['identity', 'leaky_relu', 'relu', 'sigmoid', "
                                         r"'softmax', 'tanh'\], got 'swish'$"):
        nb.Network([2, 3, 1], ["tanh", "swish"], "mse")
