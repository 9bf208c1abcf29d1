"""Issue 17.2.12: on a projector explain mode is a framed box that uses the room: more rows of each matrix and
more numbers of each row, as many as fit, and no half-empty overlay."""

from __future__ import annotations

from annplay.app import PlaygroundApp
from annplay.engine.setup import Setup
from annplay.screens.explain_view import ExplainScreen, explanation_for

from .conftest import ready, screen_text, wait_until


async def test_explain_mode_uses_a_projectors_room():
    app = PlaygroundApp(Setup(dataset="spiral", hidden=(8, 8)))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        explainer = ExplainScreen(screen.session, 2)              # a hidden layer: 8 rows in every matrix
        app.push_screen(explainer)
        await wait_until(pilot, lambda: app.screen is explainer, "explain screen")
        await pilot.pause()
        lines = screen_text(app)
        text = "\n".join(lines)
        assert explainer.has_class("-framed") and "Explain mode" in lines[explainer.query_one("VerticalScroll")
                                                                            .region.y]
        assert "W row 2:" in text and "dZ row 2:" in text                  # more than one row of each matrix
        e = explanation_for(screen.session, 2, 0)
        assert " ".join(f"{v:.3g}" for v in e.Z[0, :6]) in text          # six numbers of a row, not three
        box = explainer.query_one("VerticalScroll").region
        body = [line[box.x + 1: box.right - 1] for line in lines[box.y + 1: box.bottom - 1]]
        assert sum(1 for line in body if line.strip()) >= len(body) - 1    # the box holds no empty half
        assert box.height >= 30


async def test_a_phone_still_pages_one_equation_at_a_time():
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        explainer = ExplainScreen(screen.session)
        app.push_screen(explainer)
        await wait_until(pilot, lambda: app.screen is explainer, "explain screen")
        await pilot.pause()
        assert not explainer.has_class("-framed") and "[1/" in "\n".join(screen_text(app))


async def test_a_phone_shows_as_many_rows_as_fit_and_the_input_a0():
    """At 40×20 explain mode showed one row of each matrix, half the screen empty, and never A(0) (a probe's find)."""
    app = PlaygroundApp()
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await ready(pilot)
        explainer = ExplainScreen(screen.session, 1)              # the first layer: 4 rows, its input A(0)
        app.push_screen(explainer)
        await wait_until(pilot, lambda: app.screen is explainer, "explain screen")
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert "W row 4:" in text and "Z row 4:" in text and "A(0) row 2:" in text
        assert len(explainer.text_lines()) <= 20
