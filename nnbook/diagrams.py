# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
r"""Diagrams of the computation, drawn as SVG from the engine's own numbers.

The book's pictures of the computation are built here, at build time, without
matplotlib:

* [`computation_graph_221`][nnbook.diagrams.computation_graph_221]: the 2-2-1
  network as a computational graph, forward values and backward values
  $\partial J/\partial(\cdot)$ on the nodes, local derivatives on the edges,
  every number read from `Network.forward` and `Network.backward`;
* [`gradient_routing_221`][nnbook.diagrams.gradient_routing_221]: how an add
  node, a multiply node and an activation node route the gradient, and how
  gradients add where a value forks, on pieces of that graph with the same
  numbers;
* [`value_tables_221`][nnbook.diagrams.value_tables_221] and
  [`hidden_step_221`][nnbook.diagrams.hidden_step_221]: every intermediate
  number of that example as tables, and the hidden layer's gradient with the
  numbers plugged in;
* [`layer_flow`][nnbook.diagrams.layer_flow]: one step of the $L$-layer
  backward loop, $dZ^{[l]} \to dW^{[l]}, db^{[l]}, dA^{[l-1]} \to dZ^{[l-1]}$,
  with the shape on every arrow.
* [`stepper_221`][nnbook.diagrams.stepper_221]: the same graph as a backward
  pass to step through (with the book's ``stepper.js``): forward node by
  node, backward edge by edge, then the update and the new cost, every number
  checked against the engine before it is embedded.

The markup is plain SVG text, ready to be printed by an executed block
(```` ```python exec="1" html="1" ````):

* **deterministic**: the same arguments give the same string (ids derive from
  the content);
* **accessible**: `role="img"`, a `<title>` and an `aria-label` carry the `alt`
  text;
* **theme-aware**: text and lines in `currentColor`; backward values in a
  second colour, [`BACKWARD_COLOURS`][nnbook.diagrams.BACKWARD_COLOURS], a
  darker orange on the light scheme and a lighter one on Material's dark slate
  scheme;
* **sized by a viewBox**: the figure scales to its column, and is drawn narrow
  enough that its text stays legible on a 390 px phone.

Every number shown carries `data-q` (what it is) and `data-value` (the
full-precision value) so tests can read the drawing back.

Examples
--------
>>> import numpy as np
>>> import nnbook as nb
>>> from nnbook import diagrams
>>> net = nb.Network.from_parameters(
...     {1: [[0.1, 0.4], [0.8, 0.6]], 2: [[0.3, 0.9]]},
...     {1: np.zeros((2, 1)), 2: np.zeros((1, 1))}, "sigmoid", "mse")
>>> svg = diagrams.computation_graph_221(net, [[0.35], [0.90]], [[0.5]])
>>> svg.startswith("<svg") and "<title" in svg
True
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validate import check_alt, check_learning_rate
from .network import Network

__all__ = [
    "BACKWARD_COLOURS",
    "FLOW_ARROWS",
    "FLOW_NODES",
    "computation_graph_221",
    "format_number",
    "gradient_routing_221",
    "hidden_step_221",
    "layer_flow",
    "stepper_221",
    "value_graph_svg",
    "value_tables_221",
]

BACKWARD_COLOURS: dict[str, str] = {"light": "#c2410c", "dark": "#fb923c"}
"""Colour of backward values: contrast 5.2:1 on white (light scheme) and 7.1:1
on Material's slate background (dark scheme)."""

_LIGHT, _DARK = BACKWARD_COLOURS["light"], BACKWARD_COLOURS["dark"]
_STYLE = (
    f".nnbd-b{{fill:{_LIGHT}}}.nnbd-bs{{stroke:{_LIGHT}}}"
    f'[data-md-color-scheme="slate"] .nnbd-b{{fill:{_DARK}}}'
    f'[data-md-color-scheme="slate"] .nnbd-bs{{stroke:{_DARK}}}'
    # the page's background: Material's, else JupyterLab's, else white
    ".nnbd-halo{paint-order:stroke;stroke:var(--md-default-bg-color,"
    "var(--jp-layout-color0,#fff));"
    "stroke-width:5px;stroke-linejoin:round}"
)


