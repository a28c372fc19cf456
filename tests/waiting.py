"""Waiting on conditions instead of sleeping: poll with a deadline, fail with a message."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, message: str = "") -> None:
    """Await `predicate()` while the running loop (asyncio or qasync) keeps serving events."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(message or f"condition not met within {timeout} s")
        await asyncio.sleep(0.01)


def wait_until_sync(predicate: Callable[[], bool], timeout: float = 10.0, message: str = "") -> None:
    """The blocking twin, for tests that watch another process (a server, a child)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout} s")
        pause.wait(0.02)
