"""Support: queues, tickets (status transitions, first-response SLA, optimistic concurrency), the
customer-visible message thread and internal comments.

Rules live in `ticket_rules.py`; this module applies them to the database, inside one write
transaction per change, with the events the contract names (`ticket.created`, `ticket.updated`,
`ticket.message.created`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
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
from app.sandbox.ticket_rules import (
    allowed_transitions,
    can_transition,
    first_response_due,
    responded_at_after_message,
)
from app.sandbox.timeutil import now_rfc3339, parse_rfc3339, to_rfc3339, utcnow
from app.sandbox.validation import CustomFields, NotNull, parse_date_time, unset, whole

router = APIRouter(tags=["support"])

TicketStatus = Literal["new", "open", "pending", "waiting_on_customer", "resolved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
Source = Literal["manual", "email", "chat", "phone", "web", "api", "mcp", "slack", "other"]
Channel = Literal["email", "chat", "phone", "web", "whatsapp", "telegram"]
QueueStatus = Literal["active", "paused", "archived"]
Id = Annotated[str, Field(min_length=1, max_length=64)]
IdQuery = Annotated[str | None, Query(max_length=64)]
TicketIdPath = Annotated[str, Path(max_length=64)]
Subject = Annotated[str, Field(min_length=1, max_length=300)]


class Queue(BaseModel):
    id: str
    key: str
    name: str
    first_response_target_minutes: int
    status: QueueStatus
    created_at: str
    updated_at: str


class QueueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$",
                     description="Short lowercase handle, unique in the workspace.")
    name: str = Field(min_length=1, max_length=100)
    first_response_target_minutes: whole(ge=1, le=43_200) = Field(description="Up to 30 days.")
    status: QueueStatus = "active"


class Ticket(BaseModel):
    id: str
    subject: str
    status: TicketStatus
    priority: Priority
    source: str | None
    category: str | None
    queue_id: str | None
    assignee_id: str | None
    contact_id: str | None
    company_id: str | None
    invoice_id: str | None
    custom_fields: dict[str, Any]
    first_response_due_at: str | None
    first_responded_at: str | None
    version: int
    created_at: str
    updated_at: str


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Subject
    status: Literal["new", "open", "pending", "waiting_on_customer"] = "new"
    priority: Priority = "normal"
    source: Source = "api"
    category: str | None = Field(default=None, min_length=1, max_length=100)
    queue_id: Id | None = None
    assignee_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    invoice_id: Id | None = None
    custom_fields: CustomFields = Field(default_factory=dict)


class TicketUpdate(BaseModel):
    """Only the fields sent change; `null` clears an optional one (`subject`, `status` and
    `priority` cannot be null)."""

    model_config = ConfigDict(extra="forbid")
    subject: Subject | NotNull = unset()
    status: TicketStatus | NotNull = unset()
    priority: Priority | NotNull = unset()
    source: Source | None = None
    category: str | None = Field(default=None, min_length=1, max_length=100)
    queue_id: Id | None = None
    assignee_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    invoice_id: Id | None = None
    custom_fields: CustomFields | None = None


class Message(BaseModel):
    id: str
    ticket_id: str
    direction: Literal["inbound", "outbound"]
    channel: Channel
    body: str
    author_id: str | None
    created_at: str


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    direction: Literal["inbound", "outbound"]
    channel: Channel = "email"
    body: str = Field(min_length=1, max_length=20_000)


class Comment(BaseModel):
    id: str
    ticket_id: str
    body: str
    pinned: bool
    author_id: str | None
    created_at: str


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=20_000)
    pinned: bool = False


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

#: A ticket still owed its first response: the first-response clock is running.
AWAITING_FIRST_RESPONSE = ("first_responded_at IS NULL AND status NOT IN ('resolved', 'closed')"
                           " AND first_response_due_at IS NOT NULL")
#: Still needs work (state=open); schema.sql's partial index repeats this exact text.
OPEN_STATUSES = "status NOT IN ('resolved', 'closed')"
TicketState = Literal["open", "closed"]
GroupBy = Literal["status", "priority", "queue_id", "assignee_id"]


#: The subject index (`tickets_fts`, trigrams) answers searches of at least this many characters.
MIN_INDEXED_SEARCH = 3
#: Below this many subject matches a count reads the matches' rows; above it, with an equality
#: filter, it reads that filter's index and looks each entry up among the matches.
FEW_MATCHES = 3_000
#: Filters a page can answer from an index without scanning far: such a page is served on the
#: event loop (quicker than the hop to a worker thread); any other runs on a worker thread.
_SEEK_FILTERS = frozenset({"status", "priority", "queue_id", "assignee_id", "contact_id", "company_id", "state",
                           "assigned", "breaching_sla", "first_response_due_before"})
#: Equality filters with an index of their own, narrow enough to drive a search count.
_SELECTIVE_FILTERS = frozenset({"status", "priority", "queue_id", "assignee_id", "contact_id", "company_id"})
_MATCHES = "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?"


@dataclass(frozen=True)
class TicketQuery:
    """One way to ask SQLite for the filtered tickets: `FROM source` (its `?`s take `source_args`)
    `WHERE where` (their `?`s take `args`); `alias` names the tickets table in `source`."""

    source: str
    source_args: list[Any]
    where: list[str]
    args: list[Any]
    alias: str = ""


@dataclass(frozen=True)
class TicketFilter:
    """The list's and the count's filters as SQL (`where` terms with `?`, and their `args`), and
    the search text, which can be answered three ways (`scanning`, `through_matches`,
    `matches_as_filter`); `for_page` and `for_count` pick the quickest for the request.

    All three find the same tickets: the subject contains the text (letter case aside), or the
    ticket's id is the text."""

    where: list[str]
    args: list[Any]
    text: str | None = None
    used: frozenset[str] = frozenset()

    @property
    def _phrase(self) -> str:
        return '"' + (self.text or "").replace('"', '""') + '"'

    def indexed(self) -> bool:
        return bool(self.text) and len(self.text) >= MIN_INDEXED_SEARCH

    def seeks(self) -> bool:
        """Whether every filter is answered by an index seek (no text, no scanned field)."""
        return not self.text and self.used <= _SEEK_FILTERS

    def scanning(self) -> TicketQuery:
        """The text tested on every row the other filters' index (or the list order) yields."""
        if not self.text:
            return TicketQuery("tickets", [], self.where, self.args)
        return TicketQuery("tickets", [], ["(instr(lower(subject), lower(?)) > 0 OR id = ?)", *self.where],
                           [self.text, self.text, *self.args])

    def through_matches(self, workspace_id: str, *, workspace_only: bool = False) -> TicketQuery:
        """The subject index's matches first, kept to the workspace's through the narrow
        `tickets_workspace` index (entries, not rows), then their rows; for a count with no
        other filter, the narrow index alone."""
        if workspace_only:
            return TicketQuery("(SELECT rowid AS ticket_rowid FROM tickets_fts WHERE tickets_fts MATCH ?"
                               " UNION SELECT rowid FROM tickets WHERE id = ?) AS matches"
                               " CROSS JOIN tickets INDEXED BY tickets_workspace ON tickets.rowid = matches.ticket_rowid",
                               [self._phrase, self.text], self.where, self.args, alias="tickets")
        return TicketQuery("(SELECT mine.rowid AS ticket_rowid FROM (SELECT rowid AS subject_match FROM tickets_fts"
                           " WHERE tickets_fts MATCH ?) AS found CROSS JOIN tickets AS mine INDEXED BY tickets_workspace"
                           " ON mine.workspace_id = ? AND mine.rowid = found.subject_match"
                           " UNION SELECT rowid FROM tickets WHERE id = ?) AS matches"
                           " CROSS JOIN tickets ON tickets.rowid = matches.ticket_rowid",
                           [self._phrase, workspace_id, self.text], self.where, self.args, alias="tickets")

    def matches_as_filter(self) -> TicketQuery:
        """The other filters' index first, each entry looked up among the subject index's matches
        (`+` keeps SQLite from starting at the matches instead)."""
        return TicketQuery("tickets", [], [f"(+rowid IN ({_MATCHES}) OR +id = ?)", *self.where],
                           [self._phrase, self.text, *self.args])

    def _matches(self, conn: sqlite3.Connection, cap: int) -> int:
        return conn.execute(f"SELECT count(*) FROM ({_MATCHES} LIMIT ?)", (self._phrase, cap)).fetchone()[0]

    def for_page(self, conn: sqlite3.Connection, workspace_id: str, limit: int) -> TicketQuery:
        """Scanning in list order stops at the page's last match, about `limit × tickets /
        matches` rows; the matches path reads every match (dearer per row) and sorts them. So the
        matches win while `matches² < limit × tickets / 2`, and counting them only that far is cheap."""
        if not self.indexed():
            return self.scanning()
        tickets = conn.execute("SELECT max(rowid) FROM tickets").fetchone()[0] or 0
        enough = int(((limit + 1) * tickets / 2) ** 0.5) + 1
        return self.through_matches(workspace_id) if self._matches(conn, enough) < enough else self.scanning()

    def for_count(self, conn: sqlite3.Connection, workspace_id: str, *, more_terms: bool = False) -> TicketQuery:
        """A count reads every match. With no other filter, from the narrow index alone; with few
        matches or only broad filters (`state`, `assigned` …), the matches' rows; with many
        matches and an equality filter, that filter's index, each entry looked up among them."""
        if not self.indexed():
            return self.scanning()
        if not self.where and not more_terms:
            return self.through_matches(workspace_id, workspace_only=True)
        if self.used & _SELECTIVE_FILTERS and self._matches(conn, FEW_MATCHES) >= FEW_MATCHES:
            return self.matches_as_filter()
        return self.through_matches(workspace_id)


