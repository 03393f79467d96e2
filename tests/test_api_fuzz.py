# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""The whole public API under random arguments (Hypothesis): what every call must do.

Hypothesis draws shapes, dtypes, values (NaN, inf, huge, tiny, empty) and argument types for
``Network(...)``, ``forward``, ``cost``, ``backward``, ``step``, ``fit``, ``gradient_check``,
``save`` and ``load``. Each drawn argument is labelled

* ``ok``: valid, the call must succeed;
* ``bad``: invalid (the documentation or issue 11 says it is refused), the call must raise;
* ``edge``: valid or not depending on what it meets (``X = 1e300`` in float64, a cross-entropy
  target whose columns do not sum to 1): the call may succeed or raise.

The property, checked by `check_call` for every call:

1. it either succeeds, with results of the right shape and dtype and only finite numbers in them,
   or raises ``ValueError``, ``TypeError`` or ``FloatingPointError`` (``FileNotFoundError`` for a
   missing path) whose message names one of the arguments that was not ``ok``;
2. it succeeds when every argument is ``ok`` and raises when one is ``bad``;
3. a network is bit for bit (values, shapes, dtypes) what it was after a failed call, and after any
   call that does not train it;
4. no warning escapes: each call runs under ``warnings.simplefilter("error")``, and a warning turned
   into an exception is a failure of the property.

The examples are derandomized (the same on every run, so CI never flakes) and have no deadline.
Run with ``--hypothesis-show-statistics`` to see how many each test ran. With
``NNBOOK_FUZZ_LOG=<file>`` set, failures are appended to ``<file>`` (one JSON object per line)
instead of stopping the test, so that one run lists every distinct failure;
``NNBOOK_FUZZ_EXAMPLES=<n>`` overrides the number of examples.
"""

from __future__ import annotations

import gc
import json
import math
import os
import random
import re
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed (uv sync)")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import nnbook as nb  # noqa: E402

OK, EDGE, BAD = "ok", "edge", "bad"
ALLOWED = (ValueError, TypeError, FloatingPointError)
FLOATS = (np.dtype(np.float32), np.dtype(np.float64))

LOG = os.environ.get("NNBOOK_FUZZ_LOG")


def profile(examples: int) -> settings:
    """Derandomized, no deadline, no example database; ``examples`` per test."""
    n = int(os.environ.get("NNBOOK_FUZZ_EXAMPLES", examples))
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# ------------------------------------------------------------------------------ the checker


@dataclass
class Arg:
    """One drawn argument: its name, its value, whether it is ok/edge/bad, and the words an
    error message may use to name it (default: the name)."""

    name: str
    value: Any
    kind: str = OK
    note: str = ""
    tokens: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return self.tokens or (self.name,)

    def __repr__(self) -> str:
        shown = self.note or _short(self.value)
        return f"{self.name}={shown} [{self.kind}]"


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array(shape={value.shape}, dtype={value.dtype})"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class PropertyFailure(AssertionError):
    """A call broke the property; ``kind`` says how (warning, unnamed, changed, ...)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


def snapshot(net: Any) -> Any:
    """Everything that makes a network what it is, as bytes: W[l], b[l] (dtype, shape, bits),
    the layer keys, the sizes, the activations, the loss and l2."""
    if not isinstance(net, nb.Network):
        return None
    params = {}
    for name, store in (("W", net.W), ("b", net.b)):
        for l, arr in store.items():
            a = np.asarray(arr)
            params[f"{name}[{l}]"] = (a.dtype.str, a.shape, a.tobytes())
    acts = tuple(net.g[l].name for l in sorted(net.g))
    return (params, tuple(net.sizes), acts, net.loss.name, net.l2, str(net.dtype))


def _diff(before: Any, after: Any) -> str:
    if before[0] != after[0]:
        keys = sorted(set(before[0]) | set(after[0]))
        changed = [k for k in keys if before[0].get(k) != after[0].get(k)]
        return "changed " + ", ".join(changed)
    return "changed sizes, activations, loss, l2 or dtype"


def _named(message: str, token: str) -> bool:
    if re.fullmatch(r"[A-Za-z_]\w*(\[\d+\])?", token):
        return re.search(rf"(?<![\w.]){re.escape(token)}(?!\w)", message) is not None
    return token in message


def check_call(
    call: Callable[[], Any],
    args: Iterable[Arg],
    *,
    nets: Iterable[Any] = (),
    validate: Callable[[Any], None] | None = None,
    mutates: bool = False,
    missing_path: bool = False,
    collect: bool = False,
    diverges: bool = False,
) -> Any:
    """Run ``call()`` and raise `PropertyFailure` if it breaks the property (module docstring).

    ``args`` are the call's drawn arguments; ``nets`` the networks it must leave untouched when it
    fails (and, unless ``mutates``, when it succeeds); ``validate(result)`` asserts the result's
    shapes, dtypes and finiteness; ``missing_path`` allows ``FileNotFoundError``; ``collect``
    runs the garbage collector after the call, so that a warning raised when an object the call
    left behind is destroyed (an unclosed file's ``ResourceWarning``) is seen too. ``diverges``
    (``fit``): valid arguments may still make training diverge, a ``FloatingPointError`` that
    names ``learning_rate``; like every failed call it must leave the network bit-identical.
    Returns the result, or None when the call (rightly) raised.
    """
    args = list(args)
    nets = [n for n in nets if isinstance(n, nb.Network)]
    before = [snapshot(n) for n in nets]
    suspects = [a for a in args if a.kind != OK]
    bad = [a for a in args if a.kind == BAD]
    allowed = ALLOWED + ((FileNotFoundError,) if missing_path else ())
    unraisable: list[Any] = []
    hook = sys.unraisablehook
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sys.unraisablehook = unraisable.append
        try:
            result = call()
            error = None
        except Warning as w:  # a warning the call let escape (turned into an exception here)
            raise PropertyFailure("warning", f"{type(w).__name__}: {w}") from w
        except allowed as exc:
            result, error = None, exc
        except Exception as exc:
            raise PropertyFailure("raised-other", f"{type(exc).__name__}: {exc}") from exc
        finally:
            if collect:  # drop the frames the traceback keeps alive, then collect
                e = error if "error" in locals() else None
                while e is not None:
                    e.__traceback__ = None
                    e = e.__context__
                gc.collect(1)  # young objects: a full collection is 100x slower
            sys.unraisablehook = hook
    for u in unraisable:  # e.g. a ResourceWarning raised while an unclosed file is destroyed
        if isinstance(u.exc_value, Warning):
            raise PropertyFailure("warning", f"{type(u.exc_value).__name__}: {u.exc_value}")

    def unchanged(when: str) -> None:
        for net, snap in zip(nets, before, strict=True):
            after = snapshot(net)
            if after != snap:
                raise PropertyFailure("changed", f"network {when}: {_diff(snap, after)}")

    if error is not None and diverges and isinstance(error, FloatingPointError) and _named(
            str(error), "learning_rate") and "diverged" in str(error):
        unchanged("changed by a diverged fit")
        return None
    if error is not None:
        unchanged("changed by a failed call")
        text = str(error)
        if not suspects:
            raise PropertyFailure("refused-valid",
                                  f"{type(error).__name__}: {text}") from error
        if not any(_named(text, t) for a in suspects for t in a.names()):
            names = sorted({t for a in suspects for t in a.names()})
            raise PropertyFailure(
                "unnamed", f"{type(error).__name__}: {text!r} names none of {names}") from error
        if "allow_pickle=True" in text or "when allow_pickle=False" in text:
            raise PropertyFailure("pickle-hint", f"{type(error).__name__}: {text}") from error
        return None
    if bad:
        raise PropertyFailure("accepted-bad", "succeeded although " + ", ".join(map(repr, bad))
                              + " is invalid")
    if not mutates:
        unchanged("changed by a call that must not change it")
    if validate is not None:
        try:
            validate(result)
        except AssertionError as exc:
            raise PropertyFailure("result", str(exc)) from exc
    return result


def record(api: str, case: Any, failure: PropertyFailure) -> None:
    """In collecting mode (``NNBOOK_FUZZ_LOG``) append the failure; otherwise raise it."""
    if not LOG:
        raise failure
    detail = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", failure.detail)
    detail = re.sub(r"/tmp/\S*", "<path>", detail)
    with open(LOG, "a") as f:
        f.write(json.dumps({"api": api, "kind": failure.kind, "signature": detail[:120],
                            "detail": failure.detail[:300], "case": repr(case)}) + "\n")


# ------------------------------------------------------------------------- result checks


