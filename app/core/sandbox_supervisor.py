"""The local sandbox child of a run: started, adopted, watched, stopped; its death reported once.

Starting and stopping the child block for a second or so, so they run in the executor the caller
hands in (the console's worker thread), never on the event loop. While a child is adopted a light
task polls its exit status; a child that exits without being asked to (crash, kill) is reported
to `on_exit` with the end of its log, secrets masked, so the UI can say why and offer a restart.
Qt-free; `on_exit` is a plain callback, called on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from app.core import first_run
from app.core.keychain import SecretStore
from app.core.profiles import ProfileStore
from app.core.secret_masking import mask_secrets

T = TypeVar("T")

#: How often the adopted child's exit status is polled (a cheap `poll()`).
POLL_SECONDS = 0.5
#: How much of a crashed child's log is reported.
LOG_TAIL_CHARS = 600


@dataclass(frozen=True)
class SandboxExit:
    """The adopted child exited on its own: its exit code and the masked end of its log."""

    code: int
    log_tail: str


class SandboxSupervisor:
    """Owns at most one local sandbox child (`local`) and calls `on_exit` when it dies by itself."""

    def __init__(self, store: ProfileStore, secrets: SecretStore, executor: Executor, *,
                 start_options: dict[str, Any] | None = None,
                 on_exit: Callable[[SandboxExit], None] = lambda exit: None) -> None:
        self._store = store
        self._secrets = secrets
        self._executor = executor
        self._start_options = dict(start_options or {})
        self.local: first_run.LocalSandbox | None = None
        self._on_exit = on_exit
        self._watch: asyncio.Task | None = None

    async def _blocking(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, partial(call, *args, **kwargs))

    async def start_for_console(self, requested: str | None) -> first_run.LocalSandbox | None:
        """The start-up decision (first run, a sandbox profile, or None for a remote one); adopts the child."""
        local = await self._blocking(first_run.start_for_console, self._store, self._secrets, requested,
                                     **self._start_options)
        if local is not None:
            self._adopt(local)
        return local

    async def start(self, name: str) -> first_run.LocalSandbox:
        """Start (or restart after a crash) the sandbox of profile `name` on a new port; adopts the child."""
        local = await self._blocking(first_run.restart_local_sandbox, self._store, self._secrets, name,
                                     **self._start_options)
        self._adopt(local)
        return local

    async def stop(self) -> None:
        """Stop the adopted child on purpose (not reported as a crash); nothing to do without one."""
        local, self.local = self.local, None
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if local is not None:
            await self._blocking(local.process.stop)

    def _adopt(self, local: first_run.LocalSandbox) -> None:
        self.local = local
        self._watch = asyncio.ensure_future(self._watch_exit(local))

    async def _watch_exit(self, local: first_run.LocalSandbox) -> None:
        while (code := local.process.process.poll()) is None:
            await asyncio.sleep(POLL_SECONDS)
        tail = await self._blocking(read_tail, local.process.stderr_path, LOG_TAIL_CHARS)
        if self.local is local:
            self._watch = None
            self._on_exit(SandboxExit(code, mask_secrets(tail)))


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
