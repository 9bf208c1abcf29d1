"""Set-ups the doctor was NOT calibrated on: each labelled healthy or sick from measurements, not from the doctor.

    python benchmarks/doctor_unseen.py [--cures] [--seeds N] [--only WORD] [-v]

Every case trains through a Session as ``annplay train`` and the app do (chunks end at the doctor's samples),
and the doctor is asked after every sample, as the app's Doctor view is: a healthy case must get no warning at
any point of its run ("live"), a sick one must be named in its final diagnosis.  Each label is checked first
by its own measurement (``truth``): vanishing gradients are ‖∂L/∂W₁‖/‖∂L/∂W_out‖ < 0.1 from the network's
gradient on the training points while the loss stays near chance and the same net with ReLU learns; dead ReLUs
are units whose output is 0 on every training point; a too-high or too-low rate, underfitting and dead units
each have a counterfactual run (rate ÷10, the rate that trains, a bigger net, leaky ReLU) that must do
clearly better.  A case whose measurement contradicts its label is printed as LABEL? and left out of the
table.  ``--cures`` trains each sick case again with its first warning's first fix and says whether the
warning went and the run got better; ``--seeds N`` runs every case on N seeds (seed, seed + 1000, ...).
"""

from __future__ import annotations

import csv
import math
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from annplay.core.session import Session
from annplay.engine.setup import Setup
from annplay.engine.sharecode import decode

DATA = Path(__file__).resolve().parents[1] / "datasets"      # the shipped copies of the shared iris and penguins
IRIS = DATA / "iris.csv"
PENGUINS = DATA / "penguins.csv"


def _regression_csv() -> str:
    """A small regression CSV of our own (y = x1·x2 + sin x3, 400 rows, a little noise), written once."""
    path = Path(tempfile.gettempdir()) / "annplay-doctor-unseen-reg.csv"
    if not path.exists():
        rng = np.random.default_rng(7)
        X = rng.uniform(-2, 2, (400, 3))
        y = X[:, 0] * X[:, 1] + np.sin(X[:, 2]) + rng.normal(0, 0.1, 400)
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["a", "b", "c", "y"])
            w.writerows([[*map(float, x), float(t)] for x, t in zip(X, y, strict=True)])
    return str(path)


REG = _regression_csv()
IRIS_ALL = {"csv": str(IRIS), "csv_x": ("sepal_length", "sepal_width", "petal_length", "petal_width"),
            "csv_y": "species"}
PENG = {"csv": str(PENGUINS), "csv_x": ("bill_length_mm", "bill_depth_mm", "flipper_length_mm"), "csv_y": "species"}
PENG_MASS = {"csv": str(PENGUINS), "csv_x": ("bill_length_mm", "bill_depth_mm", "flipper_length_mm"),
             "csv_y": "body_mass_g"}
OWN_REG = {"csv": REG, "csv_x": ("a", "b", "c"), "csv_y": "y"}

