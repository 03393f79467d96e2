"""nnbook.plot: valid, accessible, deterministic, theme-aware SVG."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import nnbook as nb  # noqa: E402
from nnbook import plot  # noqa: E402

SVG_NS = "{http://www.w3.org/2000/svg}"


def _bowl(w: float, b: float) -> float:
    """A quadratic valley with unequal curvatures."""
    return (w - b) ** 2 + 0.1 * (w + b) ** 2


def _trained_xor():
    X, Y = nb.datasets.xor()
    net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], loss="bce", seed=1)
    history = net.fit(X, Y, epochs=300, learning_rate=0.5)
    return net, X, Y, history


NET, X, Y, HISTORY = _trained_xor()

FIGURES = {
    "activations": lambda alt: plot.activations_svg(alt=alt),
    "activations-some": lambda alt: plot.activations_svg(["relu", "leaky_relu"], alt=alt),
    "derivatives": lambda alt: plot.activation_derivatives_svg(alt=alt),
    "derivatives-relu": lambda alt: plot.activation_derivatives_svg(["relu"], alt=alt),
    "network-221": lambda alt: plot.network_svg([2, 2, 1], weight_labels=True, alt=alt),
    "network-2to4": lambda alt: plot.network_svg([2, 4], weight_labels=True, biases=True, alt=alt),
    "network-deep": lambda alt: plot.network_svg([3, 8, 8, 8, 2], alt=alt),
    "loss-history": lambda alt: plot.loss_curve_svg(HISTORY, alt=alt),
    "loss-list": lambda alt: plot.loss_curve_svg([1.0, 0.1, 0.01, 0.001], alt=alt),
    "boundary": lambda alt: plot.decision_boundary_svg(NET, X, Y, alt=alt, resolution=40),
    "surface": lambda alt: plot.loss_surface_svg(
        _bowl, {"a": [[-1.0, 1.0], [0.0, 0.5]], "b": [[1.0, -1.0], [0.5, 0.0]]},
        alt=alt, w_range=(-2, 2), b_range=(-1.5, 1.5), minimum=(0.0, 0.0), resolution=30),
    "surface-alone": lambda alt: plot.loss_surface_svg(
        _bowl, {}, alt=alt, w_range=(-2, 2), b_range=(-1, 1), resolution=20),
    "curves": lambda alt: plot.loss_curves_svg(
        {"slow": [0.7, 0.69, 0.68, 0.67], "fast": HISTORY, "cut": [0.7, 2.0, 9.0]},
        alt=alt, ylim=(0.0, 1.0)),
    "curves-log": lambda alt: plot.loss_curves_svg({"a": [1.0, 0.1, 0.01]}, alt=alt, log=True),
    "fits": lambda alt: plot.fit_curves_svg(
        [[-1.0, 0.0, 1.0]], [[-1.0, 0.1, 0.9]], {"line": [[-1.0, -1.0], [1.0, 1.0]]},
        alt=alt, reference=("truth", [[-1.0, -0.9], [1.0, 0.9]])),
    "norms": lambda alt: plot.gradient_norms_svg(
        {"tanh": {"small": [1e-9, 1e-5, 1e-1], "Xavier": [0.2, 0.1, 0.1]},
         "ReLU": {"He": [1.0, 1.2, 0.9]}}, alt=alt),
}


_CACHE: dict[tuple[str, str], str] = {}


def _svg(kind: str, alt: str = "x") -> str:
    """Render once per (figure, alt) for the tests that only read the markup."""
    if (kind, alt) not in _CACHE:
        _CACHE[kind, alt] = FIGURES[kind](alt)
    return _CACHE[kind, alt]


@pytest.mark.parametrize("kind", FIGURES)
def test_valid_accessible_svg(kind: str) -> None:
    alt = f"Figure {kind} <with> & special \"characters\""
    svg = _svg(kind, alt)
    assert svg.startswith("<svg"), "inline-ready: no XML prolog or DOCTYPE"
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == alt
    title = root.find(SVG_NS + "title")
    assert title is not None and title.text == alt
    assert root.get("aria-labelledby") == title.get("id")
    assert "nnbook-figure" in root.get("class", "")


@pytest.mark.parametrize("kind", FIGURES)
def test_deterministic(kind: str) -> None:
    assert FIGURES[kind]("x") == _svg(kind)


def test_deterministic_across_processes() -> None:
    code = ("from nnbook.plot import activations_svg, network_svg; "
            "print(activations_svg(alt='a') + network_svg([2, 3, 1], alt='n'))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    here = plot.activations_svg(alt="a") + plot.network_svg([2, 3, 1], alt="n")
    assert runs[0] == here + "\n"  # print() adds the last newline


@pytest.mark.parametrize("kind", FIGURES)
def test_theme_aware(kind: str) -> None:
    svg = _svg(kind)
    assert "currentColor" in svg, "text and axes follow the page's colour scheme"
    assert not re.search(r"#000000\b", svg, re.I), "no hard-coded black (invisible on dark)"
    assert "<style" not in svg, "a <style> inside inline SVG would restyle the whole page"
    assert "Date" not in svg and "<metadata" not in svg


@pytest.mark.parametrize("kind", FIGURES)
def test_ids_unique_and_prefixed(kind: str) -> None:
    svg = _svg(kind)
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert len(ids) == len(set(ids))
    prefix = ids[0].split("-")[0]
    assert all(i.startswith(prefix + "-") for i in ids)
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', svg):
        assert ref in ids, f"dangling reference #{ref}"


def test_two_figures_on_one_page_share_no_id() -> None:
    a = set(re.findall(r'\bid="([^"]+)"', plot.activations_svg(alt="one")))
    b = set(re.findall(r'\bid="([^"]+)"', plot.activation_derivatives_svg(alt="two")))
    assert not a & b


@pytest.mark.parametrize("sizes", [[2, 2, 1], [2, 4], [1, 1], [3, 5, 4, 2], [2, 12, 12, 1]])
def test_network_node_count(sizes: list[int]) -> None:
    svg = plot.network_svg(sizes, alt="net")
    nodes = re.findall(r'id="[^"]*-node-(\d+)-(\d+)"', svg)
    assert len(nodes) == sum(sizes)
    assert sorted({int(layer) for layer, _ in nodes}) == list(range(len(sizes)))
    for layer, n in enumerate(sizes):
        assert sum(int(ell) == layer for ell, _ in nodes) == n


def test_network_weight_and_bias_labels() -> None:
    bare = plot.network_svg([2, 2, 1], alt="net")
    labelled = plot.network_svg([2, 2, 1], weight_labels=True, biases=True, alt="net")
    assert len(labelled) > len(bare)
    assert len(re.findall(r'id="[^"]*-bias-\d+"', labelled)) == 2
    assert len(re.findall(r'id="[^"]*-node-\d+-\d+"', labelled)) == 5


def test_default_alt_texts_are_descriptive() -> None:
    assert "sigmoid" in plot.activations_svg()
    assert "2-2-1" in plot.network_svg([2, 2, 1])
    assert "epoch" in plot.loss_curve_svg([0.5, 0.2])


def test_relu_derivative_drawn_with_a_jump() -> None:
    """ReLU' is two pieces with an open and a filled marker at z = 0, not a vertical segment."""
    svg = plot.activation_derivatives_svg(["relu"], alt="relu'")
    # Two line pieces plus two single-point marker plots.
    assert len(re.findall(r'id="[^"]*-line2d_\d+"', svg)) >= 4


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: plot.activations_svg(alt=""), "alt"),
        (lambda: plot.activations_svg(["softmax"]), "names"),
        (lambda: plot.activations_svg(["nope"]), "names"),
        (lambda: plot.activations_svg([]), "names"),
        (lambda: plot.activation_derivatives_svg(z_range=(1.0, 2.0)), "z_range"),
        (lambda: plot.network_svg([2]), "sizes"),
        (lambda: plot.network_svg([2, 0, 1]), "sizes"),
        (lambda: plot.network_svg([2, 2, 1], labels=["a", "b"]), "labels"),
        (lambda: plot.loss_curve_svg([]), "history_or_losses"),
        (lambda: plot.loss_curve_svg([1.0, float("nan")]), "history_or_losses"),
        (lambda: plot.decision_boundary_svg(NET, np.zeros((3, 4)), Y), "X"),
        (lambda: plot.decision_boundary_svg(NET, X, np.zeros((1, 3))), "Y"),
        (lambda: plot.loss_surface_svg(_bowl, {}, alt="", w_range=(0, 1), b_range=(0, 1)),
         "alt"),
        (lambda: plot.loss_surface_svg("J", {}, alt="a", w_range=(0, 1), b_range=(0, 1)),
         "cost"),
        (lambda: plot.loss_surface_svg(_bowl, [[0, 0]], alt="a", w_range=(0, 1),
                                       b_range=(0, 1)), "paths"),
        (lambda: plot.loss_surface_svg(_bowl, {"p": [0.0, 1.0]}, alt="a", w_range=(0, 1),
                                       b_range=(0, 1)), "paths"),
        (lambda: plot.loss_surface_svg(_bowl, {"p": [[0.0, float("nan")]]}, alt="a",
                                       w_range=(0, 1), b_range=(0, 1)), "paths"),
        (lambda: plot.loss_surface_svg(_bowl, {}, alt="a", w_range=(1, 0), b_range=(0, 1)),
         "w_range"),
        (lambda: plot.loss_surface_svg(_bowl, {}, alt="a", w_range=(0, 1), b_range=None),
         "b_range"),
        (lambda: plot.loss_surface_svg(_bowl, {}, alt="a", w_range=(0, 1), b_range=(0, 1),
                                       levels=2), "levels"),
        (lambda: plot.loss_surface_svg(_bowl, {}, alt="a", w_range=(0, 1), b_range=(0, 1),
                                       resolution=5), "resolution"),
        (lambda: plot.loss_surface_svg(_bowl, {}, alt="a", w_range=(0, 1), b_range=(0, 1),
                                       minimum=(0.0, float("inf"))), "minimum"),
        (lambda: plot.loss_surface_svg(lambda w, b: 1.0, {}, alt="a", w_range=(0, 1),
                                       b_range=(0, 1)), "cost"),
        (lambda: plot.loss_surface_svg(lambda w, b: float("nan"), {}, alt="a",
                                       w_range=(0, 1), b_range=(0, 1)), "cost"),
        (lambda: plot.loss_curves_svg({}, alt="a"), "curves"),
        (lambda: plot.loss_curves_svg([0.5, 0.4], alt="a"), "curves"),
        (lambda: plot.loss_curves_svg({"a": [0.5, float("inf")]}, alt="a"), "curves"),
        (lambda: plot.loss_curves_svg({"a": []}, alt="a"), "curves"),
        (lambda: plot.loss_curves_svg({"a": [0.5]}, alt=" "), "alt"),
        (lambda: plot.loss_curves_svg({"a": [0.5, 0.0]}, alt="a", log=True), "log"),
        (lambda: plot.loss_curves_svg({"a": [0.5]}, alt="a", ylim=(1.0, 0.0)), "ylim"),
        (lambda: plot.loss_curves_svg({str(k): [1.0] for k in range(7)}, alt="a"), "curves"),
        (lambda: plot.fit_curves_svg(np.zeros((2, 3)), np.zeros((2, 3)), {}, alt="a"), "X"),
        (lambda: plot.fit_curves_svg([[0.0, 1.0]], [[0.0]], {"a": [[0, 0]]}, alt="a"), "Y"),
        (lambda: plot.fit_curves_svg([[0.0, 1.0]], [[0.0, 1.0]], {"a": [0, 1]}, alt="a"),
         "curves"),
        (lambda: plot.fit_curves_svg([[0.0]], [[0.0]], {"a": [[0, 0]]}, alt="a",
                                     reference=[[0, 0]]), "reference"),
        (lambda: plot.gradient_norms_svg({}, alt="a"), "panels"),
        (lambda: plot.gradient_norms_svg([[1.0]], alt="a"), "panels"),
        (lambda: plot.gradient_norms_svg({"p": {"a": [1.0, 0.0]}}, alt="a"), "panels"),
        (lambda: plot.gradient_norms_svg({"p": {"a": [1.0, float("nan")]}}, alt="a"),
         "panels"),
        (lambda: plot.gradient_norms_svg({str(k): {"a": [1.0]} for k in range(5)}, alt="a"),
         "panels"),
        (lambda: plot.gradient_norms_svg({str(k): {str(k): [1.0]} for k in range(4)}
                                         | {"x": {"y": [1.0], "z": [1.0], "w": [1.0]}},
                                         alt="a"), "panels"),
        (lambda: plot.gradient_norms_svg({"p": {"a": [1.0]}}, alt=""), "alt"),
    ],
)
def test_bad_input_names_the_argument(call, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_import_nnbook_does_not_import_matplotlib() -> None:
    code = ("import sys, nnbook; "
            "print('matplotlib' in sys.modules, 'nnbook.plot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_loss_surface_draws_every_path_and_the_grid_of_the_cost():
    calls = []

    def cost(w, b):
        calls.append((w, b))
        return _bowl(w, b)

    paths = {"one": [[-1.0, 1.0], [0.0, 0.5], [0.2, 0.1]], "two": [[1.0, -1.0]]}
    svg = plot.loss_surface_svg(cost, paths, alt="bowl", w_range=(-2, 2), b_range=(-1, 1),
                                resolution=12)
    assert len(calls) == 12 * 12
    assert len(re.findall(r'id="[^"]*-path-\d+"', svg)) == 2


def test_loss_curves_share_one_axis_and_mark_a_cut_run():
    svg = plot.loss_curves_svg({"a": [1.0, 0.5, 0.25], "b": [1.0, 2.0]}, alt="two runs")
    assert len(re.findall(r'id="[^"]*-curve-\d+"', svg)) == 2
    assert len(re.findall(r'<g id="[^"]*-axes_\d+"', svg)) == 1   # one shared axis


def test_fit_curves_count():
    svg = plot.fit_curves_svg([[0.0, 1.0]], [[0.0, 1.0]],
                              {"a": [[0, 0], [1, 1]], "b": [[0, 1], [1, 0]]}, alt="fits")
    assert len(re.findall(r'id="[^"]*-fit-\d+"', svg)) == 2


def test_gradient_norms_one_panel_per_group_one_colour_per_label():
    panels = {"sigmoid": {"small": [1e-9, 1e-5, 1e-1], "He": [1e-3, 1e-2, 1e-1]},
              "ReLU": {"He": [1.0, 1.1, 0.9], "small": [1e-6, 1e-4, 1e-2]}}
    svg = plot.gradient_norms_svg(panels, alt="two panels")
    ids = re.findall(r'id="[^"]*-norms-(\d+)-(\d+)"', svg)
    assert sorted(ids) == [("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")]
    assert len(re.findall(r'<g id="[^"]*-axes_\d+"', svg)) == 2   # one axis per panel
    root = ET.fromstring(svg)

    def colour(p: int, k: int) -> str:
        group = next(g for g in root.iter(SVG_NS + "g")
                     if g.get("id", "").endswith(f"-norms-{p}-{k}"))
        path = next(group.iter(SVG_NS + "path"))
        return re.search(r"stroke: (#[0-9a-f]{6})", path.get("style", "")).group(1)

    assert colour(0, 0) == colour(1, 1) == plot.PALETTE[0]      # "small" in both panels
    assert colour(0, 1) == colour(1, 0) == plot.PALETTE[1]      # "He" in both panels
    assert len(re.findall(r'<g id="[^"]*-legend_\d+"', svg)) == 1  # one legend for all


# ------------------------------------------------------------------ cost_scaling_svg (Ch. 11)
def test_cost_scaling_svg_draws_four_lines():
    p = [10, 100, 1000, 10000]
    svg = plot.cost_scaling_svg(p, [1e-5, 2e-5, 1e-4, 1e-3], [2e-5, 3e-5, 2e-4, 2e-3],
                                p[:2], [3e-4, 5e-3], extrapolated=(p[1:], [5e-3, 0.2, 20.0]),
                                alt="Seconds against parameter count")
    ET.fromstring(svg)
    for gid in ("cost-forward", "cost-backward", "cost-fd", "cost-fd-extrapolated"):
        assert svg.count(f'id="{gid}"') + svg.count(f'-{gid}"') >= 1, gid
    assert "extrapolated" in svg and "<title" in svg


@pytest.mark.parametrize(("args", "message"), [
    (([10, 100], [1e-5], [1e-5, 2e-5], [10], [1e-3]), "forward: expected as many"),
    (([10, 100], [1e-5, 0.0], [1e-5, 2e-5], [10], [1e-3]), "forward: expected positive"),
    (([10, 100], [1e-5, 2e-5], [1e-5, 2e-5], [], []), "fd: expected as many"),
])
def test_cost_scaling_svg_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        plot.cost_scaling_svg(*args, alt="x")
