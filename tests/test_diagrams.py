# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
"""nnbook.diagrams draws what the engine computes: the SVG parses, every number shown reads back
as the engine's value (checked against the scalar hand formulas of nnbook.worked), the shapes on
the backward-loop diagram are the shapes the engine's gradients have, and bad input is refused
with a message that names the argument."""

from __future__ import annotations

import colorsys
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from conftest import RTOL_SAME_FORMULA

import nnbook as nb
from nnbook import diagrams, worked

SVG = "{http://www.w3.org/2000/svg}"
X = np.array([[0.35], [0.90]])
Y = np.array([[0.5]])
W1 = np.array([[0.1, 0.4], [0.8, 0.6]])
W2 = np.array([[0.3, 0.9]])
B1, B2 = np.array([[0.25], [-0.15]]), np.array([[0.05]])


def _net(W1=W1, W2=W2, b1=None, b2=None, acts="sigmoid"):
    b1 = np.zeros((2, 1)) if b1 is None else b1
    b2 = np.zeros((1, 1)) if b2 is None else b2
    return nb.Network.from_parameters({1: W1, 2: W2}, {1: b1, 2: b2}, acts, loss="mse")


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


NUMBER = re.compile(r"\u2212?\d[\d.]*(?:e[+-]\d+)?")


def _shown(text: str) -> float:
    """The (last) number in a label such as '×0.2405', '\u22120.125' or 'y = 0.5'."""
    return float(NUMBER.findall(text)[-1].replace("\u2212", "-"))


def _close_at_digits(shown: float, true: float, digits: int) -> bool:
    """The shown number is the true one rounded to `digits` significant
    digits."""
    if true == 0:
        return shown == 0
    unit = 10 ** (math.floor(math.log10(abs(true))) - digits + 1)
    return abs(shown - true) <= 0.5 * unit * (1 + 1e-9)


def _close_at_4_digits(shown: float, true: float) -> bool:
    """The shown number is the true one rounded to four significant digits."""
    return _close_at_digits(shown, true, 4)


def _numbers(root: ET.Element) -> dict[str, list[tuple[float, float]]]:
    """data-q -> [(shown number, data-value)] for every text or cell that carries one."""
    out: dict[str, list[tuple[float, float]]] = {}
    for el in root.iter():
        q = el.get("data-q")
        if q is None or el.get("data-value") is None:
            continue
        text = "".join(el.itertext()).strip()
        out.setdefault(q, []).append((_shown(text), float(el.get("data-value"))))
    return out


def _reference(b1=None, b2=None) -> dict[str, float]:
    """The expected numbers, from the chapter's scalar formulas (not from the engine)."""
    h = worked.net221_by_hand(X, Y, W1, W2, b1, b2)
    ref = {"y": 0.5, "z2": h["z2"][0, 0], "dz2": h["dZ2"][0, 0], "yhat": h["yhat"][0, 0],
           "dyhat": h["dyhat"][0, 0], "J": h["J"], "dJ": 1.0, "e_g2": h["g2"][0, 0],
           "e_dyhat": h["dyhat"][0, 0]}
    for i in range(2):
        n = i + 1
        ref |= {f"x_{n}": X[i, 0], f"dx_{n}": h["dx"][i, 0], f"z1_{n}": h["z1"][i, 0],
                f"dz1_{n}": h["dZ1"][i, 0], f"a1_{n}": h["a1"][i, 0],
                f"da1_{n}": h["dA1"][i, 0], f"e_g1_{n}": h["g1"][i, 0],
                f"e_W2_1{n}": W2[0, i]}
        for k in range(2):
            ref[f"e_W1_{n}{k + 1}"] = W1[i, k]
    return ref


# ------------------------------------------------------------------------ the hand formulas
@pytest.mark.parametrize("biases", [False, True])
def test_net221_by_hand_equals_the_engine(biases):
    rng = np.random.default_rng(7)
    for _ in range(5):
        w1, w2 = rng.normal(size=(2, 2)), rng.normal(size=(1, 2))
        x, y = rng.normal(size=(2, 1)), rng.random((1, 1))
        b1 = rng.normal(size=(2, 1)) if biases else None
        b2 = rng.normal(size=(1, 1)) if biases else None
        net = _net(w1, w2, b1, b2)
        cache = net.forward(x)
        g = net.backward(cache, y)
        h = worked.net221_by_hand(x, y, w1, w2, b1, b2)
        pairs = {"z1": cache.Z[1], "a1": cache.A[1], "z2": cache.Z[2], "yhat": cache.A[2],
                 "dZ2": g.dZ[2], "dA1": g.dA[1], "dZ1": g.dZ[1], "dW1": g.dW[1],
                 "dW2": g.dW[2], "db1": g.db[1], "db2": g.db[2], "dx": w1.T @ g.dZ[1]}
        for key, value in pairs.items():
            np.testing.assert_allclose(h[key], value, rtol=1e-12, atol=1e-15, err_msg=key)
            assert h[key].shape == value.shape, key
        np.testing.assert_allclose(h["J"], net.cost(x, y), rtol=RTOL_SAME_FORMULA)


