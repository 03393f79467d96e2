# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""The three contenders (nnbook, PyTorch CPU, scikit-learn) and the matmul-only baseline.

Each ``run_*`` function trains ``cfg``'s network on ``data`` from the *same* initial weights
(nnbook's, drawn by ``nb.Network(..., seed=cfg.seed)``; copied into ``torch.nn.Linear`` layers and
into scikit-learn's ``coefs_``/``intercepts_``), with the same batch size, learning rate, epochs
and dtype, and times the training alone (building the model and scoring it are outside the
clock). nnbook and PyTorch also visit the minibatches in the same order (the permutations of
``np.random.default_rng(cfg.seed)``, the generator ``Network.fit`` uses); scikit-learn shuffles
with its own generator (``random_state=cfg.seed``).
"""

from __future__ import annotations

import gc
import math
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

import nnbook as nb

from .workloads import Config, Data

__all__ = [
    "LIBRARIES",
    "Result",
    "available",
    "initial_network",
    "matmul_only_numpy",
    "matmul_only_torch",
    "run_library",
]

LIBRARIES = ("nnbook", "torch", "sklearn")


@dataclass
class Result:
    """One timed training run."""

    seconds: float
    accuracy: float
    loss: float
    steps: int
    dtype: str        # the dtype the library actually trained in


def available(lib: str) -> str | None:
    """``None`` if ``lib`` can be imported, else the reason it cannot."""
    try:
        if lib == "torch":
            import torch  # noqa: F401
        elif lib == "sklearn":
            import sklearn.neural_network  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        return f"{lib} is not installed ({exc})"
    return None


def steps_per_epoch(cfg: Config, m: int) -> int:
    """Minibatches per epoch, the last one possibly shorter."""
    bs = m if cfg.batch_size is None else min(cfg.batch_size, m)
    return math.ceil(m / bs)


def initial_network(cfg: Config, dtype: Any) -> nb.Network:
    """The network every library starts from: nnbook's initialisation with ``cfg.seed``."""
    return nb.Network(list(cfg.sizes), list(cfg.activations), cfg.loss, seed=cfg.seed,
                      dtype=dtype)


def _start() -> float:
    """Start the clock, with the cyclic garbage collector paused (no GC pause in a timing)."""
    gc.disable()
    return time.perf_counter()


def _stop(t0: float) -> float:
    """Seconds since :func:`_start`; the garbage collector resumes."""
    seconds = time.perf_counter() - t0
    gc.enable()
    return seconds


def _accuracy(pred: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.asarray(pred).reshape(-1) == labels))


# ----------------------------------------------------------------------------- nnbook
def run_nnbook(cfg: Config, data: Data, dtype: Any) -> Result:
    """Train with ``Network.fit`` (validation included in the time), on ``X_rows.T`` views."""
    net = initial_network(cfg, dtype)
    X, Y = data.X_train.T, data.Y_train.T              # views: no copy of the data set
    m = X.shape[1]
    t0 = _start()
    hist = net.fit(X, Y, epochs=cfg.epochs, learning_rate=cfg.learning_rate,
                   batch_size=cfg.batch_size, shuffle=True, seed=cfg.seed)
    seconds = _stop(t0)
    acc = _accuracy(net.predict(data.X_test.T), data.y_test)
    return Result(seconds, acc, hist.loss[-1], cfg.epochs * steps_per_epoch(cfg, m),
                  net.W[1].dtype.name)


