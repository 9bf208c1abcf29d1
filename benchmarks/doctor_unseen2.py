"""A second set of set-ups the doctor was NOT calibrated on, with new seeds (201–299) and new shapes: other widths
and depths, optimizers, batch sizes, rates, activations, noise and train ratios, CSV regression targets (iris and
penguins columns, and CSVs of our own with a large target scale), GA and ES, and runs that are only slow or noisy.

    python benchmarks/doctor_unseen2.py [--cures] [--seeds N] [--only WORD] [-v]

Labels come from measurement, as in benchmarks/doctor_unseen.py (whose ``truth`` this reuses): gradient-norm
ratios between layers, dead-unit counts, a counterfactual run with the fix applied, the test curve, divergence.
Two labels are new here:
- ``quiet``: a run that is only slow or noisy. Measured: it did not diverge, its train loss ended at most 0.9× its
  first sample, and its test loss did not rise 0.25 chance losses from its best. It must get no warning at any
  sample (an info is fine): a slow run is not sick.
- ``target_scale``, a regression on targets of a large scale (marked ``_scale``). Measured: the chance loss is ≥ 50,
  the run diverged or ended at ≥ 0.2 chance losses, and the same run on the column standardised by hand ends at half
  that or less; the doctor's warning must say to standardise it (annplay standardises a CSV's inputs, never its
  target, so the user rescales the column).
Each case is asked live (after every sample, as the Doctor view is); a healthy or quiet case must stay without a
warning throughout, a sick one must be named in its final diagnosis.  ``--cures`` trains each named sick case again
with its first warning's first fix: the warning must go and the run get better.
"""

from __future__ import annotations

import csv
import math
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from doctor_unseen import Run, diverged, improved, losses, other, test_curve, train, truth  # noqa: E402

from annplay.engine.sharecode import decode  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "datasets"
IRIS, PENGUINS = DATA / "iris.csv", DATA / "penguins.csv"


def _own_csv(name: str, n: int, seed: int, target: Any) -> str:
    """A regression CSV of our own (columns a, b, c uniform on ±2, target y), written once to the temp folder."""
    path = Path(tempfile.gettempdir()) / f"annplay-doctor-unseen2-{name}.csv"
    if not path.exists():
        rng = np.random.default_rng(seed)
        X = rng.uniform(-2, 2, (n, 3))
        y = target(X, rng)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["a", "b", "c", "y"])
            w.writerows([[*map(float, x), float(t)] for x, t in zip(X, y, strict=True)])
        tmp.replace(path)
    return str(path)


# y in the thousands (a price, a mass in grams): half its variance is ~10⁵, and a step of the default rate is huge
BIG = _own_csv("big", 300, 211, lambda X, r: 5000 + 800 * X[:, 0] - 600 * np.sin(X[:, 1]) + r.normal(0, 50, len(X)))
# the same smooth function at unit scale: the healthy twin
UNIT = _own_csv("unit", 300, 212, lambda X, r: X[:, 0] - 0.75 * np.sin(X[:, 1]) + r.normal(0, 0.06, len(X)))
IRIS_PW = {"csv": str(IRIS), "csv_x": ("sepal_length", "sepal_width", "petal_length"), "csv_y": "petal_width"}
IRIS_PL = {"csv": str(IRIS), "csv_x": ("sepal_length", "sepal_width", "petal_width"), "csv_y": "petal_length"}
PENG_FLIP = {"csv": str(PENGUINS), "csv_x": ("bill_length_mm", "bill_depth_mm", "body_mass_g"),
             "csv_y": "flipper_length_mm"}
PENG_SPECIES = {"csv": str(PENGUINS), "csv_x": ("bill_length_mm", "flipper_length_mm"), "csv_y": "species"}
IRIS_SPECIES = {"csv": str(IRIS), "csv_x": ("sepal_length", "sepal_width", "petal_length", "petal_width"),
                "csv_y": "species"}
