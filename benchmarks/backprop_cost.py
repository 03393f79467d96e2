r"""What a gradient costs: one forward pass, one backward pass, and finite differences.

Chapter 11 runs this at build time: ``measure()`` times ``Network.forward`` and
``Network.backward`` on networks of ``[n, n, n, 1]`` units (tanh, tanh, identity, MSE), with
the width ``n`` chosen so that the parameter count $p = 2n^2 + 3n + 1$ is nearest to each
target from $10$ to $10^6$, on a fixed batch of ``M`` examples, and times a full
central-difference gradient (two cost evaluations per parameter) for the sizes where one takes
at most ``fd_budget`` seconds. Every time is the median of a few repeats of the CPU time of the
measuring thread, with NumPy's BLAS held to one thread (``threadpoolctl``): what one core spends,
however busy the rest of the machine is.

Run alone: ``uv run python -m benchmarks.backprop_cost`` prints the table and the slopes.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import statistics
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

import nnbook as nb

__all__ = ["M", "TARGETS", "Cost", "measure", "slope", "where_it_ran", "width_for"]

M = 1024
"""Examples per batch: large enough that from a few hundred parameters on, a forward pass costs
its arithmetic, O(p m), more than its fixed Python overhead."""
TARGETS = tuple(round(10 ** (k / 2)) for k in range(2, 13))
"""Target parameter counts: 10, 32, 100, ..., 10^6 (half decades)."""


def width_for(p: float) -> int:
    """The width n of an [n, n, n, 1] network whose 2n^2 + 3n + 1 parameters are nearest p."""
    n = max(1, round((-3 + math.sqrt(9 + 8 * (p - 1))) / 4))
    return min((k for k in (n - 1, n, n + 1) if k >= 1),
               key=lambda k: abs(math.log((2 * k * k + 3 * k + 1) / p)))


@dataclass
class Cost:
    """Seconds per forward pass, backward pass and full finite-difference gradient, by size."""

    params: list[int]
    widths: list[int]
    forward: list[float]
    backward: list[float]
    fd_params: list[int]
    fd: list[float]
    m: int

    @property
    def ratios(self) -> list[float]:
        """Backward time over forward time, per size."""
        return [b / f for b, f in zip(self.backward, self.forward, strict=True)]

    def fd_extrapolated(self) -> tuple[list[int], list[float]]:
        """The finite-difference time beyond the last measured size: 2p forward passes, scaled
        by what one full gradient cost at the last measured size."""
        last = self.fd_params[-1]
        k = self.params.index(last)
        scale = self.fd[-1] / (2 * last * self.forward[k])
        ps = self.params[k:]
        return ps, [scale * 2 * p * f for p, f in zip(ps, self.forward[k:], strict=True)]


def _median_times(fns: list[Any], repeats: int, min_time: float = 4e-3) -> list[float]:
    """Median over `repeats` of the time of one call of each of `fns`, timed in turn within
    each repeat, each looped long enough to be measurable. The clock is the CPU time of this
    thread (`time.thread_time`): other programs on the machine do not inflate it."""
    loops = []
    for fn in fns:
        t0 = time.thread_time()
        fn()
        loops.append(max(1, int(min_time / max(time.thread_time() - t0, 1e-7))))
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, k, out in zip(fns, loops, times, strict=True):
            t0 = time.thread_time()
            for _ in range(k):
                fn()
            out.append((time.thread_time() - t0) / k)
    return [statistics.median(t) for t in times]


def _problem(n: int, m: int, seed: int) -> tuple[nb.Network, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    net = nb.Network([n, n, n, 1], ["tanh", "tanh", "identity"], "mse", seed=seed)
    return net, rng.normal(size=(n, m)), rng.normal(size=(1, m))


def fd_gradient(net: nb.Network, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    """The full central-difference gradient: two cost evaluations per parameter."""

    def cost() -> float:
        return net.loss.value(net.forward(X, check=False).A[net.L], Y)

    out = {}
    for l in range(1, net.L + 1):  # noqa: E741
        for name, P in (("W", net.W), ("b", net.b)):
            original = P[l]

            def f(arr: np.ndarray, P: dict = P, l: int = l) -> float:  # noqa: E741
                P[l] = arr
                return cost()

            out[f"{name}{l}"] = nb.numerical_gradient(f, original)
            P[l] = original
    return out


def _one_size(n: int, m: int, repeats: int, fd_budget: float,
              seed: int) -> tuple[float, float, float | None]:
    """Forward and backward seconds at width n, and the finite-difference seconds if a full
    FD gradient (about 2p forward passes) fits in `fd_budget`, else None."""
    net, X, Y = _problem(n, m, seed)
    cache = net.forward(X, check=False)
    f, b = _median_times([lambda: net.forward(X, check=False),
                          lambda: net.backward(cache, Y, check=False)],
                         repeats if n < 300 else 3)
    p = 2 * n * n + 3 * n + 1
    if 2 * p * f >= fd_budget:
        return f, b, None
    fd = _median_times([lambda: fd_gradient(net, X, Y)], 3 if 2 * p * f < 0.05 else 1, 0.0)
    return f, b, fd[0]


def measure(targets: tuple[int, ...] = TARGETS, m: int = M, repeats: int = 5,
            fd_budget: float = 1.5, seed: int = 0) -> Cost:
    """Time forward, backward and (while it stays under `fd_budget` s) finite differences."""
    try:
        from threadpoolctl import threadpool_limits

        one_thread: Any = threadpool_limits(limits=1)
    except ImportError:  # pragma: no cover - threadpoolctl is in the lock
        one_thread = nullcontext()
    c = Cost([], [], [], [], [], [], m)
    with one_thread:
        for target in targets:
            n = width_for(target)
            budget = fd_budget if len(c.fd) == len(c.params) else 0.0
            f, b, fd = _one_size(n, m, repeats, budget, seed)
            c.params.append(2 * n * n + 3 * n + 1)
            c.widths.append(n)
            c.forward.append(f)
            c.backward.append(b)
            if fd is not None:
                c.fd_params.append(c.params[-1])
                c.fd.append(fd)
    return c


def slope(xs: list[float], ys: list[float]) -> float:
    """The slope of the least-squares line through (log10 x, log10 y)."""
    lx, ly = np.log10(xs), np.log10(ys)
    return float(np.polyfit(lx, ly, 1)[0])


def where_it_ran() -> str:
    """CPU model and count; Python and NumPy versions and today's date (UTC) on a second,
    indented line."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):  # pragma: no cover - not Linux
        pass
    day = _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    return (f"{cpu}, {os.cpu_count()} CPUs (BLAS held to 1 thread),\n"
            f"        Python {platform.python_version()}, NumPy {np.__version__}, {day}")


if __name__ == "__main__":  # pragma: no cover
    t0 = time.perf_counter()
    c = measure()
    print(f"{'p':>9} {'n':>4} {'forward':>10} {'backward':>10} {'ratio':>6} {'FD':>10}")
    for p, n, f, b in zip(c.params, c.widths, c.forward, c.backward, strict=True):
        fd = c.fd[c.fd_params.index(p)] if p in c.fd_params else float("nan")
        print(f"{p:9d} {n:4d} {f:10.3e} {b:10.3e} {b / f:6.2f} {fd:10.3e}")
    print(f"forward slope (top 2 decades): {slope(c.params[-5:], c.forward[-5:]):.2f}")
    print(f"FD slope (last decade measured): {slope(c.fd_params[-3:], c.fd[-3:]):.2f}")
    print(where_it_ran(), f"-- {time.perf_counter() - t0:.1f} s")
