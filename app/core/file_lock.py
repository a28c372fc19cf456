"""An exclusive lock on a file, between processes: two consoles starting at once start one sandbox.

The OS drops the lock when its holder dies, so a crashed console never leaves it held. Blocking:
call it from a worker thread.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

#: How often a waiting process tries the lock again.
RETRY_SECONDS = 0.02


@contextlib.contextmanager
def exclusive_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold the lock on `path` (created if missing) for the `with` block; TimeoutError after `timeout`."""
    with open(path, "a+b") as file:
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        while not _try_lock(file):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} stayed locked for {timeout:.0f} s by another process")
            pause.wait(RETRY_SECONDS)
        try:
            yield
        finally:
            _unlock(file)


if os.name == "nt":
    import msvcrt

    def _try_lock(file) -> bool:
        file.seek(0)
        try:
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(file) -> None:
        file.seek(0)
        msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(file) -> bool:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(file) -> None:
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)
