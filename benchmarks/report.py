"""The Performance page's tables and figure, read from a benchmark results file.

``docs/performance.md`` prints these from hidden executed blocks, so every number on the page
comes from ``benchmarks/results/latest.json`` (the file ``python -m benchmarks.run`` writes)
when the site is built. Each function takes the parsed results (default: that file) and
returns HTML: a list, a table no wider than the book's text column, or an inline SVG drawn by
`nnbook.plot`'s pipeline (text in ``currentColor``, a ``<title>`` with the alt text).
"""

from __future__ import annotations

import html
import json
import statistics
from pathlib import Path
from typing import Any

__all__ = [
    "accuracy_table",
    "load",
    "machine_list",
    "matmul_table",
    "memory_table",
    "speed_figure",
    "speed_table",
    "step_table",
]

LATEST = Path(__file__).resolve().parent / "results" / "latest.json"
PEERS = {"torch": "PyTorch", "sklearn": "scikit-learn"}
NAMES = {"nnbook": "nnbook", **PEERS}
DASH = "\u2014"


def load(path: str | Path | None = None) -> dict[str, Any]:
    """The results written by ``python -m benchmarks.run`` (default: ``latest.json``)."""
    return json.loads(Path(path or LATEST).read_text(encoding="utf-8"))


def _num(x: float | None, spec: str, suffix: str = "") -> str:
    return DASH if x is None else format(x, spec) + suffix


def _size(n: float) -> str:
    if n >= 2**20:
        return f"{n / 2**20:,.1f} MiB"
    return f"{n / 2**10:,.0f} KiB" if n >= 2**10 else f"{n:.0f} B"


def _times(x: float) -> str:
    return f"{x:,.0f}×" if x >= 100 else f"{x:.2f}×"


def _table(table_id: str, head: list[str], rows: list[list[str]], right_from: int = 2) -> str:
    """An HTML table; columns from ``right_from`` on (the numbers) are right-aligned."""

    def cells(tag: str, row: list[str]) -> str:
        return "".join(
            f'<{tag} style="text-align: right;">{c}</{tag}>' if k >= right_from
            else f"<{tag}>{c}</{tag}>"
            for k, c in enumerate(row)
        )

    body = "\n".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return (f'<table id="{table_id}">\n<thead><tr>{cells("th", head)}</tr></thead>\n'
            f"<tbody>\n{body}\n</tbody>\n</table>")


NOWRAP = '<span style="white-space: nowrap;">{}</span>'


def _lead(r: dict[str, Any]) -> list[str]:
    return [NOWRAP.format(f"<code>{html.escape(r['config']['name'])}</code>"), r["dtype"]]


def machine_list(res: dict[str, Any] | None = None) -> str:
    """When, where and with what the results were measured, as an HTML list."""
    res = res or load()
    m = res["machine"]
    blas = m["numpy_blas"]
    shares = [r["others_cpu_share"] for r in res["results"]
              if r.get("others_cpu_share") is not None]
    command = html.escape(res.get("command", "python -m benchmarks.run"))
    torch = (f"PyTorch {m['torch']} with {m['torch_blas']} ({m['torch_threads']} threads)"
             if "torch" in m else "no PyTorch")
    sklearn = f"scikit-learn {m['sklearn']}" if "sklearn" in m else "no scikit-learn"
    items = [
        f"<strong>Measured</strong> {res['date']}: the median of "
        f"{res['settings']['rounds']} interleaved rounds, by <code>{command}</code>.",
        f"<strong>Machine</strong> {html.escape(m['cpu'])}, {m['cores']} cores, "
        f"{html.escape(m['platform'])}.",
        f"<strong>Software</strong> Python {m['python']}; NumPy {m['numpy']} with "
        f"{blas['name']} {blas['version']} ({m['numpy_blas_threads']} threads); "
        f"{torch}; {sklearn}.",
    ]
    if shares:
        items.append(
            f"<strong>Load</strong> other processes used {statistics.median(shares):.0%} of "
            "the CPUs during the runs (median over workloads: the machine is shared)."
        )
    return "<ul>\n" + "\n".join(f"<li>{it}</li>" for it in items) + "\n</ul>"


def speed_table(res: dict[str, Any] | None = None) -> str:
    """nnbook's training time divided by each peer's, and the matmul-only share."""
    res = res or load()
    head = ["workload", "dtype", "nnbook ÷ PyTorch", "nnbook ÷ scikit-learn",
            "matmul-only share"]
    rows = [_lead(r) + [_num(r.get(f"ratio_{p}"), ".2f", "×") for p in PEERS]
            + [_num(r.get("matmul_share"), ".0%")] for r in res["results"]]
    return _table("perf-speed", head, rows)


