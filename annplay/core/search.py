"""Search spaces for ``annplay tune``: ``--search NAME=SPEC`` parsed against the settings table, and sampled.

A SPEC is a list ``4|8|8,8`` (values as the setting's flag takes them, ``|`` between them), or a range
``0.0001..1`` with an optional ``,log`` for a log scale.  A range of a whole-number setting (``batch-size``,
``epochs``) gives whole numbers.  Sampling is quasi-random (a Halton sequence shifted by the seed, as the
Deep Learning Tuning Playbook advises for exploration), or every point of a finite space when it is small
enough; the same seed always gives the same points.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from annplay.core.sweep import find_setting, typed_name
from annplay.engine.settings import SETTINGS, Setting, SettingError
from annplay.engine.textcut import quoted

RANGE_KINDS = ("int", "float")
MAX_LIST = 1000                    # values in one list: more is a typo
DIGITS = 4                         # significant digits of a sampled real number
EDGE = 0.05                        # "at the edge": within this fraction of a range's ends (on its scale)
PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97)


@dataclass(frozen=True)
class Dimension:
    """One searched setting: a list of values, or a range [lo, hi] (log scale or not; whole numbers or not)."""

    name: str
    values: tuple[Any, ...] = ()
    lo: float | None = None
    hi: float | None = None
    log: bool = False
    integer: bool = False

    @property
    def entry(self) -> Setting:
        return SETTINGS[self.name]

    @property
    def is_range(self) -> bool:
        return self.lo is not None

    def size(self) -> int | None:
        """How many distinct values it has (None: a range of real numbers)."""
        if not self.is_range:
            return len(self.values)
        if self.integer:
            assert self.lo is not None and self.hi is not None
            return int(self.hi) - int(self.lo) + 1
        return None

    def at(self, u: float) -> Any:
        """The value at u in [0, 1): evenly spread on the dimension's scale."""
        u = min(max(float(u), 0.0), math.nextafter(1.0, 0.0))
        if not self.is_range:
            return self.values[int(u * len(self.values))]
        assert self.lo is not None and self.hi is not None
        if self.integer:
            if self.log:                # each whole number k gets the share log((k+1)/k) of the scale
                lo, hi = math.log(self.lo), math.log(self.hi + 1)
                whole = math.floor(math.exp(lo + u * (hi - lo)))
            else:
                whole = int(self.lo) + int(u * (int(self.hi) - int(self.lo) + 1))
            return int(min(max(whole, int(self.lo)), int(self.hi)))
        if self.log:
            real = math.exp(math.log(self.lo) + u * (math.log(self.hi) - math.log(self.lo)))
        else:
            real = self.lo + u * (self.hi - self.lo)
        real = float(f"{real:.{DIGITS}g}")                # short share codes; finer steps never matter here
        return float(min(max(real, self.lo), self.hi))

    def all_values(self) -> list[Any]:
        """Every value of a finite dimension, in order."""
        if not self.is_range:
            return list(self.values)
        assert self.lo is not None and self.hi is not None and self.integer
        return list(range(int(self.lo), int(self.hi) + 1))

    def position(self, value: Any) -> float | None:
        """Where a value sits, 0 to 1 on the dimension's scale (a list: by its index); None if not in it."""
        if not self.is_range:
            if value not in self.values:
                return None
            return self.values.index(value) / max(1, len(self.values) - 1)
        assert self.lo is not None and self.hi is not None
        if not isinstance(value, (int, float)) or not self.lo <= value <= self.hi:
            return None
        if self.hi == self.lo:
            return 0.5
        if self.log:
            return (math.log(value) - math.log(self.lo)) / (math.log(self.hi) - math.log(self.lo))
        return (value - self.lo) / (self.hi - self.lo)

    def edge(self, value: Any) -> str | None:
        """'low' or 'high' when a value sits at an end of an ordered dimension (worth widening), else None."""
        if not self.is_range:
            sizes = [_magnitude(v) for v in self.values]
            if len(self.values) < 3 or any(s is None for s in sizes) or value not in self.values:
                return None
            mine = _magnitude(value)
            return "low" if mine == min(sizes) else "high" if mine == max(sizes) else None  # type: ignore[type-var]
        where = self.position(value)
        if where is None:
            return None
        return "low" if where <= EDGE else "high" if where >= 1 - EDGE else None

    def text(self) -> str:
        """The SPEC that parse_search reads back."""
        if not self.is_range:
            return "|".join(self.entry.format(v) for v in self.values)
        return f"{self.entry.format(self.lo)}..{self.entry.format(self.hi)}" + (",log" if self.log else "")

    def __str__(self) -> str:
        return f"{self.entry.flag.lstrip('-')}={self.text()}"