# (label, settings); a sick label may list other codes that also name it right after a "|" (e.g. dead units a
# too-high rate caused: "dead_units|lr_too_high").  Evolution stuck near chance is "underfitting".
CASES: list[tuple[str, dict[str, Any]]] = [
    # --- healthy: the default set-up first (the projector's first impression), live with no epoch limit
    ("healthy", {"seed": 1, "epochs": None, "_until": 5000}),
    ("healthy", {"seed": 2, "epochs": None, "_until": 3000}),
    ("healthy", {"seed": 3, "epochs": 1000}),
    ("healthy", {"dataset": "moons", "hidden": (8,), "activation": "relu", "optimizer": "adam", "lr": 0.01,
                 "batch_size": 32, "epochs": 500, "seed": 4}),
    ("healthy", {"dataset": "xor", "hidden": (16, 16), "activation": "elu", "optimizer": "momentum", "lr": 0.01,
                 "batch_size": 1, "epochs": 200, "seed": 5}),
    ("healthy", {"dataset": "gauss", "hidden": (1,), "epochs": 300, "seed": 6}),
    ("healthy", {"dataset": "blobs", "hidden": (32,), "activation": "leaky_relu", "optimizer": "adam", "lr": 0.003,
                 "batch_size": 100000, "epochs": 1000, "seed": 7}),
    ("healthy", {"dataset": "rings3", "hidden": (16, 16, 16), "lr": 0.1, "batch_size": 20, "epochs": 1000, "seed": 8}),
    ("healthy", {"dataset": "plane", "hidden": (4,), "activation": "linear", "lr": 0.01, "epochs": 300, "seed": 9}),
    ("healthy", {"dataset": "sine", "hidden": (16, 16), "optimizer": "adam", "lr": 0.01, "batch_size": 32,
                 "epochs": 1000, "seed": 10}),
    ("healthy", {"dataset": "multigauss", "hidden": (32, 32), "activation": "relu", "optimizer": "adam", "lr": 0.003,
                 "epochs": 500, "seed": 11}),
    ("healthy", {"dataset": "reg-maximum", "hidden": (8, 8), "activation": "relu", "lr": 0.01, "epochs": 500,
                 "seed": 12}),
    ("healthy", {"dataset": "reg-argmax", "hidden": (16,), "activation": "elu", "optimizer": "momentum", "lr": 0.01,
                 "epochs": 300, "seed": 13}),
    ("healthy", {**IRIS_ALL, "hidden": (8,), "lr": 0.1, "epochs": 500, "seed": 14}),
    ("healthy", {**PENG, "hidden": (16,), "activation": "relu", "optimizer": "adam", "lr": 0.01, "epochs": 300,
                 "seed": 15}),
    ("healthy", {**PENG_MASS, "hidden": (8,), "epochs": 300, "seed": 16}),
    ("healthy", {**OWN_REG, "hidden": (16, 16), "optimizer": "adam", "lr": 0.01, "epochs": 500, "seed": 17}),
    ("healthy", {"dataset": "spiral", "hidden": (32, 32, 32), "activation": "relu", "optimizer": "adam", "lr": 0.01,
                 "batch_size": 16, "dtype": "float32", "epochs": 1000, "seed": 18}),
    ("healthy", {"dataset": "checkerboard", "hidden": (64, 64), "activation": "relu", "optimizer": "adam",
                 "lr": 0.003, "epochs": 1000, "seed": 19}),
    ("healthy", {"dataset": "circle", "hidden": (16,) * 6, "activation": "relu", "optimizer": "adam", "lr": 0.003,
                 "epochs": 300, "seed": 20}),
    ("healthy", {"dataset": "xor", "hidden": (8,) * 5, "epochs": 500, "seed": 21}),
    ("healthy", {"dataset": "gauss", "noise": 50, "hidden": (2,), "activation": "logistic", "lr": 0.3,
                 "epochs": 300, "seed": 22}),
    ("healthy", {"dataset": "moons", "noise": 30, "hidden": (8, 8), "regularization": "l2", "reg_rate": 0.001,
                 "epochs": 1000, "seed": 23}),
    ("healthy", {"dataset": "circle", "hidden": (8, 8), "activation": "relu", "regularization": "l1",
                 "reg_rate": 0.001, "epochs": 500, "seed": 24}),
    ("healthy", {"dataset": "spiral", "hidden": (32, 32), "activation": "relu", "dropout": 0.1, "optimizer": "adam",
                 "lr": 0.003, "epochs": 2000, "seed": 25}),
    ("overfitting", {"dataset": "circle", "points": 40, "hidden": (4,), "epochs": 500, "seed": 26}),
    ("healthy", {"dataset": "circle", "points": 20000, "hidden": (8, 8), "activation": "relu", "optimizer": "adam",
                 "lr": 0.003, "batch_size": 64, "epochs": 20, "seed": 27}),
    ("healthy", {"dataset": "xor", "points": 5000, "batch_size": 100000, "lr": 0.3, "epochs": 2000, "seed": 28}),
    ("healthy", {"dataset": "gauss", "batch_size": 1, "lr": 0.01, "epochs": 50, "seed": 29}),
    ("healthy", {"dataset": "circle", "hidden": (8,), "trainer": "es", "epochs": 300, "seed": 30}),
    ("healthy", {"dataset": "gauss", "hidden": (4,), "trainer": "ga", "epochs": 200, "seed": 31}),
    ("healthy", {"dataset": "moons", "hidden": (4, 2), "trainer": "es", "epochs": 500, "seed": 32}),
    ("healthy", {"dataset": "xor", "hidden": (4,), "activation": "step", "trainer": "ga", "population": 100,
                 "epochs": 300, "seed": 33}),
    ("healthy", {"dataset": "rings3", "hidden": (16, 16), "activation": "logistic", "optimizer": "adam", "lr": 0.01,
                 "epochs": 500, "seed": 34}),
    ("healthy", {"dataset": "blobs", "hidden": (4,), "activation": "linear", "optimizer": "adam", "lr": 0.01,
                 "epochs": 300, "seed": 35}),
    ("healthy", {"dataset": "sine", "hidden": (64,), "activation": "relu", "lr": 0.003, "batch_size": 1,
                 "epochs": 100, "seed": 36}),
    ("healthy", {"dataset": "spiral", "features": ("x1", "x2", "sinx1", "sinx2"), "hidden": (16,), "epochs": 1000,
                 "seed": 37}),
    ("healthy", {"dataset": "moons", "hidden": (8, 8, 8), "activation": "elu", "optimizer": "momentum",
                 "nesterov": True, "lr": 0.01, "epochs": 1000, "seed": 38}),
    ("healthy", {"dataset": "circle", "optimizer": "adam", "lr": 0.001, "dtype": "float32", "batch_size": 1,
                 "epochs": 1000, "seed": 39}),
    ("healthy", {"dataset": "spiral", "hidden": (16,) * 6, "optimizer": "adam", "lr": 0.003, "epochs": 2000,
                 "seed": 40}),
    ("healthy", {"dataset": "multigauss", "hidden": (8,) * 6, "activation": "elu", "optimizer": "adam", "lr": 0.003,
                 "epochs": 1000, "seed": 41}),
    ("healthy", {"dataset": "iris", "hidden": (4,), "activation": "logistic", "lr": 0.3, "epochs": 1000, "seed": 42}),
    ("healthy", {"dataset": "reg-maximum", "noise": 50, "hidden": (4, 2), "epochs": 1000, "seed": 43}),
    ("healthy", {"dataset": "plane", "noise": 20, "batch_size": 100000, "lr": 0.1, "dtype": "float32",
                 "epochs": 3000, "seed": 44}),
    ("healthy", {"dataset": "xor", "hidden": (64, 64), "activation": "leaky_relu", "lr": 0.1, "batch_size": 5,
                 "epochs": 200, "seed": 45}),
    ("healthy", {"dataset": "gauss", "hidden": (), "epochs": 200, "seed": 46}),
    ("dead_units|lr_too_high", {"dataset": "circle", "features": ("x1sq", "x2sq"), "hidden": (2,), "activation": "relu",
                 "epochs": 300, "seed": 47}),
    ("healthy", {"dataset": "checkerboard", "hidden": (16, 16), "activation": "relu", "optimizer": "adam",
                 "lr": 0.01, "epochs": 5000, "patience": 100, "seed": 48}),
    ("healthy", {"dataset": "moons", "seed": 49, "epochs": None, "_until": 4000}),
    ("healthy", {"dataset": "xor", "hidden": (4, 2), "seed": 50, "epochs": None, "_until": 3000}),
    ("healthy", {"dataset": "gauss", "seed": 51, "epochs": None, "_until": 2000}),
    ("overfitting", {"dataset": "circle", "noise": 25, "hidden": (6, 3), "activation": "relu", "lr": 0.01,
                 "epochs": 2000, "seed": 52}),
    ("healthy", {"dataset": "circle", "noise": 25, "hidden": (6, 3), "activation": "relu", "lr": 0.01,
                 "epochs": 300, "seed": 53}),
    # deep nets that learn, and more live runs with no epoch limit (the app's)
    ("exploding_gradients|diverged", {"dataset": "plane", "hidden": (8,) * 6, "activation": "linear", "lr": 0.01,
                                      "epochs": 300, "seed": 54}),
    ("healthy", {"dataset": "reg-maximum", "hidden": (16,) * 6, "activation": "relu", "epochs": 300, "seed": 55}),
    ("exploding_gradients|diverged", {"dataset": "blobs", "hidden": (32,) * 6, "activation": "elu", "lr": 0.1,
                                      "epochs": 300, "seed": 56}),
    ("exploding_gradients|diverged", {"dataset": "sine", "hidden": (16,) * 5, "activation": "leaky_relu", "lr": 0.05,
                                      "epochs": 300, "seed": 57}),
    ("healthy", {"dataset": "spiral", "hidden": (8, 8), "activation": "relu", "optimizer": "adam", "lr": 0.01,
                 "epochs": None, "_until": 3000, "seed": 58}),
    ("healthy", {"dataset": "rings3", "epochs": None, "_until": 2000, "seed": 59}),
    ("healthy", {"dataset": "sine", "hidden": (8, 8), "epochs": None, "_until": 2000, "seed": 98}),
    ("healthy", {"dataset": "multigauss", "hidden": (16, 16), "activation": "elu", "optimizer": "adam", "lr": 0.01,
                 "epochs": None, "_until": 1500, "seed": 99}),
    ("overfitting", {"dataset": "checkerboard", "hidden": (16, 16), "activation": "relu", "optimizer": "adam",
                     "lr": 0.01, "epochs": None, "_until": 1500, "seed": 100}),   # test loss doubles mid-run
    ("healthy", {**PENG, "hidden": (8, 8), "epochs": None, "_until": 1500, "seed": 101}),
    ("healthy", {"dataset": "circle", "hidden": (8,), "activation": "logistic", "lr": 0.3, "batch_size": 1,
                 "epochs": 100, "seed": 102}),
    ("healthy", {"dataset": "xor", "hidden": (32, 16, 8), "activation": "relu", "optimizer": "momentum", "lr": 0.003,
                 "batch_size": 50, "dtype": "float32", "epochs": 1000, "seed": 103}),
    # --- vanishing gradients: deep logistic/tanh stacks that sit at chance
    ("vanishing_gradients", {"dataset": "circle", "hidden": (16,) * 6, "activation": "logistic", "epochs": 500,
                             "seed": 60}),
    ("vanishing_gradients", {"dataset": "xor", "hidden": (8,) * 5, "activation": "logistic", "optimizer": "momentum",
                             "lr": 0.01, "epochs": 300, "seed": 61}),
    ("vanishing_gradients", {"dataset": "moons", "hidden": (4,) * 6, "activation": "logistic", "lr": 0.1,
                             "dtype": "float32", "epochs": 1000, "seed": 62}),
    ("vanishing_gradients", {"dataset": "rings3", "hidden": (8,) * 6, "activation": "logistic", "epochs": 500,
                             "seed": 63}),
    ("vanishing_gradients", {"dataset": "sine", "hidden": (8,) * 6, "activation": "logistic", "lr": 0.01,
                             "epochs": 300, "seed": 64}),
    # --- exploding gradients / divergence
    ("exploding_gradients|diverged", {"dataset": "sine", "hidden": (32,) * 6, "activation": "relu", "lr": 0.1,
                                      "epochs": 300, "seed": 65}),
    ("exploding_gradients|diverged", {"dataset": "plane", "hidden": (16,) * 4, "activation": "linear", "lr": 0.1,
                                      "epochs": 300, "seed": 66}),
    ("exploding_gradients|diverged", {"dataset": "reg-maximum", "hidden": (16,) * 6, "activation": "elu",
                                      "lr": 0.3, "epochs": 300, "seed": 67}),
    ("diverged", {"dataset": "multigauss", "hidden": (8, 8), "lr": 5.0, "epochs": 300, "seed": 68}),
    ("dead_units|lr_too_high", {"dataset": "blobs", "hidden": (32, 32), "activation": "relu", "optimizer": "momentum",
                                "lr": 1.0, "epochs": 300, "seed": 69}),
    ("exploding_gradients|diverged", {"dataset": "reg-argmax", "hidden": (8,) * 6, "activation": "linear",
                                      "epochs": 300, "seed": 97}),
    # --- dying ReLUs
    ("dead_units|lr_too_high", {"dataset": "moons", "hidden": (16, 16), "activation": "relu", "lr": 1.0,
                                "epochs": 300, "seed": 70}),
    ("dead_units|lr_too_high", {"dataset": "rings3", "hidden": (8, 8, 8), "activation": "relu", "lr": 0.5,
                                "epochs": 300, "seed": 71}),
    ("healthy", {"dataset": "gauss", "hidden": (4, 4), "activation": "relu", "optimizer": "adam", "lr": 0.5,
                 "epochs": 300, "seed": 72}),      # half its units die, yet it learns: worth an info, no warning
    ("dead_units|lr_too_high", {"dataset": "checkerboard", "hidden": (8, 8), "activation": "relu",
                                "optimizer": "adam", "lr": 0.1, "epochs": 500, "seed": 73}),
    ("underfitting", {"dataset": "spiral", "hidden": (3, 3, 3), "activation": "relu", "epochs": 1000, "seed": 74}),
    # --- overfitting (no regularisation, no early stopping)
    ("overfitting", {"dataset": "moons", "points": 30, "noise": 30, "hidden": (64, 64), "activation": "relu",
                     "optimizer": "adam", "lr": 0.01, "epochs": 3000, "seed": 75}),
    ("overfitting", {"dataset": "circle", "points": 40, "noise": 20, "hidden": (32, 32, 32), "optimizer": "adam",
                     "lr": 0.01, "epochs": 2000, "seed": 76}),
    ("overfitting", {"dataset": "checkerboard", "points": 100, "hidden": (32, 32), "activation": "relu",
                     "optimizer": "adam", "lr": 0.01, "epochs": 5000, "seed": 77}),
    ("overfitting", {"dataset": "multigauss", "points": 40, "noise": 30, "hidden": (64, 64), "optimizer": "adam",
                     "lr": 0.01, "epochs": 3000, "seed": 78}),
    ("overfitting", {"dataset": "xor", "points": 50, "noise": 50, "hidden": (16, 16), "activation": "elu",
                     "lr": 0.1, "epochs": 3000, "seed": 79}),
    ("healthy", {**IRIS_ALL, "train_ratio": 10, "hidden": (32, 32), "optimizer": "adam", "lr": 0.03,
                     "epochs": 3000, "seed": 80}),
    # --- learning rate too high (no divergence)
    ("lr_too_high", {"dataset": "moons", "hidden": (8, 8), "lr": 5.0, "epochs": 300, "seed": 81}),
    ("lr_too_high", {"dataset": "rings3", "hidden": (8, 8), "optimizer": "adam", "lr": 0.5, "epochs": 300,
                     "seed": 82}),
    ("lr_too_high|diverged", {"dataset": "sine", "hidden": (8, 8), "optimizer": "momentum", "lr": 0.5,
                              "epochs": 300, "seed": 83}),
    ("lr_too_high|diverged", {"dataset": "xor", "hidden": (8, 8), "activation": "elu", "lr": 3.0, "epochs": 300,
                              "seed": 84}),
    # --- learning rate too low
    ("lr_too_low", {"dataset": "spiral", "hidden": (16, 16), "activation": "relu", "lr": 1e-5, "epochs": 1000,
                    "seed": 85}),
    ("lr_too_low", {"dataset": "blobs", "hidden": (8,), "optimizer": "momentum", "lr": 1e-5, "epochs": 500,
                    "seed": 86}),
    ("lr_too_low", {"dataset": "sine", "hidden": (8, 8), "optimizer": "adam", "lr": 1e-5, "epochs": 500,
                    "seed": 87}),
    ("lr_too_low", {"dataset": "gauss", "batch_size": 100000, "lr": 1e-3, "epochs": 300, "seed": 88}),
    # --- underfitting: a net too small (or linear) for its data, a crushing penalty
    ("underfitting", {"dataset": "spiral", "hidden": (2,), "epochs": 3000, "seed": 89}),
    ("underfitting", {"dataset": "checkerboard", "hidden": (4,), "activation": "relu", "epochs": 3000, "seed": 90}),
    ("underfitting", {"dataset": "rings3", "hidden": (), "epochs": 500, "seed": 91}),
    ("underfitting", {"dataset": "circle", "hidden": (8, 8), "activation": "linear", "epochs": 500, "seed": 92}),
    ("underfitting", {"dataset": "multigauss", "hidden": (2,), "epochs": 2000, "seed": 93}),
    ("underfitting", {"dataset": "moons", "hidden": (8, 8), "regularization": "l1", "reg_rate": 0.1,
                      "epochs": 1000, "seed": 94}),
    # --- neuroevolution stuck near chance
    ("underfitting", {"dataset": "spiral", "hidden": (8, 8), "trainer": "es", "sigma": 5.0, "epochs": 200,
                      "seed": 95}),
    ("underfitting", {"dataset": "checkerboard", "hidden": (4, 4), "activation": "step", "trainer": "ga",
                      "epochs": 200, "seed": 96}),
    ("underfitting", {"dataset": "xor", "hidden": (4,), "trainer": "es", "sigma": 20.0, "epochs": 300, "seed": 104}),
]


