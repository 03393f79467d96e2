# ruff: noqa: E741  (``l`` is the layer index of the book's notation)
r"""The small networks worked by hand in the book, with their hand formulas.

Chapters 2 to 8 work small networks out by hand before the general
algorithm; they came from short notes on backpropagation, whose errata the
appendix lists. Each function here computes one of them the way the
derivation does (scalar formula by scalar formula, local Jacobian by local
Jacobian, or batched with $\tfrac1m$ inside the deltas), and the tests check
every one against the general
[`Network.backward`][nnbook.network.Network.backward] and against central
finite differences.

* the 2-2-1 sigmoid network of Chapter 6, written with its weights indexed
  "from, to": ``w1[k, j]`` is the weight from input $k$ to hidden unit $j$,
  $W^{[1]}_{jk}$, so ``w1`` is $W^{[1]\top}$ and ``w2`` is $W^{[2]\top}$;
  loss $\mathcal{L} = (\hat y - y)^2$
  ([`example_221`][nnbook.worked.example_221] to
  [`net221_by_hand`][nnbook.worked.net221_by_hand]);
* the layer from two inputs to four units of Chapter 2
  ([`layer_2to4`][nnbook.worked.layer_2to4]) and the single neuron of
  Chapter 5
  ([`single_neuron_gradients`][nnbook.worked.single_neuron_gradients]);
* the two-layer network in Jacobian form of Chapter 7
  ([`two_layer_jacobians`][nnbook.worked.two_layer_jacobians]);
* the batched three-layer network of Chapter 8, for classification and
  regression ([`three_layer_gradients`][nnbook.worked.three_layer_gradients]).

The general $L$-layer algorithm is
[`Network.backward`][nnbook.network.Network.backward] itself. Indices start
at 1 in the formulas and at 0 in code: ``w1[0, 1]`` is $W^{[1]}_{21}$.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .activations import get_activation, sigmoid, sigmoid_derivative
from .losses import get_loss
from .network import Network

__all__ = [
    "example_221",
    "layer_2to4",
    "net221_bias_gradients",
    "net221_by_hand",
    "net221_error_gradients",
    "net221_forward",
    "net221_sensitivities",
    "net221_to_network",
    "single_neuron_gradients",
    "three_layer_gradients",
    "two_layer_jacobians",
]


# ----------------------------------------------- the 2-2-1 network (Chapter 6)
def example_221() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""The example of Chapter 6, weights "from, to": ``x, t, w1, w2``.

    The input $x = (0.35, 0.90)^\top$, the target ``t`` $= y = 0.5$, and the
    weights laid out "from, to", ``w1[k, j]`` from input $k$ to hidden unit
    $j$ and ``w2[j, 0]`` from hidden unit $j$ to the output, so that ``w1``
    and ``w2`` are

    $$W^{[1]\top} =
    \begin{pmatrix} 0.10 & 0.80 \\ 0.40 & 0.60 \end{pmatrix}, \qquad
    W^{[2]\top} = \begin{pmatrix} 0.30 \\ 0.90 \end{pmatrix}.$$

    Examples
    --------
    >>> from nnbook.worked import example_221
    >>> x, t, w1, w2 = example_221()
    >>> x.shape, t.shape, w1.shape, w2.shape
    ((2, 1), (1, 1), (2, 2), (2, 1))
    """
    x = np.array([[0.35], [0.90]])
    t = np.array([[0.5]])
    w1 = np.array([[0.10, 0.80], [0.40, 0.60]])
    w2 = np.array([[0.30], [0.90]])
    return x, t, w1, w2