# ----------------------------------------------------------------------------- PyTorch
def run_torch(cfg: Config, data: Data, dtype: Any) -> Result:
    """A plain PyTorch loop: ``nn.Sequential`` of ``nn.Linear``, ``torch.optim.SGD``.

    The output activation is fused into the loss the idiomatic way: sigmoid + BCE is
    ``BCEWithLogitsLoss``, softmax + cross-entropy is ``CrossEntropyLoss``. The loop also sums
    the per-epoch loss (``loss.item()``), as nnbook and scikit-learn do. Threads: PyTorch's
    default (``torch.get_num_threads()``, one per core, as NumPy's OpenBLAS).
    """
    import torch
    from torch import nn

    tdtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[
        np.dtype(dtype)]
    init = initial_network(cfg, dtype)
    acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "identity": nn.Identity}
    layers: list[nn.Module] = []
    L = len(cfg.sizes) - 1
    for l in range(1, L + 1):
        lin = nn.Linear(cfg.sizes[l - 1], cfg.sizes[l]).to(tdtype)
        with torch.no_grad():                                 # nnbook's W[l] (out, in), b[l]
            lin.weight.copy_(torch.from_numpy(init.W[l]))
            lin.bias.copy_(torch.from_numpy(init.b[l][:, 0]))
        layers.append(lin)
        if l < L:
            layers.append(acts[cfg.activations[l - 1]]())
    model = nn.Sequential(*layers)
    binary = cfg.activations[-1] == "sigmoid"
    loss_fn: nn.Module = nn.BCEWithLogitsLoss() if binary else nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=cfg.learning_rate)
    X = torch.from_numpy(data.X_train)                        # shares memory with NumPy
    y = (torch.from_numpy(data.Y_train) if binary else torch.from_numpy(data.y_train))
    m = X.shape[0]
    bs = m if cfg.batch_size is None else min(cfg.batch_size, m)
    rng = np.random.default_rng(cfg.seed)                     # the order nnbook's fit uses
    shuffle = bs < m
    t0 = _start()
    for _ in range(cfg.epochs):
        total = 0.0
        if shuffle:
            perm = torch.from_numpy(rng.permutation(m))
            for s in range(0, m, bs):
                idx = perm[s:s + bs]
                xb, yb = X[idx], y[idx]
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
        else:                                                 # full batch: the data as is
            opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()
            total += loss.item() * m
    seconds = _stop(t0)
    with torch.no_grad():
        out = model(torch.from_numpy(data.X_test))
        pred = (out >= 0).long() if binary else out.argmax(dim=1)
    return Result(seconds, _accuracy(pred.numpy(), data.y_test), total / m,
                  cfg.epochs * steps_per_epoch(cfg, m), str(model[0].weight.dtype)[6:])


