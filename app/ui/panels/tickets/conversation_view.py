"""The conversation timeline (`tickets.conversation`): customer messages, replies and internal
notes in one scrollable view, each kind unmistakable by colour, label and icon.

Internal notes use the house's semantic note yellow (with dark text, so it reads the same in
light and dark themes); customer-visible items use the palette, so they follow the OS theme.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.ui.panels.tickets.sla import display_time
from app.ui.panels.tickets.timeline import INBOUND, NOTE, OUTBOUND, TimelineEntry

NOTE_BACKGROUND = "#fff3bf"
NOTE_BORDER = "#e0a800"
NOTE_TEXT = "#3d2f00"
NEW_BADGE = "#d9480f"

_LABELS = {
    INBOUND: ("✉", "Customer"),
    OUTBOUND: ("↩", "Reply · visible to customer"),
    NOTE: ("✎", "Internal note · not visible to customer"),
}


def _mix(a: QColor, b: QColor, amount: float) -> str:
    """`a` moved `amount` of the way towards `b`, as #rrggbb."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    ).name()


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
        styles = {
            INBOUND: (_mix(base, text, 0.06), _mix(base, text, 0.35), text.name()),
            OUTBOUND: (_mix(base, highlight, 0.14), highlight.name(), text.name()),
            NOTE: (NOTE_BACKGROUND, NOTE_BORDER, NOTE_TEXT),
        }
        parts = []
        for entry in self.entries:
            background, accent, foreground = styles[entry.kind]
            icon, label = _LABELS[entry.kind]
            if entry.pinned:
                icon, label = "⚑", "Pinned internal note · not visible to customer"
            who = self._author_name(entry.author_id) if entry.author_id else ""
            meta = " · ".join(part for part in (who, entry.channel or "", display_time(entry.created_at)) if part)
            badge = (f' <span style="background:{NEW_BADGE};color:#ffffff;font-weight:bold;">&nbsp;NEW&nbsp;</span>'
                     if entry.is_new else "")
            body = escape(entry.body).replace("\n", "<br>")
            parts.append(
                f'<a name="{escape(entry.id)}"></a>'
                f'<table width="100%" cellspacing="0" cellpadding="8" style="margin-bottom:8px;"'
                f' bgcolor="{background}"><tr>'
                f'<td width="5" bgcolor="{accent}"></td>'
                f'<td style="color:{foreground};">'
                f'<span style="font-weight:bold;color:{foreground};">{icon} {escape(label)}</span>{badge}'
                f'<span style="color:{foreground};"> &nbsp; {escape(meta)}</span><br>'
                f'<span style="color:{foreground};">{body}</span></td></tr></table>'
            )
        self.setHtml("".join(parts))

    def scroll_to_first_new(self) -> None:
        """Bring the first entry marked new into view (what the agent must read before sending)."""
        first = next((entry for entry in self.entries if entry.is_new), None)
        if first is not None:
            self.scrollToAnchor(first.id)
