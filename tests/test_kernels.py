"""The fast kernel against the generic path: the same weights to 1e-12 in float64 over 50 epochs.

Every activation the kernel covers × every optimizer × every penalty, full batch and mini-batch
(with a shorter last batch), and every output/loss pairing it covers; plus chunked full batches,
recorded losses and what is left to the generic path.
"""

from __future__ import annotations

import numpy as np
import pytest

from annplay.engine import MLP, Trainer
from annplay.engine import kernels as kernels_module
from annplay.engine.activations import ACTIVATIONS, ActivationSpec
from annplay.engine.kernels import not_covered

HIDDEN = [name for name, spec in ACTIVATIONS.items() if spec.trainable_by_backprop and not spec.output_only]
OPTIMIZERS = [("sgd", {}), ("momentum", {"beta": 0.8}), ("momentum", {"nesterov": True}),
              ("adam", {}), ("adam", {"eps_style": "keras", "eps": 1e-4})]
PENALTIES = [{}, {"l1": 1e-3}, {"l2": 1e-2}, {"l1": 1e-3, "l2": 1e-2}]
OUTPUTS = [("logistic", "bce"), ("softmax", "cross_entropy"), ("linear", "mse"), ("tanh", "mse"),
           ("logistic", "mse")]
EPOCHS = 50


def data(out: str, loss: str, n: int = 23, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, n))
    if loss == "cross_entropy":
        labels = (X[0] > 0).astype(int) + (X[1] > 0.5)
        return X, np.eye(3)[labels].T, 3
    if loss == "bce" or out == "logistic":
        return X, (X[0] * X[1] > 0).astype(float).reshape(1, n), 1
    return X, np.tanh(X[:1] - 0.5 * X[2:]), 1


def twin_runs(hidden: str, out: str, loss: str, optimizer: str, hyper: dict, batch: int | None,
              lr: float = 0.05, **penalty: float) -> tuple[Trainer, Trainer]:
    X, Y, r = data(out, loss)
    runs = []
    for use_kernel in (True, False):
        net = MLP([3, 5, 4, r], [hidden, hidden, out], loss=loss, seed=3)
        t = Trainer(net, X, Y, lr=lr, batch_size=batch, optimizer=optimizer, optimizer_options=hyper,
                    seed=7, **penalty)
        t.use_kernel = use_kernel
        t.record = {"loss": [], "val_loss": []}
        t.step(EPOCHS, metrics=False)
        runs.append(t)
    assert runs[0]._kernel is not None and runs[1]._kernel is None      # both paths really ran
    return runs[0], runs[1]