def _per_library(res: dict[str, Any] | None, key: str, spec: str,
                 table_id: str) -> str:
    """One row per workload, one column per library: ``r[key][library]``."""
    res = res or load()
    head = ["workload", "dtype"] + list(NAMES.values())
    rows = [_lead(r) + [_num(r[key].get(lib), spec) for lib in NAMES]
            for r in res["results"]]
    return _table(table_id, head, rows)


def step_table(res: dict[str, Any] | None = None) -> str:
    """Microseconds per minibatch step (forward, backward, update) for each library."""
    return _per_library(res, "step_us", ",.1f", "perf-step")


def accuracy_table(res: dict[str, Any] | None = None) -> str:
    """Test accuracy of each library's trained network."""
    return _per_library(res, "accuracy", ".3f", "perf-accuracy")


def memory_table(res: dict[str, Any] | None = None) -> str:
    """Peak memory of one run of each library, and that peak over data plus parameters."""
    res = res or load()
    head = ["workload", "dtype", "data + parameters"] + list(NAMES.values())
    rows = []
    for r in res["results"]:
        mem = r.get("memory", {})
        one = next(iter(mem.values()), None)
        row = _lead(r) + [DASH if one is None else _size(one["data_bytes"] + one["params_bytes"])]
        for lib in NAMES:
            m = mem.get(lib)
            row.append(DASH if m is None
                       else f"{_size(m['peak_bytes'])}<br><small>{_times(m['ratio'])}</small>")
        rows.append(row)
    return _table("perf-memory", head, rows)


def matmul_table(res: dict[str, Any] | None = None) -> str:
    """Each library's time beside the time of its matrix products alone.

    Per step (µs) for ``xor``, where calls cost more than arithmetic; per epoch (s) for
    ``mnist-like``, where the products are nearly everything.
    """
    res = res or load()
    head = ["workload", "dtype", "nnbook", "NumPy's products", "PyTorch",
            "PyTorch's products"]
    keys = ("nnbook", "matmul_numpy", "torch", "matmul_torch")
    rows = []
    for r in res["results"]:
        name = r["config"]["name"]
        if name == "xor":
            row = [_num(r["step_us"].get(k), ".1f", "&nbsp;µs") for k in keys]
        elif name == "mnist-like":
            row = [_num(r["epoch_s"].get(k), ".2f", "&nbsp;s") for k in keys]
        else:
            continue
        rows.append(_lead(r) + row)
    return _table("perf-matmul", head, rows)


def speed_figure(res: dict[str, Any] | None = None) -> str:
    """Horizontal bars of nnbook's time over each peer's, log scale, a line at 1."""
    from nnbook.plot import _FG, PALETTE, _render  # the book's SVG pipeline (matplotlib)

    res = res or load()
    rows = res["results"]
    labels = [f"{r['config']['name']} {r['dtype']}" for r in rows]
    ratios = {p: [r.get(f"ratio_{p}") for r in rows] for p in PEERS}
    known = [x for xs in ratios.values() for x in xs if x is not None]
    worst = max(known) if known else 1.0
    alt = ("Horizontal bars, two per workload and dtype, of nnbook's training time divided "
           "by PyTorch's and by scikit-learn's, on a logarithmic axis with a line at 1: every "
           f"bar ends left of 1 when nnbook is faster. The largest ratio is {worst:.2f}.")

    def draw(fig: Any) -> None:
        ax = fig.subplots()
        for k, (peer, name) in enumerate(PEERS.items()):
            ys = [i + (k - 0.5) * 0.4 for i in range(len(rows))]
            xs = [x if x is not None else 1.0 for x in ratios[peer]]
            ax.barh(ys, [x - 1 for x in xs], left=1, height=0.38, color=PALETTE[k],
                    label=f"nnbook ÷ {name}")
        ax.axvline(1, color=_FG, linewidth=1)  # drawn in the page's text colour
        ax.set_xscale("log")
        lo, hi = min(known + [1.0]) / 1.5, max(1.5, worst * 1.5)
        ax.set_xlim(lo, hi)
        ticks = [t for t in (0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5) if lo <= t <= hi]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set_yticks(range(len(rows)), labels)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("training time ratio (left of 1: nnbook is faster)")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)

    return _render(draw, alt, (5.2, 0.36 * len(rows) + 1.2))
