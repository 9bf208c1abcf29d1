"""The playground is composed, not inherited: features own their keys, the key bar comes from the bindings."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

from textual.screen import Screen

import annplay.screens
from annplay.screens.feature import Feature, action_names
from annplay.screens.playground import FEATURES, PlaygroundScreen
from annplay.screens.safe_screen import SafeScreen
from annplay.screens.side_panels import PANELS
from tests.ui.conftest import ready


def screen_classes() -> list[type]:
    """Every Screen subclass defined in annplay.screens."""
    found = []
    for info in pkgutil.iter_modules(annplay.screens.__path__):
        module = importlib.import_module(f"annplay.screens.{info.name}")
        found += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, Screen) and cls.__module__ == module.__name__]
    return found


def test_no_screen_inherits_from_another_annplay_class():
    classes = screen_classes()
    assert PlaygroundScreen in classes and len(classes) >= 6
    for cls in classes:
        own = [base for base in cls.__mro__[1:] if base.__module__.startswith("annplay")]
        assert own in ([], [SafeScreen]), f"{cls.__name__} inherits {own}"


def test_every_key_of_the_playground_runs_its_features_method():
    screen = PlaygroundScreen()
    for attribute, feature in FEATURES:
        assert issubclass(feature, Feature)
        for action in action_names(feature.BINDINGS):
            method = getattr(screen, f"action_{action}")
            assert method.__self__ is getattr(screen, attribute), action   # routed to the owner, not a copy
    assert {p.key for p in PANELS} <= {b.key for b in PlaygroundScreen.BINDINGS}


def test_an_unknown_action_is_not_invented():
    screen = PlaygroundScreen()
    assert not hasattr(screen, "action_no_such_thing")


def test_help_imports_no_playground():
    code = ("import sys, annplay.screens.help_view; "
            "print('annplay.screens.playground' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


async def test_key_bar_shows_the_shown_bindings_with_their_words_now(app):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        shown = {(binding.action, binding.description) for binding, _owner in screen.key_bindings() if binding.show}
        keys = screen.bar_keys()
        assert keys and all(key.action in {a for a, _ in shown} for key in keys)
        assert [k.label for k in keys if k.action == "play"] == ["Play"]
        await pilot.press("space")
        assert [k.label for k in screen.bar_keys() if k.action == "play"] == ["Pause"]
        await pilot.press("space")
        await pilot.press("v")                       # the open panel's own shown keys join the bar
        assert any(k.widget == "netview" for k in screen.bar_keys())
