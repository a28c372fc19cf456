"""Notices when the local sandbox child exits on its own, so the console can say so and offer a restart."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.sandbox_process import SandboxProcess

_POLL_MS = 500


class SandboxWatch(QObject):
    """Polls the child's exit status (a cheap `poll()`); emits `sig_exited(code)` once."""

    sig_exited = Signal(int)
    """The child exited without being asked to (crash, kill): its exit code."""

    def __init__(self, process: SandboxProcess, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process = process
        self._timer = QTimer(self)
        self._timer.setInterval(_POLL_MS)
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def _check(self) -> None:
        code = self.process.process.poll()
        if code is not None:
            self._timer.stop()
            self.sig_exited.emit(code)

    def stop_watching(self) -> None:
        """The console is stopping the child on purpose: that is not a crash."""
        self._timer.stop()


def read_tail(path: Path, limit: int) -> str:
    """The last `limit` characters of a UTF-8 text file ('' when it cannot be read).

    Only the end is read, however long the child's log has grown; blocking: call it in a worker thread.
    """
    try:
        with path.open("rb") as file:
            size = file.seek(0, os.SEEK_END)
            # Up to 4 bytes per character; a cut through a character is decoded as a replacement.
            file.seek(max(0, size - 4 * limit))
            return file.read().decode("utf-8", errors="replace")[-limit:]
    except OSError:
        return ""
