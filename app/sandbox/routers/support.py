"""Support: queues, tickets (status transitions, first-response SLA, optimistic concurrency), the
customer-visible message thread and internal comments.

Rules live in `ticket_rules.py`; this module applies them to the database, inside one write
transaction per change, with the events the contract names (`ticket.created`, `ticket.updated`,
`ticket.message.created`).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from app.sandbox.db import Database
from app.sandbox.deps import Db, Scoped
from app.sandbox.envelope import Envelope, Page, json_page, ok, page
from app.sandbox.errors import ApiProblem, invalid_request, not_found, validation_failed
from app.sandbox.etag import IfMatch, check_if_match, set_etag
from app.sandbox.events import emit_event
from app.sandbox.ids import new_id
from app.sandbox.pagination import PageParams, PageQuery, fetch_page
from app.sandbox.references import check_references
from app.sandbox.support_schemas import (
    Comment,
    CommentCreate,
    GroupBy,
    Message,
    MessageCreate,
    Queue,
    QueueCreate,
    QueueStatus,
    Ticket,
    TicketCount,
    TicketCreate,
    TicketIdPath,
    TicketUpdate,
)
from app.sandbox.ticket_rules import (
    allowed_transitions,
    can_transition,
    first_response_due,
    responded_at_after_message,
)
from app.sandbox.ticket_search import TicketFilter, TicketFilterParams, ticket_count
from app.sandbox.timeutil import now_rfc3339, parse_rfc3339, to_rfc3339, utcnow
from app.sandbox.validation import parse_date_time

router = APIRouter(tags=["support"])


def _queue_out(row: sqlite3.Row) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "key", "name", "first_response_target_minutes", "status",
                                "created_at", "updated_at")}


# A page of tickets is rendered to JSON by SQLite: Python only joins the rows' text. Keep it in
# step with `Ticket` and `_ticket_out` (tests compare a listed ticket with the same ticket fetched alone).
_LIST_COLUMNS = (
    "tickets.created_at AS created_at, tickets.id AS id, json_object('id', tickets.id, 'subject', subject,"
    " 'status', status, 'priority', priority, 'source', source, 'category', category, 'queue_id', queue_id,"
    " 'assignee_id', assignee_id, 'contact_id', contact_id, 'company_id', company_id, 'invoice_id', invoice_id,"
    " 'custom_fields', json(custom_fields), 'first_response_due_at', first_response_due_at,"
    " 'first_responded_at', first_responded_at, 'version', version, 'created_at', tickets.created_at,"
    " 'updated_at', updated_at) AS listed")


def _ticket_out(row: sqlite3.Row) -> dict[str, Any]:
    out = {k: row[k] for k in Ticket.model_fields if k != "custom_fields"}
    out["custom_fields"] = json.loads(row["custom_fields"])
    return out


def _message_out(row: sqlite3.Row) -> dict[str, Any]:
    return {k: row[k] for k in Message.model_fields}


def _comment_out(row: sqlite3.Row) -> dict[str, Any]:
    out = {k: row[k] for k in Comment.model_fields}
    out["pinned"] = bool(row["pinned"])
    return out


def _load_ticket(conn: sqlite3.Connection, workspace_id: str, ticket_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM tickets WHERE id = ? AND workspace_id = ?",
                       (ticket_id, workspace_id)).fetchone()
    if row is None:
        raise not_found("ticket", ticket_id)
    return row


def _queue_target(conn: sqlite3.Connection, workspace_id: str, queue_id: str | None) -> int | None:
    """The queue's first-response target; 422 naming `queue_id` if the queue is archived."""
    if queue_id is None:
        return None
    row = conn.execute("SELECT first_response_target_minutes, status FROM queues WHERE id = ? AND workspace_id = ?",
                       (queue_id, workspace_id)).fetchone()
    if row["status"] == "archived":
        raise validation_failed([("queue_id", "the queue is archived; pick an active one")])
    return row["first_response_target_minutes"]


