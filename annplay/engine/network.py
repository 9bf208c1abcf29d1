"""The multilayer perceptron: parameters, forward and backward passes, save and load.

Conventions (from the original design):
  * one instance per column: X is m×n, Y is r×n;
  * layer ℓ has W(ℓ) of shape r×s and b(ℓ) of shape r×1, A(ℓ) = g(W(ℓ)A(ℓ−1) + b(ℓ)), A(0) = X;
  * back-propagation: dZ = dA ∘ g′(Z); dW = (1/n)·dZ·A(ℓ−1)ᵀ; db = (1/n)·Σ_columns dZ;
    dA(ℓ−1) = W(ℓ)ᵀ·dZ.

All weights and biases live in one flat vector; ``net.weights[i]`` and ``net.biases[i]`` are views
into it, so optimisers update everything at once and neuroevolution sees the network as one vector.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .activations import ACTIVATIONS, Activation, parse_layer_activations
from .buffers import FORWARD_BYTES, MAX_PARAMETERS, Workspace, augment, rng_from
from .init import get_init
from .losses import LossSpec, default_loss, get_loss
from .modelio import FORMAT_NAME, FORMAT_VERSION, load_model, load_model_json, model_from_dict, save_model
from .trainer import Trainer

Array = np.ndarray



def assign_checked(target: Array, value: Any, name: str) -> None:
    """Copy ``value`` into the view ``target``: same shape and finite, or a ValueError naming ``name``."""
    value = np.asarray(value, dtype=float)
    if value.shape != target.shape:
        raise ValueError(f"{name} has shape {target.shape}; got shape {value.shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} must be finite")
    limit = float(np.finfo(target.dtype).max)
    if value.size and float(np.abs(value).max()) > limit:      # 1e308 is finite, but inf once in float32
        raise ValueError(f"{name} must be finite in {target.dtype.name} (|value| ≤ {limit:.3g})")
    target[...] = value


class ParamList(Sequence):
    """A list of views into the flat parameter vector.

    Reading gives the live array; ``net.weights[i] = new`` copies ``new`` into
    the view (the shape must match), so the flat vector always stays the truth.
    """

    def __init__(self, views: list[Array], kind: str) -> None:
        self._views = views
        self._kind = kind

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, (int, np.integer)):
            self._check_index(i)
        return self._views[i]

    def __len__(self) -> int:
        return len(self._views)

    def __setitem__(self, i: int, value: Any) -> None:
        self._check_index(i)
        assign_checked(self._views[i], value, f"{self._kind}[{i}]")

    def _check_index(self, i: Any) -> None:
        """An IndexError that says how many layers there are."""
        n = len(self._views)
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -n <= i < n:
            raise IndexError(f"{self._kind}[{i}] does not exist: this network has {n} layer"
                             f"{'s' if n != 1 else ''} of {self._kind} (indices 0 to {n - 1}, or -{n} to -1)")

    def __repr__(self) -> str:
        return f"[{', '.join(repr(v) for v in self._views)}]"


class MLP:
    """A fully connected network, e.g. ``MLP([2, 8, 8, 1], "tanh")``.

    ``activations``: one name per non-input layer, one per layer with the first
    ignored, or a single name for all hidden layers (the output then follows
    the loss or the output size: logistic for 1 output, softmax for more).
    """

    def __init__(self, layers: Sequence[int], activations: Any = "tanh", *, init: str | None = None,
                 loss: str | None = None, seed: int | None = None, dtype: Any = np.float64) -> None:
        layers = list(layers)
        if len(layers) < 2:
            raise ValueError(f"layers needs at least an input and an output size, got {layers}")
        for i, size in enumerate(layers):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"layer {i} size must be a whole number ≥ 1, got {size!r} in {layers}")
        self.layers: list[int] = [int(s) for s in layers]
        self.activations: list[Activation] = parse_layer_activations(self.layers, activations, loss)
        out = self.activations[-1].name
        self.loss_spec: LossSpec = get_loss(loss if loss is not None else default_loss(out))
        if self.loss_spec.output is not None and self.loss_spec.output != out:
            raise ValueError(f"loss {self.loss_spec.name!r} is computed from logits and needs a "
                             f"{self.loss_spec.output} output layer, not {out}; use loss='mse' "
                             f"or a {self.loss_spec.output} output")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        check_size(self.layers, self.dtype)           # before anything is allocated
        self.seed = seed
        self.init = init
        self.meta: dict[str, Any] = {}
        self._build_parameters()
        self.initialize(init, seed)

    # --- parameters -------------------------------------------------------------

    def _build_parameters(self) -> None:
        """One flat vector; layer ℓ's block is [W | b], r×(s+1) row-major: a neuron's weights, then its bias."""
        shapes = list(zip(self.layers[1:], self.layers[:-1], strict=True))
        self.n_params = sum(r * (s + 1) for r, s in shapes)
        self._flat = np.zeros(self.n_params, self.dtype)
        self._grad = np.zeros(self.n_params, self.dtype)
        self._weight_mask = np.zeros(self.n_params, self.dtype)   # 1 on weights, 0 on biases
        blocks, grads, offset = [], [], 0
        for r, s in shapes:
            size = r * (s + 1)
            blocks.append(self._flat[offset:offset + size].reshape(r, s + 1))
            grads.append(self._grad[offset:offset + size].reshape(r, s + 1))
            self._weight_mask[offset:offset + size].reshape(r, s + 1)[:, :s] = 1
            offset += size
        self._blocks, self._grad_blocks = blocks, grads
        self.weights = ParamList([P[:, :-1] for P in blocks], "weights")
        self.biases = ParamList([P[:, -1:] for P in blocks], "biases")
        self._layer_plan = self._plan() if hasattr(self, "activations") else []
        # logistic + BCE: train through t = tanh(z/2) = 2σ(z) − 1, so that dZ ∝ t − (2Y − 1)
        self._fused = hasattr(self, "activations") and self.activations[-1].name == "logistic" \
            and self.loss_spec.name == "bce"

    def initialize(self, init: str | None = None, seed: int | None = None) -> None:
        """(Re)draw all weights: ``init`` by name, or per layer He (ReLU family) / Xavier."""
        rng = rng_from(seed)
        for i, (r, s) in enumerate(zip(self.layers[1:], self.layers[:-1], strict=True)):
            name = init or ("he" if self.activations[i].spec.relu_family else "xavier")
            W, b = get_init(name)(rng, r, s)
            self.weights[i][...] = W
            self.biases[i][...] = b

    def get_flat(self) -> Array:
        """A copy of every parameter as one vector: layer by layer, each neuron's weights then its bias."""
        return self._flat.copy()

    def set_flat(self, v: Any) -> None:
        """Set every parameter from one vector as laid out by :meth:`get_flat`."""
        v = np.asarray(v)
        if v.shape != (self.n_params,):
            raise ValueError(f"set_flat needs a vector of {self.n_params} values, got shape {v.shape}")
        assign_checked(self._flat, v, "set_flat's vector")

    @property
    def task(self) -> str:
        """``binary``, ``multiclass`` or ``regression``, from the loss."""
        return self.loss_spec.task

    @property
    def loss_name(self) -> str:
        return self.loss_spec.name

    # --- input checks -----------------------------------------------------------

    def check_X(self, X: Any, name: str = "X") -> Array:
        """X as an m×n array of this network's dtype, or a clear ValueError."""
        X = np.asarray(X, dtype=self.dtype) if not (isinstance(X, np.ndarray) and X.dtype == self.dtype) else X
        m = self.layers[0]
        if X.ndim == 1 and X.shape[0] == m:
            X = X.reshape(m, 1)
        if X.ndim != 2 or X.shape[0] != m:
            hint = ""
            if X.ndim == 2 and X.shape[1] == m:
                hint = f"; it looks transposed (one instance per row): pass {name}.T"
            raise ValueError(f"{name} must have shape (m, n) = ({m}, n), one instance per column; "
                             f"got shape {X.shape}{hint}")
        if not np.all(np.isfinite(X)):
            col = int(np.argwhere(~np.isfinite(X))[0][1])
            raise ValueError(f"{name} holds a non-finite value (NaN or inf) in column {col}")
        return X

    def check_Y(self, Y: Any, n: int, name: str = "Y") -> Array:
        """Y as an r×n array matching the output layer and the loss, or a clear ValueError."""
        Y = np.asarray(Y, dtype=self.dtype)
        r = self.layers[-1]
        if Y.ndim == 1 and r == 1:
            Y = Y.reshape(1, -1)
        if Y.ndim != 2 or Y.shape != (r, n):
            hint = ""
            if Y.ndim == 2 and Y.shape == (n, r):
                hint = f"; it looks transposed: pass {name}.T"
            raise ValueError(f"{name} must have shape (r, n) = ({r}, {n}); got shape {Y.shape}{hint}")
        if not np.all(np.isfinite(Y)):
            raise ValueError(f"{name} holds a non-finite value (NaN or inf)")
        self.loss_spec.check_targets(Y)
        return Y

    # --- forward and backward -----------------------------------------------------

    def forward(self, X: Any) -> Array:
        """A(N), the network's output for each column of X (no dropout: inference)."""
        return self._by_columns(self.check_X(X), self._outputs)

    def _outputs(self, A: Array) -> Array:
        with np.errstate(over="ignore", invalid="ignore"):
            for W, b, g in zip(self.weights, self.biases, self.activations, strict=True):
                Z = W @ A
                Z += b
                A = g(Z, Z)      # in place: Z is not needed at inference
        return A

    def _by_columns(self, A: Array, fn: Any) -> Array:
        """fn(A) (r×n) computed on blocks of columns whose widest layer stays within FORWARD_BYTES: a whole pass
        over 500,000 test points of a 64-wide net took 1.5 GB at once, and a phone's memory ran out in the
        report after the training itself had fitted (a probe's find)."""
        n = A.shape[1]
        block = max(1, FORWARD_BYTES // (max(self.layers) * max(A.dtype.itemsize, self.dtype.itemsize)))
        if n <= block:
            return fn(A)
        first = fn(A[:, :block])
        out = np.empty((first.shape[0], n), dtype=first.dtype)
        out[:, :block] = first
        for start in range(block, n, block):
            out[:, start:start + block] = fn(A[:, start:start + block])
        return out

    def layer_outputs(self, X: Any, dtype: Any = np.float32) -> list[Array]:
        """[A(1), …, A(L)] for inputs X (m×n) in one forward pass computed in ``dtype`` (views draw from it)."""
        dtype = np.dtype(dtype)
        A = np.asarray(X, dtype=dtype)
        m = self.layers[0]
        if A.ndim != 2 or A.shape[0] != m:
            raise ValueError(f"X must have shape (m, n) = ({m}, n), one instance per column; got shape {A.shape}")
        outputs: list[Array] = []
        with np.errstate(over="ignore", invalid="ignore"):
            for P, g in zip(self._blocks, self.activations, strict=True):
                P = P.astype(dtype, copy=False)
                Z = P[:, :-1] @ A
                Z += P[:, -1:]
                A = g(Z, Z)
                outputs.append(A)
        return outputs

    def logits(self, X: Any) -> Array:
        """Z(N), the output layer's pre-activations."""
        return self._by_columns(self.check_X(X), self._output_logits)

    def _output_logits(self, A: Array) -> Array:
        Z = A
        with np.errstate(over="ignore", invalid="ignore"):
            for i, (W, b, g) in enumerate(zip(self.weights, self.biases, self.activations, strict=True)):
                Z = W @ A
                Z += b
                A = g(Z) if i < len(self.activations) - 1 else A
        return Z

    def _plan(self) -> list[tuple]:
        """Per layer ([W | b], Wᵀ, g, in-place g′) with parameters bound: the hot loops look nothing up."""
        return [(P, P[:, :-1].T, g.forward(), g.backward() if g.spec.derivative is not None else None)
                for P, g in zip(self._blocks, self.activations, strict=True)]

    def _forward(self, Xa: Array, ws: Workspace, dropout: float = 0.0,
                 rng: np.random.Generator | None = None) -> None:
        """Training forward pass of augmented inputs Xa (see :func:`augment`) into the workspace.

        Inverted dropout on hidden layers when ``dropout`` > 0.  With a logistic output and BCE,
        the output buffer holds t = tanh(z/2) = 2σ(z) − 1 (cheaper, and all backward needs).
        """
        A = Xa
        plan = self._layer_plan
        last = len(plan) - 1
        keep = 1.0 - dropout
        for i, (P, _, f, _) in enumerate(plan):
            Z = ws.Z[i]
            np.matmul(P, A, out=Z)                 # W·A + b in one call
            if i == last:
                if self._fused:
                    out = ws.A[i]
                    np.multiply(Z, 0.5, out=out)
                    np.tanh(out, out=out)
                else:
                    f(Z, ws.A[i])
                return
            f(Z, ws.A[i])
            if dropout and rng is not None:
                mask = ws.mask[i]
                mask[...] = rng.random(mask.shape, dtype=mask.dtype)
                np.less(mask, keep, out=mask)
                mask *= 1.0 / keep
                np.multiply(ws.A[i], mask, out=ws.Adrop[i][:-1])
                A = ws.Adrop[i]
            else:
                A = ws.Aaug[i]

    def grad_factor(self, n: int) -> float:
        """What :meth:`_backward` with ``scale=False`` leaves out of the gradient: 1/n (0.5/n fused)."""
        return (0.5 if self._fused else 1.0) / n

    def _backward(self, Xa: Array, Y: Array, ws: Workspace, dropout: float = 0.0,
                  scale: bool = True) -> Array:
        """Fill the flat gradient from the workspace of the last :meth:`_forward`.

        ``scale=False`` leaves out the constant :meth:`grad_factor` so that an optimiser
        linear in the gradient can fold it into the learning rate (one pass fewer).
        """
        plan = self._layer_plan
        last = len(plan) - 1
        dZ = ws.dZ[last]
        A_out = ws.A[last]
        if self._fused:                        # dZ = σ(z) − y = (t − (2y − 1)) / 2; the /2 is in grad_factor
            if ws.sign_of is not Y:
                np.multiply(Y, 2.0, out=ws.sign)
                ws.sign -= 1.0
                ws.sign_of = Y
            np.subtract(A_out, ws.sign, out=dZ)
        else:
            np.subtract(A_out, Y, out=dZ)      # softmax+CE: dZ = A − Y; MSE: dA = A − Y
        if self.loss_spec.output is None:      # MSE: chain through the output activation
            d = plan[last][3]
            if d is None:                      # softmax: Jacobian-vector product
                s = np.einsum("ij,ij->j", dZ, A_out)
                dZ -= s
                dZ *= A_out
            else:
                np.copyto(ws.D[last], A_out)
                d(ws.D[last], dZ, ws.Z[last])
        grads = self._grad_blocks
        inputs = ws.Adrop if dropout else ws.Aaug
        for i in range(last, 0, -1):
            np.matmul(dZ, inputs[i - 1].T, out=grads[i])   # [dW | db] in one call
            dZ_prev = ws.dZ[i - 1]
            np.matmul(plan[i][1], dZ, out=dZ_prev)         # Wᵀ·dZ
            if dropout:
                dZ_prev *= ws.mask[i - 1]
            np.copyto(ws.D[i - 1], ws.A[i - 1])            # the derivative may overwrite its copy of A
            plan[i - 1][3](ws.D[i - 1], dZ_prev, ws.Z[i - 1])    # ∘ g′(Z), the registry's one derivative
            dZ = dZ_prev
        np.matmul(dZ, Xa.T, out=grads[0])
        if scale:
            self._grad *= self.grad_factor(Xa.shape[1])
        return self._grad

    def _output_loss(self, ws: Workspace, Y: Array) -> float:
        """The loss of the last :meth:`_forward`, from its logits (and outputs, for MSE)."""
        last = len(self.activations) - 1
        return self.loss_spec.value(ws.Z[last], ws.A[last], Y)   # fused: BCE reads only Z

    def backprop(self, X: Any, Y: Any) -> tuple[float, Array]:
        """(loss, gradient as a flat vector) for X, Y: what gradient descent follows."""
        X = self.check_X(X)
        Y = self.check_Y(Y, X.shape[1])
        ws = Workspace(self.layers, X.shape[1], self.dtype, dropout=False)
        Xa = augment(X)
        with np.errstate(over="ignore", invalid="ignore"):
            self._forward(Xa, ws)
            loss = self._output_loss(ws, Y)
            grad = self._backward(Xa, Y, ws).copy()
        return loss, grad

    def gradients(self, X: Any, Y: Any) -> tuple[list[Array], list[Array]]:
        """(dW per layer, db per layer) as r×s and r×1 arrays."""
        _, grad = self.backprop(X, Y)
        dws, dbs, offset = [], [], 0
        for r, s in zip(self.layers[1:], self.layers[:-1], strict=True):
            block = grad[offset:offset + r * (s + 1)].reshape(r, s + 1)
            dws.append(block[:, :-1])
            dbs.append(block[:, -1:])
            offset += r * (s + 1)
        return dws, dbs

    def loss(self, X: Any, Y: Any) -> float:
        """The loss (no penalty terms) of the current weights on X, Y."""
        X = self.check_X(X)
        Y = self.check_Y(Y, X.shape[1])
        with np.errstate(over="ignore", invalid="ignore"):
            Z = self.logits(X)
            A = self.activations[-1](Z)
        return self.loss_spec.value(Z, A, Y)

    # --- prediction ---------------------------------------------------------------

    def predict(self, X: Any) -> Array:
        """Class labels (n,) for classification; output values (r×n) for regression."""
        A = self.forward(X)
        if self.task == "binary":
            labels = (A > 0.5).astype(np.int64)
            return labels[0] if labels.shape[0] == 1 else labels
        if self.task == "multiclass":
            return A.argmax(axis=0)
        return A

    def accuracy(self, X: Any, labels: Any) -> float:
        """Share of columns whose predicted class equals ``labels`` (n,) or one-hot/0-1 Y."""
        pred = self.predict(X)
        labels = np.asarray(labels)
        if self.task == "multiclass" and labels.ndim == 2:
            labels = labels.argmax(axis=0)
        elif labels.ndim == 2 and labels.shape[0] == 1:
            labels = labels[0]
        return float(np.mean(pred == labels))

    # --- training -----------------------------------------------------------------

    def fit(self, X: Any, Y: Any, epochs: int, lr: float, printfreq: int = 0, **options: Any) -> dict:
        """Train and return ``{"loss": [...], "val_loss": [...]}``, one entry per epoch.

        Defaults are the original design's: full batch, plain gradient descent, no penalties, no dropout;
        so one epoch moves each weight by exactly −lr·∂L/∂W.  ``options``: batch_size, optimizer,
        optimizer_options, l1, l2, dropout, validation=(X_val, Y_val), patience, seed, shuffle.  The
        recorded loss of an epoch is the mean loss of its batches, each measured before its update.
        """
        allowed = {"batch_size", "optimizer", "optimizer_options", "l1", "l2", "dropout", "validation", "patience",
                   "seed", "shuffle"}
        unknown = sorted(set(options) - allowed)
        if unknown:
            raise ValueError(f"fit() has no option {unknown[0]!r}; options: {', '.join(sorted(allowed))}")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)):
            raise ValueError(f"epochs must be a whole number, got {epochs!r}")
        validation = options.pop("validation", None)
        X_val, Y_val = validation if validation is not None else (None, None)
        trainer = Trainer(self, X, Y, X_val=X_val, Y_val=Y_val, lr=lr, **options)
        epochs = int(epochs)
        if epochs < 0:
            raise ValueError(f"epochs must be ≥ 0, got {epochs}")
        history: dict[str, list[float]] = {"loss": [], "val_loss": []}
        trainer.record = history
        printfreq = int(printfreq or 0)
        done = 0
        while done < epochs and trainer.state not in ("diverged", "stopped"):
            chunk = min(epochs - done, printfreq) if printfreq > 0 else epochs - done
            trainer.step(chunk, metrics=False)
            done = trainer.epoch
            if printfreq > 0 and history["loss"]:
                print(f"epoch {done}: loss {history['loss'][-1]:.6f}")
        self.last_trainer = trainer
        return history

    # --- copying, saving and loading ---------------------------------------------------

    def config(self) -> dict[str, Any]:
        """The architecture as JSON-safe data (no weights)."""
        return {"layers": list(self.layers), "activations": [a.to_dict() for a in self.activations],
                "loss": self.loss_spec.name, "dtype": self.dtype.name, "meta": self.meta}

    def copy(self) -> MLP:
        """An independent network with the same architecture and weights."""
        return MLP.from_dict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """Everything, as JSON-safe data: architecture, weights and biases, format version."""
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, **self.config(),
                "weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist() for b in self.biases]}

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "data") -> MLP:
        """Rebuild a network from :meth:`to_dict` output (checked by :mod:`.modelio`)."""
        return model_from_dict(data, cls, source)

    def save(self, path: str | os.PathLike) -> Path:
        """Write an ``.npz`` (architecture, activations, weights, format version) atomically."""
        return save_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> MLP:
        """Read a model written by :meth:`save`; a ValueError names the file and the problem."""
        return load_model(path, cls)

    @classmethod
    def load_json(cls, path: str | os.PathLike, max_bytes: int | None = None) -> MLP:
        """Read a model exported as JSON (:meth:`to_dict`); a ValueError names the file and the problem."""
        return load_model_json(path, cls, max_bytes)

    def __repr__(self) -> str:
        acts = ", ".join(a.name for a in self.activations)
        return f"MLP({self.layers}, [{acts}], loss={self.loss_spec.name!r}, dtype={self.dtype.name})"


def check_size(layers: Sequence[int], dtype: np.dtype) -> None:
    """Refuse, before allocating anything, a network with more than MAX_PARAMETERS parameters."""
    count = sum((s + 1) * r for s, r in zip(layers[:-1], layers[1:], strict=False))
    if count > MAX_PARAMETERS:
        need = 3 * count * dtype.itemsize          # parameters, gradient and weight mask
        raise ValueError(f"layers {list(layers)} would have {count:,} parameters and need {_bytes(need)} of memory "
                         f"for {dtype.name} parameters and gradients alone; the limit is {MAX_PARAMETERS:,} "
                         f"parameters")


def _bytes(n: float) -> str:
    """A byte count for people: 1,234,567 → '1.2 MiB'."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024:
            return f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} PiB"


__all__ = ["MLP", "ParamList", "Workspace", "augment", "ACTIVATIONS", "MAX_PARAMETERS", "check_size"]
