"""Explain mode: one mini-batch through one layer, with the original design's equations and real numbers.

For the selected layer ℓ of an MLP (instances in columns), :func:`explain_step` computes, the
textbook way, exactly what back-propagation computes:

    Z = W·A + b,  A = g(Z)
    dZ = dA ∘ g′(Z),  dW = (1/n)·dZ·Aᵀ,  db = (1/n)·Σ dZ,  dA(ℓ−1) = Wᵀ·dZ
    W ← W − lr·dW

and :func:`lines` renders them with their real shapes and a few real numbers, one equation at
a time on a narrow (≤ 40 columns) screen.  The tests check these numbers against the engine's
own gradient and SGD step.  :func:`step_session` takes that step on a playground session's network
(explain mode's ``s`` key): the mini-batches of one pass are the trainer's, in data order (training
itself shuffles them), and the pass's last batch adds one to the epoch count.  The step is always
the original design's plain SGD step without dropout; :func:`notes` says so when the set-up trains
otherwise.  No UI imports here.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from annplay.engine.network import MLP
from annplay.engine.trainer import check_lr
from annplay.engine.trainers import live_options

Array = np.ndarray
NARROW = 40                 # at this width or less, one equation at a time
FEW = 3                     # how many numbers of a row to show


@dataclass(frozen=True)
class Explanation:
    """Everything one step computes for layer ``layer`` (ℓ, 1 = the first hidden layer, N = the output)."""

    layer: int
    depth: int               # N, the number of weight layers
    activation: str
    loss: str
    lr: float
    l1: float
    l2: float
    A_prev: Array            # A(ℓ−1), s×n (X for ℓ = 1)
    W: Array                 # W(ℓ) before the update, r×s
    b: Array                 # b(ℓ) before the update, r×1
    Z: Array                 # r×n
    A: Array                 # r×n
    Y: Array                 # the targets (for the output layer's dZ), N's r×n
    dA: Array                # ∂loss/∂A(ℓ) per instance, r×n (output: A − Y)
    g_prime: Array | None    # g′(Z) (None where dZ comes straight from the logits, or for softmax)
    dZ: Array                # r×n
    dW: Array                # r×s, the loss gradient (penalties not included)
    db: Array                # r×1
    dA_prev: Array           # Wᵀ·dZ, s×n
    W_new: Array             # after W ← W − lr·(dW + penalty)
    b_new: Array

    @property
    def n(self) -> int:
        """Instances in the mini-batch."""
        return int(self.Z.shape[1])

    @property
    def is_output(self) -> bool:
        return self.layer == self.depth


def _forward(net: MLP, X: Array) -> tuple[list[Array], list[Array]]:
    """Z(ℓ) and A(ℓ) for every layer, in float64 (A[0] = X)."""
    As, Zs = [X], [X]
    for W, b, g in zip(net.weights, net.biases, net.activations, strict=True):
        Z = np.asarray(W, np.float64) @ As[-1] + np.asarray(b, np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            A = g(Z)
        Zs.append(Z)
        As.append(A)
    return Zs, As


def _output_dZ(net: MLP, Z: Array, A: Array, Y: Array) -> tuple[Array, Array, Array | None]:
    """(dA, dZ, g′(Z)) at the output: from the logits for BCE and cross-entropy, else through g′."""
    dA = A - Y
    if net.loss_spec.output is not None:            # logistic+BCE, softmax+CE: dZ = A − Y
        return dA, dA.copy(), None
    g = net.activations[-1]
    if g.spec.derivative is None:                   # softmax with MSE: the Jacobian-vector product
        return dA, A * (dA - np.sum(dA * A, axis=0, keepdims=True)), None
    g_prime = g.derivative(Z, A)
    return dA, dA * g_prime, g_prime


def _check_layer(net: MLP, layer: Any) -> int:
    depth = len(net.weights)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= depth:
        raise ValueError(f"layer must be a whole number from 1 to {depth} (1 = first hidden layer, "
                         f"{depth} = output), got {layer!r}")
    return int(layer)


def _check_rate(name: str, value: Any) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}") from None
    if isinstance(value, bool) or not np.isfinite(rate) or rate < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    return rate


def explain_step(net: MLP, X_batch: Any, Y_batch: Any, layer: int, lr: float, *, l1: float = 0.0,
                 l2: float = 0.0, apply: bool = False) -> Explanation:
    """Forward and backward for one mini-batch, kept for layer ``layer``; with ``apply``, take the SGD step.

    The step (every layer, W ← W − lr·(dW + l2·W + l1·sign W), b ← b − lr·db) is the one
    :class:`~annplay.engine.trainer.Trainer` takes with the ``sgd`` optimizer on this batch.
    Dropout is not applied: this is the original design's step.  A step whose new weights
    would not be finite raises ValueError and changes nothing.
    """
    ell = _check_layer(net, layer)
    lr = check_lr(lr)
    l1, l2 = _check_rate("l1", l1), _check_rate("l2", l2)
    X = np.asarray(net.check_X(X_batch, "X_batch"), np.float64)
    Y = np.asarray(net.check_Y(Y_batch, X.shape[1], "Y_batch"), np.float64)
    n = X.shape[1]
    if n == 0:
        raise ValueError("the mini-batch is empty; explain mode needs at least one instance")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):    # a diverging step is reported below
        Zs, As = _forward(net, X)
        depth = len(net.weights)
        dA, dZ, g_prime = _output_dZ(net, Zs[depth], As[depth], Y)
        grads: dict[int, tuple[Array, Array]] = {}
        kept: dict[str, Any] = {}
        for i in range(depth, 0, -1):
            W = np.asarray(net.weights[i - 1], np.float64)
            dW = dZ @ As[i - 1].T / n
            db = dZ.sum(axis=1, keepdims=True) / n
            dA_prev = W.T @ dZ
            grads[i] = (dW, db)
            if i == ell:
                kept = {"dA": dA, "g_prime": g_prime, "dZ": dZ, "dW": dW, "db": db, "dA_prev": dA_prev}
            if i > 1:
                g = net.activations[i - 2]
                g_prime = g.derivative(Zs[i - 1], As[i - 1])
                dA, dZ = dA_prev, dA_prev * g_prime
        new = {}
        for i, (dW, db) in grads.items():
            W = np.asarray(net.weights[i - 1], np.float64)
            step = dW + l2 * W + l1 * np.sign(W)
            new[i] = (W - lr * step, np.asarray(net.biases[i - 1], np.float64) - lr * db)
    explanation = Explanation(
        layer=ell, depth=depth, activation=net.activations[ell - 1].name, loss=net.loss_spec.name, lr=lr,
        l1=l1, l2=l2, A_prev=As[ell - 1], W=np.array(net.weights[ell - 1], np.float64),
        b=np.array(net.biases[ell - 1], np.float64), Z=Zs[ell], A=As[ell], Y=Y,
        W_new=new[ell][0], b_new=new[ell][1], **kept)
    if apply:
        if not all(np.all(np.isfinite(W_new)) and np.all(np.isfinite(b_new)) for W_new, b_new in new.values()):
            raise ValueError(f"this step would make the weights non-finite (diverged) at learning rate {lr:g}; "
                             f"lower the learning rate")
        for i, (W_new, b_new) in new.items():
            net.weights[i - 1] = W_new
            net.biases[i - 1] = b_new
    return explanation


def options_for(setup: Any) -> dict[str, float]:
    """``lr``, ``l1`` and ``l2`` of a back-propagation set-up, as :func:`explain_step` takes them.

    Explain mode shows back-propagation; for the neuroevolution trainers it has nothing to show.
    """
    if setup.trainer != "backprop":
        raise ValueError(f"explain mode shows back-propagation; the trainer is {setup.trainer}, which uses no "
                         f"gradient (choose the trainer backprop)")
    options = live_options(setup)
    return {"lr": options["lr"], "l1": options["l1"], "l2": options["l2"]}


# --- rendering --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Equation:
    """One equation: the formula, its shapes, and (label, numbers) rows; a matrix's label has '{i}' for its row
    number (row 1 on a small screen, more where there is room)."""

    formula: str
    shapes: str
    numbers: tuple[tuple[str, Array], ...]


def _shape(a: Array) -> str:
    return f"{a.shape[0]}×{a.shape[1]}"


def equations(e: Explanation) -> list[Equation]:
    """The seven equations of one step for the explained layer, with real shapes and numbers."""
    ell, prev = str(e.layer), str(e.layer - 1)
    r, n = e.W.shape[0], e.n
    rn = f"{r}×{n}"
    out = [
        Equation(f"Z({ell}) = W({ell})·A({prev}) + b({ell})",
                 f"{rn} = {_shape(e.W)} · {_shape(e.A_prev)} + {r}×1",
                 (("W row {i}", e.W), (f"A({prev}) row {{i}}", e.A_prev), ("b", e.b[:, 0]), ("Z row {i}", e.Z))),
        Equation(f"A({ell}) = g(Z({ell})), g = {e.activation}", f"{rn} = g({rn})", (("A row {i}", e.A),)),
    ]
    if e.is_output and e.g_prime is None and e.loss in ("bce", "cross_entropy"):
        out.append(Equation(f"dZ({ell}) = A({ell}) − Y  ({e.loss}, from Z)", f"{rn} = {rn} − {rn}",
                            (("Y row {i}", e.Y), ("dZ row {i}", e.dZ))))
    elif e.g_prime is None:
        out.append(Equation(f"dZ({ell}) = A ∘ (dA − Σ dA∘A)  (softmax)", f"{rn} = {rn} ∘ {rn}",
                            (("dA row {i}", e.dA), ("dZ row {i}", e.dZ))))
    else:
        out.append(Equation(f"dZ({ell}) = dA({ell}) ∘ g′(Z({ell}))", f"{rn} = {rn} ∘ {rn}",
                            (("dA row {i}", e.dA), ("g′ row {i}", e.g_prime), ("dZ row {i}", e.dZ))))
    out += [
        Equation(f"dW({ell}) = (1/{n})·dZ({ell})·A({prev})ᵀ", f"{_shape(e.dW)} = {rn} · {n}×{e.A_prev.shape[0]}",
                 (("dW row {i}", e.dW),)),
        Equation(f"db({ell}) = (1/{n})·Σ dZ({ell})", f"{r}×1 = sum of {n} columns of {rn}",
                 (("db", e.db[:, 0]),)),
        Equation(f"dA({prev}) = W({ell})ᵀ·dZ({ell})" + ("  (dX: unused)" if e.layer == 1 else ""),
                 f"{_shape(e.dA_prev)} = {e.W.shape[1]}×{r} · {rn}", (("dA row {i}", e.dA_prev),)),
    ]
    penalty = "".join(part for part, rate in ((" + l2·W", e.l2), (" + l1·sign W", e.l1)) if rate)
    rule = f"W({ell}) ← W({ell}) − lr·(dW({ell}){penalty})" if penalty else f"W({ell}) ← W({ell}) − lr·dW({ell})"
    out.append(Equation(rule, f"{_shape(e.W)}, lr = {e.lr:g}" + "".join(
        f", {name} = {rate:g}" for name, rate in (("l2", e.l2), ("l1", e.l1)) if rate),
        (("W row {i} old", e.W), ("W row {i} new", e.W_new), ("b new", e.b_new[:, 0]))))
    return out


def _numbers(label: str, values: Array, width: int, few: int = FEW) -> str:
    """'  label: v1 v2 v3 …': as many of the first ``few`` values as fit in ``width``."""
    head = f"  {label}:"
    parts = [f"{v:.3g}" for v in values[:few]]
    while parts:
        text = head + " " + " ".join(parts) + (" …" if len(parts) < len(values) else "")
        if len(text) <= width:
            return text
        parts.pop()
    return head[:width]


def _wrap(text: str, width: int) -> list[str]:
    """Break ``text`` at spaces into lines of at most ``width`` (a longer word is cut)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return [part[:width] for part in lines if part]


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces (for the screen's own lines)."""
    return _wrap(text, max(int(width), 1))


def _block(eq: Equation, width: int, rows: int = 1, few: int = FEW) -> list[str]:
    one = f"{eq.formula}  ({eq.shapes})"
    head = [one] if len(one) <= width else _wrap(eq.formula, width) + _wrap(f"({eq.shapes})", width)
    out = []
    for label, values in eq.numbers:
        matrix = np.atleast_2d(values) if "{i}" in label else np.asarray(values).reshape(1, -1)
        for i in range(min(max(1, rows), matrix.shape[0])):
            out.append(_numbers(label.format(i=i + 1), matrix[i], width, few))
    return head + out


def pages(e: Explanation) -> int:
    """How many equations :func:`lines` pages through on a narrow screen."""
    return len(equations(e))


def lines(e: Explanation, width: int, page: int = 0, rows: int = 1, few: int = FEW) -> list[str]:
    """The equations as text lines of at most ``width`` columns; at width ≤ 40 only equation ``page``.
    With room: ``rows`` rows of each matrix and ``few`` numbers of each row (narrow or not)."""
    width = max(int(width), 20)
    eqs = equations(e)
    where = "output" if e.is_output else "hidden"
    title = f"Layer {e.layer}/{e.depth} ({where}, {e.activation}), batch n = {e.n}"
    if width <= NARROW:
        k = page % len(eqs)
        return (_wrap(f"Layer {e.layer}/{e.depth}, n = {e.n}  [{k + 1}/{len(eqs)}]", width)
                + _block(eqs[k], width, rows, few))
    out = _wrap(title, width)
    for eq in eqs:
        out += _block(eq, width, rows, few)
    return out



# --- explain mode on a session: the shown step, taken ---------------------------------------------------

class StaleExplanation(ValueError):
    """The weights changed after the explanation was shown; nothing was stepped."""


@dataclass(frozen=True)
class Stepped:
    """One mini-batch step explain mode took on a session's network."""

    explanation: Explanation     # what was shown and applied: W_new and b_new are now the network's
    batch: int                   # its place in the pass (0 = first)
    batches: int                 # mini-batches in one pass (epoch)
    epoch: int                   # the epoch count after the step
    loss_before: float           # the mini-batch's loss before and after the step
    loss_after: float
    counted: bool = False        # the pass's last batch, every batch stepped: the epoch count went up by one

    @property
    def pass_ended(self) -> bool:
        """True when this was the pass's last mini-batch."""
        return self.batch == self.batches - 1

    def summary(self) -> str:
        """One line for the student: which batch was stepped and what the step did to that batch's loss."""
        text = f"Stepped {self.batch + 1}/{self.batches}: batch loss {self.loss_before:.4g}→{self.loss_after:.4g}"
        if self.counted:
            return f"{text}; epoch {self.epoch} complete"
        return text + ("; batches were skipped, so no epoch is counted" if self.pass_ended else "")


def batch_size_of(setup: Any, n: int) -> int:
    """The trainer's mini-batch size for ``n`` training points (no batch size, or a larger one: full batch)."""
    return max(1, min(int(setup.batch_size or n), n))


def batches_per_pass(n: int, size: int) -> int:
    """Mini-batches in one epoch, ⌈n / size⌉ (the last may be smaller, as in the trainer)."""
    return max(1, -(-int(n) // max(1, int(size))))


def pass_batch(X: Array, Y: Array, size: int, index: int) -> tuple[Array, Array]:
    """Mini-batch ``index`` of one pass in data order, cut as the trainer cuts: columns index·size onwards."""
    n = X.shape[1]
    if n == 0:
        raise ValueError("there is no training data to explain a step on")
    size = max(1, min(int(size), n))
    start = (int(index) % batches_per_pass(n, size)) * size
    return X[:, start:start + size], Y[:, start:start + size]


def pass_key(session: Any) -> tuple[Any, int]:
    """What a remembered place in the pass belongs to: this trainer at this epoch (else start the pass again).

    The trainer is held weakly: a rebuilt one is never mistaken for it, even at the same address.
    """
    return weakref.ref(session.trainer), int(session.epoch)


def _session_batch(session: Any, index: int) -> tuple[Array, Array, int, int]:
    """(X, Y, index, batches) of mini-batch ``index`` of the session's training data (call under its lock)."""
    prep = session.prep
    n = prep.X_train.shape[1]
    if n == 0:
        raise ValueError("there is no training data yet: tap the map to add points")
    size = batch_size_of(session.setup, n)
    total = batches_per_pass(n, size)
    index = int(index) % total
    X, Y = pass_batch(prep.X_train, prep.Y_train, size, index)
    return X, Y, index, total


def explain_session(session: Any, layer: int, index: int) -> tuple[Explanation, int, int]:
    """(explanation, index, batches): ``layer`` on mini-batch ``index`` of the session's pass; weights untouched."""
    with session.lock:
        options = options_for(session.setup)
        X, Y, index, total = _session_batch(session, index)
        e = explain_step(session.net, X, Y, layer, options["lr"], l1=options["l1"], l2=options["l2"])
        return e, index, total


def step_session(session: Any, layer: int, index: int, shown: Explanation | None = None, *,
                 count_epoch: bool = True) -> Stepped:
    """Take the step explain mode shows: plain SGD on mini-batch ``index`` of the pass, under the session's lock.

    Every layer steps (W ← W − lr·(dW + penalty), b ← b − lr·db); ``layer`` is the one explained.  The pass's
    last mini-batch adds one to the epoch count (unless not ``count_epoch``: the pass skipped batches).
    Refused with ValueError, nothing changed: while training
    runs, when it cannot go on (diverged, stopped, epoch limit), for neuroevolution, for a step that would
    diverge, and (StaleExplanation) when layer ``shown.layer``'s weights are no longer those ``shown`` shows.
    """
    with session.lock:
        if session.running:
            raise ValueError("training is running; pause it (space) before stepping in explain mode")
        options = options_for(session.setup)
        X, Y, index, total = _session_batch(session, index)
        if session.done():
            raise ValueError(session.message() or "training cannot go on; r starts again from new weights")
        net = session.net
        if shown is not None and not (np.array_equal(shown.W, net.weights[shown.layer - 1])
                                      and np.array_equal(shown.b, net.biases[shown.layer - 1])
                                      and shown.n == X.shape[1]):
            raise StaleExplanation("the weights changed since this step was shown; here it is again")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            before = float(net.loss(X, Y))
        e = explain_step(net, X, Y, layer, options["lr"], l1=options["l1"], l2=options["l2"], apply=True)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            after = float(net.loss(X, Y))
        counted = count_epoch and index == total - 1
        if counted:
            session.trainer.epoch += 1
        return Stepped(e, index, total, int(session.epoch), before, after, counted)


def notes(setup: Any) -> list[str]:
    """How explain mode's step differs from this set-up's training (empty: it is the same step)."""
    if setup.trainer != "backprop":
        return []
    out = []
    if setup.optimizer != "sgd":
        out.append(f"A plain SGD step; training uses {setup.optimizer}")
    if setup.dropout:
        out.append(f"No dropout here; training drops {setup.dropout:g}")
    return out


__all__ = ["Explanation", "Equation", "explain_step", "options_for", "equations", "lines", "pages",
           "NARROW", "Stepped", "StaleExplanation", "batch_size_of", "batches_per_pass", "pass_batch",
           "explain_session", "step_session", "notes", "pass_key", "wrap"]