@dataclass
class Run:
    """One trained case: the session, warnings seen at any sample, the final findings."""

    session: Session
    live: set[str] = field(default_factory=set)
    final: list[Any] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [f.code for f in self.final if f.severity == "warning"]


def setup_of(settings: dict[str, Any]) -> Setup:
    return Setup(**{k: v for k, v in settings.items() if not k.startswith("_")})


def train(settings: dict[str, Any], live: bool = True) -> Run:
    """Train as the app does, asking the doctor after every sample (``live``) and at the end."""
    s = Session(setup_of(settings))
    until = settings.get("_until", 1000 if s.setup.epochs is None else None)     # auto epochs: train's 1000
    run = Run(s)
    seen = 0
    while not s.done() and (until is None or s.epoch < until):
        s.step(max(1, s.instruments.interval) if until is None else min(s.instruments.interval, until - s.epoch))
        if live and len(s.instruments.samples) != seen:
            seen = len(s.instruments.samples)
            run.live |= {f.code for f in s.diagnosis() if f.severity == "warning"}
    run.final = s.diagnosis()
    run.live |= set(run.warnings)
    return run


# --- measurements (not the doctor's rules) ---------------------------------------------------------------

def chance(s: Session) -> float:
    return s.instruments.chance


def losses(s: Session) -> tuple[float, float | None]:
    """(train loss, test loss) of the final weights, penalty-free."""
    p = s.prep
    tr = s.net.loss(p.X_train, p.Y_train)
    te = s.net.loss(p.X_test, p.Y_test) if p.X_test.shape[1] else None
    return tr, te


