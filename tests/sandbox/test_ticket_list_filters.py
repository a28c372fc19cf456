"""The ticket list filtered and counted by the server (issue 16): every filter the console's list
offers (queue, status, priority, assignee, search, the saved views) means the same on a page and in
`GET /support/tickets/count`, and agrees with the definition applied to every ticket by hand."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.sandbox import ticket_search
from app.sandbox.bootstrap import ensure_initialized
from app.sandbox.db import Database
from app.sandbox.pagination import CursorCodec, PageQuery, fetch_page
from app.sandbox.settings import SandboxSettings
from app.sandbox.ticket_search import ticket_count, ticket_filter
from app.sandbox.timeutil import parse_rfc3339, to_rfc3339
from tests.sandbox.conftest import assert_error

CLOSED = {"resolved", "closed"}


def _all(client: httpx.Client, **filters) -> list[dict]:
    """Every ticket the list gives for `filters`, following the cursor."""
    params = {"limit": 100, **filters}
    tickets: list[dict] = []
    while True:
        response = client.get("support/tickets", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        tickets += body["data"]
        if body["next_cursor"] is None:
            return tickets
        params["cursor"] = body["next_cursor"]


def _count(client: httpx.Client, **filters) -> dict:
    response = client.get("support/tickets/count", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _awaiting(ticket: dict) -> bool:
    return (ticket["first_responded_at"] is None and ticket["status"] not in CLOSED
            and ticket["first_response_due_at"] is not None)


def _breaching(ticket: dict, now: datetime) -> bool:
    return _awaiting(ticket) and parse_rfc3339(ticket["first_response_due_at"]) < now


def _subject_matches(ticket: dict, text: str) -> bool:
    return text.lower() in ticket["subject"].lower() or ticket["id"] == text


@pytest.fixture
def everything(owner: httpx.Client) -> list[dict]:
    return _all(owner)


def test_each_filter_on_a_page_and_in_the_count_is_the_definition_applied_to_every_ticket(
        owner: httpx.Client, everything: list[dict]) -> None:
    now = datetime.now(UTC)
    some = next(t for t in everything if t["queue_id"] and t["assignee_id"])
    cases = {
        (("queue_id", some["queue_id"]),): lambda t: t["queue_id"] == some["queue_id"],
        (("status", "pending"),): lambda t: t["status"] == "pending",
        (("priority", "urgent"),): lambda t: t["priority"] == "urgent",
        (("assignee_id", some["assignee_id"]),): lambda t: t["assignee_id"] == some["assignee_id"],
        (("assigned", "false"),): lambda t: t["assignee_id"] is None,
        (("assigned", "true"),): lambda t: t["assignee_id"] is not None,
        (("state", "open"),): lambda t: t["status"] not in CLOSED,
        (("state", "closed"),): lambda t: t["status"] in CLOSED,
        (("assignee_id", some["assignee_id"]), ("state", "open")):  # "My open"
            lambda t: t["assignee_id"] == some["assignee_id"] and t["status"] not in CLOSED,
        (("assigned", "false"), ("priority", "urgent"), ("state", "open")):  # "Unassigned urgent"
            lambda t: t["assignee_id"] is None and t["priority"] == "urgent" and t["status"] not in CLOSED,
        (("breaching_sla", "true"),): lambda t: _breaching(t, now),
        (("breaching_sla", "false"),): lambda t: not _breaching(t, now),
        (("first_response_due_before", to_rfc3339(now + timedelta(hours=1))),):  # "breaching within the hour"
            lambda t: _awaiting(t) and parse_rfc3339(t["first_response_due_at"]) < now + timedelta(hours=1),
        (("queue_id", some["queue_id"]), ("breaching_sla", "true")):
            lambda t: t["queue_id"] == some["queue_id"] and _breaching(t, now),
        (("query", "invoice"),): lambda t: _subject_matches(t, "invoice"),
        (("query", "INVOICE"), ("status", "new")): lambda t: _subject_matches(t, "invoice") and t["status"] == "new",
        (("query", "in"),): lambda t: _subject_matches(t, "in"),
        (("query", some["id"]),): lambda t: t["id"] == some["id"],
    }
    for filters, wanted in cases.items():
        expected = [t["id"] for t in everything if wanted(t)]
        listed = [t["id"] for t in _all(owner, **dict(filters))]
        assert listed == expected, filters
        assert _count(owner, **dict(filters)) == {"total": len(expected), "groups": None}, filters
    assert any(_breaching(t, now) for t in everything), "the demo data has tickets past their first-response target"


def test_counts_split_by_queue_status_priority_or_assignee_add_up(owner: httpx.Client, everything: list[dict]) -> None:
    for field in ("queue_id", "status", "priority", "assignee_id"):
        body = _count(owner, group_by=field)
        assert body["total"] == len(everything)
        groups = {g["value"]: g["count"] for g in body["groups"]}
        expected: dict = {}
        for ticket in everything:
            expected[ticket[field]] = expected.get(ticket[field], 0) + 1
        assert groups == expected, field
        assert [g["count"] for g in body["groups"]] == sorted(groups.values(), reverse=True)
    open_by_queue = _count(owner, group_by="queue_id", state="open")
    assert open_by_queue["total"] == sum(t["status"] not in CLOSED for t in everything)


def test_a_new_or_renamed_ticket_is_found_by_its_new_subject_at_once(owner: httpx.Client) -> None:
    word = f"zq{uuid.uuid4().hex[:10]}"
    created = owner.post("support/tickets", json={"subject": f"Printer {word} on fire"}).json()["data"]
    assert [t["id"] for t in _all(owner, query=word.upper())] == [created["id"]]
    renamed = owner.patch(f"support/tickets/{created['id']}", json={"subject": "Printer fixed"})
    assert renamed.status_code == 200, renamed.text
    assert _all(owner, query=word) == [] and _count(owner, query=word)["total"] == 0
    assert created["id"] in {t["id"] for t in _all(owner, query="printer fixed")}


def test_counts_never_include_another_workspace(owner: httpx.Client, owner_test: httpx.Client) -> None:
    word = f"zq{uuid.uuid4().hex[:10]}"
    owner_test.post("support/tickets", json={"subject": f"Only in test {word}"})
    assert _count(owner_test, query=word)["total"] == 1
    assert _count(owner, query=word)["total"] == 0
    assert _count(owner)["total"] == len(_all(owner))


def test_bad_filters_are_400_naming_the_parameter(owner: httpx.Client, readonly: httpx.Client) -> None:
    for params, field in (({"state": "done"}, "state"), ({"assigned": "nobody"}, "assigned"),
                          ({"first_response_due_before": "tomorrow"}, "first_response_due_before"),
                          ({"group_by": "subject"}, "group_by"), ({"updated_since": "2026-04-07"}, "updated_since"),
                          ({"custom_field_value": "gold"}, "custom_field_key")):
        details = assert_error(owner.get("support/tickets/count", params=params), 400, "INVALID_REQUEST")
        assert details["fields"][0]["field"] == field, (params, details)
    assert readonly.get("support/tickets/count").status_code == 200, "support:read is enough"


def test_every_way_of_answering_a_search_finds_the_same_tickets(tmp_path: Path, monkeypatch) -> None:
    """A search is answered by scanning, through the subject index's matches, or with the matches
    as a filter on another index, whichever is quickest for the request; all three must give the
    same tickets in the same order, page by page, and the same counts."""
    settings = SandboxSettings(data_dir=tmp_path, seed_size=200, seed_tickets=3_000)
    db = Database(settings.database_path)
    ensure_initialized(db, settings)
    conn = db.conn()
    workspace = conn.execute("SELECT id FROM workspaces WHERE environment = 'live'").fetchone()[0]
    queue = conn.execute("SELECT queue_id FROM tickets WHERE workspace_id = ? AND queue_id IS NOT NULL",
                         (workspace,)).fetchone()[0]
    some_id = conn.execute("SELECT id FROM tickets WHERE workspace_id = ? LIMIT 1", (workspace,)).fetchone()[0]
    codec = CursorCodec(b"test")
    rng = random.Random(16)
    subjects = [r[0] for r in conn.execute("SELECT DISTINCT subject FROM tickets")]
    texts = ["invoice", "Export", "zzz-none", "ing", some_id, *(s[i:i + rng.randint(3, 8)]
                                                               for s in rng.sample(subjects, 6) for i in (0, 3))]
    for text in texts:
        for extra in ({}, {"status": "open"}, {"queue_id": queue, "state": "open"}):
            filters = asyncio.run(ticket_filter(query=text, **extra))
            pages, counts = [], []
            for plan in (filters.scanning(), filters.through_matches(workspace), filters.matches_as_filter()):
                after, ids = None, []
                while True:
                    rows, cursor = fetch_page(conn, plan.source, workspace,
                                              PageQuery(limit=25, after=after, updated_since=None, codec=codec),
                                              where=plan.where, params=plan.args, alias=plan.alias,
                                              source_params=plan.source_args, columns="tickets.created_at, tickets.id")
                    ids += [r["id"] for r in rows]
                    if cursor is None:
                        break
                    after = codec.decode(cursor)
                pages.append(ids)
                counts.append(ticket_count(conn, workspace, plan, group_by="status"))
            if not extra:
                counts.append(ticket_count(conn, workspace, filters.through_matches(workspace, workspace_only=True)))
                assert counts[-1][0] == len(pages[0])
                counts.pop()
            assert pages[0] == pages[1] == pages[2], (text, extra)
            assert counts[0] == counts[1] == counts[2] and counts[0][0] == len(pages[0]), (text, extra)
    # The choice itself: a rare text through the matches, a common one by scanning.
    rare = asyncio.run(ticket_filter(query="zzz-none"))
    assert rare.for_page(conn, workspace, 100) == rare.through_matches(workspace)
    common = max(("ing", "the", " on", "ent", "for", "or "), key=lambda text: conn.execute(
        "SELECT count(*) FROM tickets WHERE instr(lower(subject), ?) > 0", (text,)).fetchone()[0])
    frequent = asyncio.run(ticket_filter(query=common, status="open"))
    assert frequent.for_page(conn, workspace, 100) == frequent.scanning()
    assert frequent.for_count(conn, workspace) == frequent.through_matches(workspace), "few matches: their rows"
    monkeypatch.setattr(ticket_search, "FEW_MATCHES", 10)
    assert frequent.for_count(conn, workspace) == frequent.matches_as_filter(), "many: looked up from the filter"
    broad = asyncio.run(ticket_filter(query=common, state="open"))
    assert broad.for_count(conn, workspace) == broad.through_matches(workspace), "a broad filter drives nothing"
    alone = asyncio.run(ticket_filter(query=common))
    assert alone.for_count(conn, workspace) == alone.through_matches(workspace, workspace_only=True)
    two = asyncio.run(ticket_filter(query="in"))
    assert two.for_page(conn, workspace, 100) == two.for_count(conn, workspace) == two.scanning(), \
        "two letters have no trigram"
    assert conn.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tickets'").fetchone()[0] > 0


def test_a_listed_ticket_is_exactly_the_ticket_fetched_alone(owner: httpx.Client, everything: list[dict]) -> None:
    """The list is rendered by SQLite, the single ticket by Python: they must not drift apart."""
    for ticket in everything[:40]:
        assert owner.get(f"support/tickets/{ticket['id']}").json()["data"] == ticket
