"""What the triage panel says and how it looks in the dark: human words in every label and cell
(no markup entities, no library prefixes, no wire values, no ISO stamps), and cards, notices and
warnings that stay dark with light text in the dark theme."""

from __future__ import annotations

import re
import uuid
from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextDocumentFragment
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget

from app.api import AdminClient, ApiKeyAuth
from app.ui.panels.tickets.panel import TicketsPanel
from app.ui.panels.tickets.timeline import NOTE
from app.ui.theme import apply_theme
from tests.ui.test_tickets_layout import column_of, console_window, repainted
from tests.ui.test_tickets_panel import owner_key  # noqa: F401 (fixture)
from tests.waiting import wait_until

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
SECRET_REPLY = "Here is the key: opk_test_5b1c0e9d8a7f6e5d4c3b2a1908f7e6d5 for {{customer_name}} TODO"


async def a_ticket_of_every_kind(admin: AdminClient, tag: str) -> tuple[str, list[str]]:
    """A queue of tickets whose fields are wire values with underscores (feature_request,
    waiting_on_customer, …), each with a customer message and an internal note."""
    queue = await admin.queues.create({"key": f"words{tag}", "name": f"Words {tag}",
                                       "first_response_target_minutes": 90})
    made = []
    for n, (category, source) in enumerate((("feature_request", "api"), ("data_export", "web"),
                                            ("billing", "phone"))):
        ticket = await admin.tickets.create({"subject": f"Export all our records please {tag} #{n}",
                                             "queue_id": queue.id, "category": category, "source": source,
                                             "priority": "urgent"})
        await admin.tickets.messages.create(ticket.id, {"direction": "inbound", "channel": "chat",
                                                        "body": "Can you export everything for us?"})
        await admin.tickets.comments.create(ticket.id, {"body": "Checking with the data team."})
        await admin.tickets.update(ticket.id, {"status": "waiting_on_customer"})
        made.append(ticket.id)
    return queue.id, made


def shown_texts(panel: TicketsPanel) -> dict[str, list[str]]:
    """Everything the panel shows as words, by where it is shown."""
    def plain(label: QLabel) -> str:
        return QTextDocumentFragment.fromHtml(label.text()).toPlainText() if "<" in label.text() else label.text()

    model = panel.tickets.model
    subject = column_of(panel, "Subject")
    cells = [model.data(model.index(row, column)) or "" for row in range(model.rowCount())
             for column in range(model.columnCount()) if column != subject]
    tips = [model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole) or "" for row in range(model.rowCount())
            for column in range(model.columnCount())]
    results = panel.bulk.results
    bulk = [results.item(row, 1).text() for row in range(results.rowCount())]
    choices = [combo.itemText(i) for combo in panel.findChildren(QComboBox) for i in range(combo.count())]
    queues = [panel.queues.item(row).text() for row in range(panel.queues.count())]
    thread = panel.detail.conversation.toPlainText()
    for entry in panel.detail.conversation.entries:
        thread = thread.replace(entry.body, "")  # what the customer and colleagues wrote is theirs
    labels = [plain(label) for label in panel.findChildren(QLabel) if label is not panel.detail.subject]
    return {"labels": labels, "cells": cells, "tooltips": tips, "bulk results": bulk, "choices": choices,
            "queues": queues, "thread": [thread], "banner": [panel.banner.plain_text]}