def net221_forward(
    x: Any, w1: Any, w2: Any, b2: Any = None, b3: Any = None
) -> dict[str, np.ndarray]:
    r"""Forward pass of the 2-2-1 sigmoid network, weights "from, to":

    $$z^{[1]} = W^{[1]} x + b^{[1]}, \quad a^{[1]} = \sigma(z^{[1]}), \quad
    z^{[2]} = W^{[2]} a^{[1]} + b^{[2]}, \quad \hat y = \sigma(z^{[2]}),$$

    where $W^{[1]}$ is ``w1.T`` and $W^{[2]}$ is ``w2.T``. The biases ``b2``
    $= b^{[1]}$ and ``b3`` $= b^{[2]}$ are zero when ``None``: the names of
    the biases and of the results count the inputs as layer 1.

    Returns
    -------
    dict
        ``"O1"`` ($x$), ``"I2"`` ($z^{[1]}$), ``"O2"`` ($a^{[1]}$), ``"I3"``
        ($z^{[2]}$), ``"O3"`` ($\hat y$), all columns.

    Examples
    --------
    >>> from nnbook.worked import example_221, net221_forward
    >>> x, t, w1, w2 = example_221()
    >>> f = net221_forward(x, w1, w2)
    >>> round(float(f["O3"][0, 0]), 6)
    0.690842
    """
    O1 = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    w1, w2 = np.asarray(w1, dtype=np.float64), np.asarray(w2, dtype=np.float64)
    c2 = 0.0 if b2 is None else np.asarray(b2, dtype=np.float64).reshape(-1, 1)
    c3 = 0.0 if b3 is None else np.asarray(b3, dtype=np.float64).reshape(-1, 1)
    I2 = w1.T @ O1 + c2
    O2 = sigmoid(I2)
    I3 = w2.T @ O2 + c3
    O3 = sigmoid(I3)
    return {"O1": O1, "I2": I2, "O2": O2, "I3": I3, "O3": O3}


def net221_sensitivities(x: Any, w1: Any, w2: Any) -> dict[str, float]:
    r"""The six sensitivities $\partial \hat y / \partial W$ of the 2-2-1
    network (no biases), one formula each:

    $$\frac{\partial \hat y}{\partial W^{[2]}_{1j}} =
    a^{[1]}_j\, \sigma'(z^{[2]}), \qquad
    \frac{\partial \hat y}{\partial W^{[1]}_{jk}} =
    W^{[2]}_{1j}\, x_k\, \sigma'(z^{[1]}_j)\, \sigma'(z^{[2]}).$$

    Returns
    -------
    dict
        Keys ``"w2_11", "w2_21", "w1_11", "w1_12", "w1_21", "w1_22"``, named
        "from, to": ``"w1_kj"`` is $\partial \hat y / \partial W^{[1]}_{jk}$
        and ``"w2_j1"`` is $\partial \hat y / \partial W^{[2]}_{1j}$.

    Examples
    --------
    >>> from nnbook.worked import example_221, net221_sensitivities
    >>> x, t, w1, w2 = example_221()
    >>> s = net221_sensitivities(x, w1, w2)
    >>> list(s), round(s["w2_11"], 6)
    (['w2_11', 'w2_21', 'w1_11', 'w1_12', 'w1_21', 'w1_22'], 0.127611)
    """
    f = net221_forward(x, w1, w2)
    w2 = np.asarray(w2, dtype=np.float64)
    O1_1, O1_2 = float(f["O1"][0, 0]), float(f["O1"][1, 0])
    O2_1, O2_2 = float(f["O2"][0, 0]), float(f["O2"][1, 0])
    s2_1 = float(sigmoid_derivative(f["I2"][0, 0]))  # sigma'(z[1]_1)
    s2_2 = float(sigmoid_derivative(f["I2"][1, 0]))  # sigma'(z[1]_2)
    s3 = float(sigmoid_derivative(f["I3"][0, 0]))  # sigma'(z[2])
    w2_11, w2_21 = float(w2[0, 0]), float(w2[1, 0])
    return {
        "w2_11": O2_1 * s3,
        "w2_21": O2_2 * s3,
        "w1_11": w2_11 * O1_1 * s2_1 * s3,
        "w1_12": w2_21 * O1_1 * s2_2 * s3,
        "w1_21": w2_11 * O1_2 * s2_1 * s3,  # input 2 to hidden 1: x_2
        "w1_22": w2_21 * O1_2 * s2_2 * s3,  # input 2 to hidden 2
    }