async def ticket_filter(
    query: Annotated[str | None, Query(max_length=200, description="Text in the subject (any letter case),"
                                                                   " or a ticket's exact id.")] = None,
    status: TicketStatus | None = None,
    priority: Priority | None = None,
    source: Source | None = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    queue_id: IdQuery = None,
    assignee_id: IdQuery = None,
    contact_id: IdQuery = None,
    company_id: IdQuery = None,
    invoice_id: IdQuery = None,
    custom_field_key: Annotated[str | None, Query(max_length=64)] = None,
    custom_field_value: Annotated[str | None, Query(max_length=200)] = None,
    state: Annotated[TicketState | None, Query(
        description="`open`: still needs work (any status but resolved and closed); `closed`: resolved or"
                    " closed.")] = None,
    assigned: Annotated[bool | None, Query(description="`false`: nobody is assigned; `true`: someone is.")] = None,
    breaching_sla: Annotated[bool | None, Query(
        description="`true`: the first response is overdue (its due time has passed by the server's clock),"
                    " nobody has answered yet and the ticket is neither resolved nor closed; `false`: every"
                    " other ticket.")] = None,
    first_response_due_before: Annotated[str | None, Query(
        max_length=64, json_schema_extra={"format": "date-time"},
        description="RFC 3339: tickets still owed their first response (unanswered, neither resolved nor"
                    " closed) that is due before this moment; e.g. an hour from now for \"breaching within"
                    " the hour\".")] = None,
) -> TicketFilter:
    where: list[str] = []
    args: list[Any] = []
    given = {name for name, value in (
        ("status", status), ("priority", priority), ("source", source), ("category", category),
        ("queue_id", queue_id), ("assignee_id", assignee_id), ("contact_id", contact_id), ("company_id", company_id),
        ("invoice_id", invoice_id), ("custom_field_key", custom_field_key), ("state", state), ("assigned", assigned),
        ("breaching_sla", breaching_sla), ("first_response_due_before", first_response_due_before)) if value is not None}
    for column, value in (("status", status), ("priority", priority), ("source", source),
                          ("category", category), ("queue_id", queue_id), ("assignee_id", assignee_id),
                          ("contact_id", contact_id), ("company_id", company_id), ("invoice_id", invoice_id)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if custom_field_value is not None and custom_field_key is None:
        raise ApiProblem(400, "INVALID_REQUEST", "custom_field_value needs custom_field_key.",
                         {"fields": [{"field": "custom_field_key", "message": "required with custom_field_value"}]})
    if custom_field_key is not None:
        path = '$."' + custom_field_key.replace('"', '""') + '"'
        if custom_field_value is None:
            where.append("json_type(custom_fields, ?) IS NOT NULL")
            args.append(path)
        else:
            where.append("CAST(json_extract(custom_fields, ?) AS TEXT) = ?")
            args += [path, custom_field_value]
    if state is not None:
        where.append(OPEN_STATUSES if state == "open" else "status IN ('resolved', 'closed')")
    if assigned is not None:
        where.append("assignee_id IS NOT NULL" if assigned else "assignee_id IS NULL")
    if breaching_sla is not None:
        term = f"{AWAITING_FIRST_RESPONSE} AND first_response_due_at < ?"
        where.append(term if breaching_sla else f"NOT ({term})")
        args.append(now_rfc3339())
    if first_response_due_before is not None:
        try:
            before = to_rfc3339(parse_date_time(first_response_due_before))
        except ValueError:
            raise invalid_request("first_response_due_before",
                                  "not an RFC 3339 time stamp, e.g. 2026-04-07T12:00:00Z") from None
        where.append(f"{AWAITING_FIRST_RESPONSE} AND first_response_due_at < ?")
        args.append(before)
    return TicketFilter(where, args, query or None, frozenset(given))


TicketFilterParams = Annotated[TicketFilter, Depends(ticket_filter)]


class TicketCountGroup(BaseModel):
    value: str | None = Field(description="The group's value (null: none, e.g. no assignee).")
    count: int


class TicketCount(BaseModel):
    total: int = Field(description="Tickets matching every filter.")
    groups: list[TicketCountGroup] | None = Field(
        description="With `group_by`: the total split by that field, largest first; null without it.")


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


def ticket_count(conn: sqlite3.Connection, workspace_id: str, plan: TicketQuery, *, more: list[str] = (),
                 more_args: list[Any] = (), group_by: str | None = None) -> tuple[int, list[dict] | None]:
    """`(total, groups)` of the tickets `plan` finds (plus the `more` terms), split by `group_by`."""
    p = f"{plan.alias}." if plan.alias else ""
    clause = " AND ".join([f"{p}workspace_id = ?", *plan.where, *more])
    args = [*plan.source_args, workspace_id, *plan.args, *more_args]
    if group_by is None:
        return conn.execute(f"SELECT count(*) FROM {plan.source} WHERE {clause}", args).fetchone()[0], None
    rows = conn.execute(f"SELECT {p}{group_by} AS value, count(*) AS n FROM {plan.source} WHERE {clause}"
                        f" GROUP BY {p}{group_by}", args).fetchall()
    groups = sorted(({"value": r["value"], "count": r["n"]} for r in rows),
                    key=lambda g: (-g["count"], g["value"] or ""))
    return sum(g["count"] for g in groups), groups


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
