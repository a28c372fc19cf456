"""Qt + qasync fixtures for UI tests (offscreen).

pytest-qt has no qasync support, so each test that needs async gets its own `qasync.QEventLoop`
and tears it down the way NOTES.md measured as crash-free: cancel and gather pending tasks, shut
down async generators, close the loop, then kill the Qt timers the closed loop leaves behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import qasync

T = TypeVar("T")


@pytest.fixture
def qloop(qapp) -> qasync.QEventLoop:
    """A qasync event loop over the test's QApplication, set as the current asyncio loop."""
    loop = qasync.QEventLoop(qapp, already_running=False)
    # qasync's own default executor (QThreadExecutor) has a crash record with PySide6 >= 6.8
    # (NOTES.md): `run_in_executor(None, …)` in tests gets a standard-library pool instead.
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-loop-default")
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    yield loop
    try:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
        _kill_leftover_timers(loop)
        asyncio.set_event_loop(None)
        executor.shutdown(wait=True, cancel_futures=True)


def _kill_leftover_timers(loop: qasync.QEventLoop) -> None:
    timer = getattr(loop, "_timer", None)
    callbacks = getattr(timer, "_SimpleTimer__callbacks", None)
    if timer is None or callbacks is None:
        return
    for timer_id in list(callbacks):
        timer.killTimer(timer_id)
    callbacks.clear()


@pytest.fixture
def run_async(qloop) -> Callable[..., Any]:
    """`run_async(coro, timeout=30)`: drive a scenario on the qasync loop until it finishes."""

    def run(awaitable: Awaitable[T], timeout: float = 30.0) -> T:
        return qloop.run_until_complete(asyncio.wait_for(awaitable, timeout))

    return run


@pytest.fixture(autouse=True)
def own_ui_state(tmp_path, monkeypatch):
    """Each test's tables start from their first-run layout: the UI-state file is the test's own."""
    from PySide6.QtCore import QSettings

    from app.ui import ui_state

    path = str(tmp_path / "ui-state.ini")
    monkeypatch.setattr(ui_state, "ui_state_settings", lambda: QSettings(path, QSettings.Format.IniFormat))