def test_every_label_and_cell_speaks_words(qtbot, run_async, monkeypatch, tmp_path, sandbox, owner_key):  # noqa: F811
    """Defect: `&#x27;` and "Value error, …" shown as text; raw enum values (`waiting_on_customer`,
    `feature_request`, "via api") and ISO times in labels and cells."""
    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        queue_id, made = await a_ticket_of_every_kind(admin, uuid.uuid4().hex[:6])
        async with console_window(qtbot, monkeypatch, tmp_path, sandbox.url, owner_key, (1200, 760)) as (_, panel):
            panel.queues.choose(queue_id)
            panel.tickets.select_ids({made[0]}, current_id=made[0])
            await wait_until(lambda: panel.snapshot is not None and panel.snapshot.ticket_id == made[0], 10)
            await wait_until(lambda: any(e.kind == NOTE for e in panel.detail.conversation.entries), 10)
            meta = panel.detail.meta.text()
            # A refused status change, alone and in bulk: the server's sentence names wire values.
            status = panel.detail.status
            status.setCurrentIndex(status.findData("new"))
            status.activated.emit(status.currentIndex())
            await wait_until(lambda: panel.banner.kind == "error", 10, "the refused change was not reported")
            panel.tickets.select_ids(set(made), current_id=made[0])
            panel.bulk.choose("status", "new")
            panel.bulk.apply.click()
            await wait_until(lambda: panel.bulk.results.rowCount() == 3 and panel.bulk.apply.isEnabled(), 30)

            shown = shown_texts(panel)
            wire = {"waiting_on_customer", "feature_request", "data_export"}
            found = []
            for where, texts in shown.items():
                for text in texts:
                    for bad in ("&#", "&amp;", "&lt;", "Value error"):
                        if bad in text:
                            found.append(f"{where}: {bad!r} in {text!r}")
                    if ISO_TIME.search(text):
                        found.append(f"{where}: an ISO time in {text!r}")
                    found += [f"{where}: {value!r} in {text!r}" for value in wire if value in text]
            for where in ("cells", "choices", "queues"):
                raw = {"urgent", "open", "new", "pending", "api", "web", "phone", "chat", "billing"}
                found += [f"{where}: the wire value {text!r}" for text in shown[where] if text in raw]
            found += [f"meta: {value!r} in {meta!r}" for value in ("feature_request", "api", "chat")
                      if re.search(rf"\b{value}\b", meta)]
            found += [f"thread: 'chat' in {shown['thread'][0]!r}"] if re.search(r"\bchat\b", shown["thread"][0]) else []
            assert not found, "\n".join(found)
            assert "Feature request" in meta and "API" in meta
            assert "Waiting on customer" in panel.banner.plain_text and "New" in panel.banner.plain_text
            assert all("Waiting on customer" in text for text in shown["bulk results"])
        await admin.aclose()

    run_async(scenario(), 90)


def dominant_colours(widget: QWidget, share: float = 0.05) -> list[QColor]:
    """The colours covering at least `share` of the widget: its backgrounds, not its text."""
    image = widget.grab().toImage()
    counts = Counter(image.pixel(x, y) for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))
    total = sum(counts.values())
    return [QColor.fromRgb(rgb) for rgb, n in counts.items() if n >= share * total]


def light_pixels(widget: QWidget) -> int:
    image = widget.grab().toImage()
    return sum(image.pixelColor(x, y).lightness() > 160 for x in range(image.width()) for y in range(image.height()))


@pytest.mark.parametrize("switched", [False, True], ids=["started-dark", "switched-to-dark"])
def test_dark_theme_notes_notices_and_warnings_are_dark_with_light_text(qtbot, run_async, monkeypatch, tmp_path,
                                                                         sandbox, owner_key, switched):  # noqa: F811
    """Defect: internal note cards stayed bright yellow in the dark theme (and the notices and the
    reply warning light pink and beige), with the theme's light text on them. Switching the theme
    while the panel is open repaints them too."""
    apply_theme(QApplication.instance(), "light" if switched else "dark")

    async def scenario():
        admin = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        queue_id, made = await a_ticket_of_every_kind(admin, uuid.uuid4().hex[:6])
        async with console_window(qtbot, monkeypatch, tmp_path, sandbox.url, owner_key, (1200, 760)) as (_, panel):
            panel.queues.choose(queue_id)
            panel.tickets.select_ids({made[0]}, current_id=made[0])
            detail = panel.detail
            await wait_until(lambda: any(e.kind == NOTE for e in detail.conversation.entries), 10, "no note shown")
            detail.show_new_activity(True)
            detail.open_composer("note")
            detail.open_composer("reply")
            detail.reply_composer.editor.setPlainText(SECRET_REPLY)
            detail.reply_composer.send.click()
            await wait_until(detail.reply_composer.warning.isVisible, 5)
            if switched:
                apply_theme(QApplication.instance(), "dark")
            await repainted(detail.reply_composer.warning)
            painted = {"conversation": detail.conversation.viewport(), "new-activity notice": detail.activity_notice,
                       "ticket's details": detail.meta,
                       "reply warning": detail.reply_composer.warning,
                       "note composer title": detail.note_composer.findChild(QLabel, "tickets.note_composer.title"),
                       "status picker": detail.status}
            for name, widget in painted.items():
                bright = [c.name() for c in dominant_colours(widget) if c.lightness() > 110]
                assert not bright, f"the {name} is bright in the dark theme: {bright}"
                assert light_pixels(widget) > 30, f"the {name} has no light text to read"
        await admin.aclose()

    try:
        run_async(scenario(), 90)
    finally:
        apply_theme(QApplication.instance(), "light")
