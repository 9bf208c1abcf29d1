"""The UI-free Session: live and rebuilding changes, data choices, drawing, weight edits, snapshots, the worker loop."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading

import numpy as np
import pytest

from annplay.core import fields
from annplay.core.fields import ViewRequest
from annplay.core.session import DRAWN, Session
from annplay.engine.settings import SettingError
from annplay.engine.setup import Setup


def test_session_and_fields_import_no_ui_library():
    code = ("import sys, annplay.core.session, annplay.core.fields; "
            "bad = [m for m in ('textual', 'rich') if m in sys.modules]; print(','.join(bad) or 'clean')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "clean"


def test_a_live_change_keeps_the_trainer_and_the_weights():
    s = Session()
    s.step(3)
    trainer, weights = s.trainer, s.net.get_flat().copy()
    change = s.apply(lr=0.1, batch_size=32, optimizer="momentum", momentum=0.8)
    assert change.kind == "live" and set(change.names) == {"lr", "batch_size", "optimizer", "momentum"}
    assert s.trainer is trainer and s.epoch == 3 and np.array_equal(s.net.get_flat(), weights)
    assert (trainer.lr, trainer.batch_size, trainer.optimizer) == (0.1, 32, "momentum")
    assert trainer.optimizer_options["beta"] == 0.8


def test_a_network_change_rebuilds_and_a_bad_value_changes_nothing():
    s = Session()
    s.step(2)
    net = s.net
    assert s.apply(hidden=(3,)).kind == "network"
    assert s.net is not net and s.net.layers == [2, 3, 1] and s.epoch == 0
    before = s.setup
    with pytest.raises(SettingError) as error:
        s.apply(lr=-1)
    assert error.value.setting == "lr" and s.setup == before
    assert s.apply(lr=s.setup.lr).kind == "none"


def test_an_engine_refusal_restores_the_setup(monkeypatch):
    s = Session()

    def refuse(**changes):
        raise ValueError("no")

    monkeypatch.setattr(s.trainer, "configure", refuse)
    before = s.setup
    with pytest.raises(ValueError):
        s.apply(lr=0.1)
    assert s.setup == before


def test_applicability_follows_the_table():
    s = Session()
    assert s.applies("noise") and s.applies("lr") and not s.applies("population")
    assert not s.applies("momentum") and not s.applies("beta1")
    s.apply(optimizer="momentum")
    assert s.applies("momentum") and s.applies("nesterov") and not s.applies("beta1")
    s.choose_data("iris")
    assert not s.applies("noise") and s.applies("train_ratio")
    s.choose_data(DRAWN)
    assert not s.applies("noise") and not s.applies("train_ratio")
    s.choose_data("xor")
    s.apply(trainer="ga")
    assert s.applies("population") and s.applies("sigma") and not s.applies("lr")


def test_data_choices_drawing_and_back():
    s = Session()
    assert s.data_choices()[-1] == DRAWN and "spiral" in s.data_choices() and s.data_name == "circle"
    n = s.prep.train.n
    s.add_point(1.0, -2.0, 1)
    assert s.data_name == DRAWN and s.prep.train.n == n + 1 and s.drawn[-1] == (1.0, -2.0, 1.0)
    s.add_point(0.0, 0.0, 2)                          # a third class: a softmax output
    assert s.prep.kind == "multiclass" and s.net.layers[-1] == 3
    s.set_drawn(())
    assert not s.has_data and s.state() == "no data" and s.done()
    s.choose_data("xor")
    assert s.data_name == "xor" and s.has_data and s.net.layers[-1] == 1
    s.choose_data(DRAWN)                              # the last drawing comes back (empty here)
    assert s.drawn == () and s.data_name == DRAWN
    with pytest.raises(SettingError):
        s.choose_data("no-such-data")


def test_a_csv_stays_a_data_choice(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{(i * 7) % 5},{i % 2}\n" for i in range(20)))
    s = Session(Setup(csv=str(path)))
    assert s.data_name == "two.csv" and s.data_choices()[0] == "two.csv"
    s.choose_data("xor")
    assert s.setup.csv is None and s.data_name == "xor"
    s.choose_data("two.csv")
    assert s.setup.csv == str(path) and s.prep.dataset.feature_names == ("a", "b")


def test_weight_edits_are_exact_and_checked():
    s = Session(Setup(hidden=(8, 8)))
    W = s.net.weights[1]
    before = float(W[2, 3])
    edit = s.edit_weight(1, 2, 3, delta=0.25)
    assert W[2, 3] == before + 0.25 and edit.where == "W2[3,4]" and edit.old == before
    bias = s.edit_weight(0, 1, s.net.weights[0].shape[1], text="−0.5")
    assert s.net.biases[0][1, 0] == -0.5 and bias.where == "b1[2]"
    flat = s.net.get_flat().copy()
    for kwargs in ({"text": "nan"}, {"text": "abc"}, {"delta": float("inf")}):
        with pytest.raises(ValueError, match="nothing changed"):
            s.edit_weight(0, 0, 0, **kwargs)
    for place in ((5, 0, 0), (0, 99, 0), (0, 0, 99)):
        with pytest.raises(ValueError, match="there is no"):
            s.edit_weight(*place, delta=1.0)
    assert np.array_equal(s.net.get_flat(), flat)


def test_export_and_import_through_the_session(tmp_path):
    s = Session()
    path = s.export_npz(str(tmp_path / "m.npz"))
    saved = s.net.get_flat().copy()
    s.edit_weight(0, 0, 0, delta=1.0)
    assert s.import_npz(str(path)) == path and np.array_equal(s.net.get_flat(), saved)
    s.apply(hidden=(3,))
    with pytest.raises(ValueError, match="does not fit"):
        s.import_npz(str(path))
    assert s.export_json(str(tmp_path / "w.json")).read_text().startswith("{")


def test_snapshots_are_frozen_and_left_out_when_the_picture_is_unchanged():
    s = Session()
    view = ViewRequest(20, 10, None, maps=True)
    first = s.snapshot(view)
    assert first.field.shape == (20, 20) and first.maps is not None and len(first.points) == s.prep.train.n
    assert s.snapshot(view).field is None                 # same colours: nothing to redraw
    assert s.snapshot(view, changed_only=False).field is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.field = None                                # type: ignore[misc]
    neuron = s.snapshot(ViewRequest(20, 10, (2, 3)))
    expected = fields.neuron_field(s.net, s.prep.inputs, s.bounds, 20, 10, 2, 3)
    assert neuron.kind == "binary" and np.allclose(neuron.field, expected)
    gone = s.snapshot(ViewRequest(20, 10, (7, 0)))       # no such neuron: the output
    assert gone.view.neuron is None and gone.kind == "binary"


def test_history_records_finite_metrics_and_clears_on_a_new_network():
    s = Session()
    for _ in range(3):
        s.step(1)
        s.snapshot(ViewRequest())
    assert len(s.history[0]) == 3 and len(s.history[1]) == 3
    s.reset()
    assert (len(s.history[0]), len(s.history[1])) == (0, 0)


@pytest.mark.parametrize("trainer", ["backprop", "es"])
def test_two_snapshots_of_one_epoch_add_one_point(trainer):
    """The UI's snapshot after a pause and the worker's last one can see the same epoch: one point, not two."""
    s = Session(Setup(trainer=trainer))
    s.step(2)
    s.snapshot(ViewRequest())
    s.snapshot(ViewRequest())
    assert len(s.history[0]) == 1
    s.step(1)
    s.snapshot(ViewRequest())
    assert len(s.history[0]) == 2 and s.best


def test_the_worker_loop_stops_between_chunks_and_publishes_snapshots():
    s = Session()
    got = []
    seen = threading.Event()

    def publish(snapshot):
        got.append(snapshot)
        seen.set()

    run = s.start()
    worker = threading.Thread(target=s.train, args=(run, publish, lambda: False))
    worker.start()
    assert seen.wait(30)
    s.stop()
    with s.lock:                                          # the chunk under way has finished
        stopped_at = s.epoch
    worker.join(30)
    assert not worker.is_alive() and s.epoch == stopped_at and got[0].run == run
    assert got[0].state == "running" and got[0].metrics.epoch > 0


def test_the_goal_and_the_epoch_limit_stop_training():
    s = Session(Setup(dataset="circle", target_acc=60.0, lr=0.3))
    got = []
    s.train(s.start(), got.append, lambda: False)
    assert got[-1].state == "stopped" and "≥ goal 60 %" in got[-1].message and not s.running
    assert s.goal_reached(s.metrics()) == got[-1].message and s.resume() == ""
    assert s.trainer.state == "stopped"                # the goal still holds: no going on
    s.apply(target_acc=100.0)
    assert s.resume() == "" and s.trainer.state == "ready"
    s = Session(Setup(epochs=7))
    s.run_for(5.0)
    assert s.epoch == 7 and s.done() and s.state() == "stopped"
    assert s.step(3).epoch == 7


def test_after_divergence_only_a_smaller_rate_goes_on():
    s = Session(Setup(dataset="plane", lr=10.0))
    s.run_for(5.0)
    assert s.trainer.state == "diverged" and s.state() == "diverged"
    assert "r: new random weights" in s.resume()
    s.apply(lr=0.01)
    assert s.resume() in ("", "new weights")
    assert s.trainer.state != "diverged"
    s.step(2)
    assert s.trainer.state != "diverged"


def test_a_feature_change_on_a_drawing_rebuilds_the_inputs_too() -> None:
    """Regression (monkey test): features changed while training on drawn points left the old inputs."""
    from annplay.core.session import Session
    from annplay.engine.setup import Setup

    session = Session(Setup(dataset="xor", hidden=(4,)))
    session.set_drawn(((0.0, 0.0, 0.0), (1.0, 1.0, 1.0), (2.0, -1.0, 0.0)))
    session.apply(features=("x1", "x2", "x1x2"))
    assert session.prep.X_train.shape[0] == 3 == session.net.layers[0]
    session.apply(features=("x1",))
    assert session.prep.X_train.shape[0] == 1 == session.net.layers[0]
    session.step(2)                                  # trains on the new inputs without a shape error


@pytest.mark.parametrize("change", [{"batch_size": 1}, {"points": 2000}, {"hidden": (4,)}, {"optimizer": "adam"}])
def test_a_change_measures_the_pace_again_so_one_chunk_cannot_freeze_the_app(change):
    """A chunk sized for cheap epochs must not run at the new cost: the next chunk after a change is one epoch.

    (Found by the monkey test in CI: a chunk sized at batch 10 ran for over 10 s at batch 1 and held the lock.)"""
    s = Session(Setup(dataset="xor", batch_size=100))
    while s._chunk < 50:                                 # the pace loop has grown its chunk
        s.run_for(0.0, metrics=False)
    s.apply(**change)
    before = s.epoch
    s.run_for(0.0, metrics=False)                        # a zero deadline: exactly one chunk
    assert s.epoch - before == 1


def test_train_percent_applies_to_real_data_and_noise_does_not():
    """Iris has no fixed test set: Train % splits it (so the control stays); noise is for generated data only."""
    s = Session(Setup(dataset="iris"))
    assert s.applies("train_ratio") and not s.applies("noise")
    s.apply(train_ratio=80.0)
    assert (s.prep.X_train.shape[1], s.prep.X_test.shape[1]) == (120, 30)
    s.set_drawn(((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)))
    assert not s.applies("train_ratio") and not s.applies("noise")


def test_a_weight_edit_clears_a_divergence_so_the_run_goes_on() -> None:
    """A typed weight that made the loss explode latched 'diverged' and blamed the rate; typing the old value back
    still left nothing to train (a probe's find). An edit is judged afresh."""
    session = Session(Setup(dataset="circle", hidden=(), lr=0.03))
    session.step(3)
    old = float(session.net.weights[0][0, 0])
    session.edit_weight(0, 0, 0, text="1e308")
    assert session.metrics().state == "diverged"           # its loss is not finite: nothing trains from it
    session.edit_weight(0, 0, 0, text=repr(old))
    assert session.metrics().state != "diverged" and session.resume() == ""
    assert session.step(2).state != "diverged" and session.epoch == 5


def test_a_tap_on_regression_data_is_refused_and_keeps_the_data() -> None:
    """One tap on sine's map turned its 600 points into a one-point classification drawing, silently."""
    session = Session(Setup(dataset="sine"))
    with pytest.raises(SettingError, match="points are drawn on 2-D classification data, not on sine"):
        session.add_point(0.0, 0.0, 0)
    assert session.data_name == "sine" and session.prep.train.n == 600 and session.prep.kind == "regression"
    session.set_drawn(())                                    # x: an empty drawing, on purpose
    session.add_point(0.0, 0.0, 1)
    assert session.data_name == "drawn" and session.prep.train.n == 1


@pytest.mark.parametrize("trainer, unit", [("backprop", "epoch"), ("ga", "generation"), ("es", "generation")])
def test_the_limit_message_counts_what_the_trainer_counts(trainer, unit):
    """GA/ES count generations everywhere else (status, chart axis), so their stop message does too."""
    session = Session(Setup(trainer=trainer, epochs=2, hidden=(2,), points=40))
    session.step(2)
    assert session.message() == f"Stopped: the {unit} limit (2) was reached."
