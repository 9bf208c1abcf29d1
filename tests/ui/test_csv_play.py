"""`annplay play --data FILE.csv`: a CSV joins the dataset control and the playground starts on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.widgets.controls import Choice

from .conftest import SIZES, ready, screen_text, wait_until

CSV = "height,weight,species\n" + "".join(
    f"{150 + i},{50 + (i * 7) % 5},small\n" for i in range(12)) + "".join(
    f"{172 + i},{72 + (i * 3) % 5},large\n" for i in range(12))


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    return path


@pytest.mark.parametrize("size", SIZES)
async def test_the_playground_starts_on_the_csv_and_can_leave_it_and_come_back(size, csv_file):
    app = PlaygroundApp(Setup(csv=str(csv_file), csv_y="species"))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        assert screen.session.data_name == "people.csv" and screen.session.setup.csv == str(csv_file)
        assert screen.session.prep.dataset.class_names == ("large", "small")
        assert screen.session.prep.dataset.feature_names == ("height", "weight")
        choice = screen.query_one("#choice-dataset", Choice)
        assert choice.value == "people.csv"
        # the data are standardised, so the picture covers them rather than TF Playground's [-6, 6]
        assert screen.session.bounds.x_max < 6
        choice.focus()
        await pilot.press("right")                       # the next data set: the first built-in one
        await wait_until(pilot, lambda: screen.session.setup.csv is None, "leaving the CSV")
        assert screen.session.data_name == choice.value != "people.csv"
        assert screen.session.prep.dataset.feature_names == ("x1", "x2")
        await pilot.press("left")                        # and back to the file
        await wait_until(pilot, lambda: screen.session.setup.csv == str(csv_file), "back to the CSV")
        assert screen.session.prep.dataset.class_names == ("large", "small")
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.session.trainer.epoch > 0, "training on the CSV")


@pytest.mark.parametrize("size", [(40, 20), (60, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_long_column_names_lose_their_range_before_being_cut(size):
    """A probe at 40×20 on penguins: '↕ flipper_length_mm 1…' read as a range from 1 (the caption was cut)."""
    penguins = Path(__file__).parents[2] / "datasets" / "penguins.csv"
    app = PlaygroundApp(Setup(csv=str(penguins), csv_x=("bill_length_mm", "flipper_length_mm"), csv_y="species"))
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        from annplay.widgets.heatmap import HeatMap

        heat = screen.query_one(HeatMap)
        lines = heat.caption_lines()
        assert any("bill_length_mm" in line for line in lines) and any("flipper_length_mm" in line for line in lines)
        for line in lines:
            assert len(line) <= heat.size.width and not line.endswith("…"), lines
            assert "…" not in line or all(side[-1:].isdigit() or side[:1] in "0123456789−"
                                          for side in line.split("…")), lines
        shown = "\n".join(screen_text(app))
        assert all(line in shown for line in lines)
