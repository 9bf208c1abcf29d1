"""CSV loading, streamed: read once in chunks, only the chosen columns typed into preallocated float arrays,
missing values dropped, line-numbered errors. Memory: the kept values plus one chunk of rows.
With no ``x`` given, the numeric feature columns are chosen from the first chunk of rows (read by csv).
After it, quote-free regular blocks are typed on their bytes (``csvcells.Block``: no Python string per cell);
anything else goes through csv, line by line.
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

from .csvcells import Block, BlockText, Scratch, floats, is_missing, parse_float
from .dataset import Dataset
from .safefile import open_regular

MAX_INT_CLASSES = 10  # a numeric label column with at most this many integer values is a class label
MAX_TEXT_CLASSES = 1000  # a text label column with more distinct values is refused
CHUNK_ROWS = 1 << 14
NAMED_ROWS = 1 << 10  # rows read by csv with the header when the columns are named (nothing to sniff)
CHUNK_CHARS = 1 << 23  # a chunk ends after this many characters too (wide rows)
MAX_LINE = 1 << 20  # characters in one line; longer lines are refused before they are held whole
FAST_CHARS = 1 << 20  # a fast-path block: typed column by column on its bytes, never split into strings
Array = np.ndarray


class DataError(ValueError):
    """A CSV file that cannot be used; the message names the file, line and column."""


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
    fast: Block | None = None           # the fast path's bytes

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
        """:func:`floats` of column ``j``."""
        return self.fast.floats(j) if self.fast is not None else floats(self.column(j))

    def line(self, i: int) -> int:
        """The line where row ``i`` ends (like csv's line_num), counting line breaks inside quoted cells."""
        index = self.positions[i] if self.positions is not None else i
        if self.single_lines:
            return self.start_line + index + 1
        breaks = sum(c.count("\n") + c.count("\r") - c.count("\r\n") for r in self.raw[:index + 1] for c in r)
        return self.start_line + index + 1 + breaks


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
        self.scratch = Scratch()       # the fast path's work arrays, reused from block to block
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

    def _regular(self, data: bytes) -> Block | None:
        """``data`` as a block when every line has ``width`` cells, none is blank and none is over MAX_LINE.

        The separators (commas and line ends) are found in one pass: when there are ``width`` per line and every
        ``width``-th is a line end, every line has exactly ``width`` − 1 commas.
        """
        if self.width < 2:
            return None
        text = BlockText(data)
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
        return Block(text, seps, self.scratch, self.known)

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


def _is_numeric_column(cells: Sequence[str]) -> bool:
    """A column is numeric when most of its non-missing cells parse as numbers."""
    _, missing, text, _ = floats(cells)
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
                    value = parse_float(c)
                    self.texts[c] = len(self.kinds)
                    self.kinds.append(3 if is_missing(c) else 1 if value is None else 0 if math.isfinite(value) else 2)
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
        what = "is not a number" if parse_float(cell) is None else "is not a finite number"
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
