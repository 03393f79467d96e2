r"""Run the benchmark: ``python -m benchmarks.run [--quick] [--rounds N] [--configs a,b]``.

Trains the same networks (same data, initial weights, batch size, learning rate, epochs and
dtype) with nnbook, PyTorch CPU and scikit-learn, in interleaved rounds: in round $r$ every
workload runs once per library, each from a fresh model, in an order rotated by $r$ (so no
library always runs first), followed by the matmul-only baselines. Reported per workload and
dtype: the median over rounds of the per-round time ratios nnbook/torch and nnbook/sklearn,
time per step, the matmul-only share, test accuracy, and the peak memory of one run of each
library in its own subprocess (see :mod:`benchmarks.memory`).

Writes ``benchmarks/results/latest.json`` (``quick.json`` with ``--quick``, unless
``--output`` says otherwise) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import statistics
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from . import libs
from .memory import measure_in_subprocess
from .workloads import CONFIGS, QUICK, Config, make_data

__all__ = ["machine_info", "main", "markdown_table", "run_benchmark"]

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {"ratio": 1.0, "xor_step_us": 30.0, "matmul_factor": 1.35, "accuracy_points": 1.0,
           "memory_factor": 1.5}
"""The targets of issue 5 (checked and recorded, never asserted by a test)."""


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover
        pass
    return platform.processor() or platform.machine()


def _numpy_blas() -> dict[str, Any]:
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return {"name": blas.get("name"), "version": blas.get("version"),
                "config": blas.get("openblas configuration", "")}
    except Exception:  # pragma: no cover - older NumPy
        return {"name": "unknown", "version": "unknown", "config": ""}


def _blas_threads() -> int | None:
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            if info.get("internal_api") in ("openblas", "mkl") and "numpy" in info.get(
                    "filepath", ""):
                return int(info["num_threads"])
    except Exception:  # pragma: no cover - threadpoolctl missing
        pass
    return None


def machine_info() -> dict[str, Any]:
    """CPU, cores, and the versions of Python, NumPy (with its BLAS), PyTorch, scikit-learn."""
    info: dict[str, Any] = {
        "cpu": _cpu_model(), "cores": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "numpy": np.__version__,
        "numpy_blas": _numpy_blas(), "numpy_blas_threads": _blas_threads(),
    }
    if libs.available("torch") is None:
        import torch

        cfg = torch.__config__.show()
        blas = "MKL" if "Math Kernel Library" in cfg else ("OpenBLAS" if "OpenBLAS" in cfg
                                                            else "unknown")
        mkl = re.search(r"Math Kernel Library Version ([0-9.]+)", cfg)
        info.update(torch=torch.__version__, torch_threads=torch.get_num_threads(),
                    torch_blas=f"MKL {mkl.group(1)}" if mkl else blas)
    if libs.available("sklearn") is None:
        import sklearn

        info["sklearn"] = sklearn.__version__
    return info


def _busy_fraction(seconds: float = 0.5) -> float | None:
    """Fraction of the machine's CPU time used (by others: this process sleeps meanwhile)."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]
        return sum(v) - idle, sum(v)
    try:
        b0, t0 = sample()
        time.sleep(seconds)
        b1, t1 = sample()
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return None
    return (b1 - b0) / max(1, t1 - t0)


def _cpu_counters() -> tuple[float, float, float] | None:
    """(machine busy CPU-seconds, machine total CPU-seconds, this process's CPU-seconds)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):  # pragma: no cover - not Linux
        return None
    hz = os.sysconf("SC_CLK_TCK")
    t = os.times()
    return (sum(v) - v[3] - v[4]) / hz, sum(v) / hz, t.user + t.system


def _others_share(before: tuple[float, float, float] | None) -> float | None:
    """Fraction of the machine's CPU time used by *other* processes since ``before``."""
    after = _cpu_counters()
    if before is None or after is None:
        return None
    busy, total, own = (a - b for a, b in zip(after, before, strict=True))
    return max(0.0, (busy - own) / total) if total > 0 else None


