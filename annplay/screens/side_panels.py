"""The panels of the side (wide) or lower (narrow) area, one small adapter each; ``PANELS`` lists them in tab order.

A panel's widget is imported and mounted when it is first opened (the first frame shows only the controls).
Adding a panel: a widget, and here one adapter class and one entry in ``PANELS`` (its tab, key and bar word follow).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from annplay.core.fields import Snapshot

CONTROLS_WIDTH = 38             # the controls column when side by side
EDITOR_MAX_WIDTH = 58           # the weight editor scrolls sideways beyond this (wide layout)


class NetworkInfoPanel(Vertical):
    """The network view with the line over it that says what is selected and how to select."""

    DEFAULT_CSS = """
    NetworkInfoPanel > Static { height: auto; max-height: 2; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        from annplay.widgets.netview import NetView

        super().__init__(id=id)
        self.info, self.view = Static(id="network-info"), NetView(id="netview")

    def compose(self) -> ComposeResult:
        yield self.info
        yield self.view


class SidePanel:
    """One panel: its tab and key, how it is built, drawn and sized, and what it does when opened."""

    name: ClassVar[str] = ""            # the tab's word (title case) and the panel's id
    key: ClassVar[str] = ""             # the key that opens it (again: the controls)
    label: ClassVar[str] = ""           # the key bar's word
    tip: ClassVar[str] = ""
    rank: ClassVar[int] = 9             # how long its key stays on a narrow key bar (0 last)
    wants_maps: ClassVar[bool] = True   # snapshots carry the per-neuron maps while it is open
    pauses: ClassVar[bool] = False      # opening it pauses training (editing by hand)

    def build(self, session: Any) -> Widget:
        """The panel's widget (mounted into the side area when first opened)."""
        raise NotImplementedError

    def focus_target(self, host: Any) -> Widget | None:
        """The widget that gets the focus when opened (its keys show on the key bar and in the palette)."""
        return None

    def draw(self, host: Any, snap: Snapshot) -> None:
        """Draw the snapshot's maps (called only while open, with maps)."""

    def width(self, layers: list[int]) -> int:
        """Columns it would like when side by side."""
        return CONTROLS_WIDTH

    def rows(self, host: Any, width: int, most: int) -> int | None:
        """Rows it fills in a narrow lower area (None: as many as it gets)."""
        return None

    def opened(self, host: Any) -> None:
        """Called after it is shown."""


class ControlsPanel(SidePanel):
    name, key, label, rank, wants_maps = "controls", "m", "Controls", 7, False
    tip = "back to the controls and focus them"

    def build(self, session: Any) -> Widget:
        from annplay.widgets.control_panel import ControlPanel

        return ControlPanel(session, id="controls")

    def opened(self, host: Any) -> None:
        host.set_focus(None)


class NetworkPanel(SidePanel):
    name, key, label, rank = "network", "v", "Net", 5
    tip = "the network view: every neuron's map and weights (v again: controls)"

    def build(self, session: Any) -> Widget:
        return NetworkInfoPanel(id="network-panel")

    def focus_target(self, host: Any) -> Widget | None:
        from annplay.widgets.netview import NetView

        return host.query_one(NetView)

    def draw(self, host: Any, snap: Snapshot) -> None:
        from annplay.screens import describe

        assert snap.maps is not None
        panel = host.panels.built[self.name]            # every frame: the widgets it keeps, no DOM query
        panel.view.show_maps(snap.maps)
        panel.info.update(describe.network_info(host.session, host.session.view.neuron))

    def width(self, layers: list[int]) -> int:
        from annplay.widgets.netview import columns_width

        return columns_width(len(layers)) + 2

    def rows(self, host: Any, width: int, most: int) -> int | None:
        from annplay.widgets.netview import NetView, plan

        info_rows = max(1, host.query_one("#network-info").size.height)
        view = host.query_one(NetView)
        return info_rows + plan(host.session.net.layers, view.shown_layer, width, most - info_rows)[3].height


class WeightsPanel(SidePanel):
    name, key, label, rank, pauses = "weights", "w", "Weights", 6, True
    tip = "edit the weights by hand; pauses training (w again: controls)"

    def build(self, session: Any) -> Widget:
        from annplay.widgets.weights import WeightEditor

        return WeightEditor(id="editor")

    def focus_target(self, host: Any) -> Widget | None:
        return host.query_one("#weight-table")

    def draw(self, host: Any, snap: Snapshot) -> None:
        from annplay.widgets.weights import WeightEditor

        editor: WeightEditor = host.panels.built[self.name]     # every frame: no DOM query
        if not editor.has_class("-typing") and snap.maps is not None:
            m = snap.maps
            editor.show_weights(m.layers, m.weights, m.biases, m.input_labels)

    def width(self, layers: list[int]) -> int:
        return min(EDITOR_MAX_WIDTH, 8 + (max(layers[:-1]) + 1) * 10)

    def rows(self, host: Any, width: int, most: int) -> int | None:
        from annplay.widgets.weights import WeightEditor

        editor = host.query_one(WeightEditor)
        editor.set_narrow(True)
        layers = host.session.net.layers
        return editor.rows_needed(layers[min(len(layers) - 1, editor.shown_layer + 1)])

    def opened(self, host: Any) -> None:
        from annplay.widgets.weights import WeightEditor

        host.query_one(WeightEditor).show_running(host.session.running)


class DoctorPanel(SidePanel):
    """The training doctor (annplay.widgets.doctor): findings with one-key fixes, per-layer instruments."""

    name, key, label, rank, wants_maps = "doctor", "D", "Doctor", 8, False
    tip = "the training doctor: what goes wrong, per-layer gradients and dead units, one-key fixes"

    def build(self, session: Any) -> Widget:
        from annplay.widgets.doctor import DoctorView

        return DoctorView(id="doctor")

    def focus_target(self, host: Any) -> Widget | None:
        from annplay.widgets.doctor import DoctorView

        return host.query_one(DoctorView)

    def width(self, layers: list[int]) -> int:
        return 42                       # 40 columns of findings and layer lines, plus the border and scrollbar


PANELS: tuple[SidePanel, ...] = (ControlsPanel(), NetworkPanel(), WeightsPanel(), DoctorPanel())
