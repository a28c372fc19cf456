"""The contact editor: every field of a contact, typed values in and out, errors beside fields.

It doubles as the detail view (HubSpot-style inline properties): selecting a contact loads it
here; editing makes the form dirty and enables Save. The `Contact` it was loaded with is kept as
the edit's base: the save sends `If-Match` with its version, and on a colleague's concurrent
change the store merges three ways against exactly what the user started from. A save's answer
becomes the new base without undoing what was typed while it was on its way (`take_saved`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from app.api import field_rules
from app.api.models import Contact
from app.ui.widgets.field_form import FieldForm

#: The contact fields a person edits, in form order.
EDITABLE_FIELDS: tuple[str, ...] = ("name", "email", "phone", "company_id", "tags", "custom_fields", "notes")
FIELD_TITLES: dict[str, str] = {
    "name": "Name", "email": "Email", "phone": "Phone", "company_id": "Company", "tags": "Tags",
    "custom_fields": "Custom fields", "notes": "Notes",
}


class ContactFormError(ValueError):
    """What the user typed cannot be sent as is; `.fields` names the fields and the problem."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class ContactForm(FieldForm):
    """Edit one contact (or a new one). `values()` is what a save sends."""

    sig_dirty_changed = Signal(bool)
    """The form now differs (True) or no longer differs (False) from the record it was loaded with."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("contacts.form", parent)
        #: The contact the form was loaded with: the base of the edit (None: a new contact).
        self.record: Contact | None = None
        self.name_edit = self.add_field("name", "Name", QLineEdit())
        self.email_edit = self.add_field("email", "Email", QLineEdit())
        self.phone_edit = self.add_field("phone", "Phone", QLineEdit())
        self.company_combo: QComboBox = self.add_field("company_id", "Company", QComboBox())
        self.company_combo.addItem("— none —", None)
        self.tags_edit = self.add_field("tags", "Tags", QLineEdit())
        self.tags_edit.setPlaceholderText("comma, separated")
        self.custom_edit = self.add_field("custom_fields", "Custom fields", QPlainTextEdit())
        self.custom_edit.setPlaceholderText("one per line — key: value")
        self.custom_edit.setFixedHeight(64)
        self.notes_edit = self.add_field("notes", "Notes", QPlainTextEdit())
        self.notes_edit.setFixedHeight(64)
        self.info = QLabel(self)
        self.info.setObjectName("contacts.form.info")
        self.info.setWordWrap(True)
        self.layout_form.addRow("", self.info)
        self._was_dirty = False
        for edit in (self.name_edit, self.email_edit, self.phone_edit, self.tags_edit):
            edit.textChanged.connect(self._check_dirty)
        for text in (self.custom_edit, self.notes_edit):
            text.textChanged.connect(self._check_dirty)
        self.company_combo.currentIndexChanged.connect(self._check_dirty)

    # ---- loading ---------------------------------------------------------------------------
    def set_companies(self, companies: list[tuple[str, str]]) -> None:
        """(id, name) pairs offered in the company box; keeps the current choice."""
        current = self.company_combo.currentData()
        self.company_combo.blockSignals(True)
        self.company_combo.clear()
        self.company_combo.addItem("— none —", None)
        for company_id, name in companies:
            self.company_combo.addItem(name, company_id)
        self.company_combo.blockSignals(False)
        self._select_company(current, None)

    def load(self, record: Contact | None) -> None:
        """Show `record` (None: an empty form for a new contact); the form is clean afterwards."""
        self.record = record
        self.clear_errors()
        self.show_values(editable_values(record) if record else {}, record.company_name if record else None)
        self._was_dirty = False
        self._show_info(record)
        self.sig_dirty_changed.emit(False)

    def take_saved(self, record: Contact, typed_when_sent: dict[str, Any]) -> list[str]:
        """Make the saved `record` the edit's base (its version goes with the next save).

        A field the operator changed since `typed_when_sent` (what `typed()` read when the save
        left) keeps what they typed, and the form stays dirty with it: their edit is saved next,
        against this version. Every other field shows the record's value. Returns the kept fields.
        """
        now = self.typed()
        kept = [name for name in EDITABLE_FIELDS if now[name] != typed_when_sent.get(name)]
        if not kept:
            self.load(record)
            return kept
        self.record = record
        self.clear_errors()
        self.show_values(editable_values(record), record.company_name, keep=kept)
        self._show_info(record)
        return kept

    def show_values(self, values: dict[str, Any], company_name: str | None = None, *,
                    keep: Collection[str] = ()) -> None:
        """Fill the widgets with editable `values` without changing the base record; the fields
        named in `keep` are left as they are (the operator's typing is not touched, nor its cursor)."""
        shows: dict[str, Callable[[], None]] = {
            "name": lambda: self.name_edit.setText(values.get("name") or ""),
            "email": lambda: self.email_edit.setText(values.get("email") or ""),
            "phone": lambda: self.phone_edit.setText(values.get("phone") or ""),
            "company_id": lambda: self._select_company(values.get("company_id"), company_name),
            "tags": lambda: self.tags_edit.setText(", ".join(values.get("tags") or [])),
            "custom_fields": lambda: self.custom_edit.setPlainText(
                format_custom_fields(values.get("custom_fields") or {})),
            "notes": lambda: self.notes_edit.setPlainText(values.get("notes") or ""),
        }
        for name, show in shows.items():
            if name not in keep:
                show()
        self._check_dirty()

    def _show_info(self, record: Contact | None) -> None:
        if record:
            self.info.setText(
                f"{record.id} · version {record.version} · "
                f"created {record.created_at:%Y-%m-%d %H:%M} · updated {record.updated_at:%Y-%m-%d %H:%M}"
            )
        else:
            self.info.setText("New contact")

    def set_read_only(self, read_only: bool) -> None:
        for edit in (self.name_edit, self.email_edit, self.phone_edit, self.tags_edit):
            edit.setReadOnly(read_only)
        for text in (self.custom_edit, self.notes_edit):
            text.setReadOnly(read_only)
        self.company_combo.setEnabled(not read_only)

    # ---- reading ---------------------------------------------------------------------------
    def typed(self) -> dict[str, Any]:
        """What each field holds, as typed and unparsed (text that cannot be sent yet counts too):
        read when a save leaves, to tell later which fields the operator changed meanwhile."""
        return {
            "name": self.name_edit.text(),
            "email": self.email_edit.text(),
            "phone": self.phone_edit.text(),
            "company_id": self.company_combo.currentData(),
            "tags": self.tags_edit.text(),
            "custom_fields": self.custom_edit.toPlainText(),
            "notes": self.notes_edit.toPlainText(),
        }

    def values(self) -> dict[str, Any]:
        """The contact as typed, in API shape; ContactFormError names fields that cannot be sent."""
        custom, problem = parse_custom_fields(self.custom_edit.toPlainText())
        errors: dict[str, str] = {}
        if problem:
            errors["custom_fields"] = problem
        if not self.name_edit.text().strip():
            errors["name"] = "A contact needs a name."
        email_problem = field_rules.email_problem(self.email_edit.text().strip())
        if email_problem:
            errors["email"] = email_problem
        if errors:
            raise ContactFormError(errors)
        return {
            "name": self.name_edit.text().strip(),
            "email": self.email_edit.text().strip() or None,
            "phone": self.phone_edit.text().strip() or None,
            "company_id": self.company_combo.currentData(),
            "tags": [tag.strip() for tag in self.tags_edit.text().split(",") if tag.strip()],
            "custom_fields": custom,
            "notes": self.notes_edit.toPlainText().strip() or None,
        }

    def changed_fields(self) -> dict[str, Any]:
        """Only the fields that differ from the loaded record (my edit, which a PATCH sends)."""
        values = self.values()
        base = editable_values(self.record) if self.record else {}
        return {name: value for name, value in values.items() if value != base.get(name)}

    def company_name(self, company_id: str | None) -> str:
        """The name the company box shows for `company_id` (the id when it is not offered)."""
        index = self.company_combo.findData(company_id) if company_id else -1
        return self.company_combo.itemText(index) if index >= 0 else (company_id or "")

    @property
    def dirty(self) -> bool:
        """Whether anything typed would be lost by loading another contact."""
        if self.record is None:
            texts = (self.name_edit.text(), self.email_edit.text(), self.phone_edit.text(), self.tags_edit.text(),
                     self.custom_edit.toPlainText(), self.notes_edit.toPlainText())
            return any(text.strip() for text in texts) or self.company_combo.currentData() is not None
        try:
            return bool(self.changed_fields())
        except ContactFormError:
            return True

    def _check_dirty(self, *_: object) -> None:
        dirty = self.dirty
        if dirty != self._was_dirty:
            self._was_dirty = dirty
            self.sig_dirty_changed.emit(dirty)

    def _select_company(self, company_id: str | None, company_name: str | None) -> None:
        index = self.company_combo.findData(company_id) if company_id else 0
        if index < 0 and company_id:
            self.company_combo.addItem(company_name or company_id, company_id)
            index = self.company_combo.count() - 1
        self.company_combo.setCurrentIndex(max(index, 0))


def editable_values(record: Contact) -> dict[str, Any]:
    """The editable fields of a contact, normalised the way `ContactForm.values()` returns them."""
    return {
        "name": (record.name or "").strip(),
        "email": record.email or None,
        "phone": record.phone or None,
        "company_id": record.company_id or None,
        "tags": list(record.tags or []),
        "custom_fields": dict(record.custom_fields or {}),
        "notes": record.notes or None,
    }


def format_custom_fields(fields: dict[str, Any]) -> str:
    """`{"plan": "pro", "seats": 5}` → `plan: pro` / `seats: 5` lines; text that would read back as
    another type (`"5"`, `"true"`) is written in JSON quotes so it round-trips unchanged."""
    lines = []
    for key, value in fields.items():
        plain = value if isinstance(value, str) and _typed(value) == value else json.dumps(value)
        lines.append(f"{key}: {plain}")
    return "\n".join(lines)


def parse_custom_fields(text: str) -> tuple[dict[str, Any], str]:
    """`key: value` lines → dict (numbers and true/false typed); returns (fields, problem or "")."""
    fields: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, separator, raw = line.partition(":")
        if not separator or not key.strip():
            return {}, f"Line {number} “{line.strip()}” needs the form key: value."
        fields[key.strip()] = _typed(raw.strip())
    return fields, ""


def _typed(value: str) -> Any:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return json.loads(value)
        except ValueError:
            return value
    if value in ("true", "false"):
        return value == "true"
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value
