r"""Build-time figures for the book, as inline SVG markup.

Every function returns an SVG document as a string, ready to be printed by an
executed block (```` ```python exec="1" html="1" ````) and inlined into the
page. The markup is:

* **deterministic**: no date, a fixed hash salt, element ids derived from the
  content, so two calls with the same arguments return the same string and a
  rebuild does not change the page;
* **accessible**: the `alt` text becomes the SVG's `<title>` and its
  `aria-label` (`role="img"`);
* **theme-aware**: transparent background, text and axes in `currentColor`
  (they follow the page's light or dark scheme), data colours chosen to
  contrast with both backgrounds.

Matplotlib is an optional dependency (`pip install "nnbook[plot]"`): it is
imported by the functions of this module only, and `import nnbook` never
imports this module.

Examples
--------
>>> from nnbook.plot import network_svg
>>> svg = network_svg([2, 2, 1], alt="A 2-2-1 network")
>>> svg.startswith("<svg") and "<title" in svg
True
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validate import check_alt

__all__ = [
    "PALETTE",
    "activation_derivatives_svg",
    "activations_svg",
    "cost_scaling_svg",
    "decision_boundary_svg",
    "fit_curves_svg",
    "gradient_norms_svg",
    "loss_curve_svg",
    "loss_curves_svg",
    "loss_surface_svg",
    "network_svg",
]

PALETTE: tuple[str, ...] = (
    "#1c7ed6",  # blue
    "#e8590c",  # orange
    "#2f9e44",  # green
    "#ae3ec9",  # purple
    "#0c8599",  # teal
    "#e03131",  # red
)
"""Data colours, each with a contrast ratio of at least 3:1 on white and on
Material's slate."""

_STYLES = ("-", "-", "-", (0, (5, 3)), (0, (1, 2)), "-.")
"""Line styles cycled with the colours: coinciding curves (ReLU', identity')
stay visible."""

# sentinel drawn for "foreground"; replaced by currentColor in the SVG text
_FG = "#010101"
_DEFAULT_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
_PRETTY = {
    "sigmoid": r"$\sigma$",
    "tanh": r"$\tanh$",
    "relu": "ReLU",
    "identity": "identity",
    "leaky_relu": "leaky ReLU",
}