# ---------------------------------------------------------------- text helpers
def format_number(value: float, digits: int = 4) -> str:
    r"""A number as the figures show it: `digits` significant digits, a true
    minus sign.

    Parameters
    ----------
    value : float
    digits : int
        Significant digits (1 to 17).

    Returns
    -------
    str

    Examples
    --------
    >>> from nnbook.diagrams import format_number
    >>> format_number(0.0058815735), format_number(0.35), format_number(-0.125)
    ('0.005882', '0.35', '−0.125')
    """
    if (isinstance(digits, bool) or not isinstance(digits, int)
            or not 1 <= digits <= 17):
        raise ValueError("digits: expected an integer from 1 to 17, "
                         f"got {digits!r}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"value: expected a finite number, got {value!r}")
    text = f"{v:.{digits}g}"
    if text in ("-0", "0"):
        return "0"
    return text.replace("-", "\u2212")


_TOKEN = re.compile(
    r"\^\{([^}]*)\}"                          # ^{...}: superscript
    r"|_\{([^}]*)\}"                          # _{...}: subscript
    r"|([^\W\d_]+)"                           # a word or symbol
    r"|([^\^_]+?(?=[^\W\d_]|\^\{|_\{|$))"     # any other run of text
)
_WORDS = {"as", "at", "by", "in", "is", "it", "of", "on", "or", "to"}


def _italic(word: str) -> bool:
    """Math symbols are italic (x, dZ, σ, ŷ); words (sum, of, the) and capital
    Greek (Σ, Δ) are upright."""
    if len(word) > 2 or word.lower() in _WORDS:
        return False
    return not any("\u0391" <= ch <= "\u03a9" for ch in word)


def _rich(text: str, size: float) -> str:
    """A small TeX-like label (``z^{[1]}_{2}``) as SVG tspans: symbols italic,
    words upright, ``^{..}`` raised and ``_{..}`` lowered in a smaller size."""
    out: list[str] = []
    shift = 0.0  # current baseline offset in px (positive = down)
    small = round(size * 0.72, 1)
    for sup, sub, word, other in _TOKEN.findall(text):
        if sup or sub:
            target = -0.42 * size if sup else 0.26 * size
            dy = round(target - shift, 1)
            shift = target
            out.append(f'<tspan dy="{dy}" font-size="{small}">'
                       f'{html.escape(sup or sub)}</tspan>')
            continue
        lead = ""
        if shift:
            lead = f' dy="{round(-shift, 1)}"'
            shift = 0.0
        if word and _italic(word):
            out.append(f'<tspan{lead} font-style="italic">'
                       f'{html.escape(word)}</tspan>')
        else:
            out.append(f"<tspan{lead}>{html.escape(word or other)}</tspan>")
    return "".join(out)


class _Canvas:
    """Collects SVG elements in viewBox units and renders the document."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def path(self, d: str, *, cls: str = "", width: float = 1.4,
             dashed: bool = False, fill: str = "none",
             opacity: float | None = None, stroke: bool = True) -> None:
        attrs = [f'd="{d}"', f'fill="{fill}"']
        if stroke:
            if not cls:
                attrs.append('stroke="currentColor"')
            attrs.append(f'stroke-width="{width}"')
        if dashed:
            attrs.append('stroke-dasharray="5 4"')
        if opacity is not None:
            attrs.append(f'opacity="{opacity}"')
        if cls:
            attrs.append(f'class="{cls}"')
        self.parts.append(f"<path {' '.join(attrs)}/>")

    def arrow(self, x0: float, y0: float, x1: float, y1: float, *,
              cls: str = "", dashed: bool = False, width: float = 1.4,
              head: float = 8.0, opacity: float | None = None) -> None:
        """A straight line from (x0, y0) to (x1, y1), arrowhead at the end."""
        dx, dy = x1 - x0, y1 - y0
        n = float(np.hypot(dx, dy))
        ux, uy = dx / n, dy / n
        bx, by = x1 - head * ux, y1 - head * uy  # base of the head
        self.path(f"M{x0:.1f},{y0:.1f} L{bx:.1f},{by:.1f}",
                  cls=cls + " nnbd-bs" if cls else "", width=width,
                  dashed=dashed, opacity=opacity)
        px, py = -uy * head * 0.45, ux * head * 0.45
        d = (f"M{x1:.1f},{y1:.1f} L{bx + px:.1f},{by + py:.1f} "
             f"L{bx - px:.1f},{by - py:.1f} Z")
        self.parts.append(
            f'<path d="{d}" class="{cls}"/>' if cls
            else f'<path d="{d}" fill="currentColor"'
            + (f' opacity="{opacity}"' if opacity is not None else "") + "/>"
        )

    def box(self, x: float, y: float, w: float, h: float, *, cls: str = "",
            dashed: bool = False) -> None:
        r = 6
        d = (f"M{x + r},{y} H{x + w - r} Q{x + w},{y} {x + w},{y + r} "
             f"V{y + h - r} Q{x + w},{y + h} {x + w - r},{y + h} H{x + r} "
             f"Q{x},{y + h} {x},{y + h - r} V{y + r} Q{x},{y} {x + r},{y} Z")
        self.parts.append(f'<path d="{d}" fill="currentColor" '
                          'fill-opacity="0.06" stroke="none"/>')
        self.path(d, cls=cls, width=1.3, dashed=dashed)

    def circle(self, cx: float, cy: float, r: float) -> None:
        d = (f"M{cx - r:.1f},{cy:.1f} A{r},{r} 0 1 0 {cx + r:.1f},{cy:.1f} "
             f"A{r},{r} 0 1 0 {cx - r:.1f},{cy:.1f} Z")
        self.parts.append(f'<path d="{d}" fill="currentColor" '
                          'fill-opacity="0.06" stroke="none"/>')
        self.path(d, width=1.4)

    def text(self, x: float, y: float, content: str, *, size: float = 15,
             anchor: str = "start", cls: str = "", weight: str | None = None,
             halo: bool = False, q: str | None = None,
             value: float | None = None, rich: bool = False,
             italic: bool = False, rotate: float | None = None,
             muted: bool = False) -> None:
        attrs = [f'x="{x:.1f}"', f'y="{y:.1f}"', f'font-size="{size}"']
        if muted:
            attrs.append('opacity="0.8"')
        if anchor != "start":
            attrs.append(f'text-anchor="{anchor}"')
        classes = " ".join(c for c in (cls, "nnbd-halo" if halo else "") if c)
        if classes:
            attrs.append(f'class="{classes}"')
        if "nnbd-b" not in cls.split():
            attrs.append('fill="currentColor"')
        if weight:
            attrs.append(f'font-weight="{weight}"')
        if italic:
            attrs.append('font-style="italic"')
        if rotate is not None:
            attrs.append(f'transform="rotate({rotate} {x:.1f} {y:.1f})"')
        if q is not None:
            attrs.append(f'data-q="{html.escape(q, quote=True)}"')
        if value is not None:
            attrs.append(f'data-value="{float(value)!r}"')
        body = _rich(content, size) if rich else html.escape(content)
        self.parts.append(f"<text {' '.join(attrs)}>{body}</text>")

    def render(self, alt: str, *, max_width: int, kind: str) -> str:
        alt = check_alt(alt)
        body = "\n".join(self.parts)
        digest = hashlib.sha1((kind + alt + body).encode()).hexdigest()
        prefix = "nnbd" + digest[:8]
        title_id = f"{prefix}-title"
        w, h = self.width, self.height
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            'class="nnbook-figure nnbook-diagram" '
            f'role="img" aria-labelledby="{title_id}" '
            f'aria-label="{html.escape(alt, quote=True)}" '
            f'viewBox="0 0 {w:g} {h:g}" width="{w:g}" height="{h:g}" '
            f'style="width:100%;max-width:{max_width}px;height:auto" '
            f'font-family="inherit" data-kind="{kind}">\n'
            f'<title id="{title_id}">{html.escape(alt)}</title>\n'
            f"<style>{_STYLE}</style>\n{body}\n</svg>\n"
        )


# ----------------------------------------------------------- the 2-2-1 numbers
def _values_221(
    net: Any, x: Any, y: Any, *, biases: bool = False
) -> dict[str, Any]:
    """Forward and backward values of the bias-free 2-2-1 network on one
    example, read from the engine (`Network.forward`, `Network.backward`, the
    loss and activation derivatives)."""
    if not isinstance(net, Network):
        raise TypeError("net: expected an nnbook.Network, "
                        f"got {type(net).__name__}")
    if list(net.sizes) != [2, 2, 1]:
        raise ValueError("net: expected a 2-2-1 network (sizes [2, 2, 1]), "
                         f"got sizes {list(net.sizes)}")
    names = [net.g[l].name for l in (1, 2)]
    if "softmax" in names:
        raise ValueError("net: expected element-wise activations, "
                         f"got {names}")
    for l in (1, 2):
        if not biases and np.any(net.b[l] != 0):
            raise ValueError(
                "net: the graph is drawn for the bias-free 2-2-1 network, but "
                f"b[{l}] is {np.asarray(net.b[l]).ravel().tolist()}; set the "
                "biases to zero"
            )
    X = np.asarray(x, dtype=np.float64)
    if X.shape == (2,):
        X = X.reshape(2, 1)
    if X.shape != (2, 1):
        raise ValueError("x: expected one example as a (2, 1) column, "
                         f"got shape {X.shape}")
    Y = np.asarray(y, dtype=np.float64)
    if Y.size == 1 and Y.ndim <= 2:
        Y = Y.reshape(1, 1)
    if Y.shape != (1, 1):
        raise ValueError("y: expected one target, shape (1, 1), "
                         f"got shape {Y.shape}")
    cache = net.forward(X)
    grads = net.backward(cache, Y)
    Z, A = cache.Z, cache.A
    # m = 1: the per-example dA[2] is dJ/dyhat
    dyhat = net.loss.derivative(A[2], Y)
    return {
        "x": A[0][:, 0], "z1": Z[1][:, 0], "a1": A[1][:, 0],
        "z2": float(Z[2][0, 0]), "yhat": float(A[2][0, 0]),
        "y": float(Y[0, 0]), "J": float(net.loss.value(A[2], Y)),
        "W1": net.W[1], "W2": net.W[2],
        "g1": net.g[1].derivative(Z[1])[:, 0],
        "g2": float(net.g[2].derivative(Z[2])[0, 0]),
        "dyhat": float(dyhat[0, 0]), "dz2": float(grads.dZ[2][0, 0]),
        "da1": grads.dA[1][:, 0], "dz1": grads.dZ[1][:, 0],
        # dA[0] = W[1]^T dZ[1]: where x forks
        "dx": (net.W[1].T @ grads.dZ[1])[:, 0],
        "dW1": grads.dW[1], "dW2": grads.dW[2], "db1": grads.db[1][:, 0],
        "db2": float(grads.db[2][0, 0]),
        "b1": net.b[1][:, 0], "b2": float(net.b[2][0, 0]),
        "act1": names[0], "act2": names[1], "loss": net.loss.name,
    }


def _gname(act: str) -> str:
    return "σ" if act == "sigmoid" else "tanh" if act == "tanh" else "g"


def _node(c: _Canvas, cx: float, y: float, w: float, h: float, name: str,
          fwd: float, bwd: float, qname: str) -> None:
    """A value node: its name on the left, forward value (top) and backward
    value (bottom, second colour) on the right, grouped as
    ``<g data-node="qname">``."""
    x = cx - w / 2
    c.parts.append(f'<g data-node="{qname}">')
    c.box(x, y, w, h)
    c.text(x + 12, y + h / 2 + 6, name, size=18, rich=True)
    c.text(x + w - 10, y + 20, format_number(fwd), size=15, anchor="end",
           q=f"{qname}", value=fwd)
    c.text(x + w - 10, y + h - 9, format_number(bwd), size=15, anchor="end",
           cls="nnbd-b", q=f"d{qname}", value=bwd)
    c.parts.append("</g>")


# ------------------------------------------------------------------ figure (a)
def _graph_221(v: dict[str, Any], *, legend: bool = True,
               back_arrows: bool = False) -> _Canvas:
    """The 2-2-1 graph's drawing, shared by
    [`computation_graph_221`][nnbook.diagrams.computation_graph_221] and
    [`stepper_221`][nnbook.diagrams.stepper_221]: each node in a
    ``<g data-node="z1_1">``, each edge with its label in a
    ``<g data-edge="x_1-z1_1">`` (from, to). With `back_arrows`, each edge
    also holds the same line pointing up, in the backward colour, in a
    ``<g class="nnbook-back">`` the stepper shows on a backward step."""
    W, top, bw, bh, pitch = 440, 12, 150, 50, 96
    cols2, mid = (118, 322), 220
    c = _Canvas(W, top + 5 * pitch + 16 + bh + (118 if legend else 12))

    def row(r: int) -> float:  # the crossing edges under the inputs: more room
        return top + r * pitch + (16 if r >= 1 else 0)

    def edge(x0: float, y0: float, x1: float, y1: float) -> None:
        c.arrow(x0, y0, x1, y1, opacity=0.75)
        if back_arrows:  # the gradient's way: from the lower node up
            c.parts.append('<g class="nnbook-back">')
            c.arrow(x1, y1, x0, y0, cls="nnbd-b", width=3, head=12)
            c.parts.append("</g>")

    def label(x0: float, y0: float, x1: float, y1: float, t: float,
              text: str, q: str, val: float, side: str) -> None:
        px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        anchor = {"left": "end", "right": "start", "mid": "middle"}[side]
        off = {"left": -7, "right": 7, "mid": 0}[side]
        # beside a slanted edge, clear it over the text's whole height
        xs = [x0 + (yy - y0) / (y1 - y0) * (x1 - x0) if y1 != y0 else px
              for yy in (py - 7, py + 7)]
        px = {"left": min(xs), "right": max(xs)}.get(side, px)
        c.text(px + off, py + 5, text, size=14, anchor=anchor, halo=True,
               q=q, value=val)

    # edges first, nodes over them
    # x_k -> z[1]_j carries W[1]_jk; the crossing edges last, so that their
    # labels (halo) lie over the straight edges, not under them
    for j, k in ((0, 0), (1, 1), (0, 1), (1, 0)):
        spread = 28 * (j - k)  # crossing edges leave and arrive off-centre
        x0, y0 = cols2[k] + spread, row(0) + bh
        x1, y1 = cols2[j] - spread, row(1)
        c.parts.append(f'<g data-edge="x_{k + 1}-z1_{j + 1}">')
        edge(x0, y0, x1, y1)
        w = float(v["W1"][j, k])
        text, q = f"×{format_number(w)}", f"e_W1_{j + 1}{k + 1}"
        if j == k:
            label(x0, y0, x1, y1, 0.5, text, q, w,
                  "left" if j == 0 else "right")
        else:  # beside the arrowhead, on the side away from the crossing
            yb = y1 - 14  # baseline; the line is nearest at its bottom
            xl = x0 + (yb + 2 - y0) / (y1 - y0) * (x1 - x0)
            c.text(xl + (-8 if j == 0 else 8), yb, text, size=14,
                   anchor="end" if j == 0 else "start", halo=True,
                   q=q, value=w)
        c.parts.append("</g>")
    for j in range(2):  # z[1]_j -> a[1]_j carries g'(z[1]_j)
        x0 = cols2[j]
        c.parts.append(f'<g data-edge="z1_{j + 1}-a1_{j + 1}">')
        edge(x0, row(1) + bh, x0, row(2))
        gj = float(v["g1"][j])
        label(x0, row(1) + bh, x0, row(2), 0.5, f"×{format_number(gj)}",
              f"e_g1_{j + 1}", gj, "left" if j == 0 else "right")
        c.parts.append("</g>")
    for j in range(2):  # a[1]_j -> z[2] carries W[2]_1j
        x0, y0 = cols2[j], row(2) + bh
        x1, y1 = mid + (-30 if j == 0 else 30), row(3)
        c.parts.append(f'<g data-edge="a1_{j + 1}-z2">')
        edge(x0, y0, x1, y1)
        w = float(v["W2"][0, j])
        label(x0, y0, x1, y1, 0.5, f"×{format_number(w)}", f"e_W2_1{j + 1}", w,
              "left" if j == 0 else "right")
        c.parts.append("</g>")
    c.parts.append('<g data-edge="z2-yhat">')
    edge(mid, row(3) + bh, mid, row(4))
    label(mid, row(3) + bh, mid, row(4), 0.5, f"×{format_number(v['g2'])}",
          "e_g2", v["g2"], "right")
    c.parts.append("</g>")
    c.parts.append('<g data-edge="yhat-J">')
    edge(mid, row(4) + bh, mid, row(5))
    label(mid, row(4) + bh, mid, row(5), 0.5,
          f"×{format_number(v['dyhat'])}", "e_dyhat", v["dyhat"], "right")
    c.parts.append("</g>")

    for k in range(2):
        _node(c, cols2[k], row(0), bw, bh, f"x_{{{k + 1}}}",
              v["x"][k], v["dx"][k], f"x_{k + 1}")
    for j in range(2):
        _node(c, cols2[j], row(1), bw, bh, f"z^{{[1]}}_{{{j + 1}}}",
              v["z1"][j], v["dz1"][j], f"z1_{j + 1}")
        _node(c, cols2[j], row(2), bw, bh, f"a^{{[1]}}_{{{j + 1}}}",
              v["a1"][j], v["da1"][j], f"a1_{j + 1}")
    _node(c, mid, row(3), bw, bh, "z^{[2]}", v["z2"], v["dz2"], "z2")
    _node(c, mid, row(4), bw, bh, "ŷ", v["yhat"], v["dyhat"], "yhat")
    _node(c, mid, row(5), bw, bh, "J", v["J"], 1.0, "J")
    c.text(mid + bw / 2 + 10, row(5) + bh / 2 + 6,
           f"y = {format_number(v['y'])}", size=15, rich=False, q="y",
           value=v["y"])

    # direction arrows in the margins
    c.arrow(14, row(0) + 8, 14, row(2) + bh, opacity=0.6)
    c.text(28, row(1) + 10, "forward", size=13, rotate=90, italic=True)
    c.arrow(W - 14, row(5) + bh - 8, W - 14, row(3), cls="nnbd-b")
    c.text(W - 28, row(4) + bh, "backward", size=13, rotate=-90, italic=True,
           cls="nnbd-b")

    if not legend:
        return c
    ly = row(5) + bh + 30  # legend
    c.text(20, ly, "0.5975", size=15, anchor="start")
    c.text(92, ly, "forward value of the node", size=14)
    c.text(20, ly + 22, "0.02446", size=15, cls="nnbd-b")
    c.text(92, ly + 22, "∂J/∂(node), the backward value", size=14)
    c.text(20, ly + 44, "×0.2405", size=14)
    c.text(92, ly + 44, "on an edge: ∂(lower node)/∂(upper node)", size=14)
    c.text(20, ly + 66, "Backward: ∂J/∂(node) = Σ over its edges down of",
           size=14)
    c.text(20, ly + 84, "(edge) × ∂J/∂(node below).", size=14)
    return c


def computation_graph_221(
    net: Network, x: Any, y: Any, *, alt: str | None = None
) -> str:
    r"""The bias-free 2-2-1 network on one example, as a computational graph
    with its numbers.

    Nodes, top to bottom: $x_k$, $z^{[1]}_j$, $a^{[1]}_j$, $z^{[2]}$, $\hat y$,
    $J$. Each node shows its forward value and, in the second colour, its
    backward value $\partial J/\partial(\text{node})$; each edge shows its
    local derivative $\partial(\text{lower})/\partial(\text{upper})$:
    $W^{[1]}_{jk}$, $g'(z^{[1]}_j)$, $W^{[2]}_{1j}$, $g'(z^{[2]})$,
    $\partial J/\partial \hat y$. Every number comes from `net.forward` and
    `net.backward` (and, for $\partial J/\partial x = W^{[1]\top} dZ^{[1]}$ and
    $\partial J/\partial\hat y$, from the engine's weights and loss
    derivative).

    Parameters
    ----------
    net : Network
        Sizes ``[2, 2, 1]``, element-wise activations, biases zero.
    x : array, shape (2, 1) or (2,)
        One example.
    y : array or float
        Its target.
    alt : str, optional
        Text alternative; the default describes the graph and lists the
        numbers.

    Returns
    -------
    str
        SVG markup.

    Raises
    ------
    TypeError
        If `net` is not a `Network`.
    ValueError
        If the network is not a bias-free 2-2-1 network, or `x`, `y` are not
        one example.

    Examples
    --------
    >>> import re
    >>> import numpy as np
    >>> import nnbook as nb
    >>> from nnbook import diagrams
    >>> net = nb.Network.from_parameters(
    ...     {1: [[0.1, 0.4], [0.8, 0.6]], 2: [[0.3, 0.9]]},
    ...     {1: np.zeros((2, 1)), 2: np.zeros((1, 1))}, "sigmoid", "mse")
    >>> svg = diagrams.computation_graph_221(net, [0.35, 0.90], 0.5)
    >>> re.search(r'data-q="dz1_1"[^>]*>([^<]*)<', svg).group(1)
    '0.005882'
    """
    v = _values_221(net, x, y)
    g1, g2 = _gname(v["act1"]), _gname(v["act2"])
    c = _graph_221(v)
    if alt is None:
        f = format_number
        alt = (
            "Computational graph of the 2-2-1 network, drawn top to bottom: "
            f"inputs x1 = {f(v['x'][0])} and x2 = {f(v['x'][1])}; hidden "
            f"pre-activations z[1] = ({f(v['z1'][0])}, {f(v['z1'][1])}); "
            f"activations a[1] = {g1}(z[1]) = ({f(v['a1'][0])}, "
            f"{f(v['a1'][1])}); output pre-activation z[2] = {f(v['z2'])}; "
            f"output y-hat = {g2}(z[2]) = {f(v['yhat'])}; loss J = "
            f"{f(v['J'])} for the target y = {f(v['y'])}. Edges carry the "
            "local derivatives: the weights W[1] = "
            f"{[[f(u) for u in r] for r in v['W1'].tolist()]}, {g1}'(z[1]) = "
            f"({f(v['g1'][0])}, {f(v['g1'][1])}), W[2] = "
            f"{[f(u) for u in v['W2'][0].tolist()]}, {g2}'(z[2]) = "
            f"{f(v['g2'])} and dJ/dy-hat = {f(v['dyhat'])}. Backward values, "
            f"in the second colour: dJ/dJ = 1, dJ/dy-hat = {f(v['dyhat'])}, "
            f"dJ/dz[2] = {f(v['dz2'])}, dJ/da[1] = ({f(v['da1'][0])}, "
            f"{f(v['da1'][1])}), dJ/dz[1] = ({f(v['dz1'][0])}, "
            f"{f(v['dz1'][1])}), dJ/dx = ({f(v['dx'][0])}, {f(v['dx'][1])})."
        )
    return c.render(alt, max_width=470, kind="graph-221")


# ------------------------------------------------------ any small Value graph
_OP_TEXT = {"+": "+", "−": "−", "×": "×", "÷": "÷"}


def _value_label(label: str) -> str:
    """``W[1]_12`` as the rich text ``W^{[1]}_{12}``."""
    label = re.sub(r"\[(\w+)\]", r"^{[\1]}", label)
    return re.sub(r"_(\w+)", r"_{\1}", label)


def _op_text(node: Any, shown: set[int]) -> str:
    """What a node computes: its operation, with the plain numbers it used
    (``× 0.35``, ``0.5 −``, ``(·)^{2}``)."""
    op = node.op
    if op.startswith("^"):
        return f"(·)^{{{op[1:]}}}"
    if op == "neg":
        return "−(·)"
    if op not in _OP_TEXT:
        return op
    consts = [p for p in node.parents if id(p) not in shown]
    if not consts:
        return op
    c = format_number(consts[0].data)
    return f"{c} {op}" if node.parents[0] is consts[0] else f"{op} {c}"


def value_graph_svg(root: Any, *, alt: str | None = None,
                    max_width: int = 500) -> str:
    r"""Draw the computational graph of a [`Value`][nnbook.autodiff.Value]
    from its own nodes, with every node's value and gradient.

    The nodes are laid out top to bottom by depth, the order of the forward
    pass: a node sits one row below the lowest of its parents, and a leaf
    one row above the first node that uses it. Each node shows its label
    (or, unlabelled, the operation that made it), its forward value
    ``data`` and, in the second colour, its backward value ``grad``
    $= \partial J/\partial(\text{node})$ (call ``root.backward()`` first).
    A leaf without a label is a plain number the formula used: it is written
    inside the node that uses it (``× 0.35``) rather than drawn.

    Parameters
    ----------
    root : Value
        The output $J$ of a small graph (at most 6 nodes in a row).
    alt : str, optional
        Text alternative; the default names the output and the gradient of
        every labelled leaf.
    max_width : int
        Largest width on the page, in px.

    Returns
    -------
    str
        SVG markup. Node $k$ in topological order carries ``data-q="v<k>"``
        (its value) and ``data-q="dv<k>"`` (its gradient).

    Raises
    ------
    TypeError
        If `root` is not a `Value`.
    ValueError
        If a row would hold more than 6 nodes.

    Examples
    --------
    >>> from nnbook.autodiff import Value
    >>> from nnbook.diagrams import value_graph_svg
    >>> w = Value(0.5, "w")
    >>> J = (w * 2.0).tanh()
    >>> J.backward()
    >>> svg = value_graph_svg(J)
    >>> svg.startswith("<svg"), svg.count('class="nnbd-b"') >= 3
    (True, True)
    """
    from .autodiff import Value

    if not isinstance(root, Value):
        raise TypeError("root: expected an nnbook.autodiff.Value, "
                        f"got {type(root).__name__}")
    # depth-first from the root, parents left to right: the drawing order
    order: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents))
    drawn = [v for v in order if v.parents or v.label or v is root]
    shown = {id(v) for v in drawn}
    level: dict[int, int] = {}
    for v in drawn:  # parents come first in `order`
        ups = [level[id(p)] for p in v.parents if id(p) in shown]
        level[id(v)] = 1 + max(ups) if ups else 0
    for v in reversed(drawn):  # a leaf sits just above its first user
        if not v.parents and v is not root:
            users = [level[id(u)] for u in drawn if v in u.parents]
            level[id(v)] = min(users) - 1
    rows: dict[int, list[Any]] = {}
    for v in drawn:
        rows.setdefault(level[id(v)], []).append(v)
    widest = max(len(r) for r in rows.values())
    if widest > 6:
        raise ValueError("root: the graph has a row of "
                         f"{widest} nodes; at most 6 can be drawn")
    top, pad, bw, bh, pitch, slot = 10, 12, 108, 66, 104, 120
    W = max(3, widest) * slot + 2 * pad
    lows = min(rows)
    H = top + (max(rows) - lows) * pitch + bh + 70
    c = _Canvas(W, H)
    pos: dict[int, tuple[float, float]] = {}
    for lv, row in rows.items():
        for i, v in enumerate(row):
            cx = pad + (i + 0.5) * (W - 2 * pad) / len(row)
            pos[id(v)] = (cx, top + (lv - lows) * pitch + bh / 2)
    number = {id(v): k for k, v in enumerate(drawn)}
    for v in drawn:  # edges first, nodes over them
        x1, y1 = pos[id(v)]
        for p in v.parents:
            if id(p) in shown:
                x0, y0 = pos[id(p)]
                c.arrow(x0, y0 + bh / 2, x1 + 0.25 * (x0 - x1), y1 - bh / 2,
                        opacity=0.75)
    for v in drawn:
        cx, cy = pos[id(v)]
        name = _value_label(v.label) if v.label else ""
        if v.parents:
            what = _op_text(v, shown)
            name = f"{name} = {what}" if name else what
        _small_node(c, cx, cy, name, v.data, v.grad, f"v{number[id(v)]}",
                    w=bw)
    ly = H - 44
    c.text(pad, ly, "0.5975", size=14)
    c.text(pad + 70, ly, "forward value (data)", size=14)
    c.text(pad, ly + 22, "0.02446", size=14, cls="nnbd-b")
    c.text(pad + 70, ly + 22, "∂J/∂(node), the backward value (grad)",
           size=14)
    if alt is None:
        f = format_number
        leaves = [v for v in drawn if not v.parents and v.label]
        grads = ", ".join(f"{v.label}: {f(v.grad)}" for v in leaves)
        alt = (f"Computational graph of {len(drawn)} nodes, drawn top to "
               f"bottom in the order of the forward pass, {len(rows)} rows; "
               f"the output is {f(root.data)}. Each node shows its value "
               "and, in a second colour, the derivative of the output with "
               "respect to it" + (f"; for the leaves: {grads}." if grads
                                  else "."))
    return c.render(alt, max_width=max_width, kind="value-graph")


# ----------------------------------------------------------- tables of numbers
def _m(tex: str) -> str:
    """Inline math for MathJax, as arithmatex writes it."""
    tex = html.escape(tex, quote=False)
    return f'<span class="arithmatex">\\({tex}\\)</span>'


def _table(title: str, header: Sequence[str],
           rows: Sequence[tuple[str, str, Sequence[float]]],
           digits: int = 4) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = []
    for tex, q, values in rows:
        cells = "".join(
            f'<td data-q="{q}_{i + 1}" data-value="{float(val)!r}">'
            f'{format_number(val, digits)}</td>'
            for i, val in enumerate(values)
        )
        body.append(f"<tr><td>{_m(tex)}</td>{cells}</tr>")
    return (
        f"<p><strong>{html.escape(title)}</strong></p>\n"
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
        f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body)
        + "\n</tbody></table></div></div>\n"
    )


def _shown(value: float, digits: int = 6) -> float:
    """The number a reader sees: `value` rounded as the page prints it."""
    return float(format_number(value, digits).replace("\u2212", "-"))


def _check_rounding(name: str, recomputed: float, true: float) -> None:
    """A product of the printed (rounded) factors, rounded to four digits,
    must be the printed value rounded to four digits: raise if it is not."""
    f = format_number
    if not f(recomputed) == f(true) == f(_shown(true)):
        raise RuntimeError(
            f"{name}: recomputed from the printed numbers {recomputed!r}, "
            f"engine {true!r}: they differ at four significant digits")


def _check_tables_221(net: Network, v: dict[str, Any]) -> None:
    """Recompute every derived entry of the tables from the printed entries
    (six significant digits) and check it at four digits."""
    s, chk = _shown, _check_rounding
    W1, W2, y = v["W1"], v["W2"][0], v["y"]

    def g(l: int, z: float, a: float) -> tuple[float, float]:
        """Activation and slope, as a reader gets them from printed z, a."""
        act = net.g[l]
        out = float(act.forward(np.array([[z]]))[0, 0])
        if act.name == "sigmoid":
            return out, a * (1 - a)
        if act.name == "tanh":
            return out, 1 - a * a
        return out, float(act.derivative(np.array([[z]]))[0, 0])

    a1 = [s(u) for u in v["a1"]]
    for j in range(2):
        chk(f"z1_{j + 1}", sum(W1[j, k] * s(v["x"][k]) for k in range(2))
            + s(v["b1"][j]), v["z1"][j])
        out, slope = g(1, s(v["z1"][j]), a1[j])
        chk(f"a1_{j + 1}", out, v["a1"][j])
        chk(f"g1_{j + 1}", slope, v["g1"][j])
    chk("z2", W2[0] * a1[0] + W2[1] * a1[1] + s(v["b2"]), v["z2"])
    yhat = s(v["yhat"])
    out, slope = g(2, s(v["z2"]), yhat)
    chk("yhat", out, v["yhat"])
    chk("g2", slope, v["g2"])
    if v["loss"] == "mse":
        chk("Delta", y - yhat, y - v["yhat"])
        chk("J", s(y - v["yhat"]) ** 2, v["J"])
        chk("dyhat", 2 * (yhat - y), v["dyhat"])
    chk("dz2", s(v["dyhat"]) * s(v["g2"]), v["dz2"])
    for j in range(2):
        chk(f"da1_{j + 1}", W2[j] * s(v["dz2"]), v["da1"][j])
        chk(f"dz1_{j + 1}", s(v["da1"][j]) * s(v["g1"][j]), v["dz1"][j])
        chk(f"dW2_{j + 1}", s(v["dz2"]) * a1[j], v["dW2"][0, j])
        for k in range(2):
            chk(f"dW1_{j + 1}{k + 1}", s(v["dz1"][j]) * s(v["x"][k]),
                v["dW1"][j, k])


def value_tables_221(net: Network, x: Any, y: Any) -> str:
    r"""Every intermediate quantity of the 2-2-1 network on one example, as
    five HTML tables.

    The input ($x_k$, columns $k$); the forward pass per hidden unit
    ($z^{[1]}_j$, $a^{[1]}_j$, $g'(z^{[1]}_j)$, and $b^{[1]}_j$ when the
    biases are not zero; columns $j$); the output unit ($z^{[2]}$, $\hat y$,
    $\Delta = y - \hat y$, $J$, $\partial J/\partial \hat y$, $g'(z^{[2]})$,
    $\delta^{[2]}$, $db^{[2]}$); the backward pass per hidden unit
    ($\partial J/\partial a^{[1]}_j$, $\delta^{[1]}_j$, $dW^{[2]}_{1j}$,
    $db^{[1]}_j$); and $dW^{[1]}$ laid out as the matrix (rows $j$, columns
    $k$). Numbers come from `net.forward` and `net.backward`, rounded to six
    significant digits; labels are typeset by MathJax.

    Every derived entry is recomputed from the printed (rounded) entries it
    is made of; rounded to four significant digits it must equal the printed
    entry rounded to four digits, or the function raises.

    Parameters
    ----------
    net : Network
        Sizes ``[2, 2, 1]``, element-wise activations; biases allowed.
    x, y
        One example and its target.

    Returns
    -------
    str
        HTML. Each number's cell carries ``data-q`` (for example ``"dW1_2_1"``
        is $dW^{[1]}_{21}$, row 2, column 1) and ``data-value``.

    Raises
    ------
    RuntimeError
        If a product of the printed numbers does not round to the printed
        result at four significant digits.

    Examples
    --------
    >>> import re
    >>> import numpy as np
    >>> import nnbook as nb
    >>> from nnbook import diagrams
    >>> net = nb.Network.from_parameters(
    ...     {1: [[0.1, 0.4], [0.8, 0.6]], 2: [[0.3, 0.9]]},
    ...     {1: np.zeros((2, 1)), 2: np.zeros((1, 1))}, "sigmoid", "mse")
    >>> out = diagrams.value_tables_221(net, [0.35, 0.90], 0.5)
    >>> re.search(r'data-q="dz1_1"[^>]*>([^<]*)<', out).group(1)
    '0.00588157'
    """
    v = _values_221(net, x, y, biases=True)
    _check_tables_221(net, v)
    g = {"sigmoid": r"\sigma"}.get(v["act1"], "g")
    g2 = {"sigmoid": r"\sigma"}.get(v["act2"], "g")
    with_b = bool(np.any(v["b1"] != 0) or v["b2"] != 0)
    plus1 = " + b^{[1]}_j" if with_b else ""
    plus2 = " + b^{[2]}" if with_b else ""
    mse = v["loss"] == "mse"
    loss = r"J = \Delta^2" if mse else "J"
    dyhat = (r"\partial J/\partial \hat y = 2(\hat y - y)" if mse
             else r"\partial J/\partial \hat y")
    hdr = ["", _m("j = 1"), _m("j = 2")]
    rows0 = [(r"x_k", "x", v["x"])]
    rows1 = [(r"b^{[1]}_j", "b1", v["b1"])] if with_b else []
    rows1 += [
        (rf"z^{{[1]}}_j = \textstyle\sum_k W^{{[1]}}_{{jk}} x_k{plus1}",
         "z1", v["z1"]),
        (rf"a^{{[1]}}_j = {g}(z^{{[1]}}_j)", "a1", v["a1"]),
        (rf"{g}'(z^{{[1]}}_j)", "g1", v["g1"]),
    ]
    rows2 = [(r"b^{[2]}", "b2", [v["b2"]])] if with_b else []
    rows2 += [
        (rf"z^{{[2]}} = \textstyle\sum_j "
         rf"W^{{[2]}}_{{1j}} a^{{[1]}}_j{plus2}", "z2", [v["z2"]]),
        (rf"\hat y = {g2}(z^{{[2]}})", "yhat", [v["yhat"]]),
    ]
    if mse:
        rows2.append((rf"\Delta = y - \hat y \quad "
                      rf"(y = {format_number(v['y'])})", "Delta",
                      [v["y"] - v["yhat"]]))
    rows2 += [
        (loss, "J", [v["J"]]),
        (dyhat, "dyhat", [v["dyhat"]]),
        (rf"{g2}'(z^{{[2]}})", "g2", [v["g2"]]),
        (rf"\delta^{{[2]}} = \tfrac{{\partial J}}{{\partial \hat y}}\, "
         rf"{g2}'(z^{{[2]}})", "dz2", [v["dz2"]]),
        (r"db^{[2]} = \delta^{[2]}", "db2", [v["db2"]]),
    ]
    rows3 = [
        (r"\partial J/\partial a^{[1]}_j = W^{[2]}_{1j}\delta^{[2]}",
         "da1", v["da1"]),
        (rf"\delta^{{[1]}}_j = \tfrac{{\partial J}}{{\partial a^{{[1]}}_j}} "
         rf"{g}'(z^{{[1]}}_j)", "dz1", v["dz1"]),
        (r"dW^{[2]}_{1j} = \delta^{[2]} a^{[1]}_j", "dW2_1j", v["dW2"][0]),
        (r"db^{[1]}_j = \delta^{[1]}_j", "db1", v["db1"]),
    ]
    rows4 = [(rf"j = {j + 1}", f"dW1_{j + 1}", v["dW1"][j]) for j in range(2)]
    hdr4 = [_m(r"dW^{[1]}_{jk} = \delta^{[1]}_j x_k"),
            _m("k = 1"), _m("k = 2")]
    return (
        '<div class="nnbook-value-tables">\n'
        + _table("Input", ["", _m("k = 1"), _m("k = 2")], rows0, 6)
        + _table("Forward, hidden unit j", hdr, rows1, 6)
        + _table("Output unit", ["", _m("\\text{value}")], rows2, 6)
        + _table("Backward, hidden unit j", hdr, rows3, 6)
        + _table("dW[1] as a matrix: row j (hidden unit), column k (input)",
                 hdr4, rows4, 6)
        + "</div>\n"
    )


def hidden_step_221(net: Network, x: Any, y: Any) -> str:
    r"""The hidden layer's backward step of the 2-2-1 network with the numbers
    plugged in, as display math:
    $\delta^{[1]} = (W^{[2]\top}\delta^{[2]}) \odot g'(z^{[1]})$ and the outer
    product $dW^{[1]} = \delta^{[1]} x^\top$, entry by entry.

    Factors are printed with six significant digits (as in the tables),
    products with four; each printed product is checked to be the product
    of the printed factors, rounded to four digits.

    Parameters
    ----------
    net, x, y
        As in [`value_tables_221`][nnbook.diagrams.value_tables_221].

    Returns
    -------
    str
        A ``<div class="arithmatex">`` holding ``\[...\]`` for MathJax.

    Raises
    ------
    RuntimeError
        If a printed product is not the product of the printed factors.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> from nnbook import diagrams
    >>> net = nb.Network.from_parameters(
    ...     {1: [[0.1, 0.4], [0.8, 0.6]], 2: [[0.3, 0.9]]},
    ...     {1: np.zeros((2, 1)), 2: np.zeros((1, 1))}, "sigmoid", "mse")
    >>> "0.002059" in diagrams.hidden_step_221(net, [0.35, 0.90], 0.5)
    True
    """
    v = _values_221(net, x, y, biases=True)
    g = {"sigmoid": r"\sigma"}.get(v["act1"], "g")

    def f(u: float) -> str:  # a factor: six digits, as in the tables
        return format_number(u, 6)

    def col(a: Sequence[str]) -> str:
        return r"\begin{bmatrix}" + r"\\".join(a) + r"\end{bmatrix}"

    W2, d2, g1 = v["W2"][0], v["dz2"], v["g1"]
    d1, xs, dW = v["dz1"], v["x"], v["dW1"]
    for j in range(2):  # each product of printed factors, checked
        _check_rounding(f"delta1_{j + 1}",
                        W2[j] * _shown(d2) * _shown(g1[j]), d1[j])
        for k in range(2):
            _check_rounding(f"dW1_{j + 1}{k + 1}",
                            _shown(d1[j]) * _shown(xs[k]), dW[j, k])
    chain = [rf"{f(W2[j])} \cdot {f(d2)} \cdot {f(g1[j])}" for j in range(2)]
    prods = r"\\".join(
        " & ".join(f"{f(d1[j])} \\cdot {f(xs[k])}" for k in range(2))
        for j in range(2)
    )
    result = r"\\".join(
        " & ".join(format_number(dW[j, k]) for k in range(2))
        for j in range(2))
    lines = [
        rf"\delta^{{[1]}} &= \bigl(W^{{[2]\top}} \delta^{{[2]}}\bigr) "
        rf"\odot {g}'(z^{{[1]}})",
        rf"&= {col(chain)}",
        rf"&= {col([format_number(u) for u in d1])},",
        rf"dW^{{[1]}} &= \delta^{{[1]}} x^\top = {col([f(u) for u in d1])}"
        rf"\begin{{bmatrix}} {f(xs[0])} & {f(xs[1])} \end{{bmatrix}}",
        rf"&= \begin{{bmatrix}} {prods} \end{{bmatrix}}",
        rf"&= \begin{{bmatrix}} {result} \end{{bmatrix}}.",
    ]
    tex = "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
    return f'<div class="arithmatex">\\[\n{tex}\n\\]</div>\n'


# ------------------------------------------------------------------ figure (b)
def _small_node(c: _Canvas, cx: float, cy: float, name: str, fwd: float,
                bwd: float, q: str,
                w: float = 112) -> tuple[float, float, float, float]:
    """A three-line node (name, forward, backward) centred at (cx, cy);
    returns its box."""
    h = 66
    x, y = cx - w / 2, cy - h / 2
    c.box(x, y, w, h)
    c.text(cx, y + 20, name, size=16, anchor="middle", rich=True)
    c.text(cx, y + 40, format_number(fwd), size=14, anchor="middle", q=q,
           value=fwd)
    c.text(cx, y + 58, format_number(bwd), size=14, anchor="middle",
           cls="nnbd-b", q=f"d{q}", value=bwd)
    return x, y, w, h


def _product_line(factors: Sequence[float], result: float) -> str:
    """'0.35 × 0.005882 = 0.002059', with ≈ when the rounded factors do not
    give the rounded result."""
    shown = [format_number(f) for f in factors]
    prod = float(np.prod([float(s.replace("\u2212", "-")) for s in shown]))
    eq = "=" if format_number(prod) == format_number(result) else "≈"
    return f"{' × '.join(shown)} {eq} {format_number(result)}"


def gradient_routing_221(net: Network, x: Any, y: Any, *, unit: int = 1,
                         input: int = 1,
                         alt: Sequence[str] | None = None) -> str:
    r"""How the nodes of the 2-2-1 graph route the gradient, in four panels
    with its numbers.

    The node $z^{[1]}_j$ of
    [`computation_graph_221`][nnbook.diagrams.computation_graph_221] is an add
    node over two multiply nodes,
    $z^{[1]}_j = W^{[1]}_{j1} x_1 + W^{[1]}_{j2} x_2$. The panels show, for
    hidden unit `unit` $= j$ and input `input` $= k$:

    1. **add**: $z^{[1]}_j$ passes $\partial J/\partial z^{[1]}_j$ unchanged to
       both products;
    2. **multiply**: $W^{[1]}_{jk} x_k$ sends to each factor the upstream
       gradient times the *other* factor, so
       $\partial J/\partial W^{[1]}_{jk} = \delta^{[1]}_j x_k$;
    3. **activation**: $a^{[1]}_j = g(z^{[1]}_j)$ multiplies the gradient by
       $g'(z^{[1]}_j)$;
    4. **fork**: $x_k$ feeds both hidden units, and its gradient is the sum
       $W^{[1]}_{1k}\delta^{[1]}_1 + W^{[1]}_{2k}\delta^{[1]}_2$.

    Parameters
    ----------
    net, x, y
        As in [`computation_graph_221`][nnbook.diagrams.computation_graph_221].
    unit, input : int
        The hidden unit $j$ and the input $k$ (1 or 2).
    alt : sequence of four str, optional
        Text alternatives of the four panels; the defaults describe them with
        their numbers.

    Returns
    -------
    str
        A ``<div>`` holding four SVG panels that wrap onto one column on a
        narrow screen.

    Examples
    --------
    >>> import re
    >>> import numpy as np
    >>> import nnbook as nb
    >>> from nnbook import diagrams
    >>> net = nb.Network.from_parameters(
    ...     {1: [[0.1, 0.4], [0.8, 0.6]], 2: [[0.3, 0.9]]},
    ...     {1: np.zeros((2, 1)), 2: np.zeros((1, 1))}, "sigmoid", "mse")
    >>> out = diagrams.gradient_routing_221(net, [0.35, 0.90], 0.5)
    >>> label = re.search(r'data-q="dW1_11"[^>]*>([^<]*)<', out).group(1)
    >>> out.count("<svg"), label
    (4, '0.002059')
    """
    for name, val in (("unit", unit), ("input", input)):
        if (isinstance(val, bool) or not isinstance(val, (int, np.integer))
                or val not in (1, 2)):
            raise ValueError(f"{name}: expected 1 or 2, got {val!r}")
    v = _values_221(net, x, y)
    j, k = int(unit) - 1, int(input) - 1
    g1 = _gname(v["act1"])
    W1 = v["W1"]
    dz = float(v["dz1"][j])
    f = format_number
    panels: list[str] = []
    alts = list(alt) if alt is not None else [None] * 4
    if len(alts) != 4:
        raise ValueError("alt: expected four descriptions (one per panel), "
                         f"got {len(alts)}")
    J, K = j + 1, k + 1
    W, H = 340, 252

    def title(c: _Canvas, text: str) -> None:
        c.text(8, 20, text, size=15, weight="bold")
        c.text(W - 6, 20, "← gradient", size=13, anchor="end", cls="nnbd-b",
               italic=True)

    # 1. add
    c = _Canvas(W, H)
    title(c, "Add: copies the gradient")
    prods = [float(W1[j, i] * v["x"][i]) for i in range(2)]
    lefts = [_small_node(c, 62, 78 + 92 * i,
                         f"W^{{[1]}}_{{{J}{i + 1}}}x_{{{i + 1}}}", prods[i],
                         dz, f"u_{J}{i + 1}") for i in range(2)]
    gx, gy = 176, 124
    for i, (bx, by, bw, bh) in enumerate(lefts):
        c.arrow(gx - 14, gy + (-6 if i == 0 else 6), bx + bw, by + bh / 2,
                cls="nnbd-b")
        c.text(140, by + bh / 2 + (-8 if i == 0 else 20), "×1", size=14,
               anchor="middle", halo=True)
    c.circle(gx, gy, 16)
    c.text(gx, gy + 7, "+", size=20, anchor="middle")
    rx = _small_node(c, 278, gy, f"z^{{[1]}}_{{{J}}}", float(v["z1"][j]), dz,
                     f"z1_{J}", w=108)
    c.arrow(rx[0], gy, gx + 16, gy, cls="nnbd-b")
    c.text(10, 238, f"∂J/∂z = {f(dz)} reaches both inputs as it is.", size=14)
    panels.append(c.render(alts[0] or (
        f"Add node: z[1]_{J} = W[1]_{J}1 x1 + W[1]_{J}2 x2 = {f(prods[0])} + "
        f"{f(prods[1])} = {f(v['z1'][j])}. Its local derivatives are 1, so "
        f"the gradient dJ/dz[1]_{J} = {f(dz)} is passed unchanged to both "
        "products."),
        max_width=360, kind="gate-add"))

    # 2. multiply
    c = _Canvas(W, H)
    title(c, "Multiply: swaps the factors")
    w_jk, x_k = float(W1[j, k]), float(v["x"][k])
    dW = float(v["dW1"][j, k])
    dx_path = w_jk * dz
    left = [_small_node(c, 62, 78, f"W^{{[1]}}_{{{J}{K}}}", w_jk, dW,
                        f"W1_{J}{K}"),
            _small_node(c, 62, 170, f"x_{{{K}}}", x_k, dx_path,
                        f"xpath_{J}{K}")]
    c.circle(gx, gy, 16)
    c.text(gx, gy + 6, "×", size=20, anchor="middle")
    for i, (bx, by, bw, bh) in enumerate(left):
        c.arrow(gx - 14, gy + (-6 if i == 0 else 6), bx + bw, by + bh / 2,
                cls="nnbd-b")
        c.text(140, by + bh / 2 + (-8 if i == 0 else 20),
               f"×{f(x_k if i == 0 else w_jk)}", size=14, anchor="middle",
               halo=True)
    rx = _small_node(c, 278, gy, f"W^{{[1]}}_{{{J}{K}}}x_{{{K}}}",
                     w_jk * x_k, dz, f"u_{J}{K}", w=108)
    c.arrow(rx[0], gy, gx + 16, gy, cls="nnbd-b")
    c.text(10, 222, f"∂J/∂W: {_product_line([x_k, dz], dW)}", size=14)
    c.text(10, 242, f"∂J/∂x: {_product_line([w_jk, dz], dx_path)}", size=14)
    panels.append(c.render(alts[1] or (
        f"Multiply node: W[1]_{J}{K} x{K} = {f(w_jk)} × {f(x_k)} = "
        f"{f(w_jk * x_k)}. Each factor receives the upstream gradient {f(dz)} "
        f"times the other factor: dJ/dW[1]_{J}{K} = {f(x_k)} × {f(dz)} = "
        f"{f(dW)} and, along this path, dJ/dx{K} = {f(w_jk)} × {f(dz)} = "
        f"{f(dx_path)}."), max_width=360, kind="gate-multiply"))

    # 3. activation
    c = _Canvas(W, H)
    title(c, f"Activation: multiplies by {g1}′(z)")
    gj, da = float(v["g1"][j]), float(v["da1"][j])
    bx, by, bw, bh = _small_node(c, 62, gy, f"z^{{[1]}}_{{{J}}}",
                                 float(v["z1"][j]), dz, f"z1_{J}")
    c.circle(gx, gy, 16)
    c.text(gx, gy + 6, g1 if len(g1) == 1 else "g", size=18, anchor="middle")
    c.arrow(gx - 16, gy, bx + bw, gy, cls="nnbd-b")
    c.text(bx + bw + 4, gy - 22, f"×{f(gj)}", size=14, halo=True,
           q=f"e_g1_{J}", value=gj)
    rx = _small_node(c, 278, gy, f"a^{{[1]}}_{{{J}}}", float(v["a1"][j]), da,
                     f"a1_{J}", w=108)
    c.arrow(rx[0], gy, gx + 16, gy, cls="nnbd-b")
    c.text(10, 222, f"{g1}′(z) = {f(gj)}, the slope at z = {f(v['z1'][j])}",
           size=14)
    c.text(10, 242, f"∂J/∂z: {_product_line([gj, da], dz)}", size=14)
    panels.append(c.render(alts[2] or (
        f"Activation node: a[1]_{J} = {g1}(z[1]_{J}) = {g1}({f(v['z1'][j])}) "
        f"= {f(v['a1'][j])}. The gradient dJ/da[1]_{J} = {f(da)} is "
        f"multiplied by the slope {g1}'(z[1]_{J}) = {f(gj)}, giving "
        f"dJ/dz[1]_{J} = {f(dz)}."),
        max_width=360, kind="gate-activation"))

    # 4. fork
    c = _Canvas(W, H)
    title(c, "Fork: the gradients add")
    dzs = [float(v["dz1"][i]) for i in range(2)]
    ws = [float(W1[i, k]) for i in range(2)]
    dxk = float(v["dx"][k])
    bx, by, bw, bh = _small_node(c, 62, gy, f"x_{{{K}}}", x_k, dxk, f"x_{K}")
    for i in range(2):
        cy = 78 + 92 * i
        rx = _small_node(c, 270, cy, f"W^{{[1]}}_{{{i + 1}{K}}}x_{{{K}}}",
                         ws[i] * x_k, dzs[i], f"u_{i + 1}{K}", w=124)
        c.arrow(rx[0], cy, bx + bw, gy + (-8 if i == 0 else 8), cls="nnbd-b")
        c.text(166, (cy + gy) / 2 + (-8 if i == 0 else 16), f"×{f(ws[i])}",
               size=14, anchor="middle", halo=True, q=f"e_W1_{i + 1}{K}",
               value=ws[i])
    c.text(10, 222, f"∂J/∂x: {f(ws[0])} × {f(dzs[0])} + "
           f"{f(ws[1])} × {f(dzs[1])}", size=14)
    c.text(10, 242, f"= {f(ws[0] * dzs[0])} + {f(ws[1] * dzs[1])} = "
           f"{f(dxk)}", size=14, q=f"sum_x_{K}", value=dxk)
    panels.append(c.render(alts[3] or (
        f"Fork: x{K} = {f(x_k)} feeds both hidden units, through W[1]_1{K} = "
        f"{f(ws[0])} and W[1]_2{K} = {f(ws[1])}. The gradients coming back "
        f"along the two paths add: dJ/dx{K} = {f(ws[0])} × {f(dzs[0])} + "
        f"{f(ws[1])} × {f(dzs[1])} = {f(dxk)}."),
        max_width=360, kind="gate-fork"))

    style = ("display:flex;flex-wrap:wrap;justify-content:center;"
             "align-items:flex-start;gap:0.6em 1.6em;margin:1em 0")
    inner = "".join(p.replace('style="width:100%;',
                              'style="flex:1 1 280px;margin:0;width:100%;', 1)
                    for p in panels)
    return (f'<div class="nnbook-diagram-panels" style="{style}">\n'
            f'{inner}</div>\n')


# ------------------------------------------------------------------ figure (c)
def _layer_names(layer: Any) -> tuple[str, str]:
    if isinstance(layer, str):
        if layer != "l":
            raise ValueError("layer: expected 'l' (symbolic) or an integer "
                             f">= 1, got {layer!r}")
        return "l", "l−1"
    if (isinstance(layer, bool) or not isinstance(layer, (int, np.integer))
            or layer < 1):
        raise ValueError("layer: expected 'l' (symbolic) or an integer >= 1, "
                         f"got {layer!r}")
    return str(int(layer)), str(int(layer) - 1)


FLOW_ARROWS: dict[str, tuple[str, str]] = {
    "in->dZ": ("l", "m"),
    "dZ->dW": ("l", "m"),
    "dZ->db": ("l", "m"),
    "dZ->dA": ("l", "m"),
    "dA->dZprev": ("p", "m"),
    "dZprev->out": ("p", "m"),
}
"""The arrows of [`layer_flow`][nnbook.diagrams.layer_flow] and the shape of
what each carries: ``"p"`` is $n^{[l-1]}$, ``"l"`` is $n^{[l]}$, ``"m"`` the
number of examples."""
FLOW_NODES: dict[str, tuple[str, str]] = {
    "dZ": ("l", "m"),
    "dW": ("l", "p"),
    "db": ("l", "1"),
    "dA": ("p", "m"),
    "dZprev": ("p", "m"),
}
"""The nodes of [`layer_flow`][nnbook.diagrams.layer_flow] and the shapes of
their results."""


def layer_flow(layer: Any = "l", *, sizes: Sequence[int] | None = None,
               alt: str | None = None) -> str:
    r"""One step of the backward loop as a flow diagram, with the shape on
    every arrow.

    From $dZ^{[l]}$, shape $(n^{[l]}, m)$, the step computes
    $dW^{[l]} = \tfrac1m dZ^{[l]} A^{[l-1]\top}$,
    $db^{[l]} = \tfrac1m \sum_i dZ^{[l]}_{:,i}$,
    $dA^{[l-1]} = W^{[l]\top} dZ^{[l]}$ and
    $dZ^{[l-1]} = dA^{[l-1]} \odot g'(Z^{[l-1]})$, reading $A^{[l-1]}$,
    $W^{[l]}$ and $Z^{[l-1]}$ from the forward pass. Each arrow is labelled
    with the shape of the matrix it carries; each node with the shape of its
    result and the shapes of the product that makes it.

    Parameters
    ----------
    layer : "l" or int
        Symbolic ``"l"`` (default) or a layer number $\geq 1$.
    sizes : (n_prev, n_l, m), optional
        $n^{[l-1]}$, $n^{[l]}$ and $m$ of a concrete example: every shape is
        then also given in numbers, e.g. $(n^{[l]}, m) = (3, 5)$.
    alt : str, optional
        Text alternative; the default describes the diagram.

    Returns
    -------
    str
        SVG markup. Each arrow's shape label carries ``data-arrow``
        (``"dZ->dW"``, ...), each node's ``data-node`` (``"dW"``, ...), both
        with ``data-shape`` (symbolic, as ``"(n[l], m)"``) and, given `sizes`,
        ``data-size`` (as ``"(3, 5)"``).

    Examples
    --------
    >>> import re
    >>> from nnbook import diagrams
    >>> svg = diagrams.layer_flow(sizes=(4, 3, 5))
    >>> pattern = r'data-node="dW" data-shape="([^"]*)" data-size="([^"]*)"'
    >>> re.findall(pattern, svg)
    [('(n[l], n[l−1])', '(3, 4)')]
    """
    L, P = _layer_names(layer)
    num: dict[str, int] | None = None
    if sizes is not None:
        s = list(sizes) if isinstance(sizes, (list, tuple)) else None
        if s is None or len(s) != 3 or any(
            isinstance(n, bool) or not isinstance(n, (int, np.integer))
            or n < 1 for n in s
        ):
            raise ValueError("sizes: expected three positive integers "
                             f"(n_prev, n_l, m), got {sizes!r}")
        num = {"p": int(s[0]), "l": int(s[1]), "m": int(s[2]), "1": 1}
    sym = {"p": f"n^{{[{P}]}}", "l": f"n^{{[{L}]}}", "m": "m", "1": "1"}
    plain = {"p": f"n[{P}]", "l": f"n[{L}]", "m": "m", "1": "1"}

    def shp(rc: tuple[str, str], table: dict[str, Any]) -> str:
        return f"({table[rc[0]]}, {table[rc[1]]})"

    def tag(kind: str, key: str, rc: tuple[str, str]) -> str:
        extra = f' data-size="{shp(rc, num)}"' if num is not None else ""
        return f'data-{kind}="{key}" data-shape="{shp(rc, plain)}"{extra} '

    W, H = 440, 560 if num is None else 600
    c = _Canvas(W, H)

    def mark(attrs: str) -> None:  # tag the text element just drawn
        c.parts[-1] = c.parts[-1].replace("<text ", "<text " + attrs, 1)

    def arrow_label(key: str, x: float, y: float, anchor: str) -> None:
        rc = FLOW_ARROWS[key]
        c.text(x, y, shp(rc, sym), size=14, anchor=anchor, rich=True)
        mark(tag("arrow", key, rc))
        if num is not None:
            c.text(x, y + 17, f"= {shp(rc, num)}", size=13, anchor=anchor)

    def grad_node(key: str, x: float, y: float, w: float, name: str,
                  formula: str,
                  shapes: str) -> tuple[float, float, float, float]:
        h = 74 if formula else 46
        c.box(x, y, w, h, cls="nnbd-bs")
        c.text(x + 10, y + 22, name, size=16, rich=True, cls="nnbd-b",
               weight="bold")
        rc = FLOW_NODES[key]
        result = shp(rc, sym)
        if num is not None:
            result += f" = {shp(rc, num)}"
        c.text(x + w - 8, y + 21, result, size=13, anchor="end", rich=True)
        mark(tag("node", key, rc))
        if formula:
            c.text(x + 10, y + 45, formula, size=14, rich=True)
            c.text(x + 10, y + 65, shapes, size=12.5, rich=True, muted=True)
        return x, y, w, h

    spine, left = 104, 16
    # from the step above (or the loss) into dZ[l]
    c.text(left, 16, f"from step {L} + 1, or the loss" if L == "l"
           else f"from step {int(L) + 1}, or the loss", size=13, italic=True)
    c.arrow(spine, 24, spine, 62, cls="nnbd-b")
    arrow_label("in->dZ", spine + 8, 40 if num else 48, "start")
    top = grad_node("dZ", left, 62, 176, f"dZ^{{[{L}]}}", "", "")
    # dZ[l] -> dW[l] (right, same row)
    rx, rw = 254, 180
    grad_node("dW", rx, 62, rw, f"dW^{{[{L}]}}",
              f"= dZ^{{[{L}]}}A^{{[{P}]⊤}} / m",
              f"({sym['l']}, m)({'m'}, {sym['p']})")
    c.arrow(left + 176, 85, rx, 85, cls="nnbd-b")
    arrow_label("dZ->dW", (left + 176 + rx) / 2, 58 if num else 78, "middle")
    # dZ[l] -> db[l] (diagonal, down right)
    grad_node("db", rx, 190, rw, f"db^{{[{L}]}}",
              f"= Σ_{{i}} dZ^{{[{L}]}}_{{:,i}} / m", "sum of the m columns")
    c.arrow(150, top[1] + top[3], rx, 190 + 37, cls="nnbd-b")
    arrow_label("dZ->db", 208, 152, "start")
    # the spine: dZ[l] -> dA[l-1] -> dZ[l-1] -> next step
    yA = 258
    grad_node("dA", left, yA, 214, f"dA^{{[{P}]}}",
              f"= W^{{[{L}]⊤}}dZ^{{[{L}]}}",
              f"({sym['p']}, {sym['l']})({sym['l']}, m)")
    c.arrow(spine - 40, top[1] + top[3], spine - 40, yA, cls="nnbd-b")
    arrow_label("dZ->dA", spine - 32, 190, "start")
    yZ = yA + 74 + 66
    grad_node("dZprev", left, yZ, 236, f"dZ^{{[{P}]}}",
              f"= dA^{{[{P}]}} ⊙ g′(Z^{{[{P}]}})",
              f"({sym['p']}, m) ⊙ ({sym['p']}, m)")
    c.arrow(spine - 40, yA + 74, spine - 40, yZ, cls="nnbd-b")
    arrow_label("dA->dZprev", spine - 32, yA + 74 + 30, "start")
    yN = yZ + 74
    c.arrow(spine - 40, yN, spine - 40, yN + 50, cls="nnbd-b")
    arrow_label("dZprev->out", spine - 32, yN + 28, "start")
    c.text(left, yN + 68, f"to step {P}", size=13, italic=True)

    # notes in the free space on the right
    nx, ny = 262, 292
    notes = [
        f"A^{{[{P}]}}, W^{{[{L}]}}, Z^{{[{P}]}} come",
        "from the forward pass.",
        "On each arrow: the shape",
        "(rows, columns) of what",
        "it carries.",
    ]
    if num is not None:
        notes += ["", "Example:",
                  f"n^{{[{P}]}} = {num['p']}, n^{{[{L}]}} = {num['l']}, "
                  f"m = {num['m']}"]
    for i, line in enumerate(notes):
        if line:
            c.text(nx, ny + 20 * i, line, size=13, rich=True)

    if alt is None:
        ex = ""
        if num is not None:
            ex = (f" In the example n[{P}] = {num['p']}, n[{L}] = {num['l']}, "
                  f"m = {num['m']}, so dZ[{L}] is {shp(('l', 'm'), num)}, "
                  f"dW[{L}] {shp(('l', 'p'), num)}, db[{L}] "
                  f"{shp(('l', '1'), num)} and dA[{P}], dZ[{P}] "
                  f"{shp(('p', 'm'), num)}.")
        alt = (
            f"Flow diagram of one step of the backward loop. dZ[{L}], shape "
            f"(n[{L}], m), arrives from step {L} + 1 or from the loss. Three "
            f"arrows leave it, each carrying shape (n[{L}], m): to dW[{L}] = "
            f"dZ[{L}] A[{P}] transposed over m, shape (n[{L}], n[{P}]); to "
            f"db[{L}] = the sum of the m columns of dZ[{L}] over m, shape "
            f"(n[{L}], 1); and to dA[{P}] = W[{L}] transposed times dZ[{L}], "
            f"shape (n[{P}], m). An arrow of shape (n[{P}], m) takes dA[{P}] "
            f"to dZ[{P}] = dA[{P}] times g'(Z[{P}]) element by element, shape "
            f"(n[{P}], m), which goes on to step {P}. A[{P}], W[{L}] and "
            f"Z[{P}] come from the forward pass." + ex
        )
    return c.render(alt, max_width=480, kind="layer-flow")


# ----------------------------------------------------------------- the stepper
_TEX_G = {"sigmoid": r"\sigma", "tanh": r"\tanh"}


_RESULT_DIGITS = 4  # a formula's result: what its shown numbers give


def _stepper_text(value: float) -> str:
    """How the stepper writes a number: one that six significant digits hold
    (to 1e-12: an input, a weight, 0.8 * 0.35 + 0.6 * 0.9) as it is, any
    other with six significant digits, trailing zeros kept (``0.0155740``)."""
    short = format_number(value, 6)
    v = float(value)
    if abs(float(short.replace("\u2212", "-")) - v) <= 1e-12 * abs(v):
        return short
    text = f"{float(value):#.6g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant.rstrip('.')}e{exp}"
    return text.rstrip(".").replace("-", "\u2212")


def _tex_number(text: str) -> str:
    """A number as the stepper writes it, in TeX."""
    text = text.replace("\u2212", "-")
    if "e" in text:  # 1.2e-05 -> 1.2 \times 10^{-5}
        mant, exp = text.split("e")
        text = rf"{mant} \times 10^{{{int(exp)}}}"
    return text


def _number(text: str) -> float:
    """A number as the stepper writes it, read back."""
    return float(text.replace("\u2212", "-").lstrip("×"))


def _html_symbol(text: str) -> str:
    """``z^{[1]}_{1}`` as HTML: ``z<sup>[1]</sup><sub>1</sub>``."""
    text = html.escape(text, quote=False)
    text = re.sub(r"\^\{([^}]*)\}", r"<sup>\1</sup>", text)
    return re.sub(r"_\{([^}]*)\}", r"<sub>\1</sub>", text)


def _engine_221(net: Network, X: np.ndarray, Y: np.ndarray,
                lr: float) -> dict[str, float]:
    """Every number the stepper shows, recomputed from the engine on its
    own (`forward`, `backward`, `step` on a copy, then `forward` and `cost`
    of the copy): what the stepper's data is checked against before it is
    embedded. ``<name>_new``: after the step."""
    cache = net.forward(X)
    grads = net.backward(cache, Y)
    after = net.copy()
    after.step(grads, lr)
    new = after.forward(X)
    Z, A = cache.Z, cache.A
    e: dict[str, Any] = {
        "alpha": lr, "y": Y[0, 0], "J": net.cost(X, Y), "dJ": 1.0,
        "J_new": after.cost(X, Y), "z2": Z[2][0, 0], "yhat": A[2][0, 0],
        "z2_new": new.Z[2][0, 0], "yhat_new": new.A[2][0, 0],
        "g2": net.g[2].derivative(Z[2])[0, 0],
        "dyhat": net.loss.derivative(A[2], Y)[0, 0],
        "dz2": grads.dZ[2][0, 0], "db2": grads.db[2][0, 0],
        "b2": net.b[2][0, 0], "b2_new": after.b[2][0, 0],
    }
    dx = net.W[1].T @ grads.dZ[1]  # dA[0]: the graph shows it on x
    for j in range(2):
        n = j + 1
        e |= {f"x_{n}": A[0][j, 0], f"dx_{n}": dx[j, 0],
              f"z1_{n}": Z[1][j, 0], f"a1_{n}": A[1][j, 0],
              f"z1_{n}_new": new.Z[1][j, 0], f"a1_{n}_new": new.A[1][j, 0],
              f"g1_{n}": net.g[1].derivative(Z[1])[j, 0],
              f"da1_{n}": grads.dA[1][j, 0], f"dz1_{n}": grads.dZ[1][j, 0],
              f"db1_{n}": grads.db[1][j, 0], f"b1_{n}": net.b[1][j, 0],
              f"b1_{n}_new": after.b[1][j, 0],
              f"W2_1{n}": net.W[2][0, j], f"dW2_1{n}": grads.dW[2][0, j],
              f"W2_1{n}_new": after.W[2][0, j]}
        for k in range(2):
            e |= {f"W1_{n}{k + 1}": net.W[1][j, k],
                  f"dW1_{n}{k + 1}": grads.dW[1][j, k],
                  f"W1_{n}{k + 1}_new": after.W[1][j, k]}
    return {key: float(val) for key, val in e.items()}


def _steps_221(net: Network, v: dict[str, Any], lr: float,
               after: Network, X: np.ndarray,
               Y: np.ndarray) -> list[dict[str, Any]]:
    """The stepper's steps, in the order the engine computes them. Each step
    names what it computes (``q``), the graph's nodes and edges to highlight,
    the graph numbers it reveals, its numbers as ``(quantity, value)`` pairs
    (its result last) and as the text it shows (``texts``: the factors as
    `_stepper_text` writes them, the result as they give it, to
    ``_RESULT_DIGITS`` significant digits), its formula as TeX lines (the
    first symbolic; in the others ``{0}``, ``{1}``, ... stand for the
    texts), its sentence (the same placeholders) and the rule that
    recomputes its result from the shown factors. The update also carries
    the graph's numbers after the step (``set``) and the ones it hides."""
    g1t, g2t = _TEX_G.get(v["act1"], "g"), _TEX_G.get(v["act2"], "g")
    g1, g2 = _gname(v["act1"]), _gname(v["act2"])
    W1, W2 = v["W1"], v["W2"]
    steps: list[dict[str, Any]] = []
    fmt = _stepper_text

    def add(phase: str, q: str, name: str, nums: list[tuple[str, float]],
            tex: list[str], rule: str, say: str, *, nodes: Sequence[str] = (),
            edges: Sequence[str] = (), reveal: Sequence[str] = ()) -> None:
        nums = [(k, float(u)) for k, u in nums]
        texts = [fmt(u) for _, u in nums]
        if rule == "update":  # the new parameters and J: as on the graph
            texts[1:] = [format_number(u, _RESULT_DIGITS) for _, u in nums[1:]]
        elif rule not in ("copy", "one"):  # arithmetic: four digits
            texts[-1] = format_number(nums[-1][1], _RESULT_DIGITS)
        steps.append({"phase": phase, "q": q, "name": name, "nums": nums,
                      "texts": texts, "number": fmt(nums[-1][1]),
                      "tex": tex, "rule": rule, "say": say.format(*texts)
                      + ("" if texts[-1] == fmt(nums[-1][1]) else
                         " The engine's value, to six digits: "
                         f"{fmt(nums[-1][1])}."),
                      "nodes": list(nodes), "edges": list(edges),
                      "reveal": list(reveal), "set": {}, "hide": []})

    # forward, node by node
    for j in range(2):
        n = j + 1
        add("forward", f"z1_{n}", f"z^{{[1]}}_{{{n}}}",
            [(f"W1_{n}1", W1[j, 0]), ("x_1", v["x"][0]),
             (f"W1_{n}2", W1[j, 1]), ("x_2", v["x"][1]),
             (f"z1_{n}", v["z1"][j])],
            [rf"z^{{[1]}}_{n} &= W^{{[1]}}_{{{n}1}} x_1 + "
             rf"W^{{[1]}}_{{{n}2}} x_2",
             r"&= {0} \times {1} + {2} \times {3}", "&= {4}"],
            "dot", f"Hidden unit {n} adds its weighted inputs: z[1]_{n} = "
            "{0} × {1} + {2} × {3} = {4}.",
            nodes=[f"z1_{n}"], edges=[f"x_1-z1_{n}", f"x_2-z1_{n}"],
            reveal=[f"z1_{n}"])
    for j in range(2):
        n = j + 1
        add("forward", f"a1_{n}", f"a^{{[1]}}_{{{n}}}",
            [(f"z1_{n}", v["z1"][j]), (f"a1_{n}", v["a1"][j])],
            [rf"a^{{[1]}}_{n} &= {g1t}(z^{{[1]}}_{n})",
             rf"&= {g1t}({{0}}) = {{1}}"],
            "act1", f"Hidden unit {n} applies its activation: a[1]_{n} = "
            f"{g1}({{0}}) = {{1}}.",
            nodes=[f"a1_{n}"], edges=[f"z1_{n}-a1_{n}"], reveal=[f"a1_{n}"])
    add("forward", "z2", "z^{[2]}",
        [("W2_11", W2[0, 0]), ("a1_1", v["a1"][0]), ("W2_12", W2[0, 1]),
         ("a1_2", v["a1"][1]), ("z2", v["z2"])],
        [r"z^{[2]} &= W^{[2]}_{11} a^{[1]}_1 + W^{[2]}_{12} a^{[1]}_2",
         r"&= {0} \times {1}", r"&\quad + {2} \times {3}", "&= {4}"],
        "dot", "The output unit adds its weighted inputs: z[2] = "
        "{0} × {1} + {2} × {3} = {4}.",
        nodes=["z2"], edges=["a1_1-z2", "a1_2-z2"], reveal=["z2"])
    add("forward", "yhat", "ŷ", [("z2", v["z2"]), ("yhat", v["yhat"])],
        [rf"\hat y &= {g2t}(z^{{[2]}})", rf"&= {g2t}({{0}}) = {{1}}"],
        "act2", f"The output applies its activation: ŷ = {g2}({{0}}) = {{1}}.",
        nodes=["yhat"], edges=["z2-yhat"], reveal=["yhat"])
    add("forward", "J", "J", [("yhat", v["yhat"]), ("y", v["y"]),
                              ("J", v["J"])],
        [r"J &= (\hat y - y)^2", r"&= ({0} - {1})^2", "&= {2}"],
        "sq", "The loss compares ŷ with the target y = {1}: J = "
        "({0} − {1})² = {2}.", nodes=["J"], edges=["yhat-J"], reveal=["J"])

    # backward, edge by edge, in the order of Network.backward
    add("backward", "dJ", "∂J/∂J", [("dJ", 1.0)],
        [r"\frac{\partial J}{\partial J}", "&= {0}"], "one",
        "The backward pass starts at the loss: ∂J/∂J = {0}.",
        nodes=["J"], reveal=["dJ"])
    add("backward", "dyhat", "∂J/∂ŷ",
        [("yhat", v["yhat"]), ("y", v["y"]), ("dyhat", v["dyhat"])],
        [r"\frac{\partial J}{\partial \hat y} &= 2(\hat y - y)",
         r"&= 2 \times ({0} - {1})", "&= {2}"],
        "mse'", "Back along the edge from J to ŷ: ∂J/∂ŷ = 2(ŷ − y) = "
        "2 × ({0} − {1}) = {2}.",
        nodes=["yhat"], edges=["yhat-J"], reveal=["dyhat", "e_dyhat"])
    add("backward", "dz2", "δ^{[2]}",
        [("dyhat", v["dyhat"]), ("g2", v["g2"]), ("dz2", v["dz2"])],
        [r"\delta^{[2]} &= \frac{\partial J}{\partial \hat y}\, "
         rf"{g2t}'(z^{{[2]}})", r"&= {0} \times {1}", "&= {2}"],
        "prod", "Back through the output's activation: δ[2] = ∂J/∂ŷ × "
        f"{g2}′(z[2]) = {{0}} × {{1}} = {{2}}.",
        nodes=["z2"], edges=["z2-yhat"], reveal=["dz2", "e_g2"])
    for j in range(2):
        n = j + 1
        add("backward", f"dW2_1{n}", f"dW^{{[2]}}_{{1{n}}}",
            [("dz2", v["dz2"]), (f"a1_{n}", v["a1"][j]),
             (f"dW2_1{n}", v["dW2"][0, j])],
            [rf"dW^{{[2]}}_{{1{n}}} &= \delta^{{[2]}}\, a^{{[1]}}_{n}",
             r"&= {0} \times {1}", "&= {2}"],
            "prod", f"The weight W[2]_1{n} on the edge from a[1]_{n} to z[2] "
            f"gets its gradient: dW[2]_1{n} = δ[2] × a[1]_{n} = "
            "{0} × {1} = {2}.", edges=[f"a1_{n}-z2"])
    add("backward", "db2", "db^{[2]}", [("dz2", v["dz2"]), ("db2", v["db2"])],
        [r"db^{[2]} &= \delta^{[2]}", "&= {0}"], "copy",
        "The bias b[2] adds straight into z[2], so its gradient is the error "
        "signal itself: db[2] = δ[2] = {1}.", nodes=["z2"])
    for j in range(2):
        n = j + 1
        add("backward", f"da1_{n}", f"∂J/∂a^{{[1]}}_{{{n}}}",
            [(f"W2_1{n}", W2[0, j]), ("dz2", v["dz2"]),
             (f"da1_{n}", v["da1"][j])],
            [rf"\frac{{\partial J}}{{\partial a^{{[1]}}_{n}}} &= "
             rf"W^{{[2]}}_{{1{n}}}\, \delta^{{[2]}}",
             r"&= {0} \times {1}", "&= {2}"],
            "prod", f"Back along the edge from z[2] to a[1]_{n}: ∂J/∂a[1]_{n} "
            f"= W[2]_1{n} × δ[2] = {{0}} × {{1}} = {{2}}.",
            nodes=[f"a1_{n}"], edges=[f"a1_{n}-z2"], reveal=[f"da1_{n}"])
    for j in range(2):
        n = j + 1
        add("backward", f"dz1_{n}", f"δ^{{[1]}}_{{{n}}}",
            [(f"da1_{n}", v["da1"][j]), (f"g1_{n}", v["g1"][j]),
             (f"dz1_{n}", v["dz1"][j])],
            [rf"\delta^{{[1]}}_{n} &= \frac{{\partial J}}"
             rf"{{\partial a^{{[1]}}_{n}}}\, {g1t}'(z^{{[1]}}_{n})",
             r"&= {0} \times {1}", "&= {2}"],
            "prod", f"Back through hidden unit {n}'s activation: δ[1]_{n} = "
            f"∂J/∂a[1]_{n} × {g1}′(z[1]_{n}) = {{0}} × {{1}} = {{2}}.",
            nodes=[f"z1_{n}"], edges=[f"z1_{n}-a1_{n}"],
            reveal=[f"dz1_{n}", f"e_g1_{n}"])
    for j in range(2):
        n = j + 1
        for k in range(2):
            K = k + 1
            add("backward", f"dW1_{n}{K}", f"dW^{{[1]}}_{{{n}{K}}}",
                [(f"dz1_{n}", v["dz1"][j]), (f"x_{K}", v["x"][k]),
                 (f"dW1_{n}{K}", v["dW1"][j, k])],
                [rf"dW^{{[1]}}_{{{n}{K}}} &= \delta^{{[1]}}_{n}\, x_{K}",
                 r"&= {0} \times {1}", "&= {2}"],
                "prod", f"The weight W[1]_{n}{K} on the edge from x_{K} to "
                f"z[1]_{n} gets its gradient: dW[1]_{n}{K} = δ[1]_{n} × x_{K}"
                " = {0} × {1} = {2}.", edges=[f"x_{K}-z1_{n}"])
    for j in range(2):
        n = j + 1
        add("backward", f"db1_{n}", f"db^{{[1]}}_{{{n}}}",
            [(f"dz1_{n}", v["dz1"][j]), (f"db1_{n}", v["db1"][j])],
            [rf"db^{{[1]}}_{n} &= \delta^{{[1]}}_{n}", "&= {0}"], "copy",
            f"The bias b[1]_{n} adds into z[1]_{n}: db[1]_{n} = δ[1]_{n} = "
            "{1}.", nodes=[f"z1_{n}"])

    # the update: the engine's step, on a copy, and its forward pass
    nW1, nW2 = after.W[1], after.W[2]
    nb1, nb2 = after.b[1][:, 0], float(after.b[2][0, 0])
    add("update", "J_new", "J after the step",
        [("alpha", lr), ("W1_11_new", nW1[0, 0]), ("W1_12_new", nW1[0, 1]),
         ("W1_21_new", nW1[1, 0]), ("W1_22_new", nW1[1, 1]),
         ("b1_1_new", nb1[0]), ("b1_2_new", nb1[1]),
         ("W2_11_new", nW2[0, 0]), ("W2_12_new", nW2[0, 1]),
         ("b2_new", nb2), ("J", v["J"]), ("J_new", after.cost(X, Y))],
        [r"W^{[l]} &:= W^{[l]} - \alpha\, dW^{[l]}",
         r"b^{{[l]}} &:= b^{{[l]}} - \alpha\, db^{{[l]}}",
         r"\alpha &= {0}",
         r"W^{{[1]}} &\approx \begin{{bmatrix}} {1} & {2} \\ {3} & {4} "
         r"\end{{bmatrix}}",
         r"b^{{[1]}} &\approx \begin{{bmatrix}} {5} \\ {6} \end{{bmatrix}}",
         r"W^{{[2]}} &\approx \begin{{bmatrix}} {7} & {8} \end{{bmatrix}}",
         r"b^{{[2]}} &\approx {9}", r"J &: {10} \to {11}"],
        "update", "The update: every weight and bias moves against its "
        "gradient, with learning rate α = {0}; the graph now shows the new "
        "weights and the forward pass with them (the old gradients are "
        "hidden). The loss on this example falls from {10} to {11}.",
        nodes=["J"], edges=[f"x_{k + 1}-z1_{j + 1}" for j in range(2)
                            for k in range(2)] + ["a1_1-z2", "a1_2-z2"])
    update, new = steps[-1], after.forward(X)
    for j in range(2):
        n = j + 1
        update["set"] |= {f"z1_{n}": new.Z[1][j, 0], f"a1_{n}": new.A[1][j, 0],
                          f"e_W2_1{n}": nW2[0, j]}
        for k in range(2):
            update["set"][f"e_W1_{n}{k + 1}"] = nW1[j, k]
    update["set"] |= {"z2": new.Z[2][0, 0], "yhat": new.A[2][0, 0],
                      "J": after.cost(X, Y)}
    update["set"] = {q: ("×" if q.startswith("e_") else "")
                     + format_number(val) for q, val in update["set"].items()}
    update["hide"] = ["e_dyhat", "e_g2", "e_g1_1", "e_g1_2", "dJ", "dyhat",
                      "dz2", "da1_1", "da1_2", "dz1_1", "dz1_2"]
    return steps