def diverged(s: Session) -> bool:
    tr, _ = losses(s)
    return s.trainer.state == "diverged" or not math.isfinite(tr)


def grad_ratio(s: Session) -> float:
    """‖∂L/∂W₁‖ / ‖∂L/∂W_out‖ on the training points, from the network's own back-propagation."""
    dws, _ = s.net.gradients(s.prep.X_train, s.prep.Y_train)
    last = float(np.linalg.norm(dws[-1]))
    return float(np.linalg.norm(dws[0])) / last if last > 0 else math.nan


def dead_share(s: Session) -> tuple[float, bool]:
    """(share of ReLU units that output 0 on every training point, a whole ReLU layer dead)."""
    outs = s.net.layer_outputs(s.prep.X_train, np.float64)[:-1]
    acts = [a.name for a in s.net.activations[:-1]]
    dead = [int(np.count_nonzero(np.all(A == 0, axis=1))) for A, a in zip(outs, acts, strict=True) if a == "relu"]
    units = [A.shape[0] for A, a in zip(outs, acts, strict=True) if a == "relu"]
    whole = any(d == u for d, u in zip(dead, units, strict=True))
    return (sum(dead) / sum(units) if units else 0.0), whole


def test_curve(s: Session) -> list[tuple[float, float]]:
    return [(x.train_loss, x.test_loss) for x in s.instruments.samples
            if x.test_loss is not None and math.isfinite(x.test_loss)]


