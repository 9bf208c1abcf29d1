"""The doctor on set-ups it was not calibrated on (benchmarks/doctor_unseen.py): each false alarm or miss found
there, fixed in engine/diagnosis.py, with a test that fails on the old rules.  Live cases ask the doctor after
every sample, as the app's Doctor view does."""

from __future__ import annotations

import math
import textwrap

from annplay.core.session import Session
from annplay.engine.diagnosis import diagnose
from annplay.engine.instruments import Report, Sample
from annplay.engine.setup import Setup
from annplay.engine.sharecode import decode

LN2 = math.log(2)


def report(losses, tests=None, ratios=1e-3, upe=25, every=10, kind="binary", chance=LN2) -> Report:
    samples = tuple(Sample(epoch=i * every, train_loss=loss, test_loss=None if tests is None else tests[i],
                           grad_norms=(0.1, 0.1, 0.1), weight_norms=(1.0, 1.0, 1.0),
                           update_ratios=None if i == 0 else (ratios,) * 3, dead=(0, 0), saturated=(0, 0),
                           units=(8, 8)) for i, loss in enumerate(losses))
    return Report("backprop", kind, ("tanh", "tanh"), chance, samples, "running", (len(losses) - 1) * every,
                  tests is not None, upe)


def codes(rep: Report, setup: Setup, severity: str = "warning") -> set[str]:
    return {f.code for f in diagnose(rep, setup) if f.severity == severity}


def live_warnings(setup: Setup, until: int | None = None) -> list[tuple[int, set[str]]]:
    """(epoch, warnings) after every sample of a run, as the app's Doctor view sees them."""
    s = Session(setup)
    seen, out = 0, []
    while not s.done() and (until is None or s.epoch < until):
        s.step(s.instruments.interval)
        if len(s.instruments.samples) != seen:
            seen = len(s.instruments.samples)
            out.append((s.epoch, {f.code for f in s.diagnosis() if f.severity == "warning"}))
    return out


# --- overfitting: a test loss still falling fast has not "risen from its best" ---------------------------

def test_a_test_loss_falling_fast_is_not_overfitting() -> None:
    """The best test loss among the last three samples (whose median is the final one) is no rise: a falling
    curve's median sits above its newest, lowest point (0.80, 0.45, 0.095 chance losses was a warning)."""
    tests = [0.72, 0.55, 0.31, 0.066]
    rep = report([0.75, 0.53, 0.32, 0.053], tests=tests)
    assert not any(f.code == "overfitting" for f in diagnose(rep, Setup(dataset="spiral")))
    # the same values after a rise from a best further back are still overfitting
    risen = report([0.6, 0.3, 0.1, 0.05, 0.03, 0.02, 0.01], tests=[0.6, 0.3, 0.1, 0.2, 0.35, 0.4, 0.45])
    assert "overfitting" in codes(risen, Setup(dataset="spiral"))


def test_a_healthy_adam_run_with_dropout_gets_no_warning_while_it_learns() -> None:
    """spiral 32-32 ReLU, dropout 0.1, Adam 0.003: told 'overfitting' at epoch 240, its test loss falling fast."""
    setup = Setup(dataset="spiral", hidden=(32, 32), activation="relu", dropout=0.1, optimizer="adam", lr=0.003,
                  epochs=2000, seed=25)
    assert [(e, w) for e, w in live_warnings(setup, until=400) if w] == []


# --- memorising: judged on the smoothed train loss, so a last-sample spike doesn't hide it ----------------

def test_memorising_is_not_hidden_by_a_spike_at_the_last_sample() -> None:
    """40 multigauss points on 64-64, Adam 0.01: train ~0 for 1,500 epochs, 0.18 chance at the last sample
    (an Adam spike), test loss 2 × chance throughout: no warning at the end of the run."""
    chance = 0.0275
    train = [0.06 * chance] + [1e-5] * 14 + [0.18 * chance]
    rep = report(train, tests=[2.0 * chance] * 16, kind="regression", chance=chance, upe=2)
    found = [f for f in diagnose(rep, Setup(dataset="multigauss", points=40)) if f.code == "overfitting"]
    assert found and found[0].severity == "warning"
    assert len(textwrap.wrap(found[0].message, 39)) <= 2


# --- underfitting: a loss thrown above chance is not "staying near chance" ------------------------------

def test_a_loss_climbing_above_chance_is_not_underfitting() -> None:
    """sine on ReLU 64, batch 1, lr 0.003: 1.0 → 1.6 → 2.3 chance losses in its first 12 epochs (7,200 updates),
    then down to 0.3: it was told 'the train loss stays near chance'."""
    chance = 0.253
    rep = report([1.0 * chance, 1.03 * chance, 1.65 * chance, 2.33 * chance], kind="regression", chance=chance,
                 upe=600, every=4)
    assert "underfitting" not in codes(rep, Setup(dataset="sine", hidden=(64,), activation="relu"))
    flat = report([1.0 * chance, 1.0 * chance, 0.99 * chance, 0.99 * chance], kind="regression", chance=chance,
                  upe=600, every=4)
    assert "underfitting" in codes(flat, Setup(dataset="sine", hidden=(64,), activation="relu"))


