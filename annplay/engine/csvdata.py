"""CSV loading, streamed: read once in chunks, only the chosen columns typed into preallocated float arrays,
missing values dropped, line-numbered errors. Memory: the kept values plus one chunk of rows.
With no ``x`` given, the numeric feature columns are chosen from the first chunk of rows (read by csv).
After it, quote-free regular blocks are typed on their bytes (:class:`_Block`: separators found in one pass,
plain decimals by integer arithmetic on 8 bytes at a time, label columns by their distinct cells); anything else
goes through csv, line by line.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TextIO

import numpy as np

from .dataset import Dataset
from .safefile import open_regular

MISSING = frozenset({"", "na", "nan", "n/a"})  # compared after strip().lower()
MAX_INT_CLASSES = 10  # a numeric label column with at most this many integer values is a class label
MAX_TEXT_CLASSES = 1000  # a text label column with more distinct values is refused
CHUNK_ROWS = 1 << 14
NAMED_ROWS = 1 << 10  # rows read by csv with the header when the columns are named (nothing to sniff)
CHUNK_CHARS = 1 << 23  # a chunk ends after this many characters too (wide rows)
MAX_LINE = 1 << 20  # characters in one line; longer lines are refused before they are held whole
FAST_CHARS = 1 << 20  # a fast-path block: typed column by column on its bytes, never split into strings
FAST_CELL = 24        # fast-path cells longer than this are typed one by one
_FAST_MISSING = frozenset({"", "NA", "na", "NaN", "nan", "N/A", "n/a", "NAN", "Na"})
_POW10 = np.array([float(10 ** k) for k in range(23)])   # exact: 10**22 < 2**53 * 2**22
Array = np.ndarray


class DataError(ValueError):
    """A CSV file that cannot be used; the message names the file, line and column."""


def _is_missing(cell: str) -> bool:
    """True for the cells treated as missing values: empty, NA, NaN, N/A (any case, spaces around)."""
    return cell.strip().lower() in MISSING


def _parse_float(cell: str) -> float | None:
    """The cell as a float, or None if it is not a number."""
    try:
        return float(cell.strip())
    except ValueError:
        return None


def _cell_error(fname: str, line: int, column: str, cell: str, what: str) -> DataError:
    """A DataError in the editor-style 'file line N, column 'c': ...' format."""
    shown = cell.strip() if len(cell.strip()) <= 60 else cell.strip()[:57] + "..."
    return DataError(f"{fname} line {line}, column {column!r}: {shown!r} {what}")


@dataclass
class _Chunk:
    """Non-blank data rows read together, with what is needed to name their lines.

    A block read on the fast path (see :meth:`_RowReader.chunks`) keeps its bytes instead (``fast``), and
    ``rows`` is empty.
    """
    rows: list[list[str]]
    raw: list[list[str]]                 # the rows as read, blank ones included
    start_line: int                      # csv line number before the first raw row
    single_lines: bool                   # every raw row took exactly one line
    positions: list[int] | None          # raw index of each row (None: rows is raw)
    fast: _Block | None = None           # the fast path's bytes

    @property
    def n(self) -> int:
        """The number of data rows."""
        return self.fast.n if self.fast is not None else len(self.rows)

    def column(self, j: int) -> list[str]:
        """The cells of column ``j``, one per row."""
        if self.fast is not None:
            return self.fast.cells(j)
        return [r[j] for r in self.rows]

    def cell(self, i: int, j: int) -> str:
        """The cell of row ``i``, column ``j``."""
        return self.fast.cell(i, j) if self.fast is not None else self.rows[i][j]

    def floats(self, j: int) -> tuple[Array, Array, Array, Array]:
        """:func:`_floats` of column ``j``."""
        return self.fast.floats(j) if self.fast is not None else _floats(self.column(j))

    def line(self, i: int) -> int:
        """The line where row ``i`` ends (like csv's line_num), counting line breaks inside quoted cells."""
        index = self.positions[i] if self.positions is not None else i
        if self.single_lines:
            return self.start_line + index + 1
        breaks = sum(c.count("\n") + c.count("\r") - c.count("\r\n") for r in self.raw[:index + 1] for c in r)
        return self.start_line + index + 1 + breaks


_WORD = 8                                    # bytes in a uint64: a cell is read as 1 to 3 little-endian words
_ALL = np.uint64(2 ** 64 - 1)
_BYTES = np.uint64(0x0101010101010101)       # 1 in every byte
_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)        # every byte but its top bit
_HIGH = np.uint64(0x8080808080808080)        # the top bit of every byte
_ZEROS = np.uint64(0x3030303030303030)       # '0' in every byte: x ^ _ZEROS turns digits into 0–9
_DOT = np.uint64(0x1E1E1E1E1E1E1E1E)         # ord('.') ^ ord('0') in every byte
_TENS = np.uint64(0x7676767676767676)        # 0x80 − 10 in every byte: adding it sets the top bit of bytes ≥ 10
_POW10_INT = np.array([10 ** k for k in range(17)], np.uint64)


class _Scratch:
    """Work arrays reused from block to block: a fresh array of a block's size costs more (in page faults and cache
    misses) than the arithmetic done on it, so the fast path works in place in arrays that live with the reader."""

    def __init__(self) -> None:
        self._arrays: dict[str, Array] = {}

    def __call__(self, name: str, n: int, dtype: type = np.uint64) -> Array:
        """The first ``n`` elements of the work array ``name`` (contents undefined)."""
        a = self._arrays.get(name)
        if a is None or a.size < n or a.dtype != dtype:
            a = self._arrays[name] = np.empty(n, dtype)
        return a[:n]


