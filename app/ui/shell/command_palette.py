"""The command palette (Ctrl+K / Cmd+K): jump to a module, or find a cached contact or ticket.

Module names match as you type; records come from the profile's page cache (full-text search
over what the console has seen), so it works offline and never waits on the network. Choosing a
record opens its module and, when the panel offers `open_record(id)`, the record itself.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.icons import icon
from app.ui.panels import registry

log = logging.getLogger(__name__)

#: Which cached resources are searched, the module that opens them, and how a hit is labelled.
SEARCHED = (
    ("contacts", "contacts", lambda r: f"{r.get('name') or r.get('id')}  ·  {r.get('email') or ''}".rstrip(" ·")),
    ("tickets", "tickets", lambda r: f"{r.get('subject') or r.get('id')}  ·  {r.get('status') or ''}".rstrip(" ·")),
)
_RESULTS_PER_RESOURCE = 8
_DEBOUNCE_MS = 120


@dataclass(frozen=True)
class PaletteEntry:
    """One line of the palette: a module to open, or a record within a module."""

    module: str
    record_id: str | None
    label: str


class CommandPalette(QDialog):
    """A small popup over the main window; `popup()` shows it with an empty query."""

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent or window, Qt.WindowType.Popup)
        self.setObjectName("palette")
        self.window_ = window
        self.input = QLineEdit(self)
        self.input.setObjectName("palette.input")
        self.input.setPlaceholderText("Go to a module, or search cached contacts and tickets…")
        self.results = QListWidget(self)
        self.results.setObjectName("palette.results")
        self.hint = QLabel("↑↓ to move · Enter to open · Esc to close", self)
        self.hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.input)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        self.resize(560, 360)
        #: The latest search task (tests await it).
        self.searching: asyncio.Task | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._start_search)
        self.input.textChanged.connect(self._on_text_changed)
        self.input.returnPressed.connect(self.choose_current)
        self.input.installEventFilter(self)
        self.results.itemActivated.connect(lambda item: self.choose(item.data(Qt.ItemDataRole.UserRole)))

    def popup(self) -> None:
        """Show centred over the main window's top, with an empty query."""
        self.input.clear()
        self._show_modules("")
        geometry = self.window_.geometry()
        self.move(geometry.x() + (geometry.width() - self.width()) // 2, geometry.y() + 80)
        self.show()
        self.raise_()
        self.input.setFocus()

    def entries(self) -> list[PaletteEntry]:
        """What the list shows now, top to bottom."""
        return [self.results.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.results.count())]

    # ---- typing and searching -------------------------------------------------------------------
    def _on_text_changed(self, text: str) -> None:
        self._show_modules(text)
        self._debounce.start()

    def _show_modules(self, text: str) -> None:
        self.results.clear()
        wanted = text.strip().casefold()
        for spec in registry.MODULES:
            if wanted and wanted not in spec.title.casefold() and wanted not in spec.name:
                continue
            reason = self.window_.disabled_reason(spec.name)
            self._add(PaletteEntry(spec.name, None, f"Go to {spec.title}"), spec.name, enabled=reason is None,
                      tooltip=reason)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _add(self, entry: PaletteEntry, icon_name: str, *, enabled: bool = True, tooltip: str | None = None) -> None:
        item = QListWidgetItem(icon(icon_name), entry.label, self.results)
        item.setData(Qt.ItemDataRole.UserRole, entry)
        if tooltip:
            item.setToolTip(tooltip)
        if not enabled:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)

    def _start_search(self) -> None:
        if self.searching is not None and not self.searching.done():
            self.searching.cancel()
        text = self.input.text().strip()
        context = self.window_.context
        if not text or context is None or context.cache is None:
            return
        self.searching = context.tasks.spawn(self.search(text), name="palette search")

    async def search(self, text: str) -> list[PaletteEntry]:
        """Find cached records matching `text` and list them under the module matches."""
        cache = self.window_.context.cache
        found: list[PaletteEntry] = []

        def lookup(page_cache):
            hits = []
            for resource, module, label in SEARCHED:
                ids = page_cache.search(resource, text, _RESULTS_PER_RESOURCE)
                hits.append((resource, module, label, page_cache.get_records(resource, ids)))
            return hits

        for resource, module, label, records in await cache.run(lookup):
            if self.window_.disabled_reason(module):
                continue
            for record in records:
                found.append(PaletteEntry(module, record.get("id"), label(record)))
        if self.input.text().strip() != text:
            return found
        had_selection = self.results.currentRow() >= 0
        for entry in found:
            self._add(entry, entry.module)
        if found and not had_selection:
            self.results.setCurrentRow(0)
        return found

    # ---- choosing ------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.input and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)

    def choose_current(self) -> None:
        item = self.results.currentItem()
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.choose(item.data(Qt.ItemDataRole.UserRole))

    def choose(self, entry: PaletteEntry) -> None:
        """Open the entry's module, and its record where the panel can show one."""
        self.close()
        page = self.window_.open_module(entry.module)
        if entry.record_id and hasattr(page, "open_record"):
            result = page.open_record(entry.record_id)
            if asyncio.iscoroutine(result) and self.window_.context is not None:
                self.window_.context.tasks.spawn(result, name=f"open {entry.module} record")