# --------------------------------------------------------------------- helpers
def _matplotlib() -> Any:
    """Import matplotlib lazily, with a clear message when it is missing."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "nnbook.plot needs matplotlib: pip install 'nnbook[plot]'"
        ) from exc
    return matplotlib, Figure


def _rc() -> dict[str, Any]:
    """Matplotlib settings shared by every figure (deterministic SVG,
    foreground sentinel)."""
    return {
        "svg.hashsalt": "nnbook",
        # glyphs as paths: identical rendering without the fonts installed
        "svg.fonttype": "path",
        "font.size": 10,
        "text.color": _FG,
        "axes.edgecolor": _FG,
        "axes.labelcolor": _FG,
        "xtick.color": _FG,
        "ytick.color": _FG,
        "grid.color": "#808080",
        "grid.alpha": 0.35,
        "axes.grid": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "lines.linewidth": 2.0,
        "path.simplify": True,
    }


def _to_svg(fig: Any, alt: str) -> str:
    """Serialise `fig` to inline-ready SVG markup with `alt` as its accessible
    name."""
    matplotlib, _ = _matplotlib()
    buf = io.StringIO()
    with matplotlib.rc_context(_rc()):
        fig.savefig(buf, format="svg", transparent=True,
                    metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    # Inline SVG needs no XML prolog, DOCTYPE or RDF metadata.
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    # matplotlib's document-wide `<style>*{...}</style>` would restyle the
    # whole HTML page once inlined: keep its two properties as (inherited)
    # attributes of the root element instead.
    text = re.sub(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>", "", text)
    text = text.replace(
        "<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)
    text = text.replace(_FG, "currentColor")
    # Ids must be unique on a page that inlines several figures: prefix them
    # with a content hash.
    prefix = "nnb" + hashlib.sha1((alt + text).encode()).hexdigest()[:8]
    text = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)
    title_id = f"{prefix}-title"
    label = html.escape(alt, quote=True)
    text = text.replace(
        "<svg ",
        f'<svg class="nnbook-figure" role="img" aria-labelledby="{title_id}" '
        f'aria-label="{label}" ',
        1,
    )
    head_end = text.index(">", text.index("<svg")) + 1
    title = f'\n <title id="{title_id}">{html.escape(alt)}</title>'
    text = text[:head_end] + title + text[head_end:]
    return text.strip() + "\n"


def _render(draw: Any, alt: str, size: tuple[float, float]) -> str:
    """Create a figure under the shared settings, let `draw(fig)` fill it,
    return its SVG."""
    matplotlib, Figure = _matplotlib()
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig)
        return _to_svg(fig, alt)


def _names(names: Sequence[str] | str, table: dict[str, Any]) -> list[str]:
    if isinstance(names, str):
        names = [names]
    names = list(names)
    if not names:
        raise ValueError("names: expected at least one activation name, "
                         "got an empty sequence")
    for name in names:
        if name not in table or name == "softmax":
            known = sorted(k for k in table if k != "softmax")
            raise ValueError(
                f"names: expected element-wise activations among {known}, "
                f"got {name!r}"
            )
    return names


def _elementwise(fn: Any, z: np.ndarray) -> np.ndarray:
    return np.asarray(fn(z.reshape(1, -1)), dtype=float).reshape(-1)


def _default_alt(
    kind: str, names: list[str], z_range: tuple[float, float]
) -> str:
    pretty = [n.replace("_", " ").replace("relu", "ReLU") for n in names]
    listed = (", ".join(pretty[:-1]) + (" and " if len(pretty) > 1 else "")
              + pretty[-1])
    lo, hi = z_range
    return (f"{kind} of the {listed} activation functions, "
            f"for z from {lo:g} to {hi:g}.")


# --------------------------------------------------------------------- figures
def activations_svg(
    names: Sequence[str] = _DEFAULT_ACTIVATIONS,
    *,
    alt: str | None = None,
    z_range: tuple[float, float] = (-4.0, 4.0),
) -> str:
    r"""Plot activation functions $g(z)$ from `nnbook.ACTIVATIONS`.

    Parameters
    ----------
    names : sequence of str
        Element-wise activation names, keys of `nnbook.ACTIVATIONS` (not
        ``"softmax"``).
    alt : str, optional
        Text alternative (the SVG's `<title>`). Default: a sentence naming the
        functions.
    z_range : (float, float)
        Interval of $z$ on the horizontal axis.

    Returns
    -------
    str
        SVG markup.

    Examples
    --------
    >>> from nnbook.plot import activations_svg
    >>> alt = "Sigmoid, tanh, ReLU and identity on [-4, 4]"
    >>> svg = activations_svg(alt=alt)
    >>> svg.startswith("<svg"), alt in svg
    (True, True)
    """
    from . import ACTIVATIONS

    names = _names(names, ACTIVATIONS)
    if alt is None:
        alt = _default_alt("Graphs", names, z_range)
    alt = check_alt(alt)
    z = np.linspace(z_range[0], z_range[1], 801)

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        for i, name in enumerate(names):
            ax.plot(z, _elementwise(ACTIVATIONS[name], z),
                    color=PALETTE[i % len(PALETTE)],
                    linestyle=_STYLES[i % len(_STYLES)],
                    label=_PRETTY.get(name, name))
        ax.set_xlabel("$z$")
        ax.set_ylabel("$g(z)$")
        ax.set_ylim(-1.5, max(1.5, min(z_range[1], 4.0)) + 0.1)
        # outside the axes: no curve hidden
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))

    return _render(draw, alt, (6.8, 3.6))


def activation_derivatives_svg(
    names: Sequence[str] = _DEFAULT_ACTIVATIONS,
    *,
    alt: str | None = None,
    z_range: tuple[float, float] = (-4.0, 4.0),
) -> str:
    r"""Plot the derivatives $g'(z)$ from `nnbook.DERIVATIVES`, with jumps
    drawn honestly.

    Where a derivative jumps at $z = 0$ (ReLU, leaky ReLU) the two sides are
    drawn as separate pieces: open circles mark the one-sided limits and a
    filled dot marks the value the engine actually uses at $z = 0$,
    `DERIVATIVES[name](0.0)`.

    Parameters
    ----------
    names : sequence of str
        Element-wise activation names, keys of `nnbook.DERIVATIVES` (not
        ``"softmax"``).
    alt : str, optional
        Text alternative. Default: a sentence naming the derivatives.
    z_range : (float, float)
        Interval of $z$ on the horizontal axis; it must contain 0.

    Returns
    -------
    str
        SVG markup.

    Examples
    --------
    >>> from nnbook.plot import activation_derivatives_svg
    >>> alt = "ReLU' is 0 left of 0 and 1 right of it"
    >>> svg = activation_derivatives_svg(["relu"], alt=alt)
    >>> svg.count("<title")
    1
    """
    from . import DERIVATIVES

    names = _names(names, DERIVATIVES)
    if not z_range[0] < 0 < z_range[1]:
        raise ValueError("z_range: expected an interval containing 0, "
                         f"got {z_range!r}")
    if alt is None:
        alt = _default_alt("Derivatives", names, z_range)
    alt = check_alt(alt)
    left = np.linspace(z_range[0], 0.0, 401)[:-1]
    right = np.linspace(0.0, z_range[1], 401)[1:]

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        for i, name in enumerate(names):
            colour = PALETTE[i % len(PALETTE)]
            label = _PRETTY.get(name, name) + "$'$"
            style = {"color": colour, "linestyle": _STYLES[i % len(_STYLES)]}
            d = DERIVATIVES[name]
            at0 = float(_elementwise(d, np.zeros(1))[0])
            lim_l = float(_elementwise(d, np.array([-1e-9]))[0])
            lim_r = float(_elementwise(d, np.array([1e-9]))[0])
            if abs(lim_l - lim_r) < 1e-6:  # continuous: one curve
                zz = np.concatenate([left, [0.0], right])
                ax.plot(zz, _elementwise(d, zz), label=label, **style)
                continue
            ax.plot(left, _elementwise(d, left), label=label, **style)
            ax.plot(right, _elementwise(d, right), **style)
            for lim in (lim_l, lim_r):  # open circles at the one-sided limits
                if abs(lim - at0) > 1e-6:
                    ax.plot([0.0], [lim], "o", markersize=6,
                            markerfacecolor="none", markeredgecolor=colour,
                            markeredgewidth=1.5)
            ax.plot([0.0], [at0], "o", markersize=6, color=colour)
        ax.set_xlabel("$z$")
        ax.set_ylabel("$g'(z)$")
        ax.set_ylim(-0.15, 1.25)
        # outside the axes: no curve hidden
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))

    return _render(draw, alt, (6.8, 3.6))


def network_svg(
    sizes: Sequence[int],
    *,
    labels: Sequence[str] | None = None,
    weight_labels: bool = False,
    node_labels: bool | None = None,
    biases: bool = False,
    alt: str | None = None,
) -> str:
    r"""Draw a layered network: one circle per unit, an edge per weight, a
    label per layer.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, $n^{[0]}, \dots, n^{[L]}$ (at most 12 per layer, at
        least 2 layers).
    labels : sequence of str, optional
        One label per layer (Matplotlib mathtext allowed). Default: "input",
        "hidden $l$", "output" above $a^{[0]}, \dots, a^{[L]}$.
    weight_labels : bool
        Label every edge $W^{[l]}_{jk}$ ("to" unit $j$ of layer $l$, "from"
        unit $k$ of layer $l-1$). Meant for small networks such as 2-2-1 or
        2-to-4.
    node_labels : bool, optional
        Write $x_k$ / $a^{[l]}_j$ in the nodes. Default: when no layer has more
        than 6 units.
    biases : bool
        Draw a "+1" bias unit feeding each layer $l \geq 1$ (the edges carry
        $b^{[l]}_j$).
    alt : str, optional
        Text alternative. Default: a sentence giving the layer sizes.

    Returns
    -------
    str
        SVG markup. Each unit is a group with an id ending in ``node-<l>-<j>``
        (bias units: ``bias-<l>``), so the drawing can be checked against
        `sizes`.

    Examples
    --------
    >>> import re
    >>> from nnbook.plot import network_svg
    >>> alt = "The 2-2-1 network with its weights"
    >>> svg = network_svg([2, 2, 1], weight_labels=True, alt=alt)
    >>> len(re.findall(r'id="[^"]*-node-\d+-\d+"', svg))
    5
    """
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or any(n < 1 or n > 12 for n in sizes):
        raise ValueError("sizes: expected at least 2 layers of 1 to 12 units, "
                         f"got {sizes!r}")
    L = len(sizes) - 1
    if labels is None:
        names = (["input"] + [f"hidden {ell}" for ell in range(1, L)]
                 + ["output"])
        labels = [f"{name}\n$a^{{[{ell}]}}$" for ell, name in enumerate(names)]
    labels = list(labels)
    if len(labels) != len(sizes):
        raise ValueError(f"labels: expected {len(sizes)} labels (one per "
                         f"layer), got {len(labels)}")
    if node_labels is None:
        node_labels = max(sizes) <= 6
    if alt is None:
        arrow = "-".join(str(n) for n in sizes)
        hidden = ", ".join(map(str, sizes[1:-1]))
        alt = (f"Diagram of a {arrow} network: {sizes[0]} inputs, "
               + (f"hidden layers of {hidden} units, " if L > 1 else "")
               + f"{sizes[-1]} output unit{'s' if sizes[-1] > 1 else ''}; "
               "every unit is connected to every unit of the next layer.")
    alt = check_alt(alt)
    _matplotlib()  # a clear ImportError when matplotlib is missing
    from matplotlib.patches import Circle, Rectangle

    radius = 0.24
    # horizontal distance between layers (data units)
    dx = 3.0 if weight_labels else 1.8
    # a bias unit sits one row under its layer
    rows = max(sizes) + (1 if biases else 0)

    def at(ell: int, j: int) -> tuple[float, float]:
        """Centre of unit j of layer ell (j == sizes[ell] is the layer's bias
        unit)."""
        return dx * ell, (sizes[ell] - 1) / 2.0 - j

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_aspect("equal")
        placed = [at(ell, j)
                  for ell in range(L + 1) for j in range(sizes[ell])]

        def edge(ell: int, j: int, k: int, text: str,
                 dashed: bool = False) -> None:
            (x0, y0), (x1, y1) = at(ell - 1, k), at(ell, j)
            ax.plot([x0, x1], [y0, y1], color=_FG, linewidth=0.9,
                    alpha=0.5 if dashed else 0.6,
                    linestyle=(0, (3, 2)) if dashed else "-", zorder=1)
            if not weight_labels:
                return
            # Greedy placement: the point along the edge farthest from units
            # and earlier labels.
            ts = (0.5, 0.36, 0.64, 0.25, 0.75)
            points = [(x0 + t * (x1 - x0), y0 + t * (y1 - y0)) for t in ts]
            x, y = max(points, key=lambda p: min(np.hypot(p[0] - a, p[1] - b)
                                                 for a, b in placed))
            placed.append((x, y))
            angle = float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))
            ax.text(x, y, text, rotation=angle, rotation_mode="anchor",
                    ha="center", va="bottom", fontsize=8,
                    color=PALETTE[(ell - 1) % len(PALETTE)], zorder=3)

        for ell in range(1, L + 1):  # edges first, units drawn over them
            for j in range(sizes[ell]):
                for k in range(sizes[ell - 1]):
                    edge(ell, j, k, f"$W^{{[{ell}]}}_{{{j + 1}{k + 1}}}$")
                if biases:
                    edge(ell, j, sizes[ell - 1],
                         f"$b^{{[{ell}]}}_{{{j + 1}}}$", dashed=True)
        for ell, n in enumerate(sizes):
            colour = (PALETTE[0] if ell == 0 else PALETTE[2] if ell == L
                      else PALETTE[1])
            for j in range(n):
                c = Circle(at(ell, j), radius, facecolor=colour, edgecolor=_FG,
                           linewidth=1.2, zorder=2)
                c.set_gid(f"node-{ell}-{j}")
                ax.add_patch(c)
                if node_labels:
                    text = (f"$x_{{{j + 1}}}$" if ell == 0
                            else f"$a^{{[{ell}]}}_{{{j + 1}}}$")
                    ax.text(*at(ell, j), text, ha="center", va="center",
                            fontsize=8, color="white", zorder=4)
            if biases and ell < L:
                x, y = at(ell, n)
                box = Rectangle((x - 0.2, y - 0.2), 0.4, 0.4, facecolor="none",
                                edgecolor=_FG, linewidth=1.0, zorder=2)
                box.set_gid(f"bias-{ell + 1}")
                ax.add_patch(box)
                ax.text(x, y, "+1", ha="center", va="center", fontsize=8,
                        zorder=4)
            ax.text(dx * ell, (rows - 1) / 2.0 + 0.55, labels[ell],
                    ha="center", va="bottom", fontsize=9)
        low = min(at(ell, sizes[ell] - (0 if biases and ell < L else 1))[1]
                  for ell in range(L + 1))
        ax.set_xlim(-0.6, dx * L + 0.6)
        ax.set_ylim(low - 0.45, (rows - 1) / 2.0 + 1.45)

    width = min(7.0, 1.2 + 0.75 * dx * L)
    height = min(6.0, 1.3 + 0.6 * rows)
    return _render(draw, alt, (width, height))


def _losses(history_or_losses: Any) -> np.ndarray:
    values = getattr(history_or_losses, "loss", history_or_losses)
    try:
        arr = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "history_or_losses: expected a History (with .loss) or a sequence "
            f"of floats, got {type(history_or_losses).__name__}"
        ) from exc
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(
            "history_or_losses: expected a non-empty sequence of finite "
            f"losses, got {arr.size} "
            "values" + ("" if arr.size == 0 else " with NaN or inf among them")
        )
    return arr


def loss_curve_svg(
    history_or_losses: Any,
    *,
    alt: str | None = None,
    log: bool | None = None,
    label: str = "cost $J$",
) -> str:
    r"""Plot a training curve: the cost $J$ after each epoch.

    Parameters
    ----------
    history_or_losses : History or sequence of float
        What `Network.fit` returns (its ``.loss`` list is used) or the losses
        themselves.
    alt : str, optional
        Text alternative. Default: a sentence with the first and last values.
    log : bool, optional
        Logarithmic vertical axis. Default: when the values span more than a
        factor of 20.
    label : str
        Vertical axis label.

    Returns
    -------
    str
        SVG markup.

    Examples
    --------
    >>> from nnbook.plot import loss_curve_svg
    >>> alt = "Cost falling from 0.7 to 0.2"
    >>> svg = loss_curve_svg([0.7, 0.5, 0.3, 0.2], alt=alt)
    >>> svg == loss_curve_svg([0.7, 0.5, 0.3, 0.2], alt=alt)  # deterministic
    True
    """
    losses = _losses(history_or_losses)
    if alt is None:
        alt = (f"Training curve: the cost goes from {losses[0]:.3g} at epoch "
               f"1 to {losses[-1]:.3g} at epoch {losses.size}.")
    alt = check_alt(alt)
    if log is None:
        log = bool(np.all(losses > 0) and losses.max() / losses.min() > 20)
    epochs = np.arange(1, losses.size + 1)

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.plot(epochs, losses, color=PALETTE[0])
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_xlim(1, max(2, losses.size))

    return _render(draw, alt, (6.0, 3.2))


def decision_boundary_svg(
    net: Any,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    alt: str | None = None,
    resolution: int = 150,
    padding: float = 0.5,
) -> str:
    r"""Plot a binary classifier's regions over its 2-D data: where
    $\hat y \geq 0.5$ and below.

    Parameters
    ----------
    net : Network
        A trained network with 2 inputs and 1 output (anything with
        ``predict_proba(X)``).
    X : ndarray, shape (2, m)
        Inputs, one column per example.
    Y : ndarray, shape (1, m)
        Labels 0 or 1 (class 0: circles, class 1: triangles).
    alt : str, optional
        Text alternative. Default: a sentence with the accuracy on `X`.
    resolution : int
        Grid points per axis.
    padding : float
        Margin around the data.

    Returns
    -------
    str
        SVG markup.

    Examples
    --------
    >>> import nnbook as nb
    >>> from nnbook.plot import decision_boundary_svg
    >>> X, Y = nb.datasets.xor()
    >>> net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], loss="bce", seed=0)
    >>> alt = "Untrained 2-2-1 network on XOR"
    >>> svg = decision_boundary_svg(net, X, Y, alt=alt)
    >>> svg.startswith("<svg")
    True
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"X: expected shape (2, m), got {X.shape}")
    if Y.shape != (1, X.shape[1]):
        raise ValueError(f"Y: expected shape (1, {X.shape[1]}), got {Y.shape}")
    x_lo, x_hi = X[0].min() - padding, X[0].max() + padding
    y_lo, y_hi = X[1].min() - padding, X[1].max() + padding
    gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, resolution),
                         np.linspace(y_lo, y_hi, resolution))
    grid = np.vstack([gx.ravel(), gy.ravel()])
    P = np.asarray(net.predict_proba(grid), dtype=float).reshape(gx.shape)
    pred = np.asarray(net.predict_proba(X), dtype=float).reshape(-1) >= 0.5
    acc = float(np.mean(pred == (Y.reshape(-1) >= 0.5)))
    if alt is None:
        alt = (f"Decision regions of the classifier over {X.shape[1]} "
               f"training points: {acc:.0%} of them fall in the region of "
               "their own class.")
    alt = check_alt(alt)
    c0, c1 = PALETTE[0], PALETTE[1]

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.grid(False)
        ax.contourf(gx, gy, P, levels=[0.0, 0.5, 1.0], colors=[c0, c1],
                    alpha=0.22)
        ax.contour(gx, gy, P, levels=[0.5], colors=[_FG], linewidths=1.5)
        ones = Y.reshape(-1) >= 0.5
        ax.scatter(X[0, ~ones], X[1, ~ones], marker="o", s=22, color=c0,
                   edgecolors=_FG, linewidths=0.5, label="class 0")
        ax.scatter(X[0, ones], X[1, ones], marker="^", s=26, color=c1,
                   edgecolors=_FG, linewidths=0.5, label="class 1")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_aspect("equal")
        ax.locator_params(nbins=5)
        ax.legend(loc="upper right", fontsize=8)

    return _render(draw, alt, (5.2, 4.0))


