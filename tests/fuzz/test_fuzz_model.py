"""Fuzzing the model loader: mutated .npz files and random dicts load as a working MLP or give a one-line error."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from annplay.engine import MLP

from .conftest import fuzz


def good_net() -> MLP:
    net = MLP([2, 4, 3], ["tanh", "relu", "softmax"], seed=0)
    net.meta = {"kind": "multiclass", "class_names": ["a", "b", "c"], "feature_names": ["u", "v"],
                "x_mean": [0.0, 1.0], "x_std": [1.0, 2.0], "features": []}
    return net


def saved_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return good_net().save(Path(tmp) / "m.npz").read_bytes()


GOOD = saved_bytes()
GOOD_DICT = good_net().to_dict()


def check_loaded(net: MLP) -> None:
    """A loaded model works: finite outputs of the right shape."""
    X = np.random.default_rng(0).normal(size=(net.layers[0], 4))
    out = net.forward(X)
    assert out.shape == (net.layers[-1], 4)


def load_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.npz"
        path.write_bytes(data)
        try:
            net = MLP.load(path)
        except ValueError as exc:
            message = str(exc)
            assert message.startswith(str(path)) and "\n" not in message
        else:
            check_loaded(net)


@fuzz
@given(st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(1, 255)), min_size=1, max_size=8))
def test_flipped_bytes(flips: list[tuple[int, int]]) -> None:
    data = bytearray(GOOD)
    for at, xor in flips:
        data[at] ^= xor
    load_bytes(bytes(data))


@fuzz
@given(st.integers(0, len(GOOD)), st.binary(max_size=64))
def test_truncated_or_extended(cut: int, tail: bytes) -> None:
    load_bytes(GOOD[:cut] + tail)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.sampled_from([10**400, -(10**30)]) | st.floats()
                    | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                   max_size=4), max_leaves=12)
ACTIVATION = st.fixed_dictionaries({"name": st.sampled_from(["elu", "leaky_relu", "tanh", "nope"]),
                                     "params": st.dictionaries(st.sampled_from(["alpha", "slope", "x"]), JSON,
                                                               max_size=2)})
FIELDS = ["version", "layers", "activations", "loss", "dtype", "meta", "weights", "biases", "format"]
META_FIELDS = ["x_mean", "x_std", "feature_names", "class_names", "kind", "features", "dataset"]


@fuzz
@given(st.sampled_from(FIELDS), JSON)
def test_dict_with_one_field_replaced(key: str, value: Any) -> None:
    data = json.loads(json.dumps(GOOD_DICT))
    data[key] = value
    try:
        net = MLP.from_dict(data, source="fuzz")
    except ValueError as exc:
        assert str(exc).startswith("fuzz: ") and "\n" not in str(exc)
    else:
        check_loaded(net)


@fuzz
@given(st.lists(ACTIVATION, min_size=1, max_size=3))
def test_dict_with_odd_activations(acts: list[dict]) -> None:
    data = json.loads(json.dumps(GOOD_DICT))
    data["activations"] = [*acts, {"name": "softmax", "params": {}}]
    try:
        net = MLP.from_dict(data, source="fuzz")
    except ValueError as exc:
        assert str(exc).startswith("fuzz: ") and "\n" not in str(exc)
    else:
        check_loaded(net)


@fuzz
@given(st.sampled_from(META_FIELDS), JSON)
def test_meta_with_one_field_replaced(key: str, value: Any) -> None:
    """Whatever meta holds, loading either refuses it or gives a model whose meta predict can use."""
    data = json.loads(json.dumps(GOOD_DICT))
    data["meta"][key] = value
    try:
        net = MLP.from_dict(data, source="fuzz")
    except ValueError as exc:
        assert str(exc).startswith("fuzz: ")
        return
    meta = net.meta
    if meta.get("x_mean") is not None:
        mean, std = np.asarray(meta["x_mean"], float), np.asarray(meta["x_std"], float)
        assert mean.shape == std.shape == (2,) and (std > 0).all()


@fuzz
@given(st.sampled_from(FIELDS[:6]), JSON)
def test_npz_config_with_one_field_replaced(key: str, value: Any) -> None:
    with np.load(io.BytesIO(GOOD)) as z:
        arrays = dict(z)
    config = json.loads(str(arrays["config"]))
    if key == "version":
        arrays["version"] = np.asarray(value if not isinstance(value, dict) else 0, dtype=object) \
            if isinstance(value, (list, dict)) else np.array(value)
        if arrays["version"].dtype == object:
            arrays["version"] = np.array(str(value))
    else:
        config[key] = value
        arrays["config"] = np.array(json.dumps(config))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    load_bytes(buf.getvalue())


@fuzz
@given(st.dictionaries(st.sampled_from(["format", "version", "config", "W1", "b1", "W2", "b2", "x"]),
                       st.sampled_from(["small", "big_header", "object", "text", "empty"]), max_size=7))
def test_npz_members_replaced(members: dict[str, str]) -> None:
    with np.load(io.BytesIO(GOOD)) as z:
        arrays = {f"{k}.npy": z[k] for k in z.files}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, value in arrays.items():
            kind = members.get(name[:-4])
            buf = io.BytesIO()
            if kind == "small":
                np.save(buf, np.zeros((1, 1)))
            elif kind == "big_header":
                np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False,
                                                           "shape": (10**7, 10**7)})
            elif kind == "object":
                np.save(buf, np.array([None, 1], dtype=object), allow_pickle=True)
            elif kind == "text":
                buf.write(b"hello")
            elif kind == "empty":
                pass
            else:
                np.save(buf, value)
            zf.writestr(name, buf.getvalue())
    load_bytes(out.getvalue())


def test_float32_model_with_weights_beyond_its_range_is_refused() -> None:
    data = MLP([1, 1], "tanh", dtype="float32").to_dict()
    data["weights"] = [[[1e300]]]
    try:
        MLP.from_dict(data, source="fuzz")
    except ValueError as exc:
        assert "float32 range" in str(exc) or "finite" in str(exc)
    else:
        raise AssertionError("a float32 model with a 1e300 weight loaded")
