"""The CSV export strip of the contacts list: progress while it runs, a Cancel that leaves no file.

The rows come from the contact store (the list's current query, cached slices or server pages),
the file is written by `csv_export.export_contacts` off the UI thread; the strip shows only
while an export runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from app.ui.panels.contacts.csv_export import export_contacts


class ExportBar(QWidget):
    """Runs one export at a time through `spawn` (the panel's `run`) and reports how it ended."""

    sig_finished = Signal(str)
    """An export ended: "done", "cancelled" or "failed"."""

    def __init__(self, spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task],
                 notify: Callable[[str, str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spawn = spawn
        self._notify = notify
        self._task: asyncio.Task | None = None
        self.progress = QProgressBar(self)
        self.progress.setObjectName("contacts.export.progress")
        self.cancel_button = QPushButton("Cancel export", self)
        self.cancel_button.setObjectName("contacts.export.cancel")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.cancel_button)
        self.hide()

    def start(self, chunks: AsyncIterator[list[Mapping[str, Any]]], path: Path, total: Awaitable[int],
              open_ended: bool) -> asyncio.Task:
        """Write `chunks` to `path`; `total` rows expected (`open_ended`: more may follow)."""
        self._task = self._spawn(self._export(chunks, path, total, open_ended))
        return self._task

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _export(self, chunks: AsyncIterator[list[Mapping[str, Any]]], path: Path, expected: Awaitable[int],
                      open_ended: bool) -> None:
        try:
            total = await expected
        except asyncio.CancelledError:
            self.sig_finished.emit("cancelled")
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.setFormat(f"Exporting %v of {total}{'+' if open_ended else ''} contacts")
        self.show()

        def progress(rows: int) -> None:
            if rows > self.progress.maximum():
                self.progress.setMaximum(rows)
            self.progress.setValue(rows)

        outcome = "failed"
        try:
            rows = await export_contacts(chunks, path, progress)
            outcome = "done"
            self._notify(f"Exported {rows} contacts to {path}.", "success")
        except asyncio.CancelledError:
            outcome = "cancelled"
            self._notify("Export cancelled; no file was written.", "info")
        finally:
            self.hide()
            self.sig_finished.emit(outcome)
