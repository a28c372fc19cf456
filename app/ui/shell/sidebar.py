"""The module list on the left: icon and title per module, disabled with the reason when the
credential's scopes do not allow it."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from app.ui.icons import icon
from app.ui.panels.registry import MODULES

_NAME_ROLE = Qt.ItemDataRole.UserRole


class ModuleSidebar(QListWidget):
    """One row per module in `registry.MODULES`; emits `sig_module_chosen(name)` on selection."""

    sig_module_chosen = Signal(str)
    """The user picked an enabled module."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shell.sidebar")
        self.setIconSize(QSize(22, 22))
        self.setSpacing(1)
        self.setUniformItemSizes(True)
        self.setFrameShape(QListWidget.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._reasons: dict[str, str] = {}
        for spec in MODULES:
            item = QListWidgetItem(icon(spec.name), spec.title, self)
            item.setData(_NAME_ROLE, spec.name)
            item.setToolTip(f"{spec.summary} (Ctrl+{spec.digit})")
            item.setSizeHint(QSize(0, 34))
        widest = max(self.fontMetrics().horizontalAdvance(spec.title) for spec in MODULES)
        self.setFixedWidth(widest + self.iconSize().width() + 48)
        self.currentItemChanged.connect(self._on_current_changed)

    def item_of(self, name: str) -> QListWidgetItem:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(_NAME_ROLE) == name:
                return item
        raise KeyError(name)

    def set_disabled_reasons(self, reasons: dict[str, str]) -> None:
        """Disable each module named in `reasons` (name → why); enable all the others."""
        self._reasons = dict(reasons)
        for spec in MODULES:
            item = self.item_of(spec.name)
            reason = reasons.get(spec.name)
            flags = item.flags()
            if reason:
                item.setFlags(flags & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(reason)
            else:
                item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(f"{spec.summary} (Ctrl+{spec.digit})")

    def disabled_reason(self, name: str) -> str | None:
        """Why module `name` is disabled, or None if it is enabled."""
        return self._reasons.get(name)

    def is_enabled(self, name: str) -> bool:
        return bool(self.item_of(name).flags() & Qt.ItemFlag.ItemIsEnabled)

    def select(self, name: str) -> None:
        """Mark `name` as current without emitting `sig_module_chosen`."""
        self.blockSignals(True)
        try:
            self.setCurrentItem(self.item_of(name))
        finally:
            self.blockSignals(False)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None:
            self.sig_module_chosen.emit(current.data(_NAME_ROLE))
