"""Saving and loading: round trips, atomic writes, and clear errors for bad files."""

from __future__ import annotations

import gc
import io
import json
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from annplay.engine import MLP, NeuralNetwork, pyann


def trained_net(dtype=np.float64) -> MLP:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 20))
    Y = np.eye(3)[rng.integers(0, 3, 20)].T
    net = MLP([3, 6, 4, 3],
              [("leaky_relu", {"slope": 0.2}), ("elu", {"alpha": 0.7}), "softmax"],
              seed=1, dtype=dtype)
    net.fit(X, Y, 5, 0.1)
    net.meta = {"dataset": "blobs", "note": "ünïcode"}
    return net


def probe_X(m: int = 3) -> np.ndarray:
    return np.random.default_rng(9).normal(size=(m, 11))


def only_files(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_load_round_trip_gives_identical_predictions(tmp_path: Path, dtype) -> None:
    net = trained_net(dtype)
    path = net.save(tmp_path / "model.npz")
    assert path == tmp_path / "model.npz" and path.exists()
    assert only_files(tmp_path) == ["model.npz"]          # no temporary file left behind
    loaded = MLP.load(path)
    assert loaded.dtype == np.dtype(dtype)
    assert loaded.layers == net.layers
    assert loaded.activations == net.activations          # names and parameters
    assert loaded.loss_name == net.loss_name
    assert loaded.meta == net.meta
    np.testing.assert_array_equal(loaded.get_flat(), net.get_flat())
    X = probe_X()
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    assert MLP.load(str(path)).layers == net.layers       # a str path works too


def test_load_of_a_subclass_file_and_through_a_subclass(tmp_path: Path) -> None:
    net = pyann([2, 5, 1], ["relu", "relu", "logistic"], seed=0)
    net.save(tmp_path / "p.npz")
    loaded = pyann.load(tmp_path / "p.npz")
    X = probe_X(2)
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))
    nn = NeuralNetwork(2, 3, 1, seed=0)
    nn.save(tmp_path / "n.npz")
    np.testing.assert_array_equal(MLP.load(tmp_path / "n.npz").forward(X), nn.forward(X))