OWN_BIG = {"csv": BIG, "csv_x": ("a", "b", "c"), "csv_y": "y"}
OWN_UNIT = {"csv": UNIT, "csv_x": ("a", "b", "c"), "csv_y": "y"}

# (label, settings): as in doctor_unseen.py; "quiet" is a run that is only slow or noisy (see the module's text)
CASES: list[tuple[str, dict[str, Any]]] = [
    # --- healthy, of every kind -----------------------------------------------------------------------------
    ("healthy", {"dataset": "circle", "lr": 0.1, "batch_size": 25, "epochs": 500, "seed": 201}),
    ("healthy", {"dataset": "xor", "hidden": (8,), "activation": "relu", "optimizer": "adam", "lr": 0.003,
                 "batch_size": 64, "epochs": 400, "seed": 202}),
    ("healthy", {"dataset": "gauss", "hidden": (2,), "activation": "logistic", "lr": 1.0, "batch_size": 100000,
                 "epochs": 300, "seed": 203}),
    ("healthy", {"dataset": "spiral", "hidden": (24, 24), "optimizer": "adam", "lr": 0.01, "batch_size": 16,
                 "train_ratio": 70, "epochs": 1000, "seed": 204}),
    ("healthy", {"dataset": "moons", "noise": 10, "hidden": (12, 6), "activation": "leaky_relu",
                 "optimizer": "momentum", "lr": 0.03, "batch_size": 8, "epochs": 300, "seed": 205}),
    ("overfitting", {"dataset": "checkerboard", "hidden": (32, 32, 32), "activation": "elu", "optimizer": "adam",
                 "lr": 0.003, "batch_size": 32, "epochs": 1500, "seed": 206}),
    ("healthy", {"dataset": "rings3", "hidden": (12,), "activation": "relu", "lr": 0.1, "batch_size": 5,
                 "epochs": 300, "seed": 207}),
    ("healthy", {"dataset": "blobs", "hidden": (6, 6), "optimizer": "momentum", "nesterov": True, "lr": 0.01,
                 "batch_size": 50, "epochs": 300, "seed": 208}),
    ("healthy", {"dataset": "plane", "hidden": (8,), "activation": "relu", "optimizer": "adam", "lr": 0.01,
                 "epochs": 300, "seed": 209}),
    ("healthy", {"dataset": "multigauss", "hidden": (24,), "optimizer": "adam", "lr": 0.01, "batch_size": 20,
                 "epochs": 800, "seed": 210}),
    ("healthy", {"dataset": "sine", "hidden": (32,), "activation": "elu", "optimizer": "momentum", "lr": 0.01,
                 "batch_size": 16, "epochs": 800, "seed": 211}),
    ("healthy", {"dataset": "reg-maximum", "hidden": (16, 16), "activation": "leaky_relu", "optimizer": "adam",
                 "lr": 0.003, "epochs": 500, "seed": 212}),
    ("healthy", {"dataset": "reg-argmax", "hidden": (32, 16), "activation": "relu", "optimizer": "adam",
                 "lr": 0.003, "epochs": 500, "seed": 213}),
    ("overfitting", {"dataset": "iris", "hidden": (8, 8), "activation": "relu", "optimizer": "adam", "lr": 0.01,
                 "train_ratio": 70, "epochs": 300, "seed": 214}),
    ("healthy", {"dataset": "penguins", "hidden": (6,), "lr": 0.1, "epochs": 500, "seed": 215}),
    ("healthy", {**IRIS_PW, "hidden": (8,), "epochs": 500, "seed": 216}),
    ("healthy", {**IRIS_PL, "hidden": (16,), "activation": "relu", "optimizer": "adam", "lr": 0.01,
                 "epochs": 400, "seed": 217}),
    ("healthy", {**PENG_SPECIES, "hidden": (4,), "optimizer": "adam", "lr": 0.01, "epochs": 300, "seed": 218}),
    ("healthy", {**OWN_UNIT, "hidden": (16, 8), "optimizer": "adam", "lr": 0.01, "epochs": 400, "seed": 219}),
    ("healthy", {**IRIS_SPECIES, "hidden": (), "lr": 0.3, "epochs": 300, "seed": 220}),
    ("healthy", {"dataset": "circle", "hidden": (16, 16), "activation": "relu", "lr": 0.3, "batch_size": 100,
                 "dtype": "float32", "epochs": 300, "seed": 221}),
    ("healthy", {"dataset": "xor", "hidden": (12,) * 5, "activation": "relu", "optimizer": "adam", "lr": 0.001,
                 "epochs": 500, "seed": 222}),
    ("healthy", {"dataset": "moons", "hidden": (8,) * 4, "lr": 0.1, "epochs": 500, "seed": 223}),
    ("healthy", {"dataset": "circle", "hidden": (64,), "activation": "relu", "lr": 0.01, "epochs": 300,
                 "seed": 224}),
    ("healthy", {"dataset": "spiral", "hidden": (64, 64), "activation": "relu", "dropout": 0.3, "optimizer": "adam",
                 "lr": 0.003, "epochs": 1500, "seed": 225}),
    ("healthy", {"dataset": "spiral", "hidden": (16, 16), "activation": "relu", "regularization": "l2",
                 "reg_rate": 0.003, "optimizer": "adam", "lr": 0.01, "epochs": 1000, "seed": 226}),
    ("healthy", {"dataset": "moons", "hidden": (16,), "regularization": "l1", "reg_rate": 0.001, "epochs": 500,
                 "seed": 227}),
    ("healthy", {"dataset": "xor", "features": ("x1x2",), "hidden": (), "lr": 0.1, "epochs": 200, "seed": 228}),
    ("healthy", {"dataset": "checkerboard", "hidden": (16, 16), "activation": "relu", "optimizer": "adam",
                 "lr": 0.01, "patience": 30, "epochs": 3000, "seed": 229}),
    ("healthy", {"dataset": "circle", "hidden": (6,), "trainer": "ga", "population": 64, "epochs": 200,
                 "seed": 230}),
    ("healthy", {"dataset": "xor", "hidden": (4, 4), "trainer": "es", "epochs": 200, "seed": 231}),
    ("healthy", {"dataset": "moons", "hidden": (4,), "activation": "step", "trainer": "ga", "epochs": 200,
                 "seed": 232}),
    ("healthy", {"dataset": "gauss", "seed": 233, "epochs": None, "_until": 2500}),
    ("healthy", {"dataset": "circle", "hidden": (8,), "activation": "relu", "seed": 234, "epochs": None,
                 "_until": 3000}),
    ("healthy", {"dataset": "moons", "points": 5000, "hidden": (16, 16), "activation": "relu", "optimizer": "adam",
                 "lr": 0.003, "batch_size": 128, "epochs": 30, "seed": 235}),
    ("healthy", {"dataset": "circle", "hidden": (8, 8), "train_ratio": 90, "epochs": 300, "seed": 236}),
    ("healthy", {"dataset": "xor", "hidden": (8,), "activation": "relu", "lr": 0.1, "train_ratio": 30,
                 "epochs": 300, "seed": 237}),
    ("healthy", {"dataset": "gauss", "hidden": (4,), "activation": "relu", "lr": 0.01, "batch_size": 2,
                 "epochs": 100, "seed": 238}),
    ("healthy", {"dataset": "rings3", "hidden": (16,), "activation": "logistic", "optimizer": "adam", "lr": 0.003,
                 "epochs": 500, "seed": 239}),
    ("healthy", {"dataset": "blobs", "hidden": (), "lr": 0.1, "epochs": 200, "seed": 240}),
    ("healthy", {"dataset": "multigauss", "hidden": (16, 16, 16), "activation": "relu", "optimizer": "momentum",
                 "lr": 0.003, "epochs": 800, "seed": 241}),
    ("healthy", {"dataset": "spiral", "hidden": (16,) * 4, "activation": "elu", "optimizer": "adam", "lr": 0.003,
                 "batch_size": 32, "epochs": 1000, "seed": 242}),
    ("healthy", {"dataset": "sine", "hidden": (16, 16), "activation": "leaky_relu", "optimizer": "adam",
                 "lr": 0.003, "batch_size": 5, "epochs": 300, "seed": 243}),
    ("healthy", {"dataset": "plane", "hidden": (), "optimizer": "momentum", "lr": 0.01, "epochs": 200,
                 "seed": 244}),
    # --- only slow or noisy: quiet, or an info ---------------------------------------------------------------
    ("quiet", {"dataset": "circle", "lr": 0.003, "epochs": 300, "seed": 250}),
    ("quiet", {"dataset": "spiral", "hidden": (8, 8), "lr": 0.01, "epochs": 1000, "seed": 251}),
    ("quiet", {"dataset": "xor", "hidden": (4,), "activation": "relu", "optimizer": "momentum", "lr": 0.001,
               "epochs": 500, "seed": 252}),
    ("quiet", {"dataset": "sine", "hidden": (8, 8), "optimizer": "adam", "lr": 0.001, "epochs": 300, "seed": 253}),
    ("quiet", {"dataset": "gauss", "noise": 40, "lr": 0.1, "batch_size": 1, "epochs": 100, "seed": 254}),
    ("quiet", {"dataset": "moons", "noise": 40, "hidden": (16, 16), "activation": "relu", "batch_size": 1,
               "epochs": 100, "seed": 255}),
    ("lr_too_high", {"dataset": "circle", "noise": 30, "hidden": (8, 8), "optimizer": "momentum", "lr": 0.1,
               "batch_size": 2, "epochs": 200, "seed": 256}),
    ("quiet", {"dataset": "reg-maximum", "noise": 30, "hidden": (8,), "lr": 0.01, "batch_size": 1, "epochs": 100,
               "seed": 257}),
    ("overfitting", {**IRIS_SPECIES, "hidden": (8,), "lr": 0.3, "batch_size": 1, "epochs": 200, "seed": 258}),
    ("quiet", {"dataset": "multigauss", "hidden": (8,), "lr": 0.01, "epochs": 1000, "seed": 259}),
    ("quiet", {"dataset": "plane", "optimizer": "adam", "lr": 0.0001, "epochs": 300, "seed": 260}),
    ("quiet", {"dataset": "rings3", "hidden": (8, 8), "lr": 0.003, "epochs": 500, "seed": 261}),
    ("quiet", {"dataset": "moons", "noise": 50, "hidden": (4, 2), "activation": "relu", "epochs": 1000,
               "seed": 262}),
    ("quiet", {**PENG_SPECIES, "hidden": (8,), "lr": 0.003, "epochs": 500, "seed": 263}),
    # --- vanishing gradients ----------------------------------------------------------------------------------
    ("underfitting", {"dataset": "gauss", "hidden": (10,) * 6, "activation": "logistic", "lr": 0.3,
                             "batch_size": 50, "epochs": 500, "seed": 265}),
    ("vanishing_gradients", {"dataset": "checkerboard", "hidden": (12,) * 6, "activation": "logistic",
                             "optimizer": "momentum", "lr": 0.003, "epochs": 500, "seed": 266}),
    ("vanishing_gradients", {"dataset": "rings3", "hidden": (6,) * 6, "activation": "logistic", "lr": 0.1,
                             "epochs": 300, "seed": 267}),
    ("vanishing_gradients", {"dataset": "reg-argmax", "hidden": (16,) * 6, "activation": "logistic", "lr": 0.03,
                             "epochs": 300, "seed": 268}),
    ("vanishing_gradients", {"dataset": "spiral", "hidden": (8,) * 5, "activation": "logistic", "lr": 0.3,
                             "batch_size": 100, "dtype": "float32", "epochs": 500, "seed": 269}),
    # --- dying ReLUs --------------------------------------------------------------------------------------------
    ("healthy", {"dataset": "gauss", "hidden": (8, 8), "activation": "relu", "lr": 3.0,
                                "epochs": 200, "seed": 270}),
    ("dead_units|lr_too_high", {"dataset": "spiral", "hidden": (16, 16, 16), "activation": "relu",
                                "optimizer": "momentum", "lr": 0.3, "epochs": 300, "seed": 271}),
    ("healthy", {"dataset": "rings3", "hidden": (16,), "activation": "relu", "optimizer": "adam",
                                "lr": 0.3, "epochs": 300, "seed": 272}),
    ("dead_units|lr_too_high", {"dataset": "moons", "hidden": (4, 4), "activation": "relu", "lr": 1.0,
                                "batch_size": 1, "epochs": 100, "seed": 273}),
    ("dead_units|lr_too_high", {"dataset": "multigauss", "hidden": (8, 8), "activation": "relu",
                                "optimizer": "adam", "lr": 0.1, "epochs": 300, "seed": 274}),
    ("dead_units|lr_too_high", {"dataset": "checkerboard", "hidden": (32,), "activation": "relu", "lr": 2.0,
                                "batch_size": 100000, "epochs": 500, "seed": 275}),
    # --- overfitting (no regularisation, no early stopping) ---------------------------------------------------
    ("overfitting", {"dataset": "gauss", "points": 30, "noise": 40, "hidden": (64, 64), "activation": "relu",
                     "optimizer": "adam", "lr": 0.01, "epochs": 2000, "seed": 276}),
    ("overfitting", {"dataset": "spiral", "points": 60, "noise": 20, "hidden": (64, 64, 64), "optimizer": "adam",
                     "lr": 0.01, "epochs": 2000, "seed": 277}),
    ("overfitting", {"dataset": "rings3", "points": 50, "noise": 30, "hidden": (32, 32), "activation": "relu",
                     "optimizer": "adam", "lr": 0.01, "epochs": 2000, "seed": 278}),
    ("overfitting", {"dataset": "sine", "points": 25, "noise": 30, "hidden": (32, 32), "optimizer": "adam",
                     "lr": 0.01, "epochs": 3000, "seed": 279}),
    ("overfitting", {"dataset": "circle", "points": 40, "noise": 40, "hidden": (32, 32), "activation": "elu",
                     "lr": 0.3, "epochs": 3000, "seed": 280}),
    ("overfitting", {"dataset": "blobs", "points": 40, "noise": 50, "hidden": (32, 32), "optimizer": "adam",
                     "lr": 0.01, "epochs": 2000, "seed": 281}),
    ("healthy", {**IRIS_SPECIES, "train_ratio": 20, "hidden": (64, 64), "activation": "relu",
                     "optimizer": "adam", "lr": 0.01, "epochs": 3000, "seed": 282}),
    # --- a learning rate too high (not diverged) -------------------------------------------------------------
    ("healthy", {"dataset": "gauss", "hidden": (8,), "lr": 10.0, "epochs": 300, "seed": 283}),
    ("lr_too_high|diverged", {"dataset": "circle", "hidden": (16, 16), "activation": "elu",
                              "optimizer": "momentum", "lr": 1.0, "epochs": 300, "seed": 284}),
    ("lr_too_high", {"dataset": "spiral", "hidden": (16, 16), "optimizer": "adam", "lr": 0.3, "epochs": 500,
                     "seed": 285}),
    ("lr_too_high", {"dataset": "checkerboard", "hidden": (8, 8), "lr": 3.0, "epochs": 300, "seed": 286}),
    ("lr_too_high|diverged", {"dataset": "rings3", "hidden": (8,), "optimizer": "momentum", "lr": 0.5,
                              "epochs": 300, "seed": 287}),
    # --- a learning rate too low --------------------------------------------------------------------------------
    ("lr_too_low", {"dataset": "gauss", "batch_size": 100000, "lr": 0.001, "epochs": 300, "seed": 288}),
    ("lr_too_low", {"dataset": "moons", "hidden": (8,), "lr": 0.0001, "batch_size": 100000, "epochs": 500,
                    "seed": 289}),
    ("lr_too_low", {"dataset": "xor", "hidden": (8, 8), "activation": "relu", "optimizer": "momentum",
                    "lr": 0.00001, "epochs": 500, "seed": 290}),
    ("lr_too_low", {"dataset": "rings3", "hidden": (8,), "lr": 0.0001, "epochs": 300, "seed": 291}),
    ("lr_too_low", {"dataset": "plane", "hidden": (4,), "lr": 0.00001, "epochs": 300, "seed": 292}),
    ("lr_too_low", {"dataset": "circle", "hidden": (8, 8), "optimizer": "adam", "lr": 0.00001, "epochs": 300,
                    "seed": 293}),
    # --- underfitting -----------------------------------------------------------------------------------------
    ("underfitting", {"dataset": "spiral", "hidden": (3, 3, 3), "activation": "relu", "epochs": 1000,
                      "seed": 294}),
    ("underfitting", {"dataset": "checkerboard", "hidden": (2, 2), "epochs": 3000, "seed": 295}),
    ("underfitting", {"dataset": "xor", "hidden": (1,), "epochs": 2000, "seed": 296}),
    ("underfitting", {"dataset": "multigauss", "hidden": (3,), "activation": "relu", "epochs": 2000, "seed": 297}),
    ("underfitting", {"dataset": "spiral", "hidden": (16,), "activation": "linear", "epochs": 500, "seed": 298}),
    ("underfitting", {"dataset": "circle", "hidden": (8, 8), "regularization": "l2", "reg_rate": 0.3,
                      "epochs": 1000, "seed": 299}),
    ("underfitting", {"dataset": "sine", "hidden": (16, 16), "regularization": "l1", "reg_rate": 0.1,
                      "epochs": 1000, "seed": 300}),
    ("underfitting", {"dataset": "rings3", "hidden": (2,), "epochs": 3000, "seed": 301}),
    # --- exploding gradients and divergence --------------------------------------------------------------------
    ("exploding_gradients|diverged", {"dataset": "reg-maximum", "hidden": (16,) * 6, "activation": "elu",
                                      "lr": 0.3, "epochs": 300, "seed": 302}),
    ("healthy", {"dataset": "plane", "hidden": (16,) * 5, "activation": "linear",
                                      "lr": 0.03, "epochs": 300, "seed": 303}),
    ("exploding_gradients|diverged", {"dataset": "multigauss", "hidden": (16,) * 6, "activation": "relu",
                                      "lr": 0.3, "epochs": 300, "seed": 304}),
    ("healthy", {"dataset": "reg-argmax", "hidden": (8,) * 4, "activation": "leaky_relu",
                                      "lr": 0.3, "epochs": 300, "seed": 305}),
    ("exploding_gradients|diverged", {"dataset": "xor", "hidden": (32,) * 6, "activation": "elu",
                                      "optimizer": "momentum", "lr": 0.3, "epochs": 300, "seed": 306}),
    ("exploding_gradients|diverged", {"dataset": "sine", "hidden": (32,) * 4, "activation": "relu",
                                      "optimizer": "momentum", "lr": 0.1, "epochs": 300, "seed": 307}),
    # --- a target of a large scale ------------------------------------------------------------------------------
    ("target_scale", {**OWN_BIG, "hidden": (8,), "epochs": 300, "seed": 308, "_scale": True}),
    ("target_scale", {**PENG_FLIP, "hidden": (8, 8), "activation": "relu", "epochs": 300, "seed": 309,
                      "_scale": True}),
    ("healthy", {**OWN_BIG, "hidden": (8,), "lr": 0.001, "epochs": 300, "seed": 312}),   # big targets, a calm rate
    # --- neuroevolution stuck near chance ----------------------------------------------------------------------
    ("underfitting", {"dataset": "spiral", "hidden": (8,), "trainer": "es", "sigma": 10.0, "epochs": 200,
                      "seed": 310}),
    ("underfitting", {"dataset": "checkerboard", "hidden": (2, 2), "activation": "step", "trainer": "ga",
                      "epochs": 200, "seed": 311}),
]