# ------------------------------------------------------------ gradient descent
def _check_range(value: Any, name: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected a pair (low, high) of numbers, "
                        f"got {value!r}") from exc
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name}: expected finite numbers with low < high, "
                         f"got {value!r}")
    return lo, hi


def _check_curves(curves: Any, name: str, width: int,
                  empty: bool = False) -> dict[str, np.ndarray]:
    """A mapping label -> finite array of ``width`` columns (1: a plain
    sequence)."""
    if not hasattr(curves, "items") or not (curves or empty):
        kind = "a dict" if empty else "a non-empty dict"
        raise TypeError(f"{name}: expected {kind} label -> values, "
                        f"got {curves!r}")
    if len(curves) > len(PALETTE):
        raise ValueError(f"{name}: expected at most {len(PALETTE)} entries, "
                         f"got {len(curves)}")
    out: dict[str, np.ndarray] = {}
    for label, values in curves.items():
        values = getattr(values, "loss", values)  # a History
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}[{label!r}]: expected numbers, "
                            f"got {values!r}") from exc
        arr = arr.reshape(-1) if width == 1 else arr
        if width == 1:
            shape_ok = arr.ndim == 1
            want = "a non-empty sequence"
        else:
            shape_ok = arr.ndim == 2 and arr.shape[1] == width
            want = f"shape (k, {width}), k >= 1"
        if not shape_ok or arr.shape[0] == 0:
            raise ValueError(f"{name}[{label!r}]: expected {want}, "
                             f"got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}[{label!r}]: expected finite values, got "
                             "NaN or inf (cut a diverging run where it stops "
                             "being finite)")
        out[str(label)] = arr
    return out


