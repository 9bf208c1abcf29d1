"""An OptionList that survives paging before it is laid out (Textual 8.2.x, seen on 8.2.8).

`OptionList._move_page` looks up `_index_to_line[highlighted]` before the list's lines exist and raises
`KeyError: 0` when pageup/pagedown arrive at once after the options change. Ignoring the page key then is
what a person would expect anyway.
"""

from __future__ import annotations

from textual.widgets import OptionList


class SafeOptionList(OptionList):
    """OptionList whose page keys do nothing until its lines exist."""

    def _laid_out(self) -> bool:
        highlighted = self.highlighted
        return highlighted is None or (bool(self._lines) and highlighted in self._index_to_line)

    def action_page_up(self) -> None:
        if self._laid_out():
            super().action_page_up()

    def action_page_down(self) -> None:
        if self._laid_out():
            super().action_page_down()


def one_row(head: str, parts: list[str], width: int, sep: str = " · ", join: str = ", ") -> str:
    """An option's text in one row of ``width`` cells: ``head`` (the numbers) whole, then as many whole ``parts``
    (the settings) as fit, '…' for the rest; a list's row never wraps (at 40 columns it wrapped mid-number)."""
    text = head
    for i, part in enumerate(parts):
        joined = f"{text}{sep if i == 0 else join}{part}"
        last = i == len(parts) - 1
        if len(joined) + (0 if last else len(join.rstrip()) + 2) > width:      # room for ' …' after it
            mark = f"{(sep if i == 0 else join).rstrip()} …"
            return text + mark if len(text) + len(mark) <= width else text
        text = joined
    return text
