"""The control panel, generated from the settings table: one section per group, one control per setting.

Which controls show follows ``session.applies(name)`` (the table's trainer, data and requires rules).
A change posts :class:`ControlPanel.Changed` (setting changes for ``session.apply``) or
:class:`ControlPanel.DataChosen`; the screen decides what to do with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Static

from annplay.engine.features import FEATURES
from annplay.engine.settings import GROUPS, MAX_HIDDEN_LAYERS, MAX_NEURONS, SETTINGS, Setting
from annplay.engine.setup import Setup, step_activations
from annplay.widgets.controls import ChipSet, Choice
from annplay.widgets.tap import Tap

if TYPE_CHECKING:  # pragma: no cover
    from annplay.core.session import Session

SECTIONS = ("data", "view", "features", "network", "training", "evolution", "run")   # display order of GROUPS
DRAW_CLASSES = 4                # classes a person can draw (0 orange, 1 blue, 2 green, 3 purple)
NEW_LAYER_NEURONS = 4           # TF Playground's size for an added layer
SAME = "same"                   # a layer's activation choice meaning "the global one"
RUN_BUTTONS = (("▶ Play", "play"), ("Step", "step"), ("Reset", "reset"), ("New data", "regenerate"), ("?", "help"))
PALETTE_MAX_VALUES = 16         # longer lists (e.g. neurons 1…64) are left to the panel
FIRST_SECTIONS = 1              # sections in the first frame (the rest are mounted a refresh later: see complete)


@dataclass(frozen=True)
class PaletteEntry:
    """One command palette entry generated from the table: its title, help, and what choosing it does."""

    setting: str
    title: str
    help: str
    changes: dict[str, Any] = field(default_factory=dict)    # for session.apply(**changes)
    data: str | None = None                                   # or a data choice for session.choose_data


def layer_sizes(setup: Setup, count: int, remembered: list[int] | tuple[int, ...] = ()) -> dict[str, Any]:
    """Changes for ``count`` hidden layers: kept sizes, remembered ones for layers that come back, else 4."""
    sizes = list(setup.hidden[:count])
    for i in range(len(sizes), count):
        sizes.append(remembered[i] if i < len(remembered) else NEW_LAYER_NEURONS)
    acts = list(setup.layer_activations) or [None] * len(setup.hidden)
    acts = acts[:count] + [None] * max(0, count - len(acts))
    return {"hidden": tuple(sizes), "layer_activations": tuple(acts) if any(acts) else ()}


def draw_labels(session: Session) -> list[str]:
    """What each drawable class is called: the data's class names where it has them, else 'class i'."""
    prep = session.prep
    names = tuple(prep.dataset.class_names) if prep.kind != "regression" else ()
    return [str(names[i]) if i < len(names) and str(names[i]) != str(i) else f"class {i}"
            for i in range(DRAW_CLASSES)]


def layer_change(setup: Setup, what: str, index: int, value: Any) -> dict[str, Any] | None:
    """Changes for one layer's neurons or activation (None: the network has no such layer)."""
    if index >= len(setup.hidden):
        return None
    if what == "neurons":
        hidden = list(setup.hidden)
        hidden[index] = int(value)
        return {"hidden": tuple(hidden)}
    acts = list(setup.layer_activations) or [None] * len(setup.hidden)
    acts[index] = None if value == SAME else value
    return {"layer_activations": tuple(acts) if any(acts) else ()}


def values_for(entry: Setting, current: Any) -> list[Any]:
    """The steps a control cycles through, with the current value added where it is not one of them."""
    steps = list(entry.steps())
    if current not in steps and entry.kind in ("int", "float"):
        numbers = sorted(v for v in (*steps, current) if v is not None)
        steps = ([None] if None in steps or current is None else []) + numbers
    return steps


