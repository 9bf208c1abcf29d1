"""The playground's side panels: switching between controls, network view and weight editor; neurons; edits."""

from __future__ import annotations

from textual.widgets import Button

from annplay.screens import describe
from annplay.screens.files import FileActions
from annplay.widgets.control_panel import ControlPanel
from annplay.widgets.netview import NetView
from annplay.widgets.stats import StatsPanel
from annplay.widgets.weights import WeightEditor

PANELS = ("controls", "network", "weights")


class PanelScreen(FileActions):
    """The keys and taps of the panels: v (network view), w (weight editor), escape, neuron selection, edits."""

    def _apply_layout(self) -> None:
        raise NotImplementedError                # the playground's own

    # --- panels: controls, network view, weight editor ----------------------------

    async def action_toggle_network(self) -> None:
        """Show the network view (or, when it is shown, the controls again)."""
        await self._show_panel("controls" if self.panel == "network" else "network")

    async def action_toggle_weights(self) -> None:
        """Show the weight editor, pausing training (or, when it is shown, the controls again)."""
        await self._show_panel("controls" if self.panel == "weights" else "weights")

    async def action_back(self) -> None:
        """Escape: leave the map-only view; show the output map again if a neuron is shown, else the controls."""
        if self.has_class("-map-only"):
            self.remove_class("-map-only")
            self._apply_layout()
        elif self.neuron is not None:
            self.query_one(NetView).select(None, notify=False)
            self._set_neuron(None)
        elif self.panel != "controls":
            await self._show_panel("controls")

    async def _show_panel(self, panel: str) -> None:
        """Show one of the controls, the network view and the weight editor in the side (or lower) area."""
        if panel == "weights" and self.running:
            self._stop()                             # editing by hand: training pauses
        if panel == "weights" and not self.query(WeightEditor):
            await self.query_one("#side").mount(WeightEditor(id="editor"))   # made when first opened: a faster start
        self.panel = panel
        self.query_one(ControlPanel).display = panel == "controls"
        for network in self.query("#network-panel"):
            network.display = panel == "network"
        for editor in self.query(WeightEditor):
            editor.display = panel == "weights"
        for name in PANELS:
            self.query_one(f"#btn-panel-{name}", Button).set_class(name == panel, "-active")
        self._apply_layout()
        self._show_now(record=False)
        if panel == "network":
            self.query_one(NetView).focus()
        elif panel == "weights":
            self.query_one("#weight-table").focus()
            self.query_one(WeightEditor).show_running(self.running)
        else:
            self.set_focus(None)

    def on_net_view_neuron_selected(self, message: NetView.NeuronSelected) -> None:
        """The network view selected a neuron (or none): show its map in the heat map."""
        self._set_neuron(message.neuron)

    def _set_neuron(self, neuron: tuple[int, int] | None) -> None:
        """Show a hidden neuron's map (None: the network's output) in the heat map."""
        if neuron is not None and not self.session.prep.plottable:
            self.notify("This data has no 2-D input plane, so there is no map to show.", title="No map")
            neuron = None
        self._request(neuron=neuron)
        self.query_one(StatsPanel).show_legend(describe.legend(self.session, neuron, color=self.colour))
        if self.panel == "network":
            self._apply_layout()                 # one layer at a time: another layer may fill other rows
        if not self.running:
            self._show_now(record=False)

    # --- weight edits ---------------------------------------------------------------

    def on_weight_editor_edit(self, message: WeightEditor.Edit) -> None:
        """Nudge or set one weight (the session validates), redraw at once."""
        editor = self.query_one(WeightEditor)
        if self.running:
            self._stop()
        try:
            edit = self.session.edit_weight(message.layer, message.row, message.col, delta=message.delta,
                                            text=message.text)
        except ValueError as error:
            editor.show_message(str(error), error=True)     # under the grid, in red (a toast would cover the grid)
            self.app.bell()
            return
        if message.text is not None:
            editor.stop_typing()
        editor.show_message(f"{edit.where} = {edit.value:g} (was {edit.old:g})")
        self._show_now()
