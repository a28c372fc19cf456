"""The Qt-free rules behind the ticket panel: reply checks, SLA clock, filters, collision diff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.api.models import Comment, Message, Ticket
from app.data.ticket_conversation import ActivitySnapshot, new_activity
from app.data.ticket_query import UNASSIGNED, TicketQuery
from app.data.tickets import count_tickets
from app.ui.panels.tickets.reply_checks import check_reply
from app.ui.panels.tickets.sla import format_countdown, is_breached
from app.ui.panels.tickets.timeline import NOTE, build_timeline

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
WHEN = "2026-11-23T10:00:00Z"


def a_ticket(**fields) -> Ticket:
    return Ticket.model_validate({"id": "t", "subject": "", "status": "open", "priority": "normal", "version": 1,
                                  "created_at": WHEN, "updated_at": WHEN, **fields})


def a_message(**fields) -> Message:
    return Message.model_validate({"ticket_id": "t", "direction": "inbound", "channel": "email", "body": "",
                                   "created_at": WHEN, **fields})


def a_comment(**fields) -> Comment:
    return Comment.model_validate({"ticket_id": "t", "body": "", "created_at": WHEN, **fields})


@pytest.mark.parametrize("text, what", [
    ("key opk_live_4eC39HqLyjWDarjtT1zdp7dc here", "live API key"),
    ("key opk_test_4eC39HqLyjWDarjtT1zdp7dc here", "test API key"),
    ("secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "signing secret"),
    ("session opat_Xk29fLmQ0aZt7yRw", "user access token"),
    ("refresh oprt_Hh81pQzLmN4tVc2b", "user refresh token"),
    ("stripe sk_live_51HabcDEF", "live secret key"),
    ("token 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "hex token"),
    ("bearer aGVsbG8gd29ybGQgdGhpcyBpcyBhIHRlc3Qgb2YgYmFzZTY0IQ==", "base64 token"),
])
def test_secrets_are_flagged_and_masked(text, what):
    warnings = check_reply(text)
    assert [w.kind for w in warnings] == ["secret"] and what in warnings[0].what
    secret = text.split()[-2] if text.endswith("here") else text.split()[-1]
    assert secret not in warnings[0].describe(), "the warning must not repeat the secret"


@pytest.mark.parametrize("text", ["Hi {{name}},", "Dear [NAME],", "TODO: add link", "Price: XXX EUR",
                                  "Lorem ipsum dolor sit amet"])
def test_leftover_placeholders_are_flagged(text):
    assert [w.kind for w in check_reply(text)] == ["placeholder"]


@pytest.mark.parametrize("text", [
    "Thanks for reaching out: we are looking into it.",
    "See https://example.com/docs/getting-started-with-the-api-guide for details.",
    "Your ticket [#1234] is resolved. I am not a todo list.",
])
def test_ordinary_replies_pass(text):
    assert check_reply(text) == []


def test_sla_countdown_text_and_breach():
    due = (NOW + timedelta(minutes=-90)).isoformat()
    ticket = a_ticket(status="open", first_response_due_at=due, first_responded_at=None)
    assert is_breached(ticket, NOW)
    assert format_countdown(timedelta(minutes=-90)) == "1 h 30 min overdue"
    assert format_countdown(timedelta(days=2, hours=5)) == "due in 2 d 5 h"
    assert format_countdown(timedelta(seconds=59)) == "due in 59 s"
    assert not is_breached(ticket.model_copy(update={"status": "resolved"}), NOW), "no clock runs on resolved tickets"
    assert not is_breached(ticket.model_copy(update={"first_responded_at": NOW}), NOW)


def test_filters_and_views():
    tickets = [
        a_ticket(id="a", status="open", priority="urgent", assignee_id=None, queue_id="q1"),
        a_ticket(id="b", status="closed", priority="urgent", assignee_id=None, queue_id="q1"),
        a_ticket(id="c", status="pending", priority="low", assignee_id="usr_me", queue_id="q2"),
        a_ticket(id="d", status="resolved", priority="low", assignee_id="usr_me", queue_id=None),
    ]

    def ids(f: TicketQuery) -> list[str]:
        return [t.id for t in tickets if f.with_(me_id="usr_me").matches(t, NOW)]

    assert ids(TicketQuery(view="unassigned_urgent")) == ["a"]
    assert ids(TicketQuery(view="my_open")) == ["c"]
    assert ids(TicketQuery(assignee_id=UNASSIGNED)) == ["a", "b"]
    assert ids(TicketQuery(queue_id="q1", status="closed")) == ["b"]
    assert ids(TicketQuery(state="open")) == ["a", "c"]
    assert ids(TicketQuery(view="unassigned_urgent", assignee_id="usr_me")) == [], "contradictory: nothing"
    assert not TicketQuery(view="my_open").answerable, "nobody is 'me' for an API key"
    counts = count_tickets(tickets)
    assert counts.open_by_queue == {"q1": 1, "q2": 1}
    assert (counts.total, counts.open, counts.open_in(None), counts.open_in("q1")) == (4, 2, 2, 1)


def test_the_views_ask_the_server_in_its_own_words():
    """docs/API.md: My open = assignee_id=<me>&state=open; Unassigned urgent =
    assigned=false&priority=urgent&state=open; Breaching SLA = breaching_sla=true."""
    me = TicketQuery(me_id="usr_me")
    assert me.with_(view="my_open").server_filters() == {"assignee_id": "usr_me", "state": "open"}
    assert me.with_(view="unassigned_urgent").server_filters() == {"assigned": False, "priority": "urgent",
                                                                    "state": "open"}
    assert me.with_(view="breaching_sla").server_filters() == {"breaching_sla": True}
    assert me.with_(assignee_id=UNASSIGNED, queue_id="q1", text=" Printer ").server_filters() == {
        "assigned": False, "queue_id": "q1", "query": "Printer"}
    overdue = a_ticket(id="e", status="open", first_response_due_at="2026-11-23T11:59:00Z", first_responded_at=None)
    due_soon = a_ticket(id="f", status="open", first_response_due_at="2026-11-23T12:30:00Z", first_responded_at=None)
    breaching = TicketQuery(view="breaching_sla")
    assert breaching.matches(overdue, NOW) and not breaching.matches(due_soon, NOW), "overdue, as the server counts"


def test_new_activity_since_the_snapshot():
    ticket = a_ticket(id="t", version=3)
    msg_1, msg_2, comment_1 = a_message(id="msg_1"), a_message(id="msg_2"), a_comment(id="comment_1")
    seen = ActivitySnapshot.of(ticket, [msg_1], [comment_1])
    assert not new_activity(seen, ticket, [msg_1], [comment_1]).any
    change = new_activity(seen, ticket, [msg_1, msg_2], [comment_1])
    assert [item.id for item in change.new_items] == ["msg_2"] and not change.ticket_changed
    assert new_activity(seen, a_ticket(id="t", version=4), [msg_1], [comment_1]).ticket_changed


def test_timeline_puts_pinned_notes_first_then_time_order():
    messages = [a_message(id="m2", direction="outbound", body="b", created_at="2026-01-02T00:00:00Z"),
                a_message(id="m1", direction="inbound", body="a", created_at="2026-01-01T00:00:00Z")]
    comments = [a_comment(id="c1", body="pin", pinned=True, created_at="2026-01-03T00:00:00Z"),
                a_comment(id="c2", body="note", pinned=False, created_at="2026-01-01T12:00:00Z")]
    entries = build_timeline(messages, comments, frozenset({"m2"}))
    assert [e.id for e in entries] == ["c1", "m1", "c2", "m2"]
    assert [e.customer_visible for e in entries] == [False, True, False, True]
    assert entries[0].kind == NOTE and entries[0].pinned and entries[3].is_new


async def test_bulk_reports_each_ticket_with_a_reason():
    """Qt-free, so it runs on pytest-asyncio's loop; the faults are injected through `update`."""
    from app.api import errors
    from app.data.ticket_bulk import apply_bulk

    def failure(kind, status, code):
        return kind("refused", status=status, code=code, request_id="req_1")

    faults = {"t2": failure(errors.PreconditionFailed, 412, "PRECONDITION_FAILED"),
              "t3": failure(errors.Forbidden, 403, "FORBIDDEN"),
              "t4": failure(errors.Conflict, 409, "CONFLICT")}
    sent = []

    async def update(ticket_id, changes, version):
        sent.append((ticket_id, changes, version))
        if ticket_id in faults:
            raise faults[ticket_id]
        return a_ticket(id=ticket_id, **changes)

    reported = []
    tickets = [a_ticket(id=f"t{n}", version=n) for n in range(1, 6)]
    results = await apply_bulk(update, tickets, {"status": "open"}, reported.append)
    assert sorted(v for _, _, v in sent) == [1, 2, 3, 4, 5], "each PATCH carries its ticket's version"
    assert len(reported) == len(results) == 5
    by_id = {r.ticket_id: r for r in results}
    assert [i for i, r in by_id.items() if r.ok] == ["t1", "t5"]
    assert "412" in by_id["t2"].message and "someone else" in by_id["t2"].message
    assert "403" in by_id["t3"].message and "409" in by_id["t4"].message