def quiet_truth(run: Run, settings: dict[str, Any]) -> tuple[bool, str]:
    """A run that is only slow or noisy: no divergence, the train loss fell to ≤ 0.9× its first sample, the test loss
    never rose 0.25 chance losses from its best, and a tenth of the rate does not halve the train loss (then the
    rate was too high: not noise)."""
    s = run.session
    if diverged(s):
        return False, "diverged"
    c = s.instruments.chance
    tr, te = losses(s)
    start = s.instruments.samples[0].train_loss
    curve = test_curve(s)
    best = min((t for _, t in curve), default=te)
    rise = (te - best) / c if te is not None and best is not None else 0.0
    calmer = other(settings, lr=settings.get("lr", 0.03) / 10)
    return (tr <= 0.9 * start and rise <= 0.25 and calmer > 0.5 * tr,
            f"train {tr / c:.2f} from {start / c:.2f}, test rise {rise:.2f}, at lr/10 {calmer / c:.2f} (×chance)")


def standardised(path: str, column: str) -> str:
    """A copy of the CSV with ``column`` standardised (mean 0, std 1): the fix the doctor advises, made by hand."""
    out = Path(tempfile.gettempdir()) / f"annplay-doctor-unseen2-std-{Path(path).stem}-{column}.csv"
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    j = rows[0].index(column)
    vals = np.array([float(r[j]) for r in rows[1:] if r[j] not in ("", "NA")])
    mean, std = vals.mean(), vals.std()
    for r in rows[1:]:
        if r[j] not in ("", "NA"):
            r[j] = str(float((float(r[j]) - mean) / std))
    with out.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return str(out)


