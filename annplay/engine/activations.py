"""Activation functions and their derivatives: the one registry everything reads.

Each activation g maps pre-activations Z to outputs A = g(Z), elementwise
(softmax: per column).  ``derivative`` returns g'(Z) elementwise, computed
from Z and, where cheaper, from the already known output A.  Every function
writes into ``out`` so that training can reuse preallocated buffers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from .losses import get_loss

Array = np.ndarray


# --- the functions, textbook style ------------------------------------------------

# Forward: ``f(z, out, **params)`` writes g(z) into ``out`` (``out`` may be ``z`` itself).
# Derivative: ``d(a, delta, z, **params)`` multiplies ``delta`` in place by g′(z), as scikit-learn's
# ``inplace_*_derivative`` do: from the output ``a`` = g(z) where that determines g′ (then ``z`` may be
# None: the fast kernel keeps no Z), from ``z`` where it does not (see ``needs_z``).  ``a`` may be
# overwritten: callers pass a buffer they no longer need.

_ZERO = {np.dtype(t): np.zeros((), t) for t in (np.float16, np.float32, np.float64)}
_ONE = {np.dtype(t): np.ones((), t) for t in (np.float16, np.float32, np.float64)}
# 0-d arrays of the array's own dtype: a Python float in a ufunc call costs more than the call on a small
# mini-batch (about 0.3 µs of conversion), and a 0-d array of another dtype would change the loop's type.


def _relu(z: Array, out: Array) -> Array:
    return np.maximum(z, _ZERO.get(z.dtype, 0), out=out)   # (maximum: out by keyword)


def _relu_deriv(a: Array, delta: Array, z: Array | None) -> None:
    # a ≥ 0, and a > 0 exactly where z > 0: delta ∘= [a > 0].  Not np.sign(a): it branches per element, and
    # on training data its mispredictions make it the slowest way.  The comparison's cast of its result to
    # floats costs about 0.6 µs to set up, then is the fastest; below that, min(ceil(a), 1), two branch-free
    # calls, is cheaper (measured on NumPy 2.4: 320 elements 0.8 against 1.1 µs, 16,000: 3.8 against 8.6).
    if a.size > 1024:
        np.greater(a, _ZERO.get(a.dtype, 0), out=a)
    else:
        np.ceil(a, a)
        np.minimum(a, _ONE.get(a.dtype, 1), out=a)
    np.multiply(delta, a, delta)


def _leaky_relu(z: Array, out: Array, slope: float = 0.01) -> Array:
    scaled = z * slope                  # a temporary, so that out may be z itself
    return np.maximum(z, scaled, out=out) if slope <= 1 else np.minimum(z, scaled, out=out)


def _leaky_relu_deriv(a: Array, delta: Array, z: Array | None, slope: float = 0.01) -> None:
    src = a if slope >= 0 or z is None else z      # slope ≥ 0: a > 0 exactly where z > 0 (needs_z otherwise)
    np.greater(src, 0, out=a)
    a *= 1.0 - slope
    a += slope                          # 1 where z > 0, else slope
    delta *= a


def _elu(z: Array, out: Array, alpha: float = 1.0) -> Array:
    # alpha * (exp(min(z, 0)) - 1) + max(z, 0): never overflows.
    tmp = np.minimum(z, 0)
    np.exp(tmp, out=tmp)
    tmp -= 1.0
    tmp *= alpha
    np.maximum(z, 0, out=out)
    out += tmp
    return out


def _elu_deriv(a: Array, delta: Array, z: Array | None, alpha: float = 1.0) -> None:
    # 1 for z > 0, alpha * exp(z) = a + alpha otherwise (alpha > 0: a > 0 exactly where z > 0).
    if alpha > 0:
        positive = a > 0
        a += alpha
    else:
        assert z is not None
        positive = z > 0
        np.minimum(z, 0, out=a)
        np.exp(a, out=a)
        a *= alpha
    np.copyto(a, 1.0, where=positive)
    delta *= a


def _tanh_deriv(a: Array, delta: Array, z: Array | None) -> None:
    np.multiply(a, a, a)
    np.subtract(_ONE.get(a.dtype, 1.0), a, a)   # 1 - tanh(z)^2
    np.multiply(delta, a, delta)


def _logistic(z: Array, out: Array) -> Array:
    np.negative(z, out=out)
    np.exp(out, out=out)                       # exp(1e4) = inf -> 1/inf = 0: exact (callers silence the warning)
    out += 1.0
    return np.reciprocal(out, out=out)


def _logistic_deriv(a: Array, delta: Array, z: Array | None) -> None:
    delta *= a
    np.subtract(1.0, a, out=a)
    delta *= a                                 # a (1 - a)


def _linear(z: Array, out: Array) -> Array:
    if out is not z:
        np.copyto(out, z)
    return out


def _linear_deriv(a: Array, delta: Array, z: Array | None) -> None:
    return None                                # g′ = 1


def _softmax(z: Array, out: Array) -> Array:
    np.subtract(z, z.max(axis=0, keepdims=True), out=out)   # shift: exp never overflows
    np.exp(out, out=out)
    out /= out.sum(axis=0, keepdims=True)
    return out


def _step(z: Array, out: Array) -> Array:
    return np.greater(z, 0, out=out)


def _step_deriv(a: Array, delta: Array, z: Array | None) -> None:
    delta.fill(0.0)                             # zero almost everywhere: no gradient signal


def _never(params: dict[str, float]) -> bool:
    return False


# --- the registry -----------------------------------------------------------------

@dataclass(frozen=True)
class ActivationSpec:
    """What the registry knows about one activation."""

    name: str
    label: str                               # for people: "Leaky ReLU"
    function: Callable[..., Array]           # f(z, out, **params): out = g(z); out may be z
    derivative: Callable[..., None] | None   # d(a, delta, z, **params): delta *= g′(z); None: softmax (with its loss)
    defaults: dict[str, float] = field(default_factory=dict)
    description: str = ""
    output_only: bool = False                # softmax
    smooth: bool = True                      # False where g' has kinks
    trainable_by_backprop: bool = True       # False for step
    relu_family: bool = False                # picks He initialisation
    needs_z: Callable[[dict[str, float]], bool] = _never   # True: g′ cannot be told from the output alone


ACTIVATIONS: dict[str, ActivationSpec] = {
    spec.name: spec
    for spec in (
        ActivationSpec("relu", "ReLU", _relu, _relu_deriv,
                       description="max(0, z)", smooth=False, relu_family=True),
        ActivationSpec("leaky_relu", "Leaky ReLU", _leaky_relu, _leaky_relu_deriv,
                       {"slope": 0.01}, "z if z > 0 else slope*z", smooth=False, relu_family=True,
                       needs_z=lambda p: p["slope"] < 0),
        ActivationSpec("elu", "ELU", _elu, _elu_deriv, {"alpha": 1.0},
                       "z if z > 0 else alpha*(exp(z)-1)", smooth=False, relu_family=True,
                       needs_z=lambda p: p["alpha"] <= 0),
        ActivationSpec("tanh", "Tanh", np.tanh, _tanh_deriv, description="tanh(z)"),   # the ufunc: no wrapper
        ActivationSpec("logistic", "Logistic", _logistic, _logistic_deriv,
                       description="1/(1+exp(-z)), also called sigmoid"),
        ActivationSpec("linear", "Linear", _linear, _linear_deriv, description="z"),
        ActivationSpec("softmax", "Softmax", _softmax, None,
                       description="exp(z)/sum(exp(z)) per column (output layer only)",
                       output_only=True),
        ActivationSpec("step", "Step", _step, _step_deriv,
                       description="1 if z > 0 else 0 (Heaviside; train it by neuroevolution)",
                       smooth=False, trainable_by_backprop=False),
    )
}

ALIASES = {"sigmoid": "logistic", "leakyrelu": "leaky_relu", "leaky-relu": "leaky_relu",
           "identity": "linear", "heaviside": "step"}

# Activations a person can pick for hidden layers (the app and CLI list these).
HIDDEN_ACTIVATIONS = tuple(n for n, s in ACTIVATIONS.items() if not s.output_only)


class Activation:
    """One activation with its parameters bound, e.g. ``Activation("leaky_relu", slope=0.1)``."""

    def __init__(self, name: str, **params: float) -> None:
        key = ALIASES.get(str(name).lower(), str(name).lower())
        if key not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; valid names: "
                             f"{', '.join(ACTIVATIONS)} (alias: sigmoid)")
        self.spec = ACTIVATIONS[key]
        unknown = set(params) - set(self.spec.defaults)
        if unknown:
            allowed = ", ".join(self.spec.defaults) or "none"
            raise ValueError(f"activation {key!r} has no parameter {sorted(unknown)[0]!r}; "
                             f"its parameters: {allowed}")
        self.params = {**self.spec.defaults, **{k: float(v) for k, v in params.items()}}
        for k, v in self.params.items():
            if not np.isfinite(v):
                raise ValueError(f"activation {key!r} parameter {k!r} must be finite, got {v}")

    @property
    def name(self) -> str:
        return self.spec.name

    def __call__(self, z: Array, out: Array | None = None) -> Array:
        """A = g(Z), written into ``out`` when given."""
        if out is None:
            out = np.empty_like(z)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.spec.function(z, out, **self.params)

    @property
    def from_output(self) -> bool:
        """True when g′ follows from the output A alone (the fast kernel keeps no Z)."""
        return self.spec.derivative is not None and not self.spec.needs_z(self.params)

    def backward(self) -> Callable[[Array, Array, Array | None], None]:
        """The registry's in-place derivative with the parameters bound: ``d(a, delta, z)`` does
        delta *= g′(z) and may overwrite ``a`` (``z`` may be None when :attr:`from_output`)."""
        d = self.spec.derivative
        if d is None:
            raise ValueError(f"{self.name} has no elementwise derivative; "
                             "it is paired with the cross-entropy loss")
        return partial(d, **self.params) if self.params else d

    def forward(self) -> Callable[[Array, Array], Array]:
        """The registry's function with the parameters bound: ``f(z, out)``, ``out`` may be ``z``."""
        f = self.spec.function
        return partial(f, **self.params) if self.params else f

    def derivative(self, z: Array, a: Array, out: Array | None = None) -> Array:
        """g'(Z) elementwise, from Z and the output A = g(Z) (the registry's one derivative applied to ones)."""
        back = self.backward()
        if out is None:
            out = np.empty_like(z)
        out.fill(1.0)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            back(np.array(a, copy=True), out, z)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": dict(self.params)}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Activation) and other.to_dict() == self.to_dict()

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v:g}" for k, v in self.params.items() if v != self.spec.defaults[k])
        return f"Activation({self.name!r}{extra})"


