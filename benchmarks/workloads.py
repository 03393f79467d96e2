"""The benchmark's workloads: data sets, network shapes and training settings.

Every data set is made in code (or ships with scikit-learn) from a fixed seed, row-major:
``X_rows`` is ``(m, n0)`` and labels are integers. nnbook receives the transposes ``X_rows.T``
and ``Y_rows.T`` (views, no copy) in its column convention.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = ["CONFIGS", "Config", "Data", "make_data", "one_hot_rows"]


@dataclass(frozen=True)
class Config:
    """One workload: a network, a data set and its training settings."""

    name: str
    title: str
    data: str                      # "xor", "digits" or "mnist_like"
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    batch_size: int | None         # None: full batch
    epochs: int
    learning_rate: float
    seed: int = 0
    data_kw: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-able values."""
        d = asdict(self)
        d["sizes"], d["activations"] = list(self.sizes), list(self.activations)
        return d


CONFIGS: dict[str, Config] = {
    c.name: c
    for c in [
        Config("xor", "XOR 2-2-1, full batch, 10,000 steps", "xor", (2, 2, 1),
               ("tanh", "sigmoid"), "bce", None, 10_000, 0.5, seed=1),
        Config("digits-b32", "digits 64-128-10, batch 32, 30 epochs", "digits", (64, 128, 10),
               ("relu", "softmax"), "cross_entropy", 32, 30, 0.1),
        Config("digits-b128", "digits 64-128-10, batch 128, 30 epochs", "digits",
               (64, 128, 10), ("relu", "softmax"), "cross_entropy", 128, 30, 0.1),
        Config("mnist-like", "MNIST-shaped 784-256-256-10, batch 128", "mnist_like",
               (784, 256, 256, 10), ("relu", "relu", "softmax"), "cross_entropy", 128, 2, 0.05,
               data_kw={"m_train": 60_000, "m_test": 10_000}),
    ]
}
"""The four workloads of the Performance page, by name."""

QUICK = {
    "xor": {"epochs": 1_000},
    "digits-b32": {"epochs": 3},
    "digits-b128": {"epochs": 3},
    "mnist-like": {"epochs": 1, "data_kw": {"m_train": 6_000, "m_test": 1_000}},
}
"""Smaller settings for ``--quick`` (same shapes, fewer steps and examples)."""


@dataclass
class Data:
    """A data set, row-major: ``X_*`` is ``(m, n0)``, ``y_*`` are int labels, ``Y_*`` one-hot."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    Y_train: np.ndarray
    Y_test: np.ndarray

    @property
    def nbytes(self) -> int:
        """Bytes of the data as nnbook holds it: X and one-hot Y, train and test."""
        return sum(a.nbytes for a in (self.X_train, self.Y_train, self.X_test, self.Y_test))


def one_hot_rows(labels: np.ndarray, k: int, dtype: Any) -> np.ndarray:
    """``(m, k)`` one-hot rows of ``labels`` (for k = 1: the labels as one column)."""
    if k == 1:
        return labels.reshape(-1, 1).astype(dtype)
    Y = np.zeros((labels.size, k), dtype)
    Y[np.arange(labels.size), labels] = 1
    return Y


def _mnist_like(m_train: int, m_test: int, dtype: Any, seed: int,
                n0: int = 784, k: int = 10, separation: float = 0.12,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Class-dependent Gaussian blobs in 784 dimensions, written in chunks (no big temporary).

    Class ``c`` has mean ``mu_c`` (entries N(0, separation^2)) and unit noise, so the classes
    overlap a little and accuracy is meaningful (well below 100% for a short training).
    """
    rng = np.random.default_rng(seed)
    means = rng.standard_normal((k, n0)) * separation

    def make(m: int) -> tuple[np.ndarray, np.ndarray]:
        labels = rng.integers(0, k, m)
        X = np.empty((m, n0), dtype)
        for s in range(0, m, 1024):  # float64 chunks of 1024 rows, cast on the way in
            e = min(m, s + 1024)
            chunk = rng.standard_normal((e - s, n0))
            chunk += means[labels[s:e]]
            X[s:e] = chunk
        return X, labels

    X_train, y_train = make(m_train)
    X_test, y_test = make(m_test)
    return X_train, y_train, X_test, y_test


def make_data(cfg: Config, dtype: Any) -> Data:
    """Build the data set of ``cfg`` in ``dtype`` (deterministic: fixed seeds)."""
    k = cfg.sizes[-1]
    if cfg.data == "xor":
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype)
        y = np.array([0, 1, 1, 0])
        X_train, y_train, X_test, y_test = X, y, X.copy(), y.copy()  # XOR: train = test
    elif cfg.data == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        digits = load_digits()
        X = (digits.data / 16.0).astype(dtype)  # pixels 0..16 -> [0, 1]
        X_train, X_test, y_train, y_test = train_test_split(
            X, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
        X_train, X_test = np.ascontiguousarray(X_train), np.ascontiguousarray(X_test)
    elif cfg.data == "mnist_like":
        X_train, y_train, X_test, y_test = _mnist_like(
            cfg.data_kw.get("m_train", 60_000), cfg.data_kw.get("m_test", 10_000), dtype, 0)
    else:
        raise ValueError(f"data: expected 'xor', 'digits' or 'mnist_like', got {cfg.data!r}")
    return Data(X_train, y_train, X_test, y_test,
                one_hot_rows(y_train, k, dtype), one_hot_rows(y_test, k, dtype))