def scale_truth(run: Run, settings: dict[str, Any]) -> tuple[bool, str]:
    """A regression on targets of a large scale that the scale hurts: the chance loss is ≥ 50 (targets' RMS ≥ 10),
    the run diverged or ended at ≥ 0.2 chance losses, and the same run on the target standardised by hand ends at
    half that or less (in its own chance losses)."""
    s = run.session
    c = s.instruments.chance
    tr, _ = losses(s)
    rel = tr / c if math.isfinite(tr) else math.inf
    twin = train({**settings, "csv": standardised(settings["csv"], settings["csv_y"])}, live=False).session
    t2, _ = losses(twin)
    rel2 = t2 / twin.instruments.chance if math.isfinite(t2) else math.inf
    return (c >= 50 and rel >= 0.2 and rel2 <= 0.5 * rel,
            f"chance {c:.3g}, train {rel:.2f}×chance, standardised {rel2:.2f}×chance")


@dataclass
class Outcome:
    """One case's verdict: the label confirmed by measurement, right or wrong, what the doctor said."""

    label: str
    settings: dict[str, Any]
    confirmed: bool
    numbers: str
    ok: bool
    run: Run
    column: str

    @property
    def primary(self) -> str:
        return self.label.split("|")[0]


def scale_advised(run: Run) -> bool:
    """The doctor's warnings say to standardise (rescale) the target."""
    return any("standardis" in f.message.lower() for f in run.final if f.severity == "warning")


