"""Typing CSV cells as floats, the one job of this module: one cell (``float()``), a column of strings (NumPy's
parser, missing markers as NaN), and a quote-free block of bytes (:class:`Block`) typed column by column with no
Python string per cell: separators found in one pass, plain decimals read as right-aligned 8-byte words and turned
into integers 8 bytes at a time (SWAR: SIMD within a register), exactly ``float()``'s result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

MISSING = frozenset({"", "na", "nan", "n/a"})  # compared after strip().lower()
FAST_CELL = 24        # fast-path cells longer than this are typed one by one
FAST_MISSING = frozenset({"", "NA", "na", "NaN", "nan", "N/A", "n/a", "NAN", "Na"})
_POW10 = np.array([float(10 ** k) for k in range(23)])   # exact: 10**22 < 2**53 * 2**22
Array = np.ndarray

_WORD = 8                                    # bytes in a uint64: a cell is read as 1 to 3 little-endian words
_ALL = np.uint64(2 ** 64 - 1)
_BYTES = np.uint64(0x0101010101010101)       # 1 in every byte
_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)        # every byte but its top bit
_HIGH = np.uint64(0x8080808080808080)        # the top bit of every byte
_ZEROS = np.uint64(0x3030303030303030)       # '0' in every byte: x ^ _ZEROS turns digits into 0–9
_DOT = np.uint64(0x1E1E1E1E1E1E1E1E)         # ord('.') ^ ord('0') in every byte
_TENS = np.uint64(0x7676767676767676)        # 0x80 − 10 in every byte: adding it sets the top bit of bytes ≥ 10
_POW10_INT = np.array([10 ** k for k in range(17)], np.uint64)


def is_missing(cell: str) -> bool:
    """True for the cells treated as missing values: empty, NA, NaN, N/A (any case, spaces around)."""
    return cell.strip().lower() in MISSING


def parse_float(cell: str) -> float | None:
    """The cell as a float, or None if it is not a number."""
    try:
        return float(cell.strip())
    except ValueError:
        return None


def floats(cells: Sequence[str]) -> tuple[Array, Array, Array, Array]:
    """(values, missing, text, infinite) for one column; values are NaN where the cell is not a finite number."""
    n = len(cells)
    try:                                                  # NumPy's C parser; missing markers retried as NaN
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        try:
            values = np.array([c if c not in FAST_MISSING else "nan" for c in cells], dtype=np.float64)
        except ValueError:
            values = np.full(n, np.inf)                   # every cell is looked at below
    flags = np.zeros((3, n), dtype=bool)                  # missing, text, infinite
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        cell, value = cells[i], parse_float(cells[i])
        if cell in FAST_MISSING or is_missing(cell):
            flags[0, i] = True
        elif value is None or not math.isfinite(value):
            flags[1 if value is None else 2, i] = True
        else:
            values[i] = value
            continue
        values[i] = np.nan
    return values, flags[0], flags[1], flags[2]


class Scratch:
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


class BlockText:
    """A block's bytes, as ``raw`` (uint8) and as ``words``: the same memory as aligned little-endian uint64, with
    16 zero bytes in front, so that the 8 bytes before any offset are two aligned words and a shift away."""

    def __init__(self, data: bytes) -> None:
        self.words = np.zeros(len(data) // _WORD + 4, "<u8")
        self.raw = self.words.view(np.uint8)[2 * _WORD:2 * _WORD + len(data)]
        self.raw[:] = np.frombuffer(data, np.uint8)

    def before(self, end: Array, out: Array, scratch: Scratch) -> Array:
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


def _cell_word(text: BlockText, end: Array, count: Array, words: int, i: int, scratch: Scratch) -> tuple[Array, Array]:
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


def decimals(text: BlockText, start: Array, end: Array, scratch: Scratch | None = None) -> tuple[Array, Array]:
    """(values, ok) of cells ``raw[start:end]`` of the form [-]digits[.digits], 15 characters at most after the
    sign, typed without a string per cell; ``ok`` is False where a cell has another form (typed one by one).

    Each cell is read as one or two right-aligned 8-byte words (:func:`_cell_word`) and worked on eight bytes at a
    time: its bytes become digits 0–9, where anything else refuses the cell, and its dot is found
    (:func:`_digits_and_dot`) and dropped (:func:`_drop_dot`); the digits left are one integer N
    (:func:`_swar_digits`), exact below 10**15.  With k digits after the dot, N / 10**k (two exact doubles) is
    correctly rounded, as float()'s result is.  Every step works in place, in ``scratch``'s arrays.
    """
    scratch = scratch or Scratch()
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


class Block:
    """A quote-free block of whole lines of ``width`` cells, kept as bytes: a cell is found from the positions
    of the commas and line ends, and a column is typed without making a Python string per cell."""

    def __init__(self, text: BlockText, seps: Array, scratch: Scratch | None = None,
                 known: dict[int, Array] | None = None) -> None:
        self.text, self.raw = text, text.raw
        self.seps = seps                                   # row i: the offsets of its commas, then of its line end
        self.n, self.width = seps.shape
        self.scratch = scratch or Scratch()
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
        """:func:`floats` of column ``j``: plain decimals on bytes, the other cells one by one."""
        start, end = self.bounds(j)
        values, ok = decimals(self.text, start, end, self.scratch)
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
                values[odd], flags[0, odd], flags[1, odd], flags[2, odd] = floats(self.cells(j, odd))
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


__all__ = ["MISSING", "FAST_MISSING", "FAST_CELL", "Array", "is_missing", "parse_float", "floats", "Scratch",
           "BlockText", "decimals", "Block"]
