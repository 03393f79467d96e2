"""A tiny, untimed run of the benchmark: the results have the expected structure.

No assertion here is about speed (timings on a shared 2-core machine are noise at this size);
the real numbers come from ``python -m benchmarks.run`` and are shown on the Performance page.
"""

from __future__ import annotations

import contextlib
import json
import math

import pytest

# The benchmark trains on scikit-learn's digits: without scikit-learn there is nothing to run.
pytest.importorskip("sklearn", reason="scikit-learn is not installed (uv sync --group bench)")

from benchmarks import libs, run  # noqa: E402
from benchmarks.memory import measure_in_subprocess
from benchmarks.workloads import CONFIGS

TINY = {
    "xor": {"epochs": 20},
    "digits-b32": {"epochs": 1},
    "digits-b128": {"epochs": 1},
    "mnist-like": {"epochs": 1, "data_kw": {"m_train": 300, "m_test": 50}},
}


@pytest.fixture(scope="module")
def results():
    missing = {p: libs.available(p) for p in ("torch", "sklearn") if libs.available(p)}
    for peer, why in missing.items():
        print(f"benchmark smoke test: skipping peer {peer}: {why}")
    # one thread each: at this size threads only add waiting, and the machine is shared
    with contextlib.ExitStack() as stack:
        try:
            from threadpoolctl import threadpool_limits
            stack.enter_context(threadpool_limits(1))
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
            pass
        if "torch" not in missing:
            import torch
            before = torch.get_num_threads()
            torch.set_num_threads(1)
            stack.callback(torch.set_num_threads, before)
        return run.run_benchmark(list(CONFIGS), ["float64", "float32"], rounds=1,
                                 memory=False, overrides=TINY, warmup=False,
                                 settle=0.0)


def test_structure(results):
    assert set(results) >= {"schema", "date", "machine", "settings", "results", "skipped"}
    assert results["machine"]["cores"] >= 1 and results["machine"]["numpy"]
    assert len(results["results"]) == len(CONFIGS) * 2
    libs_run = results["settings"]["libraries"]
    assert libs_run[0] == "nnbook"
    for r in results["results"]:
        assert r["config"]["name"] in CONFIGS and r["dtype"] in ("float64", "float32")
        for lib in libs_run:
            assert r["time_s"][lib] > 0 and r["step_us"][lib] > 0
            assert r["trained_dtype"][lib] == r["dtype"]          # float32 stays float32
        assert r["time_s"]["matmul_numpy"] > 0 and 0 < r["matmul_share"]
        for peer in ("torch", "sklearn"):
            if peer in libs_run:
                assert r[f"ratio_{peer}"] > 0
        assert isinstance(r["targets"], dict)
    json.dumps(results)                                           # JSON-able as written


def test_accuracy_is_computed(results):
    for r in results["results"]:
        for lib in results["settings"]["libraries"]:
            acc = r["accuracy"][lib]
            assert 0.0 <= acc <= 1.0 and not math.isnan(acc)
    # XOR is learned in 20 steps by nobody; digits after one epoch is far above chance (0.1)
    digits = [r for r in results["results"] if r["config"]["name"] == "digits-b32"]
    assert all(r["accuracy"]["nnbook"] > 0.5 for r in digits)


def test_markdown_table(results):
    table = run.markdown_table(results)
    lines = table.splitlines()
    assert lines[0].startswith("| workload |") and len(lines) == 2 + len(results["results"])


def test_memory_subprocess():
    rep = measure_in_subprocess("xor", "float64", "nnbook", quick=True, timeout=120)
    assert rep["peak_bytes"] >= 0 and rep["data_bytes"] > 0 and rep["params_bytes"] > 0
    assert rep["accuracy"] == 1.0 or 0.0 <= rep["accuracy"] <= 1.0
