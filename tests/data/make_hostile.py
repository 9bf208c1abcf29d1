"""Generate the hostile-files corpus in tests/data/hostile/: malformed model files, JSON and CSVs.

    python tests/data/make_hostile.py          # rewrites tests/data/hostile/ and its EXPECTED.json

Each file comes with the error it must give (a substring of the one-line ValueError), or "ok" when it must load.
The output is byte-for-byte reproducible (fixed zip timestamps, seeded values): tests/test_hostile.py regenerates
it and compares, then loads every file.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "hostile"
STAMP = (1980, 1, 1, 0, 0, 0)

LAYERS = [2, 3, 1]
GOOD_CONFIG: dict[str, Any] = {
    "layers": LAYERS,
    "activations": [{"name": "tanh", "params": {}}, {"name": "tanh", "params": {}},
                    {"name": "logistic", "params": {}}],
    "loss": "bce", "dtype": "float64",
    "meta": {"kind": "binary", "class_names": ["no", "yes"], "feature_names": ["u", "v"],
             "x_mean": [0.0, 1.0], "x_std": [1.0, 2.0], "features": []},
}


def npy(value: Any) -> bytes:
    """An array in .npy format (pickles allowed, so hostile object arrays can be written)."""
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asanyarray(value), allow_pickle=True)
    return buf.getvalue()


def raw_npy(shape: tuple[int, ...], data: bytes, descr: str = "<f8") -> bytes:
    """An .npy whose header says ``shape`` whatever ``data`` holds."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + data