def test_net221_by_hand_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"W1: expected shape \(2, 2\), got shape \(2, 3\)"):
        worked.net221_by_hand(X, Y, np.ones((2, 3)), W2)
    with pytest.raises(ValueError, match=r"b2: expected shape \(1, 1\)"):
        worked.net221_by_hand(X, Y, W1, W2, B1, np.ones((2, 1)))
    with pytest.raises(ValueError, match="x: expected finite values"):
        worked.net221_by_hand([[np.nan], [1.0]], Y, W1, W2)


# ------------------------------------------------------------------------------ formatting
@pytest.mark.parametrize(("value", "text"), [
    (0.0058815735, "0.005882"), (0.35, "0.35"), (1.0, "1"), (-0.125, "\u22120.125"),
    (0.0, "0"), (-0.0, "0"), (123456.0, "1.235e+05"), (0.03642064984, "0.03642"),
])
def test_format_number(value, text):
    assert diagrams.format_number(value) == text


def test_format_number_rejects_bad_input():
    with pytest.raises(ValueError, match="value: expected a finite number"):
        diagrams.format_number(float("inf"))
    with pytest.raises(ValueError, match="digits: expected an integer from 1 to 17"):
        diagrams.format_number(1.0, digits=0)


def _contrast(hex_colour: str, background: tuple[float, float, float]) -> float:
    def lum(rgb):
        f = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * f[0] + 0.7152 * f[1] + 0.0722 * f[2]

    rgb = tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hi, lo = sorted((lum(rgb), lum(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_backward_colours_are_readable_on_both_schemes():
    slate = colorsys.hls_to_rgb(225 / 360, 0.14, 0.15)  # Material's slate background
    assert _contrast(diagrams.BACKWARD_COLOURS["light"], (1.0, 1.0, 1.0)) >= 4.5
    assert _contrast(diagrams.BACKWARD_COLOURS["dark"], slate) >= 4.5


# -------------------------------------------------------------------- figure (a): the graph
def test_graph_is_accessible_deterministic_svg():
    svg = diagrams.computation_graph_221(_net(), X, Y)
    root = _parse(svg)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    title = root.find(SVG + "title")
    assert title is not None and root.get("aria-label") == title.text
    assert "0.005882" in title.text  # the default alt text lists the numbers
    assert root.findall(f".//{SVG}path")  # the browser test counts drawn paths
    assert "nnbook-figure" in root.get("class")
    assert diagrams.computation_graph_221(_net(), X, Y) == svg
    assert "<style>" in svg and diagrams.BACKWARD_COLOURS["dark"] in svg


def test_graph_edge_labels_sit_off_every_edge():
    """No edge runs through an edge label (a line through '×0.4' reads as
    '×0:4'): sample each edge and keep it out of each label's box."""
    root = _parse(diagrams.computation_graph_221(_net(), X, Y))
    lines = []
    for el in root.iter(SVG + "path"):
        m = re.fullmatch(r"M([\d.]+),([\d.]+) L([\d.]+),([\d.]+)",
                         el.get("d", ""))
        if m and el.get("fill") == "none":
            lines.append([float(u) for u in m.groups()])
    assert len(lines) >= 9
    labels = [el for el in root.iter(SVG + "text")
              if (el.get("data-q") or "").startswith("e_")]
    assert len(labels) == 10
    for el in labels:
        size, text = float(el.get("font-size")), "".join(el.itertext())
        width = 0.62 * size * len(text)
        x, y = float(el.get("x")), float(el.get("y"))
        left = {"end": x - width, "middle": x - width / 2}.get(
            el.get("text-anchor"), x)
        box = (left - 1, y - 0.75 * size - 1, left + width + 1, y + 2)
        for x0, y0, x1, y1 in lines:
            for t in np.linspace(0, 1, 400):
                px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                inside = box[0] < px < box[2] and box[1] < py < box[3]
                assert not inside, (el.get("data-q"), text, (px, py))


def test_graph_numbers_are_the_engines():
    shown = _numbers(_parse(diagrams.computation_graph_221(_net(), X, Y)))
    ref = _reference()
    assert set(shown) == set(ref), set(shown) ^ set(ref)
    for q, entries in shown.items():
        for number, value in entries:
            np.testing.assert_allclose(
                value, ref[q], rtol=RTOL_SAME_FORMULA, atol=1e-15, err_msg=str(q),
            )
            assert _close_at_4_digits(number, ref[q]), (q, number, ref[q])


def test_graph_backward_values_use_the_second_colour():
    root = _parse(diagrams.computation_graph_221(_net(), X, Y))
    seen = 0
    for el in root.iter(SVG + "text"):
        q = el.get("data-q")
        if q is None:
            continue
        second = "nnbd-b" in (el.get("class") or "").split()
        assert second == q.startswith("d"), q  # dJ/d(node) values, and only they
        seen += second
    assert seen == 9  # x, z[1], a[1] (two each), z[2], y_hat, J


def test_graph_with_another_activation_reads_its_derivative():
    net = _net(acts=["tanh", "sigmoid"])
    shown = _numbers(_parse(diagrams.computation_graph_221(net, X, Y)))
    z1 = W1 @ X
    np.testing.assert_allclose(
        shown["e_g1_1"][0][1], 1 - np.tanh(z1[0, 0]) ** 2, rtol=RTOL_SAME_FORMULA,
    )
    g = net.backward(net.forward(X), Y)
    np.testing.assert_allclose(shown["dz1_2"][0][1], g.dZ[1][1, 0], rtol=RTOL_SAME_FORMULA)


@pytest.mark.parametrize(("args", "exc", "message"), [
    (("not a net", X, Y), TypeError, "net: expected an nnbook.Network, got str"),
    ((nb.Network([2, 3, 1], ["sigmoid", "sigmoid"], "mse", seed=0), X, Y), ValueError,
     r"net: expected a 2-2-1 network \(sizes \[2, 2, 1\]\), got sizes \[2, 3, 1\]"),
    ((_net(b1=B1, b2=B2), X, Y), ValueError, r"net: the graph is drawn for the bias-free"),
    ((_net(), np.ones((2, 3)), Y), ValueError,
     r"x: expected one example as a \(2, 1\) column, got shape \(2, 3\)"),
    ((_net(), X, [[0.5, 0.5]]), ValueError, r"y: expected one target, shape \(1, 1\)"),
])
def test_graph_rejects_bad_input(args, exc, message):
    with pytest.raises(exc, match=message):
        diagrams.computation_graph_221(*args)


def test_empty_alt_is_refused():
    with pytest.raises(ValueError, match="alt: expected a non-empty description"):
        diagrams.computation_graph_221(_net(), X, Y, alt="  ")


# ------------------------------------------------------------------- figure (b): the gates
@pytest.mark.parametrize(("unit", "inp"), [(1, 1), (2, 1), (1, 2), (2, 2)])
def test_routing_panels_show_the_engines_numbers(unit, inp):
    out = diagrams.gradient_routing_221(_net(), X, Y, unit=unit, input=inp)
    root = _parse(out)  # the wrapper <div> and its four <svg> panels are one XML tree
    panels = root.findall(SVG + "svg")
    assert len(panels) == 4
    assert [p.get("data-kind") for p in panels] == [
        "gate-add", "gate-multiply", "gate-activation", "gate-fork"]
    for p in panels:
        assert p.get("role") == "img" and p.find(SVG + "title").text.strip()
    h = worked.net221_by_hand(X, Y, W1, W2)
    j, k = unit - 1, inp - 1
    expected = {
        f"dz1_{unit}": h["dZ1"][j, 0], f"du_{unit}{inp}": h["dZ1"][j, 0],
        f"dW1_{unit}{inp}": h["dW1"][j, k], f"dxpath_{unit}{inp}": W1[j, k] * h["dZ1"][j, 0],
        f"da1_{unit}": h["dA1"][j, 0], f"e_g1_{unit}": h["g1"][j, 0], f"dx_{inp}": h["dx"][k, 0],
        f"sum_x_{inp}": h["dx"][k, 0], f"a1_{unit}": h["a1"][j, 0],
        f"u_{unit}{inp}": W1[j, k] * X[k, 0],
    }
    shown = _numbers(root)
    for q, ref in expected.items():
        assert q in shown, q
        for number, value in shown[q]:
            np.testing.assert_allclose(value, ref, rtol=RTOL_SAME_FORMULA, err_msg=str(q))
            assert _close_at_4_digits(number, ref), (q, number, ref)
    # the fork panel's sum of the two paths is the engine's W[1]^T dZ[1]
    g = _net().backward(_net().forward(X), Y)
    np.testing.assert_allclose(
        shown[f"sum_x_{inp}"][0][1], (W1.T @ g.dZ[1])[k, 0], rtol=RTOL_SAME_FORMULA,
    )


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"unit": 3}, "unit: expected 1 or 2, got 3"),
    ({"input": 0}, "input: expected 1 or 2, got 0"),
    ({"unit": True}, "unit: expected 1 or 2, got True"),
    ({"alt": ["only one"]}, "alt: expected four descriptions"),
])
def test_routing_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        diagrams.gradient_routing_221(_net(), X, Y, **kwargs)


