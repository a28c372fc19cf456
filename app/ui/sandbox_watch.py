"""Notices when the local sandbox child exits on its own, so the console can say so and offer a restart."""

from __future__ import annotations

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

    def stderr_tail(self, limit: int = 600) -> str:
        """The end of the child's log, for the crash notice's tooltip."""
        try:
            return self.process.stderr_path.read_text(errors="replace")[-limit:]
        except OSError:
            return ""
