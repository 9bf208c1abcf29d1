"""Moved to :mod:`annplay.core.weightfiles` (UI-free, used by the session); kept so older imports still work."""

from annplay.core.weightfiles import (  # noqa: F401
    DEFAULT_JSON,
    DEFAULT_NPZ,
    Edit,
    check_target,
    describe,
    export_json,
    export_npz,
    file_path,
    import_npz,
    parse_weight,
    set_weight,
)