def test_saving_over_an_existing_file_replaces_it(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    a = MLP([2, 3, 1], "tanh", seed=0)
    b = MLP([2, 3, 1], "tanh", seed=1)
    a.save(path)
    b.save(path)
    assert only_files(tmp_path) == ["m.npz"]
    np.testing.assert_array_equal(MLP.load(path).get_flat(), b.get_flat())


def test_a_failing_write_leaves_the_old_file_intact(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "m.npz"
    old = MLP([2, 3, 1], "tanh", seed=0)
    old.save(path)
    old_bytes = path.read_bytes()

    def boom(src, dst):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="simulated"):
        MLP([2, 3, 1], "tanh", seed=1).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert only_files(tmp_path) == ["m.npz"]              # the temporary file was removed
    np.testing.assert_array_equal(MLP.load(path).get_flat(), old.get_flat())


def test_a_write_failing_midway_leaves_no_file(tmp_path: Path, monkeypatch) -> None:
    import annplay.engine.modelio as network

    def boom(arrays):
        raise RuntimeError("serialisation failed (simulated)")

    monkeypatch.setattr(network, "_npz_bytes", boom)
    with pytest.raises(RuntimeError):
        MLP([2, 3, 1], "tanh").save(tmp_path / "new.npz")
    assert only_files(tmp_path) == []


# --- bad files -----------------------------------------------------------------------------

def load_error(path: Path) -> str:
    with pytest.raises(ValueError) as info:
        MLP.load(path)
    message = str(info.value)
    assert str(path) in message                          # names the file
    return message


def test_loading_a_missing_file(tmp_path: Path) -> None:
    assert "no such file" in load_error(tmp_path / "nope.npz")


def test_loading_a_foreign_npz(tmp_path: Path) -> None:
    path = tmp_path / "foreign.npz"
    np.savez(path, a=np.arange(3), b=np.eye(2))
    assert "not an annplay model" in load_error(path)


def test_loading_a_plain_npy_file(tmp_path: Path) -> None:
    path = tmp_path / "array.npy"
    np.save(path, np.arange(3))
    assert "not an annplay model" in load_error(path)


def test_loading_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.npz"
    path.write_text("layers: 2, 3, 1\nthis is not a model\n")
    message = load_error(path)
    assert "not an annplay model" in message
    assert "pickle" not in message                       # no misleading advice to unpickle it


def test_loading_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    message = load_error(path)
    assert "empty" in message or "not an annplay model" in message


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_loading_a_truncated_file(tmp_path: Path, keep: float) -> None:
    good = tmp_path / "good.npz"
    trained_net().save(good)
    data = good.read_bytes()
    path = tmp_path / "cut.npz"
    path.write_bytes(data[:int(len(data) * keep)])
    assert "truncated or damaged" in load_error(path)


def test_loading_a_file_with_a_corrupted_weight_array(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    MLP([2, 3, 1], "tanh", seed=0).save(path)
    with np.load(path) as z:
        arrays = dict(z)
    key = sorted(k for k in arrays if k.startswith("W"))[0]
    arrays[key] = np.zeros((7, 7))
    np.savez(path, **arrays)
    message = load_error(path)
    assert "damaged annplay model" in message and "shape" in message


def test_loading_a_newer_format_version(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    MLP([2, 3, 1], "tanh", seed=0).save(path)
    with np.load(path) as z:
        arrays = dict(z)
    assert int(arrays["version"]) == 1
    arrays["version"] = np.array(99)
    np.savez(path, **arrays)
    message = load_error(path)
    assert "version 99" in message and "newer" in message


def test_failed_loads_close_the_file(tmp_path: Path) -> None:
    """No file handle is left open (it would block replacing the file on Windows)."""
    good = tmp_path / "good.npz"
    trained_net().save(good)
    data = good.read_bytes()
    bad = [("cut.npz", data[: len(data) // 2]), ("text.npz", b"hello"), ("empty.npz", b"")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name, content in bad:
            (tmp_path / name).write_bytes(content)
            with pytest.raises(ValueError):
                MLP.load(tmp_path / name)
        gc.collect()
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []


# --- to_dict / from_dict -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_dict_is_json_and_round_trips(dtype) -> None:
    net = trained_net(dtype)
    data = net.to_dict()
    text = json.dumps(data)
    again = MLP.from_dict(json.loads(text))
    assert again.layers == net.layers and again.activations == net.activations
    assert again.dtype == net.dtype and again.meta == net.meta
    np.testing.assert_array_equal(again.get_flat(), net.get_flat())
    X = probe_X()
    np.testing.assert_array_equal(again.forward(X), net.forward(X))
    assert again.to_dict() == data


def test_copy_is_independent() -> None:
    net = trained_net()
    twin = net.copy()
    np.testing.assert_array_equal(twin.get_flat(), net.get_flat())
    original = net.get_flat()
    twin.weights[0][0, 0] += 1.0
    np.testing.assert_array_equal(net.get_flat(), original)
    assert np.count_nonzero(twin.get_flat() != original) == 1


def test_from_dict_rejects_foreign_newer_and_damaged_data() -> None:
    data = MLP([2, 3, 1], "tanh", seed=0).to_dict()
    with pytest.raises(ValueError, match="not an annplay model"):
        MLP.from_dict({"layers": [2, 1]})
    with pytest.raises(ValueError, match="version 99 is newer"):
        MLP.from_dict({**data, "version": 99})
    with pytest.raises(ValueError, match=r"damaged annplay model: weights\[0\] has shape"):
        MLP.from_dict({**data, "weights": [[[1.0]], data["weights"][1]]})
    with pytest.raises(ValueError, match="damaged annplay model"):
        MLP.from_dict({**data, "weights": data["weights"][:1], "biases": data["biases"][:1]})
    with pytest.raises(ValueError, match="damaged annplay model"):
        MLP.from_dict({k: v for k, v in data.items() if k != "layers"})


def test_saved_file_is_a_plain_npz_without_pickles(tmp_path: Path) -> None:
    path = MLP([2, 3, 1], "tanh", seed=0).save(tmp_path / "m.npz")
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as z:         # would raise on object arrays
        assert str(z["format"]) == "annplay-mlp"
        json.loads(str(z["config"]))


# --- issue 12: structure checked in one place, shapes and sizes before reading, regular files only ---------

def rewrite(path: Path, **changes) -> Path:
    """Re-save the model's members with some replaced (a value None drops the member)."""
    with np.load(path) as z:
        arrays = dict(z)
    for key, value in changes.items():
        if value is None:
            arrays.pop(key, None)
        else:
            arrays[key] = value
    np.savez(path, **arrays)
    return path


def saved(tmp_path: Path, meta: dict | None = None) -> Path:
    net = MLP([2, 3, 1], "tanh", seed=0)
    net.meta = meta or {"kind": "binary", "class_names": ["a", "b"], "feature_names": ["u", "v"],
                        "x_mean": [0.0, 1.0], "x_std": [1.0, 2.0], "features": []}
    return net.save(tmp_path / "m.npz")


def config_of(path: Path) -> dict:
    with np.load(path) as z:
        return json.loads(str(z["config"]))


@pytest.mark.parametrize("version, words", [
    (np.array([1, 2, 3]), "version must be a whole number"),
    (np.array("1"), "version must be a whole number"),
    (np.array(1.5), "version must be a whole number"),
    (np.array(0), "unknown format version 0"),
])
def test_bad_version_types(tmp_path: Path, version, words) -> None:
    assert words in load_error(rewrite(saved(tmp_path), version=version))


@pytest.mark.parametrize("config, words", [
    ("[2, 3, 1]", "config must be an object, got a list"),
    ('"layers"', "config must be an object, got a string"),
    ("42", "config must be an object, got a whole number"),
    ("{", "config is not valid JSON"),
])
def test_bad_config_types(tmp_path: Path, config, words) -> None:
    assert words in load_error(rewrite(saved(tmp_path), config=np.array(config)))


def with_config(tmp_path: Path, **changes) -> Path:
    path = saved(tmp_path)
    config = config_of(path)
    for key, value in changes.items():
        if value is None:
            config.pop(key)
        else:
            config[key] = value
    return rewrite(path, config=np.array(json.dumps(config)))


@pytest.mark.parametrize("changes, words", [
    ({"layers": 3}, "'layers' must be a list"),
    ({"layers": [2, -3, 1]}, "whole numbers ≥ 1"),
    ({"layers": [2, 3.5, 1]}, "whole numbers ≥ 1"),
    ({"layers": None}, "has no 'layers'"),
    ({"loss": None}, "has no 'loss'"),
    ({"loss": 3}, "'loss' must be a name"),
    ({"activations": 7}, "'activations' must be a list"),
    ({"dtype": "int8"}, "'dtype' must be float32 or float64"),
    ({"meta": "hello"}, "meta must be an object, got a string"),
    ({"meta": [1, 2]}, "meta must be an object, got a list"),
])
def test_bad_config_fields(tmp_path: Path, changes, words) -> None:
    message = load_error(with_config(tmp_path, **changes))
    assert words in message and "\n" not in message


GOOD_META = {"kind": "binary", "class_names": ["a", "b"], "feature_names": ["u", "v"],
             "x_mean": [0.0, 1.0], "x_std": [1.0, 2.0], "features": []}


@pytest.mark.parametrize("meta_changes, words", [
    ({"x_mean": "0,1"}, "'x_mean' must be a list of finite numbers"),
    ({"x_mean": [0.0]}, "'x_mean' has 1 values; the model takes 2 inputs"),
    ({"x_std": [1.0, 0.0]}, "'x_std' must be positive"),
    ({"x_std": [1.0, None]}, "'x_std' must be a list of finite numbers"),
    ({"x_std": None}, "has x_mean without x_std"),
    ({"feature_names": "uv"}, "'feature_names' must be a list of names"),
    ({"feature_names": ["u", "v", "w"]}, "'feature_names' has 3 names"),
    ({"class_names": ["a", "b", "c"]}, "'class_names' has 3 names for 1 outputs"),
    ({"class_names": "ab"}, "'class_names' must be a list"),
    ({"kind": "cluster"}, "'kind' must be one of"),
    ({"features": ["x1", "nope"]}, "unknown 'nope'"),
])
def test_bad_meta(tmp_path: Path, meta_changes, words) -> None:
    meta = {**GOOD_META, **meta_changes}
    assert words in load_error(with_config(tmp_path, meta=meta))
    data = MLP([2, 3, 1]).to_dict()
    with pytest.raises(ValueError, match="damaged annplay model: meta"):
        MLP.from_dict({**data, "meta": meta})


def test_good_meta_loads(tmp_path: Path) -> None:
    assert MLP.load(saved(tmp_path)).meta == GOOD_META


def test_declared_shape_is_checked_before_reading(tmp_path: Path) -> None:
    path = saved(tmp_path)
    with np.load(path) as z:
        arrays = dict(z)
    # a W1 whose .npy header claims 10**12 elements, with only a few bytes of data behind it
    header = np.lib.format.header_data_from_array_1_0(np.zeros((3, 2)))
    header["shape"] = (10**6, 10**6)
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    buf.write(np.zeros(6).tobytes())
    with zipfile.ZipFile(path, "w") as zf:
        for key, value in arrays.items():
            if key == "W1":
                zf.writestr("W1.npy", buf.getvalue())
            else:
                vb = io.BytesIO()
                np.save(vb, value)
                zf.writestr(f"{key}.npy", vb.getvalue())
    assert "has shape (1000000, 1000000), expected (3, 2)" in load_error(path)


def test_parameter_count_over_the_limit_is_refused_before_allocation(tmp_path: Path) -> None:
    message = load_error(with_config(tmp_path, layers=[2, 100000, 100000, 1]))
    assert "10,000," in message and "parameters" in message and "limit" in message


def bomb_member(size: int) -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (size // 8,)})
    return header.getvalue() + bytes(size)


def test_zip_bomb_config_is_refused_unread(tmp_path: Path) -> None:
    path = saved(tmp_path)
    with np.load(path) as z:
        arrays = {k: z[k] for k in ("format", "version", "W1", "b1", "W2", "b2")}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, value in arrays.items():
            vb = io.BytesIO()
            np.save(vb, value)
            zf.writestr(f"{key}.npy", vb.getvalue())
        zf.writestr("config.npy", bomb_member(32 << 20))        # 32 MiB of zeros, ~32 KiB compressed
    assert path.stat().st_size < 200_000
    message = load_error(path)
    assert "declares 33,554,5" in message and "not read" in message


def test_zip_bomb_weights_are_refused_unread(tmp_path: Path) -> None:
    path = with_config(tmp_path, layers=[2, 4096, 1], activations=["tanh", "tanh", "logistic"])
    with np.load(path) as z:
        arrays = dict(z)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, value in arrays.items():
            vb = io.BytesIO()
            np.save(vb, np.zeros((4096, 2)) if key == "W1" else value)
            zf.writestr(f"{key}.npy", vb.getvalue())
    assert "would expand" in load_error(path)


def test_object_arrays_are_refused_without_unpickling(tmp_path: Path) -> None:
    path = saved(tmp_path)
    with np.load(path) as z:
        arrays = dict(z)
    arrays["W1"] = np.array([[object()] * 2] * 3, dtype=object)
    np.savez(path, **arrays)
    assert "dtype object" in load_error(path)


def test_fifo_model_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    assert "FIFO" in load_error(fifo)


def test_non_finite_weights_in_a_file_are_refused(tmp_path: Path) -> None:
    path = saved(tmp_path)
    assert "non-finite" in load_error(rewrite(path, W2=np.array([[np.nan, 0.0, 1.0]])))


def test_from_dict_type_errors_are_value_errors() -> None:
    data = MLP([2, 3, 1]).to_dict()
    for bad in ({**data, "version": [1]}, {**data, "layers": 3}, {**data, "weights": 5},
                {**data, "weights": [[["x"]], data["weights"][1]]}, {**data, "meta": "m"},
                {**data, "activations": {"a": 1}}):
        with pytest.raises(ValueError, match=r"^data: "):
            MLP.from_dict(bad)


def test_load_model_json_round_trip_and_hostile_files(tmp_path: Path) -> None:
    net = trained_net()
    good = tmp_path / "m.json"
    good.write_text(json.dumps(net.to_dict()))
    np.testing.assert_array_equal(MLP.load_json(good).get_flat(), net.get_flat())
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    cases = {deep: "nested too deeply", tmp_path / "nope.json": "no such file"}
    (tmp_path / "latin.json").write_bytes(b'{"a": "\xe9"}')
    cases[tmp_path / "latin.json"] = "not a UTF-8 text file"
    (tmp_path / "big.json").write_text(json.dumps(net.to_dict()) + " " * 2000)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    cases[fifo] = "FIFO"
    for path, words in cases.items():
        with pytest.raises(ValueError, match=words) as info:
            MLP.load_json(path)
        assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)
    with pytest.raises(ValueError, match="over 1,000 bytes"):
        MLP.load_json(tmp_path / "big.json", max_bytes=1000)


def test_each_weights_save_replaces_only_its_own_kind(tmp_path) -> None:
    """e over a trained .npz wrote JSON under the .npz name, s over an export a zip under .json (a probe's find)."""
    import pytest

    from annplay.core.weightfiles import export_json, export_npz
    from annplay.engine import MLP

    net = MLP([2, 3, 1], ["tanh", "logistic"], seed=0)
    model, exported = tmp_path / "m.npz", tmp_path / "w.json"
    export_npz(net, model)
    export_json(net, exported)
    before = (model.read_bytes(), exported.read_bytes())
    renamed_model, renamed_export = tmp_path / "model.bin", tmp_path / "export.txt"
    model.rename(renamed_model)
    exported.rename(renamed_export)
    with pytest.raises(ValueError, match=r"is an annplay model \(\.npz\), not an annplay weight export"):
        export_json(net, renamed_model)
    with pytest.raises(ValueError, match=r"is an annplay weight export \(JSON\), not an annplay model"):
        export_npz(net, renamed_export)
    with pytest.raises(ValueError, match="a name ending in .npz"):
        export_json(net, tmp_path / "new.npz")
    with pytest.raises(ValueError, match="a name ending in .json"):
        export_npz(net, tmp_path / "new.json")
    assert (renamed_model.read_bytes(), renamed_export.read_bytes()) == before
    export_npz(net, renamed_model)                          # its own kind: replaced
    export_json(net, renamed_export)
