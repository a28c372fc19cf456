"""The invoice side of the panel: the editor, its actions, the merge and void questions, payments.

Widgets and layout only; the panel turns their clicks into store calls.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.ui.panels.invoices.invoice_editor import InvoiceEditor
from app.ui.panels.invoices.merge_bar import MergeBar
from app.ui.panels.invoices.payment_box import PaymentBox
from app.ui.widgets.confirm_bar import ConfirmBar


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
        detail.setMinimumWidth(420)
        self.setWidget(detail)

    @staticmethod
    def _button(text: str, name: str, parent: QWidget) -> QPushButton:
        button = QPushButton(text, parent)
        button.setObjectName(name)
        return button
