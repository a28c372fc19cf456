"""The conversation timeline (`tickets.conversation`): customer messages, replies and internal
notes in one scrollable view, each kind unmistakable by colour, label and icon.

Every card is derived from the palette (internal notes tinted amber, replies tinted with the
highlight), so the thread reads in light and dark themes and follows a switch between them.
Channels are shown in words, times in local time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.ui.labels import label
from app.ui.panels.tickets.sla import display_time
from app.ui.panels.tickets.timeline import INBOUND, NOTE, OUTBOUND, TimelineEntry
from app.ui.panels.tickets.tints import mix, tint

#: The "NEW" badge: white on a deep orange reads on either theme.
NEW_BADGE = "#c2410c"

_LABELS = {
    INBOUND: ("✉", "Customer"),
    OUTBOUND: ("↩", "Reply · visible to customer"),
    NOTE: ("✎", "Internal note · not visible to customer"),
}


class ConversationView(QTextBrowser):
    """Read-only timeline; `entries` holds what is shown, in order (tests and screen readers)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tickets.conversation")
        self.setAccessibleName("Conversation")
        self.setOpenExternalLinks(False)
        self.entries: list[TimelineEntry] = []
        self._author_name: Callable[[str | None], str] = lambda author_id: author_id or ""

    def set_author_names(self, name_of: Callable[[str | None], str]) -> None:
        self._author_name = name_of

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.show_entries(self.entries, empty_text=self._empty_text)  # the OS switched light/dark

    _empty_text = "No messages yet."

    def show_entries(self, entries: Sequence[TimelineEntry], *, empty_text: str = "No messages yet.") -> None:
        self.entries = list(entries)
        self._empty_text = empty_text
        if not self.entries:
            self.setHtml(f"<p><i>{escape(empty_text)}</i></p>")
            return
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        note = tint(palette, "note")
        styles = {
            INBOUND: (mix(base, text, 0.06).name(), mix(base, text, 0.35).name(), text.name()),
            OUTBOUND: (mix(base, highlight, 0.14).name(), highlight.name(), text.name()),
            NOTE: (note.background, note.border, note.text),
        }
        parts = []
        for entry in self.entries:
            background, accent, foreground = styles[entry.kind]
            icon, kind_label = _LABELS[entry.kind]
            if entry.pinned:
                icon, kind_label = "⚑", "Pinned internal note · not visible to customer"
            who = self._author_name(entry.author_id) if entry.author_id else ""
            meta = " · ".join(part for part in (who, label("channel", entry.channel, empty=""), display_time(entry.created_at)) if part)
            badge = (f' <span style="background:{NEW_BADGE};color:#ffffff;font-weight:bold;">&nbsp;NEW&nbsp;</span>'
                     if entry.is_new else "")
            body = escape(entry.body).replace("\n", "<br>")
            parts.append(
                f'<a name="{escape(entry.id)}"></a>'
                f'<table width="100%" cellspacing="0" cellpadding="8" style="margin-bottom:8px;"'
                f' bgcolor="{background}"><tr>'
                f'<td width="5" bgcolor="{accent}"></td>'
                f'<td style="color:{foreground};">'
                f'<span style="font-weight:bold;color:{foreground};">{icon} {escape(kind_label)}</span>{badge}'
                f'<span style="color:{foreground};"> &nbsp; {escape(meta)}</span><br>'
                f'<span style="color:{foreground};">{body}</span></td></tr></table>'
            )
        self.setHtml("".join(parts))

    def scroll_to_first_new(self) -> None:
        """Bring the first entry marked new into view (what the agent must read before sending)."""
        first = next((entry for entry in self.entries if entry.is_new), None)
        if first is not None:
            self.scrollToAnchor(first.id)
