"""A contacts text search may scan the whole workspace: it must not stall the server meanwhile.

The test hook `X-Test-Hold: search` keeps the search's database work busy for a few seconds (as
a long scan would); if that work ran on the event loop, no other request could be answered until
it finished.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from tests.sandbox.conftest import own_sandbox, wait_for

HOLD_SECONDS = 6


def test_other_requests_are_answered_while_a_search_runs(tmp_path: Path) -> None:
    env = {"OPSDESK_SANDBOX_TEST_HOOKS": "1", "OPSDESK_SANDBOX_TEST_HOLD_SECONDS": str(HOLD_SECONDS)}
    with own_sandbox(tmp_path, seed_size=200, env=env) as (process, owner, _):
        name = owner.get("contacts", params={"limit": 1}).json()["data"][0]["name"]
        search: dict[str, httpx.Response] = {}

        def run_search() -> None:
            search["response"] = owner.get("contacts", params={"query": name, "limit": 100},
                                           headers={"X-Test-Hold": "search"})

        searcher = threading.Thread(target=run_search)
        searcher.start()
        try:
            wait_for(lambda: "test hold: search" in process.stderr_path.read_text(errors="replace"),
                     timeout=10, message="the search never started")
            started = time.monotonic()
            me = owner.get("me")
            answered_in = time.monotonic() - started
            assert me.status_code == 200
            assert "response" not in search, "the search finished before the other request was answered"
            assert answered_in < HOLD_SECONDS / 2, f"/me waited {answered_in:.1f} s behind the search"
        finally:
            searcher.join(HOLD_SECONDS + 30)
        found = search["response"]
        assert found.status_code == 200, found.text
        assert name in [c["name"] for c in found.json()["data"]]
