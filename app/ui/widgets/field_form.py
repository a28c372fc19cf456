"""A form whose fields each have a place for the server's complaint about them.

422 responses name fields (`details.fields`); the message appears right under the field it is
about, in the error colour, and the field gets focus. Messages for fields the form does not show
go to the form's own error line, so nothing the server said is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from app.ui.theme import semantic_colour


class FieldForm(QWidget):
    """Labelled fields named `<prefix>.<field>`, each with an error label `<prefix>.<field>.error`."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefix = prefix
        self.setObjectName(prefix)
        self._fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.form_error = self._error_label(f"{prefix}.error")
        outer.addWidget(self.form_error)
        self.layout_form = QFormLayout()
        self.layout_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.layout_form)

    def add_field(self, name: str, label: str, widget: QWidget) -> QWidget:
        """Add `widget` as field `name`; returns it."""
        widget.setObjectName(f"{self.prefix}.{name}")
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        error = self._error_label(f"{self.prefix}.{name}.error")
        column.addWidget(error)
        self.layout_form.addRow(label, box)
        self._fields[name] = widget
        self._errors[name] = error
        return widget

    def field(self, name: str) -> QWidget:
        return self._fields[name]

    def error_text(self, name: str) -> str:
        """The complaint shown beside field `name` ("" when none)."""
        label = self._errors[name]
        return label.text() if not label.isHidden() else ""

    def set_errors(self, fields: Mapping[str, str], general: str = "") -> None:
        """Show each message beside its field; unknown fields and `general` on the form's line."""
        self.clear_errors()
        leftovers = [general] if general else []
        first: QWidget | None = None
        for name, message in fields.items():
            key = self._field_key(name)
            if key is None:
                leftovers.append(f"{name}: {message}")
                continue
            self._errors[key].setText(message)
            self._errors[key].show()
            first = first or self._fields[key]
        if leftovers:
            self.form_error.setText("\n".join(leftovers))
            self.form_error.show()
        if first is not None:
            first.setFocus()

    def clear_errors(self) -> None:
        for label in (*self._errors.values(), self.form_error):
            label.clear()
            label.hide()

    def _field_key(self, name: str) -> str | None:
        """`custom_fields.plan`, `body.email` or `line_items[2].quantity` → the field shown for it."""
        for part in name.replace("[", ".").split("."):
            if part in self._fields:
                return part
        return None

    def _error_label(self, object_name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(object_name)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {semantic_colour('error').name()};")
        label.hide()
        return label
