"""Words and legends the playground shows about a session: the problem line, the legend, the view's hint."""

from __future__ import annotations

from typing import Any

from rich.color import Color
from rich.style import Style
from rich.text import Text

from annplay import boundary as bd
from annplay.core.session import Session
from annplay.core.textsafe import markup_safe, plain
from annplay.widgets.heatmap import legend_entries, target_range
from annplay.widgets.stats import architecture

KINDS = {"binary": "classification (2 classes)", "regression": "regression"}


def problem_text(session: Session) -> str:
    """'Problem: …; 250 train, 250 test points. Network 2→8→8→1.' and the data's description (markup-safe)."""
    prep = session.prep
    ds = prep.dataset
    kind = KINDS.get(prep.kind, f"classification ({ds.n_classes} classes)")
    return (f"Problem: {kind}; {prep.train.n} train, {prep.test.n} test points. "
            f"Network {architecture(session.net.layers)}.\nData: {markup_safe(ds.description)}.")


def legend(session: Session, neuron: tuple[int, int] | None, *, color: bool = True) -> list[Text]:
    """The class colours (or the plain map's marks), or (a neuron shown) which neuron and its colours.

    The point marks (● train ◆ test) show only when there are test points to tell apart (never for a drawing)."""
    prep = session.prep
    if neuron is None:
        ds = prep.dataset
        show_test = session.setup.show_test and prep.test.n > 0
        if prep.kind == "regression":
            return legend_entries(prep.kind, (), 2, show_test, scale=target_range(ds.y), color=color)
        return legend_entries(prep.kind, ds.class_names, ds.n_classes, show_test, color=color)
    layer, index = neuron
    name = Text(f"neuron L{layer}.{index + 1}", "bold")
    name.append(f" {session.net.activations[layer - 1].name}", "dim")
    return [Text.assemble(("█", Style(color=Color.from_rgb(*bd.ORANGE))), "−"),
            Text.assemble(("█", Style(color=Color.from_rgb(*bd.BLUE))), "+"), name]


def note(state: str) -> str:
    """A short hint under the numbers."""
    if state == "diverged":
        return "Lower the learn rate, or r: reset"
    if state == "no data":
        return "Tap to add points (c: class)"
    return ""


def network_info(session: Session, neuron: tuple[int, int] | None) -> str:
    """The line over the network view: what is selected and how to select."""
    net = session.net
    if len(net.layers) < 3:
        return "No hidden layers: add one in NETWORK"
    if neuron is not None:
        layer, index = neuron
        return f"L{layer}.{index + 1} {net.activations[layer - 1].name} in the map · esc: output"
    if not session.prep.plottable:
        return "No input plane (data is not 2-D): weights only"
    return "Arrows or a tap: show a neuron's map"


def unit_of(setup: Any) -> str:
    """The trainer's unit of time: 'epoch' for back-propagation, 'generation' for GA and ES."""
    return "epoch" if getattr(setup, "trainer", "backprop") == "backprop" else "generation"


def passed_line(lesson: Any, epoch: int, setup: Any) -> tuple[str, ...]:
    """The goal line once the lesson is passed (it stays so while the run goes on), longest first."""
    at = f"passed at {unit_of(setup)} {epoch:,}"
    return f"Goal: {plain(lesson.goal_text)} ✓ {at}", f"Goal ✓ {at}", "Goal ✓ passed"


def goal_line(lesson: Any, setup: Any, metrics: Any, tampered: Any = ()) -> tuple[tuple[str, ...], bool]:
    """A lesson's goal line for this frame, longest first (the narrow screen takes the first that fits), and whether
    it is reached: 'Goal: test loss < 0.05 … ✓', or 'Goal: test loss < 0.05 … (now test loss 0.231)'."""
    from annplay.core.lessons import goal_status, without_goals  # lessons (and their TOML) load on first use

    reached, status = goal_status(lesson, setup, metrics, tampered)
    goal = plain(lesson.goal_text)
    if reached:
        return (f"Goal: {goal} ✓", f"Goal ✓ {plain(status.removeprefix('Goal reached: '))}"), True
    if not status.startswith("Not yet: "):                   # diverged or missed: the status says what to do
        at = f"Goal ✗ missed at {unit_of(setup)} {metrics.epoch:,}"
        short = (f"{at} — press r to try again", f"{at} — press r") if status.startswith("Missed: ") else ()
        return (f"Goal: {goal} — {plain(status)}", f"Goal ✗ {plain(status)}", *short), False
    unmet = plain(status.removeprefix("Not yet: "))
    now = without_goals(unmet)
    parts = unmet.split("; ")
    more = f" +{len(parts) - 1} more" if len(parts) > 1 else ""
    first = f"Goal ✗ {parts[0]}{more}"                                      # the first thing to do
    tight = f"Goal ✗ {parts[0].replace('(goal ', '(')}{more}"              # 40 columns: 'hidden layers 1 (≤ 0) +1 more'
    return (f"Goal: {goal} (now {now})", f"Goal ✗ {unmet}", f"Goal ✗ now {now}", first, tight), False
