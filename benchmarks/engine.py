"""Engine speed and memory, side by side in one run: the hand-tuned loop, PyTorch and scikit-learn.

Workloads (500 points of the `circle` data set, plain SGD, lr 0.1, one BLAS thread for everyone; JAX and XLA
on one thread too):
  W1: [2, 8, 8, 1]   tanh → logistic
  W2: [2, 32, 32, 1] relu → logistic
each in float32 and float64, full batch and batch 10.  Contenders: `Trainer.step` (no loss
recorded), `MLP.fit` (loss recorded every epoch, as scikit-learn does), `benchmarks/handloop.py`,
JAX (optional: a whole epoch in one jitted ``lax.scan``, called per epoch; and ``jaxloop``, a call's epochs in
one jitted ``fori_loop``, the compiled bound: no Python between epochs; skipped without jax), PyTorch (1 thread,
BCE-with-logits, a hand-written batch loop) and scikit-learn's MLPClassifier (both optional too).
Every timed call trains from the same initial weights (the hand loop and scikit-learn build theirs, the
others reset theirs), so all contenders run the same stretch of training: late in a run float32 outputs
saturate and some calls slow down.  A call's time is its CPU time, capped by its wall time (see ``timed``).
Epochs per call are set to ~``--seconds`` (0.2 s: enough work that the timer and a call's fixed cost, such as
fit building its trainer, weigh little) in two passes.  Rounds are interleaved, the contenders compared with
each other next to each other (hand, step, fit, JAX), every other round in reverse order; a ratio is given as
min–max (and median) over rounds of the two contenders' times in the same round (measured moments apart, so a
busy machine hurts both alike); times shown are best rounds.
The VM is noisy (its speed swings 2× within a minute): the load (``uptime``) before and after, the CPU time the
hypervisor stole meanwhile, and the share of the wall time this process got the CPU are printed with the
table.  Pin the run to one core to disturb others less (``taskset -c 1``); the CPUs it may use are printed too.
Peak memory: n = 500,000, W2 float32, full batch, each library in its own subprocess; the figure is
the peak RSS above the RSS once the library is imported and the data made.

    python benchmarks/engine.py [--rounds 9] [--seconds 0.2] [--no-memory] [--json]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")  # 1 thread

import handloop  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from annplay.engine import MLP, Trainer, make_dataset  # noqa: E402

WORKLOADS = {"W1": (8, "tanh"), "W2": (32, "relu")}
LR = 0.1
TARGETS = ("targets: fit ≥ step ≥ 1.0× hand loop; ≥ 0.8× the JAX scan at batch 10 (called per epoch; jaxloop, "
           "its epochs compiled into one loop, has no target); fit W1 float32 ≥ 5× scikit-learn; ≥ 10× PyTorch; "
           "memory ≤ 1.1× PyTorch.  Ratios: min–max (median) over rounds, > 1 = annplay faster")


def data(dtype: type, n: int = 500) -> tuple[np.ndarray, np.ndarray]:
    ds = make_dataset("circle", n=n, seed=0)
    return np.ascontiguousarray(ds.X, dtype=dtype), np.ascontiguousarray(ds.targets(), dtype=dtype)


def timed(run: Callable[[int], None], epochs: int) -> float:
    """Seconds per epoch of one call: the process's CPU time, or the wall time if that is shorter.

    CPU time leaves out the moments other processes hold this core (on the shared VM a run may get only 60 %
    of it, in bursts that would land on one contender and not the other); the wall time caps it, so a
    contender whose threads run in parallel is not charged for them.  On an idle core the two agree.
    """
    t, c = time.perf_counter(), time.process_time()
    run(epochs)
    return min(time.process_time() - c, time.perf_counter() - t) / epochs


def annplay_runner(h: int, act: str, dtype: type, batch: int | None, fit: bool) -> Callable[[int], None]:
    X, Y = data(dtype)
    net = MLP([2, h, h, 1], [act, act, "logistic"], seed=0, dtype=dtype)
    trainer = Trainer(net, X, Y, lr=LR, batch_size=batch)
    trainer.step(1, metrics=False)                               # builds the kernel

    def run(k: int) -> None:
        net.initialize(seed=0)                                   # every call from the same start (in place)
        if fit:
            net.fit(X, Y, k, LR, batch_size=batch)
            state = net.last_trainer.state
        else:
            trainer.step(k, metrics=False)
            state = trainer.state
        if state != "running":                                   # a stopped run would time nothing
            raise RuntimeError(f"annplay's run is {state}, not running")
    return run


def hand_runner(h: int, act: str, dtype: type, batch: int | None) -> Callable[[int], None]:
    X, Y = data(dtype)

    def run(k: int) -> None:
        handloop.train(X, Y, h, act, k, LR, batch)
    return run


def torch_runner(h: int, act: str, dtype: type, batch: int | None) -> Callable[[int], None] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    X, Y = data(dtype)
    Xt, Yt = torch.tensor(X.T, dtype=tdtype), torch.tensor(Y.T, dtype=tdtype)
    g = torch.nn.Tanh if act == "tanh" else torch.nn.ReLU
    model = torch.nn.Sequential(torch.nn.Linear(2, h, dtype=tdtype), g(), torch.nn.Linear(h, h, dtype=tdtype), g(),
                                torch.nn.Linear(h, 1, dtype=tdtype))
    loss_fn, opt = torch.nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=LR)
    n = Xt.shape[0]
    start = copy.deepcopy(model.state_dict())

    def run(k: int) -> None:
        model.load_state_dict(start)                          # every call from the same start
        for _ in range(k):
            if batch is None:
                batches = [(Xt, Yt)]
            else:
                perm = torch.randperm(n)
                Xs, Ys = Xt[perm], Yt[perm]
                batches = [(Xs[s:s + batch], Ys[s:s + batch]) for s in range(0, n, batch)]
            for xb, yb in batches:
                opt.zero_grad()
                loss_fn(model(xb), yb).backward()
                opt.step()
    return run


def jax_runner(h: int, act: str, dtype: type, batch: int | None,
               fused: bool = False) -> Callable[[int], None] | None:
    """The compiled anchor: a whole epoch (shuffle and every mini-batch's SGD step) in one jitted ``lax.scan``,
    called once per epoch from Python as a JAX training script does; ``fused``: a call's k epochs in one jitted
    ``lax.fori_loop`` (no Python between epochs, as one ``Trainer.step(k)`` call), the fair bound on JAX's speed."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)              # float64 rows need it; float32 arrays stay float32
    X, Y = data(dtype)
    Xr, Yr = jnp.asarray(X.T), jnp.asarray(Y.T)            # one instance per row, as JAX code is written
    n = X.shape[1]
    b = batch or n
    g = jnp.tanh if act == "tanh" else jax.nn.relu
    rng = np.random.default_rng(0)
    sizes = [(2, h), (h, h), (h, 1)]
    params = [(jnp.asarray(rng.uniform(-0.5, 0.5, s).astype(dtype)), jnp.zeros(s[1], dtype)) for s in sizes]

    def loss(p: list, xb: jax.Array, yb: jax.Array) -> jax.Array:
        z = xb
        for W, c in p[:-1]:
            z = g(z @ W + c)
        z = z @ p[-1][0] + p[-1][1]
        return jnp.mean(jax.nn.softplus(z) - yb * z)       # BCE from the logits

    grad = jax.grad(loss)

    def sgd(p: list, xy: tuple) -> tuple[list, None]:
        d = grad(p, *xy)
        return jax.tree_util.tree_map(lambda a, da: a - LR * da, p, d), None

    def epoch(p: list, key: jax.Array) -> list:
        if b < n:
            perm = jax.random.permutation(key, n)
            xs, ys = Xr[perm], Yr[perm]
        else:
            xs, ys = Xr, Yr
        batches = (xs[: n // b * b].reshape(n // b, b, -1), ys[: n // b * b].reshape(n // b, b, -1))
        return jax.lax.scan(sgd, p, batches)[0]

    state = {"p": params, "key": jax.random.PRNGKey(0)}
    one = jax.jit(epoch)

    @jax.jit
    def epochs(p: list, key: jax.Array, k: jax.Array) -> list:        # k traced: compiled once for every k
        return jax.lax.fori_loop(0, k, lambda i, q: epoch(q, jax.random.fold_in(key, i)), p)

    def run(k: int) -> None:
        p, key = params, state["key"]                           # every call from the same start
        if fused:
            key, sub = jax.random.split(key)
            p = epochs(p, sub, k)
        else:
            for _ in range(k):
                key, sub = jax.random.split(key)
                p = one(p, sub)
        jax.block_until_ready(p)
        state["p"], state["key"] = p, key
    run(1)                                                  # compile outside the timing
    return run


def sklearn_runner(h: int, act: str, dtype: type, batch: int | None) -> Callable[[int], None] | None:
    try:
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    X, Y = data(dtype)

    def run(k: int) -> None:
        clf = MLPClassifier(hidden_layer_sizes=(h, h), activation=act, solver="sgd", batch_size=batch or X.shape[1],
                            shuffle=batch is not None, tol=0.0, n_iter_no_change=10**9, max_iter=k,
                            learning_rate_init=LR, momentum=0.0, alpha=0.0, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(X.T, Y[0].astype(int))
    return run


def paired_ratio(t: dict[str, np.ndarray], slow: str, fast: str) -> tuple[float, float, float]:
    """(min, max, median) over rounds of slow/fast, both timed moments apart in the same round (same load)."""
    if slow not in t or fast not in t:
        return (float("nan"), float("nan"), float("nan"))
    r = t[slow] / t[fast]
    return (round(float(r.min()), 2), round(float(r.max()), 2), round(float(np.median(r)), 2))


def speed(rounds: int, seconds: float) -> list[dict]:
    rows = []
    for name, (h, act) in WORKLOADS.items():
        for dtype in (np.float32, np.float64):
            for batch in (None, 10):
                runners = {"hand": hand_runner(h, act, dtype, batch),          # compared ones next to each other
                           "step": annplay_runner(h, act, dtype, batch, fit=False),
                           "fit": annplay_runner(h, act, dtype, batch, fit=True),
                           "jax": jax_runner(h, act, dtype, batch),
                           "jaxloop": jax_runner(h, act, dtype, batch, fused=True),
                           "torch": torch_runner(h, act, dtype, batch),
                           "sklearn": sklearn_runner(h, act, dtype, batch)}
                runners = {k: v for k, v in runners.items() if v is not None}
                epochs = {k: max(2, int(seconds / max(timed(v, 2), 1e-7))) for k, v in runners.items()}
                # again at that length: a call's fixed cost (fit builds its trainer) weighs little in a long call
                epochs = {k: max(2, int(seconds / max(timed(v, epochs[k]), 1e-7))) for k, v in runners.items()}
                times: dict[str, list[float]] = {k: [] for k in runners}
                order = list(runners)
                for r in range(rounds):               # every other round in reverse, so no one always goes first
                    for key in (order if r % 2 == 0 else order[::-1]):
                        times[key].append(timed(runners[key], epochs[key]))
                t = {k: np.array(v) for k, v in times.items()}
                ratio = partial(paired_ratio, t)
                rows.append({"workload": name, "dtype": np.dtype(dtype).name, "batch": batch or "full",
                             **{f"{k} µs/epoch": round(float(v.min()) * 1e6, 1) for k, v in t.items()},
                             **{f"{k} epochs/call": e for k, e in epochs.items()},
                             "step/hand": ratio("hand", "step"), "fit/hand": ratio("hand", "fit"),
                             "fit/step": ratio("step", "fit"), "step/jax": ratio("jax", "step"),
                             "fit/jax": ratio("jax", "fit"), "step/jaxloop": ratio("jaxloop", "step"),
                             "step/torch": ratio("torch", "step"),
                             "fit/sklearn": ratio("sklearn", "fit")})
    return rows


MEMORY_CODE = r"""
import sys, json, numpy as np
lib, n = sys.argv[1], 500_000
from threadpoolctl import threadpool_limits
threadpool_limits(1)
rng = np.random.default_rng(0)
X = rng.normal(size=(2, n)).astype(np.float32)
Y = (X[0] * X[1] > 0).astype(np.float32).reshape(1, n)
def status(key):                       # VmHWM, not ru_maxrss: that one inherits the parent's peak across exec
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(key)) / 1024
def rss():
    return status("VmRSS")
if lib == "annplay":
    from annplay.engine import MLP, Trainer
    net = MLP([2, 32, 32, 1], "relu", dtype=np.float32, seed=0)
    base = rss()
    t = Trainer(net, X, Y, lr=0.1)
    t.step(3)
else:
    import torch
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 1))
    Xt, Yt = torch.from_numpy(X.T.copy()), torch.from_numpy(Y.T.copy())
    opt, loss_fn = torch.optim.SGD(model.parameters(), lr=0.1), torch.nn.BCEWithLogitsLoss()
    base = rss()
    for _ in range(3):
        opt.zero_grad()
        loss_fn(model(Xt), Yt).backward()
        opt.step()
peak = status("VmHWM")
print(json.dumps({"peak": peak, "above": peak - base}))
"""


def memory() -> dict[str, dict[str, float]]:
    out = {}
    for lib in ("annplay", "torch"):
        proc = subprocess.run([sys.executable, "-c", MEMORY_CODE, lib], capture_output=True, text=True, timeout=600)
        if proc.returncode == 0:
            out[lib] = json.loads(proc.stdout)
    return out


def load() -> str:
    """The 1-, 5- and 15-minute load averages, as ``uptime`` prints them."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_ticks() -> tuple[int, int]:
    """(all, stolen) CPU ticks of the machine so far, from /proc/stat (0, 0 where there is none)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return sum(fields[:8]), (fields[7] if len(fields) > 7 else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=0.2, help="length of one timed call per contender")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    before, ticks, wall, cpu = load(), cpu_ticks(), time.perf_counter(), time.process_time()
    with threadpool_limits(1):
        rows = speed(args.rounds, args.seconds)
    after, ticks_after = load(), cpu_ticks()
    got = (time.process_time() - cpu) / (time.perf_counter() - wall)   # < 1: other processes took our core
    total = ticks_after[0] - ticks[0]
    steal = 100.0 * (ticks_after[1] - ticks[1]) / total if total > 0 else float("nan")
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    mem = {} if args.no_memory else memory()
    if args.json:
        print(json.dumps({"speed": rows, "memory": mem, "load_before": before, "load_after": after,
                          "steal_percent": round(steal, 1), "cpu_per_wall": round(got, 3), "cpus": cpus,
                          "rounds": args.rounds,
                          "seconds": args.seconds}))
        return
    print(TARGETS)
    print(f"load average (1, 5, 15 min) before: {before}, after: {after};  stolen CPU time: {steal:.1f} %;  "
          f"CPU time / wall time of this run: {got:.2f};  rounds: {args.rounds} of ~{args.seconds:g} s per contender;  "
          f"CPUs: {cpus} of {os.cpu_count()}")
    keys = ("step/hand", "fit/hand", "fit/step", "step/jax", "fit/jax", "step/jaxloop", "step/torch", "fit/sklearn")
    print("ratios over rounds, min–max (median):")
    print(f"{'work':4} {'dtype':7} {'batch':5} " + " ".join(f"{k:>19}" for k in keys))
    for r in rows:
        cells = " ".join(f"{f'{r[k][0]:.2f}–{r[k][1]:.2f} ({r[k][2]:.2f})':>19}" for k in keys)
        print(f"{r['workload']:4} {r['dtype']:7} {r['batch']!s:5} {cells}")
    names = ("step", "fit", "hand", "jax", "jaxloop", "torch", "sklearn")
    print("µs per epoch, best round:")
    print(f"{'work':4} {'dtype':7} {'batch':5} " + " ".join(f"{k:>9}" for k in names))
    for r in rows:
        cells = " ".join(f"{r.get(f'{k} µs/epoch', float('nan')):9.1f}" for k in names)
        print(f"{r['workload']:4} {r['dtype']:7} {r['batch']!s:5} {cells}")
    if mem:
        line = ", ".join(f"{k}: peak {v['peak']:.0f} MiB, {v['above']:.0f} MiB above baseline" for k, v in mem.items())
        print(f"memory, n=500,000 W2 float32 full batch: {line}")
        if "torch" in mem and "annplay" in mem:
            print(f"  annplay/torch above baseline: {mem['annplay']['above'] / mem['torch']['above']:.2f}")


if __name__ == "__main__":
    main()
