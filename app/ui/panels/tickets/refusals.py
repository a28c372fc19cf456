"""Why the server refused a ticket's status change, in the agent's words.

The server's sentence names the wire values ("A waiting_on_customer ticket cannot become new.");
its details carry the statuses (`from`, `to`, `allowed`), which are shown here as labels with the
statuses the ticket can move to. Qt-free.
"""

from __future__ import annotations

from app.api import errors
from app.ui.labels import label


def status_refusal(error: BaseException) -> str | None:
    """"A ticket that is Waiting on customer cannot become New (it can become: Open, …)", or None
    when `error` is not a refused status change."""
    details = getattr(error, "details", None) or {}
    if not isinstance(error, errors.Conflict) or details.get("field") != "status" or not details.get("from"):
        return None
    allowed = ", ".join(label("status", status) for status in details.get("allowed") or ()) or "nothing else"
    return (f"A ticket that is {label('status', details['from'])} cannot become "
            f"{label('status', details.get('to'))} (it can become: {allowed}).")