def assert_same(fast: Trainer, slow: Trainer) -> None:
    assert fast.state == slow.state == "running" and fast.epoch == slow.epoch == EPOCHS
    np.testing.assert_allclose(fast.net.get_flat(), slow.net.get_flat(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.record["loss"], slow.record["loss"], rtol=1e-12, atol=1e-14)
    assert len(fast.record["loss"]) == EPOCHS


@pytest.mark.parametrize("penalty", PENALTIES, ids=lambda p: "+".join(p) or "none")
@pytest.mark.parametrize("optimizer,hyper", OPTIMIZERS, ids=lambda o: str(o))
@pytest.mark.parametrize("hidden", HIDDEN)
def test_kernel_equals_generic_path_for_every_activation_optimizer_and_penalty(
        hidden: str, optimizer: str, hyper: dict, penalty: dict) -> None:
    for batch in (None, 6):                      # 23 = 3·6 + 5: the last batch is shorter
        assert_same(*twin_runs(hidden, "logistic", "bce", optimizer, hyper, batch, **penalty))


@pytest.mark.parametrize("out,loss", OUTPUTS)
@pytest.mark.parametrize("optimizer,hyper", OPTIMIZERS, ids=lambda o: str(o))
def test_kernel_equals_generic_path_for_every_output_and_loss(out: str, loss: str, optimizer: str,
                                                             hyper: dict) -> None:
    for batch in (None, 5):
        assert_same(*twin_runs("tanh", out, loss, optimizer, hyper, batch, l2=1e-3))


def test_activation_parameters_are_honoured() -> None:
    for hidden in (("leaky_relu", {"slope": 0.3}), ("elu", {"alpha": 0.5})):
        X, Y, _ = data("logistic", "bce")
        runs = []
        for use_kernel in (True, False):
            net = MLP([3, 6, 1], [hidden, "logistic"], seed=1)
            t = Trainer(net, X, Y, lr=0.1, seed=0)
            t.use_kernel = use_kernel
            t.step(EPOCHS)
            runs.append(net.get_flat())
        np.testing.assert_allclose(runs[0], runs[1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("out,loss", [("logistic", "bce"), ("softmax", "cross_entropy")])
def test_a_chunked_full_batch_equals_one_piece(monkeypatch: pytest.MonkeyPatch, out: str, loss: str) -> None:
    X, Y, r = data(out, loss, n=50)
    results = []
    for chunk_bytes in (kernels_module.CHUNK_BYTES, 8 * 8 * 11 if r == 1 else 8 * 17 * 7):  # 9 or 7 columns a chunk
        monkeypatch.setattr(kernels_module, "CHUNK_BYTES", chunk_bytes)
        net = MLP([3, 2, r], ["tanh", out], loss=loss, seed=0)
        t = Trainer(net, X, Y, lr=0.3, optimizer="momentum")
        t.record = {"loss": [], "val_loss": []}
        t.step(EPOCHS, metrics=False)
        assert t._kernel is not None
        chunks = len(t._kernel[1].groups[0][0])
        assert chunks == 1 or len(t._kernel[1]._runs) == 2           # chunks of one width, then a narrower one
        results.append((net.get_flat(), t.record["loss"], chunks))
    assert results[0][2] == 1 and results[1][2] > 5
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_fit_runs_on_the_kernel_and_records_the_loss_before_each_update() -> None:
    X, Y, _ = data("logistic", "bce")
    net = MLP([3, 4, 1], "tanh", seed=0)
    start = net.loss(X, Y)
    history = net.fit(X, Y, 3, 0.5)
    assert net.last_trainer._kernel is not None
    assert history["loss"][0] == pytest.approx(start, rel=1e-12)


def test_what_the_kernel_leaves_to_the_generic_path() -> None:
    assert not_covered(MLP([2, 3, 1], "tanh"), dropout=0.2) == "dropout"
    assert not_covered(MLP([2, 3, 2], ["tanh", "softmax"], loss="mse"), 0.0) == "output activation softmax with mse"
    assert "leaky_relu" in str(not_covered(MLP([2, 3, 1], [("leaky_relu", {"slope": -1.0}), "logistic"]), 0.0))
    assert not_covered(MLP([2, 3, 1], "elu"), 0.0) is None


# --- BLAS threads -----------------------------------------------------------------------------------------

def test_importing_annplay_leaves_the_environment_alone() -> None:
    import subprocess
    import sys
    code = ("import os; before = dict(os.environ); import annplay, annplay.engine; "
            "assert dict(os.environ) == before, set(os.environ) ^ set(before); print('ok')")
    env = {k: v for k, v in __import__("os").environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def test_blas_threads_limits_inside_the_block_and_restores() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from annplay.engine.threads import blas_threads

    def blas() -> list[int]:
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    before = blas()
    with blas_threads(1):
        assert blas() and set(blas()) == {1}
    assert blas() == before


def test_blas_threads_is_a_no_op_without_threadpoolctl(monkeypatch: pytest.MonkeyPatch) -> None:
    from annplay.engine import threads
    monkeypatch.setattr(threads, "_controller", False)
    with threads.blas_threads(1):
        pass
    assert threads.suggested_threads([2, 8, 1], 500) == 1
    assert threads.suggested_threads([2, 256, 1], 100_000) >= 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_recorded_loss_survives_logits_whose_exp_overflows(dtype) -> None:
    X, Y, _ = data("logistic", "bce")
    net = MLP([3, 4, 1], "tanh", seed=0, dtype=dtype)
    net.biases[1] = [[800.0]]                        # exp(800) overflows float64 too; the loss is ≈ 800·P(y = 0)
    start = net.loss(X, Y)
    history = net.fit(X, Y, 1, 1e-9)
    assert net.last_trainer.state == "running"
    assert history["loss"][0] == pytest.approx(start, rel=1e-6) and 100 < start < 1e6


def test_every_trainable_activation_runs_on_the_kernel() -> None:
    for name in HIDDEN:
        net = MLP([3, 4, 1], [name, "logistic"], seed=0)
        assert not_covered(net, 0.0) is None, name
        X, Y, _ = data("logistic", "bce")
        t = Trainer(net, X, Y, lr=0.1, batch_size=5)
        assert t._fast() is not None, name


def _softplus(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z, out=out)


def _softplus_deriv(a: np.ndarray, delta: np.ndarray, z: np.ndarray | None) -> None:
    np.negative(a, out=a)
    np.expm1(a, out=a)
    delta *= a
    np.negative(delta, out=delta)           # g′ = σ(z) = 1 − exp(−a)


def test_a_new_registry_entry_runs_on_the_kernel_and_matches_the_generic_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """An activation added to the registry alone (no kernel edit) takes the fast path, with the same weights."""
    monkeypatch.setitem(ACTIVATIONS, "softplus_test", ActivationSpec("softplus_test", "Softplus", _softplus,
                                                                    _softplus_deriv))
    net = MLP([3, 5, 4, 1], ["softplus_test", "softplus_test", "logistic"], seed=3)
    assert not_covered(net, 0.0) is None
    X, Y, _ = data("logistic", "bce")
    runs = []
    for use_kernel in (True, False):
        t = Trainer(net.copy() if use_kernel else net, X, Y, lr=0.05, batch_size=6, seed=7)
        t.use_kernel = use_kernel
        t.record = {"loss": [], "val_loss": []}
        t.step(EPOCHS, metrics=False)
        runs.append(t)
    assert runs[0]._kernel is not None and runs[1]._kernel is None
    assert_same(*runs)


@pytest.mark.parametrize("out,loss", [("logistic", "bce"), ("softmax", "cross_entropy"), ("tanh", "mse")])
@pytest.mark.parametrize("use_kernel", [True, False], ids=["kernel", "generic"])
@pytest.mark.parametrize("batch", [None, 4])
def test_a_deadline_stops_mid_epoch_and_the_run_is_the_same_as_without(use_kernel: bool, batch: int | None,
                                                                     out: str, loss: str) -> None:
    """A passed deadline stops after one batch; stepping on to the same epoch gives the same weights and losses."""
    X, Y, r = data(out, loss)
    runs = []
    for deadline in (None, 0.0):
        net = MLP([3, 5, 4, r], ["tanh", "tanh", out], loss=loss, seed=3)
        t = Trainer(net, X, Y, lr=0.05, batch_size=batch, seed=7, dropout=0.0 if use_kernel else 0.1)
        t.record = {"loss": [], "val_loss": []}
        calls = 0
        while t.epoch < 5:
            t.step(5 - t.epoch, metrics=False, deadline=deadline)
            calls += 1
            if deadline is not None and batch is not None:
                assert t.mid_epoch or t.epoch == 5 or calls % 6 == 0
        assert (t._kernel is not None) == use_kernel
        runs.append((t, calls))
    (plain, one), (cut, many) = runs
    assert one == 1 and many == 5 * (6 if batch else 1)       # 23 columns: 6 batches of 4
    np.testing.assert_array_equal(plain.net.get_flat(), cut.net.get_flat())
    np.testing.assert_allclose(plain.record["loss"], cut.record["loss"], rtol=1e-13)


@pytest.mark.parametrize("batch", [None, 5])
@pytest.mark.parametrize("out,loss", OUTPUTS)
def test_fit_measures_no_loss_per_batch(monkeypatch: pytest.MonkeyPatch, out: str, loss: str,
                                        batch: int | None) -> None:
    """Recording losses (fit) adds no work per mini-batch, whatever the output and loss: they come from the kept
    outputs once per stretch, and the losses are the generic path's."""
    asked: list[bool] = []
    original = kernels_module.Kernel._make_gradient

    def spy(self: kernels_module.Kernel):  # type: ignore[no-untyped-def]
        inner = original(self)

        def gradient(chunk, want_loss):  # type: ignore[no-untyped-def]
            asked.append(want_loss)
            return inner(chunk, want_loss)
        return gradient
    monkeypatch.setattr(kernels_module.Kernel, "_make_gradient", spy)
    X, Y, r = data(out, loss)
    net = MLP([3, 5, r], ["tanh", out], loss=loss, seed=0)
    reference = net.copy()
    history = net.fit(X, Y, 4, 0.1, batch_size=batch, seed=1)
    assert len(history["loss"]) == 4 and all(np.isfinite(history["loss"]))
    assert asked and not any(asked)
    generic = Trainer(reference, X, Y, lr=0.1, batch_size=batch, seed=1)
    generic.use_kernel = False
    generic.record = {"loss": [], "val_loss": []}
    generic.step(4, metrics=False)
    np.testing.assert_allclose(history["loss"], generic.record["loss"], rtol=1e-12)


@pytest.mark.parametrize("record", [False, True], ids=["step", "fit"])
def test_a_full_batch_diverging_inside_a_span_of_epochs_keeps_the_generic_paths_weights(record: bool) -> None:
    """Full batch checks once per span of epochs; a run that diverges inside one ends where checking every
    update ends: the same epoch, weights and recorded losses as the generic path."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 12))
    Y = 3 * X[:1] - X[1:]
    runs = []
    for use_kernel in (True, False):
        net = MLP([2, 1], ["linear"], loss="mse", seed=0)
        t = Trainer(net, X, Y, lr=1.7)                   # just past stable: the weights grow slowly
        t.use_kernel = use_kernel
        if record:
            t.record = {"loss": [], "val_loss": []}
        t.step(3000, metrics=False)
        runs.append(t)
    fast, slow = runs
    span = fast._kernel[1].span if fast._kernel else 0
    assert fast.state == slow.state == "diverged" and fast.epoch == slow.epoch
    assert span > 1 and fast.epoch > span and fast.epoch % span != 0       # inside a span, not at its end
    np.testing.assert_allclose(fast.net.get_flat(), slow.net.get_flat(), rtol=1e-9)
    if record:
        assert len(fast.record["loss"]) == fast.epoch
        np.testing.assert_allclose(fast.record["loss"], slow.record["loss"], rtol=1e-9)


def test_wide_batches_bind_matmul_and_match_the_generic_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """From SMALL columns on, the kernel binds np.matmul instead of the arrays' dot; same weights and losses."""
    monkeypatch.setattr(kernels_module, "SMALL", 4)
    for batch in (None, 6):                      # 23 columns: one pass of 23, or passes of 6 and 5
        fast, slow = twin_runs("relu", "logistic", "bce", "momentum", {}, batch)
        kernel = fast._kernel[1] if fast._kernel else None
        assert kernel is not None and all(not hasattr(p.times_first, "__self__") for p in kernel.passes.values())
        assert_same(fast, slow)


def test_several_outputs_beyond_the_kept_budget_measure_each_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past KEPT_BYTES, an epoch's outputs are not kept: each batch's loss is measured as it runs, the same losses."""
    monkeypatch.setattr(kernels_module, "KEPT_BYTES", 0)
    X, Y, r = data("softmax", "cross_entropy")
    net = MLP([3, 5, r], ["tanh", "softmax"], seed=0)
    reference = net.copy()
    history = net.fit(X, Y, 4, 0.1, batch_size=5, seed=1)
    kernel = net.last_trainer._kernel[1] if net.last_trainer._kernel else None
    assert kernel is not None and not kernel.cheap and kernel.kept is None
    generic = Trainer(reference, X, Y, lr=0.1, batch_size=5, seed=1)
    generic.use_kernel = False
    generic.record = {"loss": [], "val_loss": []}
    generic.step(4, metrics=False)
    np.testing.assert_allclose(history["loss"], generic.record["loss"], rtol=1e-12)
