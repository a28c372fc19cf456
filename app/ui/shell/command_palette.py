"""The command palette (Ctrl+K / Cmd+K): jump to a module, run an action, find a cached record.

Module names and actions ("New contact", "Record payment", "Rotate key", "Open profile …") match
as you type; records come from the profile's page cache (full-text search over what the console
has seen), so it works offline and never waits on the network. Each record hit carries its id
and says which field matched. Choosing a record opens its module and, when the panel offers
`open_record(id)`, the record itself; choosing an action opens its module and calls the panel's
method for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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

#: Which cached resources are searched, the module that opens them, the field that names a
#: record, and the fields a match may be in (in the order they are reported).
SEARCHED = (
    ("contacts", "contacts", "name", ("name", "email", "phone", "company_name", "tags", "id")),
    ("tickets", "tickets", "subject", ("subject", "id", "status", "tags")),
)


@dataclass(frozen=True)
class PaletteAction:
    """Something to do: open `module` and call its panel's `method` (no arguments)."""

    label: str
    module: str
    method: str
    keywords: str = ""


ACTIONS = (
    PaletteAction("New contact", "contacts", "start_new", "create add person"),
    PaletteAction("Export contacts as CSV", "contacts", "ask_export", "download csv"),
    PaletteAction("New ticket", "tickets", "start_new", "create support case"),
    PaletteAction("New invoice draft", "invoices", "start_new", "create bill"),
    PaletteAction("Record payment on the open invoice", "invoices", "start_payment", "pay money"),
    PaletteAction("New webhook endpoint", "webhooks", "start_new", "create hook url"),
    PaletteAction("New API key", "api_keys", "start_new", "create key token"),
    PaletteAction("Rotate the selected API key", "api_keys", "rotate_selected", "rotate key secret"),
)
_RESULTS_PER_RESOURCE = 8
_DEBOUNCE_MS = 120


@dataclass(frozen=True)
class PaletteEntry:
    """One line of the palette: a module to open, or a record within a module."""

    module: str
    record_id: str | None
    label: str
    #: For an action: the panel method to call; for "Open profile": the profile's name.
    method: str | None = None
    profile: str | None = None


class CommandPalette(QDialog):
    """A small popup over the main window; `popup()` shows it with an empty query."""

    def __init__(self, window, parent: QWidget | None = None, *,
                 profiles: Callable[[], list[str]] = list,
                 open_profile: Callable[[str], None] = lambda name: None) -> None:
        super().__init__(parent or window, Qt.WindowType.Popup)
        self.setObjectName("palette")
        self.window_ = window
        self._profiles = profiles
        self._open_profile = open_profile
        self.input = QLineEdit(self)
        self.input.setObjectName("palette.input")
        self.input.setPlaceholderText("Go to a module, run an action, or search cached contacts and tickets…")
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
        if wanted:
            self._show_actions(wanted)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _show_actions(self, wanted: str) -> None:
        words = wanted.split()
        for action in ACTIONS:
            haystack = f"{action.label} {action.keywords}".casefold()
            if not all(word in haystack for word in words):
                continue
            reason = self.window_.disabled_reason(action.module)
            self._add(PaletteEntry(action.module, None, action.label, method=action.method), action.module,
                      enabled=reason is None, tooltip=reason)
        for name in self._profiles():
            if all(word in f"open profile switch {name}".casefold() for word in words):
                self._add(PaletteEntry("", None, f"Open profile “{name}”", profile=name), "app")

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
            for resource, module, title, fields in SEARCHED:
                ids = page_cache.search(resource, text, _RESULTS_PER_RESOURCE)
                hits.append((module, title, fields, page_cache.get_records(resource, ids)))
            return hits

        for module, title, fields, records in await cache.run(lookup):
            if self.window_.disabled_reason(module):
                continue
            for record in records:
                found.append(PaletteEntry(module, record.get("id"), hit_label(record, title, fields, text)))
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
        """Open the entry's module, and its record where the panel can show one (or run its action)."""
        self.close()
        if entry.profile is not None:
            self._open_profile(entry.profile)
            return
        page = self.window_.open_module(entry.module)
        if entry.method:
            action = getattr(page, entry.method, None)
            if action is None:
                log.warning("the %s panel offers no %s()", entry.module, entry.method)
                return
            result = action()
            if asyncio.iscoroutine(result) and self.window_.context is not None:
                self.window_.context.tasks.spawn(result, name=f"{entry.module} {entry.method}")
            return
        if entry.record_id and hasattr(page, "open_record"):
            result = page.open_record(entry.record_id)
            if asyncio.iscoroutine(result) and self.window_.context is not None:
                self.window_.context.tasks.spawn(result, name=f"open {entry.module} record")


def hit_label(record: Mapping[str, Any], title: str, fields: tuple[str, ...], text: str) -> str:
    """"Ada Lovelace · cnt_01H… — matched email: ada@example.com": the record, its id, why it matched."""
    name = record.get(title) or record.get("id") or ""
    label = f"{name}  ·  {record.get('id')}"
    field, value = matched_field(record, fields, text)
    if field is not None and field != title:
        label += f"  —  matched {field.replace('_', ' ')}: {value}"
    return label


def matched_field(record: Mapping[str, Any], fields: tuple[str, ...], text: str) -> tuple[str | None, str]:
    """The first of `fields` holding a word that starts with one of `text`'s words."""
    words = [word.casefold() for word in text.split() if word]
    for field in fields:
        value = record.get(field)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None:
                continue
            shown = str(item)
            tokens = shown.casefold().replace("@", " ").replace(".", " ").replace("-", " ").split()
            if any(token.startswith(word) for word in words for token in tokens + [shown.casefold()]):
                return field, shown
    return None, ""
