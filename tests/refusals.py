"""The catalogue of what nnbook refuses: one entry per check, each a call that must fail.

Used twice, so that the page and the tests cannot drift apart:

* ``tests/test_refusals.py`` runs every entry and asserts the exception type, its message
  (``match``, and that it names ``argument``), that every network involved is bit-identical
  afterwards, and that no warning escapes;
* ``docs/appendix/refusals.md`` ("What nnbook refuses") runs every entry at build time and
  prints the message a reader actually gets (``render_topic``).

An entry's ``setup`` and ``call`` are code run after ``SETUP``, in an empty working directory
(files are written there under fixed names, so messages are the same on every run).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

SETUP = """\
import os
import numpy as np
import nnbook as nb
X, Y = nb.datasets.xor()  # X is (2, 4), Y is (1, 4)
net = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0)
"""
"""What every call starts from (shown once at the top of the page)."""


@dataclass(frozen=True)
class Refusal:
    """One check: ``call`` (after ``setup``) raises ``error`` whose message matches ``match``
    and names ``argument``."""

    id: str
    topic: str
    check: str  # what is refused, a few words
    call: str  # the offending call, one line
    argument: str  # the argument the message names
    error: type[Exception]
    match: str  # regex searched in the message
    why: str  # one sentence: why nnbook refuses instead of going on
    setup: str = ""  # code that prepares the call (shown above it)

    @property
    def code(self) -> str:
        return (self.setup + "\n" if self.setup else "") + self.call


TOPICS = {
    "network": "Building a network",
    "data": "Inputs and targets",
    "training": "Training",
    "gradcheck": "Gradient check",
    "files": "Saving and loading",
}

SOFTMAX = 'net3 = nb.Network([2, 4, 3], ["tanh", "softmax"], "cross_entropy", seed=0)'
CONTENTS = r"a file written by nb\.save is an \.npz archive of the arrays format, sizes"

CATALOGUE: tuple[Refusal, ...] = (
    # ------------------------------------------------------------------ building a network
    Refusal(
        "pair-tanh-bce", "network", "An output activation the loss has no meaning for",
        'nb.Network([2, 3, 1], ["tanh", "tanh"], "bce")',
        "loss", ValueError, r"loss.*'bce'.*sigmoid",
        "BCE takes the logarithm of each output as a probability in (0, 1); tanh outputs "
        "leave that interval, and backward would no longer be the gradient of the cost.",
    ),
    Refusal(
        "pair-identity-ce", "network", "Cross-entropy after a non-softmax output",
        'nb.Network([2, 3, 3], ["tanh", "identity"], "cross_entropy")',
        "loss", ValueError, r"loss.*'cross_entropy'.*softmax",
        "Cross-entropy reads each column of outputs as a probability distribution; only "
        "softmax makes one, so the backward shortcut A - Y would be wrong.",
    ),
    Refusal(
        "unknown-activation", "network", "An activation nnbook does not know",
        'nb.Network([2, 3, 1], ["swish", "sigmoid"], "bce")',
        "activations", ValueError,
        r"activations: layer 1's activation: expected one of \[.*\], got 'swish'",
        "A misspelt name would otherwise surface later as a KeyError deep in forward.",
    ),
    Refusal(
        "unknown-loss", "network", "A loss nnbook does not know",
        'nb.Network([2, 3, 1], ["tanh", "sigmoid"], "hinge")',
        "loss", ValueError, r"loss: expected one of .*got 'hinge'",
        "The list of valid names is the quickest fix for a typo.",
    ),
    Refusal(
        "layer-sizes-short", "network", "Fewer than two layer sizes",
        'nb.Network([2], "sigmoid", "bce")',
        "layer_sizes", ValueError, r"layer_sizes: expected at least 2 sizes",
        "A network needs an input size n[0] and at least one layer of units.",
    ),
    Refusal(
        "layer-sizes-zero", "network", "A layer of zero units",
        'nb.Network([2, 0, 1], ["tanh", "sigmoid"], "bce")',
        "layer_sizes", ValueError, r"layer_sizes: expected positive integers",
        "A layer with no units passes nothing on: every later output would be a constant.",
    ),
    Refusal(
        "activations-count", "network", "Not one activation per layer",
        'nb.Network([2, 3, 1], ["tanh"], "bce")',
        "activations", ValueError, r"activations: expected 2 names \(one per layer 1\.\.2\)",
        "Guessing which layer the one name was meant for would build a different network.",
    ),
    Refusal(
        "init-unknown", "network", "An unknown initialisation",
        'nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", init="kaiming")',
        "init", ValueError, r"init: expected one of \[.*\], got 'kaiming'",
        "He and Xavier go by their own names here; the list says which.",
    ),
    Refusal(
        "dtype-float16", "network", "A dtype other than float32 or float64",
        'nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", dtype=np.float16)',
        "dtype", TypeError, r"dtype: expected np\.float32 or np\.float64, got float16",
        "Half precision's largest number is 65504, so the exponential of a logit "
        "overflows once the logit passes ln 65504, just above 11; and the book's "
        "tolerances are written for float32 and float64.",
    ),
    Refusal(
        "dtype-int", "network", "An integer dtype",
        'nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", dtype=int)',
        "dtype", TypeError, r"dtype: expected np\.float32 or np\.float64, got int64",
        "Gradient descent moves weights by small fractions; integers cannot hold them.",
    ),
    Refusal(
        "seed-string", "network", "A seed that is not an integer",
        'nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed="abc")',
        "seed", TypeError, r"seed: expected",
        "NumPy's own message would not say which argument it was about.",
    ),
    Refusal(
        "seed-negative", "network", "A negative seed",
        'nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=-1)',
        "seed", ValueError, r"seed: expected .*-1",
        "NumPy's random generators take seeds >= 0 only.",
    ),
    Refusal(
        "l2-negative", "network", "A negative L2 strength",
        'nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", l2=-0.1)',
        "l2", ValueError, r"l2: expected a finite number >= 0, got -0\.1",
        "A negative penalty rewards large weights: the cost has no minimum.",
    ),
    Refusal(
        "l2-setter", "network", "A negative L2 strength set later",
        "net.l2 = -1.0",
        "l2", ValueError, r"l2: expected a finite number >= 0, got -1\.0",
        "The setter checks like the constructor, and a refused value leaves the old one.",
    ),
    Refusal(
        "from-parameters-nan", "network", "Given weights with NaN or inf",
        'nb.Network.from_parameters({1: [[np.nan, 1]]}, {1: [[0]]}, "sigmoid", "bce")',
        "W[1]", ValueError, r"W\[1\]: expected finite values, got 1 NaN or inf entr",
        "A NaN weight makes every output it reaches NaN.",
    ),
    Refusal(
        "from-parameters-shape", "network", "Given biases of the wrong shape",
        'nb.Network.from_parameters(W, b, "tanh")',
        "b[1]", ValueError, r"b\[1\]: expected shape \(2, 1\), got shape \(3, 1\)",
        "The bias b[1] has one entry per unit of layer 1, as W[1] has rows: 2 here, not 3.",
        setup="W, b = {1: np.ones((2, 3))}, {1: np.zeros((3, 1))}",
    ),
    # ------------------------------------------------------------------ inputs and targets
    Refusal(
        "X-rows", "data", "X with the wrong number of rows",
        "net.forward(X.T)",
        "X", ValueError, r"X: expected shape \(2, m\) with n\[0\] = 2 rows",
        "Examples are columns: X.T is the common slip of putting them in rows.",
    ),
    Refusal(
        "X-1d", "data", "A 1-D X for a network with several inputs",
        "net.forward(X[0])",
        "X", ValueError, r"X: expected shape \(2, m\) .*got 1-D shape \(4,\)",
        "Four numbers could be one example of four features or four examples of one: "
        "nnbook does not guess.",
    ),
    Refusal(
        "X-nan", "data", "X with NaN or inf",
        "net.forward(np.array([[0.0, np.nan], [1.0, 1.0]]))",
        "X", ValueError, r"X: expected finite values, got 1 NaN or inf entr",
        "A NaN input makes its whole column of outputs NaN, and the cost NaN.",
    ),
    Refusal(
        "X-strings", "data", "X that is not numbers",
        'net.forward([["a", "b"], ["c", "d"]])',
        "X", TypeError, r"X: expected a numeric array, got dtype <U1",
        "NumPy would fail later with a message about ufuncs that names nothing.",
    ),
    Refusal(
        "X-empty", "data", "X with no examples",
        "net.forward(np.zeros((2, 0)))",
        "X", ValueError, r"X: expected at least one example, got empty shape \(2, 0\)",
        "The cost is a mean over examples: over none it is 0/0.",
    ),
    Refusal(
        "X-float32-overflow", "data", "A value a float32 network cannot hold",
        "net32.forward(np.array([[1e39], [0.0]]))",
        "X", ValueError, r"X: expected values that fit float32",
        "Cast to float32, 1e39 becomes inf with only a warning, and the network would "
        "compute with infinity from there on.",
        setup='net32 = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", dtype=np.float32)',
    ),
    Refusal(
        "Y-columns", "data", "Y with another number of examples than X",
        "net.cost(X, Y[:, :3])",
        "Y", ValueError, r"Y: expected 4 examples \(columns\) to match X, got shape \(1, 3\)",
        "A (1, 3) Y against a (1, 4) output would be broadcast or misaligned, never right.",
    ),
    Refusal(
        "Y-1d-several", "data", "1-D labels for several output units",
        "net3.cost(X, np.array([0, 1, 2, 1]))",
        "Y", ValueError, r"Y: expected shape \(3, 4\), got 1-D shape \(4,\)",
        "Class labels must be one-hot encoded (datasets.one_hot) to compare with three "
        "outputs; broadcasting would compare every label with every unit.",
        setup=SOFTMAX,
    ),
    Refusal(
        "Y-bce-range", "data", "BCE targets outside [0, 1]",
        "net.cost(X, 2 * Y)",
        "Y", ValueError, r"Y: expected targets in \[0, 1\] for loss 'bce'",
        "BCE is the likelihood of a probability; a target of 2 gives a cost without a minimum.",
    ),
    Refusal(
        "Y-ce-multihot", "data", "Cross-entropy targets that are not distributions",
        "net3.cost(X, np.array([[1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 1.0]]))",
        "Y", ValueError, r"Y: expected every column to sum to 1 for loss 'cross_entropy'",
        "With a column summing to 2 the softmax shortcut A - Y is off by A (sum - 1): "
        "backward would not be the gradient of the cost.",
        setup=SOFTMAX,
    ),
    Refusal(
        "Y-ce-zero", "data", "A cross-entropy target column of zeros",
        "net3.cost(X, np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0.0]]))",
        "Y", ValueError, r"Y: expected every column to sum to 1 .*column 3 sums to 0\.0",
        "An example with no class contributes no loss but a non-zero gradient A.",
        setup=SOFTMAX,
    ),
    Refusal(
        "forward-nan-weights", "data", "A forward pass through NaN weights",
        "net.forward(X)",
        "W[1]", ValueError, r"W\[1\]: contains NaN or inf before the forward pass",
        "Every output the NaN reaches would be NaN; the message says which entries.",
        setup="net.W[1][0, 0] = np.nan",
    ),
    Refusal(
        "backward-foreign-cache", "data", "A backward pass from another network's forward",
        "net.backward(other.forward(X), Y)",
        "cache", ValueError, r"cache: expected A\[1\] of shape \(3, 4\)",
        "Its shapes would be broadcast or fail half-way; a gradient from it is never right.",
        setup='other = nb.Network([2, 5, 1], ["tanh", "sigmoid"], "bce", seed=1)',
    ),
    Refusal(
        "backward-not-a-cache", "data", "Something that is not a forward pass's cache",
        "net.backward(None, Y)",
        "cache", TypeError, r"cache: expected the Cache of this network's forward",
        "Python alone would fail with an AttributeError about Z that names no argument.",
    ),
    Refusal(
        "backward-cache-dtype", "data", "A cache computed in another dtype",
        "net32.backward(net.forward(X), Y)",
        "cache", ValueError,
        r"cache: expected A\[0\] of dtype float32 \(the network's\), got dtype float64",
        "A float32 network would hand back float64 gradients, which its step refuses.",
        setup='net32 = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", dtype=np.float32)',
    ),
    Refusal(
        "backward-nan-cache", "data", "A cache with NaN in it",
        "net.backward(cache, Y)",
        "cache", ValueError, r"cache: A\[1\] contains NaN or inf at entries \[\(0, 0\)\]",
        "Every gradient the NaN reaches would be NaN, and one step would spread it to the "
        "weights.",
        setup="cache = net.forward(X)\ncache.A[1][0, 0] = np.nan",
    ),
    Refusal(
        "X-arithmetic-overflow", "data", "Values that fit float32 but not its arithmetic",
        "net32.forward(np.full((2, 4), 3e38))",
        "X", FloatingPointError,
        r"forward: Z\[1\] = W\[1\] A\[0\] \+ b\[1\] overflows float32 .*X 3e\+38",
        "Each 3e38 fits float32 but their weighted sum does not, and tanh would turn the "
        "resulting inf into a plausible 1.0.",
        setup='net32 = nb.Network([2, 3, 1], ["tanh", "sigmoid"], "bce", seed=0,\n'
              '                   dtype=np.float32)',
    ),
    Refusal(
        "Y-gradient-overflow", "data", "A target so large that the gradient overflows",
        "reg.backward(reg.forward(X), np.full((1, 4), -1e308))",
        "Y", FloatingPointError,
        r"backward: dZ\[2\] = output_delta\(A\[2\], Y\) overflows float64 .*Y 1e\+308",
        "The MSE gradient 2 (A - Y) is 2e308, beyond float64: a step would make weights inf.",
        setup='reg = nb.Network([2, 3, 1], ["tanh", "identity"], "mse", seed=0)',
    ),
    Refusal(
        "cost-overflow", "data", "A bias so large that the cost overflows",
        "reg.cost(X, Y)",
        "b[2]", FloatingPointError,
        r"cost: J \(the mean loss\) overflows float32: .*b\[2\] 1e\+38",
        "An output of 1e38 squared is beyond float32; the magnitudes listed show the culprit.",
        setup='reg = nb.Network([2, 3, 1], ["tanh", "identity"], "mse", seed=0,\n'
              '                 dtype=np.float32)\n'
              "reg.b[2][0, 0] = 1e38",
    ),
    # ------------------------------------------------------------------ training
    Refusal(
        "step-foreign-grads", "training", "Another network's gradients",
        "net.step(other.backward(other.forward(X), Y), 0.1)",
        "grads", ValueError, r"grads.*dW\[1\]",
        "Shapes that do not match would be broadcast or fail half-way through the update, "
        "with W[1] already changed.",
        setup='other = nb.Network([2, 5, 1], ["tanh", "sigmoid"], "bce", seed=1)',
    ),
    Refusal(
        "step-learning-rate", "training", "A learning rate that is not > 0",
        "net.step(net.backward(net.forward(X), Y), 0.0)",
        "learning_rate", ValueError, r"learning_rate: expected a finite number > 0, got 0\.0",
        "A zero or negative rate does not descend; NaN would make every weight NaN.",
    ),
    Refusal(
        "step-overflow", "training", "An update that would overflow",
        "net.step(grads, 1e308)",
        "learning_rate", FloatingPointError, r"learning_rate = 1e\+308 is not finite",
        "The new weights would be inf; nothing is changed, so the network is still usable.",
        setup="grads = net.backward(net.forward(X), Y)\ngrads.dW[1][...] = 10.0",
    ),
    Refusal(
        "fit-nan-weights", "training", "NaN in the weights before training",
        "net.fit(X, Y, epochs=10, learning_rate=0.5)",
        "W[1]", ValueError, r"W\[1\].*NaN",
        "This is not divergence, and a smaller learning rate would not help: the weights "
        "were broken before the first step.",
        setup="net.W[1][0, 0] = np.nan",
    ),
    Refusal(
        "fit-epochs-zero", "training", "Zero epochs",
        "net.fit(X, Y, epochs=0, learning_rate=0.5)",
        "epochs", ValueError, r"epochs: expected an integer >= 1, got 0",
        "Zero epochs would return an empty history that looks like a run.",
    ),
    Refusal(
        "fit-epochs-float", "training", "A fractional number of epochs",
        "net.fit(X, Y, epochs=1.5, learning_rate=0.5)",
        "epochs", TypeError, r"epochs: expected an integer >= 1, got 1\.5",
        "Half an epoch is a batch_size question, not a rounding one.",
    ),
    Refusal(
        "fit-batch-size", "training", "A batch size of zero",
        "net.fit(X, Y, epochs=5, learning_rate=0.5, batch_size=0)",
        "batch_size", ValueError, r"batch_size: expected an integer >= 1, got 0",
        "A minibatch of no examples has no mean gradient.",
    ),
    Refusal(
        "fit-learning-rate", "training", "A negative learning rate",
        "net.fit(X, Y, epochs=5, learning_rate=-0.5)",
        "learning_rate", ValueError, r"learning_rate: expected a finite number > 0",
        "A negative rate climbs the cost instead of descending it.",
    ),
    Refusal(
        "fit-seed", "training", "A shuffling seed that is not an integer",
        'net.fit(X, Y, epochs=5, learning_rate=0.5, batch_size=2, seed="abc")',
        "seed", TypeError, r"seed: expected",
        "NumPy's SeedSequence message would not say which argument it was about.",
    ),
    Refusal(
        "fit-callback", "training", "A callback that is not a function",
        'net.fit(X, Y, epochs=5, learning_rate=0.5, callback="stop")',
        "callback", TypeError, r"callback: expected None or a function",
        "It is called after every epoch; a string would fail only after the first one.",
    ),
    # ------------------------------------------------------------------ gradient check
    Refusal(
        "eps-zero", "gradcheck", "A finite-difference step of 0",
        "nb.gradient_check(net, X, Y, eps=0)",
        "eps", ValueError, r"eps: expected a number with 1e-10 <= eps <= 0\.01, got 0",
        "The difference quotient (J(w + 0) - J(w - 0)) / 0 is 0/0.",
    ),
    Refusal(
        "eps-negative", "gradcheck", "A negative step",
        "nb.gradient_check(net, X, Y, eps=-1e-6)",
        "eps", ValueError, r"eps: expected a number with 1e-10 <= eps <= 0\.01, got -1e-06",
        "It would give the right numbers by accident of symmetry; it is almost always a typo.",
    ),
    Refusal(
        "eps-nan", "gradcheck", "A step of NaN",
        'nb.gradient_check(net, X, Y, eps=float("nan"))',
        "eps", ValueError, r"eps: expected a number .*got nan",
        "Every difference quotient would be NaN.",
    ),
    Refusal(
        "eps-large", "gradcheck", "A step too large to approximate a derivative",
        "nb.gradient_check(net, X, Y, eps=0.5)",
        "eps", ValueError, r"eps: expected a number with 1e-10 <= eps <= 0\.01, got 0\.5",
        "The O(eps^2) truncation error would be mistaken for a wrong gradient.",
    ),
    Refusal(
        "eps-tiny", "gradcheck", "A step too small for float64",
        "nb.gradient_check(net, X, Y, eps=1e-13)",
        "eps", ValueError, r"eps: expected a number with 1e-10 <= eps <= 0\.01, got 1e-13",
        "Below 1e-10 the rounding error of J, about 1e-16 / eps, swamps the difference.",
    ),
    Refusal(
        "eps-string", "gradcheck", "A step that is not a number",
        'nb.gradient_check(net, X, Y, eps="1e-6")',
        "eps", TypeError, r"eps: expected a number .*got '1e-6'",
        "NumPy would raise a ufunc error that names nothing.",
    ),
    Refusal(
        "eps-bool", "gradcheck", "A step of True",
        "nb.gradient_check(net, X, Y, eps=True)",
        "eps", TypeError, r"eps: expected a number .*got True",
        "True is 1 to Python, which is never the step anyone meant.",
    ),
    Refusal(
        "gradcheck-net", "gradcheck", "Something that is not a Network",
        "nb.gradient_check(net.W, X, Y)",
        "net", TypeError, r"net: expected an nnbook Network, got dict",
        "The check needs forward, backward and the cost of a network.",
    ),
    # ------------------------------------------------------------------ files
    Refusal(
        "load-missing", "files", "A path with no file",
        'nb.load("nowhere.npz")',
        "path", FileNotFoundError, r"path: 'nowhere\.npz': no such file",
        "The path is named, so a typo in it shows.",
    ),
    Refusal(
        "load-directory", "files", "A directory",
        'nb.load("models")',
        "path", ValueError, r"path: 'models' is a directory, not a file; " + CONTENTS,
        "A network is one file; the message says what it holds.",
        setup='os.mkdir("models")',
    ),
    Refusal(
        "load-empty", "files", "An empty file",
        'nb.load("empty.npz")',
        "path", ValueError, r"path: 'empty\.npz' is empty \(0 bytes\); " + CONTENTS,
        "Usually a save that was interrupted, or a file created by hand.",
        setup='with open("empty.npz", "w"):\n    pass',
    ),
    Refusal(
        "load-text", "files", "A text file",
        'nb.load("notes.txt")',
        "path", ValueError, r"path: 'notes\.txt' is not an \.npz archive \(it starts with ",
        "NumPy alone answers with a message about pickled data that suggests loading the "
        "file unsafely; nnbook never loads Python objects from a file.",
        setup='with open("notes.txt", "w") as f:\n    f.write("W1 = [[0.1, 0.4]]\\n")',
    ),
    Refusal(
        "load-npy", "files", "A single-array .npy file",
        'nb.load("W1.npy")',
        "path", ValueError, r"path: 'W1\.npy' is a single-array \.npy file",
        "For it np.load returns a bare array, and NumPy alone then fails with a TypeError "
        "about context managers.",
        setup='np.save("W1.npy", net.W[1])',
    ),
    Refusal(
        "load-truncated", "files", "A truncated archive",
        'nb.load("half.npz")',
        "path", ValueError, r"path: 'half\.npz' is truncated or corrupt .*BadZipFile",
        "A copy cut short: the raw zipfile error would not name the file.",
        setup='nb.save(net, "net.npz")\n'
              'with open("net.npz", "rb") as f:\n'
              '    data = f.read()\n'
              'with open("half.npz", "wb") as f:\n'
              '    f.write(data[: len(data) // 2])',
    ),
    Refusal(
        "load-objects", "files", "An archive holding Python objects",
        'nb.load("objects.npz")',
        "path", ValueError, r"path: 'objects\.npz' holds an array 'W1' of Python objects",
        "Loading Python objects can run code from the file; a network is only numbers and names.",
        setup='np.savez("objects.npz", W1=np.array([{"w": 1.0}], dtype=object))',
    ),
    Refusal(
        "load-missing-array", "files", "An archive missing an array",
        'nb.load("no_b2.npz")',
        "path", ValueError, r"path: 'no_b2\.npz' has no array 'b2'",
        "Without b[2] the network is incomplete; the message lists what the file holds.",
        setup='nb.save(net, "net.npz")\n'
              'with np.load("net.npz") as f:\n'
              '    arrays = dict(f)\n'
              'del arrays["b2"]\n'
              'np.savez("no_b2.npz", **arrays)',
    ),
    Refusal(
        "load-extra-array", "files", "An archive with arrays save never writes",
        'nb.load("extra.npz")',
        "path", ValueError, r"path: 'extra\.npz' holds unexpected arrays \['W3', 'b3'\]",
        "Extra layers mean the file is not the network its sizes describe.",
        setup='nb.save(net, "net.npz")\n'
              'with np.load("net.npz") as f:\n'
              '    arrays = dict(f)\n'
              'np.savez("extra.npz", **arrays, W3=np.ones((1, 1)), b3=np.ones((1, 1)))',
    ),
    Refusal(
        "load-shape", "files", "An array of the wrong shape",
        'nb.load("shape.npz")',
        "path", ValueError,
        r"path: 'shape\.npz' has an array 'W2' of shape \(3, 1\), expected \(1, 3\)",
        "W[2] must be (n[2], n[1]) = (1, 3): the transpose is the usual slip.",
        setup='nb.save(net, "net.npz")\n'
              'with np.load("net.npz") as f:\n'
              '    arrays = dict(f)\n'
              'arrays["W2"] = arrays["W2"].T\n'
              'np.savez("shape.npz", **arrays)',
    ),
    Refusal(
        "load-format", "files", "A file format this nnbook does not read",
        'nb.load("future.npz")',
        "path", ValueError, r"path: 'future\.npz' is in file format 2; this nnbook reads format 1",
        "A later format may mean something else by the same arrays.",
        setup='nb.save(net, "net.npz")\n'
              'with np.load("net.npz") as f:\n'
              '    arrays = dict(f)\n'
              'np.savez("future.npz", **{**arrays, "format": np.asarray(2)})',
    ),
    Refusal(
        "load-float16", "files", "Weights in float16",
        'nb.load("half_precision.npz")',
        "path", ValueError,
        r"path: 'half_precision\.npz' has an array 'W1' of dtype float16, expected float32 "
        r"or float64",
        "A network computes in float32 or float64 only.",
        setup='nb.save(net, "net.npz")\n'
              'with np.load("net.npz") as f:\n'
              '    arrays = dict(f)\n'
              'arrays["W1"] = arrays["W1"].astype(np.float16)\n'
              'np.savez("half_precision.npz", **arrays)',
    ),
    Refusal(
        "load-nan", "files", "An archive with NaN weights",
        'nb.load("nan.npz")',
        "path", ValueError,
        r"path: 'nan\.npz' holds a network nnbook refuses \(W\[2\]: expected finite values",
        "A NaN weight would make every prediction NaN.",
        setup='nb.save(net, "net.npz")\n'
              'with np.load("net.npz") as f:\n'
              '    arrays = dict(f)\n'
              'arrays["W2"][0, 0] = np.nan\n'
              'np.savez("nan.npz", **arrays)',
    ),
    Refusal(
        "save-directory", "files", "Saving onto a directory",
        'nb.save(net, "models")',
        "path", ValueError, r"path: 'models' is a directory; expected a file name such as "
                            r"'net\.npz'",
        "NumPy would write models.npz next to it, which is not what was asked.",
        setup='os.mkdir("models")',
    ),
    Refusal(
        "save-missing-folder", "files", "Saving into a folder that does not exist",
        'nb.save(net, "runs/net.npz")',
        "path", FileNotFoundError,
        r"path: 'runs/net\.npz': the folder 'runs' does not exist",
        "Folders are not created behind your back; the message names the one missing.",
    ),
    Refusal(
        "save-nan", "files", "Saving a network with NaN weights",
        'nb.save(net, "net.npz")',
        "net", ValueError, r"net: W\[1\] holds NaN or inf; nothing was written",
        "The file would be refused by load; better to know when saving.",
        setup="net.W[1][0, 0] = np.nan",
    ),
)


def entries(topic: str | None = None) -> list[Refusal]:
    """The catalogue, or the entries of one topic."""
    return [e for e in CATALOGUE if topic is None or e.topic == topic]


@contextlib.contextmanager
def workdir() -> Iterator[str]:
    """Run in a fresh empty directory (file names in messages stay short and fixed)."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="nnbook-refusal-") as tmp:
        os.chdir(tmp)
        try:
            yield tmp
        finally:
            os.chdir(old)


