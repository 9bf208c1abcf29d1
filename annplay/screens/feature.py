"""What a playground feature is: an object that owns its keys (BINDINGS), their actions and its own state.

The playground screen composes the widgets, lays them out and routes: a key or a tap runs the action of the
feature whose BINDINGS name it (see ``PlaygroundScreen.__getattr__``), as toolong's LogView leaves each of its
children its own keys. A feature reaches the rest of the screen through its host's small surface: the session,
the other features (``host.run``, ``host.painter``, …), ``apply_layout``, ``refresh_everything``, ``show_keys``,
``notify`` and Textual's own ``query_one``/``app``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding

if TYPE_CHECKING:
    from annplay.core.session import Session
    from annplay.screens.playground import PlaygroundScreen as Host  # typing only: no import cycle
else:
    Host = object


class Feature:
    """A part of the playground with keys: ``BINDINGS`` (Textual bindings) and an ``action_*`` method for each."""

    BINDINGS: ClassVar[list[Binding]] = []

    def __init__(self, host: Host) -> None:
        self.host = host

    @property
    def session(self) -> Session:
        return self.host.session

    def notify(self, message: str, **kwargs: Any) -> None:
        """A notification on the screen's message line."""
        self.host.notify(message, **kwargs)

    def label(self, action: str) -> str | None:
        """The key bar's word for one of this feature's actions now (None: the binding's description)."""
        return None


def action_names(bindings: list[Binding]) -> set[str]:
    """The action names (without parameters) of a list of bindings."""
    return {binding.action.split("(", 1)[0] for binding in bindings}


__all__ = ["Feature", "action_names"]
