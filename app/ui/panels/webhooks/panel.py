"""The webhooks panel (`panel.webhooks`): endpoints, failures grouped by cause (with recover jobs),
the delivery log, the event log, a local listener and a signature lab, one tab each.

Endpoints: create / edit / pause / resume / delete / send test / rotate secret (with an overlap,
`rotate_dialog`) / recover a window (`recover_dialog`). A signing secret
is shown once (create, rotate) in `SecretRevealDialog`; afterwards only its preview. Deleting asks
first, and in a live-environment profile asks for the endpoint's name to be typed. The panel is a
view over `stores.webhooks`: its table follows the store's list, and every action is a store call.
Under the table the selected endpoint is shown in full with its success over time (a chart of its
deliveries per day); the table's columns fit the default window (`ColumnLayout`).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Webhook
from app.core.webhook_verifiers import CONTRACT_PLATFORM
from app.data.listed_store import Revealed
from app.data.record_store import MergeNeeded, Saved, StoreChange
from app.ui.module_panel import ModulePanel
from app.ui.panel_context import PanelContext
from app.ui.panels.webhooks.deliveries_view import DeliveriesView, record_table
from app.ui.panels.webhooks.endpoint_detail import EndpointDetail
from app.ui.panels.webhooks.endpoint_dialog import EndpointDialog
from app.ui.panels.webhooks.events_view import EventsView
from app.ui.panels.webhooks.failures_view import FailuresView
from app.ui.panels.webhooks.listen_view import ListenView
from app.ui.panels.webhooks.rotate_dialog import rotate_with_overlap
from app.ui.panels.webhooks.signature_lab import SignatureLab
from app.ui.panels.webhooks.webhook_rows import ENDPOINT_WIDTHS, endpoint_columns
from app.ui.record_table_model import RecordTableModel
from app.ui.store_binding import bind
from app.ui.widgets.column_layout import ColumnLayout
from app.ui.widgets.confirm_dialog import confirm_action, run_dialog
from app.ui.widgets.secret_reveal import reveal_secret
from app.ui.widgets.selection import follow_store, select_record, selected_record


class WebhooksPanel(ModulePanel):
    """Webhook endpoints and deliveries; writing needs integrations:write."""

    module_name = "webhooks"
    title = "Webhooks"
    required_scope = "integrations:read"
    write_scope = "integrations:write"

    def __init__(self, context: PanelContext, parent=None) -> None:
        super().__init__(context, parent)
        self.store = self.stores.webhooks
        self.tabs = QTabWidget(self.body)
        self.tabs.setObjectName("webhooks.tabs")

        endpoints = QWidget(self.tabs)
        self.model = RecordTableModel(endpoint_columns(), self)
        self.table: QTableView = record_table("webhooks.table", self.model, endpoints)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # newest first
        self.columns = ColumnLayout(self.table, "webhooks.endpoints", ENDPOINT_WIDTHS)
        self.detail = EndpointDetail(self, endpoints)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_endpoint_selected())
        self.table.doubleClicked.connect(lambda _index: self._on_show_deliveries())

        self.new_button = self._button("New endpoint…", "webhooks.new", lambda: self.run(self.create_endpoint()))
        self.edit_button = self._button("Edit…", "webhooks.edit", self._on_edit)
        self.pause_button = self._button("Pause", "webhooks.pause", self._on_pause_resume)
        self.test_button = self._button("Send test event", "webhooks.test", self._on_test)
        self.rotate_button = self._button("Rotate secret…", "webhooks.rotate_secret", self._on_rotate)
        self.recover_button = self._button("Recover…", "webhooks.recover", self._on_recover)
        self.delete_button = self._button("Delete…", "webhooks.delete", self._on_delete)
        self.deliveries_button = self._button("Deliveries", "webhooks.show_deliveries", self._on_show_deliveries)
        self.refresh_button = self._button("Refresh", "webhooks.refresh", lambda: self.run(self.refresh()))
        bar = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.pause_button, self.test_button,
                       self.rotate_button, self.recover_button, self.delete_button, self.deliveries_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        split = QSplitter(Qt.Orientation.Vertical, endpoints)
        split.setObjectName("webhooks.endpoints.split")
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([240, 230])
        endpoints_layout = QVBoxLayout(endpoints)
        endpoints_layout.addLayout(bar)
        endpoints_layout.addWidget(split, 1)

        self.failures = FailuresView(self, self.tabs)
        self.deliveries = DeliveriesView(self, self.tabs)
        self.events = EventsView(self, self.tabs)
        # The profile's platform picks the signature scheme (Standard Webhooks unless it has its own).
        platform = getattr(context.profile, "platform", None) or CONTRACT_PLATFORM
        self.listen = ListenView(self, self.tabs, platform=platform)
        self.lab = SignatureLab(self.tabs, platform=platform)
        self.listen.sig_open_in_lab.connect(self._on_open_in_lab)
        bind(self.store.changes, self, self._on_store_changed)
        self.tabs.addTab(endpoints, "Endpoints")
        self.tabs.addTab(self.failures, "Failures")
        self.tabs.addTab(self.deliveries, "Deliveries")
        self.tabs.addTab(self.events, "Events")
        # A platform without an event log (its manifest) shows no Events tab.
        self.tabs.setTabVisible(self.tabs.indexOf(self.events), self.context.manifest.supports("events.list"))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.tabs.addTab(self.listen, "Listen locally")
        self.tabs.addTab(self.lab, "Signature lab")
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addWidget(self.tabs)
        self._on_store_changed(StoreChange(reset=True))

    def _button(self, text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text, self.body)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # ---- loading -----------------------------------------------------------------------------
    async def activate(self) -> None:
        await self.store.load_cached()
        await self.refresh()
        await self.deliveries.load()

    async def refresh(self) -> None:
        """Reload every endpoint (status, success rate, last delivery)."""
        if self.store.connected:
            await self.store.reload()

    def _on_store_changed(self, change: StoreChange) -> None:
        """The table and every view that names endpoints follow the store (renames, new, deleted)."""
        follow_store(self.table, self.model, self.store, change)
        for view in (self.deliveries, self.listen, self.failures, self.events):
            view.set_endpoints(self.store.listed)
        self._update_actions()
        self.detail.show_endpoint(self.selected_endpoint())

    def _on_endpoint_selected(self) -> None:
        self._update_actions()
        self.detail.show_endpoint(self.selected_endpoint())

    def _update_write_state(self, writable: bool) -> None:
        self._update_actions()
        for view in (self.deliveries, self.listen, self.failures, self.events):
            view.update_actions()

    def _on_tab_changed(self, _index: int) -> None:
        """Failures and events are read when their tab is opened (failures cost a read per delivery)."""
        if self.tabs.currentWidget() is self.failures:
            self.failures.reload()
        elif self.tabs.currentWidget() is self.events:
            self.events.reload()

    def selected_endpoint(self) -> Webhook | None:
        """The Webhook the actions apply to, or None."""
        return selected_record(self.table, self.model)

    def select_endpoint(self, webhook_id: str) -> None:
        """Select this record's row, if it is listed."""
        select_record(self.table, self.model, webhook_id)

    def _update_actions(self) -> None:
        writable = self.writable
        webhook = self.selected_endpoint()
        chosen = webhook is not None
        self.new_button.setEnabled(writable)
        self.new_button.setToolTip(self.write_block_reason() or "")
        for button in (self.edit_button, self.pause_button, self.test_button, self.rotate_button,
                       self.recover_button, self.delete_button):
            button.setEnabled(writable and chosen)
            button.setToolTip(self.write_block_reason() or "")
        self.deliveries_button.setEnabled(chosen)
        self.pause_button.setText("Pause" if webhook is None or webhook.status == "active" else "Resume")

    # ---- endpoint actions --------------------------------------------------------------------
    def start_new(self) -> None:
        """The command palette's "New webhook endpoint" (says why, when writes are off)."""
        reason = self.write_block_reason()
        if reason:
            self.show_notice(reason, "warning")
        else:
            self.run(self.create_endpoint())

    async def create_endpoint(self) -> None:
        """The form, then the new endpoint's signing secret, shown once."""
        created: list[Revealed[Webhook]] = []

        async def submit(fields: dict[str, Any]) -> None:
            created.append(await self.store.create_endpoint(fields))

        await run_dialog(EndpointDialog(submit, self))
        if not created:
            return
        revealed = created.pop()
        webhook, secret = revealed.record, revealed.secret
        del revealed
        self.select_endpoint(webhook.id)
        await reveal_secret(self, "Webhook signing secret", f"The signing secret of “{webhook.name}”", secret,
                            note="Your receiver verifies each delivery's webhook-signature with it "
                                 "(Standard Webhooks).")
        del secret
        self.show_notice(f"Endpoint “{webhook.name}” created. Send a test event to check your receiver.",
                         "success")

    def _on_edit(self) -> None:
        webhook = self.selected_endpoint()
        if webhook is not None:
            self.run(self.edit_endpoint(webhook))

    async def edit_endpoint(self, webhook: Webhook) -> None:
        """The form; a colleague's change meanwhile is merged, and only a field both of you changed
        is put to the operator (Save again keeps theirs for everything else, and yours for it)."""
        base, saved = [webhook], []

        async def submit(fields: dict[str, Any]) -> None:
            outcome = await self.store.update(base[0], fields)
            if isinstance(outcome, MergeNeeded):
                base[0] = outcome.theirs
                raise ValueError(_conflict_text(outcome))
            saved.append(outcome)

        if await run_dialog(EndpointDialog(submit, self, webhook=webhook)):
            merged = saved[0].merged_from if saved else ()
            also = f" A colleague's change to {', '.join(merged)} was kept." if merged else ""
            self.show_notice(f"Endpoint “{webhook.name}” saved.{also}", "success")

    def _on_pause_resume(self) -> None:
        webhook = self.selected_endpoint()
        if webhook is not None:
            self.run(self.set_status(webhook, "paused" if webhook.status == "active" else "active"))

    async def set_status(self, webhook: Webhook, status: str) -> None:
        """Pause, resume, or re-enable a disabled endpoint (the click wins over a status changed meanwhile)."""
        outcome: Saved[Webhook] | MergeNeeded[Webhook] = await self.store.set_status(webhook, status)
        if isinstance(outcome, MergeNeeded):
            await self.store.resolve(outcome, {conflict.path: "mine" for conflict in outcome.merge.conflicts})
        verb = "paused: deliveries wait until you resume it" if status == "paused" else "active again"
        self.show_notice(f"Endpoint “{webhook.name}” is {verb}.", "success")

    def _on_test(self) -> None:
        webhook = self.selected_endpoint()
        if webhook is not None:
            self.run(self.send_test_event(webhook.id))

    async def send_test_event(self, webhook_id: str) -> None:
        """Queue a `webhook.test` event to one endpoint (the delivery log reloads itself)."""
        await self.store.send_test(webhook_id)
        self.show_notice("Test event queued; its delivery appears in the Deliveries tab.")

    def _on_rotate(self) -> None:
        webhook = self.selected_endpoint()
        if webhook is not None:
            self.run(self.rotate_secret(webhook))

    async def rotate_secret(self, webhook: Webhook) -> None:
        """A new secret with an overlap in which the old one still signs; the new one shown once."""
        await rotate_with_overlap(self, webhook)

    def _on_recover(self) -> None:
        webhook = self.selected_endpoint()
        if webhook is not None:
            self.run(self.failures.open_recover(webhook.id))

    def _on_delete(self) -> None:
        webhook = self.selected_endpoint()
        if webhook is not None:
            self.run(self.delete_endpoint(webhook))

    async def delete_endpoint(self, webhook: Webhook) -> None:
        """Ask (typing the name in a live profile), then delete with its delivery history."""
        live = self.context.is_live
        confirmed = await confirm_action(
            self, "Delete endpoint",
            f"Delete <b>{escape(webhook.name)}</b> ({escape(webhook.url)}) and its delivery history? "
            "Events stop going to it at once.", "Delete endpoint",
            expected_text=webhook.name if live else None,
            warning="This is a live environment." if live else "")
        if not confirmed:
            return
        await self.store.delete(webhook)
        self.show_notice(f"Endpoint “{webhook.name}” deleted.", "success")

    def _on_show_deliveries(self) -> None:
        webhook = self.selected_endpoint()
        self.tabs.setCurrentWidget(self.deliveries)
        self.deliveries.show_endpoint(webhook.id if webhook else None)

    def _on_open_in_lab(self, delivery: Any) -> None:
        self.lab.load_message(delivery.body, dict(delivery.headers))
        self.tabs.setCurrentWidget(self.lab)

    async def shutdown(self) -> None:
        """Stop listening locally (restoring the endpoint) before the panel or the session closes."""
        if self.listen.listener.running:
            await self.listen.stop()


def _conflict_text(needed: MergeNeeded[Webhook]) -> str:
    """What a colleague changed that the operator changed too, and what Save does now."""
    theirs = "; ".join(f"{c.label} is now “{_shown(c.theirs)}”" for c in needed.merge.conflicts)
    return (f"Someone else changed this endpoint meanwhile: {theirs}. Save again to keep yours for these, "
            "or Cancel to keep theirs.")


def _shown(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