def evaluate(label: str, settings: dict[str, Any]) -> Outcome:
    """Train a case live, confirm its label by measurement and judge the doctor's words."""
    run = train(settings)
    primary = label.split("|")[0]
    if primary == "quiet":
        confirmed, numbers = quiet_truth(run, settings)
    elif settings.get("_scale"):
        confirmed, numbers = scale_truth(run, settings)
    else:
        confirmed, numbers = truth(label, settings, run)
    if primary in ("healthy", "quiet"):
        ok = not run.live
        column = sorted(run.live)[0] if run.live else "none"
    else:
        accept = set(label.split("|"))
        ok = bool(accept & set(run.warnings)) and (not settings.get("_scale") or scale_advised(run))
        column = next((w for w in run.warnings if w in accept), run.warnings[0] if run.warnings else "none")
    return Outcome(label, settings, confirmed, numbers, ok, run, column)


def cure(outcome: Outcome) -> tuple[bool, str]:
    """Train the case's first warning's first fix: (cured, a line saying how)."""
    f = next(x for x in outcome.run.final if x.severity == "warning")
    fix = f.fixes[0]
    settings = outcome.settings
    fixed = {**{k: v for k, v in settings.items() if k.startswith("_") and k != "_scale"}, **dict(decode(fix.code))}
    if "csv" in settings:
        fixed["csv"] = settings["csv"]
    after = train(fixed, live=False)
    gone = f.code not in after.warnings
    better = improved(settings, outcome.run, after, f.code)
    return gone and better, (f"fix {f.code} -> {fix.label}: {'CURED' if gone and better else 'not cured'} "
                             f"(warning {'gone' if gone else 'stays'}, {'better' if better else 'not better'}, "
                             f"left {after.warnings})")