def test_a_regression_net_too_small_for_its_data_is_underfitting() -> None:
    """multigauss on tanh 2: levelled at 0.67 of the mean's loss for 2,000 epochs (8-8 reaches 0.13); no word."""
    chance = 0.03
    losses = [1.2 * chance, 0.9 * chance, 0.8 * chance, 0.72 * chance] + [0.67 * chance] * 12
    rep = report(losses, kind="regression", chance=chance, upe=60, every=125)
    found = [f for f in diagnose(rep, Setup(dataset="multigauss", hidden=(2,))) if f.code == "underfitting"]
    assert found and found[0].severity == "warning" and found[0].fixes[0].changes == (("hidden", (8, 8)),)
    noisy = Setup(dataset="multigauss", hidden=(2,), noise=30)     # noisy labels may have a floor this high
    assert "underfitting" not in codes(rep, noisy)


# --- dead units: a few dead units in a net too small are a symptom, not the cause -----------------------

def test_a_few_dead_units_in_a_net_too_small_leave_the_warning_to_underfitting() -> None:
    """checkerboard on ReLU 4 (3,000 epochs): 1 of 4 units dead, levelled at 0.94 chance losses; a leaky ReLU
    levels there too, a 32-32 net reaches 0.01. It was told 'dead ReLU units' (and the fix didn't help)."""
    s = Session(Setup(dataset="checkerboard", hidden=(4,), activation="relu", epochs=3000, seed=90))
    while not s.done():
        s.step(1000)
    found = {f.code: f for f in s.diagnosis()}
    assert found["underfitting"].severity == "warning", found
    assert found["dead_units"].severity == "info"


# --- a rate too low: tiny steps that still move the loss -------------------------------------------------

def test_tiny_steps_are_too_low_though_the_loss_passed_half_its_start() -> None:
    """sine 8-8, Adam 1e-5: updates of 7e-6, 1.4 → 0.64 chance losses in 500 epochs and still falling; lr 0.01
    reaches 0.004. Told 'too low' until the loss passed half its start, then nothing."""
    chance = 0.2376
    losses = [(1.43 - 0.05 * i) * chance for i in range(17)]          # 1.43 → 0.63, falling all along
    rep = report(losses, ratios=7e-6, kind="regression", chance=chance, upe=60, every=31)
    setup = Setup(dataset="sine", optimizer="adam", lr=1e-5)
    assert "lr_too_low" in codes(rep, setup)
    sat = [x * chance for x in (1.43, 1.0, 0.6, 0.5)] + [0.5 * chance] * 13      # fell 65 %, then sat still: stuck
    assert "lr_too_low" not in codes(report(sat, ratios=7e-6, kind="regression", chance=chance, upe=60, every=31),
                                     setup)
    assert "lr_too_low" not in codes(rep, Setup(dataset="sine", optimizer="adam", lr=0.001))   # Adam's default


# --- fixes that cure: checked by training the fixed set-up ---------------------------------------------

def _final(setup: Setup) -> Session:
    s = Session(setup)
    while not s.done():
        s.step(1000)
    return s


def test_a_single_layer_too_small_grows_a_second_layer_first() -> None:
    """spiral on tanh 2 (3,000 epochs) stays near chance; its first fix was 'hidden=4', which stays there too.
    8-8 learns it."""
    sick = _final(Setup(dataset="spiral", hidden=(2,), epochs=3000, seed=89))
    finding = next(f for f in sick.diagnosis() if f.code == "underfitting")
    assert finding.severity == "warning" and dict(finding.fixes[0].changes) == {"hidden": (8, 8)}
    healed = _final(decode(finding.fixes[0].code))
    assert not [f for f in healed.diagnosis() if f.severity == "warning"]
    assert healed.metrics().train_loss < 0.2 * sick.metrics().train_loss


def test_few_noisy_points_are_cured_by_more_points_and_early_stopping() -> None:
    """xor with 50 points at noise 50 on ELU 16-16 (3,000 epochs) overfits; 500 points alone overfit too, later.
    More points with a patience of a tenth of the run cure it."""
    sick = _final(Setup(dataset="xor", points=50, noise=50, hidden=(16, 16), activation="elu", lr=0.1,
                        epochs=3000, seed=79))
    finding = next(f for f in sick.diagnosis() if f.code == "overfitting" and f.severity == "warning")
    assert dict(finding.fixes[0].changes) == {"points": 500, "patience": 300}
    healed = _final(decode(finding.fixes[0].code))
    assert "overfitting" not in {f.code for f in healed.diagnosis() if f.severity == "warning"}
    assert healed.metrics().test_loss < sick.metrics().test_loss


def test_a_plateau_that_creeps_down_at_every_sample_is_not_underfitting_yet() -> None:
    """spiral 8-8 with L2 0.001 (a calibration set-up, asked live): 0.970 → 0.964 → 0.958 → 0.948 chance losses on
    its plateau, told 'underfitting' at epoch 248 (6,200 updates); it learns from epoch 430."""
    creeping = report([x * LN2 for x in (1.0, 0.970, 0.964, 0.958, 0.948)], upe=25, every=62)
    assert "underfitting" not in codes(creeping, Setup(dataset="spiral", hidden=(8, 8)))
    wandering = report([x * LN2 for x in (1.0, 0.970, 0.964, 0.966, 0.963)], upe=25, every=62)   # flat: stuck
    assert "underfitting" in codes(wandering, Setup(dataset="spiral", hidden=(8, 8)))
