"""Support tickets with their messages and comments; queue counts are derived here."""

from __future__ import annotations

from app.api.models import Ticket, TicketUpdate
from app.data.record_store import RecordStore


class TicketStore(RecordStore[Ticket]):
    """Tickets, cached and on the server."""

    resource = "tickets"
    endpoint = "tickets"
    model = Ticket
    editable = frozenset(TicketUpdate.model_fields)
