"""The right-hand side of the Contacts tab: the open contact's form, its buttons, and what hangs off it.

Top to bottom: the conflict resolver (shown only after a save met a colleague's change to the same
fields), the contact form, Save / Discard / Delete with the inline delete confirmation, and the
contact's tickets and invoices. It holds no state of its own beyond the form's base contact;
the panel enables its buttons from the write gate, the form's dirty state and whether a save is
on its way.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.api.models import Contact
from app.data.contacts import Related
from app.ui.money import format_money
from app.ui.panels.contacts.conflict_view import ConflictView
from app.ui.panels.contacts.contact_form import ContactForm
from app.ui.widgets.confirm_bar import ConfirmBar

#: Related lists are short: a few lines each, the detail scrolls for the rest.
RELATED_HEIGHT = 110


class ContactDetail(QWidget):
    """Form, conflict view, buttons and related lists of one contact (or a new one)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contacts.detail")
        self.form = ContactForm(self)
        self.conflict = ConflictView(self)
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("contacts.save")
        self.save_button.setDefault(True)
        self.discard_button = QPushButton("Discard changes", self)
        self.discard_button.setObjectName("contacts.discard")
        self.delete_button = QPushButton("Delete…", self)
        self.delete_button.setObjectName("contacts.delete")
        self.confirm = ConfirmBar("contacts.delete_confirm", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        self.tickets_list = QListWidget(self)
        self.tickets_list.setObjectName("contacts.tickets")
        self.invoices_list = QListWidget(self)
        self.invoices_list.setObjectName("contacts.invoices")
        for related in (self.tickets_list, self.invoices_list):
            related.setMaximumHeight(RELATED_HEIGHT)
        inner = QWidget(self)
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.conflict)
        inner_layout.addWidget(self.form)
        inner_layout.addLayout(buttons)
        inner_layout.addWidget(self.confirm)
        inner_layout.addWidget(QLabel("<b>Tickets</b>", inner))
        inner_layout.addWidget(self.tickets_list)
        inner_layout.addWidget(QLabel("<b>Invoices</b>", inner))
        inner_layout.addWidget(self.invoices_list)
        inner_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.form.load(None)

    @property
    def contact(self) -> Contact | None:
        """The contact the form was loaded with (the edit's base)."""
        return self.form.record

    @property
    def contact_id(self) -> str | None:
        return self.form.record.id if self.form.record is not None else None

    def load(self, contact: Contact | None) -> None:
        """Show `contact` (None: a new one) with no conflict or question left open."""
        self.conflict.hide()
        self.confirm.hide()
        self.form.load(contact)
        if contact is None:
            self.tickets_list.clear()
            self.invoices_list.clear()

    def take_saved(self, contact: Contact, typed_when_sent: dict[str, Any]) -> list[str]:
        """Show a save's answer, keeping what was typed since it left (`ContactForm.take_saved`)."""
        self.conflict.hide()
        self.confirm.hide()
        return self.form.take_saved(contact, typed_when_sent)

    def show_related(self, contact_id: str, related: Related) -> None:
        """Fill the tickets and invoices lists, if `contact_id` is still the one shown."""
        if self.contact_id != contact_id:
            return
        self.tickets_list.clear()
        for ticket in related.tickets:
            self.tickets_list.addItem(f"{ticket.subject} — {ticket.status}, {ticket.priority}")
        if not related.tickets:
            self.tickets_list.addItem(related.unavailable.get("tickets") or "No tickets")
        self.invoices_list.clear()
        for invoice in related.invoices:
            total = format_money(int(invoice.total_cents or 0), invoice.currency or "USD")
            self.invoices_list.addItem(f"{invoice.invoice_number} — {invoice.status}, {total}")
        if not related.invoices:
            self.invoices_list.addItem(related.unavailable.get("invoices") or "No invoices")
