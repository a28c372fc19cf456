"""Shared by the outbox tests: contacts edited offline, queued as the console queues them.

Each edit is queued the way the contacts form queues it offline: the record as the operator sees
it (the server's last copy plus their earlier queued edits, still at the server's version) and
the fields they changed.
"""

from __future__ import annotations

from typing import Any

from app.api.models import Contact
from app.data.outbox import Outbox
from app.data.record_store import dump


async def queue_edits(outbox: Outbox, contacts: list[Contact], edits_each: int, stamp: str) -> dict[str, str]:
    """Queue `edits_each` notes edits per contact, interleaved across contacts; the final notes per id."""
    seen: dict[str, dict[str, Any]] = {c.id: dump(c) for c in contacts}
    final: dict[str, str] = {}
    for round_ in range(edits_each):
        for contact in contacts:
            base = seen[contact.id]
            fields = {"notes": f"{stamp} edit {round_} of {contact.id}"}
            await outbox.queue("contacts", contact.id, "update", fields, base=base, base_version=base["version"],
                               label=f"{contact.name}: notes")
            seen[contact.id] = {**base, **fields}
            final[contact.id] = fields["notes"]
    return final


async def applied_notes(client, stamp: str) -> list[str]:
    """Every notes value of this run that the server's event log says was applied (one event each)."""
    applied = []
    async for event in await client.events.list(type="contact.updated", limit=100):
        notes = (event.data or {}).get("notes") or ""
        if notes.startswith(stamp):
            applied.append(notes)
    return applied