def _recompute(rule: str, s: list[float], net: Network) -> float | None:
    """A step's result recomputed from its factors as they are shown;
    ``None`` for the update, checked entry by entry."""
    if rule == "dot":
        return s[0] * s[1] + s[2] * s[3]
    if rule in ("act1", "act2"):
        l = 1 if rule == "act1" else 2
        return float(net.g[l].forward(np.array([[s[0]]]))[0, 0])
    if rule == "sq":
        return (s[0] - s[1]) ** 2
    if rule == "mse'":
        return 2 * (s[0] - s[1])
    if rule == "prod":
        return s[0] * s[1]
    if rule == "copy":
        return s[0]
    if rule == "one":  # dJ/dJ
        return 1.0
    return None


def _check_steps_221(steps: list[dict[str, Any]], svg: str, net: Network,
                     X: np.ndarray, Y: np.ndarray, lr: float) -> int:
    """Check every number of the stepper against the engine, and every
    formula's arithmetic. Each step's numbers must be the engine's; each
    shown factor its value as `_stepper_text` writes it (the same text in
    every step that uses it); each shown result exactly the text that the
    shown factors give when recomputed and rounded as the result is (and
    the engine's value rounded so); the update's new parameters exactly
    what the earlier steps' shown values give; every number of the graph,
    before and after the update, the engine's at four digits. Returns how
    many numbers it checked; raises RuntimeError naming the first one that
    fails."""
    ref = _engine_221(net, X, Y, lr)
    checked = 0
    headline: dict[str, str] = {}  # each quantity's text where computed

    def same(name: str, value: float) -> None:
        nonlocal checked
        key = name.removeprefix("e_")
        if key not in ref:
            raise RuntimeError(f"stepper: {name!r} is not a quantity the "
                               "engine computes")
        true = ref[key]
        if not abs(value - true) <= 1e-12 * max(abs(true), 1e-300):
            raise RuntimeError(f"stepper: {name} is {value!r} in the stepper "
                               f"but {true!r} in the engine")
        checked += 1

    def reproduce(step: str, name: str, again: float, text: str,
                  digits: int) -> None:
        got = format_number(again, digits)
        true = format_number(ref[name], digits)
        if not got == text == true:
            raise RuntimeError(
                f"stepper: step {step!r} shows {name} = {text}, but its "
                f"shown numbers give {again!r}, written {got}, and the "
                f"engine's value written so is {true}: the formula does not "
                "reproduce by hand")

    for step in steps:
        keys = [k for k, _ in step["nums"]]
        for k, val in step["nums"]:
            same(k, val)
        if keys[-1] != step["q"]:
            raise RuntimeError(f"stepper: step {step['q']!r} ends with "
                               f"{keys[-1]!r}, not its result")
        if step["number"] != _stepper_text(ref[step["q"]]):
            raise RuntimeError(f"stepper: step {step['q']!r} shows "
                               f"{step['number']}, not the engine's value")
        headline[step["q"]] = step["number"]
        factors = step["texts"][:-1]
        if step["rule"] != "update":
            for (k, val), text in zip(step["nums"], factors, strict=False):
                if text != headline.get(k, _stepper_text(val)):
                    raise RuntimeError(f"stepper: step {step['q']!r} shows "
                                       f"{k} as {text}, elsewhere "
                                       f"{headline.get(k)}")
            if step["rule"] in ("copy", "one"):  # the same text again
                same_text = factors[0] if factors else "1"
                if not step["texts"][-1] == same_text == step["number"]:
                    raise RuntimeError(f"stepper: step {step['q']!r} shows "
                                       f"{step['texts'][-1]}, its factor "
                                       f"{same_text}")
                continue
            again = _recompute(step["rule"], [_number(t) for t in factors],
                               net)
            reproduce(step["q"], step["q"], again, step["texts"][-1],
                      _RESULT_DIGITS)
            continue
        # the update: new = old - alpha * gradient, from the shown numbers
        alpha = _number(step["texts"][0])
        for (k, _), text in zip(step["nums"][1:-2], step["texts"][1:-2],
                                strict=True):
            old = k.removesuffix("_new")
            w = _number(_stepper_text(ref[old]))
            again = w - alpha * _number(headline["d" + old])
            reproduce(step["q"], k, again, text, _RESULT_DIGITS)
        if step["texts"][-2:] != [format_number(ref["J"], _RESULT_DIGITS),
                                  format_number(ref["J_new"],
                                                _RESULT_DIGITS)]:
            raise RuntimeError(f"stepper: the update shows J as "
                               f"{step['texts'][-2:]}")
        for q, text in step["set"].items():  # the graph after the step
            key = q.removeprefix("e_") + "_new"
            if text.lstrip("×") != format_number(ref[key]):
                raise RuntimeError(f"stepper: after the update the graph "
                                   f"shows {q} as {text!r}, the engine's "
                                   f"value is {ref[key]!r}")
            checked += 1
    shown_in_graph = re.findall(
        r'data-q="([^"]+)" data-value="([^"]+)">([^<]*)<', svg)
    for q, value, text in shown_in_graph:
        same(q, float(value))
        true = ref[q.removeprefix("e_")]
        number = text.rsplit(" ", 1)[-1].lstrip("×")  # "×0.4", "y = 0.5"
        if number != format_number(true):
            raise RuntimeError(f"stepper: the graph shows {q} as {text!r}, "
                               f"the engine's value is {true!r}")
    if len(shown_in_graph) != 29:  # 9 nodes x 2, y, 10 edges
        raise RuntimeError("stepper: the graph shows "
                           f"{len(shown_in_graph)} numbers, expected 29")
    graph_qs = {q for q, _, _ in shown_in_graph}
    update = steps[-1]
    forward_qs = {q for q in graph_qs if q not in update["hide"]
                  and not q.startswith("dx_")} - {"x_1", "x_2", "y"}
    if set(update["set"]) != forward_qs:
        raise RuntimeError("stepper: the update changes "
                           f"{sorted(update['set'])}, expected "
                           f"{sorted(forward_qs)}")
    return checked


