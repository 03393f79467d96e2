# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""Training that can be watched and stopped: ``fit(progress=, callback=)`` and Ctrl-C.

Every behaviour is checked on both training loops: the fast one (``_train._FastLoop``) and the
plain one (``forward``/``backward``/update), which a network whose activation is not the library's
own object falls back to. A stopped run must leave exactly the weights a fresh run of the same
number of completed epochs ends with (same seeds), never NaN.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

import nnbook as nb
from nnbook import _train

PATHS = ["fast", "plain"]


def _net(path: str, sizes=(2, 16, 1), seed: int = 0) -> nb.Network:
    """A tanh-sigmoid BCE network; on the ``plain`` path its tanh is a copy of the library's
    (same numbers), so ``fit`` takes the plain loop."""
    net = nb.Network(list(sizes), ["tanh", "sigmoid"], "bce", seed=seed)
    if path == "plain":
        g = nb.get_activation("tanh")
        net.g[1] = nb.Activation("tanh", g.forward, g.derivative,
                                 lambda dA, Z, A: g.backward(dA, Z, A))
        assert not _train._supported(net)
    else:
        assert _train._supported(net)
    return net


def _same_weights(a: nb.Network, b: nb.Network) -> bool:
    return all(np.array_equal(a.W[l], b.W[l]) and np.array_equal(a.b[l], b.b[l])
               for l in a.W)


def _finite(net: nb.Network) -> bool:
    return all(np.isfinite(net.W[l]).all() and np.isfinite(net.b[l]).all() for l in net.W)


MOONS = nb.datasets.two_moons(200, noise=0.2, seed=0)
FIT = {"learning_rate": 0.2, "batch_size": 16, "seed": 3}


# ------------------------------------------------------------------------ History
def test_a_complete_run_is_not_marked_stopped():
    h = _net("fast").fit(*MOONS, epochs=3, **FIT)
    assert (len(h.loss), h.stopped_early, h.stopped_reason) == (3, False, None)
    assert h.interrupted is False


# ---------------------------------------------------------------------- callbacks
@pytest.mark.parametrize("path", PATHS)
def test_callback_sees_every_epoch_with_that_epochs_weights(path):
    seen = []

    def record(epoch, loss, net):
        seen.append((epoch, loss, {l: net.W[l].copy() for l in net.W}))

    net = _net(path)
    h = net.fit(*MOONS, epochs=4, callback=record, **FIT)
    assert [e for e, _, _ in seen] == [1, 2, 3, 4]
    assert [loss for _, loss, _ in seen] == h.loss
    for epoch, _, W in seen:                   # the weights at the end of that epoch
        fresh = _net(path)
        fresh.fit(*MOONS, epochs=epoch, **FIT)
        assert all(np.array_equal(W[l], fresh.W[l]) for l in W), epoch


@pytest.mark.parametrize("path", PATHS)
def test_callback_returning_true_stops_after_that_epoch(path):
    net = _net(path)
    h = net.fit(*MOONS, epochs=10**12, callback=lambda e, loss, n: e == 5, **FIT)
    assert len(h.loss) == 5 and h.epochs == 10**12
    assert h.stopped_early and not h.interrupted
    assert h.stopped_reason == "callback returned True at epoch 5"
    fresh = _net(path)
    fresh.fit(*MOONS, epochs=5, **FIT)
    assert _same_weights(net, fresh)


@pytest.mark.parametrize("path", PATHS)
def test_stop_training_exception_stops_and_gives_the_reason(path):
    def stop(epoch, loss, net):
        if loss < 0.33:
            raise nb.StopTraining(f"loss {loss:.3f} below 0.33")
        return False                            # False and None both mean "go on"

    net = _net(path)
    h = net.fit(*MOONS, epochs=10**12, callback=stop, **FIT)
    k = len(h.loss)
    assert k > 1 and h.loss[-1] < 0.33 <= min(h.loss[:-1])
    assert h.stopped_reason == f"StopTraining at epoch {k}: loss {h.loss[-1]:.3f} below 0.33"
    fresh = _net(path)
    fresh.fit(*MOONS, epochs=k, **FIT)
    assert _same_weights(net, fresh)


