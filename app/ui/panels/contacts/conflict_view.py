"""The 412 resolver: only the fields a colleague and I both changed, to different values.

Someone changed the contact after this form loaded it, and the store's three-way merge (base,
mine, theirs) could not settle every field by itself: a field only one side changed was merged
already. Each field left (a custom field per key) shows what it was, my edit and theirs, with a
choice; nothing is sent until every one is decided. The resolution is then saved against the
server's version with every other change of both sides kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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

from app.api.models import Contact
from app.data.merge import MISSING, Choice, FieldConflict, Path
from app.data.record_store import MergeNeeded
from app.ui.panels.contacts.contact_form import FIELD_TITLES, format_custom_fields

MINE, THEIRS = "mine", "theirs"


def conflict_title(conflict: FieldConflict) -> str:
    """`Phone`, or `Custom fields · tier` for one key of a nested field."""
    head = FIELD_TITLES.get(str(conflict.path[0]), str(conflict.path[0]))
    return " · ".join([head, *(str(part) for part in conflict.path[1:])])


class ConflictView(QFrame):
    """Shows the conflicts of one `MergeNeeded`; emits `sig_resolved(choices)` once all are decided."""

    sig_resolved = Signal(object)
    """The user decided: a dict mapping each conflict's path to "mine" or "theirs"."""

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
        for button in (self.keep_mine, self.take_theirs):
            button.setToolTip("For the fields listed here; every other change of both sides is kept.")
        for button in (self.keep_mine, self.take_theirs, self.merge):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.keep_mine.clicked.connect(lambda: self._resolve_all(MINE))
        self.take_theirs.clicked.connect(lambda: self._resolve_all(THEIRS))
        self.merge.clicked.connect(self._resolve_chosen)
        self.needed: MergeNeeded[Contact] | None = None
        #: One choice box per conflict, by its label (`phone`, `custom_fields.tier`).
        self.choices: dict[str, QComboBox] = {}
        self._paths: dict[str, Path] = {}
        self.hide()

    def show_conflicts(self, needed: MergeNeeded[Contact], company_name: Callable[[str | None], str]) -> None:
        """List `needed`'s conflicts; `company_name` names a company id for the Company field."""
        self.needed = needed
        self._clear_grid()
        self.choices, self._paths = {}, {}
        for column, heading in enumerate(("Field", "When you opened it", "Your edit", "On the server now", "Keep")):
            self._grid.addWidget(QLabel(f"<b>{heading}</b>", self._grid_host), 0, column)
        for row, conflict in enumerate(needed.merge.conflicts, start=1):
            label = conflict.label
            self._grid.addWidget(QLabel(conflict_title(conflict), self._grid_host), row, 0)
            for column, (side, value) in enumerate((("base", conflict.base), (MINE, conflict.mine),
                                                    (THEIRS, conflict.theirs)), start=1):
                self._grid.addWidget(self._value_label(conflict, side, value, company_name), row, column)
            choice = QComboBox(self._grid_host)
            choice.setObjectName(f"contacts.conflict.{label}")
            choice.addItem("Choose…", None)
            choice.addItem("Mine", MINE)
            choice.addItem("Theirs", THEIRS)
            choice.currentIndexChanged.connect(self._update_merge_button)
            self._grid.addWidget(choice, row, 4)
            self.choices[label] = choice
            self._paths[label] = conflict.path
        theirs = needed.theirs
        fields = ", ".join(conflict_title(c) for c in needed.merge.conflicts)
        self.title.setText(
            f"<b>{theirs.name or 'This contact'} was changed on the server</b> (version {theirs.version}, "
            f"{theirs.updated_at:%Y-%m-%d %H:%M:%S}) while you were editing, and you both changed: {fields}. "
            "Nothing was saved yet. Choose what to keep; every other change of yours and theirs is kept."
        )
        self._update_merge_button()
        self.show()

    def chosen(self) -> dict[Path, Choice] | None:
        """The per-field choices, or None while a field is still undecided."""
        picked = {self._paths[label]: box.currentData() for label, box in self.choices.items()}
        return None if any(choice is None for choice in picked.values()) else picked

    def _resolve_all(self, side: Choice) -> None:
        self._emit({path: side for path in self._paths.values()})

    def _resolve_chosen(self) -> None:
        choices = self.chosen()
        if choices is not None:
            self._emit(choices)

    def _emit(self, choices: dict[Path, Choice]) -> None:
        self.hide()
        self.sig_resolved.emit(choices)

    def _update_merge_button(self, *_: object) -> None:
        undecided = [label for label, box in self.choices.items() if box.currentData() is None]
        self.merge.setEnabled(not undecided)
        self.merge.setToolTip(f"Choose mine or theirs for: {', '.join(undecided)}" if undecided else "")

    def _value_label(self, conflict: FieldConflict, side: str, value: Any,
                     company_name: Callable[[str | None], str]) -> QLabel:
        name = conflict.path[0]
        if value is MISSING or value is None:
            text = ""
        elif name == "tags" and isinstance(value, list):
            text = ", ".join(str(tag) for tag in value)
        elif isinstance(value, dict):
            text = format_custom_fields(value)
        elif name == "company_id" and len(conflict.path) == 1:
            text = company_name(value)
        elif isinstance(value, (bool, int, float)):
            text = json.dumps(value)  # as the form writes custom fields: true, 5
        else:
            text = str(value)
        label = QLabel(text or "—", self._grid_host)
        label.setObjectName(f"contacts.conflict.{conflict.label}.{side}")
        label.setWordWrap(True)
        return label

    def _clear_grid(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
