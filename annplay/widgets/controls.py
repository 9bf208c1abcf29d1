"""One-line controls that work with keys and taps alike: Choice (◀ value ▶) and ChipSet (toggle chips)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

ARROW_LEFT, ARROW_RIGHT = "◀", "▶"
FOCUS_MARK = "▸"                # the focused control's first cell: visible in every theme and without colour


def _display(value: Any) -> str:
    """How a value reads on screen: numbers without noise, booleans as on/off."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def walk_focus(widget: Widget, step: int) -> None:
    """Focus the previous/next control: the enclosing panel's walk when there is one, else the screen's order."""
    for node in widget.ancestors:
        walk = getattr(node, "action_walk", None)
        if callable(walk):
            walk(step)
            return
    if step < 0:
        widget.screen.focus_previous()
    else:
        widget.screen.focus_next()


class Choice(Widget, can_focus=True):
    """Pick one of a list of values: ←/→, -/+ or enter with focus; tap ◀/▶ (or the label to step on)."""

    DEFAULT_CSS = """
    Choice {
        width: 1fr;
        height: 1;
        padding: 0 0;
    }
    Choice:focus {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    Choice.-disabled-choice {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("left,minus,h", "move(-1)", "Previous", show=False),
        Binding("right,plus,equals_sign,l", "move(1)", "Next", show=False),
        Binding("enter", "cycle", "Next (cycles)", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("up", "walk(-1)", "Previous control", show=False),
        Binding("down", "walk(1)", "Next control", show=False),
    ]

    index: reactive[int] = reactive(0)

    class Changed(Message):
        """The person picked another value (``choice.key`` says what it sets)."""

        def __init__(self, choice: Choice, value: Any) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(self, setting: str, label: str, values: Sequence[Any], value: Any = None, *,
                 labels: Sequence[str] | None = None, label_width: int = 12, wrap: bool = False,
                 id: str | None = None, classes: str | None = None, tooltip: str | None = None,
                 title: str | None = None, key: Any = None) -> None:
        super().__init__(id=id or f"choice-{setting}", classes=classes)
        self.setting = setting
        self.key = setting if key is None else key   # what the choice sets: a setting name, or e.g. ("neurons", 2)
        self.label = label
        self.title = title or label or setting        # how the command palette names it
        self.label_width = max(label_width, len(label) + 2) if label else label_width   # focus mark, gap before ◀
        self.wrap = wrap
        self.values: list[Any] = list(values)
        self.labels: list[str] = list(labels) if labels is not None else [_display(v) for v in self.values]
        self.set_reactive(Choice.index, self._index_of(value))
        if tooltip:
            self.tooltip = tooltip

    def _index_of(self, value: Any) -> int:
        """Index of value in the list (the nearest number for numeric values; 0 if unknown)."""
        if value in self.values:
            return self.values.index(value)
        numeric = [v for v in self.values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if isinstance(value, (int, float)) and numeric:
            best = min(numeric, key=lambda v: abs(v - value))
            return self.values.index(best)
        return 0

    @property
    def value(self) -> Any:
        """The selected value."""
        return self.values[self.index]

    def select(self, value: Any, *, notify: bool = False) -> None:
        """Show value as selected; post Changed only when notify is True."""
        index = self._index_of(value)
        if notify:
            self._set_index(index)
        else:
            self.set_reactive(Choice.index, index)
            self.refresh()

    def set_values(self, values: Sequence[Any], value: Any, labels: Sequence[str] | None = None) -> None:
        """Replace the list of values (and labels) and show value as selected, without a message."""
        self.values = list(values)
        self.labels = list(labels) if labels is not None else [_display(v) for v in self.values]
        self.set_reactive(Choice.index, self._index_of(value))
        self.refresh(layout=True)

    def _set_index(self, index: int) -> None:
        """Move to index and tell the screen."""
        if index != self.index:
            self.index = index
            self.post_message(self.Changed(self, self.value))

    def action_move(self, step: int) -> None:
        """Step through the values, stopping at the ends (unless the choice wraps)."""
        target = self.index + step
        n = len(self.values)
        self._set_index(target % n if self.wrap else max(0, min(n - 1, target)))

    def action_walk(self, step: int) -> None:
        """↑/↓: the previous or next control."""
        walk_focus(self, step)

    def action_cycle(self) -> None:
        """Next value, wrapping around after the last."""
        self._set_index((self.index + 1) % len(self.values))

    def action_jump(self, index: int) -> None:
        """Go to the first (0) or last (-1) value."""
        self._set_index(index % len(self.values))

    def _value_width(self) -> int:
        """Widest value label (so the arrows stay put while stepping)."""
        return max((len(s) for s in self.labels), default=1)

    def render(self) -> Text:
        """``label  ◀ value ▶``."""
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.label and not self.has_focus:
            text.append(" ")
        if self.label:
            label = f"{FOCUS_MARK if self.has_focus else ' '}{self.label}"
            text.append(f"{label:<{self.label_width}}"[: self.label_width], "dim" if not self.has_focus else "")
        elif self.has_focus:
            text.append(FOCUS_MARK)
        first, last = self.index == 0, self.index == len(self.values) - 1
        text.append(ARROW_LEFT, "dim" if first and not self.wrap else "bold")
        text.append(f" {self.labels[self.index]:^{self._value_width()}} ", "bold")
        text.append(ARROW_RIGHT, "dim" if last and not self.wrap else "bold")
        return text

    def get_content_width(self, container: Any, viewport: Any) -> int:
        """Label, arrows and the widest value."""
        return self._arrow_start() + self._value_width() + 4

    def _arrow_start(self) -> int:
        """Column of ◀: after the label, or after the focus mark when there is no label."""
        return self.label_width if self.label else 1

    def on_click(self, event: events.Click) -> None:
        """Tap ◀ for previous, ▶ (or anywhere else) for next; like the keys, taps stop at the ends."""
        event.stop()
        self.focus()
        start = self._arrow_start()
        self.action_move(-1 if start <= event.x <= start + 1 else 1)


class ChipSet(Widget, can_focus=True):
    """A row of on/off chips (e.g. input features): ←/→ move the cursor, enter toggles; tap a chip to toggle."""

    DEFAULT_CSS = """
    ChipSet {
        width: 1fr;
        height: auto;
    }
    ChipSet:focus {
        background: $accent 40%;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("left,h", "cursor(-1)", "Previous chip", show=False),
        Binding("right,l", "cursor(1)", "Next chip", show=False),
        Binding("enter", "toggle_chip", "Toggle chip", show=False),
        Binding("up", "walk(-1)", "Previous control", show=False),
        Binding("down", "walk(1)", "Next control", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class Changed(Message):
        """The selected chips changed (``value``: the selected names in order)."""

        def __init__(self, chips: ChipSet, value: tuple[str, ...]) -> None:
            super().__init__()
            self.chips = chips
            self.value = value

        @property
        def control(self) -> ChipSet:
            return self.chips

    def __init__(self, setting: str, names: Sequence[str], labels: Sequence[str], selected: Sequence[str] = (),
                 *, id: str | None = None, minimum: int = 1) -> None:
        super().__init__(id=id or f"chips-{setting}")
        self.setting = setting
        self.names = list(names)
        self.labels = list(labels)
        self.selected: set[str] = set(selected)
        self.minimum = minimum

    @property
    def value(self) -> tuple[str, ...]:
        """Selected names in registry order."""
        return tuple(n for n in self.names if n in self.selected)

    def select(self, names: Sequence[str]) -> None:
        """Show names as selected (no message)."""
        self.selected = set(names)
        self.refresh()

    def _layout(self, width: int) -> list[list[tuple[int, int, int]]]:
        """Chips per line as (index, x, width), wrapped to width."""
        lines: list[list[tuple[int, int, int]]] = [[]]
        x = 0
        for i, label in enumerate(self.labels):
            w = len(label) + 2
            if x and x + w > width:
                lines.append([])
                x = 0
            lines[-1].append((i, x, w))
            x += w + 1
        return lines

    def render(self) -> Text:
        """Chips, selected ones highlighted, the cursor underlined when focused."""
        text = Text(no_wrap=True)
        for n, line in enumerate(self._layout(max(1, self.size.width))):
            if n:
                text.append("\n")
            for i, x, _w in line:
                if x:
                    text.append(" ")
                on = self.names[i] in self.selected
                style = "bold reverse" if on else "dim"
                if self.has_focus and i == self.cursor:
                    style += " underline"
                text.append(f"{'✓' if on else ' '}{self.labels[i]} ", style)
        return text

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        """As many lines as the chips need at this width."""
        return len(self._layout(max(1, width)))

    def action_cursor(self, step: int) -> None:
        """Move the cursor along the chips."""
        self.cursor = (self.cursor + step) % len(self.names)

    def action_walk(self, step: int) -> None:
        """↑/↓: the previous or next control."""
        walk_focus(self, step)

    def action_toggle_chip(self) -> None:
        """Toggle the chip under the cursor."""
        self.toggle(self.cursor)

    def toggle(self, index: int) -> None:
        """Toggle one chip (keeping at least ``minimum`` selected) and tell the screen."""
        name = self.names[index]
        if name in self.selected:
            if len(self.selected) <= self.minimum:
                self.app.bell()
                return
            self.selected.discard(name)
        else:
            self.selected.add(name)
        self.refresh(layout=True)
        self.post_message(self.Changed(self, self.value))

    def on_click(self, event: events.Click) -> None:
        """Toggle the chip under the tap."""
        event.stop()
        self.focus()
        for n, line in enumerate(self._layout(max(1, self.size.width))):
            if n != event.y:
                continue
            for i, x, w in line:
                if x <= event.x < x + w + 1:
                    self.cursor = i
                    self.toggle(i)
                    return

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
