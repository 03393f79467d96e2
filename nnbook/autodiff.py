r"""A tiny scalar reverse-mode automatic differentiation: backpropagation for
any formula built from numbers.

A [`Value`][nnbook.autodiff.Value] holds one number. Every operation on values
(``+``, ``-``, ``*``, ``/``, ``**`` a constant, ``exp``, ``log``, ``tanh``,
``sigmoid``, ``relu``, ``leaky_relu``) returns a new value that remembers the
values it was computed from, its ``parents``, and the *local derivatives*
$\partial v / \partial u$ of the result $v$ with respect to each parent $u$,
evaluated while the result is computed. The values form a computational graph
whose last node is the output $J$.

[`Value.backward`][nnbook.autodiff.Value.backward] visits that graph once, from
$J$ back to the inputs (reverse topological order: every node after all the
nodes computed from it), and applies the chain rule at each node $v$: for each
parent $u$,

$$\frac{\partial J}{\partial u} \mathrel{+}=
\frac{\partial v}{\partial u}\,\frac{\partial J}{\partial v},$$

so a value used by several nodes collects the sum over its paths to $J$. One
pass gives $\partial J/\partial u$ for every node $u$ of the graph; it is
stored in ``u.grad``.

Examples
--------
>>> from nnbook.autodiff import Value
>>> w, x = Value(2.0, "w"), Value(3.0, "x")
>>> J = w * x + w ** 2
>>> J.backward()
>>> w.grad, x.grad  # dJ/dw = x + 2w, dJ/dx = w
(7.0, 2.0)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .activations import LEAKY_SLOPE

__all__ = ["Value"]


def _number(x: Any, name: str) -> float:
    """``x`` as a finite float; a TypeError/ValueError naming ``name``
    otherwise."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name}: expected a real number, "
                        f"got {type(x).__name__} {x!r}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{name}: expected a finite number, got {x!r}")
    return x


