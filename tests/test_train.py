# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""The fast training loop (``nnbook/_train.py``) is a twin of ``forward``/``backward``/``step``.

One epoch of the fast loop must give the same weights as the same minibatches sent through the
book's three methods, to about 1e-12 in float64, for every kind of output layer (the three
shortcut pairs and the general chain), hidden activation and depth; float32 must stay float32;
the NaN guard must restore the last finite epoch's weights and name the epoch.
"""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

import nnbook as nb
from nnbook import _train

COMBOS = [
    # (layer sizes, activations, loss): the three shortcut pairs ...
    ([3, 5, 4], ["relu", "softmax"], "cross_entropy"),
    ([2, 3, 1], ["tanh", "sigmoid"], "bce"),
    ([3, 4, 2], ["tanh", "identity"], "mse"),
    # ... and pairs that take the general chain dZ = g'(.) * dA, in deeper networks
    ([3, 5, 4, 2], ["relu", "tanh", "sigmoid"], "mse"),
    ([3, 4, 3], ["sigmoid", "softmax"], "mse"),
    ([3, 4, 3], ["leaky_relu", "softmax"], "cross_entropy"),
    ([3, 6, 5, 4, 2], ["leaky_relu", "sigmoid", "relu", "tanh"], "mse"),
    ([3, 4, 2], ["identity", "relu"], "mse"),
    ([3, 4, 2], ["softmax", "sigmoid"], "bce"),
    ([4, 2], ["sigmoid"], "bce"),                       # one layer: layer 1 is the output
]


def _data(sizes: list[int], loss: str, m: int, dtype: type, rows: bool, seed: int = 1):
    """X (n0, m), Y (nL, m); as views of row-major arrays when ``rows`` (the fast gather)."""
    rng = np.random.default_rng(seed)
    Xr = rng.standard_normal((m, sizes[0]))
    k = sizes[-1]
    if loss == "cross_entropy":
        Yr = np.eye(k)[rng.integers(0, k, m)]
    elif loss == "bce":
        Yr = (rng.random((m, k)) > 0.5).astype(float)
    else:
        Yr = rng.standard_normal((m, k))
    Xr, Yr = Xr.astype(dtype), Yr.astype(dtype)
    if rows:
        return Xr.T, Yr.T
    return np.ascontiguousarray(Xr.T), np.ascontiguousarray(Yr.T)


def _reference(net: nb.Network, X, Y, *, epochs: int, lr: float, bs: int, shuffle: bool,
               seed: int) -> list[float]:
    """The book's loop, written out: the same minibatches through forward, backward, step."""
    rng = np.random.default_rng(seed)
    m = X.shape[1]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(m) if shuffle else np.arange(m)
        total = 0.0
        for s in range(0, m, bs):
            idx = order[s:s + bs]
            Xb, Yb = X[:, idx], Y[:, idx]
            cache = net.forward(Xb)
            total += nb.output_cost(net.g[net.L].name, net.loss.name, cache.Z[net.L],
                                    cache.A[net.L], Yb) * Xb.shape[1]  # as net.cost
            net.step(net.backward(cache, Yb), lr)
        losses.append(total / m)
    return losses


def _max_rel(a: nb.Network, b: nb.Network) -> float:
    err = 0.0
    for l in a.W:
        for P, Q in ((a.W[l], b.W[l]), (a.b[l], b.b[l])):
            err = max(err, float(np.abs(P - Q).max() / max(1.0, float(np.abs(Q).max()))))
    return err


@pytest.mark.parametrize("rows", [True, False], ids=["rows-view", "row-major"])
@pytest.mark.parametrize(("sizes", "acts", "loss"), COMBOS,
                         ids=[f"{'-'.join(a)}+{lo}" for _, a, lo in COMBOS])
def test_one_epoch_equals_forward_backward_step(sizes, acts, loss, rows):
    X, Y = _data(sizes, loss, m=45, dtype=np.float64, rows=rows)  # 45 = 5 x 8 + a partial 5
    fast = nb.Network(sizes, acts, loss, seed=3)
    ref = fast.copy()
    W1 = fast.W[1]
    got = _train.train(fast, X, Y, epochs=1, learning_rate=0.1, batch_size=8, shuffle=True,
                       rng=np.random.default_rng(7))
    want = _reference(ref, X, Y, epochs=1, lr=0.1, bs=8, shuffle=True, seed=7)
    assert _max_rel(fast, ref) < 1e-12
    np.testing.assert_allclose(got, want, rtol=RTOL_SAME_FORMULA, atol=1e-14)
    assert fast.W[1] is W1                           # trained in place