# ---------------------------------------------------------------------- tables and the step
@pytest.mark.parametrize("biases", [False, True])
def test_value_tables_show_every_quantity(biases):
    b1, b2 = (B1, B2) if biases else (None, None)
    out = diagrams.value_tables_221(_net(b1=b1, b2=b2), X, Y)
    root = _parse(out)
    assert len(root.findall(".//table")) == 5
    h = worked.net221_by_hand(X, Y, W1, W2, b1, b2)
    expected = {"z2_1": h["z2"][0, 0], "yhat_1": h["yhat"][0, 0], "J_1": h["J"],
                "Delta_1": h["Delta"],
                "dyhat_1": h["dyhat"][0, 0], "g2_1": h["g2"][0, 0], "dz2_1": h["dZ2"][0, 0],
                "db2_1": h["db2"][0, 0]}
    for n in (1, 2):
        i = n - 1
        expected |= {f"x_{n}": X[i, 0], f"z1_{n}": h["z1"][i, 0], f"a1_{n}": h["a1"][i, 0],
                     f"g1_{n}": h["g1"][i, 0], f"da1_{n}": h["dA1"][i, 0],
                     f"dz1_{n}": h["dZ1"][i, 0], f"dW2_1j_{n}": h["dW2"][0, i],
                     f"dW1_{n}_1": h["dW1"][i, 0], f"dW1_{n}_2": h["dW1"][i, 1],
                     f"db1_{n}": h["db1"][i, 0]}
    if biases:
        expected |= {"b1_1": B1[0, 0], "b1_2": B1[1, 0], "b2_1": B2[0, 0]}
    shown = {q: v[0] for q, v in _numbers(root).items()}
    assert set(shown) == set(expected), set(shown) ^ set(expected)
    for q, ref in expected.items():
        number, value = shown[q]
        np.testing.assert_allclose(value, ref, rtol=RTOL_SAME_FORMULA, atol=1e-15, err_msg=str(q))
        assert _close_at_digits(number, ref, 6), (q, number, ref)
    assert ("+ b^{[1]}_j" in out) == biases  # bias terms only when there are biases


