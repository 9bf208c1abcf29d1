"""Set-up files in TOML: a ``[setup]`` table of setting names and values, an optional ``[model]`` reference.

::

    # annplay set-up · share code: ap1:ds=xor;lr=0.1
    format = "annplay-setup"
    version = 1

    [setup]
    dataset = "xor"
    hidden = [8, 8]
    lr = 0.1
    epochs = "auto"          # auto, off or none: the setting's word for None

    [model]
    file = "run.npz"         # relative to this file's folder

Reading uses ``tomllib`` (``tomli`` on Python 3.10); writing is by hand (no dependency) and atomic.
Every problem is one line that starts with the file's name.  The weight editor's JSON export
uses the same section: :func:`setup_section` and :func:`setup_from_section`.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .safefile import atomic_write_bytes, check_save_target, inside, open_regular
from .settings import SETTINGS, SettingError
from .setup import Setup
from .textdata import load_json, load_toml
from .tflink import shown

FORMAT = "annplay-setup"
VERSION = 1
MODEL_FORMAT = "annplay-mlp"                # network.FORMAT_NAME, repeated to keep this module light
MAX_FILE_BYTES = 1 << 20                    # a set-up file is a few hundred bytes; refuse anything huge
TOP_KEYS = ("format", "version", "setup", "model", "lesson")

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class SetupFile:
    """What a set-up file holds: the set-up, and the model file it names (resolved beside it), if any."""

    setup: Setup
    model: Path | None = None


class SetupFileError(SettingError):
    """A bad key or value in a set-up file or section: the message starts with where it is (file:line)."""

    def __init__(self, setting: str, message: str, where: str) -> None:
        ValueError.__init__(self, f"{where}: {setting}: {message}")
        self.setting = setting
        self.message = message
        self.where = where


# --- the shared section ---------------------------------------------------------------------

def setup_section(setup: Setup) -> dict[str, Any]:
    """Every setting as TOML- and JSON-safe data, in table order (None becomes the setting's word for it:
    "auto", "off" or "none"; tuples become lists)."""
    section: dict[str, Any] = {}
    for name, value in setup.items():
        if value is None:
            section[name] = SETTINGS[name].none_word
        elif isinstance(value, tuple):
            section[name] = ["same" if v is None else v for v in value]
        else:
            section[name] = value
    return section


def setup_from_section(section: Any, source: str = "setup", lines: dict[str, int] | None = None) -> Setup:
    """A checked Setup from a section's data; SettingError "SOURCE[:LINE]: key: what is allowed"."""
    if not isinstance(section, dict):
        raise ValueError(f"{source}: the setup section must be a table of setting = value")
    values: dict[str, Any] = {}
    for key, raw in section.items():
        where = _where(source, lines, key)
        entry = SETTINGS.get(key)
        if entry is None:
            raise SetupFileError(shown(str(key)), f"unknown setting; known: {', '.join(SETTINGS)}", where)
        try:
            values[key] = _value(entry.name, raw)
        except SettingError as exc:
            raise SetupFileError(key, exc.message, where) from None
    try:
        return Setup(**values).validate()
    except SettingError as exc:
        where = _where(source, lines, exc.setting)
        raise SetupFileError(exc.setting, exc.message, where) from None