def get_activation(spec: str | Activation | tuple | dict) -> Activation:
    """Accept a name, an ``Activation``, ``(name, {params})`` or ``{"name":…, "params":…}``."""
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, dict):
        return Activation(spec["name"], **spec.get("params", {}))
    if isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[1], dict):
        return Activation(spec[0], **spec[1])
    if isinstance(spec, str):
        return Activation(spec)
    raise ValueError(f"an activation must be a name such as 'relu', got {spec!r}; "
                     f"valid names: {', '.join(ACTIVATIONS)}")


def parse_layer_activations(layers: list[int], activations: Any, loss: str | None) -> list[Activation]:
    """One Activation per non-input layer, from any of the accepted spellings."""
    n_layers = len(layers) - 1
    if isinstance(activations, (str, Activation, dict)) or (
            isinstance(activations, tuple) and len(activations) == 2 and isinstance(activations[1], dict)):
        hidden = get_activation(activations)
        if hidden.spec.output_only:
            raise ValueError(f"{hidden.name} can only be used on the output layer")
        if loss is not None:
            out_name = get_loss(loss).output or "linear"
        else:
            out_name = "logistic" if layers[-1] == 1 else "softmax"
        return [hidden] * (n_layers - 1) + [Activation(out_name)]
    acts = list(activations)
    if len(acts) == n_layers + 1:
        acts = acts[1:]                       # the original sample names the input layer too
    if len(acts) != n_layers:
        raise ValueError(f"layers {layers} has {n_layers} non-input layers, so activations needs "
                         f"{n_layers} names (or {n_layers + 1} with the first ignored, or one name "
                         f"for all hidden layers); got {len(list(activations))}")
    parsed = [get_activation(a) for a in acts]
    for i, a in enumerate(parsed[:-1]):
        if a.spec.output_only:
            raise ValueError(f"{a.name} can only be used on the output layer, not layer {i + 1}")
    return parsed