def loss_surface_svg(
    cost: Any,
    paths: Any,
    *,
    alt: str,
    w_range: tuple[float, float],
    b_range: tuple[float, float],
    minimum: tuple[float, float] | None = None,
    levels: int = 14,
    resolution: int = 121,
    labels: tuple[str, str] = ("weight $w$", "bias $b$"),
) -> str:
    r"""Contours of a two-parameter cost $J(w, b)$ with gradient-descent paths
    drawn on them.

    The contour levels are spaced geometrically between the lowest and the
    highest value on the grid, so the floor of a valley gets as many lines as
    its walls. Both axes use the same scale: a gradient step then crosses the
    contour lines at a right angle, as it does in the parameter space.

    Parameters
    ----------
    cost : callable
        ``cost(w, b) -> float``, evaluated on a ``resolution`` x ``resolution``
        grid.
    paths : dict str -> array of shape (k, 2)
        Label -> the points $(w, b)$ visited, the start first (at most 6 paths;
        ``{}`` draws the surface alone). Points outside the ranges are clipped
        by the frame.
    alt : str
        Text alternative (required: say what the paths do).
    w_range, b_range : (float, float)
        The horizontal ($w$) and vertical ($b$) extent.
    minimum : (float, float), optional
        Where the cost is lowest, marked with a cross.
    levels : int
        Number of contour lines (at least 3).
    resolution : int
        Grid points per axis (at least 10).
    labels : (str, str)
        Axis labels.

    Returns
    -------
    str
        SVG markup. Each path is a group whose id ends in ``path-<k>``.

    Examples
    --------
    >>> from nnbook.plot import loss_surface_svg
    >>> def J(w, b):
    ...     return (w - 1.0) ** 2 + 5.0 * b ** 2
    >>> paths = {"steps": [[-1.0, 1.0], [0.0, 0.0], [1.0, 0.0]]}
    >>> svg = loss_surface_svg(J, paths, alt="An elliptic valley",
    ...                        w_range=(-2, 2), b_range=(-1.5, 1.5))
    >>> print(svg.startswith("<svg"), "path-0" in svg)
    True True
    """
    alt = check_alt(alt)
    if not callable(cost):
        raise TypeError("cost: expected a function cost(w, b) -> float, "
                        f"got {cost!r}")
    tracks = _check_curves(paths, "paths", 2, empty=True)
    w_lo, w_hi = _check_range(w_range, "w_range")
    b_lo, b_hi = _check_range(b_range, "b_range")
    if (isinstance(levels, bool) or not isinstance(levels, (int, np.integer))
            or levels < 3):
        raise ValueError(f"levels: expected an integer >= 3, got {levels!r}")
    if (isinstance(resolution, bool)
            or not isinstance(resolution, (int, np.integer))
            or resolution < 10):
        raise ValueError("resolution: expected an integer >= 10, "
                         f"got {resolution!r}")
    if minimum is not None:
        minimum = tuple(float(v) for v in minimum)  # type: ignore[assignment]
        if len(minimum) != 2 or not np.all(np.isfinite(minimum)):
            raise ValueError("minimum: expected a finite point (w, b), "
                             f"got {minimum!r}")
    ws = np.linspace(w_lo, w_hi, resolution)
    bs = np.linspace(b_lo, b_hi, resolution)
    grid = np.array([[float(cost(w, b)) for w in ws] for b in bs])
    if not np.all(np.isfinite(grid)):
        raise ValueError("cost: expected finite values on the whole grid, "
                         "got NaN or inf")
    lo, hi = float(grid.min()), float(grid.max())
    if not hi > lo:
        raise ValueError("cost: expected a non-constant function on the grid, "
                         f"got {lo!r}")
    span = hi - lo
    heights = lo + span * (np.geomspace(1e-3, 1.0, levels) - 1e-3 * 0.5)

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        ax.grid(False)
        ax.contour(ws, bs, grid, levels=heights, colors=[_FG], linewidths=0.7,
                   alpha=0.45)
        for k, (label, pts) in enumerate(tracks.items()):
            colour = PALETTE[k % len(PALETTE)]
            line, = ax.plot(pts[:, 0], pts[:, 1], color=colour, linewidth=1.6,
                            linestyle=_STYLES[k % len(_STYLES)], marker="o",
                            markersize=3.2, label=label, zorder=3)
            line.set_gid(f"path-{k}")
            ax.plot(pts[:1, 0], pts[:1, 1], "s", color=_FG, markersize=6,
                    zorder=4, label="start" if k == 0 else None)
        if minimum is not None:
            ax.plot([minimum[0]], [minimum[1]], "x", color=_FG, markersize=9,
                    markeredgewidth=2.0, label="minimum", zorder=5)
        ax.set_xlim(w_lo, w_hi)
        ax.set_ylim(b_lo, b_hi)
        ax.set_aspect("equal")
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        if tracks or minimum is not None:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
                      fontsize=9)

    height = 3.8 * (b_hi - b_lo) / (w_hi - w_lo) + 1.6
    return _render(draw, alt, (5.0, float(np.clip(height, 2.8, 6.0))))


