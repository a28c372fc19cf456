"""The ticket list's columns: what each shows (in words) and how wide it starts.

The columns an agent needs first (subject, first reply due, status, assignee) come first. Their
first-run widths are measured in the table's font from the texts they must show in full (every
status label, the widest deadline, a long name), so they read at 1200×760 and at 1024×700 in
any font; `width_for` tells the panel how much room the list needs to show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtWidgets import QStyle, QTableView

from app.api.models import Ticket
from app.data.tickets import TicketStore
from app.ui.labels import label
from app.ui.panels.tickets.sla import (
    as_datetime,
    breach_sort_key,
    first_response_remaining,
    format_countdown,
)
from app.ui.record_table_model import Column, field_of
from app.ui.theme import semantic_colour
from app.ui.time_text import exact

STATUSES = ("new", "open", "pending", "waiting_on_customer", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
SUBJECT, SLA, STATUS, ASSIGNEE, PRIORITY, QUEUE = range(6)
#: The columns an agent needs first: the list is given room for these before anything else.
FIRST_NEEDED = (SUBJECT, SLA, STATUS, ASSIGNEE)
#: Characters of a subject the list has room for at its first-run width.
SUBJECT_CHARACTERS = 30
#: Characters of a person's name the assignee column shows in full.
NAME_CHARACTERS = 16
#: The widest deadline the first-reply column shows in full.
WIDEST_DUE = "due in 23 h 59 min"
#: Room for the header's sort arrow beside a column title.
SORT_INDICATOR = 22


def breached_colour() -> str:
    """Error red for the current light/dark scheme (read at paint time, so it follows a switch)."""
    return semantic_colour("error").name()


def ticket_columns(store: TicketStore, clock: Callable[[], datetime],
                   drafted: Callable[[], set[str]]) -> list[Column]:
    """The list's columns, in their first-run order (`SUBJECT` … `QUEUE`)."""
    def remaining(ticket: Ticket):
        return first_response_remaining(ticket, clock())

    def sla_colour(ticket: Ticket) -> str | None:
        left = remaining(ticket)
        return breached_colour() if left is not None and left.total_seconds() < 0 else None

    def sla_tip(ticket: Ticket) -> str | None:
        left = remaining(ticket)
        if left is None:
            return "First response done, or no target" if ticket.first_responded_at or \
                not ticket.first_response_due_at else "No clock: the ticket is resolved or closed"
        due = exact(as_datetime(ticket.first_response_due_at))
        return f"First response was due {due}: breached" if left.total_seconds() < 0 else f"First response due {due}"

    def subject_tip(ticket: Ticket) -> str:
        waiting = "\nA change made offline waits to be sent (⇪)" if ticket.id in store.pending_ids() else ""
        return (ticket.subject or "") + ("\nAn unsent draft is waiting here" if ticket.id in drafted() else "") + waiting

    def subject(ticket: Ticket) -> str:
        marks = ("⇪ " if ticket.id in store.pending_ids() else "") + ("✎ " if ticket.id in drafted() else "")
        return marks + (ticket.subject or "")

    return [
        Column("Subject", subject,
               sort_key=lambda t: (t.subject or "").casefold(), object_name="subject", tooltip=subject_tip),
        Column("First reply due", remaining, text=format_countdown, object_name="first_response",
               sort_key=lambda t: breach_sort_key(t, clock()), foreground=sla_colour, tooltip=sla_tip,
               align_right=True),
        Column("Status", field_of("status"), text=lambda value: label("status", value, empty=""),
               object_name="status", repeats=True),
        Column("Assignee", lambda t: store.member_name(t.assignee_id) or "—", object_name="assignee", repeats=True),
        Column("Priority", field_of("priority"), text=lambda value: label("priority", value, empty=""),
               object_name="priority", repeats=True,
               sort_key=lambda t: PRIORITIES.index(t.priority) if t.priority in PRIORITIES else -1,
               foreground=lambda t: breached_colour() if t.priority == "urgent" else None),
        Column("Queue", lambda t: store.queue_name(t.queue_id), object_name="queue", repeats=True),
    ]


def first_run_widths(table: QTableView) -> dict[int, int]:
    """Widths that show each column's usual values in full, measured in the table's font."""
    metrics = table.fontMetrics()
    header = table.horizontalHeader().fontMetrics()
    # The view's text margin on each side (as RecordTableView leaves it), and a little air.
    pad = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1) + 2

    def fits(*texts: str, title: str, characters: int = 0) -> int:
        widest = max([metrics.horizontalAdvance(text) for text in texts] + [metrics.averageCharWidth() * characters])
        return max(widest, header.horizontalAdvance(title) + SORT_INDICATOR) + pad

    return {
        SUBJECT: metrics.horizontalAdvance("✎ ") + metrics.averageCharWidth() * SUBJECT_CHARACTERS + pad,
        SLA: fits(WIDEST_DUE, "2 d 23 h overdue", title="First reply due"),
        STATUS: fits(*(label("status", status) for status in STATUSES), title="Status"),
        ASSIGNEE: fits(title="Assignee", characters=NAME_CHARACTERS),
        PRIORITY: fits(*(label("priority", priority) for priority in PRIORITIES), title="Priority"),
        QUEUE: fits("Priority Support", title="Queue"),
    }


def width_for(table: QTableView, columns: Sequence[int]) -> int:
    """The table width that shows every visible column up to the last of `columns` (in visual order)."""
    header = table.horizontalHeader()
    last = max(header.visualIndex(column) for column in columns)
    shown = sum(header.sectionSize(header.logicalIndex(visual)) for visual in range(last + 1)
                if not header.isSectionHidden(header.logicalIndex(visual)))
    scroll = table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, table)
    return shown + scroll + 2 * table.frameWidth()