def net221_error_gradients(
    x: Any, t: Any, w1: Any, w2: Any
) -> tuple[np.ndarray, np.ndarray]:
    r"""The weight gradients of the 2-2-1 network (no biases) for the loss
    $\mathcal{L} = (\hat y - y)^2$, from the sensitivities:

    $$\frac{\partial \mathcal{L}}{\partial W} =
    \frac{\partial \mathcal{L}}{\partial \hat y}\,
    \frac{\partial \hat y}{\partial W}, \qquad
    \frac{\partial \mathcal{L}}{\partial \hat y} = 2(\hat y - y).$$

    Returns
    -------
    (gw1, gw2)
        Laid out like ``w1`` (2, 2) and ``w2`` (2, 1): ``gw1[k, j]`` is
        $\partial \mathcal{L}/\partial W^{[1]}_{jk}$. On this one example
        ($m = 1$, MSE) they are $dW^{[1]\top}$ and $dW^{[2]\top}$.

    Examples
    --------
    >>> from nnbook.worked import example_221, net221_error_gradients
    >>> x, t, w1, w2 = example_221()
    >>> gw1, gw2 = net221_error_gradients(x, t, w1, w2)
    >>> gw2.round(6).tolist()
    [[0.048707], [0.056594]]
    """
    s = net221_sensitivities(x, w1, w2)
    O3 = float(net221_forward(x, w1, w2)["O3"][0, 0])
    Delta = float(np.asarray(t, dtype=np.float64).reshape(-1)[0]) - O3
    dE_dO3 = -2 * Delta  # dL/dyhat = 2 (yhat - y)
    gw1 = np.array([[s["w1_11"], s["w1_12"]],
                    [s["w1_21"], s["w1_22"]]]) * dE_dO3
    gw2 = np.array([[s["w2_11"]], [s["w2_21"]]]) * dE_dO3
    return gw1, gw2


def net221_bias_gradients(
    x: Any, t: Any, w1: Any, w2: Any, b2: Any, b3: Any
) -> dict[str, np.ndarray]:
    r"""The gradients of the 2-2-1 network with biases, ``b2`` $= b^{[1]}$
    and ``b3`` $= b^{[2]}$, for $\mathcal{L} = (\hat y - y)^2$:

    $$\frac{\partial \mathcal{L}}{\partial b^{[2]}} = \delta^{[2]} =
    2(\hat y - y)\,\sigma'(z^{[2]}), \qquad
    \frac{\partial \mathcal{L}}{\partial b^{[1]}_j} = \delta^{[1]}_j =
    \delta^{[2]}\, W^{[2]}_{1j}\,\sigma'(z^{[1]}_j),$$

    $$\frac{\partial \mathcal{L}}{\partial W^{[2]}_{1j}} =
    \delta^{[2]} a^{[1]}_j, \qquad
    \frac{\partial \mathcal{L}}{\partial W^{[1]}_{jk}} =
    \delta^{[1]}_j\, x_k.$$

    Returns
    -------
    dict
        ``"w1"`` (2, 2) and ``"w2"`` (2, 1), laid out "from, to" like ``w1``
        and ``w2`` ($dW^{[1]\top}$, $dW^{[2]\top}$); ``"b2"`` (2, 1)
        $= db^{[1]}$ and ``"b3"`` (1, 1) $= db^{[2]}$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import worked
    >>> x, t, w1, w2 = worked.example_221()
    >>> b2, b3 = np.zeros((2, 1)), np.zeros((1, 1))
    >>> g = worked.net221_bias_gradients(x, t, w1, w2, b2, b3)
    >>> gw1, gw2 = worked.net221_error_gradients(x, t, w1, w2)
    >>> np.allclose(g["w2"], gw2)  # zero biases: the bias-free gradients
    True
    """
    f = net221_forward(x, w1, w2, b2, b3)
    w2 = np.asarray(w2, dtype=np.float64)
    t0 = np.asarray(t, dtype=np.float64).reshape(-1)[0]
    Delta = float(t0 - f["O3"][0, 0])
    s3 = float(sigmoid_derivative(f["I3"][0, 0]))
    common = -2 * Delta * s3  # delta[2] = 2 (yhat - y) sigma'(z[2])
    gb3 = np.array([[common]])
    gb2 = np.array([[common * float(w2[j, 0])
                     * float(sigmoid_derivative(f["I2"][j, 0]))]
                    for j in range(2)])
    gw2 = np.array([[common * float(f["O2"][j, 0])] for j in range(2)])
    gw1 = np.array([[float(gb2[j, 0]) * float(f["O1"][i, 0]) for j in range(2)]
                    for i in range(2)])
    return {"w1": gw1, "w2": gw2, "b2": gb2, "b3": gb3}