def assert_finite_array(arr: Any, name: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    assert isinstance(arr, np.ndarray), f"{name}: not an ndarray but {type(arr).__name__}"
    assert arr.shape == shape, f"{name}: shape {arr.shape}, expected {shape}"
    assert arr.dtype == dtype, f"{name}: dtype {arr.dtype}, expected {dtype}"
    assert np.isfinite(arr).all(), f"{name}: {int((~np.isfinite(arr)).sum())} non-finite entries"


def assert_network(net: Any, sizes: list[int] | None = None, dtype: Any = None) -> None:
    """A network whose parameters have their shapes, a float32/float64 dtype, finite values."""
    assert isinstance(net, nb.Network), f"not a Network: {type(net).__name__}"
    dt = net.dtype if dtype is None else np.dtype(dtype)
    assert dt in FLOATS, f"network dtype {dt}, expected float32 or float64"
    n = net.sizes if sizes is None else sizes
    assert net.sizes == n, f"sizes {net.sizes}, expected {n}"
    assert sorted(net.W) == sorted(net.b) == list(range(1, len(n))), "layer keys"
    for l in range(1, len(n)):
        assert_finite_array(net.W[l], f"W[{l}]", (n[l], n[l - 1]), dt)
        assert_finite_array(net.b[l], f"b[{l}]", (n[l], 1), dt)
    assert math.isfinite(net.l2) and net.l2 >= 0, f"l2 = {net.l2!r}"


def columns(X: Any) -> int | None:
    """The number of examples an accepted ``X`` has (its last axis)."""
    try:
        return int(np.shape(X)[-1])
    except Exception:
        return None


def forward_ok(net: nb.Network, m: int | None) -> Callable[[Any], None]:
    def validate(cache: Any) -> None:
        assert isinstance(cache, nb.Cache), f"not a Cache: {type(cache).__name__}"
        assert sorted(cache.Z) == list(range(1, net.L + 1)), "Z keys"
        assert sorted(cache.A) == list(range(0, net.L + 1)), "A keys"
        for l in range(0, net.L + 1):
            shape = (net.sizes[l], m)
            assert_finite_array(cache.A[l], f"A[{l}]", shape, net.dtype)
            if l:
                assert_finite_array(cache.Z[l], f"Z[{l}]", shape, net.dtype)
    return validate


def cost_ok(J: Any) -> None:
    assert isinstance(J, float), f"cost is a {type(J).__name__}, expected float"
    assert math.isfinite(J), f"cost = {J!r}"


def backward_ok(net: nb.Network, m: int) -> Callable[[Any], None]:
    def validate(grads: Any) -> None:
        assert isinstance(grads, nb.Gradients), f"not Gradients: {type(grads).__name__}"
        for l in range(1, net.L + 1):
            assert_finite_array(grads.dW[l], f"dW[{l}]", net.W[l].shape, net.dtype)
            assert_finite_array(grads.db[l], f"db[{l}]", net.b[l].shape, net.dtype)
            assert_finite_array(grads.dZ[l], f"dZ[{l}]", (net.sizes[l], m), net.dtype)
    return validate


SMOOTH = ("sigmoid", "tanh", "identity", "softmax")  # no kink for central differences


def gradient_matches_cost(net: nb.Network, X: np.ndarray, Y: Any, grads: Any) -> None:
    """``backward``'s dW[l], db[l] are the gradient of ``cost`` (central differences, float64):
    a wrong gradient is a wrong result, whatever targets were accepted.

    Central differences with eps = 1e-6 carry a rounding error of about 1e-16 |J| / 1e-6 =
    1e-10 |J| per entry and a truncation error of order eps^2: entries may differ by
    1e-7 max(1, |J|) (a thousand times that) plus 1e-5 relative. A wrong factor, sign, transpose
    or target rule is off by the gradient's own size."""
    twin = net.copy()
    atol = 1e-7 * max(1.0, abs(twin.cost(X, Y)))
    for name, store, got in (("W", twin.W, grads.dW), ("b", twin.b, grads.db)):
        for l in store:
            old = store[l].copy()

            def J(p: np.ndarray, store: Any = store, l: int = l) -> float:
                store[l] = p
                return twin.cost(X, Y)

            num = nb.numerical_gradient(J, old)
            store[l] = old
            excess = np.abs(num - got[l]) - (atol + 1e-5 * np.abs(num))
            assert (excess <= 0).all(), (
                f"d{name}[{l}] is not the gradient of cost: {got[l].tolist()} vs central "
                f"differences {num.tolist()} (atol {atol:.1e})")


def trained_ok(net: nb.Network, snap: Any) -> Callable[[Any], None]:
    """After step/fit: same sizes, dtype and layer keys as before, finite parameters."""
    sizes, dtype = list(snap[1]), np.dtype(snap[5])

    def validate(result: Any) -> None:
        assert_network(net, sizes, dtype)
    return validate


# ------------------------------------------------------------------------------ strategies

HIDDEN_OK = ("sigmoid", "tanh", "relu", "identity", "leaky_relu")
PAIRS_OK = (("sigmoid", "bce"), ("softmax", "cross_entropy"), ("identity", "mse"),
            ("tanh", "mse"), ("sigmoid", "mse"), ("relu", "mse"), ("leaky_relu", "mse"),
            ("softmax", "mse"))
# Pairs with a meaning the issue leaves to the engine (probabilities under the other
# probability loss): they may be accepted or refused.
PAIRS_EDGE = (("sigmoid", "cross_entropy"), ("softmax", "bce"))


def uniform(options: Iterable[Any]) -> st.SearchStrategy[Any]:
    """One of ``options``, each as likely as the others. (``st.sampled_from`` favours the first
    ones, which left the tail of the pools of bad values almost never drawn.)"""
    options = list(options)
    return st.integers(0, 2**32 - 1).map(
        lambda k: options[random.Random(k).randrange(len(options))])


def spoils(draw: Any, names: list[str]) -> set[str]:
    """Which of a call's arguments to draw from the invalid and edge pools: none (one call in
    five), one, or two (a call with many bad arguments only ever tests the first check)."""
    n = draw(uniform([0, 1, 1, 1, 2]))
    return set(draw(st.integers(0, 2**32 - 1).map(lambda k: random.Random(k).sample(names, n))))


def pair_kind(output: str, loss: str, n_out: int) -> str:
    if (output, loss) in PAIRS_OK:
        return EDGE if output == "softmax" and n_out == 1 else OK
    return EDGE if (output, loss) in PAIRS_EDGE else BAD


SPECIALS = {  # value -> note; kind depends on the dtype it must fit in
    math.nan: "nan", math.inf: "inf", -math.inf: "-inf",
}


def _array_from(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 1.0
                ) -> np.ndarray:
    return rng.normal(0.0, scale, size=shape)


@st.composite
def x_arg(draw: Any, n0: int, dtype: np.dtype, m: int | None = None, spoil: bool = False
          ) -> Arg:
    """An input ``X`` for a layer of ``n0`` units, from the ok, edge and bad pools."""
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if m is None:
        m = draw(st.integers(1, 5))
    base = _array_from(rng, (n0, m))
    big32 = dtype == np.float32
    name = "X"
    choice = draw(uniform([
        "1-D", "special", "huge", "tiny", "max32", "rows+1", "m=0", "n0=0", "3-D", "0-d",
        "None", "str", "ragged", "object", "complex", "bool", "float16", "bytes", "dict",
        "str-list", "None-list",
    ] if spoil else ["float64", "float32", "int", "list"] + ["1-D"] * (n0 == 1)))
    if choice == "float64":
        return Arg(name, base, OK, f"normal{base.shape}")
    if choice == "float32":
        return Arg(name, base.astype(np.float32), OK, f"normal{base.shape} float32")
    if choice == "int":
        return Arg(name, rng.integers(-3, 4, size=(n0, m)), OK, f"ints{(n0, m)}")
    if choice == "list":
        return Arg(name, base.tolist(), OK, f"list of lists {(n0, m)}")
    if choice == "1-D":
        return Arg(name, base[0], OK if n0 == 1 else BAD, f"1-D ({m},) for n0={n0}")
    if choice == "special":
        value = draw(uniform(list(SPECIALS)))
        base.flat[draw(st.integers(0, base.size - 1))] = value
        return Arg(name, base, BAD, f"{base.shape} with a {SPECIALS[value]}")
    if choice == "huge":
        value = draw(uniform([1e39, -1e39, 1e308, -1e308, 1e200]))
        base.flat[draw(st.integers(0, base.size - 1))] = value
        return Arg(name, base, BAD if big32 and abs(value) > 3.4e38 else EDGE,
                   f"{base.shape} with {value:g} ({dtype} net)")
    if choice == "tiny":
        return Arg(name, base * 1e-310, EDGE, f"{base.shape} of order 1e-310")
    if choice == "max32":
        return Arg(name, np.full((n0, m), 3.0e38), EDGE, f"{(n0, m)} of 3e38")
    if choice == "rows+1":
        return Arg(name, _array_from(rng, (n0 + 1, m)), BAD, f"shape {(n0 + 1, m)}")
    if choice == "m=0":
        return Arg(name, np.zeros((n0, 0)), BAD, f"empty {(n0, 0)}")
    if choice == "n0=0":
        return Arg(name, np.zeros((0, m)), BAD, f"empty {(0, m)}")
    if choice == "3-D":
        return Arg(name, base[..., None], BAD, f"3-D {base[..., None].shape}")
    if choice == "0-d":
        return Arg(name, np.float64(1.0), EDGE if n0 == 1 else BAD, "0-d 1.0")
    if choice == "None":
        return Arg(name, None, BAD)
    if choice == "str":
        return Arg(name, draw(uniform(["abc", "1.0", ""])), BAD)
    if choice == "ragged":
        return Arg(name, [[1.0] * (n0 + 1)] + [[1.0] * n0], BAD, "ragged list")
    if choice == "object":
        return Arg(name, base.astype(object), BAD, f"object array {base.shape}")
    if choice == "complex":
        return Arg(name, base.astype(complex), BAD, f"complex array {base.shape}")
    if choice == "bool":
        return Arg(name, base > 0, EDGE, f"bool array {base.shape}")
    if choice == "float16":
        return Arg(name, base.astype(np.float16), EDGE, f"float16 array {base.shape}")
    if choice == "bytes":
        return Arg(name, b"\x00" * 8, BAD, "bytes")
    if choice == "str-list":
        return Arg(name, [[str(x) for x in row] for row in base.tolist()], BAD,
                   f"list of lists of str {(n0, m)}")
    if choice == "None-list":
        rows = base.tolist()
        rows[0][0] = None
        return Arg(name, rows, BAD, f"list of lists {(n0, m)} holding a None")
    return Arg(name, {0: base}, BAD, "dict")


def y_ok(rng: np.random.Generator, loss: str, nL: int, m: int) -> np.ndarray:
    if loss == "mse":
        return rng.normal(size=(nL, m))
    if loss == "bce":
        return rng.integers(0, 2, size=(nL, m)).astype(np.float64)
    return np.eye(nL)[:, rng.integers(0, nL, size=m)]


@st.composite
def y_arg(draw: Any, loss: str, nL: int, m: int, dtype: np.dtype, spoil: bool = False
          ) -> Arg:
    """A target ``Y`` for ``loss`` with ``nL`` outputs and ``m`` examples."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    base = y_ok(rng, loss, nL, m)
    prob = loss in ("bce", "cross_entropy")
    choice = draw(uniform([
        "1-D", "special", "outside", "huge", "no-sum", "m+1", "rows+1", "3-D", "None", "str",
        "ragged", "object", "complex", "bool",
    ] if spoil else ["ok", "ok", "soft", "list", "int"] + ["1-D"] * (nL == 1)))
    if choice == "ok":
        return Arg("Y", base, OK, f"{loss} targets {base.shape}")
    if choice == "soft":
        if loss == "cross_entropy":
            p = rng.uniform(0.1, 1.0, size=(nL, m))
            return Arg("Y", p / p.sum(axis=0), OK, f"soft labels {(nL, m)}")
        if loss == "bce":
            return Arg("Y", rng.uniform(0, 1, size=(nL, m)), OK, f"soft labels {(nL, m)}")
        return Arg("Y", base * 100.0, OK, f"mse targets x100 {(nL, m)}")
    if choice == "list":
        return Arg("Y", base.tolist(), OK, f"list of lists {base.shape}")
    if choice == "1-D":
        return Arg("Y", base[0], OK if nL == 1 else BAD, f"1-D ({m},) for nL={nL}")
    if choice == "special":
        value = draw(uniform(list(SPECIALS)))
        base.flat[draw(st.integers(0, base.size - 1))] = value
        return Arg("Y", base, BAD, f"{base.shape} with a {SPECIALS[value]}")
    if choice == "outside":
        value = draw(uniform([-0.5, 1.5, 2.0, -1.0]))
        base.flat[draw(st.integers(0, base.size - 1))] = value
        return Arg("Y", base, BAD if prob else OK, f"{base.shape} with {value}")
    if choice == "huge":
        value = draw(uniform([1e39, 1e308, -1e308]))
        base.flat[draw(st.integers(0, base.size - 1))] = value
        kind = BAD if prob or (dtype == np.float32 and abs(value) > 3.4e38) else EDGE
        return Arg("Y", base, kind, f"{base.shape} with {value:g}")
    if choice == "no-sum":  # columns that do not sum to 1: multi-hot, all-zero
        Y = np.zeros((nL, m))
        Y[:, 0] = 1.0 if draw(st.booleans()) else 0.0
        kind = EDGE if loss == "cross_entropy" else OK
        return Arg("Y", Y, kind, f"{(nL, m)} with column 0 = {Y[:, 0].tolist()}")
    if choice == "m+1":
        return Arg("Y", y_ok(rng, loss, nL, m + 1), BAD, f"shape {(nL, m + 1)}")
    if choice == "rows+1":
        return Arg("Y", y_ok(rng, loss, nL + 1, m), BAD, f"shape {(nL + 1, m)}")
    if choice == "3-D":
        return Arg("Y", base[..., None], BAD, f"3-D {base[..., None].shape}")
    if choice == "None":
        return Arg("Y", None, BAD)
    if choice == "str":
        return Arg("Y", "abc", BAD)
    if choice == "ragged":
        return Arg("Y", [[0.0] * (m + 1)] + [[0.0] * m] * (nL - 1) + [[0.0]], BAD, "ragged")
    if choice == "object":
        return Arg("Y", base.astype(object), BAD, f"object array {base.shape}")
    if choice == "complex":
        return Arg("Y", base.astype(complex), BAD, f"complex array {base.shape}")
    if choice == "bool":
        kind = OK if loss == "bce" else EDGE
        return Arg("Y", base > 0.5, kind, f"bool array {base.shape}")
    return Arg("Y", base.astype(np.int64), OK if loss != "mse" else OK, f"int array {base.shape}")


def net_ok_kwargs(draw: Any, n_out_min: int = 1) -> dict[str, Any]:
    """The arguments of a network every check must accept."""
    output, loss = draw(uniform(PAIRS_OK))
    depth = draw(st.integers(1, 3))
    n_out = draw(st.integers(2 if output == "softmax" else 1, 3))
    sizes = [draw(st.integers(1, 4)) for _ in range(depth)] + [n_out]
    hidden = [draw(uniform(HIDDEN_OK)) for _ in range(depth - 1)]
    return {"layer_sizes": sizes, "activations": [*hidden, output], "loss": loss,
            "init": draw(uniform(["auto", "xavier", "he", "normal"])),
            "seed": draw(st.integers(0, 2**16)),
            "dtype": draw(uniform([np.float64, np.float32])),
            "l2": draw(uniform([0.0, 0.0, 0.1]))}


@st.composite
def networks(draw: Any, spoil: bool = False) -> tuple[nb.Network, nb.Network, list[Arg]]:
    """A valid network, maybe spoiled after construction (a NaN/inf parameter: bad; a huge
    one: edge). Returns (network, an unspoiled twin, the Args describing its state)."""
    net = nb.Network(**net_ok_kwargs(draw))
    twin = net.copy()
    state = draw(uniform(["nan", "inf", "huge"])) if spoil else "ok"
    if state == "ok":
        return net, twin, []
    which = draw(uniform(["W", "b"]))
    l = draw(st.integers(1, net.L))
    arr = (net.W if which == "W" else net.b)[l]
    k = draw(st.integers(0, arr.size - 1))
    if state == "huge":
        big = 1e300 if net.dtype == np.float64 else 1e38
        arr.flat[k] = big
        return net, twin, [Arg(f"{which}[{l}]", big, EDGE, f"{which}[{l}] entry {big:g}")]
    arr.flat[k] = math.nan if state == "nan" else math.inf
    return net, twin, [Arg(f"{which}[{l}]", state, BAD, f"{which}[{l}] entry {state}")]


@dataclass
class Case:
    """One drawn call: the API's arguments (for the report) and what it needs to run."""

    args: list[Arg]
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return "Case(" + ", ".join(map(repr, self.args)) + ")"

    def value(self, name: str) -> Any:
        return next(a.value for a in self.args if a.name == name)


def learning_rates(draw: Any, spoil: bool = False) -> Arg:
    choice = draw(uniform([0.0, -0.1, math.nan, math.inf, "0.1", None, True, 1e308,
                                   "np-nan"] if spoil else [0.01, 0.1, 0.5, 1, "f32"]))
    if choice in (0.01, 0.1, 0.5, 1) and not isinstance(choice, bool):
        return Arg("learning_rate", choice, OK)
    if choice == "f32":
        return Arg("learning_rate", np.float32(0.1), OK, "np.float32(0.1)")
    if choice == "np-nan":
        return Arg("learning_rate", np.float64(math.nan), BAD, "np.float64(nan)")
    if choice == 1e308:
        return Arg("learning_rate", choice, EDGE)
    return Arg("learning_rate", choice, BAD)


# ------------------------------------------------------------------------ Network(...)


@st.composite
def constructor_cases(draw: Any) -> Case:
    kw = net_ok_kwargs(draw)
    args = {k: Arg(k, v, OK) for k, v in kw.items()}
    L = len(kw["layer_sizes"]) - 1
    spoil = draw(st.lists(uniform(list(kw)), max_size=2, unique=True))
    for name in spoil:
        if name == "layer_sizes":
            value, kind = draw(uniform([
                ([], BAD), ([3], BAD), ([0, 1], BAD), ([2, -1], BAD), ([2.0, 1], BAD),
                ([True, 1], BAD), ("21", BAD), (None, BAD), (3, BAD), ([2, None], BAD),
                ((2, 1), OK), ([np.int64(2), np.int32(1)], OK), ([2.5, 1], BAD),
                (np.array([2, 1]), EDGE), ([2, "1"], BAD)]))
            if kind != BAD:  # keep the activations list of the right length
                args["activations"] = Arg("activations", kw["activations"][-1], OK)
        elif name == "activations":
            value, kind = draw(uniform([
                ("nope", BAD), (None, BAD), (3, BAD), (["sigmoid"] * (L + 1), BAD),
                ([3] * L, BAD), ("Sigmoid", BAD), (["softmax"] * L, OK),
                (tuple(kw["activations"]), OK), ([None] * L, BAD)]))
        elif name == "loss":
            value = draw(uniform(["bce", "mse", "cross_entropy", "nope", None, 3,
                                          "BCE", ""]))
            kind = OK if value in ("bce", "mse", "cross_entropy") else BAD  # pairing: below
        elif name == "init":
            value, kind = draw(uniform([("nope", BAD), (None, BAD), (3, BAD),
                                                ("zeros", OK), ("glorot", OK)]))
        elif name == "seed":
            value, kind = draw(uniform([
                (None, OK), (np.int64(7), OK), (2**32 - 1, OK), (-1, BAD), ("abc", BAD),
                (1.5, BAD), (True, EDGE), ([1, 2], EDGE), (2**70, EDGE), (math.nan, BAD)]))
        elif name == "dtype":
            value, kind = draw(uniform([
                ("float32", OK), ("float64", OK), (np.dtype("f8"), OK), (float, OK),
                (np.float16, BAD), ("float16", BAD), (int, BAD), (np.int32, BAD),
                (object, BAD), (complex, BAD), (np.complex128, BAD), (bool, BAD),
                ("abc", BAD), (None, EDGE), (np.longdouble, BAD), (str, BAD)]))
        else:  # l2
            value, kind = draw(uniform([
                (0, OK), (1, OK), (np.float32(0.5), OK), (-1.0, BAD), (math.nan, BAD),
                (math.inf, BAD), ("0.1", BAD), (None, BAD), (True, BAD), (1e308, EDGE),
                (1e-320, EDGE)]))
        args[name] = Arg(name, value, kind)
    # Whichever argument was drawn, the (output activation, loss) pairing and softmax hidden
    # layers decide too: a meaningless pairing is refused, a doubtful one may be.
    acts, loss, sizes = (args[k].value for k in ("activations", "loss", "layer_sizes"))
    if (args["activations"].kind != BAD and args["loss"].kind != BAD
            and args["layer_sizes"].kind != BAD):
        names = [acts] * (len(sizes) - 1) if isinstance(acts, str) else list(acts)
        kind = pair_kind(names[-1], loss, int(sizes[-1]))
        if any(a not in HIDDEN_OK for a in names[:-1]):
            kind = max(kind, EDGE, key=[OK, EDGE, BAD].index)
        if kind != OK:
            for name in ("activations", "loss"):
                a = args[name]
                args[name] = Arg(name, a.value, kind, a.note)
    return Case(list(args.values()))


@profile(600)
@given(constructor_cases())
def test_network_constructor(case: Case) -> None:
    v = case.value
    kw = {k: v(k) for k in ("init", "seed", "dtype", "l2")}

    def validate(net: Any) -> None:
        sizes = [int(n) for n in v("layer_sizes")]
        assert_network(net, sizes)
        if v("dtype") is not None:
            assert net.dtype == np.dtype(v("dtype")), f"dtype {net.dtype}, asked {v('dtype')}"

    try:
        check_call(lambda: nb.Network(v("layer_sizes"), v("activations"), v("loss"), **kw),
                   case.args, validate=validate)
    except PropertyFailure as failure:
        record("Network", case, failure)


@st.composite
def l2_cases(draw: Any) -> Case:
    net, twin, state = draw(networks())
    value, kind = draw(uniform([
        (0, OK), (0.5, OK), (np.float64(2.0), OK), (np.float32(0.5), OK), (-1.0, BAD),
        (math.nan, BAD), (math.inf, BAD), ("0.1", BAD), (None, BAD), (True, BAD),
        (np.array([0.1]), BAD), (1e308, EDGE), (1e-320, EDGE)]))
    return Case([Arg("l2", value, kind)], {"net": net})


@profile(300)
@given(l2_cases())
def test_l2_setter(case: Case) -> None:
    net = case.extra["net"]

    def assign() -> None:
        net.l2 = case.value("l2")

    def validate(result: Any) -> None:
        assert isinstance(net.l2, float) and math.isfinite(net.l2) and net.l2 >= 0, net.l2
        assert net.l2 == float(case.value("l2")), f"l2 {net.l2!r}"

    try:
        check_call(assign, case.args, nets=[net], mutates=True, validate=validate)
    except PropertyFailure as failure:
        record("l2 setter", case, failure)


@st.composite
def from_parameters_cases(draw: Any) -> Case:
    """``Network.from_parameters(W, b, activations, loss, dtype=, l2=)``: the parameters as
    dicts or lists of arrays or nested lists, one or two of them spoiled."""
    kw = net_ok_kwargs(draw)
    sizes, L = kw["layer_sizes"], len(kw["layer_sizes"]) - 1
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    W = {l: rng.normal(size=(sizes[l], sizes[l - 1])) for l in range(1, L + 1)}
    b = {l: rng.normal(size=(sizes[l], 1)) for l in range(1, L + 1)}
    dtype = kw["dtype"]
    form = draw(uniform(["dict", "list", "nested", "1-D b", "float32 W, dtype None"]))
    if form == "list":
        W, b = [W[l] for l in W], [b[l] for l in b]
    elif form == "nested":
        W, b = {l: w.tolist() for l, w in W.items()}, {l: c.tolist() for l, c in b.items()}
    elif form == "1-D b":
        b = {l: c[:, 0] for l, c in b.items()}
    elif form == "float32 W, dtype None":
        W = {l: w.astype(np.float32) for l, w in W.items()}
        dtype = None
    args = {"W": Arg("W", W, OK, form), "b": Arg("b", b, OK, form),
            "activations": Arg("activations", kw["activations"], OK),
            "loss": Arg("loss", kw["loss"], OK), "dtype": Arg("dtype", dtype, OK),
            "l2": Arg("l2", kw["l2"], OK)}
    l = draw(st.integers(1, L))
    for name in spoils(draw, ["W", "b", "dtype", "l2"]):
        if name in ("W", "b"):
            given = W if name == "W" else b
            P = {k: np.array(v, dtype=float) for k, v in enumerate(
                given.values() if isinstance(given, dict) else given, start=1)}
            if name == "b":
                P = {k: v.reshape(-1, 1) for k, v in P.items()}
            what = draw(uniform(["nan", "inf", "huge32", "shape", "1-D W", "str", "None",
                                 "empty", "keys", "ragged", "complex", "object", "float16"]))
            token = f"{name}[{l}]"
            kind = BAD
            if what == "shape" and name == "W" and l == 1:  # W[1] sets n[0]: any width is fine
                what = "nan"
            if what in ("nan", "inf"):
                P[l].flat[0] = math.nan if what == "nan" else math.inf
            elif what == "huge32":
                P[l].flat[0] = 1e39
                kind = BAD if dtype == np.float32 else EDGE
            elif what == "shape" and name == "W":  # columns that do not follow W[l-1]
                P[l] = np.zeros((P[l].shape[0], P[l].shape[1] + 1))
            elif what == "shape":
                P[l] = np.zeros((P[l].shape[0] + 1, 1))
            elif what == "1-D W":  # W[l] flattened; b[l] given a third axis
                P[l] = P[l].ravel() if name == "W" else P[l][None]
            elif what == "str":
                P = "parameters"  # type: ignore[assignment]
                token = name
            elif what == "None":
                P = None  # type: ignore[assignment]
                token = name
            elif what == "empty":
                P = {}
                token = name
            elif what == "keys":
                P = {k + 1: v for k, v in P.items()}
                token = name
            elif what == "ragged":
                P[l] = [[1.0] * (P[l].shape[1] + 1)] + [[1.0] * P[l].shape[1]]  # type: ignore
            elif what == "complex":
                P[l] = P[l].astype(complex)
            elif what == "object":
                P[l] = P[l].astype(object)
            else:  # float16 arrays, with dtype None: W[1]'s dtype decides, and is refused
                P = {k: v.astype(np.float16) for k, v in P.items()}
                if name == "W" and dtype is None:
                    token, kind = "dtype", BAD
                else:
                    kind = OK  # cast to the dtype given
            args[name] = Arg(name, P, kind, f"{what} in {name}[{l}]", (token, name))
        elif name == "dtype":
            value, kind = draw(uniform([(np.float16, BAD), (int, BAD), ("abc", BAD),
                                        (object, BAD), (np.longdouble, BAD)]))
            args["dtype"] = Arg("dtype", value, kind)
        else:
            value, kind = draw(uniform([(-1.0, BAD), (math.nan, BAD), ("0.1", BAD),
                                        (None, BAD), (True, BAD)]))
            args["l2"] = Arg("l2", value, kind)
    return Case(list(args.values()), {"sizes": sizes})


@profile(400)
@given(from_parameters_cases())
def test_from_parameters(case: Case) -> None:
    v = case.value

    def validate(net: Any) -> None:
        assert_network(net, case.extra["sizes"])
        if v("dtype") is not None:
            assert net.dtype == np.dtype(v("dtype")), f"dtype {net.dtype}, asked {v('dtype')}"

    try:
        check_call(lambda: nb.Network.from_parameters(v("W"), v("b"), v("activations"),
                                                      v("loss"), dtype=v("dtype"), l2=v("l2")),
                   case.args, validate=validate)
    except PropertyFailure as failure:
        record("from_parameters", case, failure)


# -------------------------------------------------------------------------- forward, cost


@st.composite
def forward_cases(draw: Any) -> Case:
    bad = spoils(draw, ["net", "X"])
    net, twin, state = draw(networks("net" in bad))
    x = draw(x_arg(net.sizes[0], net.dtype, spoil="X" in bad))
    method = draw(uniform(["forward", "forward", "predict_proba", "predict"]))
    return Case([*state, x], {"net": net, "method": method})


@profile(600)
@given(forward_cases())
def test_forward(case: Case) -> None:
    net, method = case.extra["net"], case.extra["method"]
    X = case.value("X")
    m = columns(X)
    out = net.g[net.L].name

    def validate(result: Any) -> None:
        if method == "forward":
            forward_ok(net, m)(result)
        elif method == "predict_proba" or out not in ("sigmoid", "softmax"):
            assert_finite_array(result, "A[L]", (net.sizes[-1], m), net.dtype)
        else:  # class labels
            rows = net.sizes[-1] if out == "sigmoid" else 1
            assert_finite_array(result, "labels", (rows, m), np.dtype(np.int64))
            assert result.min() >= 0 and result.max() < max(2, net.sizes[-1]), result

    try:
        check_call(lambda: getattr(net, method)(X), case.args, nets=[net], validate=validate)
    except PropertyFailure as failure:
        record(method, case, failure)


@st.composite
def cost_cases(draw: Any) -> Case:
    bad = spoils(draw, ["net", "X", "Y"])
    net, twin, state = draw(networks("net" in bad))
    m = draw(st.integers(1, 5))
    x = draw(x_arg(net.sizes[0], net.dtype, m=m, spoil="X" in bad))
    y = draw(y_arg(net.loss.name, net.sizes[-1], m, net.dtype, spoil="Y" in bad))
    return Case([*state, x, y], {"net": net})


@profile(700)
@given(cost_cases())
def test_cost(case: Case) -> None:
    net = case.extra["net"]
    try:
        check_call(lambda: net.cost(case.value("X"), case.value("Y")), case.args, nets=[net],
                   validate=cost_ok)
    except PropertyFailure as failure:
        record("cost", case, failure)


# ------------------------------------------------------------------------------- backward


@st.composite
def backward_cases(draw: Any) -> Case:
    bad = spoils(draw, ["net", "cache", "Y"])
    net, twin, state = draw(networks("net" in bad))
    m = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    X = rng.normal(size=(net.sizes[0], m)).astype(net.dtype)
    cache = twin.forward(X)  # a valid cache, made by an unspoiled twin
    choice = draw(uniform(["None", "str", "dict", "other", "nan", "float", "huge"]
                                  if "cache" in bad else ["ok"]))
    if choice == "ok":
        c = Arg("cache", cache, OK, f"forward of X {X.shape}")
    elif choice in ("None", "str", "dict"):
        c = Arg("cache", {"None": None, "str": "cache", "dict": {}}[choice], BAD)
    elif choice == "other":  # a cache of a network with other sizes
        other = nb.Network([net.sizes[0] + 1, net.sizes[-1] + 1], "identity", "mse",
                           dtype=net.dtype)
        c = Arg("cache", other.forward(rng.normal(size=(net.sizes[0] + 1, m))), BAD,
                f"cache of a network {other.sizes}")
    elif choice == "nan":
        cache.A[net.L].flat[0] = math.nan
        c = Arg("cache", cache, BAD, f"cache with NaN in A[{net.L}]")
    elif choice == "huge":
        cache.A[0].flat[0] = 1e38 if net.dtype == np.float32 else 1e300
        c = Arg("cache", cache, EDGE, "cache with a huge A[0] entry")
    else:  # another dtype
        other_dt = np.float32 if net.dtype == np.float64 else np.float64
        cache = nb.Cache({l: z.astype(other_dt) for l, z in cache.Z.items()},
                         {l: a.astype(other_dt) for l, a in cache.A.items()})
        c = Arg("cache", cache, EDGE, f"cache in {np.dtype(other_dt)}")
    y = draw(y_arg(net.loss.name, net.sizes[-1], m, net.dtype, spoil="Y" in bad))
    return Case([*state, c, y], {"net": net, "m": m, "X": X})


@profile(600)
@given(backward_cases())
def test_backward(case: Case) -> None:
    net = case.extra["net"]
    shapes = backward_ok(net, case.extra["m"])
    kinds = {a.name: a for a in case.args}
    Y = case.value("Y")
    smooth = (net.dtype == np.float64 and all(g.name in SMOOTH for g in net.g.values())
              and kinds["cache"].kind == OK and set(kinds) == {"cache", "Y"})
    try:
        y = np.asarray(Y)
        moderate = y.dtype.kind in "biuf" and bool(np.all(np.abs(y) <= 1e3))
    except (TypeError, ValueError):
        moderate = False

    def validate(grads: Any) -> None:
        shapes(grads)
        if smooth and moderate:
            gradient_matches_cost(net, case.extra["X"], Y, grads)

    try:
        check_call(lambda: net.backward(case.value("cache"), Y), case.args, nets=[net],
                   validate=validate)
    except PropertyFailure as failure:
        record("backward", case, failure)


# ----------------------------------------------------------------------------------- step


@st.composite
def step_cases(draw: Any) -> Case:
    bad = spoils(draw, ["net", "grads", "learning_rate"])
    net, twin, state = draw(networks("net" in bad))
    m = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    X = rng.normal(size=(net.sizes[0], m))
    grads = twin.backward(twin.forward(X), y_ok(rng, net.loss.name, net.sizes[-1], m))
    L = net.L
    choice = draw(uniform(["None", "dict", "other", "nan", "inf", "missing", "1-D",
                                   "huge", "float"] if "grads" in bad else ["ok"]))
    if choice == "ok":
        g = Arg("grads", grads, OK, "backward of the same network")
    elif choice in ("None", "dict"):
        g = Arg("grads", None if choice == "None" else {"dW": grads.dW}, BAD)
    elif choice == "other":
        other = nb.Network([net.sizes[0] + 1, net.sizes[-1]], "identity", "mse",
                           dtype=net.dtype)
        gx = other.backward(other.forward(rng.normal(size=(net.sizes[0] + 1, m))),
                            rng.normal(size=(net.sizes[-1], m)))
        g = Arg("grads", gx, BAD, f"gradients of a network {other.sizes}")
    elif choice in ("nan", "inf"):
        l = draw(st.integers(1, L))
        which = draw(uniform(["dW", "db"]))
        getattr(grads, which)[l].flat[0] = math.nan if choice == "nan" else math.inf
        g = Arg("grads", grads, BAD, f"{which}[{l}] with a {choice}")
    elif choice == "missing":
        del grads.dW[L]
        g = Arg("grads", grads, BAD, f"dW without layer {L}")
    elif choice == "1-D":  # broadcastable but not the parameter's shape
        l = draw(st.integers(1, L))
        grads.db[l] = grads.db[l][:1, 0]
        g = Arg("grads", grads, BAD, f"db[{l}] of shape (1,)")
    elif choice == "huge":
        grads.dW[1].flat[0] = 1e38 if net.dtype == np.float32 else 1e300
        g = Arg("grads", grads, EDGE, "dW[1] with a huge entry")
    else:
        other_dt = np.float32 if net.dtype == np.float64 else np.float64
        for d in (grads.dW, grads.db):
            for l in d:
                d[l] = d[l].astype(other_dt)
        g = Arg("grads", grads, EDGE, f"gradients in {np.dtype(other_dt)}")
    return Case([*state, g, learning_rates(draw, "learning_rate" in bad)], {"net": net})


@profile(600)
@given(step_cases())
def test_step(case: Case) -> None:
    net = case.extra["net"]
    try:
        check_call(lambda: net.step(case.value("grads"), case.value("learning_rate")),
                   case.args, nets=[net], mutates=True, validate=trained_ok(net, snapshot(net)))
    except PropertyFailure as failure:
        record("step", case, failure)


# ------------------------------------------------------------------------------------ fit


def _go_on(epoch: int, loss: float, net: nb.Network) -> None:
    return None


def _stop(epoch: int, loss: float, net: nb.Network) -> bool:
    return True


def _stop_training(epoch: int, loss: float, net: nb.Network) -> None:
    raise nb.StopTraining("enough")


@st.composite
def fit_cases(draw: Any) -> Case:
    bad = spoils(draw, ["net", "X", "Y", "epochs", "learning_rate", "batch_size", "shuffle",
                        "seed", "progress", "callback"])
    net, twin, state = draw(networks("net" in bad))
    m = draw(st.integers(1, 6))
    x = draw(x_arg(net.sizes[0], net.dtype, m=m, spoil="X" in bad))
    y = draw(y_arg(net.loss.name, net.sizes[-1], m, net.dtype, spoil="Y" in bad))
    pools = {
        "epochs": ([1, 3, np.int64(2)], [(0, BAD), (-1, BAD), (2.0, BAD), ("3", BAD),
                                         (None, BAD), (True, BAD)]),
        "batch_size": ([None, 1, 2, 100], [(0, BAD), (-2, BAD), (1.5, BAD), ("2", BAD),
                                           (True, BAD)]),
        "shuffle": ([True, False, np.bool_(True)], [("yes", BAD), (None, BAD), (1, BAD)]),
        "seed": ([None, 0, 2**32 - 1, np.random.default_rng(0)],
                 [(-1, BAD), ("abc", BAD), (1.5, BAD), (math.nan, BAD), ([1, 2], EDGE),
                  (True, EDGE)]),
        "progress": ([False, True], [("yes", BAD), (1, BAD), (None, BAD)]),
        "callback": ([None, _go_on, _stop, _stop_training], [("f", BAD), (3, BAD)]),
    }
    more = {}
    for name, (good, spoiled) in pools.items():
        if name in bad:
            more[name] = Arg(name, *draw(uniform(spoiled)))
        else:
            more[name] = Arg(name, draw(uniform(good)), OK)
    args = [*state, x, y, more["epochs"], learning_rates(draw, "learning_rate" in bad),
            more["batch_size"], more["shuffle"], more["seed"], more["progress"],
            more["callback"]]
    return Case(args, {"net": net})


@profile(400)
@given(fit_cases())
def test_fit(case: Case) -> None:
    net, v = case.extra["net"], case.value
    kw = {k: v(k) for k in ("epochs", "learning_rate", "batch_size", "shuffle", "seed",
                            "progress", "callback")}
    inner = trained_ok(net, snapshot(net))

    def validate(history: Any) -> None:
        assert isinstance(history, nb.History), f"not a History: {type(history).__name__}"
        stops = kw["callback"] in (_stop, _stop_training)
        assert len(history.loss) == (1 if stops else int(kw["epochs"])), \
            f"{len(history.loss)} losses"
        assert history.stopped_early == stops and not history.interrupted, \
            f"stopped_reason {history.stopped_reason!r}, interrupted {history.interrupted}"
        assert all(isinstance(J, float) and math.isfinite(J) for J in history.loss), \
            f"losses {history.loss}"
        inner(history)

    try:
        check_call(lambda: net.fit(v("X"), v("Y"), **kw), case.args, nets=[net], mutates=True,
                   validate=validate, diverges=True)
    except PropertyFailure as failure:
        record("fit", case, failure)


# ------------------------------------------------------------------------- gradient_check


@st.composite
def gradcheck_cases(draw: Any) -> Case:
    bad = spoils(draw, ["net", "state", "X", "Y", "eps"])
    net, twin, state = draw(networks("state" in bad))
    choice = draw(uniform(["None", "str", "dict"] if "net" in bad else ["net"]))
    if choice == "net":
        n = Arg("net", net, OK, repr(net))
    else:
        n = Arg("net", {"None": None, "str": "net", "dict": {"W": net.W}}[choice], BAD)
        state = []
    m = draw(st.integers(1, 4))
    f64 = np.dtype(np.float64)  # gradient_check works on a float64 copy of the network
    x = draw(x_arg(net.sizes[0], f64, m=m, spoil="X" in bad))
    y = draw(y_arg(net.loss.name, net.sizes[-1], m, f64, spoil="Y" in bad))
    eps = draw(uniform(
        [(0.0, BAD), (-1e-6, BAD), (math.nan, BAD), (math.inf, BAD), ("1e-6", BAD),
         (None, BAD), (True, BAD), (1e308, EDGE), (1e-300, EDGE), (1, EDGE)]
        if "eps" in bad else [(1e-6, OK), (1e-5, OK), (1e-4, OK)]))
    return Case([*state, n, x, y, Arg("eps", *eps)], {"net": net})


@profile(400)
@given(gradcheck_cases())
def test_gradient_check(case: Case) -> None:
    v = case.value

    def validate(result: Any) -> None:
        net = v("net")
        assert isinstance(result, nb.GradCheckResult), type(result).__name__
        keys = [f"{p}{l}" for l in range(1, net.L + 1) for p in "Wb"]
        assert list(result.errors) == keys, f"keys {list(result.errors)}"
        for k in keys:
            e = result.errors[k]
            assert isinstance(e, float) and math.isfinite(e) and e >= 0, f"error[{k}] = {e!r}"
            shape = (net.W if k[0] == "W" else net.b)[int(k[1:])].shape
            for d in (result.numerical, result.analytical):
                assert_finite_array(d[k], k, shape, np.dtype(np.float64))

    try:
        check_call(lambda: nb.gradient_check(v("net"), v("X"), v("Y"), eps=v("eps")),
                   case.args, nets=[case.extra["net"]], validate=validate)
    except PropertyFailure as failure:
        record("gradient_check", case, failure)


# ----------------------------------------------------------------------------- save, load


FUZZ_DIR: list[Path] = []  # where save/load examples write (set by the fixture below)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    FUZZ_DIR[:] = [tmp_path_factory.mktemp("fuzz_io")]
    return FUZZ_DIR[0]


def example_dir() -> Path:
    """A fresh directory for one example."""
    return Path(tempfile.mkdtemp(dir=FUZZ_DIR[0]))


def path_arg(value: Any, kind: str, note: str = "") -> Arg:
    """A path argument: the message may name it by the word ``path`` or by the path itself."""
    tokens = ("path",) + ((os.fsdecode(value),) if isinstance(value, (str, bytes, Path)) else ())
    return Arg("path", value, kind, note, tokens)


@st.composite
def save_cases(draw: Any) -> Case:
    bad = spoils(draw, ["net", "state", "path"])
    net, twin, state = draw(networks("state" in bad))
    d = example_dir()
    choice = draw(uniform(["missing-dir", "dir", "bytes", "None", "int", "float",
                                   "list", "empty"] if "path" in bad
                                  else ["str", "Path", "no-suffix"]))
    p = {
        "str": lambda: path_arg(str(d / "net.npz"), OK),
        "Path": lambda: path_arg(d / "net.npz", OK),
        "no-suffix": lambda: path_arg(str(d / "net"), OK, "a path without .npz"),
        "missing-dir": lambda: path_arg(str(d / "nowhere" / "net.npz"), EDGE, "missing dir"),
        "dir": lambda: path_arg(str(d), EDGE, "an existing directory"),
        "bytes": lambda: path_arg(os.fsencode(d / "net.npz"), EDGE, "bytes path"),
        "None": lambda: path_arg(None, BAD),
        "int": lambda: path_arg(3, BAD),
        "float": lambda: path_arg(2.5, BAD),
        "list": lambda: path_arg([str(d / "net.npz")], BAD),
        "empty": lambda: path_arg("", BAD, "empty string"),
    }[choice]()
    n = Arg("net", net, OK, repr(net))
    if "net" in bad:
        n, state = Arg("net", draw(uniform([None, "net", {"W": {}}])), BAD), []
    return Case([*state, n, p], {"net": net})


@profile(300)
@given(case=save_cases())
def test_save(fuzz_dir: Path, case: Case) -> None:
    net, path = case.value("net"), case.value("path")

    def validate(result: Any) -> None:
        assert result is None, f"save returned {result!r}"
        written = os.fsdecode(path)
        if not os.path.isfile(written):
            written += ".npz"
        assert os.path.isfile(written), f"no file at {written}"
        back = nb.load(written)
        assert snapshot(back) == snapshot(net), "the file does not load back bit for bit"

    try:
        check_call(lambda: nb.save(net, path), case.args, nets=[case.extra["net"]],
                   validate=validate, missing_path=True, collect=True)
    except PropertyFailure as failure:
        record("save", case, failure)


def _npz(path: Path, **arrays: Any) -> Path:
    np.savez(path, **arrays)
    return path


@st.composite
def load_cases(draw: Any) -> Case:
    net = nb.Network(**net_ok_kwargs(draw))
    d = example_dir()
    good = d / "net.npz"
    nb.save(net, good)
    with np.load(good) as f:
        arrays = dict(f)
    choice = draw(uniform([
        "missing", "no-suffix", "dir", "truncated", "text", "empty", "npy", "no-W1",
        "W1-shape", "W1-nan", "W1-int", "W1-f16", "object", "act", "loss", "sizes", "l2",
        "sizes-float", "None", "int", "pickled-loss"] if draw(st.booleans()) else ["ok", "Path"]))
    bad_file = d / "bad.npz"
    if choice == "ok":
        return Case([path_arg(str(good), OK, "a file written by save")], {"sizes": net.sizes})
    if choice == "Path":
        return Case([path_arg(good, OK, "a Path written by save")], {"sizes": net.sizes})
    if choice == "missing":
        return Case([path_arg(str(d / "absent.npz"), EDGE, "missing file")])
    if choice == "no-suffix":  # save(net, "x") writes x.npz; load("x") may find it or not
        return Case([path_arg(str(d / "net"), EDGE, "the save path without .npz")])
    if choice == "dir":
        return Case([path_arg(str(d), BAD, "a directory")])
    if choice == "truncated":
        data = good.read_bytes()
        bad_file.write_bytes(data[: len(data) // 2])
        return Case([path_arg(str(bad_file), BAD, "a truncated .npz")])
    if choice == "text":
        bad_file.write_text("W1 = [[1, 2]]\n")
        return Case([path_arg(str(bad_file), BAD, "a text file")])
    if choice == "empty":
        bad_file.write_bytes(b"")
        return Case([path_arg(str(bad_file), BAD, "an empty file")])
    if choice == "npy":
        np.save(d / "w.npy", net.W[1])
        return Case([path_arg(str(d / "w.npy"), BAD, "a .npy file")])
    if choice == "None":
        return Case([path_arg(None, BAD)])
    if choice == "int":
        return Case([path_arg(3, BAD)])
    spoiled = dict(arrays)
    if choice == "no-W1":
        del spoiled["W1"]
    elif choice == "W1-shape":
        spoiled["W1"] = np.zeros((spoiled["W1"].shape[0] + 1, 1))
    elif choice == "W1-nan":
        spoiled["W1"] = spoiled["W1"].copy()
        spoiled["W1"].flat[0] = math.nan
    elif choice == "W1-int":
        spoiled["W1"] = spoiled["W1"].astype(np.int64)
    elif choice == "W1-f16":
        spoiled = {k: (v.astype(np.float16) if k[0] in "Wb" else v) for k, v in arrays.items()}
    elif choice == "object":
        spoiled["W1"] = spoiled["W1"].astype(object)
    elif choice == "act":
        spoiled["activations"] = np.array(["nope"] * len(arrays["activations"]))
    elif choice == "loss":
        spoiled["loss"] = np.array("nope")
    elif choice == "sizes":
        spoiled["sizes"] = -spoiled["sizes"]
    elif choice == "l2":
        spoiled["l2"] = np.array(-1.0)
    elif choice == "sizes-float":
        spoiled["sizes"] = spoiled["sizes"].astype(float)
    else:  # pickled-loss: an object array (needs pickle to read)
        spoiled["loss"] = np.array(["bce"], dtype=object)
    return Case([path_arg(str(_npz(bad_file, **spoiled)), BAD, f"a .npz with {choice}")])


@profile(300)
@given(case=load_cases())
def test_load(fuzz_dir: Path, case: Case) -> None:
    sizes = case.extra.get("sizes")

    def validate(net: Any) -> None:
        assert_network(net, sizes)

    missing = case.args[0].note in ("missing file", "the save path without .npz")
    try:
        check_call(lambda: nb.load(case.value("path")), case.args, validate=validate,
                   missing_path=missing, collect=True)
    except PropertyFailure as failure:
        record("load", case, failure)


# ------------------------------------------------------------------------------ datasets

DATA_POOLS: dict[str, tuple[list[Any], list[tuple[Any, str]]]] = {  # ok values, spoiled ones
    "m": ([2, 7, 40], [(0, BAD), (-1, BAD), (2.5, BAD), ("10", BAD), (None, BAD),
                       (True, BAD)]),
    "noise": ([0, 0.1, 1.0], [(-1.0, BAD), (math.nan, BAD), (math.inf, BAD), ("0.1", BAD),
                              (None, BAD), (True, BAD), (1e308, EDGE), (1e-320, EDGE)]),
    "seed": ([None, 0, 123], [(-1, BAD), ("abc", BAD), (1.5, BAD), (math.nan, BAD)]),
    "factor": ([0.3, 0.5], [(0, BAD), (1, BAD), (-1.0, BAD), (math.nan, BAD), ("a", BAD),
                            (None, BAD)]),
    "classes": ([2, 3, 5], [(1, BAD), (0, BAD), (2.5, BAD), ("3", BAD), (None, BAD)]),
    "turns": ([0.5, 1, 2.0], [(math.nan, BAD), (math.inf, BAD), ("a", BAD), (None, BAD),
                              (1e308, EDGE), (-1.0, EDGE), (0, EDGE)]),
    "one_hot": ([False, True], [("yes", BAD), (None, BAD), (1, EDGE)]),
}
GENERATORS = {  # name -> (its arguments, n[0])
    "two_moons": (["m", "noise", "seed", "one_hot"], 2),
    "circles": (["m", "noise", "factor", "seed", "one_hot"], 2),
    "spirals": (["m", "classes", "noise", "turns", "seed", "one_hot"], 2),
    "regression_curve": (["m", "noise", "seed"], 1),
}


@st.composite
def dataset_cases(draw: Any) -> Case:
    name = draw(uniform(list(GENERATORS) + ["one_hot()"]))
    if name == "one_hot()":
        k = draw(st.integers(1, 4))
        labels = draw(st.lists(st.integers(0, k - 1), min_size=1, max_size=6))
        args = {"labels": Arg("labels", labels, OK), "k": Arg("k", draw(uniform([None, k, k + 2])),
                                                               OK)}
        for which in spoils(draw, ["labels", "k"]):
            if which == "labels":
                value, kind = draw(uniform([
                    ([-1] + labels, BAD), ([0.5], BAD), ([math.nan], BAD), (["a", "b"], BAD),
                    (None, BAD), ([labels, labels], BAD), ([[0], [0, 1]], BAD), ([], EDGE),
                    (np.array([labels]), OK), ([True, False], EDGE), ([1e300], BAD)]))
            else:
                value, kind = draw(uniform([(max(labels), BAD), (0, BAD), (-1, BAD),
                                            (2.5, BAD), ("3", BAD), (True, BAD)]))
            args[which] = Arg(which, value, kind)
            if which == "labels" and args["k"].kind == OK and args["k"].value is not None:
                args["k"] = Arg("k", args["k"].value, EDGE)  # may be too small for them now
        return Case(list(args.values()), {"name": name})
    params, n0 = GENERATORS[name]
    bad = spoils(draw, params)
    args = {}
    for p in params:
        good, spoiled = DATA_POOLS[p]
        args[p] = (Arg(p, *draw(uniform(spoiled))) if p in bad
                   else Arg(p, draw(uniform(good)), OK))
    return Case(list(args.values()), {"name": name, "n0": n0})


@profile(500)
@given(dataset_cases())
def test_datasets(case: Case) -> None:
    name = case.extra["name"]
    kw = {a.name: a.value for a in case.args}

    def validate(result: Any) -> None:
        if name == "one_hot()":
            Y = result
            assert isinstance(Y, np.ndarray) and Y.ndim == 2, f"one_hot gave {_short(Y)}"
            assert_finite_array(Y, "one_hot", Y.shape, np.dtype(np.float64))
            assert Y.shape[1] == np.size(kw["labels"]), f"shape {Y.shape}"
            assert ((Y == 0) | (Y == 1)).all() and (Y.sum(axis=0) == 1).all(), Y.tolist()
            return
        X, Y = result
        m = int(kw["m"])
        assert_finite_array(X, "X", (case.extra["n0"], m), np.dtype(np.float64))
        rows = int(kw.get("classes", 2)) if kw.get("one_hot") else 1
        assert_finite_array(Y, "Y", (rows, m), np.dtype(np.float64))

    if name == "one_hot()":
        def call() -> Any:
            return nb.datasets.one_hot(kw["labels"], kw["k"])
    else:
        def call() -> Any:
            return getattr(nb.datasets, name)(**kw)

    try:
        check_call(call, case.args, validate=validate)
    except PropertyFailure as failure:
        record(f"datasets.{name}", case, failure)


# ------------------------------------------------------------- the checker can fail


def _net() -> nb.Network:
    return nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)


def _fails(kind: str, call: Callable[[], Any], args: list[Arg], **kw: Any) -> None:
    with pytest.raises(PropertyFailure) as info:
        check_call(call, args, **kw)
    assert info.value.kind == kind, str(info.value)


def test_checker_catches_a_nan_result() -> None:
    net = _net()
    X = Arg("X", np.ones((2, 3)))

    def silent_nan() -> nb.Cache:
        cache = net.forward(X.value)
        cache.A[2][0, 1] = math.nan
        return cache

    _fails("result", silent_nan, [X], nets=[net], validate=forward_ok(net, 3))
    # and the honest call passes the same checker
    check_call(lambda: net.forward(X.value), [X], nets=[net], validate=forward_ok(net, 3))


def test_checker_catches_a_wrong_shape_or_dtype() -> None:
    net = _net()
    X = Arg("X", np.ones((2, 3)))
    _fails("result", lambda: nb.Cache(net.forward(X.value).Z, {0: np.ones((2, 4))}), [X],
           validate=forward_ok(net, 3))
    f32 = {l: a.astype(np.float32) for l, a in net.forward(X.value).A.items()}
    _fails("result", lambda: nb.Cache(net.forward(X.value).Z, f32), [X],
           validate=forward_ok(net, 3))


def test_checker_catches_a_network_changed_by_a_failed_call() -> None:
    net = _net()
    lr = Arg("learning_rate", -1.0, BAD)

    def half_applied() -> None:
        net.W[1][0, 0] += 1e-12
        raise ValueError("learning_rate: expected a finite number > 0, got -1.0")

    _fails("changed", half_applied, [lr], nets=[net])


def test_checker_compares_dtype_and_bits() -> None:
    net = _net()
    lr = Arg("learning_rate", -1.0, BAD)

    def recast() -> None:  # same values, another dtype
        net.b[2] = net.b[2].astype(np.float32)
        raise ValueError("learning_rate: bad")

    _fails("changed", recast, [lr], nets=[net])
    net = _net()
    net.W[1][0, 0] = math.nan
    same = _net()
    same.W[1][0, 0] = math.nan
    assert snapshot(net) == snapshot(same)  # NaN compared by its bits, not by ==


def test_checker_catches_a_change_by_a_call_that_must_not_change() -> None:
    net = _net()
    X = Arg("X", np.ones((2, 1)))

    def sneaky() -> nb.Cache:
        net.W[2] *= 2.0
        return net.forward(X.value)

    _fails("changed", sneaky, [X], nets=[net], validate=forward_ok(net, 1))


def test_checker_catches_an_escaped_warning() -> None:
    X = Arg("X", np.array([[1e39]]))

    def overflow() -> np.ndarray:
        return X.value.astype(np.float32)  # RuntimeWarning: overflow in cast

    _fails("warning", overflow, [Arg("X", X.value, EDGE)])

    def warns() -> None:
        warnings.warn("something", UserWarning, stacklevel=1)

    _fails("warning", warns, [X])


def test_checker_allows_documented_divergence_only() -> None:
    net = _net()
    lr = Arg("learning_rate", 0.5)

    def diverged(value: float | None) -> Callable[[], None]:
        def call() -> None:
            if value is not None:
                net.W[1][0, 0] = value  # a fit that kept some epoch's weights
            raise FloatingPointError("training diverged at epoch 3 (loss = inf) with "
                                     "learning_rate = 0.5")
        return call

    check_call(diverged(None), [lr], nets=[net], mutates=True, diverges=True)
    _fails("changed", diverged(0.25), [lr], nets=[net], mutates=True, diverges=True)
    _fails("changed", diverged(math.nan), [lr], nets=[net], mutates=True, diverges=True)


def test_the_property_tests_fail_on_a_broken_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Hypothesis tests themselves, run against two deliberately broken engines, fail."""
    monkeypatch.setattr(sys.modules[__name__], "LOG", None)  # raise, do not collect
    forward = nb.Network.forward

    def nan_forward(self: nb.Network, X: Any, *, check: bool = True) -> nb.Cache:
        cache = forward(self, X, check=check)
        cache.A[self.L] = np.full_like(cache.A[self.L], math.nan)  # silent NaN outputs
        return cache

    monkeypatch.setattr(nb.Network, "forward", nan_forward)
    with pytest.raises(PropertyFailure):  # "result: non-finite" (or, where the engine's own
        test_forward()                    # output check catches it, "refused-valid")
    monkeypatch.setattr(nb.Network, "forward", forward)

    step = nb.Network.step

    def half_applied_step(self: nb.Network, grads: Any, learning_rate: Any) -> None:
        self.W[1] -= 1e-3  # changes the network before its checks
        step(self, grads, learning_rate)

    monkeypatch.setattr(nb.Network, "step", half_applied_step)
    with pytest.raises(PropertyFailure, match="changed"):
        test_step()


def test_checker_catches_a_wrong_gradient() -> None:
    net = nb.Network([2, 3, 2], ["tanh", "softmax"], "cross_entropy", seed=0)
    X = np.array([[0.5, -1.0, 2.0], [1.0, 0.3, -0.7]])
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    grads = net.backward(net.forward(X), Y)
    gradient_matches_cost(net, X, Y, grads)  # the engine's gradient passes
    for wrong in (2.0, 1.001):  # a missing 1/m (m = 2 would double it), or an error of 1e-3
        bad = nb.Gradients({**grads.dW, 1: grads.dW[1] * wrong}, grads.db, grads.dZ, grads.dA)
        with pytest.raises(AssertionError, match=r"dW\[1\] is not the gradient"):
            gradient_matches_cost(net, X, Y, bad)
    # the shortcut dZ = A - Y where it does not hold (sigmoid output with MSE) is not the gradient
    net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "mse", seed=0)
    Y = np.array([[0.2, 0.9, 0.4]])
    cache = net.forward(X)
    dZ = cache.A[2] - Y
    right = net.backward(cache, Y)
    shortcut = nb.Gradients({1: right.dW[1], 2: dZ @ cache.A[1].T / 3},
                            {1: right.db[1], 2: dZ.mean(axis=1, keepdims=True)}, {}, {})
    gradient_matches_cost(net, X, Y, right)
    with pytest.raises(AssertionError, match="is not the gradient"):
        gradient_matches_cost(net, X, Y, shortcut)


def test_checker_catches_a_warning_from_an_object_left_behind(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x")

    def leak() -> None:  # opens a file and never closes it: ResourceWarning when collected
        f = open(path)  # noqa: SIM115, F841  (kept alive by the traceback's frame)
        raise ValueError(f"{path}: not a network")

    _fails("warning", leak, [path_arg(str(path), BAD)], collect=True)


def test_checker_catches_unnamed_or_wrong_errors() -> None:
    Y = Arg("Y", None, BAD)

    def raw() -> None:
        raise ValueError("operands could not be broadcast together")

    _fails("unnamed", raw, [Y])
    _fails("raised-other", lambda: {}["Y"], [Y])  # a KeyError, even one that says Y
    # "Y" inside another word is not a name
    _fails("unnamed", lambda: (_ for _ in ()).throw(TypeError("YES: no")), [Y])
    check_call(lambda: (_ for _ in ()).throw(TypeError("Y: expected an array")), [Y])


def test_checker_catches_refused_valid_and_accepted_invalid() -> None:
    ok = Arg("epochs", 3)
    _fails("refused-valid", lambda: (_ for _ in ()).throw(ValueError("epochs: no")), [ok])
    _fails("accepted-bad", lambda: None, [Arg("epochs", -1, BAD)])
    check_call(lambda: None, [Arg("epochs", 10**30, EDGE)])  # edge: success is allowed


def test_checker_catches_a_pickle_hint_and_allows_missing_files() -> None:
    p = path_arg("/tmp/x.npz", BAD)
    _fails("pickle-hint", lambda: (_ for _ in ()).throw(ValueError(
        "/tmp/x.npz: Object arrays cannot be loaded when allow_pickle=False")), [p])
    missing = path_arg("/nonexistent/x.npz", EDGE)
    with pytest.raises(PropertyFailure):
        check_call(lambda: open("/nonexistent/x.npz"), [missing])  # noqa: SIM115
    check_call(lambda: open("/nonexistent/x.npz"), [missing], missing_path=True)  # noqa: SIM115