@pytest.mark.parametrize(("sizes", "acts", "loss"), COMBOS[:4])
def test_several_epochs_full_batch_and_unshuffled(sizes, acts, loss):
    X, Y = _data(sizes, loss, m=20, dtype=np.float64, rows=False)
    for bs, shuffle in ((20, False), (6, False), (6, True)):
        fast = nb.Network(sizes, acts, loss, seed=0)
        ref = fast.copy()
        got = _train.train(fast, X, Y, epochs=4, learning_rate=0.2, batch_size=bs,
                           shuffle=shuffle, rng=np.random.default_rng(11))
        want = _reference(ref, X, Y, epochs=4, lr=0.2, bs=bs, shuffle=shuffle, seed=11)
        assert _max_rel(fast, ref) < 1e-12, (bs, shuffle)
        np.testing.assert_allclose(got, want, rtol=RTOL_SAME_FORMULA, atol=1e-14)


def test_fit_uses_the_seeded_shuffle():
    """``Network.fit(seed=s)`` visits the minibatches of ``default_rng(s).permutation``."""
    sizes, acts, loss = COMBOS[0]
    X, Y = _data(sizes, loss, m=50, dtype=np.float64, rows=True)
    fast = nb.Network(sizes, acts, loss, seed=5)
    ref = fast.copy()
    hist = fast.fit(X, Y, epochs=3, learning_rate=0.1, batch_size=16, seed=42)
    want = _reference(ref, X, Y, epochs=3, lr=0.1, bs=16, shuffle=True, seed=42)
    assert _max_rel(fast, ref) < 1e-12
    np.testing.assert_allclose(hist.loss, want, rtol=RTOL_SAME_FORMULA)


@pytest.mark.parametrize(("sizes", "acts", "loss"), COMBOS[:4])
def test_float32_stays_float32(sizes, acts, loss):
    X, Y = _data(sizes, loss, m=45, dtype=np.float32, rows=True)
    fast = nb.Network(sizes, acts, loss, seed=3, dtype=np.float32)
    ref = fast.copy()
    got = _train.train(fast, X, Y, epochs=2, learning_rate=0.1, batch_size=8, shuffle=True,
                       rng=np.random.default_rng(7))
    want = _reference(ref, X, Y, epochs=2, lr=0.1, bs=8, shuffle=True, seed=7)
    for l in fast.W:
        assert fast.W[l].dtype == np.float32 and fast.b[l].dtype == np.float32
    assert _max_rel(fast, ref) < 1e-5
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_nan_guard_restores_the_last_finite_epoch_and_names_it():
    sizes, acts, loss = [3, 8, 1], ["relu", "identity"], "mse"
    X, Y = _data(sizes, loss, m=32, dtype=np.float64, rows=True)
    Y = Y * 1e3
    net = nb.Network(sizes, acts, loss, seed=0)
    lr = 0.05
    # find the first epoch that diverges with the plain loop, to know what to expect
    probe = net.copy()
    with pytest.raises(FloatingPointError, match=r"epoch (\d+)") as plain:
        _train._train_plain(probe, X, Y, epochs=200, learning_rate=lr, batch_size=8,
                            shuffle=True, rng=np.random.default_rng(0))
    bad = int(str(plain.value).split("epoch ")[1].split()[0])
    assert bad > 1
    W = {l: net.W[l] for l in net.W}
    with pytest.raises(FloatingPointError, match=f"diverged at epoch {bad} ") as fast:
        _train.train(net, X, Y, epochs=200, learning_rate=lr, batch_size=8, shuffle=True,
                     rng=np.random.default_rng(0))
    assert len(fast.value.history) == bad - 1         # the completed epochs' losses
    for l in net.W:
        assert net.W[l] is W[l]                       # restored in place
        assert np.isfinite(net.W[l]).all() and np.isfinite(net.b[l]).all()
    assert _max_rel(net, probe) < 1e-9                # the same epoch-(bad-1) weights


def test_nan_guard_in_the_first_epoch_restores_the_initial_weights():
    sizes, acts, loss = [2, 4, 1], ["relu", "identity"], "mse"
    X, Y = _data(sizes, loss, m=8, dtype=np.float64, rows=False)
    net = nb.Network(sizes, acts, loss, seed=0)
    init = net.copy()
    with pytest.raises(FloatingPointError, match="epoch 1 "):
        _train.train(net, X, Y * 1e200, epochs=3, learning_rate=1e100, batch_size=8,
                     shuffle=False, rng=np.random.default_rng(0))
    assert _max_rel(net, init) == 0.0