class _Text:
    """A block's bytes, as ``raw`` (uint8) and as ``words``: the same memory as aligned little-endian uint64, with
    16 zero bytes in front, so that the 8 bytes before any offset are two aligned words and a shift away."""

    def __init__(self, data: bytes) -> None:
        self.words = np.zeros(len(data) // _WORD + 4, "<u8")
        self.raw = self.words.view(np.uint8)[2 * _WORD:2 * _WORD + len(data)]
        self.raw[:] = np.frombuffer(data, np.uint8)

    def before(self, end: Array, out: Array, scratch: _Scratch) -> Array:
        """The 8 bytes before each offset ``end`` (≥ −8) as one word each, the first byte the lowest, into ``out``
        (working in ``scratch``'s "blank", "shift" and "work")."""
        q, r, high = scratch("blank", end.size, np.intp), scratch("shift", end.size), scratch("work", end.size)
        np.add(end, _WORD, out=q)                       # the first byte's offset in ``words``' bytes
        np.bitwise_and(q, 7, out=r, casting="unsafe")
        r <<= np.uint64(3)                              # its bit offset in its word
        q >>= 3
        np.take(self.words, q, out=out)
        out >>= r
        q += 1
        np.take(self.words, q, out=high)
        np.subtract(np.uint64(64), r, out=r)
        high <<= r                                      # a shift by 64 gives 0
        out |= high
        return out


def _cell_word(text: _Text, end: Array, count: Array, words: int, i: int, scratch: _Scratch) -> tuple[Array, Array]:
    """Word ``i`` of the cells of ``count`` bytes that end at ``end``, each right-aligned in ``words`` little-endian
    uint64 words, the first the leftmost: (the word, a mask of the cell's bytes in it), both 0 before the cell."""
    n = end.size
    blank = scratch("blank", n, np.intp)
    np.subtract(_WORD * (words - i), count, out=blank)
    np.clip(blank, 0, _WORD, out=blank)                 # the word's bytes before the cell
    mask = scratch("mask", n)
    np.multiply(blank, 8, out=mask, casting="unsafe")
    np.left_shift(_ALL, mask, out=mask)                 # 0 in those bytes (a shift by 64 gives 0)
    word = text.before(end - _WORD * (words - 1 - i), scratch(f"word{i}", n), scratch)
    word &= mask
    return word, mask


def _byte_sum(flags: Array, out: Array) -> Array:
    """The sum of each word's bytes (each 0 or 1), into ``out``: one multiplication adds them into the top byte."""
    np.multiply(flags, _BYTES, out=out)
    out >>= np.uint64(56)
    return out


def _digits_and_dot(d: Array, mask: Array, at_dot: Array, work: Array) -> Array:
    """Turn the cell's bytes of word ``d`` into digits in place (the dot's byte into 0) and flag the dot's byte
    with a 1 in ``at_dot``; returns whether every byte is then a digit (any other byte, turned, is ≥ 10)."""
    mask &= _ZEROS
    d ^= mask                                            # '0'–'9' become 0–9; the bytes before the cell stay 0
    np.bitwise_xor(d, _DOT, out=work)                    # 0 in each byte that held '.'
    np.bitwise_and(work, _LOW7, out=at_dot)
    at_dot += _LOW7
    at_dot |= work
    np.invert(at_dot, out=at_dot)
    at_dot &= _HIGH
    at_dot >>= np.uint64(7)                              # 1 in each byte that held '.', else 0
    np.multiply(at_dot, np.uint64(0xFF), out=work)
    np.invert(work, out=work)
    d &= work                                            # the dot's byte becomes 0
    np.bitwise_and(d, _LOW7, out=work)
    work += _TENS
    work |= d
    work &= _HIGH                                        # the top bit of each byte ≥ 10: not a digit
    return work == 0


def _drop_dot(d: Array, at_dot: Array, shift: Array, work: Array) -> None:
    """Move the digits below the dot's byte one byte up, into its place (``shift``: 8 where the cell has a dot, else
    0), leaving the word's lowest byte 0; a word with no dot of its own moves whole."""
    np.subtract(at_dot, np.uint64(1), out=work)          # the bytes below the dot (all of them if none)
    work &= d
    d ^= work
    work <<= shift
    d |= work


def _swar_digits(d: Array, work: Array) -> Array:
    """The integer written by each word's 8 digit bytes (0–9), the first (lowest) byte the most significant, in
    place of ``d``: pairs, then fours, then all eight, one multiplication each (SIMD within a register)."""
    for shift, times, keep in ((8, 10, 0x00FF00FF00FF00FF), (16, 100, 0x0000FFFF0000FFFF), (32, 10000, 0xFFFFFFFF)):
        np.right_shift(d, np.uint64(shift), out=work)
        d *= np.uint64(times)
        d += work
        d &= np.uint64(keep)
    return d


def _decimals(text: _Text, start: Array, end: Array, scratch: _Scratch | None = None) -> tuple[Array, Array]:
    """(values, ok) of cells ``raw[start:end]`` of the form [-]digits[.digits], 15 characters at most after the
    sign, typed without a string per cell; ``ok`` is False where a cell has another form (typed one by one).

    Each cell is read as one or two right-aligned 8-byte words (:func:`_cell_word`) and worked on eight bytes at a
    time: its bytes become digits 0–9, where anything else refuses the cell, and its dot is found
    (:func:`_digits_and_dot`) and dropped (:func:`_drop_dot`); the digits left are one integer N
    (:func:`_swar_digits`), exact below 10**15.  With k digits after the dot, N / 10**k (two exact doubles) is
    correctly rounded, as float()'s result is.  Every step works in place, in ``scratch``'s arrays.
    """
    scratch = scratch or _Scratch()
    n = start.size
    neg = text.raw.take(start) == 45                     # '-'; an empty cell's start is its comma or newline
    count = scratch("count", n, np.intp)
    np.subtract(end, start, out=count)
    count -= neg
    ok = count >= 1
    ok &= count <= 15
    count *= ok
    words = 1 if int(count.max(initial=0)) <= _WORD else 2
    work, dots, k, shift = scratch("work", n), scratch("dots", n), scratch("k", n), scratch("shift", n)
    cells = []                                           # (digits, dot flags) of each word
    for i in range(words):
        d, mask = _cell_word(text, end, count, words, i, scratch)
        at_dot = scratch(f"dot{i}", n)
        ok &= _digits_and_dot(d, mask, at_dot, work)
        cells.append((d, at_dot))
    k[:] = 0                                             # digits after the dot
    dots[:] = 0
    for i, (_, at_dot) in enumerate(cells):
        dots += _byte_sum(at_dot, work)
        if i < words - 1:                                # a dot in the first word has 8 more digits after it
            work *= np.uint64(_WORD)
            k += work
        np.multiply(at_dot, _BYTES, out=work)            # 1 in every byte from the dot's to the word's end ...
        k += _byte_sum(work, work)                       # ... whose count is 8 − the dot's place
    k -= dots
    ok &= dots <= 1
    ok &= count > dots.astype(count.dtype)
    if words == 2:                                       # a dot in the second word: the first moves whole, its
        (d0, dot0), (d1, dot1) = cells                   # top digit into the second's lowest byte
        carry = scratch("mask", n)
        np.right_shift(d0, np.uint64(56), out=carry)
        carry *= _byte_sum(dot1, work)
        np.multiply(dots, np.uint64(8), out=shift)
        _drop_dot(d0, dot0, shift, work)
        np.multiply(_byte_sum(dot1, shift), np.uint64(8), out=shift)
        _drop_dot(d1, dot1, shift, work)
        d1 |= carry
        N = _swar_digits(d0, work)
        N *= np.uint64(10 ** _WORD)
        N += _swar_digits(d1, work)
    else:
        (d0, dot0), = cells
        np.multiply(dots, np.uint64(8), out=shift)
        _drop_dot(d0, dot0, shift, work)
        N = _swar_digits(d0, work)
    k *= ok                                              # (refused cells: any k will do)
    values = N.astype(np.float64)
    values /= _POW10[k.astype(np.intp)]
    values *= 1.0 - 2.0 * neg
    return values, ok


class _Block:
    """A quote-free block of whole lines of ``width`` cells, kept as bytes: a cell is found from the positions
    of the commas and line ends, and a column is typed without making a Python string per cell."""

    def __init__(self, text: _Text, seps: Array, scratch: _Scratch | None = None,
                 known: dict[int, Array] | None = None) -> None:
        self.text, self.raw = text, text.raw
        self.seps = seps                                   # row i: the offsets of its commas, then of its line end
        self.n, self.width = seps.shape
        self.scratch = scratch or _Scratch()
        self.known = {} if known is None else known        # column -> distinct short cells of earlier blocks

    def bounds(self, j: int) -> tuple[Array, Array]:
        """Byte offsets (start, end) of column ``j``'s cells, each a contiguous array."""
        start = np.empty(self.n, np.intp)
        if j:
            np.add(self.seps[:, j - 1], 1, out=start)
        else:
            start[0] = 0
            np.add(self.seps[:-1, -1], 1, out=start[1:])
        return start, np.ascontiguousarray(self.seps[:, j])

    def cell(self, i: int, j: int) -> str:
        """The cell of row ``i``, column ``j``."""
        start = int(self.seps[i, j - 1]) + 1 if j else (int(self.seps[i - 1, -1]) + 1 if i else 0)
        return self.raw[start:int(self.seps[i, j])].tobytes().decode()

    def cells(self, j: int, rows: Array | None = None) -> list[str]:
        """The cells of column ``j`` (of ``rows`` only, if given) as strings."""
        start, end = self.bounds(j)
        if rows is not None:
            start, end = start[rows], end[rows]
        raw = self.raw.tobytes() if rows is None else self.raw         # a few cells: no copy of the block
        return [bytes(raw[a:b]).decode() for a, b in zip(start.tolist(), end.tolist(), strict=True)]

    def floats(self, j: int) -> tuple[Array, Array, Array, Array]:
        """:func:`_floats` of column ``j``: plain decimals on bytes, the other cells one by one."""
        start, end = self.bounds(j)
        values, ok = _decimals(self.text, start, end, self.scratch)
        flags = np.zeros((3, self.n), dtype=bool)         # missing, text, infinite
        other = np.flatnonzero(~ok)
        if other.size:                                    # e.g. 17 digits or an exponent: NumPy's parser
            grid = self._grid(start[other], end[other])
            try:
                values[other] = np.inf if grid is None else grid.astype(np.float64)
            except ValueError:                            # text or a missing marker among them
                values[other] = np.inf
            odd = other[~np.isfinite(values[other])]
            if odd.size:                                  # missing, text, infinite: one by one
                values[odd], flags[0, odd], flags[1, odd], flags[2, odd] = _floats(self.cells(j, odd))
        return values, flags[0], flags[1], flags[2]

    def _grid(self, start: Array, end: Array) -> Array | None:
        """The cells ``raw[start:end]`` as a NumPy bytes array; None when one is longer than FAST_CELL."""
        length = end - start
        width = int(length.max(initial=0))
        if width > FAST_CELL:
            return None
        place = np.arange(max(width, 1))
        grid = np.where(place < length[:, None], self.raw[np.minimum(start[:, None] + place, self.raw.size - 1)], 0)
        return grid.astype(np.uint8).view(f"S{place.size}").ravel()

    def distinct(self, j: int) -> tuple[list[str], Array] | None:
        """(the distinct cells of column ``j``, each row's index into them); None when a cell is long.

        Cells of up to 8 bytes are compared as one word each (the bytes before a cell are 0, and a cell holds no
        NUL, so equal words are equal cells); longer ones as NumPy bytes."""
        start, end = self.bounds(j)
        count = end - start
        if int(count.max(initial=0)) <= _WORD:
            keys = _cell_word(self.text, end, count, 1, 0, self.scratch)[0]
            seen = self.known.get(j)
            cells = seen if seen is not None and np.isin(keys, seen).all() else np.unique(keys)
            self.known[j] = cells                            # (the next blocks usually hold the same cells)
            names = [key.to_bytes(_WORD, "little").lstrip(b"\0").decode() for key in cells.tolist()]
        else:
            grid = self._grid(start, end)
            if grid is None:
                return None
            keys, cells = grid, np.unique(grid)
            names = [c.decode() for c in cells.tolist()]
        return names, np.searchsorted(cells, keys)       # each row's place among the few found: quicker than
                                                         # unique's sort of every row


def _is_blank(row: list[str]) -> bool:
    """A blank line, or one holding only spaces."""
    return not row or (len(row) == 1 and not row[0].strip())


def _make_chunk(raw: list[list[str]], start: int, single: bool, skip: int) -> _Chunk:
    """The non-blank rows of ``raw[skip:]``."""
    if skip or min(map(len, raw)) <= 1:
        positions = [i for i in range(skip, len(raw)) if not _is_blank(raw[i])]
        return _Chunk([raw[i] for i in positions], raw, start, single, positions)
    return _Chunk(raw, raw, start, single, None)


class _RowReader:
    """csv rows of a file, in chunks; the header is the first non-blank row. Errors become DataError."""
    def __init__(self, path: Path) -> None:
        self.path, self.fname = path, path.name
        try:                                            # FIFOs, devices and folders are refused unopened
            binary = open_regular(path, "--data")
        except ValueError as exc:
            raise DataError(str(exc).removeprefix("--data ")) from None
        self.fh: TextIO = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")   # BOM dropped
        self.reader = csv.reader(self._lines())
        self._first: _Chunk | None = None
        self.chars = 0
        self.width = 0                  # the header's: blocks whose every line has this many cells go fast
        self.offset = 0                 # lines read by the fast path, which csv's line_num does not count
        self._pending = ""              # text the fast path read but handed back to csv (quotes, odd lines)
        self._head = ""                 # the start of a line the fast path read past its block
        self.scratch = _Scratch()       # the fast path's work arrays, reused from block to block
        self.known: dict[int, Array] = {}   # the distinct short label cells of the fast blocks so far, by column

    def _lines(self) -> Iterator[str]:
        """The file's lines for csv, counted; a line over MAX_LINE characters is refused unread.

        Text the fast path read and handed back (``_pending``) comes first, split the way the file is.
        """
        readline = self.fh.readline
        while True:
            if self._pending:
                pending, self._pending = self._pending, ""
                for line in io.StringIO(pending, newline=""):     # \n, \r and \r\n, as the file is read
                    if line[-1] not in "\r\n" and len(line) < MAX_LINE:   # unfinished: the file holds the rest
                        line += readline(MAX_LINE - len(line))
                    yield self._counted(line)
                continue
            line = readline(MAX_LINE)
            if not line:
                return
            yield self._counted(line)

    def _counted(self, line: str) -> str:
        if len(line) >= MAX_LINE and line[MAX_LINE - 1] not in "\r\n":
            raise DataError(f"{self.fname} line {self.offset + self.reader.line_num + 1}: a line over "
                            f"{MAX_LINE:,} characters")
        self.chars += len(line)
        return line

    def first_rows(self) -> list[list[str]]:
        """The first chunk's data rows (read by :meth:`header`): what column typing looks at."""
        return self._first.rows if self._first is not None else []

    def _read(self, rows: int | None = None) -> tuple[list[list[str]], int, bool]:
        """(raw rows, line before them, whether each took one line): ``rows`` (CHUNK_ROWS) or CHUNK_CHARS."""
        start, self.chars = self.reader.line_num, 0
        limit = min(rows or CHUNK_ROWS, CHUNK_ROWS)
        raw: list[list[str]] = []
        try:
            for row in self.reader:
                raw.append(row)
                if len(raw) >= limit or self.chars >= CHUNK_CHARS:
                    break
        except UnicodeDecodeError as exc:
            raise DataError(f"{self.fname}: not a UTF-8 text file ({exc.reason})") from None
        except csv.Error as exc:
            raise DataError(f"{self.fname} line {self.offset + self.reader.line_num}: not valid CSV ({exc})") from None
        except OSError as exc:
            raise DataError(f"{self.path}: cannot read ({exc.strerror or exc})") from None
        return raw, self.offset + start, self.reader.line_num - start == len(raw)

    def header(self, sample: int | None = None) -> list[str]:
        """The stripped header cells; an empty file is a DataError.  The first chunk of data rows, read with it
        by csv, is ``sample`` rows (CHUNK_ROWS): what picks the feature columns when none are named."""
        while True:
            raw, start, single = self._read(sample)
            if not raw:
                raise DataError(f"{self.fname} is empty: a header row of column names is required")
            for i, row in enumerate(raw):
                if not _is_blank(row):
                    self.width = len(row)
                    self._first = _make_chunk(raw, start, single, i + 1)
                    while not self._first.rows and raw:          # blank lines only so far: find data
                        raw, start, single = self._read(sample)
                        if raw:
                            self._first = _make_chunk(raw, start, single, 0)
                    return [c.strip() for c in row]

    def _block(self) -> _Chunk | None | bool:
        """The next block of whole lines as a fast chunk; None at the end; False when csv must read it.

        Fast: no quote, NUL or lone carriage return, every line ``width`` cells and at most MAX_LINE long;
        then the cells are exactly what csv would give, found from the positions of commas and line ends.
        Anything else goes back to csv (the block text is handed to its line reader), which reads it as before.
        """
        data = self._head + self.fh.read(FAST_CHARS)
        if not data:
            return None
        cut = data.rfind("\n") + 1
        data, self._head = data[:cut], data[cut:]          # the start of the next line waits for the next block
        text = data
        if "\r" in data and data.count("\r") == data.count("\r\n"):
            data = data.replace("\r\n", "\n")
        block = None
        if data and "\r" not in data and '"' not in data and "\x00" not in data:
            block = self._regular(data.encode())
        if block is None:
            self._pending, self._head = text + self._head, ""
            return False
        chunk = _Chunk([], [], self.offset + self.reader.line_num, True, None, block)
        self.offset += block.n
        return chunk

    def _regular(self, data: bytes) -> _Block | None:
        """``data`` as a block when every line has ``width`` cells, none is blank and none is over MAX_LINE.

        The separators (commas and line ends) are found in one pass: when there are ``width`` per line and every
        ``width``-th is a line end, every line has exactly ``width`` − 1 commas.
        """
        if self.width < 2:
            return None
        text = _Text(data)
        raw = text.raw
        lines = int(np.count_nonzero(raw == 10))
        is_sep = raw == 44
        is_sep |= raw == 10
        found = np.flatnonzero(is_sep)
        del is_sep
        if lines == 0 or found.size != lines * self.width:
            return None
        seps = found.reshape(lines, self.width)            # row i: its commas, then its line end
        ends = seps[:, -1]
        if not (raw[ends] == 10).all() or np.diff(ends, prepend=-1).max() > MAX_LINE:   # bytes with the end ≥ chars
            return None
        return _Block(text, seps, self.scratch, self.known)

    def chunks(self) -> Iterator[_Chunk]:
        """Chunks of non-blank data rows, in file order: quote-free regular blocks on the fast path, the rest
        through csv, line by line."""
        if self._first is not None and self._first.rows:
            yield self._first
        self._first = None
        fast = True
        while fast:
            block = self._block()
            if block is None:
                return
            if isinstance(block, bool):
                fast = False
                break
            yield block
        while True:
            raw, start, single = self._read()
            if not raw:
                return
            chunk = _make_chunk(raw, start, single, 0)
            del raw                                    # dropped before the next read: one chunk in memory
            if chunk.rows:
                yield chunk
            del chunk


def _floats(cells: Sequence[str]) -> tuple[Array, Array, Array, Array]:
    """(values, missing, text, infinite) for one column; values are NaN where the cell is not a finite number."""
    n = len(cells)
    try:                                                  # NumPy's C parser; missing markers retried as NaN
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        try:
            values = np.array([c if c not in _FAST_MISSING else "nan" for c in cells], dtype=np.float64)
        except ValueError:
            values = np.full(n, np.inf)                   # every cell is looked at below
    flags = np.zeros((3, n), dtype=bool)                  # missing, text, infinite
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        cell, value = cells[i], _parse_float(cells[i])
        if cell in _FAST_MISSING or _is_missing(cell):
            flags[0, i] = True
        elif value is None or not math.isfinite(value):
            flags[1 if value is None else 2, i] = True
        else:
            values[i] = value
            continue
        values[i] = np.nan
    return values, flags[0], flags[1], flags[2]


def _is_numeric_column(cells: Sequence[str]) -> bool:
    """A column is numeric when most of its non-missing cells parse as numbers."""
    _, missing, text, _ = _floats(cells)
    present = len(cells) - int(missing.sum())
    return present > 0 and (present - int(text.sum())) * 2 > present


class _Grow:
    """A preallocated rows×capacity array that grows by half when full."""
    def __init__(self, rows: int, capacity: int, dtype: type) -> None:
        self.data: Array = np.empty((rows, max(capacity, 16)), dtype=dtype)
        self.n = 0

    def add(self, block: Array) -> None:
        k = block.shape[1]
        if self.n + k > self.data.shape[1]:
            bigger = np.empty((self.data.shape[0], max(self.n + k, int(self.data.shape[1] * 1.5))), self.data.dtype)
            bigger[:, :self.n] = self.data[:, :self.n]
            self.data = bigger
        self.data[:, self.n:self.n + k] = block
        self.n += k

    def result(self) -> Array:                     # a view when the estimate was close: no second copy
        return self.data[:, :self.n] if self.n * 10 >= self.data.shape[1] * 9 else self.data[:, :self.n].copy()


@dataclass
class _Labels:
    """The label column as it streams: a number per row, and text codes while there are few distinct cells."""
    values: _Grow
    codes: _Grow
    texts: dict[str, int] = field(default_factory=dict)     # raw cell -> code
    kinds: list[int] = field(default_factory=list)          # per code: 0 number, 1 text, 2 inf
    numbers: list[float] = field(default_factory=list)      # per code: its value (NaN for text)
    too_many: bool = False
    numeric: int = 0                                        # kept cells that are numbers (finite or not)
    first: dict[int, tuple[int, str]] = field(default_factory=dict)   # kind -> (line, cell) of its first row

    def _codes(self, cells: list[str]) -> Array | None:
        """A code per cell (new distinct cells get new codes), or None once there are too many to be classes."""
        get = self.texts.get
        try:                                                # every cell known: one C-level pass
            return np.fromiter(map(get, cells), dtype=np.int64, count=len(cells))
        except TypeError:                                   # a new cell (get gave None)
            pass
        codes = [get(c, -1) for c in cells]
        if -1 in codes:
            for c in cells:
                if get(c) is None:
                    value = _parse_float(c)
                    self.texts[c] = len(self.kinds)
                    self.kinds.append(3 if _is_missing(c) else 1 if value is None else 0 if math.isfinite(value) else 2)
                    self.numbers.append(value if value is not None and self.kinds[-1] == 0 else np.nan)
            if len(self.texts) > MAX_TEXT_CLASSES:
                self.too_many, self.texts = True, {}
                return None
            codes = [get(c, -1) for c in cells]
        return np.array(codes, dtype=np.int64)

    def read(self, chunk: _Chunk, j: int) -> Array:
        """Type one chunk's label cells (column ``j``); returns which are missing (their rows are dropped)."""
        self._cell = partial(chunk.cell, j=j)
        codes = None
        if chunk.fast is not None and not self.too_many:   # each distinct cell typed once
            found = chunk.fast.distinct(j)
            if found is not None and len(found[0]) > MAX_TEXT_CLASSES:
                self.too_many, self.texts = True, {}
            elif found is not None:
                known = self._codes(found[0])
                codes = None if known is None else known[found[1]]
        elif not self.too_many:
            codes = self._codes(chunk.column(j))
        if codes is not None:
            self._kinds, self._values = np.array(self.kinds, np.int8)[codes], np.array(self.numbers)[codes]
        else:
            values, missing, text, infinite = chunk.floats(j)
            self._kinds = (text + 2 * infinite.astype(np.int8) + 3 * missing.astype(np.int8)).astype(np.int8)
            self._values = values
        self._row_codes = codes
        return self._kinds == 3

    def add(self, chunk: _Chunk, keep: Array) -> None:
        """Store the kept rows of the chunk last :meth:`read`; remember where the first bad cells are."""
        index = np.flatnonzero(keep)
        kinds = self._kinds[index]
        self.values.add(self._values[index].reshape(1, -1))
        if self._row_codes is not None:
            self.codes.add(self._row_codes[index].reshape(1, -1))
        self.numeric += int(np.count_nonzero(kinds != 1))
        for kind in {1, 2} - set(self.first):
            hits = np.flatnonzero(kinds == kind)
            if hits.size:
                row = int(index[hits[0]])
                self.first[kind] = (chunk.line(row), self._cell(row))


def _class_labels(fname: str, column: str, labels: _Labels, n: int) -> tuple[Array, str, tuple[str, ...]]:
    """(y, kind, class_names): text or few integers are classes, other numbers regression."""
    if labels.numeric * 2 > n:      # a numeric column: every kept cell must be a finite number
        if labels.first:                                # the first bad cell in file order
            kind = min(labels.first, key=lambda k: labels.first[k][0])
            line, cell = labels.first[kind]
            raise _cell_error(fname, line, column, cell, "is not a number" if kind == 1 else "is not a finite number")
        values = labels.values.result().ravel()
        distinct = np.unique(values)
        if distinct.size <= MAX_INT_CLASSES and np.all(distinct == np.round(distinct)):
            class_names = tuple(str(int(v)) for v in distinct)
            y = np.searchsorted(distinct, values).astype(np.int64)
        else:
            return values, "regression", ()
    else:
        if labels.too_many:
            raise DataError(f"{fname}: column {column!r} has over {MAX_TEXT_CLASSES:,} different text labels; "
                            "a classifier needs a few classes (use a numeric column for regression)")
        raw = sorted(labels.texts, key=labels.texts.__getitem__)          # cell text by code
        codes = labels.codes.result().ravel()
        used = np.flatnonzero(np.bincount(codes, minlength=len(raw)))   # the codes of kept rows (a count per code:
        class_names = tuple(sorted({raw[c].strip() for c in used.tolist()}))    # quicker than a unique of them all)
        lookup = {name: i for i, name in enumerate(class_names)}
        y = np.array([lookup.get(c.strip(), -1) for c in raw], dtype=np.int64)[codes]
    if len(class_names) < 2:
        raise DataError(f"{fname}: column {column!r} has only one class ({class_names[0]!r}); "
                        "a classifier needs at least 2")
    return y, ("binary" if len(class_names) == 2 else "multiclass"), class_names


def _names(header: list[str], most: int = 30) -> str:
    """Column names for a message: all of them, or the first ``most`` and how many more."""
    more = f", … ({len(header) - most:,} more)" if len(header) > most else ""
    return ", ".join(header[:most]) + more


def _check_header(fname: str, header: list[str]) -> None:
    counts = Counter(header)
    dup = next((h for h in header if counts[h] > 1), None)
    if dup is not None:
        raise DataError(f"{fname} line 1: column name {dup!r} appears more than once")
    if any(not h for h in header):
        raise DataError(f"{fname} line 1: every column needs a name in the header row")


def _resolve_columns(
    fname: str, header: list[str], sample: list[list[str]], x: Sequence[str] | str | None, y: str | None
) -> tuple[list[int], int]:
    """Indices of the feature columns and the label column, with helpful errors for bad names."""
    available = _names(header)

    def index(name: str) -> int:
        try:
            return header.index(str(name).strip())
        except ValueError:
            raise DataError(f"{fname}: no column {name!r}; available columns: {available}") from None

    label = index(y) if y is not None else len(header) - 1
    if isinstance(x, str):
        x = list(x.split(","))
    if x is not None:
        names = [str(c).strip() for c in x]
        if not names:
            raise DataError(f"{fname}: no feature columns given; available columns: {available}")
        idx = [index(c) for c in names]
        if len(set(idx)) != len(idx):
            raise DataError(f"{fname}: a feature column is listed twice: {', '.join(names)}")
        if label in idx:
            raise DataError(f"{fname}: column {header[label]!r} cannot be both a feature and the label")
        return idx, label
    rows = [r for r in sample if len(r) == len(header)]
    numeric = [j for j in range(len(header)) if j != label and _is_numeric_column([r[j] for r in rows])]
    if not numeric:
        raise DataError(f"{fname}: no numeric feature columns besides the label {header[label]!r}; "
                        f"available columns: {available}")
    return numeric[:2], label


def _stream(reader: _RowReader, header: list[str], feat_idx: list[int], label_idx: int | None,
            drop_missing: bool) -> tuple[Array, _Labels | None, int, int]:
    """(X of the kept rows, labels, rows dropped, rows read): every chunk read once, width checked, typed."""
    fname, width = reader.fname, len(header)
    chunks = reader.chunks()
    chunk = next(chunks, None)
    if chunk is None:
        raise DataError(f"{fname} has a header row but no data rows")
    some = chunk.rows[:2000]                            # rows the file probably holds: the arrays' first size
    per_row = sum(sum(map(len, r)) + len(r) for r in some) / len(some)
    capacity = int(os.fstat(reader.fh.fileno()).st_size / max(per_row, 1.0) * 1.05) + 16
    X = _Grow(len(feat_idx), capacity, np.float64)
    labels = None if label_idx is None else _Labels(_Grow(1, capacity, np.float64), _Grow(1, capacity, np.int64))
    dropped = total = 0
    while chunk is not None:
        lengths = list(map(len, chunk.rows))            # a fast chunk has no rows: its widths were checked
        wrong = None if lengths.count(width) == len(lengths) else next(i for i, n in enumerate(lengths) if n != width)
        if wrong is not None:
            chunk.rows = chunk.rows[:wrong]
        total += chunk.n
        if chunk.n:
            dropped += _add_rows(fname, header, chunk, feat_idx, label_idx, X, labels, drop_missing)
        if wrong is not None:
            raise DataError(f"{fname} line {chunk.line(wrong)}: expected {width} columns (as in the header), "
                            f"found {lengths[wrong]}")
        del chunk                                      # freed before the next chunk is read
        chunk = next(chunks, None)
    return X.result(), labels, dropped, total


def _add_rows(fname: str, header: list[str], chunk: _Chunk, feat_idx: list[int],
              label_idx: int | None, X: _Grow, labels: _Labels | None, drop_missing: bool) -> int:
    """Type one chunk's chosen columns and store its kept rows; returns the rows dropped for missing values."""
    parsed = [(v, m, t | i) for v, m, t, i in map(chunk.floats, feat_idx)]
    missing = np.zeros(chunk.n, dtype=bool)
    for _, miss, _ in parsed:
        missing |= miss
    if labels is not None:
        missing |= labels.read(chunk, label_idx if label_idx is not None else -1)
    if not drop_missing:                               # every row is wanted: a missing value is an error
        parsed = [(v, np.zeros_like(m), b | m) for v, m, b in parsed]
        missing[:] = False
    keep = ~missing
    first_bad: tuple[int, int] | None = None           # (row, column) of the first unusable cell in file order
    for k, (_, _, bad) in enumerate(parsed):
        hits = np.flatnonzero(bad & keep)
        if hits.size and (first_bad is None or hits[0] < first_bad[0]):
            first_bad = (int(hits[0]), k)
    if first_bad is not None:
        i, k = first_bad
        cell = chunk.cell(i, feat_idx[k])
        what = "is not a number" if _parse_float(cell) is None else "is not a finite number"
        raise _cell_error(fname, chunk.line(i), header[feat_idx[k]], cell, what)
    X.add(np.stack([values[keep] for values, _, _ in parsed]) if parsed else np.empty((0, int(keep.sum()))))
    if labels is not None:
        labels.add(chunk, keep)
    return int(missing.sum())


def standardize_features(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale each feature row to mean 0 and std 1 (std 0 treated as 1); returns (X_std, mean, std) as m×1."""
    X = np.asarray(X, dtype=np.float64)
    if not X.size:                      # nothing to scale: NumPy's own mean and std of no values
        mean, std = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
        std[std == 0] = 1.0
        return X - mean, mean, std
    scale = np.maximum(X.max(axis=1, keepdims=True), -X.min(axis=1, keepdims=True))   # max |x|, without |X|
    scale[~(scale > 1e150)] = 1.0       # past 1e150 the squares overflow: such a row is scaled down first
    scaled = X / scale if np.any(scale != 1.0) else X
    mean = scaled.mean(axis=1, keepdims=True)
    std = scaled.std(axis=1, keepdims=True)             # (its temporary is freed before ``out`` is made)
    std[std == 0] = 1.0
    out = scaled - mean
    out /= std                                          # in place: one array the size of X, not two
    return out, mean * scale, std * scale


def _sample(n: int, points: int | None, seed: int | None) -> Array | None:
    """Sorted indices of a seeded random subsample of ``points`` of ``n`` rows, or None to keep all."""
    if points is not None and (isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 1):
        raise DataError(f"points must be a whole number ≥ 1, got {points!r}")
    return None if points is None or n <= points else np.sort(np.random.default_rng(seed).choice(n, points, False))


def load_csv(path: str | Path, x: Sequence[str] | str | None = None, y: str | None = None, *,
             standardize: bool = True, points: int | None = None, seed: int | None = 0) -> Dataset:
    """Load a headed CSV as a Dataset (features x, label y), dropping rows with missing values.

    ``points``: keep a seeded random subsample of at most this many rows (``seed``), for big files.
    """
    path = Path(path)
    fname = path.name
    reader = _RowReader(path)
    try:
        header = reader.header(None if x is None else NAMED_ROWS)   # named columns: the fast path starts sooner
        _check_header(fname, header)
        if not reader.first_rows():
            raise DataError(f"{fname} has a header row but no data rows")
        feat_idx, label_idx = _resolve_columns(fname, header, reader.first_rows(), x, y)
        X, labels, dropped, total = _stream(reader, header, feat_idx, label_idx, drop_missing=True)
    finally:
        reader.fh.close()
    assert labels is not None
    n = X.shape[1]
    if n == 0:
        cols = ", ".join(header[j] for j in [*feat_idx, label_idx])
        raise DataError(f"{fname}: no usable rows; all {total} rows have missing values in {cols}")
    yv, kind, class_names = _class_labels(fname, header[label_idx], labels, n)
    chosen = _sample(n, points, seed)
    if chosen is not None:
        X, yv = X[:, chosen], yv[chosen]
    x_mean = x_std = None
    if standardize:
        X, x_mean, x_std = standardize_features(X)
    feature_names = tuple(header[j] for j in feat_idx)
    what = f"{len(class_names)} classes" if class_names else "regression"
    desc = f"{fname}: {X.shape[1]} rows, features {', '.join(feature_names)}; label {header[label_idx]} ({what})"
    if chosen is not None:
        desc += f"; a random sample of {X.shape[1]:,} of {n:,} rows (seed {seed})"
    if dropped:
        desc += f"; {dropped} row{'s' if dropped != 1 else ''} with missing values dropped"
    return Dataset(name=path.stem, X=X, y=yv, kind=kind, class_names=class_names, description=desc,
                   feature_names=feature_names, x_mean=x_mean, x_std=x_std, source=str(path),
                   dropped=dropped)


def read_columns(path: str | Path, columns: Sequence[str], *, drop_missing: bool = False,
                 dropped: list[int] | None = None) -> np.ndarray:
    """The named numeric columns of a CSV as an m×n array (raw), e.g. for prediction: a missing value is an error,
    or with ``drop_missing`` its row is left out, as training leaves it out (their count is appended to
    ``dropped``)."""
    path = Path(path)
    fname = path.name
    reader = _RowReader(path)
    try:
        header = reader.header(NAMED_ROWS)
        for name in columns:
            if name not in header:
                raise DataError(f"{fname}: no column {name!r} (the model needs {', '.join(columns)}); "
                                f"available columns: {_names(header)}")
        X, _labels, left_out, _total = _stream(reader, header, [header.index(c) for c in columns], None,
                                               drop_missing=drop_missing)
        if dropped is not None:
            dropped.append(left_out)
    finally:
        reader.fh.close()
    return X


def shipped_data_dir() -> Path:
    """Folder holding the shipped CSVs: annplay/_data in a wheel, else the repo's datasets/."""
    here = Path(__file__).resolve()            # found without importing annplay/__init__
    candidates = [here.parents[1] / "_data", here.parents[2] / "datasets"]
    for c in candidates:
        if c.is_dir():
            return c
    raise FileNotFoundError("shipped data folder not found; looked in " + ", ".join(str(c) for c in candidates))


def shipped_csv(name: str) -> Path:
    """Path of a shipped CSV by name ('iris' or 'iris.csv')."""
    folder = shipped_data_dir()
    fname = name if name.endswith(".csv") else f"{name}.csv"
    path = folder / fname
    if not path.is_file():
        available = ", ".join(sorted(p.name for p in folder.glob("*.csv"))) or "none"
        raise ValueError(f"no shipped data file {fname!r}; available: {available}")
    return path
