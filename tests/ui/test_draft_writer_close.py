"""Closing the console keeps the draft typed last: the tickets panel's shutdown saves what is still in
the debounce and waits for every queued draft write before the session closes the drafts file (the
loop keeps running meanwhile); a write stuck on the disk holds closing back only a bounded time."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from PySide6.QtTest import QTest

from app.core.drafts import DraftStore
from app.ui.panels.tickets import draft_writer
from app.ui.panels.tickets.draft_writer import DraftWriter
from tests.ui.test_tickets_offline_restart import saved_reply
from tests.ui.test_tickets_panel import create_ticket, go_to, owner_key, press  # noqa: F401
from tests.ui.test_tickets_reply_no_answer import panel_on
from tests.waiting import wait_until

TYPED_LAST = "One more thing: the CSV has no header row."


class SlowDisk(DraftStore):
    """A drafts file whose saves wait at `gate` (a disk that is slow right when the console closes)."""

    def __init__(self, path) -> None:
        super().__init__(path)
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()

    def save(self, key: str, text: str) -> None:
        self.waiting.set()
        self.gate.wait(10)
        super().save(key, text)


async def close_like_the_console(panel) -> None:
    """The console's order at quit: the panels' shutdown, then the session closes the drafts file."""
    shutdown = getattr(panel, "shutdown", None)
    if shutdown is not None:
        await shutdown()
    await panel.context.tasks.cancel_all()
    await panel.context.client.aclose()
    await panel.stores.outbox.close()
    await panel.context.cache.close()
    await asyncio.get_running_loop().run_in_executor(None, panel.context.drafts.close)
    panel.hide()


def test_a_draft_typed_just_before_closing_is_there_after_a_restart(
        qtbot, run_async, sandbox, owner_key, tmp_path):  # noqa: F811
    async def scenario():
        from app.api import AdminClient, ApiKeyAuth

        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        ticket = await create_ticket(admin, "CSV export has no header")
        panel = await panel_on(qtbot, sandbox.url, owner_key, tmp_path, None)
        slow = SlowDisk(tmp_path / "slow-drafts.sqlite")
        try:
            await panel.activate()
            await go_to(panel, ticket["id"])
            panel.tickets.table.setFocus()
            press(panel, "r")
            reply = panel.detail.reply_composer
            await wait_until(lambda: not reply.loading, 10, "the draft was never read")
            QTest.keyClicks(reply.editor, TYPED_LAST)  # and the console is closed at once, within the debounce
            await close_like_the_console(panel)
            saved = saved_reply(tmp_path, ticket["id"])
            assert saved is not None and saved.text == TYPED_LAST, "the last words typed are kept"

            # A write still queued behind a slow disk lands before closing goes on.
            writer = DraftWriter(slow)
            slow.gate.clear()
            writer.save("ticket:t1:reply", "first words")
            writer.save("ticket:t1:reply", TYPED_LAST)
            closing = asyncio.ensure_future(writer.aclose())
            await wait_until(lambda: slow.waiting.is_set(), 10, "the slow save never started")
            assert not closing.done(), "closing waits for the queued writes"
            slow.gate.set()
            assert await closing
            assert slow.load("ticket:t1:reply") == TYPED_LAST
        finally:
            slow.gate.set()
            slow.close()
            await admin.aclose()

    run_async(scenario(), 60)


def test_a_write_stuck_on_the_disk_holds_closing_back_only_a_bounded_time(tmp_path, monkeypatch):
    monkeypatch.setattr(draft_writer, "FLUSH_TIMEOUT_SECONDS", 0.2)
    slow = SlowDisk(tmp_path / "drafts.sqlite")
    slow.gate.clear()
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        writer = DraftWriter(slow)
        writer.save("ticket:t1:reply", "stuck")
        started = time.monotonic()
        assert writer.close() is False, "closing says the write did not land"
        assert time.monotonic() - started == pytest.approx(0.2, abs=0.5)
    finally:
        slow.gate.set()
        slow.close()
        asyncio.set_event_loop(None)
        loop.close()
