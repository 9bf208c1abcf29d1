"""The panel switcher: which of ``PANELS`` the side area shows (m, v, w, the tabs, escape), the neuron shown in the
big map, and hand edits of the weights."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button

from annplay.screens import describe
from annplay.screens.feature import Feature, Host
from annplay.screens.side_panels import PANELS, SidePanel
from annplay.widgets.keybar import BarBinding
from annplay.widgets.stats import StatsPanel


def panel_named(name: str) -> SidePanel:
    """The panel called ``name`` (ValueError naming the panels otherwise)."""
    for panel in PANELS:
        if panel.name == name:
            return panel
    raise ValueError(f"panel: {name!r} is not one of {', '.join(p.name for p in PANELS)}")


class PanelSwitch(Feature):
    """Owns the open panel; its keys come from ``PANELS`` (one binding per panel) plus escape."""

    BINDINGS = [
        *(BarBinding(p.key, f"toggle_panel('{p.name}')", p.label, tooltip=p.tip, rank=p.rank) for p in PANELS),
        BarBinding("escape", "back", "Back", show=False, tooltip="show the output map again, then close the panel"),
    ]

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.panel = PANELS[0]
        self.built: dict[str, Any] = {}          # panel name → its widget, once mounted (per frame: no DOM query)

    @property
    def name(self) -> str:
        return self.panel.name

    @property
    def wants_maps(self) -> bool:
        return self.panel.wants_maps

    def focus_widget(self) -> Any:
        """The open panel's focused widget, whose keys the bar and the palette add (None for the controls)."""
        return self.panel.focus_target(self.host) if self.panel is not PANELS[0] else None

    async def action_toggle_panel(self, name: str) -> None:
        """Open the panel (again: the controls); the controls' key also focuses the first control."""
        first = PANELS[0].name
        await self.show(first if self.panel.name == name and name != first else name)
        if name == first:
            for control in self.host.query("#choice-dataset"):
                control.focus()

    async def action_back(self) -> None:
        """Escape: leave the map-only view; show the output map again if a neuron is shown, else the controls."""
        if self.host.has_class("-map-only"):
            self.host.remove_class("-map-only")
            self.host.apply_layout()
        elif self.session.view.neuron is not None:
            from annplay.widgets.netview import NetView

            for view in self.host.query(NetView):
                view.select(None, notify=False)
            self.set_neuron(None)
        elif self.panel is not PANELS[0]:
            await self.show(PANELS[0].name)

    async def show(self, name: str) -> None:
        """Show one panel in the side (or lower) area; its widget is built the first time."""
        panel, host = panel_named(name), self.host
        host.remove_class("-map-only")           # the map-only view gives way: w paused training behind it, unseen
        if panel.pauses and host.run.running:
            host.run.stop()
        if not host.query(f"#side > .panel-{panel.name}"):
            widget = panel.build(self.session)
            widget.add_class("side-panel", f"panel-{panel.name}")
            await host.query_one("#side").mount(widget)
            self.built[panel.name] = widget
        self.panel = panel
        for other in PANELS:
            for widget in host.query(f"#side > .panel-{other.name}"):
                widget.display = other is panel
            for tab in host.query(f"#btn-panel-{other.name}"):
                tab.set_class(other is panel, "-active")
        host.apply_layout()
        host.painter.show_now(record=False)
        target = panel.focus_target(host)
        if target is not None:
            target.focus()
        else:
            host.set_focus(None)
        panel.opened(host)

    async def tapped(self, button: Button) -> bool:
        """A tap on a panel tab (True when it was one)."""
        name = (button.id or "").removeprefix("btn-panel-")
        if (button.id or "").startswith("btn-panel-") and any(p.name == name for p in PANELS):
            await self.show(name)
            return True
        return False

    def show_maps(self, snap: Any) -> None:
        """Draw a snapshot's maps into the open panel."""
        if self.panel.wants_maps:
            self.panel.draw(self.host, snap)

    def set_neuron(self, neuron: tuple[int, int] | None) -> None:
        """Show a hidden neuron's map (None: the network's output) in the heat map."""
        host = self.host
        if neuron is not None and not self.session.prep.plottable:
            self.notify("This data has no 2-D input plane, so there is no map to show.", title="No map")
            neuron = None
        host.painter.request(neuron=neuron)
        host.query_one(StatsPanel).show_legend(describe.legend(self.session, neuron, color=host.look.colour))
        if self.panel.name == "network":
            host.apply_layout()                 # one layer at a time: another layer may fill other rows
        if not host.run.running:
            host.painter.show_now(record=False)

    def edit_weight(self, message: Any) -> None:
        """Nudge or set one weight (the session validates), redraw at once."""
        from annplay.widgets.weights import WeightEditor

        host = self.host
        editor = host.query_one(WeightEditor)
        if host.run.running:
            host.run.stop()
        try:
            edit = self.session.edit_weight(message.layer, message.row, message.col, delta=message.delta,
                                            text=message.text)
        except ValueError as error:
            editor.show_message(str(error), error=True)     # under the grid, in red (a toast would cover the grid)
            host.app.bell()
            return
        if message.text is not None:
            editor.stop_typing()
        shown = f"{edit.where} = {edit.value:g} (was {edit.old:g})"
        if self.session.metrics().state == "diverged":      # the edit, not the rate: say how to undo it
            shown = f"{edit.where} = {edit.value:g} makes the loss explode: type {edit.old:g} back, or r"
        editor.show_message(shown, error=shown != f"{edit.where} = {edit.value:g} (was {edit.old:g})")
        host.painter.show_now()
