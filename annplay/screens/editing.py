"""Hand edits of a network's weights: checking a typed number, exporting and importing (no UI here)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from annplay.engine.network import MLP, atomic_write_bytes

DEFAULT_JSON = "annplay-weights.json"
DEFAULT_NPZ = "annplay-weights.npz"


def parse_weight(text: str) -> float:
    """A finite number from what a person typed; ValueError with a clear message otherwise."""
    cleaned = text.strip().replace("−", "-")
    if not cleaned:
        raise ValueError("Type a number (e.g. -0.5 or 1e-2); nothing changed")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"Not a number: {text.strip()!r}; nothing changed") from None
    if not math.isfinite(value):
        raise ValueError(f"A weight must be a finite number, not {text.strip()!r}; nothing changed")
    return value


def describe(net: MLP) -> str:
    """'2→8→8→1 (tanh, tanh, logistic)'."""
    return f"{'→'.join(map(str, net.layers))} ({', '.join(a.name for a in net.activations)})"


def export_json(net: MLP, path: str | Path) -> Path:
    """Write net.to_dict() as JSON, atomically."""
    path = Path(path)
    atomic_write_bytes(path, (json.dumps(net.to_dict(), indent=1) + "\n").encode("utf-8"))
    return path


def export_npz(net: MLP, path: str | Path) -> Path:
    """Write the network as .npz (MLP.save, atomic)."""
    return net.save(Path(path))


def import_npz(net: MLP, path: str | Path) -> MLP:
    """Read an .npz and copy its weights into net; ValueError when unreadable or of another architecture."""
    loaded = MLP.load(Path(path))
    same_layers = list(loaded.layers) == list(net.layers)
    same_acts = [a.name for a in loaded.activations] == [a.name for a in net.activations]
    if not (same_layers and same_acts):
        raise ValueError(f"{path}: a {describe(loaded)} network does not fit this one, {describe(net)}; "
                         "change the network to match, then load again; nothing changed")
    net.set_flat(loaded.get_flat().astype(net.dtype))
    return loaded