def wait_until_quiet(max_wait: float, threshold: float = 0.15) -> float | None:
    """Wait (at most ``max_wait`` s) until other processes use < ``threshold`` of the CPUs.

    Returns the last busy fraction seen. The machine is shared: a run that starts while a test
    suite occupies a core measures the contention, not the library.
    """
    deadline = time.monotonic() + max_wait
    busy = _busy_fraction()
    while busy is not None and busy > threshold and time.monotonic() < deadline:
        time.sleep(1.0)
        busy = _busy_fraction()
    return busy


def _median(xs: list[float]) -> float | None:
    return float(statistics.median(xs)) if xs else None


def _summarise(cfg: Config, dtype: str, rec: dict[str, Any], m: int) -> dict[str, Any]:
    t = rec["times"]
    steps = cfg.epochs * libs.steps_per_epoch(cfg, m)
    n_rounds = len(t["nnbook"])
    out: dict[str, Any] = {
        "steps": steps,
        "steps_per_epoch": libs.steps_per_epoch(cfg, m),
        "time_s": {k: _median(v) for k, v in t.items()},
        "step_us": {k: _median([x / steps * 1e6 for x in v]) for k, v in t.items()},
        "epoch_s": {k: _median([x / cfg.epochs for x in v]) for k, v in t.items()},
        "accuracy": {k: _median(v) for k, v in rec["accuracy"].items()},
        "trained_dtype": rec["trained_dtype"],
        "others_cpu_share": _median([x for x in rec.get("others", []) if x is not None]),
    }
    for peer in ("torch", "sklearn"):
        if t.get(peer):
            out[f"ratio_{peer}"] = _median([t["nnbook"][i] / t[peer][i] for i in range(n_rounds)])
            out[f"ratio_{peer}_rounds"] = [t["nnbook"][i] / t[peer][i] for i in range(n_rounds)]
    if t.get("matmul_numpy"):
        out["matmul_share"] = _median([t["matmul_numpy"][i] / t["nnbook"][i]
                                       for i in range(n_rounds)])
        out["nnbook_over_matmul"] = _median([t["nnbook"][i] / t["matmul_numpy"][i]
                                             for i in range(n_rounds)])
    return out


def _targets(cfg: Config, s: dict[str, Any]) -> dict[str, Any]:
    """Which of issue 5's targets this workload x dtype meets (None: not applicable)."""
    tg: dict[str, Any] = {}
    for peer in ("torch", "sklearn"):
        r = s.get(f"ratio_{peer}")
        tg[f"faster_than_{peer}"] = None if r is None else bool(r <= TARGETS["ratio"])
    if cfg.data == "xor":
        tg["xor_step_us"] = bool(s["step_us"]["nnbook"] <= TARGETS["xor_step_us"])
    if cfg.data == "mnist_like" and s.get("nnbook_over_matmul") is not None:
        tg["within_matmul_factor"] = bool(s["nnbook_over_matmul"] <= TARGETS["matmul_factor"])
    if cfg.data == "digits":
        peers = [a for k, a in s["accuracy"].items() if k != "nnbook" and a is not None]
        if peers:
            gap = 100 * (max(peers) - s["accuracy"]["nnbook"])
            tg["accuracy_within_1_point"] = bool(gap <= TARGETS["accuracy_points"])
    mem = s.get("memory", {}).get("nnbook")
    if cfg.data == "mnist_like" and mem:
        tg["memory_under_1_5x"] = bool(mem["ratio"] < TARGETS["memory_factor"])
    return tg