def _magnitude(value: Any) -> float | None:
    """A number to order list values by: the number itself, or a layer shape's neuron count (same depth only
    compares fairly, so shapes of mixed depth are not ordered); None when values have no order."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, tuple) and value and all(isinstance(v, int) for v in value):
        return float(sum(value)) + 1000.0 * len(value)
    return None


def parse_search(text: str) -> Dimension:
    """``lr=0.0001..1,log`` → a Dimension; SettingError naming the setting and what is allowed."""
    name, eq, spec = str(text).partition("=")
    if not eq or not name.strip():
        raise SettingError("search", f"{quoted(text)}: write NAME=SPEC, like lr=0.0001..1,log or layers=4|8|8,8")
    entry = find_setting(name)
    spec = spec.strip()
    if not spec:
        raise SettingError(entry.name, f"--search {typed_name(entry)}: give a list A|B or a range LO..HI")
    if ".." in spec:
        return _parse_range(entry, spec)
    parts = [p.strip() for p in spec.split("|")]
    if not all(parts):                       # a setting's word for none (auto, off, none) says none, never ''
        raise SettingError(entry.name, f"--search {typed_name(entry)}: an empty value in {quoted(spec)}; "
                                       f"{entry.allowed()}")
    if len(parts) > MAX_LIST:
        raise SettingError(entry.name, f"--search: {len(parts)} values is more than {MAX_LIST}")
    values: list[Any] = []
    for part in parts:
        try:
            value = entry.parse(part)
        except SettingError as exc:
            raise SettingError(entry.name, f"--search {typed_name(entry)}: {quoted(part)}: {exc.message}") from None
        if value in values:
            raise SettingError(entry.name, f"--search {typed_name(entry)}: value {quoted(part)} given twice")
        values.append(value)
    return Dimension(entry.name, tuple(values))


def _parse_range(entry: Setting, spec: str) -> Dimension:
    """``LO..HI`` or ``LO..HI,log`` for a numeric setting."""
    if entry.kind not in RANGE_KINDS:
        raise SettingError(entry.name, f"--search {typed_name(entry)}: a range needs a number setting; "
                                       f"give a list instead, like A|B ({entry.allowed()})")
    body, comma, scale = spec.partition(",")
    scale = scale.strip().lower()
    if comma and scale not in ("log", "linear"):
        raise SettingError(entry.name, f"--search {typed_name(entry)}: after the range write ',log' or nothing, "
                                       f"got {quoted(scale)}")
    lo_text, _, hi_text = body.partition("..")
    bounds = []
    for part in (lo_text, hi_text):
        try:
            value = entry.parse(part)
        except SettingError as exc:
            raise SettingError(entry.name, f"--search {typed_name(entry)}: {quoted(part.strip())}: "
                                           f"{exc.message}") from None
        if value is None or isinstance(value, bool) or not math.isfinite(value):
            raise SettingError(entry.name, f"--search {typed_name(entry)}: a range needs two numbers, LO..HI")
        bounds.append(value)
    lo, hi = bounds
    if not lo < hi:
        raise SettingError(entry.name, f"--search {typed_name(entry)}: the range's low end must be below its high end, "
                                       f"got {lo_text.strip()}..{hi_text.strip()}")
    log = scale == "log"
    if log and lo <= 0:
        raise SettingError(entry.name, f"--search {typed_name(entry)}: a log range needs a low end above 0, got {lo}")
    integer = entry.kind == "int"
    return Dimension(entry.name, (), int(lo) if integer else float(lo), int(hi) if integer else float(hi), log,
                     integer)


@dataclass(frozen=True)
class Space:
    """The searched settings; a point is a dict name → value."""

    dims: tuple[Dimension, ...]

    @classmethod
    def parse(cls, texts: Iterable[str]) -> Space:
        dims: list[Dimension] = []
        for text in texts:
            dim = parse_search(text)
            if any(d.name == dim.name for d in dims):
                raise SettingError(dim.name, f"--search {typed_name(dim.entry)} given twice; "
                                             f"give its values in one --search")
            dims.append(dim)
        if not dims:
            raise SettingError("search", "give at least one --search NAME=SPEC, like --search lr=0.001..1,log")
        return cls(tuple(dims))

    def size(self) -> int | None:
        """The number of distinct points (None: infinite)."""
        sizes = [d.size() for d in self.dims]
        if any(s is None for s in sizes):
            return None
        return math.prod(int(s or 0) for s in sizes)

    def grid(self) -> list[dict[str, Any]]:
        """Every point of a finite space, in the order given."""
        names = [d.name for d in self.dims]
        combos = itertools.product(*(d.all_values() for d in self.dims))
        return [dict(zip(names, combo, strict=True)) for combo in combos]

    def sample(self, n: int, seed: int) -> list[dict[str, Any]]:
        """n distinct points: all of a finite space when n ≥ its size (shuffled by the seed), else quasi-random."""
        size = self.size()
        rng = np.random.default_rng([int(seed), 0x7475_6E65])          # 'tune': apart from the run's own streams
        if size is not None and n >= size:
            points = self.grid()
            order = rng.permutation(len(points))
            return [points[i] for i in order]
        if size is not None and size <= 100_000:                        # finite: without replacement
            points = self.grid()
            return [points[int(i)] for i in rng.choice(len(points), size=n, replace=False)]
        shift = rng.random(len(self.dims))
        out: list[dict[str, Any]] = []
        seen: set[tuple[Any, ...]] = set()
        index = 1
        while len(out) < n and index < 1000 * (n + 10):
            u = (halton(index, len(self.dims)) + shift) % 1.0
            point = {d.name: d.at(x) for d, x in zip(self.dims, u, strict=True)}
            key = tuple(point.values())
            index += 1
            if key not in seen:
                seen.add(key)
                out.append(point)
        return out

    def edges(self, point: dict[str, Any]) -> list[str]:
        """Words for each setting of the point that sits at an edge of its range."""
        notes = []
        for d in self.dims:
            side = d.edge(point.get(d.name))
            if side is not None:
                notes.append(f"{d.entry.flag.lstrip('-')}={d.entry.format(point[d.name])} is at the {side} edge "
                              f"of {d.text()}; widen the search there")
        return notes


def halton(index: int, dims: int) -> np.ndarray:
    """The index-th point (index ≥ 1) of the Halton sequence in [0, 1)^dims."""
    if dims > len(PRIMES):
        raise ValueError(f"at most {len(PRIMES)} searched settings")
    out = np.empty(dims)
    for k, base in enumerate(PRIMES[:dims]):
        f, r, i = 1.0, 0.0, index
        while i > 0:
            f /= base
            r += f * (i % base)
            i //= base
        out[k] = r
    return out


def describe(point: dict[str, Any], names: Sequence[str] | None = None) -> str:
    """``lr=0.01 layers=8,8``: a point as flags without dashes."""
    keys = names if names is not None else list(point)
    return " ".join(f"{SETTINGS[n].flag.lstrip('-')}={SETTINGS[n].format(point[n])}" for n in keys if n in point)


__all__ = ["Dimension", "Space", "parse_search", "halton", "describe", "EDGE"]
