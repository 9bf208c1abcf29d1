"""The fast training kernel: full-batch and mini-batch gradient descent with every buffer bound once.

One :class:`Kernel` serves one trainer configuration (network, data, batch size, optimiser,
penalties; see :class:`Rules`).  Per batch it makes only the NumPy calls the arithmetic needs: ``np.dot``
into preallocated buffers, the registry's activations and derivatives in place, the optimiser's update.

Memory per hidden layer of width r for a batch of b columns: A (r+1)×b, with a row of ones, and
dZ (r+1)×b.  g′ is computed in place of A once A has served its gradient.  The backward product is
[W | b]ᵀ·dZ, the whole block transposed (a plain BLAS operand, where Wᵀ alone is strided and np.dot
would copy it), written straight into dZ: its first r rows are Wᵀ·dZ, its last row is unused.
A full batch wider than :data:`CHUNK_BYTES` allows is processed in column chunks whose
gradients are summed, so memory stays bounded whatever n is.

Divergence contract: when Σw² is not ≤ :data:`SQUARED_LIMIT` after an update (NaN, ∞, or some
|w| > 1e100; in float32, Σw² overflowing), the weights before that update are restored and the run
stops.  When losses are recorded, a batch loss that is not finite or above ``loss_limit`` stops the
run too, before the update.  The check runs once per stretch of batches (see :class:`Kernel`), and a
failed check replays the stretch batch by batch, so the weights kept are the same as checking every
batch (a weight that passes 1e100 and comes back within one stretch is the one case it misses).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
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
SPAN = 64                             # full batch: at most this many epochs between two checks ...
SPAN_BYTES = 256 * 2 ** 10            # ... whose kept output rows take at most this much memory
KEPT_BYTES = 16 * 2 ** 20             # several outputs: an epoch's kept outputs at most this big, else losses per batch


def weights_ok(flat: Array) -> bool:
    """True when every weight is finite and Σw² ≤ SQUARED_LIMIT (one BLAS call)."""
    return float(np.dot(flat, flat)) <= SQUARED_LIMIT


def cross_entropy_columns(Z: Array, T: Array, work: Array) -> Array:
    """Each column's cross-entropy of softmax(Z) against T, for r×w blocks stacked as (…, r, w) (the loss's
    own formula, from the logits); ``work``: a scratch buffer shaped like Z."""
    zmax = Z.max(axis=-2, keepdims=True)
    np.subtract(Z, zmax, out=work)
    logsumexp = np.log(np.exp(work, out=work).sum(axis=-2, keepdims=True))
    logsumexp += zmax
    np.subtract(logsumexp, Z, out=work)
    work *= T
    return work.sum(axis=-2)


def not_covered(net: MLP, dropout: float) -> str | None:
    """Why the kernel cannot train this network (the generic path does), or None.

    The kernel computes each hidden layer in place and keeps no Z, so a hidden activation's g′ must
    follow from its output (the registry's ``needs_z`` says when it does not).
    """
    if dropout:
        return "dropout"
    for act in net.activations[:-1]:
        if not act.from_output:
            return f"hidden activation {act!r}: its derivative needs Z, which the kernel does not keep"
    out = net.activations[-1]
    if net.loss_spec.output is None and out.spec.derivative is None:
        return f"output activation {out.name} with {net.loss_spec.name}"
    return None


# --- the kernel ------------------------------------------------------------------------------------------

class _Pass:
    """Bound buffers and calls for one batch width b.

    Every call whose operands are fixed for the width is bound here once, with its arguments, so that
    a batch runs lists of argument-free calls: ``forward`` (after the first layer's product, which reads
    the batch) and ``backward``.  Products are bound methods (``M.dot``: no ``np.dot`` dispatch, about
    0.2 µs a call on a small batch).  A narrower pass (a shorter last batch or chunk) shares the storage
    of the widest one: its buffers are contiguous views of the first elements, and it rewrites its rows
    of ones before use.
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

        def times(M: Array) -> Callable[..., Array]:
            """(x, out) ↦ out = M·x: np.dot's lower overhead below SMALL columns, matmul's speed above."""
            return M.dot if b < SMALL else partial(np.matmul, M)

        self.b = b
        augs: list[Array] = []                     # each hidden layer's A with its row of ones: (r+1)×b
        dz_rows: list[Array] = []                  # each hidden layer's dZ with an unused last row: (r+1)×b
        for r in net.layers[1:-1]:
            augs.append(buffer(r + 1))
            augs[-1][-1] = 1.0
            if base is not None:
                self.ones.append(augs[-1][-1])
            dz_rows.append(buffer(r + 1))
        r_out = net.layers[-1]
        self.Zo, self.Ao, self.dZo, self.scratch = (buffer(r_out) for _ in range(4))
        A = [aug[:-1] for aug in augs]
        self.dZ = [*(rows[:-1] for rows in dz_rows), self.dZo]
        last = len(plan) - 1
        # Forward: Z₁ = [W₁ | b₁]·[X; 1] reads the batch (``times_first``); then A₁ = g₁(Z₁) in place, and for
        # each layer above, Zᵢ = [Wᵢ | bᵢ]·[Aᵢ₋₁; 1] and Aᵢ = gᵢ(Zᵢ) in place, up to the last hidden layer.
        self.times_first = times(plan[0][0])
        self.first_out = A[0] if last else None
        self.forward: list[Callable[[], Any]] = []
        for i in range(last):
            if i:
                self.forward.append(partial(times(plan[i][0]), augs[i - 1], A[i]))
            self.forward.append(partial(plan[i][2], A[i], A[i]))
        self.times_out = partial(times(plan[last][0]), augs[-1]) if last else times(plan[last][0])
        # Backward, from the output down: Gᵢ = dZᵢ·[Aᵢ₋₁; 1]ᵀ = [dWᵢ | dbᵢ] (before g′ overwrites Aᵢ₋₁), then
        # [Wᵢ | bᵢ]ᵀ·dZᵢ into the rows of dZᵢ₋₁ (its first rows are Wᵢᵀ·dZᵢ), then dZᵢ₋₁ ∘= gᵢ₋₁′, from Aᵢ₋₁.
        self.backward: list[Callable[[], Any]] = []
        for i in range(last, 0, -1):
            self.backward += [partial(self.dZ[i].dot, augs[i - 1].T, net._grad_blocks[i]),
                              partial(times(plan[i][0].T), self.dZ[i], dz_rows[i - 1]),
                              partial(plan[i - 1][3], A[i - 1], self.dZ[i - 1], None)]
        self.times_dZ1 = self.dZ[0].dot            # G₁ = dZ₁·[X; 1]ᵀ reads the batch


@dataclass(frozen=True)
class Rules:
    """How one :class:`Kernel` trains: what the trainer's options become (a change builds a new Kernel).

    ``batch``: columns per mini-batch (n or more: full batch).  ``shuffle``: a new column order every
    epoch, drawn from the trainer's generator (mini-batches only).  ``l1``, ``l2``: penalty rates on the
    weights, never the biases, as :class:`~.trainer.Trainer` takes them.

    ``fold`` (:attr:`Kernel.fold`): the gradient a linear optimiser (SGD, momentum) gets from the kernel
    leaves out the constant factor ``fold`` = 1/b (0.5/b with the fused logistic+BCE output), and its
    learning rate is multiplied by ``fold`` instead.  So anything compared with or added to that gradient
    (the penalty rates here, a clipping threshold) must be divided by ``fold`` first.  Adam gets the
    scaled gradient: fold = 1.
    """

    batch: int
    shuffle: bool = True
    l1: float = 0.0
    l2: float = 0.0


Chunk = tuple[Array, Array, Array, _Pass, Array, Array]     # Xb, Xbᵀ, targets, pass, Z out, A out


class Kernel:
    """Gradient descent over X, Y (one instance per column) for one configuration of a trainer.

    Per batch it makes only the calls the arithmetic needs: no loss, no check.  Weights (and, when
    recording, the batch losses, computed for the whole stretch at once from the output blocks each
    batch wrote into an epoch-wide buffer) are checked at the end of each stretch of batches: an epoch,
    or the part of one a deadline allows; with a full batch in one chunk, up to ``span`` epochs (one
    update each, :data:`SPAN`).  When a
    check fails the stretch is run again from its start with a check after every update, which stops
    before the offending update: the divergence contract of the module docstring, with the
    same weights as checking every batch.  A deadline stops mid-epoch; the next :meth:`run` resumes at
    the next batch with the same column order, so the weights are those of an uninterrupted run.
    """

    def __init__(self, net: MLP, Xa: Array, Y: Array, opt: Optimizer, rules: Rules,
                 rng: np.random.Generator) -> None:
        self.net, self.opt, self.rng, self.rules = net, opt, rng, rules
        n = Xa.shape[1]
        self.n = n
        self.fused = net._fused
        target = (1.0 - 2.0 * Y).astype(net.dtype) if self.fused else Y    # fused: t − (2y − 1) = t + (1 − 2y)
        rows, r_out = Xa.shape[0], net.layers[-1]
        batch = rules.batch
        self.minibatch = batch < n
        self.shuffle = rules.shuffle and self.minibatch
        self.XY = self.XYs = Xa
        if self.minibatch:
            self.XY = np.concatenate([Xa, target])             # one gather per epoch shuffles inputs and targets
            self.XYs = np.empty_like(self.XY) if self.shuffle else self.XY
            src: Array | None = self.XYs
            groups = [[(s, min(s + batch, n))] for s in range(0, n, batch)]
            self.targets = self.XYs[rows:]
        else:
            per_column = sum(2 * r + 1 for r in net.layers[1:-1]) + 4 * net.layers[-1]
            width = max(1, min(n, CHUNK_BYTES // max(1, per_column * net.dtype.itemsize)))
            src = None
            groups = [[(s, min(s + width, n)) for s in range(0, n, width)]]
            self.targets = target
        # Recording: each batch writes its output block (r×b logits for BCE and cross-entropy, outputs for MSE)
        # straight into an epoch-wide row of ``kept``, batch after batch; a stretch's losses come from there in a
        # few calls.  ``flat_targets``: the targets in the same order.  Several outputs and a huge n: per batch.
        self.kind = "bce" if self.fused else "mse" if net.loss_spec.output is None else "ce"
        self.r = r_out
        self.cheap = r_out == 1 or r_out * n * 8 <= KEPT_BYTES     # 8: the bytes of a float64, or of an index
        # A full batch in one chunk is one update per epoch: up to ``span`` epochs run between two checks, each
        # keeping its outputs in its own row of ``kept``, so checking and recording cost a few calls per span.
        single = not self.minibatch and len(groups[0]) == 1
        self.span = max(1, min(SPAN, SPAN_BYTES // (r_out * n * net.dtype.itemsize))) if single else 1
        kept = np.empty((self.span, r_out * n), net.dtype) if self.cheap else None
        chunks = [chunk for group in groups for chunk in group]
        w = chunks[0][1] - chunks[0][0]
        m = sum(1 for s, e in chunks if e - s == w)     # every chunk but perhaps a shorter last one
        self._runs = [(0, m, w)] + ([(m * w, 1, n - m * w)] if m * w < n else [])   # (first column, count, width)
        self._target_source = np.ascontiguousarray(self.targets).reshape(-1)
        self._target_order: Array | None = None
        if r_out == 1 or len(chunks) == 1:             # one row, or one block: kept's order is the targets' own
            self.flat_targets = self._target_source
        else:
            column = np.arange(r_out * n).reshape(r_out, n)
            self._target_order = np.concatenate([column[:, c:c + k * b].reshape(r_out, k, b).transpose(1, 0, 2).ravel()
                                                 for c, k, b in self._runs])
            # cross-entropy puts its logits back in the targets' order instead (its sums run down whole columns)
            self.flat_targets = self._target_source if self.kind == "ce" else np.empty(r_out * n, net.dtype)
            self._order_targets()
        self._columns = np.empty((r_out, n), net.dtype) if self.kind == "ce" and self.cheap else None   # its scratch
        self._slots: list[Chunk] = []         # span > 1: the one chunk, with its output in row j of kept
        widest = max(e - s for group in groups for s, e in group)
        self.passes: dict[int, _Pass] = {widest: _Pass(net, widest)}
        self._widest = widest
        self._layout = (src, Xa, target, rows, kept)
        self._bounds = groups
        # Each group's bound views are made on first use: a million points in batches of 10 are 100,000
        # groups, and building them all up front would hold up the first step by a second.
        self.groups: list[tuple[list[Chunk], float] | None] = [None] * len(groups)
        self.kept = kept
        self.each = np.empty_like(kept) if kept is not None else None     # per-element losses of a stretch
        # a whole epoch's outputs, targets and per-element losses (the views a stretch usually reads)
        self._rows = (kept[0], self.flat_targets, self.each[0]) if kept is not None and self.each is not None else None
        self.limit = math.inf                # the loss limit per column of the current run
        self.starts = np.array([g[0][0] for g in groups], np.intp)
        self.widths = np.array([g[-1][1] - g[0][0] for g in groups], float)
        self.narrowest = float(self.widths.min())
        # Linear optimisers take the constant factor 1/n (0.5/n fused) in the rate; a shorter last batch
        # is rescaled to it.  Adam gets the scaled gradient.  See Rules for what this means for thresholds.
        full = net.grad_factor(min(batch, n))
        self.fold = full if opt.linear else 1.0
        mask = net._weight_mask
        self.l1_mask = mask * (rules.l1 / self.fold) if rules.l1 else None
        self.l2_mask = mask * (rules.l2 / self.fold) if rules.l2 else None
        self.acc = np.empty_like(net._grad) if len(groups[0]) > 1 else None
        self.tmp = np.empty_like(net._grad)
        self.last_good = np.empty_like(net._flat)
        self.start_flat = np.empty_like(net._flat)
        self.loss_value = net.loss_spec.value
        self.position = 0                     # the next batch (group) of the current epoch; 0: between epochs
        self.total = 0.0                      # the current epoch's summed batch losses so far (recording)
        self.diverged = False
        self._gradient = self._make_gradient()
        # Groups 0.._plain−1 need no rescaling (factor == fold): all of them, or all but a shorter last batch,
        # with a linear optimiser; none with Adam (fold 1).
        same = [net.grad_factor(int(w)) == self.fold for w in self.widths[[0, -1]]]
        self._plain = (len(groups) if same[1] else len(groups) - 1) if same[0] else 0

    def _group(self, index: int) -> tuple[list[Chunk], float]:
        """The bound views of batch group ``index`` (built once) and its gradient factor."""
        src, Xa, target, rows, kept = self._layout
        chunks: list[Chunk] = []
        group = self._bounds[index]
        widest = self._widest
        for s, e in group:
            if e - s not in self.passes:
                self.passes[e - s] = _Pass(self.net, e - s, base=self.passes[widest])
            p = self.passes[e - s]
            if src is not None:
                Xb, Tb = src[:rows, s:e], src[rows:, s:e]
            else:
                Xb, Tb = Xa[:, s:e], target[:, s:e]
            block = kept[0, self.r * s:self.r * e].reshape(self.r, e - s) if kept is not None else None
            Zo = block if block is not None and self.kind != "mse" else p.Zo
            Ao = block if block is not None and self.kind == "mse" else p.Ao
            chunks.append((Xb, Xb.T, Tb, p, Zo, Ao))
        entry = (chunks, self.net.grad_factor(group[-1][1] - group[0][0]))
        self.groups[index] = entry
        return entry

    def _order_targets(self) -> None:
        """Copy the targets into kept's order (block after block), where that is not their own (after a shuffle)."""
        if self._target_order is not None and self.kind != "ce":
            np.take(self._target_source, self._target_order, out=self.flat_targets)

    @property
    def mid_epoch(self) -> bool:
        """True when a deadline stopped the current epoch part-way."""
        return self.position > 0

    def _make_gradient(self) -> Callable[[Chunk, bool], float]:
        """The per-batch work as a closure (every name bound once): the gradient into ``net._grad``,
        and the batch's summed loss when asked (before the backward pass changes the outputs)."""
        net = self.net
        fused, mse = self.fused, net.loss_spec.output is None
        out_f, out_d = net._layer_plan[-1][2], net._layer_plan[-1][3]
        chain = mse and net.activations[-1].name != "linear"      # MSE: dZ = (A − Y) ∘ g′(Z)
        multiply, tanh, add, subtract, copyto = np.multiply, np.tanh, np.add, np.subtract, np.copyto
        logaddexp, add_reduce, vdot, exp, log1p = np.logaddexp, np.add.reduce, np.vdot, np.exp, np.log1p
        isfinite, loss_value = math.isfinite, self.loss_value
        G0 = net._grad_blocks[0]

        half = np.array(0.5, net.dtype)        # 0-d, the net's dtype: cheaper in a ufunc than a Python float

        def gradient(chunk: Chunk, want_loss: bool) -> float:   # outputs passed by position: cheaper
            Xb, XbT, Tb, p, Zo, Ao = chunk
            for row in p.ones:
                row.fill(1.0)
            if p.first_out is None:              # no hidden layer
                p.times_out(Xb, Zo)
            else:
                p.times_first(Xb, p.first_out)
                for call in p.forward:
                    call()
                p.times_out(Zo)
            dZ = p.dZo
            if fused:
                multiply(Zo, half, Ao)
                tanh(Ao, Ao)
                add(Ao, Tb, dZ)
            else:
                out_f(Zo, Ao)
                subtract(Ao, Tb, dZ)
            loss = 0.0
            if want_loss:
                if fused:                        # Σ softplus(−s·z) = Σ log1p(exp(u)), u = z·(1 − 2y)
                    u = multiply(Zo, Tb, out=p.scratch)
                    loss = float(add_reduce(log1p(exp(u, out=u), out=u), axis=None))
                    if not isfinite(loss):       # exp overflowed: the slower form that cannot
                        u = multiply(Zo, Tb, out=p.scratch)
                        loss = float(add_reduce(logaddexp(0.0, u, out=u), axis=None))
                elif mse:
                    loss = 0.5 * float(vdot(dZ, dZ))
                else:
                    loss = loss_value(Zo, Ao, Tb) * p.b
            if chain:                            # dZ ∘= g′(Z) from a copy: Ao may be kept for the loss
                copyto(p.scratch, Ao)
                out_d(p.scratch, dZ, Zo)
            for call in p.backward:
                call()
            p.times_dZ1(XbT, G0)
            return loss

        return gradient

    def _batches(self, start: int, stop: int, lr: float, deadline: float | None,
                 careful: bool = False, record: bool = False, loss_limit: float = math.inf) -> tuple[int, bool]:
        """Run batch groups start..stop−1 of the epoch; (the group reached, whether a check failed).

        ``careful``: check the loss (when ``record``) before, and the weights after, every update.
        """
        net, gradient, update = self.net, self._gradient, self.opt.update
        flat, grad, acc, last_good = net._flat, net._grad, self.acc, self.last_good
        lr_eff, fold, l1_mask, l2_mask = lr * self.fold, self.fold, self.l1_mask, self.l2_mask
        copyto, dot, clock = np.copyto, np.dot, time.perf_counter
        groups, penalized = self.groups, l1_mask is not None or l2_mask is not None
        if not (careful or record) and deadline is None and acc is None and l1_mask is None and l2_mask is None:
            start = self._plain_batches(start, min(stop, self._plain), lr_eff)
        for index in range(start, stop):
            chunks, factor = groups[index] or self._group(index)
            loss = 0.0
            if acc is None:
                loss = gradient(chunks[0], record)
                g = grad
            else:
                for k, chunk in enumerate(chunks):
                    loss += gradient(chunk, record)
                    if k:
                        acc += grad
                    else:
                        copyto(acc, grad)
                g = acc
            if careful and record:
                if not loss <= loss_limit * self.widths[index]:
                    return index, True
                self.total += loss
            if factor != fold:
                g *= factor / fold
            if penalized:
                self._penalize(g)
            if careful:
                copyto(last_good, flat)
            update(flat, g, lr_eff)
            if careful and not float(dot(flat, flat)) <= SQUARED_LIMIT:
                copyto(flat, last_good)
                return index, True
            if deadline is not None and clock() >= deadline:
                return index + 1, False
        return stop, False

    def _penalize(self, g: Array) -> None:
        """Add the L2 and L1 penalties' gradients (weights only, pre-divided by ``fold``) to ``g``."""
        flat, tmp = self.net._flat, self.tmp
        if self.l2_mask is not None:
            np.multiply(flat, self.l2_mask, out=tmp)
            g += tmp
        if self.l1_mask is not None:
            np.sign(flat, out=tmp)
            tmp *= self.l1_mask
            g += tmp

    def _plain_batches(self, start: int, stop: int, lr_eff: float) -> int:
        """The common case of :meth:`_batches`: groups start..stop−1 with nothing but the work (no check, loss,
        penalty, rescaling or deadline); returns the group reached."""
        gradient, update, groups, group = self._gradient, self.opt.update, self.groups, self._group
        flat, grad = self.net._flat, self.net._grad
        for index in range(start, stop):
            gradient((groups[index] or group(index))[0][0], False)
            update(flat, grad, lr_eff)
        return max(start, stop)

    def _stretch_losses(self, start: int, stop: int) -> tuple[float, bool]:
        """(the summed loss of batch groups start..stop−1, whether each group's loss is ≤ loss_limit·width),
        from the outputs kept epoch-wide: a few calls per stretch, none per batch.

        Every column's loss is ≥ 0, so no group's sum exceeds the total: when the total is within the
        narrowest group's limit, every group is, and the per-group sums are only needed otherwise.
        """
        assert self.kept is not None and self.each is not None
        s, e = int(self.starts[start]), int(self.starts[stop]) if stop < len(self.starts) else self.n
        r = self.r
        if self.kind == "ce":
            losses, per_column = self._cross_entropy(s, e), 1          # one loss per column
            total = float(np.add.reduce(losses))
        else:
            if e - s == self.n and self._rows is not None:
                z, T, each = self._rows
            else:
                z, T, each = self.kept[0, r * s:r * e], self.flat_targets[r * s:r * e], self.each[0, :r * (e - s)]
            losses, per_column = self._elementwise(z, T, each), r         # r losses per column
            total = float(np.add.reduce(losses))
            if self.kind == "bce" and not math.isfinite(total):
                total = float(np.add.reduce(self._elementwise(z, T, each, safe=True)))
        if total <= self.limit * self.narrowest:
            return total, True
        sums = np.add.reduceat(losses, (self.starts[start:stop] - s) * per_column)
        return total, bool(np.less_equal(sums, self.limit * self.widths[start:stop]).all())

    def _elementwise(self, z: Array, T: Array, each: Array, safe: bool = False) -> Array:
        """Each element's loss into ``each``: BCE softplus(u), u = z·(1 − 2y), as log1p(exp(u)) or, ``safe``, the
        slower form that cannot overflow; MSE ½(a − y)²."""
        if self.kind == "mse":
            np.subtract(z, T, each)
            np.multiply(each, each, each)
            each *= 0.5
        elif safe:
            np.logaddexp(0.0, np.multiply(z, T, each), out=each)
        else:
            np.log1p(np.exp(np.multiply(z, T, each), each), each)
        return each

    def _cross_entropy(self, s: int, e: int) -> Array:
        """Each column's cross-entropy over columns s..e−1 (whole batches), from the logits kept block by block,
        put back in the targets' r×n order (one scatter) when there are several blocks."""
        assert self.kept is not None and self.each is not None and self._columns is not None
        kept, r, n = self.kept[0], self.r, self.n
        if self._target_order is None:
            Z = kept.reshape(r, n)
        else:
            Z = self.each[0]
            Z[self._target_order[r * s:r * e]] = kept[r * s:r * e]
            Z = Z.reshape(r, n)
        T = self._target_source.reshape(r, n)
        return cross_entropy_columns(Z[:, s:e], T[:, s:e], self._columns[:, :e - s])

    def _span(self, epochs: int, lr: float, record: list[float] | None, loss_limit: float,
              deadline: float | None) -> tuple[int, bool]:
        """Full batch, one chunk: up to ``epochs`` (≤ span) epochs, then one check of the weights and of the
        losses of all of them; (epochs completed, whether the run diverged).  A failed check replays the span
        epoch by epoch, checking every update, as :meth:`run` replays a stretch."""
        net, opt = self.net, self.opt
        flat, grad = net._flat, net._grad
        if not self._slots:
            chunk = (self.groups[0] or self._group(0))[0][0]
            Xb, XbT, Tb, p, Zo, Ao = chunk
            kept, shape = self.kept, (self.r, self.n)
            self._slots = [chunk if kept is None else
                           (Xb, XbT, Tb, p, Zo, kept[j].reshape(shape)) if self.kind == "mse" else
                           (Xb, XbT, Tb, p, kept[j].reshape(shape), Ao) for j in range(self.span)]
        factor = self.groups[0][1] if self.groups[0] else 1.0
        rescale = factor / self.fold if factor != self.fold else None
        penalized = self.l1_mask is not None or self.l2_mask is not None
        gradient, update, lr_eff, clock = self._gradient, opt.update, lr * self.fold, time.perf_counter
        np.copyto(self.start_flat, flat)
        opt_state = opt.state()
        ran = 0
        for slot in self._slots[:epochs]:
            gradient(slot, False)
            if rescale is not None:
                grad *= rescale
            if penalized:
                self._penalize(grad)
            update(flat, grad, lr_eff)
            ran += 1
            if deadline is not None and clock() >= deadline:
                break
        self.limit = loss_limit
        sums, ok = self._span_losses(ran) if record is not None else (None, True)
        if ok and weights_ok(flat):
            if record is not None and sums is not None:
                record.extend((sums / self.n).tolist())
            return ran, False
        np.copyto(flat, self.start_flat)           # replay, checking every update
        opt.set_state(opt_state)
        for done in range(ran):
            self.total = 0.0
            _, failed = self._batches(0, 1, lr, None, True, record is not None, loss_limit)
            if failed:
                return done, True
            if record is not None:
                record.append(self.total / self.n)
        return ran, False

    def _span_losses(self, epochs: int) -> tuple[Array, bool]:
        """(each of the span's first ``epochs`` epochs' summed loss, whether each is ≤ loss_limit·n), from the
        outputs kept in ``kept``, one row per epoch: a few calls for the whole span.

        BCE and MSE work in place of the kept outputs (the next span overwrites them anyway): half the memory
        traffic of a separate buffer, which a span of float64 rows (256 KiB) makes the larger cost.  When exp
        overflows there, the sums are not finite and the check fails: the caller replays the span epoch by epoch,
        whose per-batch losses take the form that cannot overflow.
        """
        assert self.kept is not None and self.each is not None
        kept, T = self.kept[:epochs], self.flat_targets
        if self.kind == "ce":
            shape = (epochs, self.r, self.n)
            work = self.each[:epochs].reshape(shape)
            sums = np.add.reduce(cross_entropy_columns(kept.reshape(shape), T.reshape(shape[1:]), work), axis=1)
        else:
            sums = np.add.reduce(self._elementwise(kept, T, kept), axis=1)
        return sums, bool(np.less_equal(sums, self.limit * self.n).all())     # False for NaN and ∞ too

    def run(self, epochs: int, lr: float, record: list[float] | None = None, loss_limit: float = math.inf,
            deadline: float | None = None) -> int:
        """Train up to ``epochs`` whole epochs and return how many completed.

        Fewer when the run diverged (``diverged`` is then True and the weights are those before the
        offending update) or when ``deadline`` (a ``time.perf_counter()`` value) passed: then mid-epoch.
        ``record`` gets each completed epoch's mean batch loss, each measured before its batch's update.
        """
        net, opt = self.net, self.opt
        flat = net._flat
        self.diverged = False
        ngroups, done = len(self.groups), 0
        careful = record is not None and not self.cheap
        while done < epochs:
            if self.span > 1 and not careful:
                ran, failed = self._span(min(self.span, epochs - done), lr, record, loss_limit, deadline)
                done += ran
                if failed:
                    self.diverged = True
                    return done
                if deadline is not None and time.perf_counter() >= deadline:
                    return done
                continue
            if self.position == 0:
                if self.shuffle:
                    np.take(self.XY, self.rng.permutation(self.n), axis=1, out=self.XYs)
                    self._order_targets()
                self.total = 0.0
            start = self.position
            np.copyto(self.start_flat, flat)
            opt_state = opt.state()
            reached, failed = self._batches(start, ngroups, lr, deadline, careful, careful, loss_limit)
            if not careful:
                self.limit = loss_limit
                total, ok = self._stretch_losses(start, reached) if record is not None else (0.0, True)
                failed = not (ok and weights_ok(flat))
                if failed:                       # run the stretch again, checking every batch
                    np.copyto(flat, self.start_flat)
                    opt.set_state(opt_state)
                    reached, failed = self._batches(start, reached, lr, None, True, record is not None, loss_limit)
                else:
                    self.total += total
            if failed:
                self.position = 0
                self.diverged = True
                return done
            self.position = reached % ngroups
            if reached < ngroups:
                return done
            done += 1
            if record is not None:
                record.append(self.total / self.n)
            if deadline is not None and time.perf_counter() >= deadline:
                return done
        return done


__all__ = ["Kernel", "Rules", "not_covered", "weights_ok", "SQUARED_LIMIT", "CHUNK_BYTES"]