def test_hidden_step_plugs_in_the_engines_numbers():
    out = diagrams.hidden_step_221(_net(), X, Y)
    assert out.startswith('<div class="arithmatex">\\[') and out.rstrip().endswith("\\]</div>")
    tex = out.split("\\[", 1)[1]
    assert tex.count("\\begin{") == tex.count("\\end{")
    g = _net().backward(_net().forward(X), Y)
    last = tex.rsplit("&=", 1)[1]  # the final matrix: dW[1], row by row
    numbers = [_shown(t) for t in NUMBER.findall(last)]
    assert len(numbers) == 4
    for number, true in zip(numbers, g.dW[1].ravel(), strict=True):
        assert _close_at_4_digits(number, true), (number, true)
    # every written product: the printed factors, multiplied and rounded to
    # four digits, give the printed result
    rows = re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", tex)
    chain, d1, _, _, prods, result = rows
    cells = [c.split("&") for c in chain.split("\\\\")]
    for factors, shown in zip(cells, d1.split("\\\\"), strict=True):
        value = math.prod(_shown(t) for t in NUMBER.findall(factors[0]))
        assert diagrams.format_number(value) == shown.strip(), (value, shown)
    for p, r in zip(prods.split("\\\\"), result.split("\\\\"),
                    strict=True):
        for pc, rc in zip(p.split("&"), r.split("&"), strict=True):
            value = math.prod(_shown(t) for t in NUMBER.findall(pc))
            assert diagrams.format_number(value) == rc.strip(), (pc, rc)


def test_a_product_that_does_not_round_to_the_printed_result_raises():
    diagrams._check_rounding("ok", 0.0815201, 0.0815249)
    with pytest.raises(RuntimeError, match="differ at four"):
        diagrams._check_rounding("off", 0.0815249, 0.0815251)


# ------------------------------------------------------------- figure (c): the backward loop
SYMBOLIC = {  # independent of the module: the shapes of Chapter 9's equations
    "in->dZ": "(n[l], m)", "dZ->dW": "(n[l], m)", "dZ->db": "(n[l], m)",
    "dZ->dA": "(n[l], m)", "dA->dZprev": "(n[l−1], m)", "dZprev->out": "(n[l−1], m)",
}
NODES = {"dZ": "(n[l], m)", "dW": "(n[l], n[l−1])", "db": "(n[l], 1)",
         "dA": "(n[l−1], m)", "dZprev": "(n[l−1], m)"}


def _flow_tags(root: ET.Element, kind: str) -> dict[str, ET.Element]:
    return {el.get(f"data-{kind}"): el for el in root.iter(SVG + "text")
            if el.get(f"data-{kind}") is not None}