def run_benchmark(configs: list[str], dtypes: list[str], rounds: int, quick: bool = False,
                  memory: bool = True, peers: tuple[str, ...] = ("torch", "sklearn"),
                  progress: Any = None,
                  overrides: dict[str, dict[str, Any]] | None = None,
                  warmup: bool = True, quiet_wait: float = 0.0,
                  settle: float = 1.0) -> dict[str, Any]:
    """Run the benchmark and return the results (the structure of ``latest.json``).

    Parameters
    ----------
    configs : list of str
        Workload names, keys of :data:`benchmarks.workloads.CONFIGS`.
    dtypes : list of str
        ``"float64"`` and/or ``"float32"``.
    rounds : int
        Interleaved rounds; medians are taken over them.
    quick : bool
        Use the smaller settings of :data:`benchmarks.workloads.QUICK`.
    memory : bool
        Measure the peak memory of each library in a subprocess.
    peers : tuple of str
        The peers to compare with; one that is not installed is skipped with a note.
    progress : callable or None
        Called with one line of text per finished run.
    overrides : dict or None
        Per workload, settings to replace (e.g. ``{"xor": {"epochs": 10}}``), used instead of
        the ``quick`` ones; for tests. Memory subprocesses then use the ``quick`` settings.
    warmup : bool
        Run every library once, one epoch, before the rounds (untimed).
    quiet_wait : float
        Before each workload of each round, wait up to this many seconds for the machine to be
        quiet (see :func:`wait_until_quiet`), ten times that in all; the CPU use seen is
        recorded.
    settle : float
        Seconds to sleep before each timed run. Each library's thread pool (NumPy's OpenBLAS,
        PyTorch's OpenMP) keeps spinning for a while after its last call; without a pause the
        next library's threads would share the two cores with those spinners.

    Returns
    -------
    dict
        ``{"machine", "settings", "results": [...], "skipped": {...}}``; see
        ``docs/performance.md``.
    """
    say = progress or (lambda s: None)
    skipped = {p: why for p in peers if (why := libs.available(p)) is not None}
    active = ["nnbook"] + [p for p in peers if p not in skipped]
    if overrides is not None:
        cfgs = [replace(CONFIGS[c], **overrides.get(c, {})) for c in configs]
    else:
        cfgs = [replace(CONFIGS[c], **QUICK[c]) if quick else CONFIGS[c] for c in configs]
    data = {(c.name, d): make_data(c, np.dtype(d)) for c in cfgs for d in dtypes}
    recs: dict[tuple[str, str], dict[str, Any]] = {
        k: {"times": {lib: [] for lib in active + ["matmul_numpy"]
                      + (["matmul_torch"] if "torch" in active else [])},
            "accuracy": {lib: [] for lib in active}, "trained_dtype": {}, "busy": [], "others": []}
        for k in data}
    warnings.simplefilter("ignore")
    for c in cfgs if warmup else []:                 # warm-up: code paths, threads, caches
        for d in dtypes:
            for lib in active:
                libs.run_library(lib, replace(c, epochs=1), data[(c.name, d)], np.dtype(d))
    waited = 0.0
    for r in range(rounds):
        order = active[r % len(active):] + active[:r % len(active)]
        for c in cfgs:
            for d in dtypes:
                key, dt = (c.name, d), np.dtype(d)
                rec = recs[key]
                if quiet_wait > 0 and waited < 10 * quiet_wait:   # at most 10 gates' worth
                    t_gate = time.monotonic()
                    rec["busy"].append(wait_until_quiet(quiet_wait))
                    waited += time.monotonic() - t_gate
                for lib in order:
                    time.sleep(settle)
                    before = _cpu_counters()
                    res = libs.run_library(lib, c, data[key], dt)
                    rec["others"].append(_others_share(before))
                    rec["times"][lib].append(res.seconds)
                    rec["accuracy"][lib].append(res.accuracy)
                    rec["trained_dtype"][lib] = res.dtype
                    say(f"round {r + 1}/{rounds} {c.name} {d} {lib}: {res.seconds:.3f} s, "
                        f"accuracy {res.accuracy:.4f}")
                m = data[key].X_train.shape[0]
                time.sleep(settle)
                rec["times"]["matmul_numpy"].append(libs.matmul_only_numpy(c, m, dt))
                if "torch" in active:
                    time.sleep(settle)
                    rec["times"]["matmul_torch"].append(libs.matmul_only_torch(c, m, dt))
    results = []
    for c in cfgs:
        for d in dtypes:
            key = (c.name, d)
            s = _summarise(c, d, recs[key], data[key].X_train.shape[0])
            if memory:
                s["memory"] = {}
                for lib in active:
                    s["memory"][lib] = measure_in_subprocess(c.name, d, lib, quick)
                    say(f"memory {c.name} {d} {lib}: "
                        f"{s['memory'][lib]['peak_bytes'] / 2**20:.1f} MiB")
            s["targets"] = _targets(c, s)
            results.append({"config": c.as_dict(), "title": c.title, "dtype": d,
                            "m_train": int(data[key].X_train.shape[0]),
                            "m_test": int(data[key].X_test.shape[0]),
                            "data_bytes": int(data[key].nbytes),
                            "raw": {"times_s": recs[key]["times"],
                                    "accuracy": recs[key]["accuracy"],
                                    "busy_before_round": recs[key]["busy"],
                                    "others_cpu_share_during_runs": recs[key]["others"]},
                            **s})
    return {
        "schema": 1,
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "settings": {"rounds": rounds, "quick": quick, "configs": configs, "dtypes": dtypes,
                     "libraries": active, "targets": TARGETS, "quiet_wait_s": quiet_wait,
                     "settle_s": settle,
                     "torch_threads": "PyTorch default (torch.get_num_threads())",
                     "memory_method": "VmHWM - VmRSS baseline in a fresh subprocess per "
                                      "library, after a warm-up run, peak reset via "
                                      "/proc/self/clear_refs" if memory else None},
        "skipped": skipped,
        "results": results,
    }