def net221_to_network(
    w1: Any, w2: Any, b2: Any = None, b3: Any = None
) -> Network:
    r"""The 2-2-1 network with weights "from, to" as a
    [`Network`][nnbook.network.Network]: $W^{[1]}$ is ``w1.T``, $W^{[2]}$ is
    ``w2.T``, $b^{[1]}$ is ``b2`` and $b^{[2]}$ is ``b3`` (zero by default);
    sigmoid layers, MSE loss.

    On one example the loss $\mathcal{L} = \sum_k (\hat y_k - y_k)^2$ is the
    MSE cost $J$, so ``net.backward(...).dW[l]`` is the transpose of the
    gradient laid out "from, to".

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import worked
    >>> x, t, w1, w2 = worked.example_221()
    >>> net = worked.net221_to_network(w1, w2)
    >>> grads = net.backward(net.forward(x), t)
    >>> gw1, gw2 = worked.net221_error_gradients(x, t, w1, w2)
    >>> np.allclose(grads.dW[1].T, gw1)  # W[1] is w1 transposed
    True
    """
    w1, w2 = np.asarray(w1, dtype=np.float64), np.asarray(w2, dtype=np.float64)
    b1 = np.zeros((w1.shape[1], 1)) if b2 is None else b2
    bL = np.zeros((w2.shape[1], 1)) if b3 is None else b3
    return Network.from_parameters({1: w1.T, 2: w2.T}, {1: b1, 2: bL},
                                   "sigmoid", "mse")


def _column(value: Any, name: str, shape: tuple[int, int]) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.size == shape[0] * shape[1] and arr.ndim <= 1 and shape[1] == 1:
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise ValueError(
            f"{name}: expected shape {shape}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: expected finite values, got {arr.tolist()}")
    return arr


def _sigma(u: float) -> float:
    """The sigmoid of one number, without overflow for large |u|."""
    if u >= 0:
        return 1.0 / (1.0 + float(np.exp(-u)))
    e = float(np.exp(u))
    return e / (1.0 + e)