def test_flow_shapes_are_right_and_shown():
    root = _parse(diagrams.layer_flow())
    assert root.get("role") == "img" and root.findall(f".//{SVG}path")
    arrows, nodes = _flow_tags(root, "arrow"), _flow_tags(root, "node")
    assert {k: e.get("data-shape") for k, e in arrows.items()} == SYMBOLIC
    assert {k: e.get("data-shape") for k, e in nodes.items()} == NODES
    for key, el in arrows.items():  # what the reader sees is the shape, superscripts and all
        shown = "".join(el.itertext())
        assert shown == SYMBOLIC[key].replace("n[l−1]", "n[l−1]"), (key, shown)


def test_flow_concrete_shapes_match_the_engines_gradients():
    net = nb.Network([4, 3, 2], ["tanh", "sigmoid"], loss="bce", seed=0)
    rng = np.random.default_rng(0)
    Xb, Yb = rng.normal(size=(4, 5)), rng.integers(0, 2, size=(2, 5)).astype(float)
    g = net.backward(net.forward(Xb), Yb)
    l = 2
    root = _parse(diagrams.layer_flow(l, sizes=(3, 2, 5)))
    engine = {"dZ": g.dZ[l].shape, "dW": g.dW[l].shape, "db": g.db[l].shape,
              "dA": g.dA[l - 1].shape, "dZprev": g.dZ[l - 1].shape}
    nodes = _flow_tags(root, "node")
    for key, shape in engine.items():
        assert nodes[key].get("data-size") == str(shape), key
    arrows = _flow_tags(root, "arrow")
    assert arrows["dZ->dW"].get("data-size") == str(g.dZ[l].shape)
    assert arrows["dA->dZprev"].get("data-size") == str(g.dA[l - 1].shape)
    assert arrows["dZ->dA"].get("data-shape") == "(n[2], m)"
    assert "n[1] = 3, n[2] = 2, m = 5" in root.find(SVG + "title").text


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"layer": "k"}, "layer: expected 'l' \\(symbolic\\) or an integer >= 1, got 'k'"),
    ({"layer": 0}, "layer: expected 'l' \\(symbolic\\) or an integer >= 1, got 0"),
    ({"sizes": (3, 2)}, r"sizes: expected three positive integers \(n_prev, n_l, m\)"),
    ({"sizes": (3, 0, 5)}, r"sizes: expected three positive integers"),
    ({"sizes": "345"}, r"sizes: expected three positive integers"),
    ({"alt": ""}, "alt: expected a non-empty description"),
])
def test_flow_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        diagrams.layer_flow(**kwargs)


def test_diagrams_do_not_need_matplotlib():
    import subprocess
    import sys

    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "import numpy as np, nnbook as nb\nfrom nnbook import diagrams\n"
            "net = nb.Network.from_parameters({1: np.eye(2), 2: np.ones((1, 2))},"
            " {1: np.zeros((2, 1)), 2: np.zeros((1, 1))}, 'sigmoid', 'mse')\n"
            "print(len(diagrams.computation_graph_221(net, [1.0, 2.0], 0.5)) > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "True", out.stderr


# --------------------------------------------------------------------------- the stepper
def _stepper_parts(out: str) -> tuple[list[dict], dict[int, str], ET.Element]:
    """The steps (JSON), each step's TeX and the graph, from the stepper's HTML."""
    import html as htmllib
    import json

    data = json.loads(htmllib.unescape(re.search(r'data-stepper-data="([^"]*)"', out).group(1)))
    tex = {int(k): htmllib.unescape(t) for k, t in re.findall(
        r'data-step="(\d+)"><div class="arithmatex">(.*?)</div>', out, re.S)}
    svg = _parse(re.search(r"<svg\b.*?</svg>", out, re.S).group(0))
    return data["steps"], tex, svg


def _stepper_reference(lr: float) -> dict[str, float]:
    """Every result the stepper shows, from the chapter's scalar hand formulas (not from the
    engine), and the cost after one hand-made gradient step."""
    h = worked.net221_by_hand(X, Y, W1, W2)
    ref = {"z2": h["z2"][0, 0], "yhat": h["yhat"][0, 0], "J": h["J"], "dJ": 1.0,
           "dyhat": h["dyhat"][0, 0], "dz2": h["dZ2"][0, 0], "db2": h["db2"][0, 0]}
    for j in range(2):
        n = j + 1
        ref |= {f"z1_{n}": h["z1"][j, 0], f"a1_{n}": h["a1"][j, 0], f"da1_{n}": h["dA1"][j, 0],
                f"dz1_{n}": h["dZ1"][j, 0], f"db1_{n}": h["db1"][j, 0],
                f"dW2_1{n}": h["dW2"][0, j]}
        for k in range(2):
            ref[f"dW1_{n}{k + 1}"] = h["dW1"][j, k]
    after = worked.net221_forward(X, (W1 - lr * h["dW1"]).T, (W2 - lr * h["dW2"]).T,
                                  -lr * h["db1"], -lr * h["db2"])
    ref["J_new"] = float(((after["O3"] - Y) ** 2).sum())
    return {k: float(v) for k, v in ref.items()}