_PHASES = {"forward": "Forward pass", "backward": "Backward pass",
           "update": "Update"}


def stepper_221(net: Network, x: Any, y: Any, learning_rate: float, *,
                alt: str | None = None) -> str:
    r"""A step-by-step walk through one training step of the bias-free
    2-2-1 network, as HTML for the book's stepper (``stepper.js``).

    The steps follow the engine: the forward pass node by node
    ($z^{[1]}_j$, $a^{[1]}_j$, $z^{[2]}$, $\hat y$, $J$); the backward pass
    edge by edge in the order of `Network.backward`
    ($\partial J/\partial \hat y$, $\delta^{[2]}$, $dW^{[2]}$, $db^{[2]}$,
    $\partial J/\partial a^{[1]}$, $\delta^{[1]}$, $dW^{[1]}$, $db^{[1]}$);
    and last the update $W^{[l]} := W^{[l]} - \alpha\, dW^{[l]}$,
    $b^{[l]} := b^{[l]} - \alpha\, db^{[l]}$ (`Network.step` on a copy) with
    the new cost. Each step highlights nodes and edges of the graph drawn by
    [`computation_graph_221`][nnbook.diagrams.computation_graph_221]'s
    machinery (on a backward step, an arrow in the backward colour points up
    the highlighted edge), and has a formula with the numbers substituted
    (typeset by MathJax), its value and a sentence for a live region. A
    value is shown to six significant digits and later steps use that text;
    a formula's last line is what its shown numbers give, to four. The
    update step also carries the graph's numbers after the step (new
    weights on the edges, the new forward pass and cost on the nodes; the
    script swaps them in and back) and hides the old gradients.

    Before anything is returned, every number is checked against the
    engine's own values (a fresh `forward`, `backward`, `step`, then
    `forward` and `cost` of the updated copy), every number the graph shows
    likewise, and every formula's result must be exactly the text its shown
    numbers give when recomputed and rounded to four digits; otherwise
    `RuntimeError`.

    Parameters
    ----------
    net : Network
        Sizes ``[2, 2, 1]``, element-wise activations, biases zero, loss
        ``"mse"``, no L2 penalty. Not modified.
    x : array, shape (2, 1) or (2,)
        One example.
    y : array or float
        Its target.
    learning_rate : float
        $\alpha > 0$ of the update step.
    alt : str, optional
        Text alternative of the graph.

    Returns
    -------
    str
        HTML: the controls, the graph (every node a ``<g data-node>``, every
        edge a ``<g data-edge>``), one pre-rendered formula per step
        (``data-step="k"``), an ``aria-live`` region, a list of the steps
        in words (shown where the script does not run, as in a notebook;
        the script hides it), and the steps as JSON in the root's
        ``data-stepper-data`` attribute. (Not in a
        ``<script type="application/json">``: Material's instant navigation
        re-creates a page's inline scripts without their type, and would run
        the JSON as JavaScript.)

    Raises
    ------
    TypeError, ValueError
        On a network, example or learning rate the stepper cannot show.
    RuntimeError
        If a number of the stepper differs from the engine's.

    Examples
    --------
    >>> import html, json, re
    >>> import numpy as np
    >>> import nnbook as nb
    >>> from nnbook import diagrams
    >>> net = nb.Network.from_parameters(
    ...     {1: [[0.1, 0.4], [0.8, 0.6]], 2: [[0.3, 0.9]]},
    ...     {1: np.zeros((2, 1)), 2: np.zeros((1, 1))}, "sigmoid", "mse")
    >>> out = diagrams.stepper_221(net, [0.35, 0.90], 0.5, 0.5)
    >>> data = re.search(r'data-stepper-data="([^"]*)"', out).group(1)
    >>> steps = json.loads(html.unescape(data))["steps"]
    >>> len(steps), steps[0]["number"], steps[-1]["number"]
    (24, '0.395', '0.0302455')
    """
    lr = check_learning_rate(learning_rate)
    v = _values_221(net, x, y)  # checks net, x and y
    if net.loss.name != "mse":
        raise ValueError("net: the stepper writes the squared-error "
                         f"formulas; expected loss 'mse', got "
                         f"{net.loss.name!r}")
    if net.l2:
        raise ValueError("net: the stepper's formulas have no L2 term; "
                         f"expected l2 = 0, got {net.l2!r}")
    X, Y = v["x"].reshape(2, 1), np.array([[v["y"]]])
    grads = net.backward(net.forward(X), Y)
    after = net.copy()
    after.step(grads, lr)
    steps = _steps_221(net, v, lr, after, X, Y)
    svg = _graph_221(v, legend=False, back_arrows=True).render(alt or (
        "Computational graph of the 2-2-1 network, top to bottom: inputs x1 "
        "and x2, hidden pre-activations z[1], activations a[1], output "
        "pre-activation z[2], output y-hat and loss J. Each node's forward "
        "value appears when the forward pass computes it, its backward "
        "value, in the second colour, when the backward pass does; the "
        "step being taken is highlighted."), max_width=440, kind="stepper-221")
    _check_steps_221(steps, svg, net, X, Y, lr)

    n = len(steps)
    formulas, data = [], []
    for i, step in enumerate(steps, start=1):
        nums = [_tex_number(t) for t in step["texts"]]
        first, *rest = step["tex"]  # the symbolic line, then the numbers
        tex = r" \\ ".join([first] + [t.format(*nums) for t in rest])
        tex = html.escape(rf"\[\begin{{aligned}}{tex}\end{{aligned}}\]",
                          quote=False)
        formulas.append(f'<div class="nnbook-stepper__formula" '
                        f'data-step="{i}"><div class="arithmatex">{tex}'
                        "</div></div>")
        data.append({"phase": step["phase"],
                     "title": _PHASES[step["phase"]],
                     "name": _html_symbol(step["name"]),
                     "q": step["q"], "number": step["number"],
                     "say": step["say"], "nodes": step["nodes"],
                     "edges": step["edges"], "reveal": step["reveal"],
                     "set": step["set"], "hide": step["hide"]})
    known = ["x_1", "x_2", "y", "e_W1_11", "e_W1_12", "e_W1_21", "e_W1_22",
             "e_W2_11", "e_W2_12"]
    payload = html.escape(json.dumps({"steps": data, "known": known},
                                     ensure_ascii=False,
                                     separators=(",", ":")), quote=True)
    words = "".join(f"<li>{html.escape(s['say'])}</li>" for s in steps)
    buttons = "".join(
        f'<button type="button" class="nnbook-stepper__button" '
        f'data-stepper-action="{a}">{label}</button>'
        for a, label in (("start", "Start"), ("prev", "Previous"),
                         ("next", "Next"), ("end", "End")))
    return (
        '<div class="nnbook-stepper" data-nnbook-stepper="221" '
        f'data-stepper-data="{payload}">\n'
        '<div class="nnbook-stepper__ui" hidden tabindex="0" role="group" '
        'aria-roledescription="stepper" aria-label="One training step of the '
        "2-2-1 network, step by step. Left and Right arrow keys go back and "
        'forth, Home and End jump to the first and last step." '
        'aria-keyshortcuts="ArrowLeft ArrowRight Home End">\n'
        f'<div class="nnbook-stepper__controls">{buttons}'
        '<span class="nnbook-stepper__counter">Step '
        f'<span data-stepper-k>1</span> of {n}</span></div>\n'
        '<div class="nnbook-stepper__body">\n'
        f'<div class="nnbook-stepper__graph">{svg}</div>\n'
        '<div class="nnbook-stepper__panel">\n'
        '<p class="nnbook-stepper__phase" data-stepper-phase></p>\n'
        '<p class="nnbook-stepper__value"><span data-stepper-name></span> = '
        '<span class="nnbook-stepper__number" data-stepper-number></span>'
        "</p>\n"
        '<p class="nnbook-stepper__say" aria-live="polite" '
        "data-stepper-live></p>\n"
        f'<div class="nnbook-stepper__formulas">{"".join(formulas)}</div>\n'
        '<p class="nnbook-stepper__note">The value on top is the engine\'s, '
        "to six significant digits. The formula uses the numbers as earlier "
        "steps show them, and its last line is what they give, to four."
        "</p>\n"
        '<p class="nnbook-stepper__where">The graph, with this step '
        "highlighted, is below.</p>\n"
        "</div>\n</div>\n</div>\n"
        # Without the script (no JavaScript, a notebook): the steps in words.
        # stepper.js hides this list when it shows the controls.
        '<div class="nnbook-stepper__text"><p>The steps, in words (the '
        f"interactive stepper needs JavaScript):</p><ol>{words}</ol></div>\n"
        "</div>\n"
    )
