"""The playground's buttons are Taps: Textual's Button CSS (~260 lines, none of which a compact button shows) is
never parsed for the first frame, the MORE keys or the weight editor."""

from __future__ import annotations

from annplay.app import PlaygroundApp
from annplay.widgets.tap import Tap

from .conftest import ready, wait_until


def loaded_css(app: PlaygroundApp) -> set[str]:
    """The names of the default CSS the app's stylesheet has read ('Tap.DEFAULT_CSS', …)."""
    return {str(where[1]) for where in app.stylesheet.source}


async def test_no_button_css_is_parsed_for_the_playground_and_its_editor():
    app = PlaygroundApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert screen.query("#more-keys Tap") and screen.query_one("#btn-play", Tap)
        await pilot.press("w")                              # the weight editor's buttons
        await wait_until(pilot, lambda: screen.query("#editor-buttons Tap"), "the weight editor's buttons")
        await pilot.pause()
        loaded = loaded_css(app)
        assert "Tap.DEFAULT_CSS" in loaded
        assert "Button.DEFAULT_CSS" not in loaded
