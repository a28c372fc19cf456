"""Listen locally: one click starts a receiver on 127.0.0.1, points an endpoint at it, and shows
every delivery as it arrives with its headers, body and signature verdict.

Either a temporary endpoint is created (subscribed to every event; deleted on stop) or an
existing endpoint is pointed here and its URL restored on stop. A temporary endpoint's secret
comes from the platform and is held in memory only, so its verdicts are trusted: a mismatch means
the message was altered. For an existing endpoint the user may paste its secret to verify.
The receiver can answer with an error status to watch the platform's retries, forward each
verified delivery to the operator's own app (`forward_target`: its status and latency show beside
the verdict) and, in a test workspace, have the platform fire a real event (`trigger_box`). After
a rotation with an overlap the verdict says which secret matched.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.api import errors
from app.api.models.webhooks import EVENT_TYPES
from app.core.webhook_listener import ListenerError, ReceivedDelivery, WebhookListener
from app.core.webhook_verifiers import CONTRACT_PLATFORM
from app.ui.error_messages import describe
from app.ui.labels import event_label, humanize
from app.ui.panels.webhooks.deliveries_view import record_table
from app.ui.panels.webhooks.forward_target import (
    ForwardTarget,
    ForwardTargetError,
    forward_kind,
    forward_text,
)
from app.ui.panels.webhooks.semantic_label import SemanticLabel
from app.ui.panels.webhooks.trigger_box import TriggerBox
from app.ui.record_table_model import Column, RecordRole, RecordTableModel
from app.ui.theme import semantic_colour
from app.ui.time_text import exact
from app.ui.widgets.column_layout import ColumnLayout
from app.ui.widgets.confirm_dialog import confirm_action

TEMPORARY_NAME = "Local listener (Opsdesk)"
#: (label, HTTP status the receiver answers with)
ANSWERS: tuple[tuple[str, int], ...] = (
    ("200 OK", 200), ("500 Internal Server Error (simulate a broken receiver)", 500), ("410 Gone", 410),
)


def verdict_text(delivery: ReceivedDelivery) -> str:
    verdict = delivery.verdict
    if verdict is None:
        return "Not checked (no secret)"
    if verdict.valid:  # during a rotation's overlap, say which secret matched
        return f"Valid ({verdict.matched_secret})" if verdict.matched_secret in OVERLAP_LABELS else "Valid"
    return f"Invalid: {humanize(verdict.failure.value).lower()}"


def _verdict_kind(delivery: ReceivedDelivery) -> str:
    if delivery.verdict is None:
        return "muted"
    return "success" if delivery.verdict.valid else "error"


def _verdict_colour(delivery: ReceivedDelivery):
    return semantic_colour(_verdict_kind(delivery))


#: The secrets a verdict names when two are accepted (a rotation's overlap).
OVERLAP_LABELS = ("new secret", "previous secret")
#: First-run widths of the received list (the forward column stretches).
RECEIVED_WIDTHS = {0: 80, 1: 170, 2: 200, 3: 70, 4: 170, 5: 120}


def received_columns() -> list[Column]:
    return [
        Column("Received", lambda d: d.received_at.astimezone().strftime("%H:%M:%S"),
               tooltip=lambda d: exact(d.received_at)),
        Column("Event", lambda d: event_label(d.event_type) if d.event_type else "",
               tooltip=lambda d: d.event_type or ""),
        Column("webhook-id", lambda d: d.header("webhook-id") or ""),
        Column("Answered", lambda d: d.response_status, foreground=lambda d: None if d.response_status < 300
               else semantic_colour("warning")),
        Column("Signature", verdict_text, foreground=_verdict_colour, object_name="verdict"),
        Column("Forwarded", forward_text, object_name="forwarded", tooltip=forward_text,
               foreground=lambda d: semantic_colour(forward_kind(d)) if forward_kind(d) else None),
    ]


class ListenView(QWidget):
    """Start/stop the local receiver and watch deliveries arrive."""

    sig_open_in_lab = Signal(object)
    """The user wants this ReceivedDelivery checked in the signature lab."""

    def __init__(self, panel: Any, parent: QWidget | None = None, *, platform: str = CONTRACT_PLATFORM) -> None:
        super().__init__(parent)
        self.setObjectName("webhooks.listen_view")
        self._panel = panel
        self._store = panel.stores.webhooks
        self.listener = WebhookListener(self._on_delivery, platform=platform)
        self.endpoint_id: str | None = None
        self._created = False
        self._original_url: str | None = None

        self.target = QComboBox(self)
        self.target.setObjectName("webhooks.listen.target")
        self.target.addItem("A new temporary endpoint (removed when you stop)", None)
        self.target.currentIndexChanged.connect(lambda _i: self.update_actions())
        self.secret = QLineEdit(self)
        self.secret.setObjectName("webhooks.listen.secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("The endpoint's whsec_… secret, to verify signatures (memory only)")
        self.answer = QComboBox(self)
        self.answer.setObjectName("webhooks.listen.answer")
        for label, status in ANSWERS:
            self.answer.addItem(label, status)
        self.answer.currentIndexChanged.connect(self._on_answer_changed)
        self.start_button = QPushButton("Start listening", self)
        self.start_button.setObjectName("webhooks.listen.start")
        self.start_button.clicked.connect(lambda: self._panel.run(self.start()))
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setObjectName("webhooks.listen.stop")
        self.stop_button.clicked.connect(lambda: self._panel.run(self.stop()))
        self.test_button = QPushButton("Send test event", self)
        self.test_button.setObjectName("webhooks.listen.test")
        self.test_button.clicked.connect(lambda: self._panel.run(self.send_test()))
        self.forward = ForwardTarget(self)
        self.trigger = TriggerBox(panel, self)
        self.state = SemanticLabel("Not listening.", self)
        self.state.setObjectName("webhooks.listen.state")
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = RecordTableModel(received_columns(), self, id_of=lambda d: d.sequence)
        self.table = record_table("webhooks.listen.table", self.model, self)
        self.columns = ColumnLayout(self.table, "webhooks.listen", RECEIVED_WIDTHS)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.verdict = SemanticLabel("", self)
        self.verdict.setObjectName("webhooks.listen.verdict")
        self.verdict.setWordWrap(True)
        self.message = QPlainTextEdit(self)
        self.message.setObjectName("webhooks.listen.message")
        self.message.setReadOnly(True)
        self.message.setFont(QFont("monospace"))
        self.lab_button = QPushButton("Open in signature lab", self)
        self.lab_button.setObjectName("webhooks.listen.open_lab")
        self.lab_button.clicked.connect(self._on_open_lab)

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Endpoint", self))
        controls.addWidget(self.target, 1)
        controls.addWidget(QLabel("Answer with", self))
        controls.addWidget(self.answer)
        actions = QHBoxLayout()
        actions.addWidget(self.start_button)
        actions.addWidget(self.stop_button)
        actions.addWidget(self.test_button)
        actions.addStretch(1)
        actions.addWidget(self.trigger)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.verdict, 1)
        head.addWidget(self.lab_button)
        detail_layout.addLayout(head)
        detail_layout.addWidget(self.message, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.secret)
        layout.addWidget(self.forward)
        layout.addLayout(actions)
        layout.addWidget(self.state)
        layout.addWidget(splitter, 1)
        self.update_actions()

    # ---- state -------------------------------------------------------------------------------
    def set_endpoints(self, endpoints: list[Any]) -> None:
        """Offer existing endpoints to point here (not while listening, not the temporary one)."""
        current = self.target.currentData()
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem("A new temporary endpoint (removed when you stop)", None)
        for webhook in endpoints:
            if webhook.id != self.endpoint_id or not self._created:
                self.target.addItem(f"Point “{webhook.name}” here (URL restored on stop)", webhook)
        index = next((i for i in range(self.target.count())
                      if getattr(self.target.itemData(i), "id", None) == getattr(current, "id", None)), 0)
        self.target.setCurrentIndex(index)
        self.target.blockSignals(False)
        self.update_actions()

    def update_actions(self) -> None:
        listening = self.listener.running
        existing = self.target.currentData() is not None
        self.target.setEnabled(not listening)
        self.secret.setVisible(existing)
        self.secret.setEnabled(not listening)
        writable = self._panel.writable
        self.start_button.setEnabled(not listening and writable)
        self.stop_button.setEnabled(listening)
        self.test_button.setEnabled(listening and self.endpoint_id is not None)
        self.lab_button.setEnabled(self.selected() is not None)
        self.start_button.setToolTip(self._panel.write_block_reason() or "")
        self.forward.set_listening(listening)
        self.trigger.update_actions()

    def _on_answer_changed(self, _index: int) -> None:
        self.listener.response_status = int(self.answer.currentData())

    # ---- start / stop ------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the receiver and point an endpoint at it (a new temporary one, or the chosen one)."""
        chosen = self.target.currentData()
        if chosen is not None and self._panel.context.is_live:
            confirmed = await confirm_action(
                self, "Point a live endpoint here",
                f"Deliveries for <b>{escape(chosen.name)}</b> will come to this computer instead of "
                f"{escape(chosen.url)} "
                "until you stop listening.", "Point it here", expected_text=chosen.name)
            if not confirmed:
                return
        self.listener.response_status = int(self.answer.currentData())
        try:
            self.listener.forwarder = self.forward.forwarder()
        except ForwardTargetError as problem:
            self._panel.show_notice(str(problem), "error")
            return
        try:
            url = await self.listener.start()
        except ListenerError as error:
            if self.listener.forwarder is not None:
                self.listener.forwarder.close()
                self.listener.forwarder = None
            self._panel.show_notice(str(error), "error")
            return
        try:
            if chosen is None:
                created = await self._store.create_endpoint({
                    "name": TEMPORARY_NAME, "url": url, "event_types": list(EVENT_TYPES),
                    "description": "Created by Opsdesk's Listen locally; deleted when listening stops."})
                self.listener.secret = created.secret
                self.endpoint_id, self._created, self._original_url = created.record.id, True, None
                del created
            else:
                original = await self._store.point_at(chosen.id, url)
                self.listener.secret = self.secret.text().strip() or None
                self.endpoint_id, self._created, self._original_url = chosen.id, False, original
        except Exception:
            await self.listener.stop()
            self.update_actions()
            raise
        self.secret.clear()
        forwarder = self.listener.forwarder
        self.state.setText(f"Listening on {url}, endpoint {self.endpoint_id} points here."
                           + ("" if self.listener.secret else " No secret given: signatures are not checked.")
                           + (f" Forwarding to {forwarder.url}." if forwarder else ""))
        self.state.set_kind("success")
        self.set_endpoints(self._store.listed)  # the temporary endpoint is not a target of its own

    async def stop(self) -> None:
        """Delete the temporary endpoint (or restore the chosen one's URL), then stop the receiver."""
        endpoint_id, created, original = self.endpoint_id, self._created, self._original_url
        tidied = False
        try:
            if endpoint_id is not None and created:
                await self._store.remove(endpoint_id)
            elif endpoint_id is not None and original is not None:
                await self._store.point_at(endpoint_id, original)
            tidied = True
        except errors.ApiError as error:
            fix = (f"Set its URL back to {original} by hand." if original
                   else f"Delete the endpoint {endpoint_id} by hand.")
            self._panel.show_notice(f"Stopped listening, but the endpoint was not tidied up: {describe(error)} {fix}",
                                    "error")
        finally:
            self.endpoint_id, self._created, self._original_url = None, False, None
            await self.listener.stop()
            restored = f" The endpoint's URL is back to {original}." if original and tidied else ""
            self.state.setText("Not listening." + restored)
            self.state.set_kind(None)
            self.set_endpoints(self._store.listed)

    async def send_test(self) -> None:
        if self.endpoint_id is not None:
            await self._panel.send_test_event(self.endpoint_id)

    # ---- incoming ----------------------------------------------------------------------------
    def _on_delivery(self, delivery: ReceivedDelivery) -> None:
        """A new delivery goes on top; one reported again (its forward's answer) replaces its row."""
        shown = self.selected()
        self.model.upsert(delivery, at_top=True)
        if shown is None:
            self.table.selectRow(0)
        elif shown.sequence == delivery.sequence:
            self._show_selected()

    def selected(self) -> ReceivedDelivery | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], RecordRole) if rows else None

    def _show_selected(self) -> None:
        delivery = self.selected()
        self.update_actions()
        if delivery is None:
            self.message.clear()
            self.verdict.clear()
            return
        headers = "\n".join(f"{name}: {value}" for name, value in delivery.headers)
        self.message.setPlainText(f"{delivery.method} {delivery.path}\n{headers}\n\n"
                                  f"{delivery.body.decode('utf-8', 'replace')}")
        explanation = delivery.verdict.explanation if delivery.verdict else "No secret known: not verified."
        forwarded = forward_text(delivery)
        self.verdict.setText(f"<b>{verdict_text(delivery)}</b>: {escape(explanation)}"
                             + (f"<br>Forwarded: {escape(forwarded)}" if forwarded else ""))
        self.verdict.set_kind(_verdict_kind(delivery))

    def _on_open_lab(self) -> None:
        delivery = self.selected()
        if delivery is not None:
            self.sig_open_in_lab.emit(delivery)
