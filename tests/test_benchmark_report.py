"""The Performance page's renderer (benchmarks/report.py) on the committed results and on a run
without one of the peers: every table fits the text column (at most six columns), numbers that
were not measured show as a dash, and the figure is one accessible inline SVG."""

from __future__ import annotations

import copy
import re

import pytest

from benchmarks import report

TABLES = [report.speed_table, report.step_table, report.accuracy_table, report.memory_table,
          report.matmul_table]


def _columns(table: str) -> int:
    head = re.search(r"<thead><tr>(.*?)</tr></thead>", table).group(1)
    return head.count("<th")


@pytest.fixture(scope="module")
def latest():
    return report.load()


@pytest.mark.parametrize("render", TABLES, ids=lambda f: f.__name__)
def test_tables_are_narrow_and_complete(latest, render):
    table = render(latest)
    assert table.startswith("<table id=\"perf-") and table.endswith("</table>")
    assert _columns(table) <= 6
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])
    assert rows and all(row.count("<td") == _columns(table) for row in rows)
    assert "\u2014" not in table, "the committed results have every number"


def test_a_missing_peer_shows_as_a_dash(latest):
    res = copy.deepcopy(latest)
    for key in ("torch", "torch_blas", "torch_threads"):
        res["machine"].pop(key, None)
    for r in res["results"]:
        for key in ("ratio_torch", "ratio_torch_rounds"):
            r.pop(key, None)
        for table in ("step_us", "epoch_s", "accuracy", "memory", "time_s"):
            r.get(table, {}).pop("torch", None)
    assert "no PyTorch" in report.machine_list(res)
    for render in TABLES:
        assert "\u2014" in render(res), render.__name__


def test_figure_is_one_accessible_svg(latest):
    pytest.importorskip("matplotlib")
    svg = report.speed_figure(latest)
    assert svg.startswith("<svg") and svg.count("<svg") == 1
    assert 'role="img"' in svg and "<title" in svg and "currentColor" in svg
