"""The ticket list's views: filters, saved views, the SLA sort and the live countdown."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from app.api import AdminClient, ApiKeyAuth
from app.api.auth import UserLoginAuth
from app.api.models import Ticket
from app.data.connection import Connection
from app.data.tickets import TicketStore
from app.ui.panels.tickets.sla import first_response_remaining
from app.ui.panels.tickets.ticket_columns import breached_colour
from app.ui.panels.tickets.ticket_list import TicketList
from tests.ui.test_tickets_panel import (  # noqa: F401 (owner_key is a fixture)
    close_panel,
    create_ticket,
    go_to,
    make_panel,
    owner_key,
    press,
)
from tests.waiting import wait_until

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def ticket(n: int, due_in: timedelta | None, **fields) -> Ticket:
    return Ticket.model_validate({
        "id": f"ticket_{n}", "subject": f"Ticket {n}", "status": "open", "priority": "normal",
        "first_response_due_at": (T0 + due_in).isoformat().replace("+00:00", "Z") if due_in is not None else None,
        "first_responded_at": None, "version": 1, "created_at": "2026-11-23T10:00:00Z",
        "updated_at": "2026-11-23T10:00:00Z", **fields})


def offline_store() -> TicketStore:
    """A ticket store without a server or a cache: what it holds is what the test gives it."""
    return TicketStore(None, None, Connection(None))


def test_countdown_ticks_and_turns_red_and_negative_once_breached(qtbot, run_async):
    now = [T0]
    store = offline_store()
    tickets = TicketList(store, clock=lambda: now[0])
    qtbot.addWidget(tickets)
    tickets.show()
    run_async(store.remember([ticket(1, timedelta(seconds=90)), ticket(2, timedelta(hours=3)), ticket(3, None),
                              ticket(4, timedelta(minutes=-5), first_responded_at="2026-11-23T11:00:00Z")],
                             replace=True))
    model, column = tickets.model, tickets.sla_column

    def cell(ticket_id: str, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(model.row_of_id(ticket_id), column), role)

    # Sorted by next breach: the soonest first, tickets without a running clock last.
    assert [r.id for r in model.rows][:2] == ["ticket_1", "ticket_2"]
    assert cell("ticket_1") == "due in 1 min" and cell("ticket_1", Qt.ItemDataRole.ForegroundRole) is None
    assert cell("ticket_3") == "" and cell("ticket_4") == "", "no clock without a target or once answered"

    repainted = []
    model.dataChanged.connect(lambda top, bottom, roles: repainted.append((top.column(), bottom.column())))
    now[0] = T0 + timedelta(minutes=3)
    with qtbot.waitSignal(tickets.countdown_timer.timeout, timeout=3000):
        pass
    assert repainted and all(columns == (column, column) for columns in repainted), "only the countdown repaints"
    assert cell("ticket_1") == "1 min overdue"
    assert cell("ticket_1", Qt.ItemDataRole.ForegroundRole).color().name() == breached_colour()
    assert cell("ticket_2") == "due in 2 h 57 min"


def test_filters_and_saved_views(qtbot, run_async, sandbox, sandbox_credentials, owner_key, tmp_path):  # noqa: F811
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        agent = sandbox_credentials["test"]["agent_user"]
        agent_auth = UserLoginAuth(email=agent["email"], password=agent["password"])
        panel = await make_panel(qtbot, sandbox.url, agent_auth, tmp_path)
        try:
            me = (await panel.context.client.me.get()).id
            tag = uuid.uuid4().hex[:6]
            mine = await admin.tickets.create({"subject": f"Mine {tag}", "assignee_id": me})
            urgent = await admin.tickets.create({"subject": f"Urgent {tag}", "priority": "urgent"})
            await panel.activate()
            table = panel.tickets
            now = datetime.now(UTC)

            def shown():
                return list(table.model.rows)

            async def answered(counted: dict) -> None:
                """The server's page is shown, and the summary is the server's own count."""
                await table.paging.settled()
                assert table.paging.from_server
                total = (await admin.tickets.count(**counted)).total
                assert table.summary.text() == f"{len(shown())} shown of {total:,}"

            table.choose_view("my_open")
            await answered({"assignee_id": me, "state": "open"})
            assert mine.id in {t.id for t in shown()}
            assert all(t.assignee_id == me and t.status not in ("resolved", "closed") for t in shown())

            table.choose_view("unassigned_urgent")
            await answered({"assigned": False, "priority": "urgent", "state": "open"})
            assert urgent.id in {t.id for t in shown()}
            assert all(t.priority == "urgent" and not t.assignee_id for t in shown())

            table.choose_view("breaching_sla")
            await answered({"breaching_sla": True})
            rows = shown()
            assert rows, "the demo data has tickets past their first-response target"
            left = [first_response_remaining(t, now) for t in rows]
            assert all(x is not None and x.total_seconds() < 0 for x in left), "overdue, as the server counts"
            assert left == sorted(left), "sorted by next SLA breach"
            first_cell = table.model.data(table.model.index(0, table.sla_column))
            assert first_cell.endswith(" overdue"), "the most overdue ticket is on top, saying how overdue"

            table.choose_view("all")
            table.status_combo.setCurrentIndex(table.status_combo.findData("pending"))
            await answered({"status": "pending"})
            assert shown() and all(t.status == "pending" for t in shown())
            table.status_combo.setCurrentIndex(0)
            table.priority_combo.setCurrentIndex(table.priority_combo.findData("urgent"))
            await answered({"priority": "urgent"})
            assert urgent.id in {t.id for t in shown()} and all(t.priority == "urgent" for t in shown())
            table.priority_combo.setCurrentIndex(0)
            table.assignee_combo.setCurrentIndex(table.assignee_combo.findData(me))
            await answered({"assignee_id": me})
            assert shown() and all(t.assignee_id == me for t in shown())
        finally:
            await close_panel(panel)
            await admin.aclose()

    run_async(scenario(), 60)


def test_search_jump_to_a_ticket_and_read_only_credential(qtbot, run_async, sandbox, sandbox_credentials,
                                                          owner_key, tmp_path):  # noqa: F811
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        subject = f"Quokka {uuid.uuid4().hex[:6]}"
        target = await admin.tickets.create({"subject": subject})
        # No scopes handed in: the panel learns them from /me.
        panel = await make_panel(qtbot, sandbox.url, sandbox_credentials["test"]["readonly_key"], tmp_path,
                                 scopes=frozenset())
        try:
            await panel.activate()
            qtbot.keyClicks(panel.tickets.search, subject.lower())
            assert [t.id for t in panel.tickets.model.rows] == [target.id], "typed text filters the list"
            panel.tickets.search.clear()

            panel.tickets.choose_view("unassigned_urgent")  # hides the target
            await panel.open_record(target.id)
            assert panel.tickets.current_ticket().id == target.id, "the jump clears hiding filters"
            await wait_until(lambda: panel.snapshot is not None and panel.snapshot.ticket_id == target.id, 10)

            # support:read only: everything is visible, nothing can be changed or sent.
            assert not panel.detail.status.isEnabled() and not panel.detail.resolve.isEnabled()
            assert not panel.new_button.isEnabled()
            panel.detail.open_composer("reply")
            assert not panel.detail.reply_composer.send.isEnabled()
            assert "support:write" in panel.detail.reply_composer.send.toolTip()
        finally:
            await close_panel(panel)
            await admin.aclose()

    run_async(scenario(), 60)


def test_the_list_picks_up_new_and_changed_tickets_and_reconnects(
        qtbot, run_async, sandbox, owner_key, tmp_path):  # noqa: F811
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path)
        try:
            await panel.activate()
            assert panel.poll_timer.isActive(), "the list refreshes itself while shown"
            open_ticket = panel.tickets.current_ticket()
            existing = open_ticket.id
            priority = "low" if open_ticket.priority != "low" else "high"  # a real change
            await wait_until(lambda: panel.snapshot is not None and panel.snapshot.ticket_id == existing, 10)
            arrived = await admin.tickets.create({"subject": f"Walk-in {uuid.uuid4().hex[:6]}"})
            await admin.tickets.update(existing, {"priority": priority})
            panel.poll_timer.timeout.emit()
            await wait_until(lambda: any(t.id == arrived.id for t in panel.tickets.all_tickets), 10,
                             "a new ticket never appeared")
            changed = next(t for t in panel.tickets.all_tickets if t.id == existing)
            assert changed.priority == priority
            assert panel.detail.priority.currentData() == priority, "the open ticket shows the change too"
            await wait_until(lambda: not panel.is_polling, 10)

            panel.stores.connection.mark_offline("a request failed a moment ago")
            assert panel.offline and not panel.new_button.isEnabled()
            await panel.poll()
            assert not panel.offline, "the next poll brings the panel back online"
            assert panel.new_button.isEnabled() and not panel.banner.isVisible()
            assert not panel.offline_banner.isVisible(), "the offline strip goes with the state that raised it"
        finally:
            await close_panel(panel)
            await admin.aclose()

    run_async(scenario(), 60)


def test_a_late_answer_never_overwrites_a_newer_version(qtbot, run_async):
    store = offline_store()
    tickets = TicketList(store, clock=lambda: T0)
    qtbot.addWidget(tickets)
    run_async(store.remember([ticket(1, None, version=1)], replace=True))
    run_async(store.remember([ticket(1, None, version=3, status="pending")]))  # our write landed
    run_async(store.remember([ticket(1, None, version=2, status="open")]))  # a poll that left before it answers late
    run_async(store.remember([ticket(1, None, version=2, status="open"), ticket(2, None)], replace=True))  # a refresh
    shown = {t.id: t for t in tickets.all_tickets}
    assert (shown["ticket_1"].version, shown["ticket_1"].status) == (3, "pending")
    assert tickets.model.data(tickets.model.index(tickets.model.row_of_id("ticket_1"), tickets.status_column)) == "Pending"


def test_queue_counts_and_the_list_summary_are_the_servers_and_follow_changes(
        qtbot, run_async, sandbox, owner_key, tmp_path):  # noqa: F811
    """Defect 5: "All queues (123)" stood beside "200 of 200 tickets" with nothing saying what either
    counted. Now both are the server's counts, and both move as soon as a ticket changes here."""
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        ours = await create_ticket(admin, f"Counted {uuid.uuid4().hex[:6]}")
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path)
        try:
            await panel.activate()

            async def agree() -> int:
                by_queue = await admin.tickets.count(state="open", group_by="queue_id")
                assert panel.queues.item(0).text() == f"All queues  ({by_queue.total:,} open)"
                assert panel.queues.count_of(None) == by_queue.total
                for group in by_queue.groups:
                    if group.value is not None:  # (None in the queue list means every queue)
                        assert panel.queues.count_of(group.value) == group.count
                total = (await admin.tickets.count(**panel.tickets.filter.server_filters())).total
                assert panel.tickets.summary.text() == f"{panel.tickets.model.rowCount()} shown of {total:,}"
                return by_queue.total

            still_open = await agree()
            queue = next(q for q in panel.stores.tickets.queues if panel.queues.count_of(q.id))
            panel.queues.choose(queue.id)
            await panel.tickets.paging.settled()
            await agree()
            panel.queues.choose(None)
            await panel.tickets.paging.settled()

            # Resolving a ticket (e) takes it out of the open counts at once, before any poll.
            await go_to(panel, ours["id"])
            press(panel, "e")
            await wait_until(lambda: panel.queues.count_of(None) == still_open - 1, 10, "the count did not follow")
            assert await agree() == still_open - 1

            # A ticket a colleague creates arrives with the next poll, in both counts.
            await admin.tickets.create({"subject": f"Walk-in {uuid.uuid4().hex[:6]}"})
            await panel.poll()
            assert await agree() == still_open
        finally:
            await close_panel(panel)
            await admin.aclose()

    run_async(scenario(), 60)