def prepare(entry: Refusal) -> dict:
    """The namespace after ``SETUP`` and the entry's ``setup`` (run in the current directory)."""
    ns: dict = {}
    exec(SETUP, ns)  # noqa: S102 - the catalogue's own code
    if entry.setup:
        exec(entry.setup, ns)  # noqa: S102
    return ns


def run(entry: Refusal, ns: dict) -> BaseException | None:
    """Run the call; return the exception it raised (None if it did not), warnings as errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            exec(entry.call, ns)  # noqa: S102
        except Exception as exc:  # the refusal under test
            return exc
    return None


def message(entry: Refusal) -> str:
    """``Type: message`` that a reader gets from the entry's call, run in a fresh directory.

    Raises
    ------
    AssertionError
        If the call does not fail as the entry says (the page would then be wrong).
    """
    with workdir():
        exc = run(entry, prepare(entry))
    if not isinstance(exc, entry.error) or not re.search(entry.match, str(exc)):
        raise AssertionError(f"refusal {entry.id!r}: {entry.call} gave {exc!r}, expected "
                             f"{entry.error.__name__} matching {entry.match!r}")
    return f"{type(exc).__name__}: {exc}"


def render_topic(topic: str) -> str:
    """The page's HTML for one topic: per entry, the check, the code, the message, why."""
    out = ['<dl class="nnbook-refusals">']
    for e in entries(topic):
        msg = message(e)
        out.append(
            f'<dt id="refuses-{e.id}"><strong>{html.escape(e.check)}</strong>'
            f' <small>(names <code>{html.escape(e.argument)}</code>)</small></dt>\n'
            "<dd>"
            f'<pre><code class="language-python">{html.escape(e.code)}</code></pre>\n'
            f'<p class="nnbook-refusal-message"><code>{html.escape(msg)}</code></p>\n'
            f"<p>{html.escape(e.why)}</p>"
            "</dd>"
        )
    out.append("</dl>")
    return "\n".join(out)


def render_setup() -> str:
    """The page's opening: how many checks there are and the lines every call starts from."""
    return (
        f"<p>{len(CATALOGUE)} checks in {len(TOPICS)} groups. Every call below starts from "
        "these lines, in an empty folder:</p>\n"
        f'<pre><code class="language-python">{html.escape(SETUP.rstrip())}</code></pre>'
    )
