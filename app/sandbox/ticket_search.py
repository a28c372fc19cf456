"""How the ticket list and its count find tickets: the filters of `GET /support/tickets` (and
`/count`) as SQL, and for a subject search the quickest of three equivalent queries (scan, the
subject index's matches, or the matches as a filter), picked from the request and the data.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from app.sandbox.errors import ApiProblem, invalid_request
from app.sandbox.support_schemas import (
    IdQuery,
    Priority,
    Source,
    TicketState,
    TicketStatus,
)
from app.sandbox.timeutil import now_rfc3339, to_rfc3339
from app.sandbox.validation import parse_date_time

#: A ticket still owed its first response: the first-response clock is running.
AWAITING_FIRST_RESPONSE = ("first_responded_at IS NULL AND status NOT IN ('resolved', 'closed')"
                           " AND first_response_due_at IS NOT NULL")
#: Still needs work (state=open); schema.sql's partial index repeats this exact text.
OPEN_STATUSES = "status NOT IN ('resolved', 'closed')"


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
