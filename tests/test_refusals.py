# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""Every entry of the refusals catalogue (tests/refusals.py), which is also the page "What nnbook
refuses": the call raises the stated error, its message matches and names the argument, no
warning escapes, and every network involved is bit-identical afterwards."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from refusals import CATALOGUE, SETUP, TOPICS, entries, message, prepare, run

import nnbook as nb

PAGE = Path(__file__).resolve().parent.parent / "docs" / "appendix" / "refusals.md"

PENDING: set[str] = set()
"""Entries whose check has not landed in the engine yet (strict xfail: they fail the suite as
soon as the check works, so that this set is emptied)."""


def _snapshot(ns: dict) -> dict:
    """Everything a Network holds, byte for byte, for every network in the namespace."""
    out = {}
    for name, net in ns.items():
        if isinstance(net, nb.Network):
            out[name] = (
                net.sizes, [net.g[l].name for l in net.g], net.loss.name, net.l2, net.dtype,
                [(P.dtype, P.shape, P.tobytes()) for P in [*net.W.values(), *net.b.values()]],
                sorted(net.W), sorted(net.b),
            )
    return out


@pytest.mark.parametrize("entry", [
    pytest.param(e, id=e.id, marks=[pytest.mark.xfail(strict=True, reason="check pending")]
                 if e.id in PENDING else [])
    for e in CATALOGUE
])
def test_refusal(entry, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns = prepare(entry)
    before = _snapshot(ns)
    assert before, "every entry involves at least the network of SETUP"
    exc = run(entry, ns)  # warnings are errors inside
    assert exc is not None, f"{entry.call} did not raise"
    assert type(exc) is entry.error, f"{entry.call} raised {type(exc).__name__}: {exc}"
    msg = str(exc)
    assert re.search(entry.match, msg), msg
    assert re.search(rf"(?<![\w\[]){re.escape(entry.argument)}(?!\w)", msg), (
        f"the message does not name {entry.argument!r}: {msg}")
    assert "pickle" not in msg.lower(), msg
    assert _snapshot(ns) == before, f"{entry.call} changed a network before refusing"


def test_catalogue_is_well_formed():
    ids = [e.id for e in CATALOGUE]
    assert len(ids) == len(set(ids)), "ids must be unique (they are anchors on the page)"
    assert PENDING <= set(ids)
    for e in CATALOGUE:
        assert e.topic in TOPICS, e.id
        assert re.fullmatch(r"[A-Za-z0-9-]+", e.id), e.id
        assert issubclass(e.error, Exception), e.id
        assert "\n" not in e.call, f"{e.id}: the call is one line"
        assert max(len(line) for line in e.code.splitlines()) <= 79, f"{e.id}: 79 columns"
        assert e.why.endswith(".") and not e.why[0].islower(), f"{e.id}: one sentence"
        assert e.why.count(". ") == 0, f"{e.id}: one sentence"
        assert not e.check[0].islower() and not e.check.endswith("."), e.id
        re.compile(e.match)
    assert max(len(line) for line in SETUP.splitlines()) <= 79


def test_message_is_what_the_call_raises():
    entry = next(e for e in CATALOGUE if e.id == "eps-zero")
    assert message(entry) == ("ValueError: eps: expected a number with 1e-10 <= eps <= 0.01, "
                              "got 0")


def test_message_refuses_an_entry_that_does_not_fail():
    entry = next(e for e in CATALOGUE if e.id == "eps-zero")
    wrong = type(entry)(**{**entry.__dict__, "call": "nb.gradient_check(net, X, Y, eps=1e-6)"})
    with pytest.raises(AssertionError, match=r"refusal 'eps-zero': .* gave None"):
        message(wrong)


def test_every_topic_is_on_the_page_once():
    text = PAGE.read_text(encoding="utf-8")
    rendered = re.findall(r'render_topic\("(\w+)"\)', text)
    assert sorted(rendered) == sorted(TOPICS), rendered
    for topic in TOPICS:
        assert entries(topic), f"topic {topic!r} has no entry"


ISSUE_11 = {  # the cases the issue names -> the entries that show them refused
    "pairings with no meaning": ["pair-tanh-bce", "pair-identity-ce"],
    "cross-entropy targets that are not distributions": ["Y-ce-multihot", "Y-ce-zero"],
    "BCE targets outside [0, 1]": ["Y-bce-range"],
    "step with another network's gradients": ["step-foreign-grads"],
    "NaN in W[1] before fit": ["fit-nan-weights"],
    "seed": ["seed-string", "seed-negative", "fit-seed"],
    "eps": ["eps-zero", "eps-negative", "eps-nan", "eps-string", "eps-bool"],
    "dtype float16": ["dtype-float16"],
    "float32 given 1e39": ["X-float32-overflow"],
    "truncated, text, .npy, directory, wrong arrays": [
        "load-truncated", "load-text", "load-npy", "load-directory", "load-missing-array",
        "load-extra-array", "load-shape", "load-format", "load-empty", "load-missing"],
}


def test_every_case_of_issue_11_is_in_the_catalogue():
    ids = {e.id for e in CATALOGUE}
    missing = {case: [i for i in want if i not in ids] for case, want in ISSUE_11.items()}
    assert not any(missing.values()), missing


def test_float32_overflow_entry_really_is_float32():  # the entry would be vacuous in float64
    ns = prepare(next(e for e in CATALOGUE if e.id == "X-float32-overflow"))
    assert ns["net32"].dtype == np.float32