def write_zip(path: Path, members: dict[str, bytes], compress: bool = False) -> None:
    """A zip with fixed timestamps, members in the given order."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            zf.writestr(info, data)


def good_arrays() -> dict[str, Any]:
    rng = np.random.default_rng(12)
    arrays: dict[str, Any] = {"format": np.array("annplay-mlp"), "version": np.array(1),
                              "config": np.array(json.dumps(GOOD_CONFIG))}
    for i, (r, s) in enumerate(zip(LAYERS[1:], LAYERS[:-1], strict=True)):
        arrays[f"W{i + 1}"] = rng.normal(size=(r, s)).round(3)
        arrays[f"b{i + 1}"] = rng.normal(size=(r, 1)).round(3)
    return arrays


def model(path: Path, compress: bool = False, raw: dict[str, bytes] | None = None, **changes: Any) -> None:
    """The good model with members replaced (None drops one); ``raw`` members are written as given."""
    arrays = good_arrays()
    for key, value in changes.items():
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = value
    members = {f"{k}.npy": npy(v) for k, v in arrays.items()}
    members.update(raw or {})
    write_zip(path, members, compress)


def config(**changes: Any) -> np.ndarray:
    cfg = json.loads(json.dumps(GOOD_CONFIG))
    for key, value in changes.items():
        if value is None:
            cfg.pop(key)
        else:
            cfg[key] = value
    return np.array(json.dumps(cfg))


def meta(**changes: Any) -> np.ndarray:
    return config(meta={**GOOD_CONFIG["meta"], **changes})


def model_cases() -> dict[str, tuple[Callable[[Path], None], str]]:
    """name -> (writer, expected error substring)."""
    zeros = bytes(32 << 20)
    cases: dict[str, tuple[Callable[[Path], None], str]] = {
        "good.npz": (lambda p: model(p), "ok"),
        "good_compressed.npz": (lambda p: model(p, compress=True), "ok"),
        "version_array.npz": (lambda p: model(p, version=np.array([1, 2, 3])), "version must be a whole number"),
        "version_string.npz": (lambda p: model(p, version=np.array("1")), "version must be a whole number"),
        "version_float.npz": (lambda p: model(p, version=np.array(1.0)), "version must be a whole number"),
        "version_newer.npz": (lambda p: model(p, version=np.array(7)), "version 7 is newer"),
        "version_zero.npz": (lambda p: model(p, version=np.array(0)), "unknown format version 0"),
        "no_version.npz": (lambda p: model(p, version=None), "no 'version' array"),
        "format_wrong.npz": (lambda p: model(p, format=np.array("other")), "not an annplay model"),
        "foreign.npz": (lambda p: write_zip(p, {"a.npy": npy(np.arange(3))}), "not an annplay model"),
        "config_list.npz": (lambda p: model(p, config=np.array("[2, 3, 1]")), "config must be an object, got a list"),
        "config_string.npz": (lambda p: model(p, config=np.array('"x"')), "config must be an object, got a string"),
        "config_number.npz": (lambda p: model(p, config=np.array("42")), "config must be an object, got a whole"),
        "config_not_json.npz": (lambda p: model(p, config=np.array("{layers")), "config is not valid JSON"),
        "config_deep_json.npz": (lambda p: model(p, config=np.array("[" * 5000 + "]" * 5000)),
                                 "config is not valid JSON"),
        "config_array.npz": (lambda p: model(p, config=np.arange(4)), "config must be JSON text"),
        "no_config.npz": (lambda p: model(p, config=None), "no 'config' array"),
        "layers_int.npz": (lambda p: model(p, config=config(layers=3)), "'layers' must be a list"),
        "layers_negative.npz": (lambda p: model(p, config=config(layers=[2, -3, 1])), "whole numbers ≥ 1"),
        "layers_float.npz": (lambda p: model(p, config=config(layers=[2, 3.5, 1])), "whole numbers ≥ 1"),
        "layers_missing.npz": (lambda p: model(p, config=config(layers=None)), "the config has no 'layers'"),
        "loss_missing.npz": (lambda p: model(p, config=config(loss=None)), "the config has no 'loss'"),
        "activations_number.npz": (lambda p: model(p, config=config(activations=5)), "'activations' must be a list"),
        "activation_unknown.npz": (lambda p: model(p, config=config(activations=["tanh", "nope", "logistic"])),
                                   "damaged annplay model"),
        "dtype_int.npz": (lambda p: model(p, config=config(dtype="int8")), "'dtype' must be float32 or float64"),
        "params_1e10.npz": (lambda p: model(p, config=config(layers=[2, 100000, 100000, 1])), "limit is"),
        "meta_string.npz": (lambda p: model(p, config=config(meta="hello")), "meta must be an object, got a string"),
        "meta_list.npz": (lambda p: model(p, config=config(meta=[1])), "meta must be an object, got a list"),
        "meta_x_mean_text.npz": (lambda p: model(p, config=meta(x_mean="0,1")), "'x_mean' must be a list of finite"),
        "meta_x_mean_short.npz": (lambda p: model(p, config=meta(x_mean=[0.0])), "'x_mean' has 1 values"),
        "meta_x_std_zero.npz": (lambda p: model(p, config=meta(x_std=[1.0, 0.0])), "'x_std' must be positive"),
        "meta_x_std_missing.npz": (lambda p: model(p, config=meta(x_std=None)), "has x_mean without x_std"),
        "meta_feature_names_int.npz": (lambda p: model(p, config=meta(feature_names=[1, 2])),
                                       "'feature_names' must be a list of names"),
        "meta_feature_names_long.npz": (lambda p: model(p, config=meta(feature_names=["a", "b", "c"])),
                                        "'feature_names' has 3 names"),
        "meta_class_names_count.npz": (lambda p: model(p, config=meta(class_names=["a", "b", "c"])),
                                       "'class_names' has 3 names for 1 outputs"),
        "meta_kind_bad.npz": (lambda p: model(p, config=meta(kind="cluster")), "'kind' must be one of"),
        "meta_features_unknown.npz": (lambda p: model(p, config=meta(features=["x1", "evil"])), "unknown 'evil'"),
        "meta_escape_names.npz": (lambda p: model(p, config=meta(class_names=["\x1b]0;pwned\x07", "[/x]"])), "ok"),
        "no_W2.npz": (lambda p: model(p, W2=None), "no 'W2' array"),
        "W1_wrong_shape.npz": (lambda p: model(p, W1=np.zeros((7, 7))), "shape (7, 7), expected (3, 2)"),
        "W1_header_1e12.npz": (lambda p: model(p, raw={"W1.npy": raw_npy((10**6, 10**6), bytes(48))}),
                               "shape (1000000, 1000000), expected (3, 2)"),
        "W1_int.npz": (lambda p: model(p, W1=np.zeros((3, 2), dtype=np.int64)), "dtype int64"),
        "W1_object_pickle.npz": (lambda p: model(p, W1=np.array([[None] * 2] * 3, dtype=object)), "dtype object"),
        "W1_nan.npz": (lambda p: model(p, W1=np.full((3, 2), np.nan)), "non-finite"),
        "W1_truncated_data.npz": (lambda p: model(p, raw={"W1.npy": raw_npy((3, 2), bytes(20))}), "is truncated"),
        "b1_wrong_shape.npz": (lambda p: model(p, b1=np.zeros((4, 1))), "shape (4, 1), expected (3, 1)"),
        "bomb_config.npz": (lambda p: model(p, compress=True, raw={"config.npy": raw_npy((len(zeros) // 8,), zeros)}),
                            "not read"),
        "bomb_W1.npz": (lambda p: model(p, compress=True, raw={"W1.npy": raw_npy((len(zeros) // 8,), zeros)}),
                        "not read"),
        "not_zip.npz": (lambda p: p.write_bytes(b"layers: 2, 3, 1\nnot a model\n"), "not an .npz (zip) file"),
        "empty.npz": (lambda p: p.write_bytes(b""), "the file is empty"),
        "npy_not_npz.npz": (lambda p: p.write_bytes(npy(np.arange(3))), "not an .npz (zip) file"),
    }
    return cases


def truncated(path: Path) -> None:
    model(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def bad_crc(path: Path) -> None:
    model(path)
    data = bytearray(path.read_bytes())
    at = data.find(b"W2.npy") + 6 + 128 + 4           # inside W2's data, after its .npy header
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def good_dict() -> dict[str, Any]:
    arrays = good_arrays()
    return {"format": "annplay-mlp", "version": 1, **GOOD_CONFIG,
            "weights": [arrays["W1"].tolist(), arrays["W2"].tolist()],
            "biases": [arrays["b1"].tolist(), arrays["b2"].tolist()]}


def json_cases() -> dict[str, tuple[Any, str]]:
    """name -> (JSON value, expected error) for modelio.load_model_json (the app's weight import)."""
    d = good_dict()
    return {
        "good.json": (d, "ok"),
        "top_list.json": ([d], "not an annplay model"),
        "version_list.json": ({**d, "version": [1]}, "version must be a whole number"),
        "version_bool.json": ({**d, "version": True}, "version must be a whole number"),
        "layers_int.json": ({**d, "layers": 3}, "'layers' must be a list"),
        "meta_string.json": ({**d, "meta": "m"}, "meta must be an object"),
        "weights_number.json": ({**d, "weights": 5}, "'weights' must be a list of 2 matrices"),
        "weights_ragged.json": ({**d, "weights": [[[1.0], [1.0, 2.0], [3.0]], d["weights"][1]]},
                                "weights[0] is not a matrix of numbers"),
        "weights_text.json": ({**d, "weights": [[["a", "b"]] * 3, d["weights"][1]]},
                              "weights[0] is not a matrix of numbers"),
        "weights_short.json": ({**d, "weights": d["weights"][:1]}, "'weights' must be a list of 2 matrices"),
        "biases_nan.json": ({**d, "biases": [[[float("nan")]] * 3, d["biases"][1]]}, "biases[0] must be finite"),
        "params_1e10.json": ({**d, "layers": [2, 100000, 100000, 1]}, "limit is"),
    }


def csv_cases() -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, expected error) for load_csv with default columns."""
    return {
        "good.csv": (b"a,b,label\n1,2,x\n3,4,y\n5,6,x\n", "ok"),
        "escape_labels.csv": (b"a,b,label\n1,2,\x1b]0;pwned\x07\n3,4,[/x]\n5,6,[bold\n", "ok"),
        "escape_header.csv": (b"a\x1b[31m,[b]b,label\n1,2,x\n3,4,y\n", "ok"),
        "binary.csv": (bytes(range(256)) * 4, "not a UTF-8 text file"),
        "nul_bytes.csv": (b"a,b,label\n1,\x002,x\n3,4,y\n5,6,x\n", "line 2, column 'b'"),
        "ragged.csv": (b"a,b,label\n1,2,x\n3,4\n", "line 3: expected 3 columns"),
        "text_in_numbers.csv": (b"a,b,label\n1,2,x\n3,oops,y\n5,6,x\n", "line 3, column 'b': 'oops' is not a number"),
        "inf.csv": (b"a,b,label\n1,2,x\ninf,4,y\n", "'inf' is not a finite number"),
        "huge_field.csv": (b"a,b,label\n1,2," + b"x" * 140_000 + b"\n", "not valid CSV"),
        "empty.csv": (b"", "is empty"),
        "header_only.csv": (b"a,b,label\n", "header row but no data rows"),
        "one_class.csv": (b"a,b,label\n1,2,x\n3,4,x\n", "only one class"),
        "dup_header.csv": (b"a,a,label\n1,2,x\n", "appears more than once"),
        "all_missing.csv": (b"a,b,label\nNA,1,x\n2,,y\n", "no usable rows"),
        "unclosed_quote.csv": (b'a,b,label\n1,2,"x\n3,4,y\n', "only one class"),
        "many_labels.csv": (b"a,b,label\n" + b"".join(b"%d,%d,n%d\n" % (i, i, i) for i in range(1500)),
                            "over 1,000 different text labels"),
    }


def generate(folder: Path = FOLDER) -> dict[str, dict[str, str]]:
    """Write every case into ``folder`` (emptied first); returns and writes EXPECTED.json."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    expected: dict[str, dict[str, str]] = {}
    for name, (write, error) in model_cases().items():
        write(folder / name)
        expected[name] = {"loader": "model", "error": error}
    for name, write2, error in (("truncated.npz", truncated, "truncated or damaged"),
                                ("bad_crc.npz", bad_crc, "truncated or damaged")):
        write2(folder / name)
        expected[name] = {"loader": "model", "error": error}
    for name, (value, error) in json_cases().items():
        (folder / name).write_text(json.dumps(value), encoding="utf-8")
        expected[name] = {"loader": "json", "error": error}
    for name, text, error in (("deep_nesting.json", "[" * 50_000 + "]" * 50_000, "nested too deeply"),
                              ("not_json.json", "{format: annplay-mlp}", "not valid JSON"),
                              ("latin1.json", b'{"format": "\xe9"}', "not a UTF-8 text file")):
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
        expected[name] = {"loader": "json", "error": error}
    for name, (data, error) in csv_cases().items():
        (folder / name).write_bytes(data)
        expected[name] = {"loader": "csv", "error": error}
    (folder / "EXPECTED.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return expected


if __name__ == "__main__":
    out = generate(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER)
    print(f"{len(out)} hostile files in {FOLDER if len(sys.argv) == 1 else sys.argv[1]}")
