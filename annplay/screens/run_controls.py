"""The run controls: play/pause, one step, reset, the pace, and the training worker that feeds the painter."""

from __future__ import annotations

import time
from typing import Any

from textual.worker import get_current_worker

from annplay.core.fields import Snapshot
from annplay.core.session import Session
from annplay.engine.threads import blas_threads, suggested_threads
from annplay.messages import Mailbox, Progress
from annplay.screens.feature import Feature, Host
from annplay.widgets.keybar import BarBinding

SPEEDS: tuple[int | None, ...] = (1, 3, 10, 30, 100, 300, None)   # epochs per second; None: as fast as it goes
DEFAULT_SPEED: int | None = 30  # TF Playground's pace (an epoch a frame): the boundary forms in the first seconds
MAX_FRAMES_PER_SECOND = 10      # paced training shows at most this many frames a second (annplay serve: fewer)
PACE_SLICE = 0.05               # a paced worker checks for cancellation at least this often (seconds)
MAX_BUSY = 1.0                  # share of a core the training worker may use, at any pace (annplay serve lowers it,
                                # so that no session of a class starves the others)


class Rest:
    """(Worker thread) rests between frames so that this thread uses at most ``share`` of a core (1: never rests)."""

    def __init__(self, share: float) -> None:
        self.share = share
        self.cpu, self.wall = time.thread_time(), time.perf_counter()

    def __call__(self, stop: Any) -> None:
        if self.share >= 1:
            return
        owed = (time.thread_time() - self.cpu) / self.share - (time.perf_counter() - self.wall)
        end = time.perf_counter() + min(owed, 1.0)
        while not stop() and (left := end - time.perf_counter()) > 0:     # pacing, not synchronisation
            time.sleep(min(PACE_SLICE, left))
        self.cpu, self.wall = time.thread_time(), time.perf_counter()


