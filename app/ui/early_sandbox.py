"""The local sandbox of the profile about to open, found or started from the first paint on.

A console on a local sandbox profile needs its server before it can show live rows. Finding it
(state file, lock, one HTTP check) takes milliseconds; starting a new one takes the child's whole
start-up (about half a second). Both are blocking work with the GIL released almost throughout,
so the launcher hands them to a thread as soon as the cached rows are painted: the child boots on
the other core while this process imports its client and panels.

`EarlySandbox.start` is a starter for `app.core.first_run` (passed in the console's sandbox
options): the first call for the same data dir and the console's own arguments takes the early
result, failure included (it is not tried twice); every other call (another profile, a restart
after a crash) finds or starts as usual.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

#: The arguments the console's start-up passes to its starter (`first_run.open_local_sandbox`).
CONSOLE_START_OPTIONS = {"port": 0}


class EarlySandbox:
    """A find-or-start of the sandbox on `data_dir`, begun now in a thread of its own."""

    def __init__(self, data_dir: str | Path) -> None:
        self.data_dir = Path(data_dir).resolve()
        self._result: Future = Future()
        self._taken = False
        self._lock = threading.Lock()
        threading.Thread(target=self._find_or_start, name="opsdesk-early-sandbox", daemon=True).start()

    def _find_or_start(self) -> None:
        from app.core.sandbox_process import SandboxProcess

        try:
            self._result.set_result(SandboxProcess.find_or_start(self.data_dir, **CONSOLE_START_OPTIONS))
        except Exception as error:  # noqa: BLE001  (handed to the console's own start, which reports it)
            self._result.set_exception(error)

    def found(self) -> Any:
        """The early sandbox, waited for (blocking; raises what finding or starting it raised).

        For a look before the console takes it (the early first page needs its URL); not a take."""
        return self._result.result()

    def start(self, data_dir: str | Path, **options: Any) -> Any:
        """Starter: the early sandbox (once, for its data dir and the console's arguments), else find or start."""
        from app.core.sandbox_process import SandboxProcess

        with self._lock:
            early = not self._taken and options == CONSOLE_START_OPTIONS and Path(data_dir).resolve() == self.data_dir
            self._taken = self._taken or early
        if early:
            return self._result.result()
        return SandboxProcess.find_or_start(data_dir, **options)