def test_stepper_data_equals_the_hand_formulas():
    lr = 0.5
    steps, tex, svg = _stepper_parts(diagrams.stepper_221(_net(), X, Y, lr))
    ref = _stepper_reference(lr)
    assert [s["phase"] for s in steps] == ["forward"] * 7 + ["backward"] * 16 + ["update"]
    assert [s["q"] for s in steps][:7] == ["z1_1", "z1_2", "a1_1", "a1_2", "z2", "yhat", "J"]
    assert set(s["q"] for s in steps) == set(ref)              # every quantity, once
    assert len(steps) == len(ref) == len(tex) == 24
    nodes = {g.get("data-node") for g in svg.iter(SVG + "g")} - {None}
    edges = {g.get("data-edge") for g in svg.iter(SVG + "g")} - {None}
    assert len(nodes) == 9 and len(edges) == 10
    for k, step in enumerate(steps, start=1):
        true = ref[step["q"]]
        shown = float(step["number"].replace("\u2212", "-"))
        assert _close_at_digits(shown, true, 6), (step["q"], shown, true)
        # the formula ends with the result: to four digits, or (a copy: db = delta, dJ/dJ = 1)
        # the step's own text, its value to six digits
        last = re.split(r"=|\\to", tex[k].rstrip().removesuffix(r"\end{aligned}\]"))[-1].strip()
        if last != step["number"]:
            assert last == diagrams.format_number(true, 4).replace("\u2212", "-"), (k, tex[k])
        assert set(step["nodes"]) <= nodes and set(step["edges"]) <= edges, step
        assert step["nodes"] or step["edges"], step                     # something highlighted
        assert step["number"] in step["say"], step                      # and said in words
    # the update's formula holds the new parameters of one gradient step
    h = worked.net221_by_hand(X, Y, W1, W2)
    for value in [*(W1 - lr * h["dW1"]).ravel(), *(W2 - lr * h["dW2"]).ravel()]:
        assert diagrams.format_number(value, 4) in tex[24]
    # the graph: every number the engine's (hand formulas), at four digits
    shown = _numbers(svg)
    assert set(shown) == set(_reference())
    for q, entries in shown.items():
        for number, _value in entries:
            assert _close_at_4_digits(number, _reference()[q]), (q, number)