def loss_curves_svg(
    curves: Any,
    *,
    alt: str,
    ylim: tuple[float, float] | None = None,
    log: bool = False,
    xlabel: str = "epoch",
    ylabel: str = "cost $J$",
) -> str:
    r"""Several training curves on ONE shared axis, so that their heights
    compare directly.

    Parameters
    ----------
    curves : dict str -> History or sequence of float
        Label -> the cost at epochs 1, 2, ... (a `History` from `Network.fit`
        is read through its ``.loss``). Curves may differ in length (a run cut
        where it diverged); at most 6.
    alt : str
        Text alternative (required: say what the curves show).
    ylim : (float, float), optional
        The vertical extent; a curve that leaves it is clipped by the frame.
        Default: from 0 (or the smallest value, if negative) to 5% above the
        largest.
    log : bool
        Logarithmic vertical axis (all values must then be positive).
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    str
        SVG markup. Each curve is a line whose id ends in ``curve-<k>``.

    Examples
    --------
    >>> from nnbook.plot import loss_curves_svg
    >>> curves = {"slow": [0.7, 0.69, 0.68], "fast": [0.7, 0.3, 0.1]}
    >>> svg = loss_curves_svg(curves, alt="Two learning rates on one axis")
    >>> print(svg.count("curve-"))
    2
    """
    alt = check_alt(alt)
    lines = _check_curves(curves, "curves", 1)
    if log and any(np.any(v <= 0) for v in lines.values()):
        raise ValueError("log: expected positive values for a logarithmic "
                         "axis, got values <= 0")
    if ylim is None:
        top = max(float(v.max()) for v in lines.values())
        bottom = min(0.0, min(float(v.min()) for v in lines.values()))
        ylim = (bottom, top + 0.05 * (top - bottom if top > bottom else 1.0))
        if log:
            low = min(float(v.min()) for v in lines.values())
            ylim = (low / 1.5, top * 1.5)
    y_lo, y_hi = _check_range(ylim, "ylim")
    if log and y_lo <= 0:
        raise ValueError("ylim: expected a positive lower limit on a log "
                         f"axis, got {ylim!r}")
    longest = max(v.size for v in lines.values())

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        for k, (label, values) in enumerate(lines.items()):
            epochs = np.arange(1, values.size + 1)
            line, = ax.plot(epochs, values, color=PALETTE[k % len(PALETTE)],
                            linestyle=_STYLES[k % len(_STYLES)], label=label)
            line.set_gid(f"curve-{k}")
            if values.size < longest:  # stopped early: mark its last value
                ax.plot(epochs[-1:], values[-1:], "o",
                        color=PALETTE[k % len(PALETTE)], markersize=5,
                        clip_on=True)
        if log:
            ax.set_yscale("log")
        ax.set_ylim(y_lo, y_hi)
        ax.set_xlim(1, max(2, longest))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1,
                  fontsize=9)

    return _render(draw, alt, (5.2, 3.2 + 0.25 * len(lines)))