def test_fast_and_plain_loops_stop_alike():
    runs = {}
    for path in PATHS:
        net = _net(path)
        h = net.fit(*MOONS, epochs=100, callback=lambda e, loss, n: e == 7, **FIT)
        runs[path] = (net, h)
    (fast, hf), (plain, hp) = runs["fast"], runs["plain"]
    assert (len(hf.loss), hf.stopped_reason) == (len(hp.loss), hp.stopped_reason)
    np.testing.assert_allclose(hf.loss, hp.loss, rtol=RTOL_SAME_FORMULA)
    for l in fast.W:
        np.testing.assert_allclose(fast.W[l], plain.W[l], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("path", PATHS)
def test_callback_returning_something_else_is_refused_naming_callback(path):
    net = _net(path)
    with pytest.raises(TypeError, match=r"^callback: expected it to return True \(stop\), False "
                                        r"or None, got 0\.5 at epoch 1$"):
        net.fit(*MOONS, epochs=3, callback=lambda e, loss, n: 0.5, **FIT)
    assert _same_weights(net, _net(path))      # a failed call: as before fit


@pytest.mark.parametrize("path", PATHS)
def test_an_error_in_the_callback_propagates_with_the_network_as_before(path):
    def fail(epoch, loss, net):
        if epoch == 2:
            raise RuntimeError("my callback broke")

    net = _net(path)
    with pytest.raises(RuntimeError, match="my callback broke"):
        net.fit(*MOONS, epochs=5, callback=fail, **FIT)
    assert _same_weights(net, _net(path))      # a failed call: as before fit


def test_callback_runs_under_the_callers_numpy_error_settings():
    """The loops silence overflow warnings (they check for NaN themselves); the callback not."""
    got = []
    with np.errstate(over="raise"):
        _net("fast").fit(*MOONS, epochs=1, callback=lambda e, loss, n: got.append(np.geterr()),
                         **FIT)
    assert got[0]["over"] == "raise"


# ------------------------------------------------------------------- progress bar
def test_progress_bar_shows_epoch_loss_and_time_left(capsys):
    net, twin = _net("fast"), _net("fast")
    h = net.fit(*MOONS, epochs=3, progress=True, **FIT)
    err = capsys.readouterr().err
    assert "fit: 100%" in err and "3/3" in err, err
    assert f"loss={h.loss[-1]:.4g}" in err, err
    assert "<00:00" in err, err                # elapsed<remaining
    twin.fit(*MOONS, epochs=3, **FIT)
    assert _same_weights(net, twin)            # watching changes nothing


def test_progress_bar_of_a_huge_run_stopped_by_the_callback(capsys):
    h = _net("plain").fit(*MOONS, epochs=10**12, progress=True,
                          callback=lambda e, loss, n: e == 4, **FIT)
    err = capsys.readouterr().err
    assert len(h.loss) == 4 and "4/1000000000000" in err, err


def test_progress_without_tqdm_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)   # import tqdm now raises ImportError
    net = _net("fast")
    before = {l: net.W[l].copy() for l in net.W}
    with pytest.raises(ImportError, match=r"progress=True needs tqdm, the optional extra "
                                          r"nnbook\[progress\]: pip install 'nnbook\[progress\]'"):
        net.fit(*MOONS, epochs=2, progress=True, **FIT)
    assert all(np.array_equal(net.W[l], before[l]) for l in net.W)


# ------------------------------------------------------------------------- Ctrl-C
def _sigint() -> None:
    os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.parametrize("path", PATHS)
def test_ctrl_c_from_a_timer_returns_the_last_completed_epoch(path, capsys):
    """A real ``fit`` of 10**12 epochs, interrupted by SIGINT sent from a timer thread."""
    X, Y = nb.datasets.two_moons(4000, noise=0.2, seed=0)
    fit = {"learning_rate": 0.05, "batch_size": 4, "seed": 5}
    net = _net(path)
    delay = 0.6
    timer = threading.Timer(delay, _sigint)
    t0 = time.perf_counter()
    timer.start()
    try:
        h = net.fit(X, Y, epochs=10**12, **fit)
    finally:
        timer.cancel()
    elapsed = time.perf_counter() - t0
    k = len(h.loss)
    assert h.interrupted and h.stopped_early
    assert h.stopped_reason == (f"interrupted (Ctrl-C) after {k} of 1000000000000 epochs; "
                                f"the weights are those at the end of epoch {k}")
    assert _finite(net)
    fresh = _net(path)
    if k:
        fresh.fit(X, Y, epochs=k, **fit)
    assert _same_weights(net, fresh)           # bit for bit: the end of epoch k
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert elapsed < delay + 1.0, elapsed      # stopped within one minibatch, not one epoch
    with capsys.disabled():
        print(f"\n[ctrl-c {path}] SIGINT after {delay} s: returned after {elapsed:.3f} s "
              f"with {k} epochs completed")


