"""Peak memory of one training run, measured in a fresh subprocess.

Method: in a new interpreter, import the library and warm it up (a short training run on a
slice of the data's shapes: thread pools, allocator arenas and code paths are set up), then
record the resident set size ``VmRSS`` as the baseline and reset the kernel's peak counter
(``echo 5 > /proc/self/clear_refs`` resets ``VmHWM``). Then make the data, train, score. The
peak is ``VmHWM - baseline``: everything the run kept resident at its worst moment, data
included, whichever allocator made it (NumPy, PyTorch's, BLAS buffers). Where the peak cannot
be reset, ``ru_maxrss`` is used instead, which can only overstate.

Run as ``python -m benchmarks.memory CONFIG DTYPE LIB [--quick]``; prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
from dataclasses import replace
from typing import Any

import numpy as np

__all__ = ["measure", "measure_in_subprocess"]


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:  # pragma: no cover - not Linux
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:  # pragma: no cover - not Linux, or not permitted
        return False


def measure(config: str, dtype: str, lib: str, quick: bool = False) -> dict[str, Any]:
    """Train ``config`` with ``lib`` once in this process and report its peak memory."""
    from . import libs
    from .workloads import CONFIGS, QUICK, make_data

    cfg = CONFIGS[config]
    if quick:
        cfg = replace(cfg, **QUICK[config])
    dt = np.dtype(dtype)
    # warm-up: the same network on a few examples, so the baseline includes the library's setup
    warm = make_data(replace(cfg, epochs=1, data_kw={"m_train": 256, "m_test": 16}), dt) \
        if cfg.data == "mnist_like" else make_data(cfg, dt)
    libs.run_library(lib, replace(cfg, epochs=1), warm, dt)
    del warm
    gc.collect()
    base_kib = _status_kib("VmRSS")
    reset = _reset_peak()
    base_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    data = make_data(cfg, dt)
    result = libs.run_library(lib, cfg, data, dt)
    peak_kib = _status_kib("VmHWM") if reset else None
    if reset and peak_kib is not None and base_kib is not None:
        peak = (peak_kib - base_kib) * 1024
        method = "VmHWM - VmRSS baseline, peak reset via /proc/self/clear_refs"
    else:  # pragma: no cover - fallback
        peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_maxrss) * 1024
        method = "ru_maxrss delta (peak not resettable; may overstate)"
    net = libs.initial_network(cfg, dt)
    params = sum(net.W[k].nbytes + net.b[k].nbytes for k in net.W)
    return {"config": config, "dtype": dt.name, "lib": lib, "peak_bytes": int(peak),
            "data_bytes": int(data.nbytes), "params_bytes": int(params),
            "ratio": peak / (data.nbytes + params), "method": method,
            "accuracy": result.accuracy}


def measure_in_subprocess(config: str, dtype: str, lib: str, quick: bool = False,
                          timeout: float = 900) -> dict[str, Any]:
    """Run :func:`measure` in a fresh interpreter (one per library) and return its report."""
    import subprocess

    cmd = [sys.executable, "-m", "benchmarks.memory", config, dtype, lib]
    if quick:
        cmd.append("--quick")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"memory run {config} {dtype} {lib} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m benchmarks.memory CONFIG DTYPE LIB [--quick]``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config")
    p.add_argument("dtype", choices=["float32", "float64"])
    p.add_argument("lib", choices=["nnbook", "torch", "sklearn"])
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    import warnings

    warnings.simplefilter("ignore")
    print(json.dumps(measure(a.config, a.dtype, a.lib, a.quick)))


if __name__ == "__main__":
    main()