# ----------------------------------------------------------------------------- scikit-learn
def run_sklearn(cfg: Config, data: Data, dtype: Any) -> Result:
    """``MLPClassifier`` as plain minibatch SGD for exactly ``cfg.epochs`` epochs.

    ``solver="sgd"``, ``momentum=0``, ``nesterovs_momentum=False``, ``alpha=0`` (no L2),
    ``learning_rate="constant"``, ``early_stopping=False``, ``tol=0`` and
    ``n_iter_no_change = epochs + 1`` (so it never stops early), ``max_iter = epochs``. The
    initial weights are nnbook's: the private hook ``_init_coef`` (called once per layer by
    ``_initialize``) is replaced on the instance to hand out ``W[l].T`` and ``b[l]``.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    init = initial_network(cfg, dtype)
    names = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "identity": "identity"}
    hidden = set(cfg.activations[:-1])
    if len(hidden) != 1:
        raise ValueError(f"scikit-learn needs one hidden activation, got {cfg.activations}")
    m = data.X_train.shape[0]
    bs = m if cfg.batch_size is None else min(cfg.batch_size, m)
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(cfg.sizes[1:-1]), activation=names[hidden.pop()],
        solver="sgd", alpha=0.0, batch_size=bs, learning_rate="constant",
        learning_rate_init=cfg.learning_rate, max_iter=cfg.epochs, shuffle=bs < m,
        random_state=cfg.seed, tol=0.0, momentum=0.0, nesterovs_momentum=False,
        early_stopping=False, n_iter_no_change=cfg.epochs + 1)
    given = iter([(init.W[l].T.copy(), init.b[l][:, 0].copy())
                  for l in range(1, len(cfg.sizes))])

    def _init_coef(fan_in: int, fan_out: int, dt: Any) -> tuple[np.ndarray, np.ndarray]:
        W, b = next(given)
        assert W.shape == (fan_in, fan_out)
        return W.astype(dt, copy=False), b.astype(dt, copy=False)

    clf._init_coef = _init_coef  # type: ignore[method-assign]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = _start()
        clf.fit(data.X_train, data.y_train)
        seconds = _stop(t0)
    if clf.n_iter_ != cfg.epochs:
        raise RuntimeError(f"scikit-learn ran {clf.n_iter_} epochs, expected {cfg.epochs}")
    acc = _accuracy(clf.predict(data.X_test), data.y_test)
    return Result(seconds, acc, float(clf.loss_), cfg.epochs * steps_per_epoch(cfg, m),
                  clf.coefs_[0].dtype.name)


_RUNNERS = {"nnbook": run_nnbook, "torch": run_torch, "sklearn": run_sklearn}


def run_library(lib: str, cfg: Config, data: Data, dtype: Any) -> Result:
    """Train ``cfg`` with library ``lib`` (one of :data:`LIBRARIES`)."""
    return _RUNNERS[lib](cfg, data, dtype)


# ----------------------------------------------------------------------------- matmul only
def _matmul_plan(cfg: Config, m: int) -> list[int]:
    bs = m if cfg.batch_size is None else min(cfg.batch_size, m)
    return [bs] * (m // bs) + ([m % bs] if m % bs else [])


def matmul_only_numpy(cfg: Config, m: int, dtype: Any) -> float:
    r"""Seconds for the matrix products alone of ``cfg.epochs`` epochs, with NumPy.

    Per minibatch of $m_B$ columns: $Z^{[l]} = W^{[l]} A^{[l-1]}$ ($l = 1..L$),
    $dW^{[l]} = dZ^{[l]} A^{[l-1]\top}$ ($l = L..1$) and $dA^{[l-1]} = W^{[l]\top} dZ^{[l]}$
    ($l = L..2$), each ``np.matmul(..., out=)`` into a preallocated buffer, $A^{[0]}$ laid out
    as nnbook sees it (the transpose of a row-major gathered batch). Nothing else: no
    activation, no gather, no update. The machine's limit for the epoch.
    """
    n, L = cfg.sizes, len(cfg.sizes) - 1
    rng = np.random.default_rng(0)
    W = {l: (rng.standard_normal((n[l], n[l - 1])) / math.sqrt(n[l - 1])).astype(dtype)
         for l in range(1, L + 1)}
    plans = []
    for mb in sorted(set(_matmul_plan(cfg, m))):
        A = {0: rng.standard_normal((mb, n[0])).astype(dtype).T}
        Z = {l: np.zeros((n[l], mb), dtype) for l in range(1, L + 1)}
        for l in range(1, L):
            A[l] = Z[l]
        dW = {l: np.zeros_like(W[l]) for l in W}
        dA = {l: np.zeros((n[l], mb), dtype) for l in range(1, L)}
        plans.append((mb, A, Z, dW, dA))
    by_mb = {p[0]: p for p in plans}
    order = [by_mb[mb] for mb in _matmul_plan(cfg, m)]
    matmul = np.matmul
    rng_l = range(1, L + 1)
    back = range(L, 0, -1)
    t0 = _start()
    for _ in range(cfg.epochs):
        for _mb, A, Z, dW, dA in order:
            for l in rng_l:
                matmul(W[l], A[l - 1], out=Z[l])
            for l in back:
                matmul(Z[l], A[l - 1].T, out=dW[l])
                if l > 1:
                    matmul(W[l].T, Z[l], out=dA[l - 1])
    return _stop(t0)


def matmul_only_torch(cfg: Config, m: int, dtype: Any) -> float:
    """The same products as :func:`matmul_only_numpy`, with ``torch.matmul(..., out=)``."""
    import torch

    n, L = cfg.sizes, len(cfg.sizes) - 1
    rng = np.random.default_rng(0)
    W = {l: torch.from_numpy((rng.standard_normal((n[l], n[l - 1]))
                              / math.sqrt(n[l - 1])).astype(dtype)) for l in range(1, L + 1)}
    plans = {}
    for mb in sorted(set(_matmul_plan(cfg, m))):
        A = {0: torch.from_numpy(rng.standard_normal((mb, n[0])).astype(dtype)).T}
        Z = {l: torch.zeros((n[l], mb), dtype=W[1].dtype) for l in range(1, L + 1)}
        for l in range(1, L):
            A[l] = Z[l]
        dW = {l: torch.zeros_like(W[l]) for l in W}
        dA = {l: torch.zeros((n[l], mb), dtype=W[1].dtype) for l in range(1, L)}
        plans[mb] = (A, Z, dW, dA)
    order = [plans[mb] for mb in _matmul_plan(cfg, m)]
    matmul = torch.matmul
    t0 = _start()
    for _ in range(cfg.epochs):
        for A, Z, dW, dA in order:
            for l in range(1, L + 1):
                matmul(W[l], A[l - 1], out=Z[l])
            for l in range(L, 0, -1):
                matmul(Z[l], A[l - 1].T, out=dW[l])
                if l > 1:
                    matmul(W[l].T, Z[l], out=dA[l - 1])
    return _stop(t0)
