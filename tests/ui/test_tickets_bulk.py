"""Bulk changes in the ticket panel: 50 tickets, some changed by a colleague (412) or closed
(illegal transition, 409) after or before the list loaded; each result is reported, failures stay selected."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from tests.ui.test_tickets_panel import close_panel, make_panel, owner_key  # noqa: F401 (fixture)
from tests.waiting import wait_until


def test_bulk_update_of_50_tickets_reports_each_and_keeps_failures_selected(qtbot, run_async, sandbox,
                                                                            owner_key, tmp_path):  # noqa: F811
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        tag = uuid.uuid4().hex[:6]
        queue = await admin.queues.create({"key": f"bulk{tag}", "name": f"Bulk {tag}",
                                           "first_response_target_minutes": 120})
        tickets = [await admin.tickets.create({"subject": f"Bulk {tag} #{n}", "queue_id": queue.id,
                                               "priority": "normal"}) for n in range(50)]
        closed = [t.id for t in tickets[:3]]  # closed is final: "pending" is illegal for them (409)
        for ticket_id in closed:
            await admin.tickets.update(ticket_id, {"status": "closed"})
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path)
        try:
            await panel.activate()
            # The agent picks the queue, then selects every ticket in it.
            panel.queues.choose(queue.id)
            assert panel.tickets.model.rowCount() == 50
            assert panel.queues.count_of(queue.id) == 47, "the queue counts its open tickets"
            panel.tickets.table.setFocus()
            QTest.keyClick(panel.tickets.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            assert len(panel.tickets.selected_tickets()) == 50
            assert panel.bulk.isVisible() and panel.bulk.count_label.text() == "50 selected"

            # Meanwhile a colleague edits five of them: our versions are stale now (412).
            stale = [t.id for t in tickets[10:15]]
            await asyncio.gather(*(admin.tickets.update(ticket_id, {"priority": "high"}) for ticket_id in stale))

            panel.bulk.choose("status", "pending")
            qtbot.mouseClick(panel.bulk.apply, Qt.MouseButton.LeftButton)
            await wait_until(lambda: panel.bulk.progress.value() == 50 and panel.bulk.apply.isEnabled(), 60,
                             "the bulk change never finished")
            assert panel.bulk.results.rowCount() == 50, "one result per ticket"
            for ticket_id in stale:
                assert "Changed by someone else" in panel.bulk.result_text(ticket_id)
            for ticket_id in closed:
                assert "Not possible from its current state" in panel.bulk.result_text(ticket_id)
            assert panel.bulk.outcome.text().startswith("42 updated, 8 failed")
            selected = {t.id for t in panel.tickets.selected_tickets()}
            assert selected == set(stale) | set(closed), "exactly the failures stay selected"
            assert panel.bulk.isVisible()
            if os.environ.get("OPSDESK_SCREENSHOTS"):  # the bulk results, for a person to look at
                panel.grab().save(str(Path(os.environ["OPSDESK_SCREENSHOTS"]) / "tickets-bulk-light.png"))

            on_server = {t.id: t async for t in admin.tickets.iterate(queue_id=queue.id, limit=100)}
            assert sum(t.status == "pending" for t in on_server.values()) == 42
            assert all(on_server[i].status == "open" or on_server[i].status == "new" for i in stale), \
                "the colleague's tickets were not overwritten"
            assert all(on_server[i].priority == "high" for i in stale)
            shown = {t.id: t for t in panel.tickets.all_tickets}
            assert all(shown[i].status == "pending" for i in on_server if i not in selected)
            assert all(shown[i].priority == "high" for i in stale), "the colleague's version is shown after a 412"
            assert panel.bulk.results.item(0, 1).text().startswith("✗"), "failures are listed first"
            assert panel.tickets.current_ticket().id in selected, "the first failure is opened"
        finally:
            await close_panel(panel)
            await admin.aclose()

    run_async(scenario(), 120)
