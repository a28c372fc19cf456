"""The invoice side of the panel: the editor, its actions, the merge and void questions, payments.

Widgets and layout only; the panel turns their clicks into store calls. Beside the list, the
detail keeps the least width its actions need and the list gets the rest, so the list's first
columns stay readable in a 1024 px window.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Invoice
from app.data.invoice_drafts import is_provisional
from app.ui.panels.invoices.invoice_editor import InvoiceEditor
from app.ui.panels.invoices.merge_bar import MergeBar
from app.ui.panels.invoices.payment_box import OPEN_STATUSES, PaymentBox
from app.ui.widgets.confirm_bar import ConfirmBar

#: Why a draft waiting in the outbox to be created cannot be sent, voided or printed yet.
NOT_CREATED = "This draft is created on the server when the connection is back; then it can be sent."


class InvoiceDetail(QScrollArea):
    """The shown invoice (or new draft), scrolled vertically; it reflows to the pane's width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        detail = QWidget(self)
        detail.setObjectName("invoices.detail")
        self.editor = InvoiceEditor(detail)
        self.save_button = self._button("Save draft", "invoices.save", detail)
        self.send_button = self._button("Send", "invoices.send", detail)
        self.void_button = self._button("Void…", "invoices.void", detail)
        self.pdf_button = self._button("PDF…", "invoices.pdf", detail)
        self.merge_bar = MergeBar("invoices.merge", detail)
        self.confirm = ConfirmBar("invoices.void_confirm", detail)
        self.payments = PaymentBox(detail)
        actions = QHBoxLayout()
        for button in (self.save_button, self.send_button, self.pdf_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.void_button)
        layout = QVBoxLayout(detail)
        layout.addWidget(self.editor, 1)
        layout.addLayout(actions)
        for strip in (self.merge_bar, self.confirm, self.payments):
            layout.addWidget(strip)
        self.setWidgetResizable(True)
        # A sideways scroll would hide Void and Record.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The least that keeps every action and the payment row whole (1024 px windows leave about this).
        detail.setMinimumWidth(400)
        self.setWidget(detail)
        # The scroll area's own minimum: a splitter reads that one, not its content's.
        self.setMinimumWidth(400 + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth())

    def update_actions(self, record: Invoice | None, writable: bool, editable: bool | None = None,
                       cannot: Mapping[str, str | None] | None = None) -> None:
        """Offer what the platform allows for `record` (None: a new draft).

        `editable`: a draft's edits save (offline, into the outbox); `writable`: the server is
        there, which sending, voiding and payments need (money moves), and the tooltips say so.
        A draft waiting in the outbox to be created is not on the server yet: only its edits save.
        `cannot` maps "create", "update", "send", "void", "pay" to why the platform refuses it.
        """
        editable = writable if editable is None else editable
        status = record.status if record else None
        waiting = record is not None and is_provisional(record.id)
        moves = writable and not waiting
        self.save_button.setEnabled(editable and (record is None or status == "draft"))
        self.send_button.setEnabled(moves and status == "draft")
        # The platform refuses to void an invoice that has payments on it.
        unpaid = record is None or not record.amount_paid_cents
        self.void_button.setEnabled(moves and unpaid and status in ("draft", "sent", "overdue"))
        if not self.void_button.isEnabled():
            self.confirm.hide()
        self.pdf_button.setEnabled(record is not None and not waiting)
        self.payments.record_button.setEnabled(moves and status in OPEN_STATUSES)
        if waiting:
            why = {button: NOT_CREATED for button in (self.send_button, self.void_button, self.pdf_button)}
        elif not writable and editable:
            why = {self.send_button: "Send needs a connection; the draft's edits are queued.",
                   self.void_button: "Voiding needs a connection.", self.payments.record_button: "Payments need a connection."}
        else:
            why = {}
        if not unpaid:
            why.setdefault(self.void_button, "Invoices with payments cannot be voided.")
        refused = {self.save_button: (cannot or {}).get("update" if record is not None else "create"),
                   self.send_button: (cannot or {}).get("send"), self.void_button: (cannot or {}).get("void"),
                   self.payments.record_button: (cannot or {}).get("pay")}
        for button, reason in refused.items():
            if reason:  # the platform has no such operation (its manifest)
                button.setEnabled(False)
                why[button] = reason
        for button in (self.save_button, self.send_button, self.void_button, self.pdf_button,
                       self.payments.record_button):
            button.setToolTip(why.get(button, ""))

    @staticmethod
    def _button(text: str, name: str, parent: QWidget) -> QPushButton:
        button = QPushButton(text, parent)
        button.setObjectName(name)
        return button


def side_by_side(body: QWidget, pane: QWidget, detail: InvoiceDetail) -> QSplitter:
    """The list and the detail in a splitter filling `body`: the list takes 3/5 of the width, the
    detail never less than its minimum (the list shrinks first in a small window)."""
    splitter = QSplitter(body)
    splitter.setObjectName("invoices.splitter")
    splitter.addWidget(pane)
    splitter.addWidget(detail)
    splitter.setChildrenCollapsible(False)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([600, 400])
    layout = QVBoxLayout(body)
    layout.setContentsMargins(8, 0, 8, 8)
    layout.addWidget(splitter, 1)
    return splitter
