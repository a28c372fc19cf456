"""Stop the sandbox when the process that started it is gone.

The console starts the sandbox as a child; if the console is killed (SIGKILL, a crash, Task
Manager), nothing would ever send the child its SIGTERM, and an orphaned server would keep the
port and the database. With `--parent-pid`, a watcher thread notices the parent's exit and asks
the server for the same clean shutdown that SIGTERM gives.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

POLL_SECONDS = 0.5


def process_alive(pid: int) -> bool:
    """True while process `pid` runs (on POSIX, a reparented child also means the parent died)."""
    if os.name == "nt":
        import ctypes

        synchronize, wait_timeout = 0x00100000, 0x102
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(synchronize, False, pid)
        if not handle:
            return False
        try:
            return kernel32.WaitForSingleObject(handle, 0) == wait_timeout
        finally:
            kernel32.CloseHandle(handle)
    if os.getppid() != pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_parent(pid: int, on_parent_exit: Callable[[], None]) -> threading.Thread:
    """Call `on_parent_exit()` once, from a daemon thread, as soon as `pid` has exited."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(POLL_SECONDS):
            if not process_alive(pid):
                on_parent_exit()
                return

    thread = threading.Thread(target=watch, name="sandbox-parent-watch", daemon=True)
    thread.start()
    return thread