def _actor(caller: Any) -> str | None:
    """Who wrote a message or comment: the signed-in member, or nobody for an API key."""
    return caller.member_id


# --- queues -------------------------------------------------------------------------------

@router.get("/support/queues", response_model=Page[Queue], summary="List support queues")
def list_queues(db: Db, caller: Scoped("support:read"), params: PageParams,
                query: Annotated[str | None, Query(max_length=200)] = None,
                status: QueueStatus | None = None) -> dict:
    where, args = [], []
    if query:
        where.append("(instr(lower(name), lower(?)) > 0 OR instr(key, lower(?)) > 0)")
        args += [query, query]
    if status is not None:
        where.append("status = ?")
        args.append(status)
    rows, cursor = fetch_page(db.conn(), "queues", caller.workspace_id, params, where=where, params=args)
    return page([_queue_out(r) for r in rows], cursor)


@router.post("/support/queues", response_model=Envelope[Queue], status_code=201, summary="Create a support queue")
def create_queue(body: QueueCreate, db: Db, caller: Scoped("support:write")) -> dict:
    stamp = now_rfc3339()
    queue_id = new_id("queue")
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM queues WHERE workspace_id = ? AND key = ?",
                        (caller.workspace_id, body.key)).fetchone():
            raise ApiProblem(409, "CONFLICT", f"A queue with key {body.key!r} already exists.", {"field": "key"})
        conn.execute(
            "INSERT INTO queues (id, workspace_id, key, name, first_response_target_minutes, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (queue_id, caller.workspace_id, body.key, body.name, body.first_response_target_minutes,
             body.status, stamp, stamp))
        row = conn.execute("SELECT * FROM queues WHERE id = ?", (queue_id,)).fetchone()
    return ok(_queue_out(row))


# --- tickets ------------------------------------------------------------------------------

@router.get("/support/tickets", response_model=Page[Ticket], summary="List support tickets")
async def list_tickets(db: Db, caller: Scoped("support:read"), params: PageParams,
                       filters: TicketFilterParams) -> Response:
    if filters.seeks():
        return tickets_page(db, caller.workspace_id, params, filters)
    # A text search or a filter no index answers may read many rows: on a worker thread (its own
    # connection), so the event loop keeps answering other requests meanwhile.
    return await run_in_threadpool(tickets_page, db, caller.workspace_id, params, filters)


def tickets_page(db: Database, workspace_id: str, params: PageQuery, filters: TicketFilter) -> Response:
    """One page of tickets as the list answer, each rendered to JSON by SQLite (`_LIST_COLUMNS`)."""
    conn = db.conn()
    plan = filters.for_page(conn, workspace_id, params.limit)
    rows, cursor = fetch_page(conn, plan.source, workspace_id, params, where=plan.where, params=plan.args,
                              alias=plan.alias, source_params=plan.source_args, columns=_LIST_COLUMNS)
    return json_page([r["listed"] for r in rows], cursor)


@router.get("/support/tickets/count", response_model=Envelope[TicketCount],
            summary="Count support tickets (the list's filters), optionally per status, priority, queue or assignee")
def count_tickets(
    db: Db, caller: Scoped("support:read"), filters: TicketFilterParams,
    updated_since: Annotated[str | None, Query(max_length=64, json_schema_extra={"format": "date-time"},
                                               description="RFC 3339 with an offset; only tickets updated at or"
                                                           " after it.")] = None,
    group_by: Annotated[GroupBy | None, Query(description="Split the total by this field.")] = None,
) -> dict:
    more: list[str] = []
    more_args: list[Any] = []
    if updated_since is not None:
        try:
            since = to_rfc3339(parse_date_time(updated_since))
        except ValueError:
            raise invalid_request("updated_since", "not an RFC 3339 time stamp, e.g. 2026-04-07T12:00:00Z") from None
        more.append("updated_at >= ?")
        more_args.append(since)
    conn = db.conn()
    plan = filters.for_count(conn, caller.workspace_id, more_terms=bool(more) or group_by is not None)
    total, groups = ticket_count(conn, caller.workspace_id, plan, more=more, more_args=more_args, group_by=group_by)
    return ok({"total": total, "groups": groups})



