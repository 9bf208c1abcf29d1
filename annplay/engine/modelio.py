"""Model files: the ``.npz`` format (and ``to_dict`` data) read, checked and written.

Every problem with a file becomes a ``ValueError`` that starts with the file's name.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .network import FORMAT_NAME, FORMAT_VERSION, MLP
from .safefile import atomic_write_bytes

Array = np.ndarray


def model_from_dict(data: dict[str, Any], source: str = "data") -> MLP:
    """Rebuild a network from :meth:`MLP.to_dict` output."""
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ValueError(f"{source}: not an annplay model (no format {FORMAT_NAME!r})")
    version = data.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"{source}: model format version {version!r} is newer than this annplay "
                         f"reads (up to {FORMAT_VERSION}); upgrade annplay")
    try:
        net = MLP(data["layers"], data["activations"], loss=data["loss"],
                  dtype=np.dtype(data.get("dtype", "float64")))
        for i, (w, b) in enumerate(zip(data["weights"], data["biases"], strict=True)):
            net.weights[i] = w
            net.biases[i] = b
        if len(data["weights"]) != len(net.weights):
            raise ValueError("wrong number of weight matrices")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{source}: damaged annplay model: {exc}") from None
    net.meta = dict(data.get("meta") or {})
    return net


def save_model(net: MLP, path: str | os.PathLike) -> Path:
    """Write an ``.npz`` (architecture, activations, weights, format version) atomically."""
    path = Path(path)
    arrays: dict[str, Array] = {"format": np.array(FORMAT_NAME), "version": np.array(FORMAT_VERSION),
                                "config": np.array(json.dumps(net.config()))}
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        arrays[f"W{i + 1}"] = np.array(w)
        arrays[f"b{i + 1}"] = np.array(b)
    atomic_write_bytes(path, _npz_bytes(arrays))
    return path


def load_model(path: str | os.PathLike) -> MLP:
    """Read a model written by :func:`save_model`; a ValueError names the file and the problem."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a directory, not an annplay model file")
    try:
        # Open the file ourselves: np.load leaks its handle when the zip is damaged, returns
        # a bare array for an .npy, and calls any other file "pickled data".
        with open(path, "rb") as f, _npz_or_error(f, path) as z:
            keys = set(z.files)
            if "format" not in keys or str(z["format"]) != FORMAT_NAME:
                raise ValueError(f"{path}: not an annplay model (no '{FORMAT_NAME}' format tag)")
            version = int(z["version"])
            if version > FORMAT_VERSION:
                raise ValueError(f"{path}: model format version {version} is newer than this "
                                 f"annplay reads (up to {FORMAT_VERSION}); upgrade annplay")
            config = json.loads(str(z["config"]))
            n = len(config["layers"]) - 1
            data = {"format": FORMAT_NAME, "version": version, **config,
                    "weights": [z[f"W{i + 1}"] for i in range(n)],
                    "biases": [z[f"b{i + 1}"] for i in range(n)]}
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except ValueError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise ValueError(f"{path}: not a readable annplay model ({exc})") from None
    except (OSError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: truncated or damaged annplay model ({type(exc).__name__}: {exc})") from None
    return model_from_dict(data, source=str(path))


def _npz_or_error(f: Any, path: Path) -> Any:
    """``np.load`` of an open .npz file, or a ValueError when it is not a zip archive at all."""
    head = f.read(4)
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):     # the zip signatures np.load checks
        what = "the file is empty" if not head else "not an .npz (zip) file"
        raise ValueError(f"{path}: not an annplay model ({what})")
    f.seek(0)
    return np.load(f, allow_pickle=False)


def _npz_bytes(arrays: dict[str, Array]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()