def other(settings: dict[str, Any], **changes: Any) -> float:
    """The final train loss of the same set-up with ``changes`` (a counterfactual run)."""
    s = train({**settings, **changes}, live=False).session
    tr, _ = losses(s)
    return tr if math.isfinite(tr) else math.inf


def truth(label: str, settings: dict[str, Any], run: Run) -> tuple[bool, str]:
    """Does the measurement agree with the label?  (confirmed, the numbers)."""
    s = run.session
    c = chance(s)
    if diverged(s):
        return label.split("|")[0] in ("diverged", "exploding_gradients", "lr_too_high"), "diverged"
    tr, te = losses(s)
    code = label.split("|")[0]
    curve = test_curve(s)
    if code == "healthy":
        best = min((t for _, t in curve), default=te)
        ok = tr <= 0.7 * c and (te is None or (te <= 0.85 * c and te - best <= 0.25 * c))
        return ok, f"train {tr / c:.2f} test {te / c if te else 0:.2f} best {best / c if best else 0:.2f} (×chance)"
    if code == "vanishing_gradients":
        ratio = grad_ratio(s)
        relu = other(settings, activation="relu")
        return ratio < 0.1 and tr >= 0.85 * c and relu <= 0.5 * tr, \
            f"‖g1‖/‖gL‖ {ratio:.1e}, train {tr / c:.2f}×chance, relu {relu / c:.2f}"
    if code == "exploding_gradients":
        g = [x.grad_norms for x in s.instruments.samples if all(math.isfinite(v) for v in x.grad_norms)]
        growth = max((b / a for x in g[1:] for a, b in zip(g[0], x, strict=True) if a > 0), default=0.0)
        return growth >= 1e3, f"gradient growth {growth:.1e}"
    if code == "dead_units":
        share, whole = dead_share(s)
        lr = settings.get("lr", 0.03)
        leaky = min(other(settings, activation="leaky_relu", lr=min(lr, 0.1)), other(settings, lr=lr / 10))
        return (share >= 0.4 or whole) and tr >= 0.1 * c and leaky <= 0.7 * tr, \
            f"dead {share:.0%}{' (a whole layer)' if whole else ''}, train {tr / c:.2f}, leaky {leaky / c:.2f}"
    if code == "overfitting":
        if not curve:
            return False, "no test curve"
        i = min(range(len(curve)), key=lambda k: curve[k][1])
        rise = (te - curve[i][1]) / c
        gap = (te - tr) / c
        ok = (rise >= 0.2 and tr < curve[i][0]) or (tr <= 0.1 * c and te >= c)
        return ok, f"test rose {rise:.2f}×chance from its best, gap {gap:.2f}, train {tr / c:.2f}"
    if code == "lr_too_high":
        lower = other(settings, lr=settings["lr"] / 10)
        return lower <= 0.5 * tr, f"train {tr / c:.2f}, at lr/10 {lower / c:.2f} (×chance)"
    if code == "lr_too_low":
        start = s.instruments.samples[0].train_loss
        higher = other(settings, lr=0.01 if settings.get("optimizer") == "adam" else 0.03)     # the rates that train
        return tr >= 0.2 * c and higher <= 0.5 * tr, f"train {tr / c:.2f} from {start / c:.2f}, faster {higher / c:.2f}"
    if code == "underfitting":
        if settings.get("trainer") in ("ga", "es"):
            return tr >= 0.85 * c and s.epoch >= 100, f"train {tr / c:.2f}×chance after {s.epoch} generations"
        big = other(settings, hidden=(32, 32), activation="tanh", regularization="none", optimizer="adam", lr=0.01)
        return tr >= 0.3 * c and big <= 0.5 * tr, f"train {tr / c:.2f}, a 32-32 net {big / c:.2f} (×chance)"
    return False, f"no measurement for {code}"


