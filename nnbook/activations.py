r"""Activation functions $g$ paired with their derivatives $g'$.

Every function acts on a pre-activation array ``Z`` of any shape and returns an
array of the same shape and dtype. The tables ``ACTIVATIONS`` and
``DERIVATIVES`` map a name to the function, the way scikit-learn's
``neural_network/_base.py`` does.

Softmax is the exception: it normalises each *column* (one example) over
``axis=0``, so its Jacobian is not diagonal and it has no element-wise
derivative. [`get_activation`][nnbook.activations.get_activation] returns an
[`Activation`][nnbook.activations.Activation] whose ``backward(dA, Z, A)`` is
the Jacobian-vector product for every activation, softmax included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "DERIVATIVES",
    "Activation",
    "get_activation",
    "identity",
    "identity_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_derivative",
    "softmax_jacobian",
    "tanh",
    "tanh_derivative",
]

LEAKY_SLOPE = 0.01


def _float_array(z: np.ndarray) -> np.ndarray:
    """Return ``z`` as a floating array, keeping float32/float64, promoting
    ints to float64."""
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    return z


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""Logistic sigmoid $\sigma(z) = \dfrac{1}{1 + e^{-z}}$, element-wise and
    overflow-free.

    Uses $e^{-|z|}$ only, which never overflows: $\sigma(z) = 1/(1+e^{-|z|})$
    for $z \ge 0$ and $e^{-|z|}/(1+e^{-|z|})$ for $z < 0$.

    Parameters
    ----------
    z : ndarray
        Pre-activations, any shape. float32 stays float32.

    Returns
    -------
    ndarray
        Values in $(0, 1)$ (exactly 0 or 1 after rounding for very large
        $|z|$), same shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.sigmoid(np.array([0.0, 2.0, -2.0])).round(4).tolist()
    [0.5, 0.8808, 0.1192]
    >>> nb.sigmoid(np.array([-1e4, 1e4])).tolist()
    [0.0, 1.0]
    """
    # --8<-- [start:sigmoid]
    z = _float_array(z)
    e = np.exp(-np.abs(z))  # e^{-|z|} lies in (0, 1]: it cannot overflow
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return s.astype(z.dtype, copy=False)
    # --8<-- [end:sigmoid]


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    r"""Derivative of the sigmoid, $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.sigmoid_derivative(np.array([0.0])).tolist()
    [0.25]
    """
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    r"""Hyperbolic tangent $\tanh z = \dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$.

    Computed by NumPy's stable ``np.tanh``.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.tanh(np.array([0.0, 1.0])).round(4).tolist()
    [0.0, 0.7616]
    """
    return np.tanh(_float_array(z))


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    r"""Derivative of tanh, $\tanh'(z) = 1 - \tanh^2 z$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.tanh_derivative(np.array([0.0, 1.0])).round(4).tolist()
    [1.0, 0.42]
    """
    t = tanh(z)
    return 1 - t * t


def relu(z: np.ndarray) -> np.ndarray:
    r"""Rectified linear unit $\mathrm{ReLU}(z) = \max(0, z)$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.relu(np.array([-2.0, 0.0, 3.0])).tolist()
    [0.0, 0.0, 3.0]
    """
    z = _float_array(z)
    return np.maximum(z, 0).astype(z.dtype, copy=False)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    r"""Derivative of ReLU: $1$ where $z > 0$, $0$ where $z \le 0$.

    ReLU is not differentiable at $z = 0$; the book's convention is
    $\mathrm{ReLU}'(0) = 0$ (any value in $[0, 1]$ is a valid subgradient
    there).

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.relu_derivative(np.array([-2.0, 0.0, 3.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    z = _float_array(z)
    return (z > 0).astype(z.dtype)


def identity(z: np.ndarray) -> np.ndarray:
    r"""Identity (linear) activation $g(z) = z$, used as the regression output.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.identity(np.array([-1.5, 2.0])).tolist()
    [-1.5, 2.0]
    """
    return _float_array(z)


def identity_derivative(z: np.ndarray) -> np.ndarray:
    r"""Derivative of the identity, $g'(z) = 1$ (the Jacobian is the identity
    matrix $I$).

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.identity_derivative(np.array([-1.5, 2.0])).tolist()
    [1.0, 1.0]
    """
    return np.ones_like(_float_array(z))


def leaky_relu(z: np.ndarray, slope: float = LEAKY_SLOPE) -> np.ndarray:
    r"""Leaky ReLU $g(z) = z$ for $z > 0$ and $\alpha z$ otherwise, with slope
    $\alpha = 0.01$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.leaky_relu(np.array([-2.0, 3.0])).tolist()
    [-0.02, 3.0]
    """
    z = _float_array(z)
    a = np.where(z > 0, z, z * z.dtype.type(slope))
    return a.astype(z.dtype, copy=False)


def leaky_relu_derivative(
    z: np.ndarray, slope: float = LEAKY_SLOPE
) -> np.ndarray:
    r"""Derivative of leaky ReLU: $1$ for $z > 0$, $\alpha$ for $z \le 0$
    (convention at 0).

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.leaky_relu_derivative(np.array([-2.0, 0.0, 3.0])).tolist()
    [0.01, 0.01, 1.0]
    """
    z = _float_array(z)
    d = np.where(z > 0, z.dtype.type(1), z.dtype.type(slope))
    return d.astype(z.dtype, copy=False)


def softmax(z: np.ndarray) -> np.ndarray:
    r"""Column-wise softmax $a_j = \dfrac{e^{z_j}}{\sum_k e^{z_k}}$, over
    ``axis=0``.

    Each column is one example; the column maximum is subtracted first, which
    leaves the result unchanged and prevents overflow.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> a = nb.softmax(np.array([[1.0, 1000.0], [1.0, 0.0]]))
    >>> a.round(4).tolist()
    [[0.5, 1.0], [0.5, 0.0]]
    >>> a.sum(axis=0).tolist()
    [1.0, 1.0]
    """
    z = _float_array(z)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_derivative(z: np.ndarray) -> np.ndarray:
    r"""Not defined element-wise: always raises.

    The softmax Jacobian $\partial a_i / \partial z_j = a_i(\delta_{ij} - a_j)$
    is not diagonal, so there is no $g'(z)$ to multiply element-wise. Use
    [`softmax_jacobian`][nnbook.activations.softmax_jacobian] for one column,
    or ``get_activation("softmax").backward``, which computes the
    Jacobian-vector product.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.softmax_derivative(np.zeros((2, 1)))
    Traceback (most recent call last):
    ...
    ValueError: softmax has no element-wise derivative: its Jacobian
    a_i(delta_ij - a_j) is not diagonal; use softmax_jacobian(z) for one column
    or get_activation('softmax').backward(dA, Z, A)
    """
    raise ValueError(
        "softmax has no element-wise derivative: "
        "its Jacobian a_i(delta_ij - a_j) is not "
        "diagonal; use softmax_jacobian(z) for one column or "
        "get_activation('softmax').backward(dA, Z, A)"
    )


def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    r"""Jacobian of softmax for one example,
    $J = \operatorname{diag}(a) - a a^\top$.

    Parameters
    ----------
    z : ndarray
        One pre-activation column, shape ``(n,)`` or ``(n, 1)``.

    Returns
    -------
    ndarray
        Shape ``(n, n)``, numerator layout:
        $J_{ij} = \partial a_i / \partial z_j$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> nb.softmax_jacobian(np.zeros(2)).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    z = _float_array(z)
    if z.ndim == 2 and z.shape[1] == 1:
        z = z[:, 0]
    if z.ndim != 1:
        raise ValueError("z: expected one column of shape (n,) or (n, 1), "
                         f"got shape {z.shape}")
    a = softmax(z[:, None])[:, 0]
    return np.diag(a) - np.outer(a, a)


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "identity": identity,
    "leaky_relu": leaky_relu,
    "softmax": softmax,
}
"""Activation name -> $g$."""

DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "identity": identity_derivative,
    "leaky_relu": leaky_relu_derivative,
    "softmax": softmax_derivative,
}
"""Activation name -> $g'$ (softmax's raises: its Jacobian is not diagonal)."""


@dataclass(frozen=True)
class Activation:
    r"""An activation $g$ with its derivative and its backward rule.

    Attributes
    ----------
    name : str
        Key in [`ACTIVATIONS`][nnbook.activations.ACTIVATIONS].
    forward : callable
        $Z \mapsto A = g(Z)$.
    derivative : callable
        $Z \mapsto g'(Z)$ element-wise (raises for softmax).
    backward : callable
        $(dA, Z, A) \mapsto dZ$. Element-wise activations:
        $dZ = dA \odot g'(Z)$. Softmax: the Jacobian-vector product per column,
        $dZ = A \odot (dA - \mathbf{1}^\top(dA \odot A))$.

    Examples
    --------
    >>> import numpy as np
    >>> import nnbook as nb
    >>> g = nb.get_activation("tanh")
    >>> Z = np.array([[0.0, 1.0]])
    >>> g.backward(np.ones_like(Z), Z, g.forward(Z)).round(4).tolist()
    [[1.0, 0.42]]
    """

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """Apply the activation: ``g(Z)`` is ``g.forward(Z)``."""
        return self.forward(z)


def _elementwise_backward(
    derivative: Callable[[np.ndarray], np.ndarray],
) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    def backward(dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        return dA * derivative(Z)

    return backward


def _sigmoid_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray
) -> np.ndarray:
    return dA * (A * (1 - A))  # sigma' = sigma (1 - sigma), from the cached A


def _tanh_backward(dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    return dA * (1 - A * A)  # tanh' = 1 - tanh^2, reusing the cached A


def _softmax_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray
) -> np.ndarray:
    # column-wise (diag(a) - a a^T) @ da, without forming the Jacobian
    return A * (dA - (dA * A).sum(axis=0, keepdims=True))


_BACKWARD = {
    "sigmoid": _sigmoid_backward,
    "tanh": _tanh_backward,
    "relu": _elementwise_backward(relu_derivative),
    "identity": _elementwise_backward(identity_derivative),
    "leaky_relu": _elementwise_backward(leaky_relu_derivative),
    "softmax": _softmax_backward,
}


def get_activation(name: str | Activation) -> Activation:
    r"""Look up an activation by name.

    Parameters
    ----------
    name : str
        One of ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"identity"``,
        ``"leaky_relu"``, ``"softmax"``. An
        [`Activation`][nnbook.activations.Activation] is returned unchanged.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names.

    Examples
    --------
    >>> import nnbook as nb
    >>> nb.get_activation("relu").name
    'relu'
    >>> nb.get_activation("swish")
    Traceback (most recent call last):
    ...
    ValueError: activation: expected one of ['identity', 'leaky_relu', 'relu',
    'sigmoid', 'softmax', 'tanh'], got 'swish'
    """
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {sorted(ACTIVATIONS)}, "
                         f"got {name!r}")
    return Activation(name, ACTIVATIONS[name], DERIVATIVES[name],
                      _BACKWARD[name])
