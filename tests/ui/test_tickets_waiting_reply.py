"""The "send when online" mark of a reply written offline: what a restart reads back from the drafts."""

from __future__ import annotations

from app.core.drafts import Draft
from app.data.ticket_conversation import ActivitySnapshot
from app.ui.panels.tickets.waiting_reply import WaitingReply, waiting_replies


def test_the_mark_round_trips_and_only_reply_drafts_with_it_wait() -> None:
    seen = ActivitySnapshot("tk_1", 4, frozenset({"msg_1", "cmt_2"}))
    marked = WaitingReply("opsdesk-reply-1", seen).to_mark()
    drafts = [Draft("ticket:tk_1:reply", "Fixed", 2.0, marked),
              Draft("ticket:tk_2:reply", "Plain draft", 1.0),
              Draft("ticket:tk_3:note", "A note never waits", 1.0, marked),
              Draft("ticket:tk_4:reply", "Unreadable mark", 1.0, "{not json"),
              Draft("ticket:tk_5:reply", "Another kind of mark", 1.0, '{"kind": "pinned"}'),
              Draft("ticket:tk_6:reply", "Written while the thread never loaded", 1.0,
                    WaitingReply("opsdesk-reply-6").to_mark())]
    assert waiting_replies(drafts) == {"tk_1": WaitingReply("opsdesk-reply-1", seen),
                                       "tk_6": WaitingReply("opsdesk-reply-6", None)}