def improved(settings: dict[str, Any], before: Run, after: Run, code: str) -> bool:
    """The fixed run is better where the sickness hurt: train loss for underfitting and too-low rates, else test."""
    b, a = losses(before.session), losses(after.session)
    k = 0 if code in ("underfitting", "lr_too_low", "vanishing_gradients") or b[1] is None else 1
    x, y = b[k], a[k]
    if y is None or not math.isfinite(y):
        return False
    return x is None or not math.isfinite(x) or y <= x * 0.95 or y <= 0.05 * chance(after.session)


def main() -> int:
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    cures = "--cures" in sys.argv
    table: dict[str, Counter] = {}
    named = false_alarms = sick_total = healthy_total = cured = offered = 0
    unconfirmed = []
    seeds = int(sys.argv[sys.argv.index("--seeds") + 1]) if "--seeds" in sys.argv else 1
    cases = [(label, {**settings, "seed": settings.get("seed", 0) + 1000 * k}) for k in range(seeds)
             for label, settings in CASES]
    for label, settings in cases:
        if only and only not in f"{label} {settings}":
            continue
        run = train(settings)
        ok_label, numbers = truth(label, settings, run)
        shown = {k: v for k, v in settings.items() if k not in ("csv",)}
        if "csv" in settings:
            shown["csv"] = Path(settings["csv"]).name
        if not ok_label:
            unconfirmed.append((label, shown, numbers))
            print(f"LABEL? {label:28} {shown}  {numbers}  warn={run.warnings}")
            continue
        primary = label.split("|")[0]
        accept = set(label.split("|"))
        first = run.warnings[0] if run.warnings else "none"
        infos = sorted(f.code for f in run.final if f.severity == "info")
        if primary == "healthy":
            healthy_total += 1
            ok = not run.live
            false_alarms += not ok
            col = sorted(run.live)[0] if run.live else "none"
        else:
            sick_total += 1
            ok = bool(accept & set(run.warnings))
            named += ok
            col = next((w for w in run.warnings if w in accept), first)
        table.setdefault(primary, Counter())[col] += 1
        line = f"{'ok ' if ok else 'BAD'} {label:28} {shown} warn={run.warnings} live={sorted(run.live)} " \
               f"info={infos}  [{numbers}]"
        if cures and primary != "healthy" and run.final and run.warnings:
            f = next(x for x in run.final if x.severity == "warning")
            if f.fixes:
                offered += 1
                fix = f.fixes[0]
                fixed = {**{k: v for k, v in settings.items() if k.startswith("_")}, **dict(decode(fix.code))}
                if "csv" in settings:
                    fixed["csv"] = settings["csv"]
                after = train(fixed, live=False)
                gone = f.code not in after.warnings
                better = improved(settings, run, after, f.code)
                cured += gone and better
                line += f"\n      fix {f.code} -> {fix.label}: {'CURED' if gone and better else 'not cured'}" \
                        f" (warning {'gone' if gone else 'stays'}, {'better' if better else 'not better'}," \
                        f" left {after.warnings})"
        print(line)
        if "-v" in sys.argv or not ok:
            for f in run.final:
                print("     ", f.code, f.severity, f.message, f.evidence)
    print()
    cols = ["none", "diverged", "exploding_gradients", "vanishing_gradients", "dead_units", "saturated_units",
            "lr_too_high", "lr_too_low", "overfitting", "underfitting"]
    short = {"none": "none", "diverged": "div", "exploding_gradients": "expl", "vanishing_gradients": "vani",
             "dead_units": "dead", "saturated_units": "satu", "lr_too_high": "lrHi", "lr_too_low": "lrLo",
             "overfitting": "over", "underfitting": "undr"}
    print(f"{'truth / doctor':22}" + "".join(f"{short[c]:>6}" for c in cols))
    for row, counts in table.items():
        print(f"{row:22}" + "".join(f"{counts.get(c, 0) or '.':>6}" for c in cols))
    print(f"healthy: {healthy_total - false_alarms} of {healthy_total} without a warning at any sample; "
          f"sick: {named} of {sick_total} named right; {len(unconfirmed)} labels not confirmed (left out)")
    if cures:
        print(f"cures: {cured} of {offered} first fixes removed the warning and improved the run")
    return 0 if not false_alarms and named == sick_total else 1


if __name__ == "__main__":
    raise SystemExit(main())
