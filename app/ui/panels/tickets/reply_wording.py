"""What a ticket's reply composer says about a reply that waits: written offline and marked to send
when online, or sent once with no clear answer back (a timeout after send, a 5xx). Kept apart from
`open_ticket`, which decides when each is shown."""

from __future__ import annotations

from app.data.ticket_conversation import NewActivity

OFFLINE_REPLY_TEXT = ("the server cannot be reached. The reply stays a draft, marked to send when online: once "
                      "the server answers, the ticket is checked for anything new and one Send reply sends it.")
WAITING_TEXT = ("Written offline and marked to send when online: not sent yet. Once the server answers, you see "
                "what is new on the ticket and confirm with Send reply.")
UNANSWERED_TEXT = ("Sent, but the server never answered: it may already have this reply. Marked to send when "
                   "online with the same key, so sending it again never posts it twice.")
UNANSWERED_CHECKING_TEXT = ("Sent once with no clear answer back: the server may already have this reply. "
                            "Checking the ticket for anything new since you wrote it…")
SERVER_FAILED_TEXT = ("The server failed while taking this reply: it may have kept it anyway. It stays marked "
                      "with the same key, so Send reply makes sure and never posts it twice.")
UNANSWERED_UNREACHABLE_TEXT = ("The server cannot be reached to check this reply. It was sent once with no clear "
                               "answer, so the server may already have it: once the server answers, Send reply "
                               "makes sure, with the same key, so it is never posted twice.")
CHECKING_TEXT = ("Written offline and marked to send when online: not sent yet. Checking the ticket for anything "
                 "new since you wrote it…")
OUTBOX_FIRST_TEXT = ("Back online: this ticket's changes made offline are being sent first; then your reply "
                     "written offline (not sent yet) is checked against the conversation.")


def ready_text(change: NewActivity | None, unanswered: bool = False) -> str:
    """What the composer says once the collision check of a reply written offline has run (`change`:
    what is new since the reply was written; None when the conversation had not loaded then;
    `unanswered`: it was sent once with no answer back or a 5xx, so it may be among what is new)."""
    if change is None:
        news = "The conversation had not loaded when you wrote it: read it above."
    elif change.new_items:
        count = len(change.new_items)
        fields = " and the ticket's fields changed" if change.ticket_changed else ""
        news = f"Since you wrote it, {count} new item{'s' if count != 1 else ''} came into the conversation " \
               f"(marked above){fields}."
    elif change.ticket_changed:
        news = "Since you wrote it, the ticket's fields changed (shown above)."
    else:
        news = "Nothing is new on the ticket since you wrote it."
    if unanswered:
        return (f"Your reply was sent once with no clear answer back: it may be in the conversation already. "
                f"{news} Press Send reply to make sure: it goes with the same key, so it is never posted twice.")
    return f"Back online: your reply written offline is ready to send, not sent yet. {news} Press Send reply to send it."