def _fmt(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


def markdown_table(res: dict[str, Any]) -> str:
    """The results as a Markdown table: one row per workload and dtype."""
    head = ("| workload | dtype | nnbook / torch | nnbook / sklearn | nnbook µs/step | "
            "torch µs/step | sklearn µs/step | matmul-only share | accuracy nnbook / torch / "
            "sklearn | nnbook peak memory / (data + params) |")
    lines = [head, "|" + "---|" * 10]
    for r in res["results"]:
        st, acc = r["step_us"], r["accuracy"]
        mem = r.get("memory", {}).get("nnbook")
        mem_cell = "—"
        if mem:
            total = (mem["data_bytes"] + mem["params_bytes"]) / 2**20
            mem_cell = f"{mem['peak_bytes'] / 2**20:.0f} / {total:.0f} MiB = {mem['ratio']:.2f}×"
        accs = " / ".join(_fmt(acc.get(k), ".3f") for k in ("nnbook", "torch", "sklearn"))
        lines.append(
            f"| {r['config']['name']} | {r['dtype']} | {_fmt(r.get('ratio_torch'), '.2f')}× | "
            f"{_fmt(r.get('ratio_sklearn'), '.2f')}× | {_fmt(st.get('nnbook'), '.1f')} | "
            f"{_fmt(st.get('torch'), '.1f')} | {_fmt(st.get('sklearn'), '.1f')} | "
            f"{_fmt(r.get('matmul_share'), '.0%')} | {accs} | {mem_cell} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Command line entry point (see the module docstring)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes, 2 rounds: a smoke run")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5; 2 "
                   "with --quick)")
    p.add_argument("--configs", default=",".join(CONFIGS),
                   help=f"comma-separated workloads, from {','.join(CONFIGS)}")
    p.add_argument("--dtypes", default="float64,float32")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    p.add_argument("--quiet-wait", type=float, default=None, help="seconds to wait, before each "
                   "workload of each round, for other processes to leave the CPUs (default 60; "
                   "0 with --quick)")
    p.add_argument("--output", default=None, help="JSON path (default results/latest.json, "
                   "results/quick.json with --quick)")
    a = p.parse_args(argv)
    configs = [c for c in a.configs.split(",") if c]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        p.error(f"--configs: unknown {unknown}; expected names from {list(CONFIGS)}")
    rounds = a.rounds if a.rounds is not None else (2 if a.quick else 5)
    quiet = a.quiet_wait if a.quiet_wait is not None else (0.0 if a.quick else 60.0)
    res = run_benchmark(configs, a.dtypes.split(","), rounds, a.quick, not a.no_memory,
                        progress=lambda s: print(s, file=sys.stderr, flush=True),
                        quiet_wait=quiet)
    res["command"] = "python -m benchmarks.run" + (" " + " ".join(argv if argv is not None
                                                                  else sys.argv[1:])).rstrip()
    out = Path(a.output) if a.output else RESULTS / ("quick.json" if a.quick else "latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")
    print(markdown_table(res))
    print(f"\nwritten: {out}", file=sys.stderr)
    return res


if __name__ == "__main__":
    main()