def fit_curves_svg(
    X: Any,
    Y: Any,
    curves: Any,
    *,
    alt: str,
    reference: tuple[str, Any] | None = None,
    x_label: str = "$x$",
    y_label: str = "$y$",
) -> str:
    r"""One-input regression: the data points and one or more fitted curves
    $\hat y(x)$.

    Parameters
    ----------
    X, Y : arrays of shape (1, m)
        The training points (drawn as dots).
    curves : dict str -> array of shape (k, 2)
        Label -> the points $(x, \hat y)$ of a curve, in order of $x$ (at most
        6).
    alt : str
        Text alternative (required).
    reference : (str, array of shape (k, 2)), optional
        A label and the points of a reference curve (say, the noise-free
        truth), drawn dotted in the text colour.
    x_label, y_label : str
        Axis labels.

    Returns
    -------
    str
        SVG markup. Each curve is a line whose id ends in ``fit-<k>``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.plot import fit_curves_svg
    >>> x = np.linspace(-1, 1, 5)
    >>> curves = {"y = 2x": np.c_[x, 2 * x]}
    >>> svg = fit_curves_svg(x[None], (2 * x)[None], curves,
    ...                      alt="A line through five points")
    >>> print(svg.count("fit-0"))
    1
    """
    alt = check_alt(alt)
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 2 or X.shape[0] != 1 or X.shape[1] == 0:
        raise ValueError(f"X: expected shape (1, m), got {X.shape}")
    if Y.shape != X.shape:
        raise ValueError(f"Y: expected shape {X.shape}, got {Y.shape}")
    lines = _check_curves(curves, "curves", 2)
    if reference is not None:
        if not isinstance(reference, tuple) or len(reference) != 2:
            raise TypeError("reference: expected a pair (label, points), "
                            f"got {reference!r}")
        ref = _check_curves({reference[0]: reference[1]}, "reference", 2)
    else:
        ref = {}

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        for label, pts in ref.items():
            ax.plot(pts[:, 0], pts[:, 1], color=_FG, linestyle=(0, (1, 2)),
                    linewidth=1.5, label=label)
        for k, (label, pts) in enumerate(lines.items()):
            line, = ax.plot(pts[:, 0], pts[:, 1],
                            color=PALETTE[(k + 1) % len(PALETTE)],
                            linestyle=_STYLES[k % len(_STYLES)], label=label)
            line.set_gid(f"fit-{k}")
        ax.scatter(X[0], Y[0], s=26, color=PALETTE[0], edgecolors=_FG,
                   linewidths=0.6, label="training data", zorder=4)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1,
                  fontsize=9)

    return _render(draw, alt, (5.2, 3.6 + 0.2 * (len(lines) + len(ref))))


