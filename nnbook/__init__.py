r"""nnbook: the small NumPy engine of *The mathematics of neural networks*.

Column convention: ``X`` is ``(n[0], m)``, ``W[l]`` is ``(n[l], n[l-1])``,
``b[l]`` is ``(n[l], 1)``; ``Z[l] = W[l] @ A[l-1] + b[l]``,
``A[l] = g[l](Z[l])``.

Examples
--------
>>> import nnbook as nb
>>> X, Y = nb.datasets.xor()
>>> net = nb.Network([2, 2, 1], ["tanh", "sigmoid"], loss="bce", seed=0)
>>> hist = net.fit(X, Y, epochs=2000, learning_rate=0.5)
>>> hist.loss[-1] < hist.loss[0]
True
"""

from . import autodiff, datasets, worked
from .activations import (
    ACTIVATIONS,
    DERIVATIVES,
    Activation,
    get_activation,
    identity,
    identity_derivative,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_derivative,
    softmax_jacobian,
    tanh,
    tanh_derivative,
)
from .gradcheck import (
    GradCheckResult,
    gradient_check,
    numerical_gradient,
    relative_error,
)
from .io import load, save
from .losses import (
    LOSSES,
    SHORTCUTS,
    VALID_PAIRS,
    Loss,
    bce,
    bce_derivative,
    bce_with_logits,
    cross_entropy,
    cross_entropy_derivative,
    cross_entropy_with_logits,
    get_loss,
    mse,
    mse_derivative,
    output_cost,
    output_delta,
)
from .network import Cache, Gradients, History, Network, StopTraining

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "DERIVATIVES",
    "LOSSES",
    "SHORTCUTS",
    "StopTraining",
    "VALID_PAIRS",
    "Activation",
    "Cache",
    "GradCheckResult",
    "Gradients",
    "History",
    "Loss",
    "Network",
    "__version__",
    "autodiff",
    "bce",
    "bce_derivative",
    "bce_with_logits",
    "cross_entropy",
    "cross_entropy_derivative",
    "cross_entropy_with_logits",
    "datasets",
    "get_activation",
    "gradient_check",
    "get_loss",
    "identity",
    "identity_derivative",
    "leaky_relu",
    "load",
    "leaky_relu_derivative",
    "mse",
    "mse_derivative",
    "numerical_gradient",
    "output_cost",
    "output_delta",
    "relative_error",
    "relu",
    "relu_derivative",
    "save",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_derivative",
    "softmax_jacobian",
    "tanh",
    "tanh_derivative",
    "worked",
]