def test_no_copy_of_the_data_set():
    """The gather reads rows of ``X_rows`` into a buffer: memory stays far below one copy."""
    rng = np.random.default_rng(0)
    Xr = rng.standard_normal((20_000, 100))
    Yr = np.eye(10)[rng.integers(0, 10, 20_000)]
    net = nb.Network([100, 32, 10], ["relu", "softmax"], "cross_entropy", seed=0)
    tracemalloc.start()
    try:
        _train.train(net, Xr.T, Yr.T, epochs=2, learning_rate=0.1, batch_size=64,
                     shuffle=True, rng=np.random.default_rng(0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.1 * Xr.nbytes, peak


def test_custom_activation_falls_back_to_the_plain_loop():
    sizes, acts, loss = [3, 4, 2], ["tanh", "identity"], "mse"
    X, Y = _data(sizes, loss, m=12, dtype=np.float64, rows=False)
    net = nb.Network(sizes, acts, loss, seed=0)
    g = nb.get_activation("tanh")
    net.g[1] = nb.Activation("tanh", g.forward, g.derivative, lambda dA, Z, A: dA * (1 - A * A))
    assert not _train._supported(net)
    ref = net.copy()
    _train.train(net, X, Y, epochs=2, learning_rate=0.1, batch_size=4, shuffle=False,
                 rng=np.random.default_rng(0))
    _reference(ref, X, Y, epochs=2, lr=0.1, bs=4, shuffle=False, seed=0)
    assert _max_rel(net, ref) < 1e-12


@pytest.mark.parametrize("l2", [0.1, 2.0])
@pytest.mark.parametrize(("sizes", "acts", "loss"), COMBOS[:4] + COMBOS[-1:])
def test_l2_fast_loop_equals_forward_backward_step(sizes, acts, loss, l2):
    """With an L2 penalty the fast loop (a multiplicative decay) equals the plain one."""
    X, Y = _data(sizes, loss, m=45, dtype=np.float64, rows=True)
    fast = nb.Network(sizes, acts, loss, seed=3, l2=l2)
    ref, plain = fast.copy(), fast.copy()
    got = _train.train(fast, X, Y, epochs=3, learning_rate=0.1, batch_size=8, shuffle=True,
                       rng=np.random.default_rng(7))
    _reference(ref, X, Y, epochs=3, lr=0.1, bs=8, shuffle=True, seed=7)
    also = _train._train_plain(plain, X, Y, epochs=3, learning_rate=0.1, batch_size=8,
                               shuffle=True, rng=np.random.default_rng(7))
    assert _max_rel(fast, ref) < 1e-12
    assert _max_rel(plain, ref) < 1e-12
    np.testing.assert_allclose(got, also, rtol=RTOL_SAME_FORMULA, atol=1e-14)
    # the recorded cost includes the penalty: the full batch's first entry is cost(X, Y)
    net = nb.Network(sizes, acts, loss, seed=3, l2=l2)
    J0 = net.cost(X, Y)
    first = _train.train(net, X, Y, epochs=1, learning_rate=0.1, batch_size=45, shuffle=False,
                         rng=np.random.default_rng(0))
    np.testing.assert_allclose(first[0], J0, rtol=RTOL_SAME_FORMULA)
    # ... and it is not the unpenalised cost
    net0 = nb.Network(sizes, acts, loss, seed=3)
    assert J0 > net0.cost(X, Y)


def test_l2_float32_stays_float32():
    sizes, acts, loss = COMBOS[1]
    X, Y = _data(sizes, loss, m=45, dtype=np.float32, rows=True)
    fast = nb.Network(sizes, acts, loss, seed=3, dtype=np.float32, l2=0.5)
    ref = fast.copy()
    _train.train(fast, X, Y, epochs=2, learning_rate=0.1, batch_size=8, shuffle=True,
                 rng=np.random.default_rng(7))
    _reference(ref, X, Y, epochs=2, lr=0.1, bs=8, shuffle=True, seed=7)
    for l in fast.W:
        assert fast.W[l].dtype == np.float32 and ref.W[l].dtype == np.float32
    assert _max_rel(fast, ref) < 1e-5


@pytest.mark.parametrize("plain", [False, True], ids=["fast", "plain"])
def test_control_flag_and_hook_stop_both_loops_alike(plain):
    """``Control``: a raised flag stops before the next minibatch and puts back the last completed
    epoch; a hook's reason stops after its epoch. Both loops, the same weights."""
    sizes, acts, loss = COMBOS[1]
    X, Y = _data(sizes, loss, m=40, dtype=np.float64, rows=True)
    run = _train._train_plain if plain else _train.train

    def fresh(epochs):
        net = nb.Network(sizes, acts, loss, seed=3)
        if epochs:
            run(net, X, Y, epochs=epochs, learning_rate=0.1, batch_size=8, shuffle=True,
                rng=np.random.default_rng(7))
        return net

    seen = []

    def hook(epoch, loss_):
        seen.append(epoch)
        if epoch == 2:
            ctl.interrupted = True          # as the first Ctrl-C would, between epochs
        return None

    ctl = _train.Control(hook)
    net = fresh(0)
    losses = run(net, X, Y, epochs=10, learning_rate=0.1, batch_size=8, shuffle=True,
                 rng=np.random.default_rng(7), control=ctl)
    assert (len(losses), seen) == (2, [1, 2])
    assert ctl.stopped_reason == ("interrupted (Ctrl-C) after 2 of 10 epochs; the weights are "
                                  "those at the end of epoch 2")
    assert _max_rel(net, fresh(2)) == 0.0

    ctl = _train.Control(lambda epoch, loss_: "enough" if epoch == 3 else None)
    net = fresh(0)
    losses = run(net, X, Y, epochs=10, learning_rate=0.1, batch_size=8, shuffle=True,
                 rng=np.random.default_rng(7), control=ctl)
    assert (len(losses), ctl.stopped_reason, ctl.interrupted) == (3, "enough", False)
    assert _max_rel(net, fresh(3)) == 0.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
@pytest.mark.parametrize("depth", [1, 2])
def test_epoch_loss_is_the_networks_cost_from_the_logits_when_saturated(depth, output, dtype):
    """Outputs far past the clip (logit gaps of 90 to 450): the fast loop's epoch loss is
    Network.cost before the update (computed from Z[L], not capped at -ln eps), as is the plain
    loop's."""
    rng = np.random.default_rng(4)
    k = 1 if output == "sigmoid" else 3
    loss = "bce" if output == "sigmoid" else "cross_entropy"
    X = rng.standard_normal((2, 12)).astype(dtype)
    Y = np.eye(k)[:, rng.integers(0, k, 12)] if k > 1 else (X[:1] > 0).astype(dtype)
    Y = 1 - Y if k == 1 else Y           # sigmoid: confidently wrong where |x| is large
    sizes, acts = ([2, k], [output]) if depth == 1 else ([2, 4, k], ["identity", output])
    net = nb.Network(sizes, acts, loss, seed=0, dtype=dtype)
    net.W[depth][...] *= 150 / np.abs(net.W[depth]).max()
    cache = net.forward(X)
    assert np.abs(cache.Z[depth]).max() > 90              # well past -ln eps = 27.6 (15.9)
    J0 = net.cost(X, Y)
    assert J0 > net.loss.value(cache.A[depth], Y) + 5     # far above the clipped form
    plain = net.copy()
    fast = _train.train(net, X, Y, epochs=1, learning_rate=1e-3, batch_size=12,
                        shuffle=False, rng=np.random.default_rng(0))
    slow = _train._train_plain(plain, X, Y, epochs=1, learning_rate=1e-3, batch_size=12,
                               shuffle=False, rng=np.random.default_rng(0))
    rtol = RTOL_SAME_FORMULA if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(fast, [J0], rtol=rtol)
    np.testing.assert_allclose(slow, [J0], rtol=rtol)
    assert _max_rel(net, plain) < (1e-12 if dtype == np.float64 else 1e-6)


@pytest.mark.parametrize("plain", [False, True], ids=["fast", "plain"])
def test_a_learning_rate_beyond_float32_diverges_without_a_warning(plain):
    """lr = 1e308 is a float64 number; in a float32 loop it becomes inf. That is a divergence in
    epoch 1, reported as such, the initial weights kept, and no 'overflow in cast' warning."""
    sizes, acts, loss = COMBOS[2]
    X, Y = _data(sizes, loss, m=8, dtype=np.float32, rows=False)
    net = nb.Network(sizes, acts, loss, seed=0, dtype=np.float32)
    init = net.copy()
    run = _train._train_plain if plain else _train.train
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match=r"^training diverged at epoch 1 .*"
                                                     r"learning_rate = 1e\+308; the network "
                                                     r"is left as it was before fit"):
            run(net, X, Y, epochs=2, learning_rate=1e308, batch_size=8, shuffle=False,
                rng=np.random.default_rng(0))
    assert _max_rel(net, init) == 0.0
