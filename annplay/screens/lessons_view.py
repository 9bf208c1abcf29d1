"""The Lessons view: every lesson with its goal; enter opens one (the screen's caller applies its set-up).

The goal of the open lesson is checked with :func:`annplay.core.lessons.goal_status` and marked ✓ once reached.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annplay.core.lessons import LESSONS, Lesson, goal_status
from annplay.core.progress import lesson_key, load_passed
from annplay.core.textsafe import plain
from annplay.engine.settings import SETTINGS
from annplay.screens.safe_screen import SafeScreen
from annplay.widgets.keybar import BarBinding, KeyBar, screen_keys
from annplay.widgets.safe_list import SafeOptionList

FRAMED_WIDTH = 84                   # from this width the view is a framed box (80 columns inside) over the playground


def lesson_changes(current: Any, lesson: Lesson) -> dict[str, Any]:
    """The setting changes that turn the current set-up into the lesson's (for ``session.apply``)."""
    return {name: lesson.setup[name] for name in SETTINGS if lesson.setup[name] != current[name]}


def lesson_label(lesson: Lesson) -> str:
    """'3. Spiral', or a teacher's own lesson without a number: 'Own lesson: Title' (never '0.')."""
    title = plain(lesson.title, one_line=True)
    return f"{lesson.number}. {title}" if lesson.number else f"Own lesson: {title}"


def lesson_card(lesson: Lesson, reached: bool | None = None, status: str = "", passed: bool = False) -> Text:
    """Title, text and goal of a lesson, as the student reads them (40 columns); ✓ when reached or passed before."""
    mark = "✓ " if reached or passed else ""
    card = Text(f"{mark}{lesson_label(lesson)}\n", "bold")
    card.append("\n".join(plain(line) for line in lesson.text) + "\n")
    card.append(f"Goal: {plain(lesson.goal_text)}", "bold green" if reached else "bold")
    if status:
        card.append(f"\n{plain(status)}", "green" if reached else "yellow")
    elif passed:
        card.append("\nPassed before ✓", "green")
    return card


class LessonsScreen(SafeScreen, ModalScreen[Lesson | None]):
    """Pick a lesson (enter), or escape; the current lesson's goal is shown checked against the run."""

    DEFAULT_CSS = """
    LessonsScreen { align: center middle; }
    LessonsScreen Toast { display: none; }   /* notes wait on the playground message line, never over the card */
    LessonsScreen > Vertical { width: 100%; height: 100%; background: $surface; padding: 0; }
    LessonsScreen.-framed > Vertical { max-width: 84; border: round $accent; border-title-align: left;
                                       padding: 0 1; }
    LessonsScreen OptionList { height: 1fr; min-height: 4; }
    LessonsScreen #lesson-card { height: auto; max-height: 12; }
    """

    # The view's own key bar is generated from these (the playground's bar under the framed box ran keys it ignores).
    BINDINGS = [BarBinding("escape,l", "dismiss", "Back", key_display="esc", rank=0),
                BarBinding("enter", "open", "Open", key_display="⏎", rank=0, tooltip="open the highlighted lesson")]

    def __init__(self, current: Lesson | None = None, setup: Any = None, metrics: Any = None,
                 start: Lesson | None = None, tampered: Any = ()) -> None:
        super().__init__()
        self.open_lesson = current
        self.start = start if start is not None else current       # highlighted first (the next once one is passed)
        self.run_setup = setup
        self.run_metrics = metrics
        self.run_tampered = tampered                               # Session.tampered: see goal_status
        # the shipped lessons, then the open one when it is a teacher's own file
        self.choices: tuple[Lesson, ...] = LESSONS if current is None or current in LESSONS else (*LESSONS, current)
        self.passed = load_passed()                              # ✓ beside every lesson passed before

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = "Lessons"
            yield Static(id="lesson-card")
            yield SafeOptionList(*[Option(Text(("✓ " if lesson_key(lesson) in self.passed else "  ")
                                               + lesson_label(lesson)), id=f"lesson-{i}")
                                   for i, lesson in enumerate(self.choices)], id="lesson-list")
        yield KeyBar(screen_keys(self))              # whole keys only, generated from the bindings

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.highlighted = self.choices.index(self.start) if self.start in self.choices else 0
        listing.focus()
        self.show(self.choices[listing.highlighted or 0])
        self.set_class(self.size.width >= FRAMED_WIDTH, "-framed")
        self.call_after_refresh(listing.scroll_to_highlight)    # once the card's height is known

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= FRAMED_WIDTH, "-framed")   # wider than the card: a frame around it
        self.call_after_refresh(self.query_one(OptionList).scroll_to_highlight)

    def show(self, lesson: Lesson) -> None:
        """The card of the highlighted lesson (with its goal checked when it is the open one)."""
        reached, status = None, ""
        if lesson == self.open_lesson and self.run_setup is not None:
            reached, status = goal_status(lesson, self.run_setup, self.run_metrics, self.run_tampered)
        self.query_one("#lesson-card", Static).update(lesson_card(lesson, reached, status,
                                                                  passed=lesson_key(lesson) in self.passed))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show(self.choices[event.option_index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index])

    def action_open(self) -> None:
        """Open the highlighted lesson (⏎ on the list does the same; this is the key bar's tap)."""
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss(self.choices[highlighted])

    async def action_dismiss(self, result: Any = None) -> None:
        self.dismiss(None)


__all__ = ["LessonsScreen", "lesson_changes", "lesson_card", "lesson_label"]