def net221_by_hand(
    x: Any, y: Any, W1: Any, W2: Any, b1: Any = None, b2: Any = None
) -> dict[str, Any]:
    r"""Chapter 6's 2-2-1 sigmoid network, one scalar formula at a time.

    Weights are "to, from": ``W1[j-1, k-1]`` is $W^{[1]}_{jk}$ (to hidden unit
    $j$ from input $k$), ``W2[0, j-1]`` is $W^{[2]}_{1j}$; biases ``b1``
    $(2, 1)$, ``b2`` $(1, 1)$, zero when ``None``. Loss $J = (\hat y - y)^2$
    (one example, so the cost is the loss). Every quantity is computed entry by
    entry with Python floats, the way the chapter writes it, not by matrix
    products:

    $$z^{[1]}_j = \textstyle\sum_k W^{[1]}_{jk} x_k + b^{[1]}_j, \quad
    a^{[1]}_j = \sigma(z^{[1]}_j), \quad
    z^{[2]} = \textstyle\sum_j W^{[2]}_{1j} a^{[1]}_j + b^{[2]}, \quad
    \hat y = \sigma(z^{[2]}),$$

    $$\frac{\partial J}{\partial \hat y} = -2\Delta = 2(\hat y - y), \quad
    \delta^{[2]} = \frac{\partial J}{\partial \hat y}\,\sigma'(z^{[2]}), \quad
    \delta^{[1]}_j = W^{[2]}_{1j}\,\delta^{[2]}\,\sigma'(z^{[1]}_j),$$

    $$\begin{aligned}
    dW^{[2]}_{1j} &= \delta^{[2]} a^{[1]}_j, &
    db^{[2]} &= \delta^{[2]}, \\
    dW^{[1]}_{jk} &= \delta^{[1]}_j x_k, &
    db^{[1]}_j &= \delta^{[1]}_j, \\
    \frac{\partial J}{\partial x_k} &=
    \textstyle\sum_j W^{[1]}_{jk}\,\delta^{[1]}_j .
    \end{aligned}$$

    Returns
    -------
    dict
        Columns and matrices with the engine's shapes: ``"x"``, ``"z1"``,
        ``"a1"``, ``"g1"`` ($\sigma'(z^{[1]})$), ``"dA1"``
        ($W^{[2]\top}\delta^{[2]}$), ``"dZ1"`` ($\delta^{[1]}$), ``"db1"``,
        ``"dx"`` (all $(2, 1)$); ``"z2"``, ``"yhat"``, ``"g2"``, ``"dyhat"``,
        ``"dZ2"`` ($\delta^{[2]}$), ``"db2"`` (all $(1, 1)$); ``"dW2"``
        $(1, 2)$, ``"dW1"`` $(2, 2)$; and the floats ``"J"`` and ``"Delta"``
        ($y - \hat y$).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import worked
    >>> x, y = np.array([[0.35], [0.90]]), np.array([[0.5]])
    >>> W1 = np.array([[0.1, 0.4], [0.8, 0.6]])
    >>> W2 = np.array([[0.3, 0.9]])
    >>> h = worked.net221_by_hand(x, y, W1, W2)
    >>> round(float(h["z1"][0, 0]), 6), round(float(h["dW1"][0, 0]), 6)
    (0.395, 0.002059)
    """
    x = _column(x, "x", (2, 1))
    y = _column(y, "y", (1, 1))
    W1 = _column(W1, "W1", (2, 2))
    W2 = _column(W2, "W2", (1, 2))
    b1 = np.zeros((2, 1)) if b1 is None else _column(b1, "b1", (2, 1))
    b2 = np.zeros((1, 1)) if b2 is None else _column(b2, "b2", (1, 1))
    xs = [float(x[k, 0]) for k in range(2)]
    z1 = [float(W1[j, 0]) * xs[0] + float(W1[j, 1]) * xs[1] + float(b1[j, 0])
          for j in range(2)]
    a1 = [_sigma(z) for z in z1]
    g1 = [a * (1 - a) for a in a1]  # sigma'(z) = sigma(z) (1 - sigma(z))
    z2 = float(W2[0, 0]) * a1[0] + float(W2[0, 1]) * a1[1] + float(b2[0, 0])
    yhat = _sigma(z2)
    g2 = yhat * (1 - yhat)
    Delta = float(y[0, 0]) - yhat  # target minus output
    J = Delta**2
    dyhat = -2 * Delta  # dJ/dyhat = -2 Delta = 2 (yhat - y)
    d2 = dyhat * g2  # delta[2] = dJ/dz[2]
    dA1 = [float(W2[0, j]) * d2 for j in range(2)]  # dJ/da[1]_j
    d1 = [dA1[j] * g1[j] for j in range(2)]  # delta[1]_j = dJ/dz[1]_j
    dW2 = [d2 * a1[j] for j in range(2)]
    dW1 = [[d1[j] * xs[k] for k in range(2)] for j in range(2)]
    dx = [float(W1[0, k]) * d1[0] + float(W1[1, k]) * d1[1] for k in range(2)]

    def col(values: list[float]) -> np.ndarray:
        return np.array(values, dtype=np.float64).reshape(-1, 1)

    return {
        "x": x.copy(), "z1": col(z1), "a1": col(a1), "g1": col(g1),
        "z2": col([z2]), "yhat": col([yhat]), "g2": col([g2]),
        "J": J, "Delta": Delta, "dyhat": col([dyhat]),
        "dZ2": col([d2]), "dA1": col(dA1), "dZ1": col(d1),
        "dW2": np.array([dW2]), "db2": col([d2]),
        "dW1": np.array(dW1), "db1": col(d1), "dx": col(dx),
    }