def palette_entries(session: Session) -> list[PaletteEntry]:
    """Every palette command for the settings that apply now, generated from the table."""
    setup, out = session.setup, []
    for entry in SETTINGS.values():
        if not entry.control or not session.applies(entry.name):
            continue
        name, label = entry.name, entry.label
        if name == "dataset":
            out += [PaletteEntry(name, f"{label}: {d}", entry.help, data=d) for d in session.data_choices()]
        elif entry.kind == "layers":
            out += [PaletteEntry(name, f"{label}: {n}", f"{n} hidden layer{'s' if n != 1 else ''} (sizes kept where "
                                 "they can be)", layer_sizes(setup, n)) for n in range(MAX_HIDDEN_LAYERS + 1)]
        elif entry.kind == "per_layer":
            for i in range(len(setup.hidden)):
                for act in (SAME, *step_activations(setup.trainer)):
                    out.append(PaletteEntry(name, f"Layer {i + 1} activation: {act}", entry.help,
                                            layer_change(setup, "act", i, act) or {}))
        elif entry.kind == "features":
            for key, feature in FEATURES.items():
                on_ = key in setup.features
                chosen = tuple(f for f in FEATURES if (f in setup.features) != (f == key))
                if chosen:
                    out.append(PaletteEntry(name, f"{label}: {'remove' if on_ else 'add'} {feature.label}",
                                            entry.help, {name: chosen}))
        else:
            values = values_for(entry, setup[name])
            if name == "activation":
                values = list(step_activations(setup.trainer))
            if len(values) <= PALETTE_MAX_VALUES:
                out += [PaletteEntry(name, f"{label}: {entry.show(v)}", entry.help, {name: v}) for v in values]
    return out


