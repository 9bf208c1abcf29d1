"""The fast training kernel: full-batch and mini-batch gradient descent with every buffer bound once.

One :class:`Kernel` serves one trainer configuration (network, data, batch size, optimiser,
penalties).  Per batch it makes the same NumPy calls a hand-written loop would: ``np.dot`` into
preallocated buffers, activations and their derivatives in place, and one check of the weights.

Memory per hidden layer of width r for a batch of b columns: A (r+1)×b, with a row of ones, and
dZ r×b.  g′ is computed in place of A once A has served its gradient, and Wᵀ·dZ is written straight
into dZ.  A full batch wider than :data:`CHUNK_BYTES` allows is processed in column chunks whose
gradients are summed, so memory stays bounded whatever n is.

Divergence contract: after every update the kernel computes Σw² in one call.  If it is not
≤ :data:`SQUARED_LIMIT` (NaN, ∞, or some |w| > 1e100; in float32, Σw² overflowing), the weights
before that update are restored and the run stops.  When losses are recorded, a batch loss that is
not finite or above ``loss_limit`` stops the run too, before the update.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from .optimizers import Optimizer

if TYPE_CHECKING:
    from .network import MLP

Array = np.ndarray

SQUARED_LIMIT = 1e200                 # Σw² above this: some weight is beyond ±1e100, or not finite
CHUNK_BYTES = 64 * 2 ** 20            # a full batch whose buffers would exceed this is chunked
SMALL = 1024                          # below this many columns np.dot's lower overhead wins over matmul


def weights_ok(flat: Array) -> bool:
    """True when every weight is finite and Σw² ≤ SQUARED_LIMIT (one BLAS call)."""
    return float(np.dot(flat, flat)) <= SQUARED_LIMIT


class Workspace:
    """The generic path's buffers for one batch size (``MLP._forward``/``_backward``, dropout included).

    Hidden outputs live in "augmented" arrays with a last row of ones, so that one
    matmul with the layer's [W | b] block gives W·A + b, and one more gives [dW | db].
    """

    def __init__(self, layers: list[int], n: int, dtype: type, dropout: bool) -> None:
        sizes = layers[1:]
        self.n = n
        self.Z: list[Array] = [np.empty((r, n), dtype) for r in sizes]
        self.Aaug = [_ones_row(np.empty((r + 1, n), dtype)) for r in sizes[:-1]]
        self.A = [a[:-1] for a in self.Aaug] + [np.empty((sizes[-1], n), dtype)]
        self.D: list[Array] = [np.empty((r, n), dtype) for r in sizes]      # g'(Z)
        self.dZ: list[Array] = [np.empty((r, n), dtype) for r in sizes]
        self.dA: list[Array] = [np.empty((r, n), dtype) for r in sizes[:-1]]
        # Inverted dropout: the masked outputs feed the next layer; A keeps g(Z) for g'.
        self.mask: list[Array] = [np.empty((r, n), dtype) for r in sizes[:-1]] if dropout else []
        self.Adrop: list[Array] = [_ones_row(np.empty((r + 1, n), dtype)) for r in sizes[:-1]] if dropout else []
        self.sign: Array = np.empty((sizes[-1], n), dtype)    # 2Y − 1 for the fused logistic+BCE output
        self.sign_of: Array | None = None


def _ones_row(a: Array) -> Array:
    a[-1] = 1.0
    return a


# --- hidden activations: forward in place, and dZ(ℓ−1) = (Wᵀ·dZ(ℓ)) ∘ g′ from the outputs A alone ---------

BackFn = Callable[[Callable[..., Array], Array, Array, Array, Array], None]


def _back_tanh(mm: Callable[..., Array], WT: Array, dZ: Array, dZp: Array, A: Array) -> None:
    np.multiply(A, A, out=A)
    np.subtract(1.0, A, out=A)                 # 1 − a², as the registry computes it
    mm(WT, dZ, out=dZp)
    dZp *= A


def _back_logistic(mm: Callable[..., Array], WT: Array, dZ: Array, dZp: Array, A: Array) -> None:
    np.subtract(1.0, A, out=dZp)
    A *= dZp                                   # (1 − a)·a, as the registry computes it
    mm(WT, dZ, out=dZp)
    dZp *= A


def _back_relu(mm: Callable[..., Array], WT: Array, dZ: Array, dZp: Array, A: Array) -> None:
    np.greater(A, 0.0, out=A)                  # a > 0 exactly where z > 0
    mm(WT, dZ, out=dZp)
    dZp *= A


def _back_linear(mm: Callable[..., Array], WT: Array, dZ: Array, dZp: Array, A: Array) -> None:
    mm(WT, dZ, out=dZp)


def _back_leaky(mm: Callable[..., Array], WT: Array, dZ: Array, dZp: Array, A: Array, slope: float) -> None:
    np.greater(A, 0.0, out=A)                  # slope ≥ 0: a > 0 exactly where z > 0
    A *= 1.0 - slope
    A += slope
    mm(WT, dZ, out=dZp)
    dZp *= A


def _back_elu(mm: Callable[..., Array], WT: Array, dZ: Array, dZp: Array, A: Array, alpha: float) -> None:
    positive = A > 0.0                         # alpha > 0: a > 0 exactly where z > 0
    A += alpha                                 # α·eᶻ = a + α where z ≤ 0
    np.copyto(A, 1.0, where=positive)
    mm(WT, dZ, out=dZp)
    dZp *= A


def _in_place(f: Callable[..., Array], params: dict[str, float], a: Array) -> Array:
    return f(a, a, **params)


INLINE = {"tanh": 1, "relu": 2}       # hidden activations the kernel's loop runs inline (no Python call)


def _hidden_pieces(act: Any) -> tuple[Callable[[Array], Any], BackFn] | None:
    """(in-place forward, backward) for a hidden activation, or None when g′ needs Z."""
    name, params = act.name, act.params
    forward = partial(_in_place, act.spec.function, params)
    if name == "tanh":
        return (lambda a: np.tanh(a, out=a)), _back_tanh
    if name == "relu":
        return (lambda a: np.maximum(a, 0.0, out=a)), _back_relu
    if name == "logistic":
        return forward, _back_logistic
    if name == "linear":
        return (lambda a: None), _back_linear
    if name == "leaky_relu" and params["slope"] >= 0:
        return forward, partial(_back_leaky, slope=params["slope"])
    if name == "elu" and params["alpha"] > 0:
        return forward, partial(_back_elu, alpha=params["alpha"])
    return None


def not_covered(net: MLP, dropout: float) -> str | None:
    """Why the kernel cannot train this network (the generic path does), or None."""
    if dropout:
        return "dropout"
    for act in net.activations[:-1]:
        if _hidden_pieces(act) is None:
            return f"hidden activation {act!r}"
    out = net.activations[-1]
    if net.loss_spec.output is None and out.spec.derivative is None:
        return f"output activation {out.name} with {net.loss_spec.name}"
    return None


# --- the kernel ------------------------------------------------------------------------------------------

class _Pass:
    """Bound buffers and calls for one batch width b.

    A narrower pass (a shorter last batch or chunk) shares the storage of the widest one: its
    buffers are contiguous views of the first elements, and it rewrites its row of ones before use.
    """

    def __init__(self, net: MLP, b: int, base: _Pass | None = None) -> None:
        dtype, plan = net.dtype, net._layer_plan
        self.flats: list[Array] = []
        self.ones: list[Array] = []

        def buffer(rows: int) -> Array:
            if base is None:
                self.flats.append(np.empty(rows * b, dtype))
            else:
                self.flats.append(base.flats[len(self.flats)])
            return self.flats[-1][:rows * b].reshape(rows, b)

        mm = np.dot if b < SMALL else np.matmul
        self.b = b
        self.hidden: list[tuple[Array, Array, Array, int, Callable[[Array], Any], Callable[..., Array]]] = []
        self.back: list[tuple[Array, Array, Array, Array, Array, int, BackFn, Callable[..., Array]]] = []
        augs, dzs = [], []
        for i, act in enumerate(net.activations[:-1]):
            r = net.layers[i + 1]
            aug = buffer(r + 1)
            aug[-1] = 1.0
            if base is not None:
                self.ones.append(aug[-1])
            augs.append(aug)
            dzs.append(buffer(r))
            fw = _hidden_pieces(act)
            assert fw is not None
            self.hidden.append((plan[i][0], aug, aug[:-1], INLINE.get(act.name, 0), fw[0], mm))
        r_out = net.layers[-1]
        self.Zo, self.Ao, self.dZo, self.scratch = (buffer(r_out) for _ in range(4))
        self.dZ = [*dzs, self.dZo]
        for i in range(len(plan) - 1, 0, -1):
            back = _hidden_pieces(net.activations[i - 1])
            assert back is not None
            inner = net.layers[i + 1]
            self.back.append((net._grad_blocks[i], augs[i - 1].T, plan[i][1], self.dZ[i - 1], augs[i - 1][:-1],
                              INLINE.get(net.activations[i - 1].name, 0), back[1],
                              np.dot if inner == 1 or b < SMALL else np.matmul))
        self.P_out = plan[-1][0]


class Kernel:
    """Gradient descent over X, Y (one instance per column) for one configuration of a trainer."""

    def __init__(self, net: MLP, Xa: Array, Y: Array, opt: Optimizer, batch: int, shuffle: bool,
                 rng: np.random.Generator, l1: float, l2: float) -> None:
        self.net, self.opt, self.rng = net, opt, rng
        n = Xa.shape[1]
        self.n = n
        self.fused = net._fused
        target = (1.0 - 2.0 * Y).astype(net.dtype) if self.fused else Y    # fused: t − (2y − 1) = t + (1 − 2y)
        rows = Xa.shape[0]
        self.minibatch = batch < n
        self.shuffle = shuffle and self.minibatch
        self.XY = self.XYs = Xa
        if self.minibatch:
            self.XY = np.concatenate([Xa, target])             # one gather per epoch shuffles inputs and targets
            self.XYs = np.empty_like(self.XY) if self.shuffle else self.XY
            src = self.XYs
            starts = list(range(0, n, batch))
            groups = [[(s, min(s + batch, n))] for s in starts]
        else:
            per_column = sum(2 * r + 1 for r in net.layers[1:-1]) + 4 * net.layers[-1]
            width = max(1, min(n, CHUNK_BYTES // max(1, per_column * net.dtype.itemsize)))
            src = None
            groups = [[(s, min(s + width, n)) for s in range(0, n, width)]]
        widest = max(e - s for group in groups for s, e in group)
        self.passes: dict[int, _Pass] = {widest: _Pass(net, widest)}
        self.groups: list[tuple[list[tuple[Array, Array, Array, _Pass]], float]] = []
        for group in groups:
            chunks = []
            for s, e in group:
                if e - s not in self.passes:
                    self.passes[e - s] = _Pass(net, e - s, base=self.passes[widest])
                p = self.passes[e - s]
                if src is not None:
                    Xb, Tb = src[:rows, s:e], src[rows:, s:e]
                else:
                    Xb, Tb = Xa[:, s:e], target[:, s:e]
                chunks.append((Xb, Xb.T, Tb, p))
            m = group[-1][1] - group[0][0]
            self.groups.append((chunks, net.grad_factor(m)))
        # Linear optimisers take the constant factor 1/n (0.5/n fused) in the rate; a shorter last batch
        # is rescaled to it.  Adam gets the scaled gradient.
        full = net.grad_factor(min(batch, n))
        self.fold = full if opt.linear else 1.0
        mask = net._weight_mask
        self.l1_mask = mask * (l1 / self.fold) if l1 else None
        self.l2_mask = mask * (l2 / self.fold) if l2 else None
        self.acc = np.empty_like(net._grad) if len(groups[0]) > 1 else None
        self.tmp = np.empty_like(net._grad)
        self.last_good = np.empty_like(net._flat)
        self.loss_value = net.loss_spec.value

    def run(self, epochs: int, lr: float, record: list[float] | None = None, loss_limit: float = math.inf) -> int:
        """Train up to ``epochs`` epochs; return how many completed (fewer: it diverged and rolled back)."""
        net, opt = self.net, self.opt
        flat, grad, acc, tmp, last_good = net._flat, net._grad, self.acc, self.tmp, self.last_good
        update, lr_eff, fold = opt.update, lr * self.fold, self.fold
        l1_mask, l2_mask = self.l1_mask, self.l2_mask
        fused, groups, n = self.fused, self.groups, self.n
        mse = net.loss_spec.output is None
        out_f, out_d = net._layer_plan[-1][2], net._layer_plan[-1][3]
        chain = mse and net.activations[-1].name != "linear"      # MSE: dZ = (A − Y) ∘ g′(Z)
        dot, multiply, tanh, add, subtract, copyto = np.dot, np.multiply, np.tanh, np.add, np.subtract, np.copyto
        logaddexp, add_reduce, vdot, sign = np.logaddexp, np.add.reduce, np.vdot, np.sign
        exp, log1p, isfinite, maximum, greater = np.exp, np.log1p, math.isfinite, np.maximum, np.greater
        G0 = net._grad_blocks[0]
        shuffle, XY, XYs, rng = self.shuffle, self.XY, self.XYs, self.rng
        for epoch in range(epochs):
            if shuffle:
                np.take(XY, rng.permutation(n), axis=1, out=XYs)
            total = 0.0
            for chunks, factor in groups:
                for index, (Xb, XbT, Tb, p) in enumerate(chunks):
                    for row in p.ones:
                        row.fill(1.0)
                    A = Xb
                    for P, aug, Av, code, f, mm in p.hidden:
                        mm(P, A, out=Av)
                        if code == 1:
                            tanh(Av, out=Av)
                        elif code == 2:
                            maximum(Av, 0.0, out=Av)
                        else:
                            f(Av)
                        A = aug
                    Zo, Ao, dZo = p.Zo, p.Ao, p.dZo
                    dot(p.P_out, A, out=Zo)
                    if fused:
                        multiply(Zo, 0.5, out=Ao)
                        tanh(Ao, out=Ao)
                        dZ = add(Ao, Tb, out=dZo)
                    else:
                        out_f(Zo, Ao)
                        dZ = subtract(Ao, Tb, out=dZo)
                    if record is not None:
                        if fused:                        # Σ softplus(−s·z) = Σ log1p(exp(u)), u = z·(1 − 2y)
                            u = multiply(Zo, Tb, out=p.scratch)
                            loss = float(add_reduce(log1p(exp(u, out=u), out=u), axis=None))
                            if not isfinite(loss):       # exp overflowed: the slower form that cannot
                                u = multiply(Zo, Tb, out=p.scratch)
                                loss = float(add_reduce(logaddexp(0.0, u, out=u), axis=None))
                        elif mse:
                            loss = 0.5 * float(vdot(dZ, dZ))
                        else:
                            loss = self.loss_value(Zo, Ao, Tb) * p.b
                        if not loss <= loss_limit * p.b:
                            return epoch
                        total += loss
                    if chain:
                        dZ *= out_d(Zo, Ao, p.scratch)
                    for G, AT, WT, dZp, Ap, code, back, mm in p.back:
                        dot(dZ, AT, out=G)
                        if code == 1:                    # as _back_tanh and _back_relu, without a call
                            multiply(Ap, Ap, out=Ap)
                            subtract(1.0, Ap, out=Ap)
                        elif code == 2:
                            greater(Ap, 0.0, out=Ap)
                        else:
                            back(mm, WT, dZ, dZp, Ap)
                            dZ = dZp
                            continue
                        mm(WT, dZ, out=dZp)
                        multiply(dZp, Ap, out=dZp)
                        dZ = dZp
                    dot(dZ, XbT, out=G0)
                    if acc is not None:
                        if index:
                            acc += grad
                        else:
                            copyto(acc, grad)
                g = acc if acc is not None else grad
                if factor != fold:
                    g *= factor / fold
                if l2_mask is not None:
                    multiply(flat, l2_mask, out=tmp)
                    g += tmp
                if l1_mask is not None:
                    sign(flat, out=tmp)
                    tmp *= l1_mask
                    g += tmp
                copyto(last_good, flat)
                update(flat, g, lr_eff)
                if not float(dot(flat, flat)) <= SQUARED_LIMIT:
                    copyto(flat, last_good)
                    return epoch
            if record is not None:
                record.append(total / n)
        return epochs


__all__ = ["Kernel", "not_covered", "weights_ok", "SQUARED_LIMIT", "CHUNK_BYTES"]