@pytest.mark.parametrize("path", PATHS)
def test_ctrl_c_during_the_first_epoch_keeps_the_initial_weights(path):
    X, Y = nb.datasets.two_moons(100_000, noise=0.2, seed=0)
    net = _net(path)
    init = net.copy()
    # setting up takes about 0.2 s, the first epoch (10**5 minibatches) several seconds
    timer = threading.Timer(1.0, _sigint)
    timer.start()
    try:
        h = net.fit(X, Y, epochs=10**12, learning_rate=0.05, batch_size=1, seed=5)
    finally:
        timer.cancel()
    assert h.interrupted and h.loss == []
    assert "after 0 of 1000000000000 epochs" in h.stopped_reason
    assert _same_weights(net, init)


def _signalling_tanh(calls: list[int], at: set[int]) -> nb.Activation:
    """The library's tanh, sending SIGINT to this process on the forward calls numbered in
    ``at`` (the plain loop calls forward once per minibatch)."""
    g = nb.get_activation("tanh")

    def forward(Z):
        calls[0] += 1
        if calls[0] in at:
            _sigint()
        return g.forward(Z)

    return nb.Activation("tanh", forward, g.derivative, g.backward)


def test_ctrl_c_mid_epoch_finishes_the_minibatch_and_drops_the_partial_epoch():
    """Deterministic: SIGINT during minibatch 5 of epoch 3 (13 minibatches per epoch)."""
    net = _net("plain")
    calls = [0]
    per_epoch = -(-200 // 16)
    net.g[1] = _signalling_tanh(calls, {2 * per_epoch + 5})
    h = net.fit(*MOONS, epochs=10, **FIT)
    assert calls[0] == 2 * per_epoch + 5        # that minibatch finished, no other started
    assert h.interrupted and len(h.loss) == 2
    fresh = _net("plain")
    fresh.fit(*MOONS, epochs=2, **FIT)
    assert _same_weights(net, fresh)


def test_ctrl_c_in_the_last_minibatch_keeps_that_epoch():
    net = _net("plain")
    calls = [0]
    per_epoch = -(-200 // 16)
    net.g[1] = _signalling_tanh(calls, {3 * per_epoch})
    h = net.fit(*MOONS, epochs=10, **FIT)
    assert h.interrupted and len(h.loss) == 3
    fresh = _net("plain")
    fresh.fit(*MOONS, epochs=3, **FIT)
    assert _same_weights(net, fresh)


@pytest.mark.parametrize("path", PATHS)
def test_ctrl_c_between_epochs_stops_before_the_next(path):
    """SIGINT sent from the callback of epoch 4: the run stops with 4 epochs."""
    def interrupt(epoch, loss, net):
        if epoch == 4:
            _sigint()

    net = _net(path)
    h = net.fit(*MOONS, epochs=50, callback=interrupt, **FIT)
    assert h.interrupted and len(h.loss) == 4
    fresh = _net(path)
    fresh.fit(*MOONS, epochs=4, **FIT)
    assert _same_weights(net, fresh)


def test_a_second_ctrl_c_raises_with_the_last_completed_epoch():
    """Two SIGINTs during minibatch 3 of epoch 2: the first asks for a stop at the end of the
    minibatch, the second raises KeyboardInterrupt at once; the weights are epoch 1's."""
    net = _net("plain")
    g = nb.get_activation("tanh")
    calls = [0]
    first = -(-200 // 16) + 3

    def twice(Z):
        calls[0] += 1
        if calls[0] == first:
            _sigint()
            _sigint()
        return g.forward(Z)

    net.g[1] = nb.Activation("tanh", twice, g.derivative, g.backward)
    with pytest.raises(KeyboardInterrupt):
        net.fit(*MOONS, epochs=10, **FIT)
    assert calls[0] == first
    fresh = _net("plain")
    fresh.fit(*MOONS, epochs=1, **FIT)
    assert _same_weights(net, fresh)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_fit_in_another_thread_leaves_sigint_alone():
    out = {}

    def run():
        out["h"] = _net("fast").fit(*MOONS, epochs=2, **FIT)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert len(out["h"].loss) == 2 and not out["h"].interrupted
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_handler_of_the_callers_own_is_left_in_place():
    seen = []

    def mine(signum, frame):
        seen.append(signum)

    old = signal.signal(signal.SIGINT, mine)
    try:
        h = _net("fast").fit(*MOONS, epochs=3, callback=lambda e, loss, n: _sigint(), **FIT)
        assert signal.getsignal(signal.SIGINT) is mine
    finally:
        signal.signal(signal.SIGINT, old)
    assert len(h.loss) == 3 and not h.interrupted and seen == [signal.SIGINT] * 3
