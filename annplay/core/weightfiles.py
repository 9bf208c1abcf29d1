"""Hand edits of a network's weights: checking a typed number, exporting and importing (UI-free: the session's)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from annplay.engine.modelio import check_finite
from annplay.engine.network import MLP
from annplay.engine.safefile import atomic_write_bytes, check_save_target, expand_user
from annplay.engine.settings import plain_float
from annplay.engine.setup import Setup
from annplay.engine.setupfile import setup_section

DEFAULT_JSON = "annplay-weights.json"
DEFAULT_NPZ = "annplay-weights.npz"


def parse_weight(text: str) -> float:
    """A finite number from what a person typed; ValueError with a clear message otherwise."""
    cleaned = text.strip().replace("−", "-")
    if not cleaned:
        raise ValueError("Type a number (e.g. -0.5 or 1e-2); nothing changed")
    try:
        value = plain_float(cleaned)                 # ASCII digits only: no 1_0, full-width digits or inf
    except ValueError:
        if cleaned.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise ValueError(f"A weight must be a finite number, not {text.strip()!r}; nothing changed") from None
        raise ValueError(f"Not a number: {text.strip()[:40]!r}; nothing changed") from None
    if not math.isfinite(value):
        raise ValueError(f"A weight must be a finite number, not {text.strip()[:40]!r}; nothing changed")
    return value


@dataclass(frozen=True)
class Edit:
    """A weight edit that was made: where (e.g. 'W1[2,3]'), the new and the old value."""

    where: str
    value: float
    old: float


def set_weight(net: MLP, layer: int, row: int, col: int, *, delta: float = 0.0, text: str | None = None) -> Edit:
    """Nudge W(layer)[row, col] by delta, or set it to a typed number (col == its width: the bias); checked first."""
    if not 0 <= layer < len(net.weights):
        raise ValueError(f"there is no weight layer {layer + 1}; the network has {len(net.weights)}")
    W, b = net.weights[layer], net.biases[layer]
    if not (0 <= row < W.shape[0] and 0 <= col <= W.shape[1]):
        raise ValueError(f"W{layer + 1} is {W.shape[0]}×{W.shape[1]} (plus a bias column); "
                         f"there is no ({row + 1}, {col + 1})")
    bias = col == W.shape[1]
    where = f"b{layer + 1}[{row + 1}]" if bias else f"W{layer + 1}[{row + 1},{col + 1}]"
    old = float(b[row, 0] if bias else W[row, col])
    value = parse_weight(text) if text is not None else old + delta
    if not math.isfinite(value):
        raise ValueError(f"{where} would not be finite; nothing changed")
    limit = float(np.finfo(net.dtype).max)
    if abs(value) > limit:                 # 1e308 is a float64, but infinity in float32
        raise ValueError(f"{where}: {value:g} is too large for {net.dtype.name} (|value| ≤ {limit:.3g}); "
                         "nothing changed")
    if bias:
        b[row, 0] = value
    else:
        W[row, col] = value
    return Edit(where, value, old)


def describe(net: MLP) -> str:
    """'2→8→8→1 (tanh, tanh, logistic)'."""
    return f"{'→'.join(map(str, net.layers))} ({', '.join(a.name for a in net.activations)})"


def file_path(name: str | Path) -> Path:
    """The file a person named (``~`` expanded); ValueError for a name that can only be a folder."""
    text = str(name).strip()
    if not text:
        raise ValueError("No file name given; nothing done")
    if text.endswith(("/", "\\")) or text in (".", "..", "~"):
        raise ValueError(f"{text} is a folder; add a file name, like {text.rstrip('/')}/{DEFAULT_NPZ}")
    return expand_user(text, "file")


def _kind_of(path: Path) -> str | None:
    """'npz' for an annplay model, 'json' for an annplay weight export, None for anything else (or unreadable).

    Both readers refuse FIFOs unopened and bound what they read (a huge or deeply nested file is not annplay's).
    """
    for kind, load in (("npz", MLP.load), ("json", MLP.load_json)):
        try:
            load(path)
            return kind
        except (ValueError, OSError, RecursionError, MemoryError):
            pass
    return None


KIND_WORDS = {"npz": "an annplay model (.npz)", "json": "an annplay weight export (JSON)"}


def check_target(path: Path, kind: str = "npz") -> None:
    """Refuse (ValueError, nothing written) a folder, a missing folder, a special file (FIFO, device, socket) or an
    existing file that is not an annplay file of this ``kind`` ('npz' or 'json'): a model saved over a JSON export,
    or an export over a model, left a file its name's reader refuses (a probe's find); every message names the
    file as given."""
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file name, like {path / DEFAULT_NPZ}; nothing written")
    other = {"npz": ".json", "json": ".npz"}[kind]
    if path.suffix.lower() == other:             # a zip named .json (or JSON named .npz) fools every reader
        raise ValueError(f"{path}: a name ending in {other} for {KIND_WORDS[kind]}; give a "
                         f".{kind} name (nothing written)")
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"{path}: there is no folder {folder}; nothing written")
    check_save_target(path, what="save to")
    if not path.exists() or path.stat().st_size == 0:
        return
    found = _kind_of(path)
    if found is None:
        raise ValueError(f"{path} exists and is not an annplay model or export; choose another name "
                         "(nothing written)")
    if found != kind:
        raise ValueError(f"{path} is {KIND_WORDS[found]}, not {KIND_WORDS[kind]}; choose another name "
                         "(nothing written)")


def export_json(net: MLP, path: str | Path, setup: Setup | None = None) -> Path:
    """Write net.to_dict() (plus the set-up's every setting, when given) as JSON, atomically (see check_target)."""
    path = file_path(path)
    check_target(path, "json")
    check_finite(net, path)                # JSON has no infinity: json.dumps would write the token Infinity
    data = net.to_dict()
    if setup is not None:
        data["setup"] = setup_section(setup)
    atomic_write_bytes(path, (json.dumps(data, indent=1, allow_nan=False) + "\n").encode("utf-8"))
    return path


def export_npz(net: MLP, path: str | Path) -> Path:
    """Write the network as .npz (MLP.save, atomic; checked first: see check_target)."""
    path = file_path(path)
    check_target(path)
    return net.save(path)


def import_npz(net: MLP, path: str | Path) -> MLP:
    """Read an .npz and copy its weights into net; ValueError when unreadable or of another architecture."""
    loaded = MLP.load(file_path(path))
    same_layers = list(loaded.layers) == list(net.layers)
    same_acts = [a.name for a in loaded.activations] == [a.name for a in net.activations]
    if not (same_layers and same_acts):
        raise ValueError(f"{path}: its {describe(loaded)} network does not fit this {describe(net)}; "  # 3 lines
                         "nothing loaded")                                                         # at 40 columns
    net.set_flat(loaded.get_flat().astype(net.dtype))
    return loaded
