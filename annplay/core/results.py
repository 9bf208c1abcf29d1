"""Result files of ``annplay sweep`` and ``annplay tune`` (--json, --csv): which existing files they may replace.

A result replaces only an empty file or an earlier annplay result, never the --data file, never another output of
the same command and never anything else (a CSV of data, a model): a typo must not destroy a file, as ``--save``
already ensures for models. Checked before any training, so a refused name costs nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from annplay.core.sweep import CSV_COLUMNS
from annplay.engine.safefile import check_save_target

HEAD_BYTES = 256               # a result announces itself in its first line or two
_JSON_HEAD = re.compile(rb'\A\s*\{\s*"format"\s*:\s*"annplay-(sweep|tune)"')
_CSV_HEAD = ",".join(CSV_COLUMNS).encode()


def is_result(path: Path, kind: str) -> bool:
    """True for an empty file, or one that starts like an annplay sweep/tune JSON (kind "json") or a sweep CSV
    (kind "csv"): a JSON result never replaces a CSV one, nor the reverse."""
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    if not head.strip():
        return True
    if kind == "json":
        return bool(_JSON_HEAD.match(head))
    return head.splitlines()[0].strip().lstrip(b"\xef\xbb\xbf") == _CSV_HEAD


def _same(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return Path(a).exists() and Path(b).exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_result_targets(targets: Sequence[tuple[str, str | None]], data: str | None = None) -> None:
    """ValueError (one line naming the flag and the file) unless every (flag, path) given can take a result; a
    flag is --json or --csv.

    ``data``: the run's --data file, which no result may replace; "-" (stdout) targets are skipped."""
    given = [(flag, path) for flag, path in targets if path not in (None, "-")]
    for i, (flag, path) in enumerate(given):
        assert path is not None
        target = check_save_target(path, what=flag)
        for other_flag, other in given[:i]:
            assert other is not None
            if os.path.abspath(other) == os.path.abspath(path) or _same(other, path):
                raise ValueError(f"{flag} {path}: {other_flag} names the same file; give each its own name")
        if data is not None and _same(data, target):
            raise ValueError(f"{flag} {path}: is the --data file; writing the results would destroy it")
        if target.is_file():
            try:
                ours = is_result(target, flag.lstrip("-"))
            except OSError as exc:
                raise ValueError(f"{flag} {path}: cannot read it to check it ({exc.strerror or exc})") from None
            if not ours:
                what = "sweep or tune JSON" if flag == "--json" else "sweep CSV"
                raise ValueError(f"{flag} {path}: exists and is not an annplay {what} result; "
                                 "choose another name or remove the file first")
