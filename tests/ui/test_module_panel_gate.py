"""The gate every panel shares: offline and scopes decide what may be written; messages never move controls."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QVBoxLayout

from app.api import AdminClient, ApiKeyAuth
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext


class NotesPanel(ModulePanel):
    module_name = "notes"
    title = "Notes"
    write_scope = "crm:write"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.amount = QLineEdit(self.body)
        QVBoxLayout(self.body).addWidget(self.amount)
        self.write_states: list[bool] = []

    def _update_write_state(self, writable: bool) -> None:
        self.write_states.append(writable)
        self.amount.setReadOnly(not writable)


def _shown(qtbot, panel):
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_without_a_connection_the_panel_is_read_only_and_says_why(qtbot):
    panel = _shown(qtbot, NotesPanel(PanelContext(client=None, cache=None, profile=None)))
    assert panel.offline and panel.read_only
    assert "Offline" in panel.write_block_reason()
    assert panel.offline_banner.isVisible() and panel.amount.isReadOnly()


def test_a_credential_without_the_write_scope_reads_only(qtbot):
    context = PanelContext(client=None, cache=None, profile=None, scopes=frozenset({"crm:read"}))
    context.stores.connection.mark_online()
    panel = _shown(qtbot, NotesPanel(context))
    assert not panel.offline and panel.read_only
    assert "crm:write" in panel.write_block_reason()
    assert panel.amount.isReadOnly() and not panel.offline_banner.isVisible()


def test_the_offline_strip_goes_away_by_itself_when_the_server_answers_again(qtbot, run_async, sandbox,
                                                                               sandbox_credentials):
    async def scenario():
        client = AdminClient(sandbox.url, ApiKeyAuth(sandbox_credentials["test"]["owner_key"]))
        try:
            panel = _shown(qtbot, NotesPanel(PanelContext(client=client, cache=None, profile=None)))
            top = panel.amount.mapTo(panel, panel.amount.rect().topLeft())
            panel.stores.connection.mark_offline("ConnectError")
            assert panel.offline_banner.isVisible() and "Offline" in panel.offline_banner.plain_text
            assert panel.amount.isReadOnly() and panel.write_states[-1] is False
            panel.layout().activate()
            assert panel.amount.mapTo(panel, panel.amount.rect().topLeft()) == top, "the strip moved a control"
            await client.me.get()  # any answered exchange, e.g. the strip's Retry
            assert not panel.offline_banner.isVisible() and panel.offline_banner.kind == ""
            assert not panel.amount.isReadOnly() and panel.write_states[-1] is True
        finally:
            await client.aclose()

    run_async(scenario())
