"""Test-only hooks, active only when the process runs with OPSDESK_SANDBOX_TEST_HOOKS=1 (the console
never sets it): ways for tests to make a request slow on purpose, so they can check what happens
to other requests meanwhile without guessing at timings.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger("app.sandbox")


def hooks_enabled() -> bool:
    """Whether this process honours `X-Test-Hold` headers."""
    return os.environ.get("OPSDESK_SANDBOX_TEST_HOOKS") == "1"


def hold_seconds() -> float:
    """How long a hold lasts at most (OPSDESK_SANDBOX_TEST_HOLD_SECONDS, default 10)."""
    return float(os.environ.get("OPSDESK_SANDBOX_TEST_HOLD_SECONDS", "10"))


def hold_for_test(name: str) -> None:
    """Block the calling thread for `hold_seconds()`, announcing `test hold: <name>` on stderr first."""
    log.info("test hold: %s", name)
    threading.Event().wait(hold_seconds())