def _operand(x: Any, op: str) -> Value:
    """The other operand of ``op`` as a Value (a plain number becomes a
    leaf)."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"operand of {op!r}: expected a real number or a "
                        f"Value, got {type(x).__name__} {x!r}")
    return Value(x)


class Value:
    r"""One number of a computation, with its place in the graph and its
    gradient.

    Parameters
    ----------
    data : float
        The number (a finite real; a bool, a string or an array raises
        ``TypeError``).
    label : str
        An optional name, shown by
        [`value_graph_svg`][nnbook.diagrams.value_graph_svg].

    Attributes
    ----------
    data : float
        The forward value.
    grad : float
        $\partial J/\partial(\text{this value})$ after ``J.backward()``, 0.0
        before.
    op : str
        The operation that produced the value (``""`` for a leaf).
    parents : tuple of Value
        The values it was computed from (empty for a leaf).
    local : tuple of float
        The local derivatives $\partial(\text{this})/\partial(\text{parent})$,
        one per parent, in the same order.

    Examples
    --------
    >>> from nnbook.autodiff import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> v = a * b
    >>> v.data, v.op, v.local  # d(ab)/da = b, d(ab)/db = a
    (12.0, '×', (4.0, 3.0))
    >>> v.backward()
    >>> a.grad, b.grad
    (4.0, 3.0)
    >>> z = Value(0.0)
    >>> [round(f(z).data, 4) for f in (Value.exp, Value.tanh, Value.sigmoid)]
    [1.0, 0.0, 0.5]
    >>> y = Value(-2.0).relu()
    >>> y.data, y.local  # ReLU'(z) = 0 for z <= 0
    (0.0, (0.0,))
    >>> (1 / Value(4.0)).data, (Value(9.0) ** 0.5).local  # 1/(2 sqrt 9)
    (0.25, (0.16666666666666666,))
    >>> a + "1"
    Traceback (most recent call last):
    ...
    TypeError: operand of '+': expected a real number or a Value, got str '1'
    """

    __slots__ = ("data", "grad", "label", "local", "op", "parents")

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"label: expected a str, got {label!r}")
        self.data = _number(data, "data")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.parents: tuple[Value, ...] = ()
        self.local: tuple[float, ...] = ()

    @staticmethod
    def _result(data: float, op: str, parents: tuple[Value, ...],
                local: tuple[float, ...]) -> Value:
        """A new node: the value ``data`` of ``op`` on ``parents``, with the
        local derivatives ``local``."""
        if not (math.isfinite(data) and all(map(math.isfinite, local))):
            raise OverflowError(f"{op}: the result or its derivative is not "
                                f"finite (value {data!r}, local {local!r})")
        v = Value(data)
        v.op, v.parents, v.local = op, parents, local
        return v

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{name})"

    # --8<-- [start:arithmetic]
    def __add__(self, other: Value | float) -> Value:     # v = a + b
        b = _operand(other, "+")
        return Value._result(self.data + b.data, "+", (self, b),
                             (1.0, 1.0))              # dv/da = 1, dv/db = 1

    def __sub__(self, other: Value | float) -> Value:     # v = a - b
        b = _operand(other, "-")
        return Value._result(self.data - b.data, "−", (self, b),
                             (1.0, -1.0))             # dv/da = 1, dv/db = -1

    def __mul__(self, other: Value | float) -> Value:     # v = a b
        b = _operand(other, "*")
        return Value._result(self.data * b.data, "×", (self, b),
                             (b.data, self.data))     # dv/da = b, dv/db = a

    def __truediv__(self, other: Value | float) -> Value:  # v = a / b
        b = _operand(other, "/")
        if b.data == 0:
            raise ZeroDivisionError("operand of '/': division by a value 0")
        return Value._result(self.data / b.data, "÷", (self, b),
                             (1 / b.data,             # dv/da = 1/b
                              -self.data / b.data**2))  # dv/db = -a/b^2

    def __pow__(self, p: float) -> Value:                 # v = a^p
        p = _number(p, "exponent")                    # p is a constant
        a = self.data
        if a < 0 and not p.is_integer() or a == 0 and p < 1 and p != 0:
            raise ValueError(f"exponent: a ** {p:g} has no real derivative "
                             f"at a = {a!r}")
        slope = p * a ** (p - 1) if p != 0 else 0.0   # dv/da = p a^(p-1)
        return Value._result(a**p, f"^{p:g}", (self,), (slope,))

    def __neg__(self) -> Value:                           # v = -a
        return Value._result(-self.data, "neg", (self,), (-1.0,))

    def __radd__(self, other: float) -> Value:            # number + Value
        return _operand(other, "+") + self

    def __rsub__(self, other: float) -> Value:            # number - Value
        return _operand(other, "-") - self

    def __rmul__(self, other: float) -> Value:            # number * Value
        return _operand(other, "*") * self

    def __rtruediv__(self, other: float) -> Value:        # number / Value
        return _operand(other, "/") / self
    # --8<-- [end:arithmetic]

    # --8<-- [start:functions]
    def exp(self) -> Value:                               # v = e^a
        r"""$e^a$, with local derivative $e^a$."""
        if self.data > 709.0:
            raise OverflowError(f"exp: e^{self.data!r} overflows a float")
        e = math.exp(self.data)
        return Value._result(e, "exp", (self,), (e,))     # dv/da = e^a

    def log(self) -> Value:                               # v = ln a
        r"""$\ln a$ for $a > 0$, with local derivative $1/a$."""
        if self.data <= 0:
            raise ValueError(f"log: expected a value > 0, got {self.data!r}")
        return Value._result(math.log(self.data), "log", (self,),
                             (1 / self.data,))        # dv/da = 1/a

    def tanh(self) -> Value:                              # v = tanh a
        r"""$\tanh a$, with local derivative $1 - \tanh^2 a$."""
        t = math.tanh(self.data)
        return Value._result(t, "tanh", (self,), (1 - t * t,))  # 1 - v^2

    def sigmoid(self) -> Value:                           # v = 1/(1 + e^-a)
        r"""$\sigma(a)$, computed as `nnbook.sigmoid` does; local derivative
        $\sigma(a)(1 - \sigma(a))$."""
        e = math.exp(-abs(self.data))  # e^{-|a|} lies in (0, 1]: no overflow
        s = 1 / (1 + e) if self.data >= 0 else e / (1 + e)
        return Value._result(s, "σ", (self,), (s * (1 - s),))  # v (1 - v)

    def relu(self) -> Value:                              # v = max(0, a)
        r"""$\max(0, a)$; local derivative 1 for $a > 0$, else 0."""
        a = self.data
        return Value._result(max(a, 0.0), "ReLU", (self,),
                             (1.0 if a > 0 else 0.0,))  # ReLU'(0) = 0

    def leaky_relu(self) -> Value:                        # a, or 0.01 a
        r"""$a$ for $a > 0$, else $0.01\,a$; local derivative 1 or 0.01."""
        a = self.data
        return Value._result(a if a > 0 else LEAKY_SLOPE * a, "leaky ReLU",
                             (self,), (1.0 if a > 0 else LEAKY_SLOPE,))
    # --8<-- [end:functions]

    # --8<-- [start:backward]
    def topological_order(self) -> list[Value]:
        """Every node of the graph that ends here, each after its parents."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:                        # depth-first, without recursion
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)          # all its parents are in order
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents)
        return order

    def backward(self) -> None:
        """Set ``u.grad`` to d(self)/du for every node u of the graph."""
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0                     # dJ/dJ = 1
        for node in reversed(order):        # each node before its parents
            for parent, local in zip(node.parents, node.local, strict=True):
                parent.grad += local * node.grad        # the chain rule
    # --8<-- [end:backward]