# ------------------------------------------------------------- depth and init
def _check_panels(panels: Any) -> dict[str, dict[str, np.ndarray]]:
    """A mapping title -> {label -> positive finite values}, at most 4
    panels and at most 6 labels in all."""
    if not hasattr(panels, "items") or not panels:
        raise TypeError("panels: expected a non-empty dict title -> "
                        f"{{label: values}}, got {panels!r}")
    if len(panels) > 4:
        raise ValueError("panels: expected at most 4 panels, "
                         f"got {len(panels)}")
    out: dict[str, dict[str, np.ndarray]] = {}
    for title, curves in panels.items():
        lines = _check_curves(curves, f"panels[{title!r}]", 1)
        for label, arr in lines.items():
            if np.any(arr <= 0):
                raise ValueError(
                    f"panels[{title!r}][{label!r}]: expected positive "
                    "values for the logarithmic axis, got values <= 0")
        out[str(title)] = lines
    labels = {label for lines in out.values() for label in lines}
    if len(labels) > len(PALETTE):
        raise ValueError(f"panels: expected at most {len(PALETTE)} distinct "
                         f"labels in all, got {len(labels)}")
    return out


def gradient_norms_svg(
    panels: Any,
    *,
    alt: str,
    xlabel: str = "layer $l$",
    ylabel: str = r"$\Vert dW^{[l]}\Vert_F$",
) -> str:
    r"""Small multiples of per-layer quantities (say, gradient norms) on one
    shared logarithmic axis.

    Parameters
    ----------
    panels : dict str -> dict str -> sequence of float
        Panel title -> {line label -> the values at layers $1, 2, \dots$}
        (value $k$ is drawn at layer $k + 1$). At most 4 panels; a label
        keeps its colour and line style in every panel (at most 6 labels in
        all). Values must be positive (logarithmic axis).
    alt : str
        Text alternative (required: say what the panels show).
    xlabel, ylabel : str
        Axis labels (the vertical label is written once, on the first panel).

    Returns
    -------
    str
        SVG markup. Panel $p$'s line $k$ has an id ending in
        ``norms-<p>-<k>``.

    Examples
    --------
    >>> from nnbook.plot import gradient_norms_svg
    >>> panels = {"sigmoid": {"small": [1e-9, 1e-5, 1e-1]},
    ...           "ReLU": {"small": [1e-6, 1e-4, 1e-2], "He": [1, 1, 1]}}
    >>> svg = gradient_norms_svg(panels, alt="Two panels, three lines")
    >>> print(svg.count("norms-"))
    3
    """
    alt = check_alt(alt)
    groups = _check_panels(panels)
    labels: list[str] = []
    for lines in groups.values():
        labels += [label for label in lines if label not in labels]
    every = np.concatenate([a for lines in groups.values()
                            for a in lines.values()])
    y_lo, y_hi = float(every.min()) / 3.0, float(every.max()) * 3.0
    depth = max(a.size for lines in groups.values() for a in lines.values())

    def draw(fig: Any) -> None:
        axes = fig.subplots(1, len(groups), sharey=True, squeeze=False)[0]
        legend: dict[str, Any] = {}  # label -> its first line
        for p, (title, lines) in enumerate(groups.items()):
            ax = axes[p]
            for k, (label, values) in enumerate(lines.items()):
                i = labels.index(label)
                line, = ax.plot(np.arange(1, values.size + 1), values,
                                color=PALETTE[i % len(PALETTE)],
                                linestyle=_STYLES[i % len(_STYLES)],
                                marker="o", markersize=2.5)
                line.set_gid(f"norms-{p}-{k}")
                legend.setdefault(label, line)
            ax.set_yscale("log")
            ax.set_ylim(y_lo, y_hi)
            ax.set_xlim(0.5, depth + 0.5)
            ax.set_title(title, fontsize=10)
            ax.set_xlabel(xlabel)
        axes[0].set_ylabel(ylabel)
        fig.legend([legend[label] for label in labels], labels,
                   loc="outside lower center", ncol=min(3, len(labels)),
                   fontsize=9)

    return _render(draw, alt, (2.3 * len(groups) + 0.9, 3.5))


