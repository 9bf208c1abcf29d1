"""Engine speed: full-batch training epochs per second, side by side with PyTorch and scikit-learn.

Workloads (500 points of the `circle` data set, 2,000 epochs, full batch, plain SGD):
  W1: [2, 8, 8, 1]   tanh → logistic
  W2: [2, 32, 32, 1] relu → logistic
PyTorch (CPU, 1 thread, BCE-with-logits) and scikit-learn's MLPClassifier (sgd, batch = all,
no shuffle, tol 0) run in the same process when installed; the ratios are what to read.

    python benchmarks/engine.py [--epochs 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from annplay.engine import MLP, Trainer, make_dataset

WORKLOADS = {
    "W1": ([2, 8, 8, 1], "tanh"),
    "W2": ([2, 32, 32, 1], "relu"),
}
LR = 0.1


def data(dtype: type) -> tuple[np.ndarray, np.ndarray]:
    ds = make_dataset("circle", n=500, seed=0)
    return ds.X.astype(dtype), ds.targets().astype(dtype)


def best_of(repeat: int, run) -> float:
    """Best epochs/s of several runs (the least disturbed by the machine)."""
    return max(run() for _ in range(repeat))


def annplay_speed(layers: list[int], act: str, dtype: type, epochs: int) -> float:
    X, Y = data(dtype)
    net = MLP(layers, [act] * (len(layers) - 2) + ["logistic"], seed=0, dtype=dtype)
    trainer = Trainer(net, X, Y, lr=LR, batch_size=None)
    trainer.step(10, metrics=False)                       # warm up the buffers
    t = time.perf_counter()
    trainer.step(epochs, metrics=False)
    return epochs / (time.perf_counter() - t)


def torch_speed(layers: list[int], act: str, dtype: type, epochs: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    X, Y = data(dtype)
    Xt, Yt = torch.tensor(X.T, dtype=tdtype), torch.tensor(Y.T, dtype=tdtype)
    mods: list = []
    for i, (s, r) in enumerate(zip(layers[:-1], layers[1:])):
        mods.append(torch.nn.Linear(s, r, dtype=tdtype))
        if i < len(layers) - 2:
            mods.append(torch.nn.Tanh() if act == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*mods)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    def epoch() -> None:
        opt.zero_grad()
        loss = loss_fn(model(Xt), Yt)
        loss.backward()
        opt.step()

    for _ in range(10):
        epoch()
    t = time.perf_counter()
    for _ in range(epochs):
        epoch()
    return epochs / (time.perf_counter() - t)


def sklearn_speed(layers: list[int], act: str, dtype: type, epochs: int) -> float | None:
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    X, Y = data(dtype)
    clf = MLPClassifier(hidden_layer_sizes=tuple(layers[1:-1]), activation=act, solver="sgd",
                        batch_size=X.shape[1], shuffle=False, tol=0.0, n_iter_no_change=10**9,
                        max_iter=epochs, learning_rate_init=LR, momentum=0.0, alpha=0.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t = time.perf_counter()
        clf.fit(X.T, Y[0].astype(int))
    return epochs / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'workload':8} {'dtype':8} {'annplay ep/s':>13} {'torch ep/s':>11} {'sklearn ep/s':>13} "
          f"{'× torch':>8} {'× sklearn':>10}")
    for name, (layers, act) in WORKLOADS.items():
        for dtype in (np.float32, np.float64):
            ours = best_of(args.repeat, lambda: annplay_speed(layers, act, dtype, args.epochs))
            torch_eps = best_of(args.repeat, lambda: torch_speed(layers, act, dtype, args.epochs) or 0.0) or None
            sk = best_of(args.repeat, lambda: sklearn_speed(layers, act, dtype, args.epochs) or 0.0) or None
            ratio_t = f"{ours / torch_eps:.1f}" if torch_eps else "–"
            ratio_s = f"{ours / sk:.1f}" if sk else "–"
            print(f"{name:8} {np.dtype(dtype).name:8} {ours:13,.0f} {torch_eps or 0:11,.0f} {sk or 0:13,.0f} "
                  f"{ratio_t:>8} {ratio_s:>10}")


if __name__ == "__main__":
    main()