@router.post("/support/tickets", response_model=Envelope[Ticket], status_code=201, summary="Create a support ticket")
def create_ticket(body: TicketCreate, db: Db, caller: Scoped("support:write"), response: Response) -> dict:
    now = utcnow()
    stamp = to_rfc3339(now)
    ticket_id = new_id("ticket")
    with db.transaction() as conn:
        check_references(conn, caller.workspace_id, body.model_dump())
        due = first_response_due(now, _queue_target(conn, caller.workspace_id, body.queue_id))
        conn.execute(
            "INSERT INTO tickets (id, workspace_id, subject, status, priority, source, category, queue_id,"
            " assignee_id, contact_id, company_id, invoice_id, custom_fields, first_response_due_at,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, caller.workspace_id, body.subject, body.status, body.priority, body.source,
             body.category, body.queue_id, body.assignee_id, body.contact_id, body.company_id,
             body.invoice_id, json.dumps(body.custom_fields), to_rfc3339(due) if due else None, stamp, stamp))
        ticket = _ticket_out(conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone())
        emit_event(conn, caller.workspace_id, "ticket.created", ticket)
    set_etag(response, ticket["version"])
    return ok(ticket)


@router.get("/support/tickets/{ticket_id}", response_model=Envelope[Ticket], summary="Get a support ticket")
def get_ticket(ticket_id: TicketIdPath, db: Db, caller: Scoped("support:read"), response: Response) -> dict:
    row = _load_ticket(db.conn(), caller.workspace_id, ticket_id)
    set_etag(response, row["version"])
    return ok(_ticket_out(row))


@router.patch("/support/tickets/{ticket_id}", response_model=Envelope[Ticket], summary="Update a support ticket")
def update_ticket(ticket_id: TicketIdPath, body: TicketUpdate, db: Db, caller: Scoped("support:write"),
                  if_match: IfMatch, response: Response) -> dict:
    sent = body.model_dump(include=body.model_fields_set)
    for required in ("subject", "status", "priority"):
        if required in sent and sent[required] is None:
            raise validation_failed([(required, "cannot be null")])
    if "custom_fields" in sent and sent["custom_fields"] is None:
        sent["custom_fields"] = {}
    with db.transaction() as conn:
        row = _load_ticket(conn, caller.workspace_id, ticket_id)
        check_if_match(if_match, row["version"])
        check_references(conn, caller.workspace_id, sent, [f for f in sent if f.endswith("_id")])
        if "status" in sent and not can_transition(row["status"], sent["status"]):
            allowed = sorted(allowed_transitions(row["status"]))
            raise ApiProblem(409, "CONFLICT",
                             f"A {row['status']} ticket cannot become {sent['status']}.",
                             {"field": "status", "from": row["status"], "to": sent["status"], "allowed": allowed})
        changes = {k: v for k, v in sent.items()
                   if (json.loads(row[k]) if k == "custom_fields" else row[k]) != v}
        if "queue_id" in changes and row["first_responded_at"] is None:
            target = _queue_target(conn, caller.workspace_id, changes["queue_id"])
            due = first_response_due(parse_rfc3339(row["created_at"]), target)
            changes["first_response_due_at"] = to_rfc3339(due) if due else None
        if changes:
            if "custom_fields" in changes:
                changes["custom_fields"] = json.dumps(changes["custom_fields"])
            assignments = ", ".join(f"{k} = ?" for k in changes)
            conn.execute(f"UPDATE tickets SET {assignments}, version = version + 1, updated_at = ? WHERE id = ?",
                         (*changes.values(), now_rfc3339(), ticket_id))
            row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            emit_event(conn, caller.workspace_id, "ticket.updated", _ticket_out(row))
    set_etag(response, row["version"])
    return ok(_ticket_out(row))


# --- messages and comments ----------------------------------------------------------------

@router.get("/support/tickets/{ticket_id}/messages", response_model=Page[Message],
            summary="List a ticket's messages (customer-visible thread)")