def shown(settings: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in settings.items() if k != "csv"}
    if "csv" in settings:
        out["csv"] = Path(settings["csv"]).name
    return out


def main() -> int:
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    cures = "--cures" in sys.argv
    seeds = int(sys.argv[sys.argv.index("--seeds") + 1]) if "--seeds" in sys.argv else 1
    cases = [(label, {**settings, "seed": settings.get("seed", 0) + 1000 * k}) for k in range(seeds)
             for label, settings in CASES]
    table: dict[str, Counter] = {}
    counts: Counter = Counter()
    for label, settings in cases:
        if only and only not in f"{label} {settings}":
            continue
        o = evaluate(label, settings)
        infos = sorted(f.code for f in o.run.final if f.severity == "info")
        if not o.confirmed:
            counts["unconfirmed"] += 1
            print(f"LABEL? {label:28} {shown(settings)}  {o.numbers}  warn={o.run.warnings} info={infos}")
            continue
        quiet = o.primary in ("healthy", "quiet")
        counts["quiet_total" if quiet else "sick_total"] += 1
        counts["quiet_ok" if quiet else "sick_ok"] += o.ok
        table.setdefault(o.primary, Counter())[o.column] += 1
        line = (f"{'ok ' if o.ok else 'BAD'} {label:28} {shown(settings)} warn={o.run.warnings} "
                f"live={sorted(o.run.live)} info={infos}  [{o.numbers}]")
        if cures and not quiet and o.run.warnings and next(x for x in o.run.final if x.severity == "warning").fixes:
            counts["offered"] += 1
            cured, how = cure(o)
            counts["cured"] += cured
            line += "\n      " + how
        print(line)
        if "-v" in sys.argv or not o.ok:
            for f in o.run.final:
                print("     ", f.code, f.severity, f.message, f.evidence)
    print()
    cols = ["none", "diverged", "exploding_gradients", "vanishing_gradients", "dead_units", "saturated_units",
            "lr_too_high", "lr_too_low", "overfitting", "underfitting", "target_scale"]
    short = {"none": "none", "diverged": "div", "exploding_gradients": "expl", "vanishing_gradients": "vani",
             "dead_units": "dead", "saturated_units": "satu", "lr_too_high": "lrHi", "lr_too_low": "lrLo",
             "overfitting": "over", "underfitting": "undr", "target_scale": "scal"}
    print(f"{'truth / doctor':22}" + "".join(f"{short[c]:>6}" for c in cols))
    for row, got in table.items():
        print(f"{row:22}" + "".join(f"{got.get(c, 0) or '.':>6}" for c in cols))
    print(f"healthy and quiet: {counts['quiet_ok']} of {counts['quiet_total']} without a warning at any sample; "
          f"sick: {counts['sick_ok']} of {counts['sick_total']} named right; {counts['unconfirmed']} labels not "
          f"confirmed (left out)")
    if cures:
        print(f"cures: {counts['cured']} of {counts['offered']} first fixes removed the warning and improved the run")
    return 0 if counts["quiet_ok"] == counts["quiet_total"] and counts["sick_ok"] == counts["sick_total"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
