"""The fields of a draft that both the operator and a colleague changed: which version to keep.

Everything else was merged without asking (the store's three-way merge); this strip lists only
the conflicting fields, each with its two values and a choice, and hands the choices back.
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

from app.data.merge import MISSING, Choice, FieldConflict, Path
from app.data.record_store import MergeNeeded
from app.ui.labels import label
from app.ui.panels.invoices.words import field_words


def _short(conflict: FieldConflict, value: Any) -> str:
    """One side's value as the operator reads it (a line's kind in words, long text cut short)."""
    if value is MISSING:
        return "(removed)"
    if conflict.path[-1] in ("kind", "status") and isinstance(value, str):
        value = label(str(conflict.path[-1]), value)
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def conflict_words(conflict: FieldConflict) -> str:
    """The conflicting field as the form names it ("Notes", "Line 2 quantity")."""
    return field_words(conflict.path)


class MergeBar(QFrame):
    """`ask(needed)` shows the conflicts; Save emits the choices, Cancel keeps editing."""

    sig_resolved = Signal(object)
    """The operator's choice per conflicting field: {path: "mine" | "theirs"}."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.pending: MergeNeeded | None = None
        self._choices: dict[Path, QComboBox] = {}
        self._title = QLabel(self)
        self._title.setWordWrap(True)
        self._grid = QGridLayout()
        self.save_button = QPushButton("Save with these choices", self)
        self.save_button.setObjectName(f"{object_name}.save")
        self.save_button.clicked.connect(self._on_save)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName(f"{object_name}.cancel")
        self.cancel_button.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self._title)
        layout.addLayout(self._grid)
        layout.addLayout(buttons)
        self.hide()

    def ask(self, needed: MergeNeeded) -> None:
        self.clear()
        self.pending = needed
        self._title.setText(f"{needed.theirs.invoice_number} was changed by a colleague too; "
                            "you both changed these fields:")
        for row, conflict in enumerate(needed.merge.conflicts):
            words = conflict_words(conflict)
            text = QLabel(f"{words}: yours {_short(conflict, conflict.mine)} · theirs {_short(conflict, conflict.theirs)}",
                          self)
            text.setWordWrap(True)
            choice = QComboBox(self)
            choice.setObjectName(f"{self.objectName()}.{conflict.label}")
            choice.addItem("Keep mine", "mine")
            choice.addItem("Keep theirs", "theirs")
            self._grid.addWidget(text, row, 0)
            self._grid.addWidget(choice, row, 1)
            self._choices[conflict.path] = choice
        self.show()

    @property
    def labels(self) -> list[str]:
        """The conflicting fields shown, as the operator reads them."""
        return [conflict_words(conflict) for conflict in self.pending.merge.conflicts] if self.pending else []

    def choose(self, label: str, choice: Choice) -> None:
        """Pick `choice` for the field shown as `label` (what the operator does with the box)."""
        for conflict in self.pending.merge.conflicts if self.pending else ():
            if conflict_words(conflict) == label:
                combo = self._choices[conflict.path]
                combo.setCurrentIndex(combo.findData(choice))

    def choices(self) -> dict[Path, Choice]:
        return {path: combo.currentData() for path, combo in self._choices.items()}

    def clear(self) -> None:
        self.pending = None
        self._choices.clear()
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.hide()

    def _on_save(self) -> None:
        if self.pending is not None:
            self.sig_resolved.emit(self.choices())