def list_messages(ticket_id: TicketIdPath, db: Db, caller: Scoped("support:read"), params: PageParams,
                  direction: Literal["inbound", "outbound"] | None = None) -> dict:
    conn = db.conn()
    _load_ticket(conn, caller.workspace_id, ticket_id)
    where, args = ["ticket_id = ?"], [ticket_id]
    if direction is not None:
        where.append("direction = ?")
        args.append(direction)
    rows, cursor = fetch_page(conn, "ticket_messages", caller.workspace_id, params, where=where,
                              params=args, updated_column="created_at")
    return page([_message_out(r) for r in rows], cursor)


@router.post("/support/tickets/{ticket_id}/messages", response_model=Envelope[Message], status_code=201,
             summary="Add a message to a ticket (the first outbound one meets the first-response SLA)")
def create_message(ticket_id: TicketIdPath, body: MessageCreate, db: Db, caller: Scoped("support:write")) -> dict:
    stamp = now_rfc3339()
    message_id = new_id("msg")
    with db.transaction() as conn:
        ticket = _load_ticket(conn, caller.workspace_id, ticket_id)
        if ticket["status"] == "closed":
            raise ApiProblem(409, "CONFLICT", "The ticket is closed; open a new ticket instead.",
                             {"field": "status", "status": "closed"})
        conn.execute(
            "INSERT INTO ticket_messages (id, workspace_id, ticket_id, direction, channel, body, author_id,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (message_id, caller.workspace_id, ticket_id, body.direction, body.channel, body.body,
             _actor(caller) if body.direction == "outbound" else None, stamp))
        responded = responded_at_after_message(ticket["first_responded_at"], body.direction, stamp)
        if responded != ticket["first_responded_at"]:
            conn.execute("UPDATE tickets SET first_responded_at = ?, version = version + 1, updated_at = ?"
                         " WHERE id = ?", (responded, stamp, ticket_id))
            updated = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            emit_event(conn, caller.workspace_id, "ticket.updated", _ticket_out(updated))
        else:
            conn.execute("UPDATE tickets SET updated_at = ? WHERE id = ?", (stamp, ticket_id))
        message = _message_out(conn.execute("SELECT * FROM ticket_messages WHERE id = ?", (message_id,)).fetchone())
        emit_event(conn, caller.workspace_id, "ticket.message.created", message)
    return ok(message)


@router.get("/support/tickets/{ticket_id}/comments", response_model=Page[Comment],
            summary="List a ticket's internal comments (never customer-visible)")
def list_comments(ticket_id: TicketIdPath, db: Db, caller: Scoped("support:read"), params: PageParams,
                  pinned: bool | None = None) -> dict:
    conn = db.conn()
    _load_ticket(conn, caller.workspace_id, ticket_id)
    where, args = ["ticket_id = ?"], [ticket_id]
    if pinned is not None:
        where.append("pinned = ?")
        args.append(int(pinned))
    rows, cursor = fetch_page(conn, "ticket_comments", caller.workspace_id, params, where=where,
                              params=args, updated_column="created_at")
    return page([_comment_out(r) for r in rows], cursor)


@router.post("/support/tickets/{ticket_id}/comments", response_model=Envelope[Comment], status_code=201,
             summary="Add an internal comment to a ticket")
def create_comment(ticket_id: TicketIdPath, body: CommentCreate, db: Db, caller: Scoped("support:write")) -> dict:
    stamp = now_rfc3339()
    comment_id = new_id("comment")
    with db.transaction() as conn:
        _load_ticket(conn, caller.workspace_id, ticket_id)
        conn.execute(
            "INSERT INTO ticket_comments (id, workspace_id, ticket_id, body, pinned, author_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (comment_id, caller.workspace_id, ticket_id, body.body, int(body.pinned), _actor(caller), stamp))
        row = conn.execute("SELECT * FROM ticket_comments WHERE id = ?", (comment_id,)).fetchone()
    return ok(_comment_out(row))