def _formula_numbers(tex: str) -> list[float]:
    """The numbers of a formula's lines after the symbolic one, in reading order."""
    lines = tex.removeprefix(r"\[\begin{aligned}").removesuffix(r"\end{aligned}\]")
    lines = re.sub(r"[_^]\{[^}]*\}", "", " ".join(lines.split(r" \\ ")[1:]))  # no indices
    return [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?", lines)]


def test_stepper_formulas_reproduce_by_hand():
    """Each formula's result is exactly what its shown numbers give, rounded to four digits (the
    chapter's rule); the values the later steps use are the texts the earlier steps show."""
    steps, tex, _svg = _stepper_parts(diagrams.stepper_221(_net(), X, Y, 0.5))
    def sigmoid(z):
        return 1 / (1 + math.exp(-z))

    rules = {r"z1_\d|z2": lambda s: s[0] * s[1] + s[2] * s[3],
             r"a1_\d|yhat": lambda s: sigmoid(s[0]), "J": lambda s: (s[0] - s[1]) ** 2,
             "dyhat": lambda s: s[0] * (s[1] - s[2]),
             r"dz2|dW\d_\d\d|da1_\d|dz1_\d": lambda s: s[0] * s[1]}
    shown: dict[str, str] = {}
    checked = 0
    for k, step in enumerate(steps, start=1):
        q = step["q"]
        nums = _formula_numbers(tex[k])
        texts = re.findall(r"-?\d+(?:\.\d+)?", tex[k].split(r" \\ ", 1)[1])
        shown[q] = step["number"]
        rule = next((r for key, r in rules.items() if re.fullmatch(key, q)), None)
        if rule is None:                                      # db = delta, dJ/dJ, the update
            continue
        factors, result = nums[:-1], texts[-1]
        assert diagrams.format_number(rule(factors), 4) == result, (k, tex[k])
        checked += 1
    assert checked == 19
    # the update: each new parameter is the old one minus alpha times its gradient as shown
    alpha, *new = _formula_numbers(tex[24])[:10]
    old = {"W1_11": 0.1, "W1_12": 0.4, "W1_21": 0.8, "W1_22": 0.6, "b1_1": 0, "b1_2": 0,
           "W2_11": 0.3, "W2_12": 0.9, "b2": 0}
    for (name, w), value in zip(old.items(), new, strict=True):
        again = w - alpha * float(shown["d" + name].replace("\u2212", "-"))
        assert diagrams.format_number(again, 4) == diagrams.format_number(value, 4), name
    # the factors of a backward step are the texts of the steps that computed them
    assert "0.0155740 \\times 0.35" in tex[20] and shown["dz1_2"] == "0.0155740"
    assert "0.0733678 \\times 0.212272" in tex[17]


def test_stepper_refuses_a_formula_that_does_not_reproduce(monkeypatch):
    """Results printed to six digits do not always follow from six-digit factors (step 7:
    (0.690842 - 0.5)^2 = 0.0364207, the engine's J is 0.0364206): the stepper refuses."""
    monkeypatch.setattr(diagrams, "_RESULT_DIGITS", 6)
    with pytest.raises(RuntimeError, match=r"step 'J' shows J = 0.0364206, .* does not reproduce"):
        diagrams.stepper_221(_net(), X, Y, 0.5)


def test_stepper_update_shows_the_graph_after_the_step():
    """The update step carries the graph's numbers after one gradient step, from the hand
    formulas (not the engine): new weights on the edges, the new forward pass on the nodes; the
    old backward numbers are hidden."""
    lr = 0.5
    steps, _tex, svg = _stepper_parts(diagrams.stepper_221(_net(), X, Y, lr))
    h = worked.net221_by_hand(X, Y, W1, W2)
    nW1, nW2, nb1, nb2 = W1 - lr * h["dW1"], W2 - lr * h["dW2"], -lr * h["db1"], -lr * h["db2"]
    f = worked.net221_forward(X, nW1.T, nW2.T, nb1, nb2)
    want = {"z2": f["I3"][0, 0], "yhat": f["O3"][0, 0], "J": float(((f["O3"] - Y) ** 2).sum())}
    for j in range(2):
        want |= {f"z1_{j + 1}": f["I2"][j, 0], f"a1_{j + 1}": f["O2"][j, 0],
                 f"e_W2_1{j + 1}": nW2[0, j]}
        for k in range(2):
            want[f"e_W1_{j + 1}{k + 1}"] = nW1[j, k]
    got = steps[-1]["set"]
    assert set(got) == set(want)
    for q, value in want.items():
        prefix = "\u00d7" if q.startswith("e_") else ""
        assert got[q] == prefix + diagrams.format_number(value), (q, got[q], value)
    assert got["J"] == "0.03025" and got["e_W1_11"] == "\u00d70.09897"
    assert set(steps[-1]["hide"]) == {q for q in _numbers(svg)
                                      if q.startswith(("d", "e_g", "e_dyhat"))} - {"dx_1", "dx_2"}
    assert all(not s["set"] and not s["hide"] for s in steps[:-1])


def test_stepper_edges_carry_a_backward_arrow():
    """Each edge holds a second arrow, in the backward colour, pointing from the lower node to
    the upper one (the gradient's way), which the style sheet shows on a backward step."""
    _steps, _tex, svg = _stepper_parts(diagrams.stepper_221(_net(), X, Y, 0.5))
    edges = [g for g in svg.iter(SVG + "g") if g.get("data-edge")]
    assert len(edges) == 10
    for g in edges:
        fwd = [p for p in g.findall(SVG + "path")]
        back = g.find(SVG + "g[@class='nnbook-back']")
        assert back is not None, g.get("data-edge")
        line, head = back.findall(SVG + "path")
        assert "nnbd-b" in head.get("class") and "nnbd-bs" in line.get("class")
        tip_y = float(re.match(r"M[\d.]+,([\d.]+)", head.get("d")).group(1))
        fwd_tip = float(re.match(r"M[\d.]+,([\d.]+)", fwd[1].get("d")).group(1))
        start_y = float(re.match(r"M[\d.]+,([\d.]+)", fwd[0].get("d")).group(1))
        assert tip_y == start_y < fwd_tip, g.get("data-edge")       # points up, to the upper node
    # the textbook figure has none
    assert "nnbook-back" not in diagrams.computation_graph_221(_net(), X, Y)


def test_stepper_is_deterministic_and_leaves_the_network_alone():
    net = _net()
    before = {l: (net.W[l].copy(), net.b[l].copy()) for l in (1, 2)}
    out = diagrams.stepper_221(net, X, Y, 0.5)
    assert diagrams.stepper_221(net, X, Y, 0.5) == out
    for l in (1, 2):
        np.testing.assert_array_equal(net.W[l], before[l][0])
        np.testing.assert_array_equal(net.b[l], before[l][1])
    assert 'class="nnbook-stepper__text"' in out and 'aria-live="polite"' in out
    assert "<script" not in out        # instant navigation would run an inline script's text


@pytest.mark.parametrize(("key", "index"), [
    ("z1", (1,)),          # a forward value (formula and graph)
    ("dW1", (0, 1)),       # a weight gradient (formula only)
    ("g1", (0,)),          # a local derivative (formula and edge label)
    ("dx", (1,)),          # a backward value the graph alone shows
])
def test_stepper_refuses_a_corrupted_value(monkeypatch, key, index):
    """A value that differs from the engine's in its 7th digit is caught before it is shown."""
    real = diagrams._values_221

    def corrupted(*args, **kwargs):
        v = real(*args, **kwargs)
        v[key] = np.array(v[key], dtype=np.float64)
        v[key][index] *= 1 + 1e-6
        return v

    monkeypatch.setattr(diagrams, "_values_221", corrupted)
    with pytest.raises(RuntimeError, match=r"stepper: .* in the engine|engine's value"):
        diagrams.stepper_221(_net(), X, Y, 0.5)
    monkeypatch.setattr(diagrams, "_values_221", real)
    assert diagrams.stepper_221(_net(), X, Y, 0.5)


@pytest.mark.parametrize(("net", "lr", "exc", "message"), [
    (nb.Network.from_parameters({1: W1, 2: W2}, {1: np.zeros((2, 1)), 2: np.zeros((1, 1))},
                                "sigmoid", loss="bce"), 0.5, ValueError, "expected loss 'mse'"),
    (nb.Network.from_parameters({1: W1, 2: W2}, {1: np.zeros((2, 1)), 2: np.zeros((1, 1))},
                                "sigmoid", loss="mse", l2=0.1), 0.5, ValueError,
     "expected l2 = 0"),
    (_net(b1=B1, b2=B2), 0.5, ValueError, "set the biases to zero"),
    (_net(), 0.0, ValueError, "learning_rate: expected a finite number > 0"),
    (_net(), "0.5", TypeError, "learning_rate"),
    ("net", 0.5, TypeError, "net: expected an nnbook.Network"),
])
def test_stepper_rejects_bad_input(net, lr, exc, message):
    with pytest.raises(exc, match=message):
        diagrams.stepper_221(net, X, Y, lr)


# ------------------------------------------------------------------ value_graph_svg (Ch. 11)
def _value_221():
    from nnbook.autodiff import Value

    x, y, w1, w2 = worked.example_221()
    W1 = [[Value(w1[k, j], f"W[1]_{j + 1}{k + 1}") for k in range(2)] for j in range(2)]
    W2 = [Value(w2[j, 0], f"W[2]_1{j + 1}") for j in range(2)]
    a1 = [(W1[j][0] * x[0, 0] + W1[j][1] * x[1, 0]).sigmoid() for j in range(2)]
    J = ((W2[0] * a1[0] + W2[1] * a1[1]).sigmoid() - y[0, 0]) ** 2
    J.backward()
    return J, W1, W2


def test_value_graph_reads_back_every_value_and_gradient():
    J, W1, W2 = _value_221()
    svg = diagrams.value_graph_svg(J)
    ET.fromstring(svg)
    drawn = [v for v in J.topological_order() if v.parents or v.label]  # constants folded
    values = {q: float(v) for q, v in re.findall(r'data-q="(d?v\d+)" data-value="([^"]+)"', svg)}
    assert len(values) == 2 * len(drawn) == 40
    assert sorted(values[f"v{k}"] for k in range(20)) == sorted(v.data for v in drawn)
    assert sorted(values[f"dv{k}"] for k in range(20)) == sorted(v.grad for v in drawn)
    net = nb.Network.from_parameters({1: [[w.data for w in r] for r in W1],
                                      2: [[w.data for w in W2]]},
                                     {1: np.zeros((2, 1)), 2: np.zeros((1, 1))}, "sigmoid", "mse")
    x, y, _, _ = worked.example_221()
    g = net.backward(net.forward(x), y)
    np.testing.assert_allclose([[w.grad for w in r] for r in W1], g.dW[1], rtol=RTOL_SAME_FORMULA)
    assert "× 0.35" in svg and "− 0.5" in svg  # plain numbers written in their node
    assert svg == diagrams.value_graph_svg(J)  # deterministic


def test_value_graph_rejects_bad_input():
    from nnbook.autodiff import Value

    with pytest.raises(TypeError, match="root: expected an nnbook.autodiff.Value"):
        diagrams.value_graph_svg(1.0)
    leaves = [Value(float(k), f"w{k}") for k in range(7)]
    total = leaves[0] * 1.0
    for v in leaves[1:]:
        total = total + v * 1.0
    with pytest.raises(ValueError, match="at most 6 can be drawn"):
        diagrams.value_graph_svg(total)
