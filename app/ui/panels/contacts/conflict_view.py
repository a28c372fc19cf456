"""The 412 resolver: the server's version of a contact beside the local edit, field by field.

Someone changed the contact after this form loaded it. Nothing is sent and nothing typed is lost:
each differing field shows mine and theirs with a choice. Where only one side changed, that side
is preselected; where both changed, the user must pick. Then: keep all mine, take all theirs, or
apply the per-field merge. The result is saved against the server's new version.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.panels.contacts.contact_form import (
    FIELD_TITLES,
    editable_values,
    format_custom_fields,
)

MINE, THEIRS = "mine", "theirs"


class ConflictView(QFrame):
    """Shows one conflict; emits `sig_resolved(values, how)` with the values to keep."""

    sig_resolved = Signal(dict, str)
    """The user chose: `values` are the editable fields to keep; `how` is mine, theirs or merge."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contacts.conflict")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("contacts.conflict.title")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self._grid_host = QWidget(self)
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._grid_host)
        buttons = QHBoxLayout()
        self.keep_mine = QPushButton("Keep all mine", self)
        self.keep_mine.setObjectName("contacts.conflict.keep_mine")
        self.take_theirs = QPushButton("Take all theirs", self)
        self.take_theirs.setObjectName("contacts.conflict.take_theirs")
        self.merge = QPushButton("Save merged choices", self)
        self.merge.setObjectName("contacts.conflict.merge")
        for button in (self.keep_mine, self.take_theirs, self.merge):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.keep_mine.clicked.connect(lambda: self._resolve(MINE))
        self.take_theirs.clicked.connect(lambda: self._resolve(THEIRS))
        self.merge.clicked.connect(lambda: self._resolve("merge"))
        self.mine: dict[str, Any] = {}
        self.theirs_record: dict[str, Any] = {}
        self.choices: dict[str, QComboBox] = {}
        self.hide()

    def show_conflict(self, base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> None:
        """`base`: the record as loaded; `mine`: the form's values; `theirs`: the server's record now."""
        self.mine = dict(mine)
        self.theirs_record = theirs
        their_values = editable_values(theirs)
        base_values = editable_values(base)
        self._clear_grid()
        self.choices = {}
        for column, heading in enumerate(("Field", "Your edit", "On the server now", "Keep")):
            label = QLabel(f"<b>{heading}</b>", self._grid_host)
            self._grid.addWidget(label, 0, column)
        row = 1
        for name, my_value in self.mine.items():
            their_value = their_values.get(name)
            if my_value == their_value:
                continue
            self._grid.addWidget(QLabel(FIELD_TITLES.get(name, name), self._grid_host), row, 0)
            self._grid.addWidget(self._value_label(name, my_value, "mine"), row, 1)
            self._grid.addWidget(self._value_label(name, their_value, "theirs"), row, 2)
            choice = QComboBox(self._grid_host)
            choice.setObjectName(f"contacts.conflict.{name}")
            choice.addItem("Choose…", None)
            choice.addItem("Mine", MINE)
            choice.addItem("Theirs", THEIRS)
            if my_value == base_values.get(name):
                choice.setCurrentIndex(2)
            elif their_value == base_values.get(name):
                choice.setCurrentIndex(1)
            choice.currentIndexChanged.connect(self._update_merge_button)
            self._grid.addWidget(choice, row, 3)
            self.choices[name] = choice
            row += 1
        who = theirs.get("updated_at") or "just now"
        self.title.setText(
            f"<b>{theirs.get('name') or 'This contact'} was changed on the server</b> (version "
            f"{theirs.get('version')}, {str(who)[:19].replace('T', ' ')}) while you were editing. "
            "Nothing was saved. Choose what to keep for each field that differs."
        )
        self._update_merge_button()
        self.show()

    def merged_values(self) -> dict[str, Any] | None:
        """The per-field choices applied, or None while a field is still undecided."""
        theirs = editable_values(self.theirs_record)
        merged = dict(self.mine)
        for name, choice in self.choices.items():
            picked = choice.currentData()
            if picked is None:
                return None
            merged[name] = self.mine[name] if picked == MINE else theirs.get(name)
        return merged

    def _resolve(self, how: str) -> None:
        if how == MINE:
            values = dict(self.mine)
        elif how == THEIRS:
            values = editable_values(self.theirs_record)
        else:
            values = self.merged_values()
            if values is None:
                return
        self.hide()
        self.sig_resolved.emit(values, how)

    def _update_merge_button(self, *_: object) -> None:
        undecided = [name for name, choice in self.choices.items() if choice.currentData() is None]
        self.merge.setEnabled(not undecided)
        self.merge.setToolTip(
            f"Choose mine or theirs for: {', '.join(FIELD_TITLES.get(n, n) for n in undecided)}" if undecided else ""
        )

    def _value_label(self, name: str, value: Any, side: str) -> QLabel:
        if name == "tags":
            text = ", ".join(value or [])
        elif name == "custom_fields":
            text = format_custom_fields(value or {})
        elif name == "company_id" and side == "theirs" and value == self.theirs_record.get("company_id"):
            text = self.theirs_record.get("company_name") or value or ""
        else:
            text = "" if value is None else str(value)
        label = QLabel(text or "—", self._grid_host)
        label.setObjectName(f"contacts.conflict.{name}.{side}")
        label.setWordWrap(True)
        return label

    def _clear_grid(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