# ------------------------------------------------------- what a gradient costs
def cost_scaling_svg(
    params: Sequence[float],
    forward: Sequence[float],
    backward: Sequence[float],
    fd_params: Sequence[float],
    fd: Sequence[float],
    *,
    extrapolated: tuple[Sequence[float], Sequence[float]] | None = None,
    alt: str,
) -> str:
    r"""Time against parameter count, log-log: one forward pass, one backward
    pass, and a full finite-difference gradient (measured, then extrapolated).

    Parameters
    ----------
    params, forward, backward : sequences of float
        Parameter counts $p$ and the seconds of one forward and one backward
        pass at each.
    fd_params, fd : sequences of float
        The counts where a full finite-difference gradient was timed, and its
        seconds.
    extrapolated : (sequence, sequence), optional
        Counts and seconds of the finite-difference line beyond the measured
        points, drawn dashed and labelled "extrapolated".
    alt : str
        Text alternative (required).

    Returns
    -------
    str
        SVG markup. The lines carry the ids ``cost-forward``,
        ``cost-backward``, ``cost-fd`` and ``cost-fd-extrapolated``.

    Examples
    --------
    >>> from nnbook.plot import cost_scaling_svg
    >>> p = [10, 100, 1000]
    >>> svg = cost_scaling_svg(p, [1e-5, 2e-5, 1e-4], [2e-5, 4e-5, 2e-4],
    ...                        p[:2], [2e-4, 4e-3],
    ...                        extrapolated=([100, 1000], [4e-3, 0.2]),
    ...                        alt="Times against parameter count")
    >>> svg.count("cost-fd-extrapolated")
    1
    """
    alt = check_alt(alt)
    curves = {"forward": (params, forward), "backward": (params, backward),
              "fd": (fd_params, fd)}
    if extrapolated is not None:
        curves["extrapolated"] = extrapolated
    data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, (xs, ys) in curves.items():
        x = np.asarray(xs, dtype=float).reshape(-1)
        y = np.asarray(ys, dtype=float).reshape(-1)
        if x.size == 0 or x.shape != y.shape:
            raise ValueError(f"{name}: expected as many times as parameter "
                             f"counts, at least one, got {x.size} and "
                             f"{y.size}")
        if not (np.all(np.isfinite(x) & np.isfinite(y)) and np.all(x > 0)
                and np.all(y > 0)):
            raise ValueError(f"{name}: expected positive finite values for "
                             "a log-log plot")
        data[name] = (x, y)

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        style = {
            "forward": (PALETTE[0], "-", "o", "one forward pass"),
            "backward": (PALETTE[1], "-", "s", "one backward pass"),
            "fd": (PALETTE[2], "-", "^",
                   "finite differences: the whole gradient"),
            "extrapolated": (PALETTE[2], (0, (5, 3)), None,
                             "finite differences, extrapolated"),
        }
        for name, (x, y) in data.items():
            colour, ls, marker, label = style[name]
            line, = ax.plot(x, y, color=colour, linestyle=ls, marker=marker,
                            markersize=4, label=label)
            line.set_gid("cost-" + name.replace("extrapolated",
                                                "fd-extrapolated"))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("parameters $p$")
        ax.set_ylabel("seconds")
        ax.legend(loc="upper left", fontsize=8)

    return _render(draw, alt, (5.6, 4.0))