# ------------------------------------- a layer and a neuron (Chapters 2 and 5)
def layer_2to4(x: Any, W: Any, b: Any) -> np.ndarray:
    r"""Chapter 2's layer from two inputs to four units, one equation per
    unit:

    $$z_i = x_1 w_{i1} + x_2 w_{i2} + b_i, \qquad i = 1, \dots, 4,$$

    that is $z = W x + b$ with $W$ of shape $(4, 2)$: $w_{ij}$ is the weight
    to unit $i$ from input $j$.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.worked import layer_2to4
    >>> W, b = np.arange(8.0).reshape(4, 2), np.ones((4, 1))
    >>> x = np.array([[1.0], [2.0]])
    >>> layer_2to4(x, W, b).ravel().tolist()
    [3.0, 9.0, 15.0, 21.0]
    >>> np.array_equal(layer_2to4(x, W, b), W @ x + b)
    True
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    if x.shape != (2,) or W.shape != (4, 2) or b.shape != (4,):
        raise ValueError(f"x, W, b: expected shapes (2, 1), (4, 2), (4, 1), "
                         f"got {x.shape}, {W.shape}, {b.shape}")
    z = [x[0] * W[i, 0] + x[1] * W[i, 1] + b[i] for i in range(4)]
    return np.array(z).reshape(4, 1)


def single_neuron_gradients(
    x: float, y: float, w: float, b: float
) -> tuple[float, float]:
    r"""Chapter 5's single neuron $z = w x + b$, $\hat y = a = \sigma(z)$,
    loss $\mathcal{L} = (\hat y - y)^2$, by the four-factor chain rule:

    $$\frac{\partial \mathcal{L}}{\partial w} =
    \underbrace{2(\hat y - y)}_{\partial\mathcal{L}/\partial\hat y}
    \cdot \underbrace{1}_{\partial \hat y/\partial a} \cdot
    \underbrace{\sigma(z)(1 - \sigma(z))}_{\partial a/\partial z} \cdot
    \underbrace{x}_{\partial z/\partial w},
    \qquad
    \frac{\partial \mathcal{L}}{\partial b} =
    2(\hat y - y)\,\sigma(z)(1 - \sigma(z)).$$

    The factor 2 comes from the square; the loss $\tfrac12(\hat y - y)^2$
    would give $\hat y - y$ in its place.

    Examples
    --------
    >>> from nnbook.worked import single_neuron_gradients
    >>> dw, db = single_neuron_gradients(x=2.0, y=1.0, w=0.0, b=0.0)
    >>> dw, db   # 2 (0.5 - 1) * 0.25 * 2 and 2 (0.5 - 1) * 0.25
    (-0.5, -0.25)
    """
    z = w * x + b
    a = float(sigmoid(np.float64(z)))
    dL_dyhat = 2 * (a - y)
    dyhat_da = 1.0
    da_dz = a * (1 - a)
    dz_dw, dz_db = x, 1.0
    return (float(dL_dyhat * dyhat_da * da_dz * dz_dw),
            float(dL_dyhat * dyhat_da * da_dz * dz_db))


# --------------------------------------- two layers, Jacobian form (Chapter 7)
def two_layer_jacobians(
    x: Any, y: Any, W1: Any, b1: Any, W2: Any, b2: Any,
    g1: str, g2: str, loss: str,
) -> dict[str, np.ndarray]:
    r"""Chapter 7's two-layer network on one example, every local Jacobian
    written out.

    Forward: $a^{[0]} = x$, $z^{[1]} = W^{[1]} a^{[0]} + b^{[1]}$,
    $a^{[1]} = g^{[1]}(z^{[1]})$, $z^{[2]} = W^{[2]} a^{[1]} + b^{[2]}$,
    $\hat y = a^{[2]} = g^{[2]}(z^{[2]})$; loss $\mathcal{L}(\hat y, y)$ (one
    example, so the cost is the loss).

    Jacobians in numerator layout ($\partial f/\partial v$ is
    $\dim f \times \dim v$): $\partial \hat y/\partial a^{[2]} = I$,
    $\partial a^{[l]}/\partial z^{[l]} = D^{[l]} =
    \operatorname{diag}(g^{[l]\prime}(z^{[l]}))$ (the full
    $\operatorname{diag}(a) - aa^\top$ for softmax),
    $\partial z^{[2]}/\partial a^{[1]} = W^{[2]}$,
    $\partial z^{[1]}/\partial a^{[0]} = W^{[1]}$,
    $\partial z^{[l]}/\partial b^{[l]} = I$.

    The deltas as rows, chained left to right:

    $$\delta^{[2]\top} = \frac{\partial \mathcal{L}}{\partial z^{[2]}} =
    \frac{\partial \mathcal{L}}{\partial \hat y}\,
    \frac{\partial \hat y}{\partial a^{[2]}}\, D^{[2]}, \qquad
    \delta^{[1]\top} = \frac{\partial \mathcal{L}}{\partial z^{[1]}} =
    \delta^{[2]\top}\, W^{[2]}\, D^{[1]},$$

    $$dW^{[2]} = \delta^{[2]} a^{[1]\top}, \quad db^{[2]} = \delta^{[2]},
    \quad dW^{[1]} = \delta^{[1]} a^{[0]\top}, \quad db^{[1]} = \delta^{[1]}.$$

    The keys name $a^{[l]}$ ``a<l>``, $z^{[l]}$ ``s<l>``, $\hat y$ ``y`` and
    the loss ``C``.

    Returns
    -------
    dict
        ``a0, s1, a1, s2, a2`` (columns); ``dC_dy`` (a row), ``dy_da2``,
        ``da2_ds2``, ``ds2_da1``, ``da1_ds1``, ``ds1_da0``, ``ds2_db2``,
        ``ds1_db1``, ``ds2_dW2`` ($= a^{[1]\top}$, the row that multiplies
        $\delta^{[2]}$), ``ds1_dW1`` ($= a^{[0]\top}$); ``delta2``,
        ``delta1`` (rows); ``dW2, db2, dW1, db1`` (parameter shapes).

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.worked import two_layer_jacobians
    >>> rng = np.random.default_rng(0)
    >>> W1, b1 = rng.normal(size=(3, 2)), np.zeros((3, 1))
    >>> W2, b2 = rng.normal(size=(1, 3)), np.zeros((1, 1))
    >>> x, y = np.ones((2, 1)), np.ones((1, 1))
    >>> J = two_layer_jacobians(x, y, W1, b1, W2, b2,
    ...                         g1="tanh", g2="sigmoid", loss="bce")
    >>> J["ds2_da1"].shape, J["delta1"].shape, J["dW1"].shape
    ((1, 3), (1, 3), (3, 2))
    >>> np.allclose(J["delta2"], (J["a2"] - 1).T)  # sigmoid, BCE: yhat - y
    True
    """
    f64 = np.float64
    a0 = np.asarray(x, dtype=f64).reshape(-1, 1)
    y = np.asarray(y, dtype=f64).reshape(-1, 1)
    W1, W2 = np.asarray(W1, dtype=f64), np.asarray(W2, dtype=f64)
    b1 = np.asarray(b1, dtype=f64).reshape(-1, 1)
    b2 = np.asarray(b2, dtype=f64).reshape(-1, 1)
    act1, act2, lo = get_activation(g1), get_activation(g2), get_loss(loss)
    n1, n2 = W1.shape[0], W2.shape[0]

    s1 = W1 @ a0 + b1
    a1 = act1.forward(s1)
    s2 = W2 @ a1 + b2
    a2 = act2.forward(s2)

    def local(act: Any, s: np.ndarray, a: np.ndarray) -> np.ndarray:
        if act.name == "softmax":
            return np.diag(a[:, 0]) - a @ a.T
        return np.diag(act.derivative(s)[:, 0])

    J: dict[str, np.ndarray] = {"a0": a0, "s1": s1, "a1": a1,
                                "s2": s2, "a2": a2}
    J["dC_dy"] = lo.derivative(a2, y).T  # a row; m = 1: dL/dyhat itself
    J["dy_da2"] = np.eye(n2)  # I, n[2] x n[2]
    J["da2_ds2"] = local(act2, s2, a2)
    J["ds2_da1"] = W2  # numerator layout: W[2], not its transpose
    J["da1_ds1"] = local(act1, s1, a1)
    J["ds1_da0"] = W1
    J["ds2_db2"] = np.eye(n2)
    J["ds1_db1"] = np.eye(n1)
    J["ds2_dW2"] = a1.T
    J["ds1_dW1"] = a0.T
    J["delta2"] = J["dC_dy"] @ J["dy_da2"] @ J["da2_ds2"]
    J["delta1"] = J["delta2"] @ J["ds2_da1"] @ J["da1_ds1"]
    J["dW2"] = J["delta2"].T @ J["ds2_dW2"]
    J["db2"] = (J["delta2"] @ J["ds2_db2"]).T
    J["dW1"] = J["delta1"].T @ J["ds1_dW1"]
    J["db1"] = (J["delta1"] @ J["ds1_db1"]).T
    return J


# ------------------------------------------- three layers, batched (Chapter 8)
def _layers(
    p: Mapping[int, Any] | Sequence[Any], name: str
) -> dict[int, np.ndarray]:
    items = p.items() if isinstance(p, Mapping) else enumerate(p, start=1)
    d = {int(k): np.asarray(v, dtype=np.float64) for k, v in items}
    if sorted(d) != [1, 2, 3]:
        raise ValueError(f"{name}: expected three layers keyed 1, 2, 3, "
                         f"got keys {sorted(d)}")
    return d


def three_layer_gradients(
    X: Any, Y: Any, W: Any, b: Any, task: str = "classification"
) -> dict[str, Any]:
    r"""Chapter 8's three-layer network on a batch of $m$ examples, with the
    $\tfrac1m$ inside the deltas: here ``dZ<l>`` is
    $\partial J/\partial Z^{[l]} = \tfrac1m\, dZ^{[l]}$.

    Forward: $Z^{[1]} = W^{[1]} X + b^{[1]}$,
    $A^{[1]} = \mathrm{ReLU}(Z^{[1]})$, $Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}$,
    $A^{[2]} = \mathrm{ReLU}(Z^{[2]})$, $Z^{[3]} = W^{[3]} A^{[2]} + b^{[3]}$,
    and $A^{[3]} = \sigma(Z^{[3]})$ with BCE (``task="classification"``) or
    $A^{[3]} = Z^{[3]}$ with MSE (``task="regression"``). Backward, writing
    $G^{[l]} = \partial J/\partial Z^{[l]}$:

    $$\begin{aligned}
    G^{[3]} &= \tfrac{1}{m}(A^{[3]} - Y) \ \text{(BCE)}
      \quad\text{or}\quad \tfrac{2}{m}(A^{[3]} - Y) \ \text{(MSE)},\\
    G^{[l]} &= (W^{[l+1]\top} G^{[l+1]}) \odot g^{[l]\prime}(Z^{[l]}),\\
    dW^{[l]} &= G^{[l]} A^{[l-1]\top}, \quad
    db^{[l]} = \textstyle\sum_i G^{[l]}_{:,i}.
    \end{aligned}$$

    Returns
    -------
    dict
        ``Z1..Z3``, ``A1..A3``, ``J`` (the cost), ``dZ1..dZ3`` (the
        $G^{[l]}$), ``dW1..dW3``, ``db1..db3``.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook.worked import three_layer_gradients
    >>> rng = np.random.default_rng(1)
    >>> sizes = [2, 4, 3, 1]
    >>> W = {l: rng.normal(size=(sizes[l], sizes[l - 1])) for l in (1, 2, 3)}
    >>> b = {l: np.zeros((sizes[l], 1)) for l in (1, 2, 3)}
    >>> X, Y = rng.normal(size=(2, 5)), np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    >>> g = three_layer_gradients(X, Y, W, b)
    >>> dZ3 = (g["A3"] - Y) / 5  # sigmoid and BCE, m = 5
    >>> g["dW3"].shape, g["db1"].shape, bool(np.allclose(g["dZ3"], dZ3))
    ((1, 3), (4, 1), True)
    """
    if task not in ("classification", "regression"):
        raise ValueError("task: expected 'classification' or 'regression', "
                         f"got {task!r}")
    W, b = _layers(W, "W"), _layers(b, "b")
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64).reshape(1, -1)
    m = X.shape[1]
    relu = get_activation("relu").forward
    relu_d = get_activation("relu").derivative

    Z1 = W[1] @ X + b[1]
    A1 = relu(Z1)
    Z2 = W[2] @ A1 + b[2]
    A2 = relu(Z2)
    Z3 = W[3] @ A2 + b[3]
    if task == "classification":
        A3 = sigmoid(Z3)
        J = get_loss("bce").value(A3, Y)
        dZ3 = (1 / m) * (A3 - Y)
    else:
        A3 = Z3
        J = get_loss("mse").value(A3, Y)
        dZ3 = (2 / m) * (A3 - Y)
    dW3 = dZ3 @ A2.T
    db3 = dZ3.sum(axis=1, keepdims=True)
    dZ2 = (W[3].T @ dZ3) * relu_d(Z2)
    dW2 = dZ2 @ A1.T
    db2 = dZ2.sum(axis=1, keepdims=True)
    dZ1 = (W[2].T @ dZ2) * relu_d(Z1)
    dW1 = dZ1 @ X.T
    db1 = dZ1.sum(axis=1, keepdims=True)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "Z3": Z3, "A3": A3,
            "J": J,
            "dZ3": dZ3, "dW3": dW3, "db3": db3,
            "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}
