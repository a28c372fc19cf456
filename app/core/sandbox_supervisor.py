"""The local sandbox a console uses: found or started, watched, released, stopped; its death reported once.

The sandbox outlives the console (started detached, see `sandbox_process`): at shutdown or when
the operator switches to a remote profile the console only *releases* it, for the next start and
the other profiles on it; it stops on the operator's "Stop local sandbox", when the data it serves
is deleted, or by its own idle shutdown, which the watch keeps at bay while the console is open
(a cheap ping now and then). Finding and starting block, so they run in the executor the caller
hands in (the console's worker thread), never on the event loop. A sandbox that dies without being
asked to (crash, kill) is reported to `on_exit` with the end of its log, secrets masked, so the UI
can say why and offer a restart. Qt-free; `on_exit` is a plain callback, called on the loop's thread.
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
from app.core.sandbox_process import DEFAULT_IDLE_MINUTES, SandboxProcess
from app.core.secret_masking import mask_secrets

T = TypeVar("T")

#: How often the watched sandbox's life is checked (a `poll()` or a signal 0: cheap).
POLL_SECONDS = 0.5
#: The longest gap between two pings that keep an open console's sandbox from idling away.
KEEPALIVE_SECONDS = 60.0
#: How much of a crashed sandbox's log is reported.
LOG_TAIL_CHARS = 600


@dataclass(frozen=True)
class SandboxExit:
    """The watched sandbox exited on its own: its exit code (None when another process started it) and the
    masked end of its log."""

    code: int | None
    log_tail: str


class SandboxSupervisor:
    """Watches the local sandbox the console uses (`local`) and calls `on_exit` when it dies by itself."""

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
        """The start-up decision (first run, a sandbox profile, or None for a remote one); watches the sandbox."""
        local = await self._blocking(first_run.start_for_console, self._store, self._secrets, requested,
                                     **self._start_options)
        if local is not None:
            self._adopt(local)
        return local

    async def start(self, name: str) -> first_run.LocalSandbox:
        """The sandbox of profile `name`: the running one, else a new one (after a crash); watches it."""
        local = await self._blocking(first_run.open_local_sandbox, self._store, self._secrets, name,
                                     **self._start_options)
        self._adopt(local)
        return local

    def release(self) -> None:
        """Stop watching the sandbox; it keeps running for the next console and the other profiles on it."""
        self.local = None
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    async def stop(self, data_dir: str | os.PathLike[str] | None = None) -> bool:
        """Stop, on purpose (not reported as a crash), the sandbox serving `data_dir` (default: the watched
        one's), whichever console started it; False when none runs there."""
        local = self.local
        if data_dir is None and local is None:
            return False
        directory = Path(data_dir) if data_dir is not None else local.process.data_dir
        watched = local is not None and Path(local.process.data_dir).resolve() == directory.resolve()
        process = local.process if watched else await self._blocking(SandboxProcess.find, directory)
        if watched:
            self.release()
        if process is None or not process.running():
            return False
        await self._blocking(process.stop)
        return True

    def _adopt(self, local: first_run.LocalSandbox) -> None:
        self.release()
        self.local = local
        self._watch = asyncio.ensure_future(self._watch_exit(local))

    async def _watch_exit(self, local: first_run.LocalSandbox) -> None:
        process = local.process
        # Ping well inside the sandbox's idle limit, so an open console never sees it idle away.
        idle_seconds = 60 * (process.idle_minutes or DEFAULT_IDLE_MINUTES)
        keepalive_every = max(1, round(min(KEEPALIVE_SECONDS, idle_seconds / 3) / POLL_SECONDS))
        polls = 0
        while process.running():
            await asyncio.sleep(POLL_SECONDS)
            polls += 1
            if polls % keepalive_every == 0:
                await self._blocking(process.answers)
        code = process.process.poll() if process.process is not None else None
        tail = await self._blocking(read_tail, process.stderr_path, LOG_TAIL_CHARS)
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
