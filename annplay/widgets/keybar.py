"""The key bar: the few keys that matter, whole words only, on one line at any width; every key is a tap target."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.strip import Strip
from textual.widget import Widget

GAP = 1                          # cells between two keys


@dataclass(frozen=True)
class BarBinding(Binding):
    """A Textual binding with a rank: shown ones (``show=True``) are the key bar's, the lowest rank kept longest."""

    rank: int = 9
    menu: bool = False           # also a button under MORE in the controls (a key the bar has no room for)


@dataclass(frozen=True)
class Key:
    """One key of the bar: what is shown ('␣', 'Pause'), the action it runs, and how long it stays (rank 0 last)."""

    key: str
    label: str
    action: str
    rank: int = 9
    app: bool = False            # an app action (quit, command palette) rather than the screen's
    widget: str = ""             # or the action of the screen's widget with this id (an open panel's keys)
    tip: str = ""                # shown when the pointer rests on the key

    @property
    def width(self) -> int:
        """Cells the key takes: 'key label'."""
        return Text(f"{self.key} {self.label}").cell_len


def fit_keys(keys: Sequence[Key], width: int) -> list[Key]:
    """The keys that fit in width cells: the lowest ranks first, shown in their given order (never a cut word)."""
    chosen: set[int] = set()
    used = 0
    for index in sorted(range(len(keys)), key=lambda i: (keys[i].rank, i)):
        need = keys[index].width + (GAP if chosen else 0)
        if used + need <= width:
            chosen.add(index)
            used += need
    return [key for i, key in enumerate(keys) if i in chosen]


def keys_of(node: Any, bindings: Iterable[Any], *, app: bool = False) -> list[Key]:
    """Key bar keys for the shown bindings of ``node`` (a screen, or the app with ``app=True``), in their order."""
    keys = []
    for binding in bindings:
        binding = binding if isinstance(binding, Binding) else Binding(*binding)
        if binding.show and binding.description:
            keys.append(Key(node.app.get_key_display(binding), binding.description, binding.action,
                            getattr(binding, "rank", 9), app=app, tip=binding.tooltip))
    return keys


def screen_keys(screen: Any) -> list[Key]:
    """A pushed screen's key bar: its own shown bindings, then the app's (q Quit), generated, never listed twice."""
    return keys_of(screen, screen.BINDINGS) + keys_of(screen.app, screen.app.BINDINGS, app=True)


class KeyBar(Widget, can_focus=False):
    """A one-line bar of keys (like Textual's footer) whose labels can change with the state; a tap runs a key."""

    DEFAULT_CSS = """
    KeyBar { height: 1; width: 1fr; dock: bottom; background: $panel; color: $text; }
    KeyBar > .keybar--key { color: $text-accent; text-style: bold; }
    KeyBar > .keybar--hover { background: $panel-lighten-2; }
    """

    COMPONENT_CLASSES = {"keybar--key", "keybar--hover"}

    def __init__(self, keys: Sequence[Key] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: list[Key] = list(keys)
        self.spans: list[tuple[int, int, Key]] = []        # (first cell, last cell + 1, key) as last drawn
        self.hover: Key | None = None
        self._strip: Strip = Strip([])                      # the drawn bar and what it was drawn from
        self._strip_key: tuple[Any, ...] | None = None

    def set_keys(self, keys: Sequence[Key]) -> None:
        """New keys or labels (a redraw only when something changed)."""
        keys = list(keys)
        if keys != self.keys:
            self.keys = keys
            self.refresh()

    def shown(self, width: int | None = None) -> list[Key]:
        """The keys shown at this width (default: the bar's own)."""
        return fit_keys(self.keys, self.size.width if width is None else width)

    def render_line(self, y: int) -> Strip:
        """The bar as one strip, built again only when the keys, the hover, the width or the colours change (the
        compositor may ask for it every frame: a training frame's dirty regions can include the bar's row)."""
        width = self.size.width
        key = (tuple(self.keys), self.hover, width, self.rich_style)
        if key != self._strip_key:
            strip = Strip(list(Segment.apply_style(self.render().render(self.app.console), self.rich_style)))
            self._strip = strip.crop(0, width).extend_cell_length(width, self.rich_style)
            self._strip_key = key
        return self._strip if y == 0 else Strip.blank(width, self.rich_style)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        hover_style = self.get_component_rich_style("keybar--hover")
        text = Text(no_wrap=True, overflow="crop")
        self.spans = []
        for key in self.shown():
            if text.cell_len:
                text.append(" " * GAP)
            start = text.cell_len
            text.append(key.key, key_style)
            text.append(f" {key.label}")
            if key == self.hover:
                text.stylize(hover_style, start, text.cell_len)
            self.spans.append((start, text.cell_len, key))
        return text

    def key_at(self, x: int) -> Key | None:
        """The key drawn at cell x (None: between keys)."""
        return next((key for start, end, key in self.spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self.key_at(event.x)
        if hover != self.hover:
            self.hover = hover
            self.tooltip = hover.tip or None if hover is not None else None
            self.refresh()

    def on_leave(self) -> None:
        if self.hover is not None:
            self.hover = None
            self.refresh()

    async def on_click(self, event: events.Click) -> None:
        """A tap on a key runs it, as pressing it would."""
        key = self.key_at(event.x)
        if key is None:
            return
        event.stop()
        if key.app:
            await self.app.run_action(key.action)
        elif key.widget:
            for widget in self.screen.query(f"#{key.widget}"):
                await widget.run_action(key.action)
        else:
            await self.screen.run_action(key.action)
