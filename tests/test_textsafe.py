"""textsafe: control characters made visible; markup escaping exact in Rich and in Textual markup."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.markup import render
from textual.markup import to_content

from annplay.core.textsafe import ZWSP, markup_safe, plain, plain_join

HOSTILE = ["[", "[/]", "[bold", "[>x]", "\\[", "[-: no such file]", "[/x]", "x\\", "[#b=:/", "[@click=quit]",
           "[$var]", "\\\\[b]", "[b]bold[/b]", "a]b", "[[x]]"]


def shown_rich(markup: str) -> str:
    return render(markup, emoji=False).plain.replace(ZWSP, "")


def shown_textual(markup: str) -> str:
    return to_content(markup).plain.replace(ZWSP, "")


def test_plain_escapes_terminal_controls() -> None:
    assert plain("\x1b]0;pwned\x07") == "␛]0;pwned␇"
    assert plain("a\x1b[31mred") == "a␛[31mred"
    assert plain("cr\rover") == "cr␍over"
    assert plain("\x00\x7f") == "␀␡"
    assert plain("c1\x9bx") == "c1\\x9bx"
    assert plain("rtl\u202eevil") == "rtl\\u202eevil"
    assert plain("two\nlines\tok") == "two\nlines\tok"
    assert plain("two\nlines\t", one_line=True) == "two␊lines␉"
    assert plain("ünïcode ✓ 中") == "ünïcode ✓ 中"
    assert plain(42) == "42"
    assert plain_join(["a\x1b", "b\nc"]) == "a␛, b␊c"


@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_plain_output_has_no_controls_and_always_encodes(text: str) -> None:
    out = plain(text, one_line=True)
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F for c in out)
    out.encode("utf-8")                                  # lone surrogates would raise here
    assert plain(text).replace("\n", "").replace("\t", "") == plain(text.replace("\n", "").replace("\t", ""))


def test_non_utf8_file_names_are_shown_as_bytes() -> None:
    import os
    name = os.fsdecode(b"model-\xff\xfe.npz")
    assert plain(name) == "model-\\xff\\xfe.npz"
    assert plain("lone \ud800") == "lone \\ud800"


def test_hostile_names_show_exactly_in_rich_and_textual() -> None:
    for text in HOSTILE:
        safe = markup_safe(text)
        for template in ("[b]{}[/b]", "{}", "x {} y", "{}[red]z[/red]"):
            want = template.replace("[b]", "").replace("[/b]", "").replace("[red]", "").replace("[/red]", "")
            assert shown_rich(template.format(safe)) == want.format(text), (text, template)
            assert shown_textual(template.format(safe)) == want.format(text), (text, template)


@settings(max_examples=300)
@given(st.text(alphabet="[]\\/ab@#:=$ -()'\"\x1b", max_size=14))
def test_markup_safe_round_trips_in_both_parsers(text: str) -> None:
    safe = markup_safe(text)
    assert shown_rich(f"[b]{safe}[/b]") == plain(text)
    assert shown_textual(f"[b]{safe}[/b]") == plain(text)


def test_importing_textsafe_does_not_load_rich() -> None:
    code = "import sys, annplay.core.textsafe as t; t.plain('x'); t.markup_safe('[x]'); print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
