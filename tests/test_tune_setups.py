"""Set-ups that always round-trip: drawn points in share codes, TF seed strings, and ``train --setup FILE``
starting from the file's [model] weights as ``play FILE`` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annplay.engine.settings import SettingError
from annplay.engine.setup import Setup
from annplay.engine.setupfile import resolve_setup
from annplay.engine.sharecode import (
    MAX_CODE_LENGTH,
    MAX_DRAWN_POINTS,
    decode,
    decode_drawing,
    encode,
)
from annplay.engine.tflink import from_tf_link, to_tf_link

# --- drawn points in share codes -------------------------------------------------------------------------

grid_value = st.integers(-8 * 256, 8 * 256 - 1).map(lambda k: k / 256)
point = st.tuples(grid_value, grid_value, st.integers(0, 9).map(float))


@given(st.lists(point, max_size=60).map(tuple))
def test_drawn_points_round_trip_exactly(points: tuple[tuple[float, float, float], ...]) -> None:
    code = encode(Setup(dataset="xor", lr=0.1), points)
    setup, drawn = decode_drawing(code)
    assert setup == Setup(dataset="xor", lr=0.1) and drawn == points


@given(st.lists(st.tuples(st.floats(-8, 7.99), st.floats(-8, 7.99), st.integers(0, 1).map(float)),
                min_size=1, max_size=20).map(tuple))
def test_any_drawn_point_comes_back_within_the_stated_resolution(points: tuple) -> None:
    _, drawn = decode_drawing(encode(Setup(), points))
    assert drawn is not None and len(drawn) == len(points)
    for (a, b, c), (x, y, z) in zip(points, drawn):
        assert abs(a - x) <= 1 / 512 and abs(b - y) <= 1 / 512 and c == z


def test_the_largest_drawing_fits_a_code_and_a_larger_one_is_refused() -> None:
    big = tuple((i % 16 - 8.0, (i // 16) % 16 - 8.0, float(i % 2)) for i in range(MAX_DRAWN_POINTS))
    code = encode(Setup(dataset="spiral", hidden=(8, 8, 8), lr=0.1, seed=123456), big)
    assert len(code) <= MAX_CODE_LENGTH and decode_drawing(code)[1] == big
    with pytest.raises(SettingError, match=f"at most {MAX_DRAWN_POINTS} drawn points"):
        encode(Setup(), (*big, (0.0, 0.0, 0.0)))
    with pytest.raises(SettingError, match="outside"):
        encode(Setup(), ((9.0, 0.0, 1.0),))


def test_an_empty_drawing_is_a_drawing_and_no_drawing_is_none() -> None:
    assert decode_drawing(encode(Setup(), ()))[1] == ()
    assert decode_drawing(encode(Setup()))[1] is None


def test_a_code_with_points_is_never_trained_without_them() -> None:
    code = encode(Setup(dataset="xor"), ((1.0, 1.0, 1.0), (-1.0, -1.0, 0.0)))
    with pytest.raises(SettingError, match="2 drawn point"):
        decode(code)
    with pytest.raises(SettingError, match="playground"):
        resolve_setup(code)


@pytest.mark.parametrize("bad", ["ap1:pts=AAAA", "ap1:pts=AAAA!", "ap1:pts=AAAAA;pts=AAAAA"])
def test_bad_points_say_so(bad: str) -> None:
    with pytest.raises(SettingError, match="pts"):
        decode_drawing(bad)


# --- TF seed strings ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", ["0.12345", "0.5", "hello", "00042"])
def test_a_tf_seed_string_survives_import_and_export(seed: str) -> None:
    setup, _, _ = from_tf_link(f"https://playground.tensorflow.org/#seed={seed}&networkShape=4,2")
    link = to_tf_link(setup)
    assert link is not None and f"&seed={seed}&" in link
    again, _, _ = from_tf_link(link)
    assert again == setup
    assert decode(encode(setup)) == setup                   # the share code keeps it too


def test_a_plain_number_seed_stays_a_number_and_a_changed_seed_wins() -> None:
    setup, _, _ = from_tf_link("https://playground.tensorflow.org/#seed=42")
    assert setup.seed == 42 and setup.tf_seed is None
    kept, _, _ = from_tf_link("https://playground.tensorflow.org/#seed=0.12345")
    link = to_tf_link(kept.with_(seed=7))
    assert link is not None and "&seed=7&" in link


# --- train --setup FILE starts from the file's [model] ------------------------------------------------------

def _annplay(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "annplay", *args], capture_output=True, text=True, cwd=cwd,
                          env=dict(os.environ), timeout=120)


def test_train_setup_file_starts_from_its_model(tmp_path: Path) -> None:
    first = _annplay("train", "--dataset", "xor", "--layers", "4", "--lr", "0.1", "--epochs", "200", "--save",
                     "xor.npz", "--save-setup", "xor.toml", "--json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    trained = json.loads(first.stdout)
    assert trained["weights"].startswith("new")
    again = _annplay("train", "--setup", "xor.toml", "--epochs", "1", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    resumed = json.loads(again.stdout)
    assert "xor.npz" in resumed["weights"]
    fresh = json.loads(_annplay("train", "--dataset", "xor", "--layers", "4", "--lr", "0.1", "--epochs", "1",
                                "--json", cwd=tmp_path).stdout)
    assert resumed["test_loss"] < fresh["test_loss"] * 0.8           # it starts where the saved run ended
    report = _annplay("train", "--setup", "xor.toml", "--epochs", "1", "--no-plot", cwd=tmp_path)
    assert "weights: loaded from" in report.stderr
    misfit = _annplay("train", "--setup", "xor.toml", "--layers", "5", "--epochs", "1", cwd=tmp_path)
    assert misfit.returncode == 2 and "[model]" in misfit.stderr


def test_play_takes_a_drawn_code_and_train_refuses_it_in_one_line(tmp_path: Path) -> None:
    from annplay.cli import build_parser
    from annplay.cli.setups import base_setup

    points = ((1.0, 1.0, 1.0), (-1.0, -1.0, 0.0))
    code = encode(Setup(dataset="xor", lr=0.3), points)
    drawing: list = []
    setup, _ = base_setup(build_parser().parse_args(["play", code]), drawing)
    assert setup == Setup(dataset="xor", lr=0.3) and drawing == [points]
    proc = _annplay("train", "--setup", code, "--epochs", "5", cwd=tmp_path)
    assert proc.returncode == 2 and "drawn point" in proc.stderr and proc.stderr.count("\n") == 1