class ControlPanel(VerticalScroll, can_focus=False):
    """Run buttons and every control of the settings table, in sections; taps and keys alike.

    Not a Tab stop itself: ↑/↓ walk every shown control in order (buttons too) instead of scrolling.
    """

    BINDINGS = [
        Binding("up", "walk(-1)", "Previous control", show=False),
        Binding("down", "walk(1)", "Next control", show=False),
    ]

    DEFAULT_CSS = """
    ControlPanel { height: 1fr; scrollbar-size-vertical: 1; padding: 0 1 0 0; }
    ControlPanel > .section { color: $text-primary; text-style: bold; margin-top: 1; height: 1; }
    ControlPanel > .info { color: $text-muted; height: auto; }
    ControlPanel > #run-buttons { height: 1; width: 1fr; }
    ControlPanel > #run-buttons > Tap { margin: 0 1 0 0; min-width: 4; }
    ControlPanel > #run-buttons > #btn-play { width: 9; }
    ControlPanel > #section-data { margin-top: 0; }          /* narrow: every row of the lower area counts */
    ControlPanel.-wide > #section-data { margin-top: 1; }
    ControlPanel.-wide > #run-buttons > #btn-help { display: none; }   /* no room; the key bar shows ? Help */
    ControlPanel > #more-keys { height: auto; layout: grid; grid-size: 2; grid-gutter: 0 1; grid-rows: 1; }
    ControlPanel > #more-keys > Tap { width: 1fr; min-width: 4; }
    ControlPanel .layer-row { height: 1; }
    ControlPanel .layer-row > Choice { width: auto; margin-right: 1; }
    """

    class Changed(Message):
        """Settings to change (``session.apply(**changes)``)."""

        def __init__(self, changes: dict[str, Any]) -> None:
            super().__init__()
            self.changes = changes

    class DataChosen(Message):
        """A data choice: a data set's name, the CSV file's, or 'drawn'."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class DrawClassChosen(Message):
        """The class a tap on the map draws."""

        def __init__(self, value: int) -> None:
            super().__init__()
            self.value = value

    class ActionPressed(Message):
        """A run button was tapped: play, step, reset, regenerate, help or clear_points."""

        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.draw_class = 0
        self._more: dict[str, str] = {}          # MORE buttons' ids → the actions they run
        self._sizes: list[int] = list(session.setup.hidden)    # sizes to restore when layers come back
        self._complete = False                   # the sections after the first frame's are mounted
        assert set(SECTIONS) == set(GROUPS), "every group of the table needs a section"

    # --- building ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="run-buttons"):
            for label, action in RUN_BUTTONS:
                yield Tap(label, id=f"btn-{action}",
                          variant="success" if action == "play" else "default")
        yield from self._sections(SECTIONS[:FIRST_SECTIONS])
        yield Static(id="problem", classes="info")

    def on_mount(self) -> None:
        self.call_after_refresh(self.complete)

    async def complete(self) -> None:
        """Mount the sections the first frame left out (idempotent; the MORE buttons wait for them)."""
        if self._complete:
            return
        self._complete = True
        if not self.is_attached:
            return
        await self.mount_all(list(self._sections(SECTIONS[FIRST_SECTIONS:])), before="#problem")
        self.sync()                                   # the set-up may have changed since the first frame

    def _sections(self, groups: tuple[str, ...]) -> Iterator[Widget]:
        """The title and controls of each group, in one flat list (fewer containers, faster to lay out)."""
        for group in groups:
            entries = [s for s in SETTINGS.values() if s.group == group and s.control]
            if not entries:
                continue
            title = Static(group.upper(), classes="section", id=f"section-{group}")
            title.display = group == "data" or any(self.session.applies(s.name) for s in entries)
            yield title
            for entry in entries:
                for widget in self._controls_for(entry):
                    if entry.name != "dataset" and entry.kind != "per_layer":   # rows: one per hidden layer
                        widget.display = self.session.applies(entry.name)
                    elif entry.name == "dataset":
                        widget.display = "dataset" not in self.session.hidden
                    yield widget
            if group == "data":
                yield Choice("draw_class", "Draw", list(range(DRAW_CLASSES)), 0, wrap=True, key="draw_class",
                             labels=draw_labels(self.session),
                             tooltip="tap the map to add a point of this class")
                yield Tap("Clear drawn points", id="btn-clear_points")

    def _controls_for(self, entry: Setting) -> Iterator[Widget]:
        """The widget(s) for one table entry (the per-layer entry: a row per hidden layer)."""
        setup = self.session.setup
        if entry.kind == "features":
            yield ChipSet(entry.name, list(FEATURES), [f.label for f in FEATURES.values()], setup.features)
            return
        if entry.kind == "layers":
            yield Choice("layers", entry.label, list(range(MAX_HIDDEN_LAYERS + 1)), len(setup.hidden),
                         key=entry.name, tooltip=entry.help)
            return
        if entry.kind == "per_layer":                # a row per hidden layer (more are mounted as layers come)
            for i in range(max(1, len(setup.hidden))):
                yield self._layer_row(i)
            return
        if entry.name == "dataset":
            values: list[Any] = list(self.session.data_choices())
            yield Choice("dataset", entry.label, values, self.session.data_name, tooltip=entry.help)
            return
        values = values_for(entry, setup[entry.name])
        yield Choice(entry.name, entry.label, values, setup[entry.name], labels=[entry.show(v) for v in values],
                     wrap=entry.kind == "bool", tooltip=entry.help)

    def _layer_row(self, i: int) -> Horizontal:
        """Hidden layer i's row: its neurons and its activation ('same': the global one)."""
        setup = self.session.setup
        acts = setup.layer_activations
        row = Horizontal(
            Choice(f"neurons-{i}", f"Layer {i + 1}", list(range(1, MAX_NEURONS + 1)),
                   setup.hidden[i] if i < len(setup.hidden) else NEW_LAYER_NEURONS,
                   key=("neurons", i), tooltip="neurons in this layer"),
            Choice(f"layer_act-{i}", "", [SAME, *step_activations(setup.trainer)],
                   acts[i] if i < len(acts) and acts[i] else SAME, key=("act", i),
                   title=f"Layer {i + 1} activation", tooltip=SETTINGS["layer_activations"].help),
            classes="layer-row", id=f"layer-row-{i}")
        row.display = i < len(setup.hidden)
        return row

    def covers(self) -> dict[str, Widget]:
        """Table name → the widget that sets it (for tests and the help)."""
        out: dict[str, Widget] = {}
        for choice in self.query(Choice):
            if isinstance(choice.key, str) and choice.key in SETTINGS:
                out[choice.key] = choice
        for chips in self.query(ChipSet):
            out[chips.setting] = chips
        if "hidden" in out:
            out["layer_activations"] = self.query_one("#layer-row-0")
        return out

    # --- showing the session's values ---------------------------------------------------

    def sync(self) -> None:
        """Show every setting's current value, and only the controls that apply now."""
        session = self.session
        setup = session.setup
        acts = step_activations(setup.trainer)
        for choice in self.query(Choice):
            key = choice.key
            if key == "dataset":
                choice.set_values(list(session.data_choices()), session.data_name)
                choice.display = "dataset" not in session.hidden       # dataset_hide: locked and out of sight
            elif key == "draw_class":
                labels = draw_labels(session)
                if choice.labels != labels:
                    choice.set_values(list(range(DRAW_CLASSES)), choice.value, labels)
            elif key == "hidden":
                choice.select(len(setup.hidden))
                choice.display = session.applies("hidden")
            elif isinstance(key, tuple):
                what, i = key
                if what == "neurons":
                    choice.select(setup.hidden[i] if i < len(setup.hidden) else NEW_LAYER_NEURONS)
                else:
                    layer_acts = setup.layer_activations
                    chosen = layer_acts[i] if i < len(layer_acts) and layer_acts[i] else SAME
                    if choice.values != [SAME, *acts]:
                        choice.set_values([SAME, *acts], chosen)
                    choice.select(chosen)
            elif key in SETTINGS:
                entry = SETTINGS[key]
                values = list(acts) if key == "activation" else values_for(entry, setup[key])
                if choice.values != values:
                    choice.set_values(values, setup[key], [entry.show(v) for v in values])
                choice.select(setup[key])
                choice.display = session.applies(key)
        for chips in self.query(ChipSet):
            chips.select(setup.features)
            chips.display = session.applies("features")
        count = len(setup.hidden)
        rows = list(self.query(".layer-row"))
        for i in range(len(rows), count if rows else 0):     # layers the panel has no row for yet
            rows.append(self._layer_row(i))
            self.mount(rows[-1], after=rows[-2])
        for row in rows:
            row.display = int(str(row.id).rsplit("-", 1)[1]) < count
        self._sizes[:count] = setup.hidden
        for title in self.query(".section"):         # a section whose controls are all hidden is hidden too
            group = str(title.id).removeprefix("section-")
            names = [s.name for s in SETTINGS.values() if s.group == group and s.control]
            title.display = group == "data" or any(session.applies(n) for n in names)

    def show_running(self, running: bool) -> None:
        """The play button says what it does."""
        self.query_one("#btn-play", Button).label = "‖ Pause" if running else "▶ Play"

    def show_problem(self, text: str) -> None:
        """The line under the controls: the kind of problem, the points and the network."""
        self.query_one("#problem", Static).update(text)

    def choices(self) -> list[Choice]:
        """The Choice controls shown now (not those of absent layers or inapplicable settings)."""
        result = []
        for choice in self.query(Choice):
            row = choice.parent
            if choice.display and not (isinstance(row, Horizontal) and row.has_class("layer-row")
                                       and not row.display):
                result.append(choice)
        return result

    # --- changes --------------------------------------------------------------------------

    @on(Choice.Changed)
    def _choice_changed(self, event: Choice.Changed) -> None:
        event.stop()
        key, value, setup = event.choice.key, event.value, self.session.setup
        if key == "dataset":
            self.post_message(self.DataChosen(str(value)))
        elif key == "draw_class":
            self.draw_class = int(value)
            self.post_message(self.DrawClassChosen(int(value)))
        elif key == "hidden":
            self.post_message(self.Changed(layer_sizes(setup, int(value), self._sizes)))
        elif isinstance(key, tuple):
            changes = layer_change(setup, key[0], key[1], value)
            if changes is None:
                self.sync()                        # a layer the network does not have (yet)
            else:
                self.post_message(self.Changed(changes))
        else:
            self.post_message(self.Changed({key: value}))

    @on(ChipSet.Changed)
    def _chips_changed(self, event: ChipSet.Changed) -> None:
        event.stop()
        self.post_message(self.Changed({event.chips.setting: event.value}))

    async def add_more(self, keys: list[tuple[str, str, str, str]]) -> None:
        """A MORE section at the end: one button per (key, words, action, tooltip) the key bar has no room for, so
        every key can be tapped on a phone (added after the first frame)."""
        await self.complete()                         # MORE comes last
        if self.query("#more-keys") or not keys or not self.is_attached:
            return
        buttons = []
        for index, (key, words, action, tip) in enumerate(keys):
            button = Tap(f"{key} {words}", id=f"btn-more-{index}", tooltip=tip or None)
            button.can_focus = False                  # taps; the keyboard has the keys themselves
            self._more[button.id or ""] = action
            buttons.append(button)
        await self.mount(Static("MORE", classes="section", id="section-more"), Grid(*buttons, id="more-keys"))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        action = (event.button.id or "").removeprefix("btn-")
        if event.button.id in self._more:
            action = self._more[event.button.id]
        elif action not in {a for _label, a in RUN_BUTTONS} | {"clear_points"}:
            return
        event.stop()
        self.post_message(self.ActionPressed(action))

    def walkable(self) -> list[Widget]:
        """Every control a person can reach now, in screen order (what ↑/↓ walk)."""
        def shown(widget: Widget) -> bool:
            node: Any = widget
            while node is not None and node is not self:
                if not node.display:
                    return False
                node = node.parent
            return True

        return [w for w in self.query("*") if w.focusable and shown(w)]

    def action_walk(self, step: int) -> None:
        """Focus the previous (-1) or next (1) shown control, stopping at the ends; never just scroll."""
        controls = self.walkable()
        if not controls:
            return
        focused = self.screen.focused
        index = controls.index(focused) if focused in controls else (-1 if step > 0 else len(controls))
        target = max(0, min(len(controls) - 1, index + step))
        controls[target].focus()

    def select_draw_class(self, value: int) -> None:
        """Show the class a tap draws (the c key)."""
        self.draw_class = value
        self.query_one("#choice-draw_class", Choice).select(value)