def _value(name: str, raw: Any) -> Any:
    """One setting's value from TOML/JSON data: text is parsed like a flag, other data is checked."""
    entry = SETTINGS[name]
    if raw is None:                                  # JSON null: "auto" where the setting allows it
        value = entry.check(None)
    elif isinstance(raw, str):
        value = entry.parse(raw)
    elif isinstance(raw, (bool, int, float, list)):
        if entry.kind in ("text",) or (entry.kind == "choice" and not isinstance(raw, str)):
            raise SettingError(name, f"{entry.allowed()}, got {raw!r}")
        value = entry.check(raw)
    else:
        raise SettingError(name, f"{entry.allowed()}, got a {type(raw).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise SettingError(name, f"{entry.allowed()}, got {raw!r}")
    return value


def _where(source: str, lines: dict[str, int] | None, key: str) -> str:
    line = (lines or {}).get(key)
    return f"{source}:{line}" if line else source


# --- reading ------------------------------------------------------------------------------

def read_setup(path: PathLike) -> Setup:
    """The set-up a TOML file describes (errors: one line starting with the file name)."""
    return read_setup_file(path).setup


def read_setup_file(path: PathLike) -> SetupFile:
    """The set-up and the model reference of a TOML set-up file (or a lesson file)."""
    name = str(path)
    text = _read_text(path, "set-up file")
    return parse_setup_text(text, name, folder=Path(path).parent)


def parse_setup_text(text: str, source: str = "setup", folder: Path | None = None) -> SetupFile:
    """A set-up file's content, checked; ``source`` names it in errors."""
    data = load_toml(text, source)
    for key in data:
        if key not in TOP_KEYS:
            line = _line_of(text, None, key)
            where = f"{source}:{line}" if line else source
            raise ValueError(f"{where}: unknown key {key!r}; a set-up file has: {', '.join(TOP_KEYS)}")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise ValueError(f"{source}: format is {fmt!r}, not {FORMAT!r}: not an annplay set-up file")
    version = data.get("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"{source}: version must be a whole number ≥ 1, got {version!r}")
    if version > VERSION:
        raise ValueError(f"{source}: set-up format version {version} is newer than this annplay reads "
                         f"(up to {VERSION}); upgrade annplay")
    if "setup" not in data:
        raise ValueError(f"{source}: no [setup] table; write one, e.g. [setup] then dataset = \"xor\"")
    section = data["setup"]
    lines = {key: n for key in section if (n := _line_of(text, "setup", key))} if isinstance(section, dict) else {}
    setup = setup_from_section(section, source, lines)
    if setup.csv is not None:
        setup = setup.with_(csv=str(_beside(folder, setup.csv, f"{_where(source, lines, 'csv')}: csv")))
    return SetupFile(setup, _model_ref(data.get("model"), source, folder))


def _beside(folder: Path | None, name: str, what: str) -> Path:
    """A file a set-up file names: relative to the file's folder and inside it (no absolute path, ``~``, ``..`` or
    symlink out), so a set-up file from someone else cannot make annplay read this machine's other files."""
    if folder is None:
        raise ValueError(f"{what} {name}: a set-up given as text cannot name a file; "
                         "save it as a .toml file beside the file")
    return inside(folder, name, what)


def _model_ref(model: Any, source: str, folder: Path | None) -> Path | None:
    """The ``[model] file = "..."`` reference, resolved against the set-up file's folder."""
    if model is None:
        return None
    if not isinstance(model, dict) or set(model) - {"file"}:
        raise ValueError(f"{source}: [model] takes one key, file = \"NAME.npz\"")
    file = model.get("file")
    if not isinstance(file, str) or not file.strip():
        raise ValueError(f"{source}: [model] file must be a file name, got {file!r}")
    return _beside(folder, file, f"{source}: [model] file")


def _line_of(text: str, table: str | None, key: str) -> int | None:
    """The 1-based line where ``key`` is assigned inside ``[table]`` (None: top level), if it can be found."""
    current: str | None = None
    pattern = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
    header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        found = header.match(line)
        if found:
            current = found.group(1).strip().strip("\"'")
            if table is None and current == key:
                return number
            continue
        match = pattern.match(line)
        if match and current == table and key in match.groups():
            return number
    return None


def _read_text(path: PathLike, what: str) -> str:
    """A small regular file's text (UTF-8, BOM allowed); ValueError naming the file otherwise."""
    with open_regular(path, what) as f:
        try:                                      # a "regular" file that fails to read (/proc/self/mem: EIO) is
            data = f.read(MAX_FILE_BYTES + 1)     # the input's fault, not the output's (it said "cannot write")
        except OSError as exc:
            raise ValueError(f"{what} {path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{path}: too large for a set-up file (over {MAX_FILE_BYTES // 1024} KiB)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def resolve_setup(text: str) -> tuple[Setup, list[str], set[str]]:
    """What ``--setup TEXT`` means: a share code, a TF Playground link or a set-up file's name.

    Returns the set-up, warnings (TF fields annplay cannot honour) and the settings a TF link hides.
    """
    from .sharecode import decode, looks_like_code
    from .tflink import from_tf_link, looks_like_tf_link
    if looks_like_code(text):
        return decode(text), [], set()
    if looks_like_tf_link(text):
        return from_tf_link(text)
    loaded = read_setup_file(text)
    return loaded.setup, [], set()


def resolve_text(text: str) -> tuple[Setup, list[str], set[str]]:
    """A set-up handed over as text, never as a file name: a share code or a TF Playground link (a browser's
    ``?setup=``); ValueError otherwise. Returns what :func:`resolve_setup` returns."""
    from .sharecode import decode, looks_like_code
    from .tflink import from_tf_link, looks_like_tf_link
    if looks_like_code(text):
        return decode(text), [], set()
    if looks_like_tf_link(text):
        return from_tf_link(text)
    raise ValueError(f"'{shown(text)}' is neither a share code (ap1:…) nor a TF Playground link")


# --- writing ------------------------------------------------------------------------------

def toml_text(setup: Setup, *, model: PathLike | None = None, folder: PathLike | None = None) -> str:
    """The TOML text of a set-up file for ``setup`` (and a model reference).

    ``folder``: where the file goes; its CSV and model are then written relative to it, and must be inside it.
    A relative CSV name is the run's own (relative to the working folder, as ``--data`` takes it); a relative model
    name is relative to ``folder`` already."""
    from .sharecode import encode
    lines = [f"# annplay set-up · share code: {_comment(encode(setup, files=False))}",
             f"format = {_toml(FORMAT)}", f"version = {VERSION}", "", "[setup]"]
    for name, value in setup_section(setup).items():
        if name == "csv" and folder is not None and setup.csv is not None:
            value = _relative(folder, os.path.abspath(setup.csv), "its CSV")   # sub/x.toml named d.csv as sub/d.csv
        lines.append(f"{name} = {_toml(value)}")
    if model is not None:
        ref = _relative(folder, model, "its model") if folder is not None else os.fspath(model)
        lines += ["", "[model]", f"file = {_toml(ref)}"]
    return "\n".join(lines) + "\n"


def _relative(folder: PathLike, target: PathLike, what: str) -> str:
    """``target`` relative to ``folder`` (a set-up file's folder); ValueError when it is not inside it."""
    base = Path(os.path.abspath(folder))
    full = Path(os.path.abspath(base / target)) if not os.path.isabs(target) else Path(os.path.abspath(target))
    try:
        return full.relative_to(base).as_posix()
    except ValueError:
        raise ValueError(f"{what} {os.fspath(target)} is not in the set-up file's folder {base}; a set-up file "
                         "names its files relative to itself (put them beside it)") from None


def write_setup(path: PathLike, setup: Setup, *, model: PathLike | None = None,
                what: str = "--save-setup") -> Path:
    """Write ``setup`` as a TOML set-up file atomically; never replaces a file that is not annplay's.

    ``model`` (and the set-up's CSV) must be in the file's folder or below: relative names are relative to it."""
    check_save_target(path, what=what)
    check_replaceable(path, what=what)
    try:
        data = toml_text(setup, model=model, folder=Path(path).parent).encode("utf-8")
    except ValueError as exc:
        raise ValueError(f"{what} {path}: {exc}") from None
    return atomic_write_bytes(path, data, what=what)


def _comment(text: str) -> str:
    """Text safe inside a TOML comment (no line breaks or control characters)."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _toml(value: Any) -> str:
    """One TOML value: string, boolean, integer, float or array of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} in a set-up file")
        text = repr(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(value, str):
        return '"' + "".join(_toml_char(c) for c in value) + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} in a set-up file")


def _toml_char(c: str) -> str:
    if c == '"':
        return '\\"'
    if c == "\\":
        return "\\\\"
    code = ord(c)
    if code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF:
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError("a set-up value holds text that is not valid Unicode")
        return f"\\u{code:04x}"
    return c


# --- replacing files ----------------------------------------------------------------------

def check_replaceable(path: PathLike, *, what: str = "--save-setup") -> None:
    """Refuse (ValueError) to replace an existing file unless it is empty or an annplay set-up or lesson (TOML).

    A trained model (``.npz``) or a weight export (JSON) is annplay's too, but not a set-up: a set-up written over
    it lost the weights (a probe's find), so each save replaces only a file of its own kind."""
    target = Path(path)
    if target.suffix.lower() in (".npz", ".json"):   # the weights' names: a set-up there fools their readers
        raise ValueError(f"{what} {path}: a set-up file is TOML; give a .toml name")
    if not target.exists():
        return
    with open_regular(target, what) as f:
        head = f.read(4)
        if not head:
            return
        f.seek(0)
        if head.startswith(b"PK"):
            kind = "an annplay model (trained weights)" if _is_model_npz(f) else None
        else:
            kind = _annplay_text_kind(f.read(MAX_FILE_BYTES + 1))
            if kind == "setup":
                return
    if kind is not None:
        raise ValueError(f"{what} {path}: is {kind}, which a set-up file would replace; choose another name")
    raise ValueError(f"{what} {path}: exists and is not an annplay set-up; "
                     f"choose another name or remove the file first")


def _annplay_text_kind(data: bytes) -> str | None:
    """'setup' for an annplay set-up or lesson (TOML), a phrase for a weight export (JSON), None for anything else."""
    if len(data) > MAX_FILE_BYTES:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        parsed = load_json(text, "")
        if isinstance(parsed, dict) and parsed.get("format") == MODEL_FORMAT:
            return "an annplay weight export (JSON)"
        return "setup" if isinstance(parsed, dict) and parsed.get("format") == FORMAT else None
    except ValueError:
        pass
    try:
        doc = load_toml(text, "")
    except ValueError:                      # not TOML either, or nested too deeply, or a huge number
        return None
    setup = doc.get("format") == FORMAT or (isinstance(doc.get("setup"), dict) and set(doc) <= set(TOP_KEYS))
    return "setup" if setup else None


def _is_model_npz(f: BinaryIO) -> bool:
    """True when the open file is a zip holding annplay's model format tag."""
    try:
        with zipfile.ZipFile(f) as z:
            if "format.npy" not in z.namelist():
                return False
            tag = z.read("format.npy")
            return any(MODEL_FORMAT.encode(codec) in tag for codec in ("utf-32-le", "utf-32-be", "ascii"))
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False


__all__ = ["FORMAT", "VERSION", "SetupFile", "SetupFileError", "setup_section", "setup_from_section", "read_setup",
           "read_setup_file", "parse_setup_text", "resolve_setup", "resolve_text", "toml_text", "write_setup",
           "check_replaceable"]
