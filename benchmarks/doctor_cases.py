"""Set-ups the doctor was calibrated on: healthy ones (no warning allowed) and sick ones (expected codes).

``python benchmarks/doctor_cases.py [--seeds N] [-v]`` trains each through a Session (as ``annplay train``
does) and prints its warnings and infos, with the key numbers, so that the thresholds in engine/diagnosis.py
can be checked.
"""

from __future__ import annotations

import sys
import time

from annplay.core.session import Session
from annplay.engine.setup import Setup

# The cases were calibrated on the old first set-up (spiral, 8-8): a case that names no data set or layers
# runs on it, so that a change of the app's defaults doesn't change what a case means.
CALIBRATION_BASE = {"dataset": "spiral", "hidden": (8, 8)}
# (set-up settings, expected warning codes: () for healthy)
HEALTHY: list[dict] = [
    {"epochs": 300}, {"epochs": 1000, "seed": 1}, {"dataset": "xor", "epochs": 300},
    {"dataset": "circle", "epochs": 300}, {"dataset": "gauss", "epochs": 300},
    {"dataset": "circle", "activation": "relu", "epochs": 300},
    {"dataset": "xor", "activation": "relu", "lr": 0.1, "epochs": 300},
    {"dataset": "spiral", "activation": "relu", "hidden": (16, 16), "epochs": 500, "seed": 3},
    {"dataset": "circle", "optimizer": "adam", "lr": 0.01, "epochs": 300},
    {"dataset": "spiral", "optimizer": "adam", "lr": 0.01, "epochs": 500},
    {"dataset": "spiral", "optimizer": "momentum", "lr": 0.01, "epochs": 500},
    {"dataset": "xor", "batch_size": 1, "epochs": 100},
    {"dataset": "circle", "batch_size": 256, "lr": 0.3, "epochs": 1000},
    {"dataset": "spiral", "hidden": (8, 8, 8, 8), "epochs": 500},
    {"dataset": "circle", "activation": "logistic", "lr": 0.3, "epochs": 500},
    {"dataset": "xor", "activation": "elu", "epochs": 300},
    {"dataset": "circle", "activation": "leaky_relu", "epochs": 300},
    {"dataset": "xor", "trainer": "es", "epochs": 100}, {"dataset": "xor", "trainer": "ga", "epochs": 100},
    {"dataset": "circle", "trainer": "ga", "activation": "step", "epochs": 100},
    {"dataset": "iris", "lr": 0.1, "epochs": 500},
    {"dataset": "spiral", "noise": 30, "epochs": 300},
    {"dataset": "circle", "dtype": "float32", "epochs": 300},
    {"dataset": "spiral", "epochs": 100, "seed": 5},
    {"dataset": "circle", "epochs": 20},
    {"dataset": "circle", "features": ("x1", "x2", "x1sq", "x2sq"), "hidden": (), "epochs": 300},
    {"dataset": "moons", "epochs": 300}, {"dataset": "checkerboard", "hidden": (16, 16), "epochs": 500},
    {"dataset": "rings3", "epochs": 300}, {"dataset": "blobs", "epochs": 300},
    {"dataset": "plane", "epochs": 300}, {"dataset": "multigauss", "epochs": 300},
    {"dataset": "sine", "epochs": 300}, {"dataset": "reg-maximum", "epochs": 300},
    {"dataset": "reg-argmax", "epochs": 300}, {"dataset": "penguins", "epochs": 300},
    {"dataset": "spiral", "hidden": (8,) * 6, "activation": "relu", "epochs": 300},
    {"dataset": "spiral", "lr": 0.1, "epochs": 300}, {"dataset": "circle", "lr": 0.3, "epochs": 300},
    {"dataset": "spiral", "epochs": 2000},
    {"dataset": "xor", "optimizer": "adam", "lr": 0.001, "epochs": 300},
    {"dataset": "circle", "lr": 0.003, "epochs": 300},
    {"dataset": "spiral", "regularization": "l2", "reg_rate": 0.001, "epochs": 1000},
    {"dataset": "circle", "dropout": 0.2, "epochs": 300},
    {"dataset": "gauss", "trainer": "es", "epochs": 50},
    {"dataset": "spiral", "patience": 50, "epochs": 3000},
    {"dataset": "circle", "trainer": "ga", "activation": "step", "population": 60, "sigma": 0.2, "epochs": 100},
    {"dataset": "xor", "hidden": (4,), "lr": 0.1, "epochs": 300},
    {"dataset": "spiral", "epochs": 2000, "batch_size": 10},
    # today's first set-up (circle 4-2) and the noisiest data TF Playground offers, on the small nets
    {"dataset": "circle", "hidden": (4, 2), "epochs": 300}, {"dataset": "circle", "hidden": (4, 2), "epochs": 3000},
    {"dataset": "moons", "noise": 50, "hidden": (4, 2), "epochs": 3000},
    {"dataset": "circle", "noise": 50, "hidden": (4, 2), "epochs": 3000},
    {"dataset": "gauss", "noise": 50, "hidden": (4, 2), "epochs": 3000},
    {"dataset": "sine", "points": 200, "hidden": (8, 8), "epochs": 2000},
]
SICK: list[tuple[dict, tuple[str, ...]]] = [
    ({"dataset": "spiral", "hidden": (8,) * 6, "activation": "logistic", "epochs": 300}, ("vanishing_gradients",)),
    ({"dataset": "circle", "hidden": (8, 8), "activation": "relu", "lr": 2.0, "epochs": 300}, ("dead_units",)),
    ({"dataset": "spiral", "epochs": 5000}, ("overfitting",)),
    ({"dataset": "circle", "hidden": (6, 6, 6), "activation": "relu", "lr": 1.0, "seed": 2, "epochs": 200},
     ("dead_units",)),
    ({"dataset": "spiral", "lr": 10.0, "epochs": 300}, ("lr_too_high",)),
    ({"dataset": "circle", "lr": 0.00001, "epochs": 300}, ("lr_too_low",)),
    ({"dataset": "xor", "lr": 10.0, "activation": "relu", "epochs": 200}, ("dead_units", "lr_too_high")),
    ({"dataset": "xor", "hidden": (), "epochs": 300}, ("underfitting",)),
    ({"dataset": "spiral", "regularization": "l2", "reg_rate": 0.01, "epochs": 1000}, ("underfitting",)),
    ({"dataset": "circle", "noise": 40, "train_ratio": 10, "hidden": (8, 8, 8), "lr": 0.1, "epochs": 1000},
     ("overfitting",)),
    ({"dataset": "sine", "lr": 1.0, "epochs": 200}, ("diverged", "exploding_gradients")),
    ({"dataset": "xor", "hidden": (8, 8), "activation": "relu", "lr": 3.0, "epochs": 300},
     ("dead_units", "lr_too_high")),
    ({"dataset": "reg-maximum", "lr": 3.0, "epochs": 200}, ("diverged",)),
    ({"dataset": "spiral", "optimizer": "adam", "lr": 0.3, "epochs": 300}, ("lr_too_high",)),
    ({"dataset": "spiral", "activation": "logistic", "lr": 3.0, "epochs": 300}, ("lr_too_high",)),
    ({"dataset": "spiral", "optimizer": "momentum", "lr": 1.0, "epochs": 300}, ("lr_too_high",)),
    ({"dataset": "circle", "activation": "tanh", "lr": 3.0, "epochs": 300}, ("lr_too_high",)),
    ({"dataset": "spiral", "hidden": (8,) * 6, "activation": "linear", "lr": 0.1, "epochs": 300}, ("underfitting",)),
    # found on today's small first net: dead ReLUs in a 2-unit layer, a levelled-off spiral, memorised sine
    ({"dataset": "circle", "hidden": (4, 2), "activation": "relu", "epochs": 300}, ("dead_units",)),
    ({"dataset": "spiral", "hidden": (4, 2), "epochs": 5000}, ("underfitting",)),
    ({"dataset": "checkerboard", "hidden": (4, 2), "epochs": 2000}, ("underfitting",)),
    ({"dataset": "sine", "points": 20, "hidden": (32, 32), "epochs": 5000}, ("overfitting",)),
    ({"dataset": "sine", "points": 15, "hidden": (16, 16), "epochs": 3000}, ("overfitting",)),
]


def run(settings: dict) -> tuple[list, float]:
    session = Session(Setup(**{**CALIBRATION_BASE, **settings}))
    t = time.perf_counter()
    while not session.done():
        session.run_for(1.0, metrics=False)
    return session.diagnosis(), time.perf_counter() - t


def main() -> int:
    bad = 0
    seeds = int(sys.argv[sys.argv.index("--seeds") + 1]) if "--seeds" in sys.argv else 1
    cases = [(h, ()) for h in HEALTHY] + SICK
    cases = [({**settings, "seed": settings.get("seed", 0) + k}, expect) for k in range(seeds) for settings, expect
             in cases]
    for settings, expect in cases:
        found, secs = run(settings)
        warn = sorted(f.code for f in found if f.severity == "warning")
        info = sorted(f.code for f in found if f.severity == "info")
        ok = set(expect) <= set(warn) and (bool(expect) or not warn)
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {settings} warn={warn} info={info} ({secs:.1f}s)")
        if not ok or "-v" in sys.argv:
            for f in found:
                print("     ", f.code, f.severity, f.evidence)
    print(f"{bad} wrong")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