class RunControls(Feature):
    """Owns the training worker, its mailbox and the pace; keys ␣ n r , . (the run buttons post the same actions)."""

    BINDINGS = [
        BarBinding("space", "play", "Play", key_display="␣", tooltip="start or pause training", rank=0),
        BarBinding("n", "step", "Step", tooltip="pause and train exactly one epoch", rank=3),
        BarBinding("r", "reset", "Reset", tooltip="pause; new random weights, epoch 0", rank=4),
        BarBinding("comma", "slower", "Slower", key_display=",", show=False,
                   tooltip="fewer epochs per second (1, 3, 10, 30, 100, 300, max)"),
        BarBinding("full_stop", "faster", "Faster", key_display=".", show=False, tooltip="more epochs per second"),
    ]

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.mailbox = Mailbox()
        self.speed: int | None = DEFAULT_SPEED   # epochs per second (None: max); , and . change it

    @property
    def running(self) -> bool:
        return self.session.running

    def label(self, action: str) -> str | None:
        return ("Pause" if self.running else "Play") if action == "play" else None

    # --- keys -----------------------------------------------------------------------

    def action_play(self) -> None:
        """Start or pause training."""
        if self.running:
            self.stop()
            self.host.painter.show_now()
        elif not self.session.has_data:
            self.notify("Tap the heat map to add points first (c switches the class).", title="No data")
        elif self.may_go_on():
            self.start()

    def may_go_on(self) -> bool:
        """After a divergence: go on only with a smaller rate (the session decides); say why not."""
        why = self.session.resume()
        if why == "new weights":
            self.notify(f"The weights had blown up, so training starts again from new random weights "
                        f"at learn rate {self.session.setup.lr:g}.", title="New weights")
            self.host.refresh_everything()
        elif why:
            self.notify(why, title="Diverged", severity="warning", markup=False)
            return False
        return True

    def action_step(self) -> None:
        """Pause and train exactly one epoch."""
        if self.running:
            self.stop()
        if self.session.has_data and self.may_go_on():
            self.session.step(1)
            self.host.painter.show_now()

    def action_reset(self) -> None:
        """Pause and start again from new random weights (same data)."""
        self.stop()
        self.session.reset()
        self.host.refresh_everything()

    def action_slower(self) -> None:
        """Fewer epochs per second (down to 1): watch the boundary move frame by frame."""
        self.set_speed(SPEEDS[max(0, SPEEDS.index(self.speed) - 1)])

    def action_faster(self) -> None:
        """More epochs per second (up to max)."""
        self.set_speed(SPEEDS[min(len(SPEEDS) - 1, SPEEDS.index(self.speed) + 1)])

    def set_speed(self, speed: int | None) -> None:
        """Train at ``speed`` epochs per second (None: max); a running worker is restarted at the new pace."""
        if speed not in SPEEDS:
            raise ValueError(f"speed: {speed!r} is not one of {', '.join(str(v or 'max') for v in SPEEDS)}")
        self.speed = speed
        self.host.painter.show_pace(speed)
        if self.running:
            self.stop()
            self.start()

    # --- the training worker --------------------------------------------------------

    def start(self) -> None:
        """Start a training run in a thread worker."""
        painter = self.host.painter
        painter.request(maps=self.host.panels.wants_maps)
        run = self.session.start()
        self.host.run_worker(lambda: self._train(run, self.session, self.mailbox, painter.colour, self.speed),
                             thread=True, exclusive=True, group="training", exit_on_error=True)
        painter.show_running(True)

    def stop(self) -> None:
        """Stop training; snapshots of the old run are ignored from now on."""
        self.session.stop()
        self.host.workers.cancel_group(self.host, "training")
        self.host.painter.show_running(False)

    def _train(self, run: int, session: Session, mailbox: Mailbox, colour: bool, speed: int | None) -> None:
        """(Worker thread) train through the session: it reads only the session and its frozen view request."""
        from annplay.screens.painter import picture_rows_for

        worker, post = get_current_worker(), self.host.post_message       # post_message is thread-safe
        rest = Rest(MAX_BUSY)

        def deliver(snap: Snapshot) -> None:
            if mailbox.put(snap, picture_rows_for(session, snap, colour)):
                post(Progress())

        # Small matrices train fastest on one BLAS thread, whose spinning then leaves the UI's core alone.
        with blas_threads(suggested_threads(session.net.layers, session.prep.X_train.shape[1])):
            if speed is None:
                session.train(run, deliver, lambda: worker.is_cancelled, rest=lambda: rest(lambda: worker.is_cancelled))
            else:
                self._paced(run, session, deliver, lambda: worker.is_cancelled, speed, rest)

    def _paced(self, run: int, session: Session, deliver: Any, cancelled: Any, speed: int,
               rest: Rest | None = None) -> None:
        """(Worker thread) train ``speed`` epochs a second in frames of whole epochs, one snapshot per frame; ``rest``
        keeps the thread within its share of a core (:data:`MAX_BUSY`)."""
        frame = 1 / min(speed, MAX_FRAMES_PER_SECOND)
        epochs = max(1, round(speed * frame))
        stop = lambda: cancelled() or not session.is_current(run)   # noqa: E731
        next_frame = time.perf_counter()
        while True:
            with session.lock:                           # once stopped, not one more frame (the lock re-enters)
                if stop():
                    return
                metrics = session.step(epochs)
            goal = session.goal_reached(metrics)
            finished = session.done() or bool(goal)
            if finished:
                session.stop()
                deliver(session.snapshot(session.view, metrics=metrics, speed=float(speed)))
                if goal:
                    self.host.app.call_from_thread(self.notify, goal, title="Goal reached", markup=False)
                return
            deliver(session.snapshot(session.view, metrics=metrics, run=run, speed=float(speed)))
            if rest is not None:
                rest(stop)
            next_frame += frame
            while not stop() and time.perf_counter() < next_frame:       # pacing, not synchronisation
                time.sleep(min(PACE_SLICE, max(0.0, next_frame - time.perf_counter())))
            next_frame = max(next_frame, time.perf_counter() - frame)   # a slow frame does not cause a burst

    def take(self) -> tuple[Snapshot, Any] | None:
        """(UI, on Progress) the latest snapshot of the live run, if one is waiting."""
        item = self.mailbox.take()
        return item if item is not None and item[0].run == self.session.run_id else None
