"""The status bar's word when the background sync of contacts and tickets finishes."""

from __future__ import annotations

from app.ui.session_status import synced_text
from tests.ui.shell_harness import (  # noqa: F401  (the console fixture)
    add_profile,
    console_factory_fixture,
    wait_for_rows,
)
from tests.waiting import wait_until


def test_the_first_sync_says_how_many_records_it_cached(console_factory, run_async, sandbox, sandbox_credentials):
    async def scenario():
        console = console_factory()
        add_profile(console, "Demo", sandbox.url, sandbox_credentials["test"]["owner_key"])
        assert await console.start()
        await wait_for_rows(console.window)
        await wait_until(lambda: console.session.sync_task is not None, 20, "the record sync never started")
        await console.session.sync_task
        cached = console.window.status.currentMessage()
        assert cached.startswith("Cached ") and cached.endswith(" records for search and offline use."), cached
        assert int(cached.split()[1].replace(",", "")) > 0

    run_async(scenario(), timeout=120)


def test_a_sync_with_nothing_new_does_not_read_as_an_empty_cache():
    assert synced_text(0) == "Nothing new to cache for search and offline use."
    assert synced_text(1) == "Cached 1 record for search and offline use."
    assert synced_text(1234) == "Cached 1,234 records for search and offline use."
