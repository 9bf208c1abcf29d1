"""Model files: the ``.npz`` format (and ``to_dict`` data) read, checked and written.

Every problem with a file becomes a one-line ``ValueError`` that starts with the file's name. Nothing is
trusted before it is checked: the structure (types of every field, meta), then the parameter count against
:data:`MAX_PARAMETERS`, then each array's declared shape, dtype and stored size, all before an array is read.
A zip member whose declared size does not fit what the config implies is refused unread (zip bombs).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from .buffers import MAX_PARAMETERS
from .features import FEATURES
from .safefile import atomic_write_bytes, open_regular
from .textdata import load_json

if TYPE_CHECKING:
    from .network import MLP

Array = np.ndarray

FORMAT_NAME = "annplay-mlp"
FORMAT_VERSION = 1
MAX_SMALL_MEMBER = 1 << 20          # format, version and config members: 1 MiB at most
MAX_NPY_HEADER = 1 << 16            # an .npy header is ~128 bytes; more is not ours
MAX_MEMBERS = 10_000                # members listed in the zip directory
MAX_RATIO = 100                     # a compressed member may expand 100× at most (weights compress ~1.1×)
MAX_JSON_BYTES = 64 << 20          # a JSON export: ~2.5 million parameters
META_KINDS = ("binary", "multiclass", "regression")
FLOAT_DTYPES = ("float32", "float64")


class ModelError(ValueError):
    """A model file or dict that cannot be used; the message starts with its name."""


# --- structure: one place ---------------------------------------------------------------------------

def _type_name(value: Any) -> str:
    """'a list', 'a string', 'an array of shape (3,)' ... for messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    names = {dict: "an object", list: "a list", tuple: "a list", str: "a string", bool: "a boolean",
             int: "a whole number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _whole(value: Any) -> bool:
    """True for a whole number (Python or NumPy int, not bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _finite_numbers(value: Any) -> bool:
    """True for a list of finite real numbers."""
    return isinstance(value, (list, tuple)) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 1e300 for v in value)   # NaN fails too


def check_version(version: Any, source: str) -> int:
    """The format version as an int, or a ModelError (not a whole number, unknown, newer than this annplay)."""
    if isinstance(version, np.ndarray):
        if version.shape != () or version.dtype.kind not in "iu":
            raise ModelError(f"{source}: damaged annplay model: version must be a whole number, "
                             f"got {_type_name(version)} of {version.dtype}")
        version = int(version)
    if not _whole(version):
        raise ModelError(f"{source}: damaged annplay model: version must be a whole number, got {_type_name(version)}")
    if version > FORMAT_VERSION:
        raise ModelError(f"{source}: model format version {version} is newer than this annplay reads "
                         f"(up to {FORMAT_VERSION}); upgrade annplay")
    if version < 1:
        raise ModelError(f"{source}: damaged annplay model: unknown format version {version}")
    return int(version)


def check_config(config: Any, source: str) -> dict[str, Any]:
    """The architecture part (layers, activations, loss, dtype, meta), every field checked, before any array:

    - the config is an object with ``layers``, ``activations`` and ``loss``;
    - ``layers``: at least 2 whole numbers ≥ 1, at most MAX_PARAMETERS parameters between them;
    - ``activations``: a name, or a list of at most one per layer;
    - ``loss``: a name; ``dtype``: float32 or float64 (float64 when absent);
    - ``meta``: as :func:`check_meta` says.
    """
    bad = f"{source}: damaged annplay model:"
    if not isinstance(config, dict):
        raise ModelError(f"{bad} the config must be an object, got {_type_name(config)}")
    for key in ("layers", "activations", "loss"):
        if key not in config:
            raise ModelError(f"{bad} the config has no {key!r}")
    layers = _config_layers(config["layers"], bad)
    _config_activations(config["activations"], layers, bad)
    if not isinstance(config["loss"], str):
        raise ModelError(f"{bad} 'loss' must be a name, got {_type_name(config['loss'])}")
    dtype = config.get("dtype", "float64")
    if dtype not in FLOAT_DTYPES:
        raise ModelError(f"{bad} 'dtype' must be float32 or float64, got {str(dtype)[:40]!r}")
    check_meta(config.get("meta"), layers, source)
    return config


def _config_layers(layers: Any, bad: str) -> list[int]:
    """``layers``: a list of at least 2 whole numbers ≥ 1 whose parameters stay within MAX_PARAMETERS."""
    if not isinstance(layers, list) or len(layers) < 2:
        raise ModelError(f"{bad} 'layers' must be a list of at least 2 sizes, got {_type_name(layers)}")
    if not all(_whole(s) and s >= 1 for s in layers):
        raise ModelError(f"{bad} 'layers' must hold whole numbers ≥ 1, got {str(layers)[:80]}")
    n_params = sum(r * (s + 1) for r, s in zip(layers[1:], layers[:-1], strict=False))
    if n_params > MAX_PARAMETERS:
        count = f"{n_params:,}" if n_params < 10**15 else "over 10^15"
        raise ModelError(f"{bad} layers {str(layers)[:80]} mean {count} parameters "
                         f"(about {n_params // 2**27:,} GiB)"[:300] + f"; the limit is {MAX_PARAMETERS:,}")
    return layers


def _config_activations(activations: Any, layers: list[int], bad: str) -> None:
    """``activations``: one name for every layer, or a list of at most one per layer."""
    if not isinstance(activations, (list, str)):
        raise ModelError(f"{bad} 'activations' must be a list, got {_type_name(activations)}")
    if isinstance(activations, list) and len(activations) > len(layers):
        raise ModelError(f"{bad} {len(activations)} activations for {len(layers)} layers")


def check_meta(meta: Any, layers: list[int], source: str) -> None:
    """``meta`` is null or an object whose known keys are as the format describes them (what predict relies on):

    - ``features``: the input features the network's inputs are computed from, one per input;
    - ``feature_names``: one name per raw input (two when there are features);
    - ``x_mean`` and ``x_std``: both or neither, one finite number per raw input, every std positive;
    - ``kind``: one of META_KINDS;
    - ``class_names``: one name per class (two for one output, else one per output) unless a regression;
    - ``dataset``: a name.
    """
    if meta is None:
        return
    bad = f"{source}: damaged annplay model: meta"
    if not isinstance(meta, dict):
        raise ModelError(f"{bad} must be an object, got {_type_name(meta)}")
    n_raw = _meta_features(meta, layers, bad)
    _meta_feature_names(meta, n_raw, bad)
    _meta_scaling(meta, n_raw, bad)
    _meta_classes(meta, layers, bad)
    if meta.get("dataset") is not None and not isinstance(meta["dataset"], str):
        raise ModelError(f"{bad} 'dataset' must be a string, got {_type_name(meta['dataset'])}")


def _names_list(value: Any, types: tuple[type, ...] = (str,)) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, types) for v in value)


def _meta_features(meta: dict[str, Any], layers: list[int], bad: str) -> int:
    """``features``: known names, one per network input; returns how many raw inputs the model takes."""
    features = meta.get("features") or []
    if not _names_list(features):
        raise ModelError(f"{bad} 'features' must be a list of names, got {_type_name(features)}")
    if not features:
        return layers[0]
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ModelError(f"{bad} 'features' has unknown {unknown[0][:40]!r}; known: {', '.join(FEATURES)}")
    if len(features) != layers[0]:
        raise ModelError(f"{bad} has {len(features)} features for {layers[0]} inputs")
    return 2                                      # the features are computed from two raw inputs


def _meta_feature_names(meta: dict[str, Any], n_raw: int, bad: str) -> None:
    """``feature_names``: one name per raw input (or an empty list)."""
    names = meta.get("feature_names")
    if names is None:
        return
    if not _names_list(names):
        raise ModelError(f"{bad} 'feature_names' must be a list of names, got {_type_name(names)}")
    if names and len(names) != n_raw:
        raise ModelError(f"{bad} 'feature_names' has {len(names)} names; the model takes {n_raw} inputs")


def _meta_scaling(meta: dict[str, Any], n_raw: int, bad: str) -> None:
    """``x_mean`` and ``x_std``: both or neither; one finite number per raw input; every std positive."""
    has_mean, has_std = meta.get("x_mean") is not None, meta.get("x_std") is not None
    if has_mean != has_std:
        given, missing = ("x_mean", "x_std") if has_mean else ("x_std", "x_mean")
        raise ModelError(f"{bad} has {given} without {missing}")
    if not has_mean:
        return
    for key in ("x_mean", "x_std"):
        value = meta[key]
        if not _finite_numbers(value):
            raise ModelError(f"{bad} {key!r} must be a list of finite numbers, got {_type_name(value)}")
        if len(value) != n_raw:
            raise ModelError(f"{bad} {key!r} has {len(value)} values; the model takes {n_raw} inputs")
    if any(s <= 0 for s in meta["x_std"]):
        raise ModelError(f"{bad} 'x_std' must be positive (a zero std cannot standardise)")


def _meta_classes(meta: dict[str, Any], layers: list[int], bad: str) -> None:
    """``kind`` is one of META_KINDS; ``class_names`` has one name per class unless the model is a regression."""
    kind = meta.get("kind")
    if kind is not None and kind not in META_KINDS:
        raise ModelError(f"{bad} 'kind' must be one of {', '.join(META_KINDS)}, got {str(kind)[:40]!r}")
    classes = meta.get("class_names")
    if classes is None:
        return
    if not _names_list(classes, (str, int)):
        raise ModelError(f"{bad} 'class_names' must be a list of names, got {_type_name(classes)}")
    outputs = layers[-1]
    if classes and kind != "regression" and len(classes) != (2 if outputs == 1 else outputs):
        raise ModelError(f"{bad} 'class_names' has {len(classes)} names for {outputs} outputs")


def _array(value: Any, shape: tuple[int, int], name: str, source: str) -> Array:
    """One weight or bias matrix from dict data, of exactly ``shape`` and finite."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ModelError(f"{source}: damaged annplay model: {name} is not a matrix of numbers") from None
    if name.startswith("biases") and arr.shape == (shape[0],):
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise ModelError(f"{source}: damaged annplay model: {name} has shape {arr.shape}, expected {shape}")
    if not np.isfinite(arr).all():
        raise ModelError(f"{source}: damaged annplay model: {name} must be finite")
    return arr


def model_from_dict(data: dict[str, Any], cls: type[MLP], source: str = "data") -> MLP:
    """Rebuild a network from :meth:`MLP.to_dict` output, every field checked first."""
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ModelError(f"{source}: not an annplay model (no format {FORMAT_NAME!r})")
    check_version(data.get("version"), source)
    config = check_config(data, source)
    layers = config["layers"]
    n = len(layers) - 1
    weights, biases = data.get("weights"), data.get("biases")
    for key, value in (("weights", weights), ("biases", biases)):
        if not isinstance(value, (list, tuple)) or len(value) != n:
            got = f"{len(value)} entries" if isinstance(value, (list, tuple)) else _type_name(value)
            raise ModelError(f"{source}: damaged annplay model: {key!r} must be a list of {n} matrices, got {got}")
    assert isinstance(weights, (list, tuple)) and isinstance(biases, (list, tuple))
    ws = [_array(w, (layers[i + 1], layers[i]), f"weights[{i}]", source) for i, w in enumerate(weights)]
    bs = [_array(b, (layers[i + 1], 1), f"biases[{i}]", source) for i, b in enumerate(biases)]
    try:
        net = cls(layers, config["activations"], loss=config["loss"], dtype=np.dtype(config.get("dtype", "float64")))
        with np.errstate(over="ignore"):               # a float32 overflow is reported just below
            for i in range(n):
                net.weights[i] = ws[i]
                net.biases[i] = bs[i]
    except (KeyError, TypeError, ValueError, IndexError, ArithmeticError, AttributeError) as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ModelError(f"{source}: damaged annplay model: {detail}") from None
    if not np.isfinite(net.get_flat()).all():          # finite in float64, yet too large for float32
        raise ModelError(f"{source}: damaged annplay model: weights beyond the {net.dtype} range")
    net.meta = dict(config.get("meta") or {})
    return net


# --- the .npz file --------------------------------------------------------------------------------

def check_finite(net: MLP, path: str | os.PathLike[str]) -> None:
    """Refuse (ValueError naming the file and the layer) to write weights that no reader would accept."""
    for kind, arrays in (("W", net.weights), ("b", net.biases)):
        for i, a in enumerate(arrays):
            if not np.all(np.isfinite(a)):
                raise ModelError(f"{path}: {kind}{i + 1} holds values that are not finite (inf or nan); "
                                 f"nothing written")


def save_model(net: MLP, path: str | os.PathLike[str]) -> Path:
    """Write an ``.npz`` (architecture, activations, weights, format version) atomically; finite weights only."""
    check_finite(net, path)
    path = Path(path)
    arrays: dict[str, Array] = {"format": np.array(FORMAT_NAME), "version": np.array(FORMAT_VERSION),
                                "config": np.array(json.dumps(net.config()))}
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        arrays[f"W{i + 1}"] = np.array(w)
        arrays[f"b{i + 1}"] = np.array(b)
    atomic_write_bytes(path, _npz_bytes(arrays), what="model")
    return path


def _member(zf: zipfile.ZipFile, name: str, source: str) -> zipfile.ZipInfo:
    """The zip entry ``name.npy``, or a ModelError naming the missing member."""
    try:
        return zf.getinfo(f"{name}.npy")
    except KeyError:
        raise ModelError(f"{source}: damaged annplay model: no {name!r} array") from None


def _read_small(zf: zipfile.ZipFile, name: str, source: str) -> Array:
    """A small member (format, version, config), refused unread if it declares more than 1 MiB."""
    info = _member(zf, name, source)
    if info.file_size > MAX_SMALL_MEMBER:
        raise ModelError(f"{source}: damaged annplay model: {name!r} declares {info.file_size:,} bytes "
                         f"(at most {MAX_SMALL_MEMBER:,}); not read")
    _check_ratio(info, name, source)
    with zf.open(info) as member:
        raw = member.read(MAX_SMALL_MEMBER + 1)
    arr = np.load(io.BytesIO(raw), allow_pickle=False)
    if not isinstance(arr, np.ndarray):
        raise ModelError(f"{source}: damaged annplay model: {name!r} is not an array")
    return arr


def _check_ratio(info: zipfile.ZipInfo, name: str, source: str) -> None:
    """Refuse, unread, a compressed member that would expand more than MAX_RATIO times (a zip bomb)."""
    if info.file_size > 4096 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ModelError(f"{source}: damaged annplay model: {name!r} would expand from {info.compress_size:,} "
                         f"to {info.file_size:,} bytes (over {MAX_RATIO}×); not read")


def _read_header(member: IO[bytes], name: str, source: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from an .npy header, without reading the data."""
    fmt = np.lib.format
    version = fmt.read_magic(member)
    if version == (1, 0):
        return fmt.read_array_header_1_0(member, max_header_size=MAX_NPY_HEADER)
    if version == (2, 0):
        return fmt.read_array_header_2_0(member, max_header_size=MAX_NPY_HEADER)
    raise ModelError(f"{source}: damaged annplay model: {name!r} has an unsupported .npy version {version}")


def _read_matrix(zf: zipfile.ZipFile, name: str, shape: tuple[int, int], source: str) -> Array:
    """One weight or bias array; its header and declared size are checked against ``shape`` before reading."""
    info = _member(zf, name, source)
    bad = f"{source}: damaged annplay model: {name!r}"
    if info.file_size > shape[0] * shape[1] * 8 + MAX_NPY_HEADER:      # decided from the zip directory alone
        raise ModelError(f"{bad} declares {info.file_size:,} bytes, more than a {shape[0]}×{shape[1]} "
                         "matrix needs; not read")
    if info.file_size < shape[0] * shape[1] * 4:
        raise ModelError(f"{bad} declares {info.file_size:,} bytes, too few for a {shape[0]}×{shape[1]} matrix")
    _check_ratio(info, name, source)
    with zf.open(info) as member:
        declared, fortran, dtype = _read_header(member, name, source)
        if dtype.name not in FLOAT_DTYPES:
            raise ModelError(f"{bad} has dtype {dtype}, expected float32 or float64")
        if tuple(declared) != shape and not (name.startswith("b") and tuple(declared) == (shape[0],)):
            raise ModelError(f"{bad} has shape {tuple(declared)}, expected {shape}")
        nbytes = shape[0] * shape[1] * dtype.itemsize
        raw = member.read(nbytes)
        if len(raw) != nbytes:
            raise ModelError(f"{bad} is truncated ({len(raw):,} of {nbytes:,} bytes)")
        member.read()                                  # to the end, so the CRC is checked
    arr = np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    if not np.isfinite(arr).all():
        raise ModelError(f"{bad} holds non-finite values")
    return arr


def _read_npz(f: IO[bytes], source: str) -> dict[str, Any]:
    """The model data from an open .npz file: structure checked first, then each array checked and read."""
    head = f.read(4)
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        what = "the file is empty" if not head else "not an .npz (zip) file"
        raise ModelError(f"{source}: not an annplay model ({what})")
    f.seek(0)
    with zipfile.ZipFile(f) as zf:
        if len(zf.infolist()) > MAX_MEMBERS:
            raise ModelError(f"{source}: not an annplay model ({len(zf.infolist()):,} zip members)")
        if "format.npy" not in zf.namelist():
            raise ModelError(f"{source}: not an annplay model (no '{FORMAT_NAME}' format tag)")
        fmt = _read_small(zf, "format", source)
        if fmt.shape != () or fmt.dtype.kind != "U" or str(fmt) != FORMAT_NAME:
            raise ModelError(f"{source}: not an annplay model (no '{FORMAT_NAME}' format tag)")
        version = check_version(_read_small(zf, "version", source), source)
        config_arr = _read_small(zf, "config", source)
        if config_arr.shape != () or config_arr.dtype.kind != "U":
            raise ModelError(f"{source}: damaged annplay model: the config must be JSON text, "
                             f"got {_type_name(config_arr)}")
        try:
            config = load_json(str(config_arr), "the config")
        except ValueError as exc:
            detail = str(exc).removeprefix("the config: ").removeprefix("not valid JSON ")
            if detail.startswith("(") and detail.endswith(")"):         # one pair around it: not "(char 1)"'s
                detail = detail[1:-1]
            raise ModelError(f"{source}: damaged annplay model: the config is not valid JSON ({detail})") from None
        config = check_config(config, source)
        config.pop("format", None)
        config.pop("version", None)
        layers = config["layers"]
        n = len(layers) - 1
        return {**config, "format": FORMAT_NAME, "version": version,
                "weights": [_read_matrix(zf, f"W{i + 1}", (layers[i + 1], layers[i]), source) for i in range(n)],
                "biases": [_read_matrix(zf, f"b{i + 1}", (layers[i + 1], 1), source) for i in range(n)]}


def load_model(path: str | os.PathLike[str], cls: type[MLP]) -> MLP:
    """Read a model written by :func:`save_model`; a one-line ValueError names the file and the problem."""
    source = str(path)
    try:
        with open_regular(path, "model") as f:
            data = _read_npz(f, source)
    except ModelError:
        raise
    except ValueError as exc:
        message = str(exc)
        if message.startswith("model "):              # from open_regular: "model PATH: why"
            raise ModelError(message[len("model "):]) from None
        raise ModelError(f"{source}: not a readable annplay model ({message.splitlines()[0][:200]})") from None
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError,
            RuntimeError, MemoryError, OverflowError) as exc:
        raise ModelError(f"{source}: truncated or damaged annplay model ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:200] if str(exc) else 'no detail'})") from None
    return model_from_dict(data, cls, source=source)


def load_model_json(path: str | os.PathLike[str], cls: type[MLP], max_bytes: int | None = None) -> MLP:
    """Read a model exported as JSON (:meth:`MLP.to_dict`); a one-line ValueError names the file and the problem.

    Regular files only (FIFOs refused unopened), at most ``max_bytes`` (MAX_JSON_BYTES) read, nesting bombs
    and non-UTF-8 text refused; then the same structural checks as every model.
    """
    source, limit = str(path), MAX_JSON_BYTES if max_bytes is None else max_bytes
    try:
        with open_regular(path, "model") as f:
            raw = f.read(limit + 1)
    except ValueError as exc:
        raise ModelError(str(exc).removeprefix("model ")) from None
    except OSError as exc:
        raise ModelError(f"{source}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > limit:
        raise ModelError(f"{source}: over {limit:,} bytes; not an annplay model export")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError(f"{source}: not a UTF-8 text file ({exc.reason})") from None
    try:
        data = load_json(text, source)
    except ValueError as exc:
        raise ModelError(f"{exc} (not an annplay model)") from None
    return model_from_dict(data, cls, source=source)


def _npz_bytes(arrays: dict[str, Array]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()
