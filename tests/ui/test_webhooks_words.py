"""The webhooks panel speaks words: no markup entities, no library prefixes, no raw enum values or
event identifiers, no ISO time stamps in any label, table cell or choice, after the sandbox's data
is loaded into every tab; times are relative with the exact time on hover.

`shown_texts` and `word_problems` are shared with the API keys and quota tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QWidget

from app.api.models.webhooks import EVENT_TYPES
from app.core.webhook_listener import WebhookListener
from app.ui.labels import SPECIAL
from app.ui.time_text import exact
from tests.ui.test_api_keys import open_session
from tests.ui.test_webhooks import opened_panel
from tests.waiting import wait_until

#: Values the platform sends that must never reach the screen as they are.
RAW_VALUES = frozenset(
    {value for values in SPECIAL.values() for value in values}
    | set(EVENT_TYPES)
    | {"expiring soon", "expired", "revoked", "pending", "retrying", "succeeded", "failed", "api_key", "user",
       "other", "month", "day", "none", "api_calls", "ai_calls", "storage_bytes", "seats",
       "crm", "support", "billing", "integrations", "keys", "logs", "quota", "workspace", "auth"}
)
#: Identifiers (with `_` or `.`) a sentence might carry raw, e.g. "waiting_on_customer", "invoice.paid".
_IDENTIFIER = re.compile(r"(?<![\w./:@-])[a-z][a-z0-9]*(?:[._][a-z0-9]+)+(?![\w/:@-])")
_ISO_STAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?")


def _plain(text: str) -> str:
    return QTextDocumentFragment.fromHtml(text).toPlainText() if GuiQt.mightBeRichText(text) else text


def column_of(model, title: str) -> int:
    """The column with this header title (tests find columns as an operator does, by name)."""
    titles = [model.headerData(column, Qt.Orientation.Horizontal) for column in range(model.columnCount())]
    return titles.index(title)


def shown_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every label, every table cell and every choice under `root`, as read."""
    found: list[tuple[str, str]] = []
    for label in root.findChildren(QLabel):
        found.append((label.objectName() or "label", _plain(label.text())))
    for combo in root.findChildren(QComboBox):
        found += [(f"{combo.objectName()}[{i}]", combo.itemText(i)) for i in range(combo.count())]
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                value = model.index(row, column).data()
                if value is not None:
                    found.append((f"{view.objectName()}[{row},{column}]", str(value)))
    return found


def word_problems(texts: Iterable[tuple[str, str]]) -> list[str]:
    """What an operator should never read: entities, pydantic's prefix, raw values, ISO stamps."""
    problems = []
    for where, text in texts:
        stripped = text.strip()
        if "&#" in text or "Value error" in text:
            problems.append(f"{where}: {text!r}")
        elif stripped in RAW_VALUES:
            problems.append(f"{where}: raw value {stripped!r}")
        elif any(token in RAW_VALUES for token in _IDENTIFIER.findall(text)):
            problems.append(f"{where}: raw identifier in {text!r}")
        elif _ISO_STAMP.search(text):
            problems.append(f"{where}: ISO time in {text!r}")
    return problems


def test_every_tab_of_the_webhooks_panel_reads_as_words(qtbot, run_async, sandbox, sandbox_credentials,
                                                         tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        receiver = WebhookListener(lambda _d: None)
        await receiver.start()
        webhook = await session.client.webhooks.create(
            {"name": "Everything O'Brien's feed", "url": receiver.url, "event_types": list(EVENT_TYPES)})
        await session.client.webhooks.test(webhook.id)
        panel = await opened_panel(qtbot, session)
        try:
            panel.select_endpoint(webhook.id)
            await wait_until(lambda: not session.context.tasks, 10)  # the endpoint's detail is read
            view = panel.deliveries
            await wait_until(lambda: view.model.rowCount() > 0, 10, "the delivery log stayed empty")
            view.table.selectRow(0)
            await wait_until(lambda: view.attempts.rowCount() > 0 or view.summary.text().startswith("“"), 10)
            await wait_until(lambda: not session.context.tasks, 10)
            texts = shown_texts(panel)
            assert any("Everything O'Brien's feed" == text for _, text in texts)  # shown, not escaped
            assert word_problems(texts) == []
            row = panel.model.row_of_id(webhook.id)
            last = panel.model.index(row, column_of(panel.model, "Last delivery"))
            shown = panel.model.rows[row].last_delivery_at
            assert last.data(Qt.ItemDataRole.ToolTipRole) == (exact(shown) if shown else "No delivery yet")
        finally:
            await receiver.stop()
            await session.close()

    run_async(scenario(), timeout=60)


def test_the_word_check_catches_what_operators_saw(qtbot) -> None:
    """The check itself: each of the issue's examples is caught, and ordinary sentences pass."""
    seen = [("a", "server&#x27;s totals match"), ("b", "Value error, not a valid email address"),
            ("c", "partially_paid"), ("d", "contact.created, contact.updated"), ("e", "active"),
            ("f", "2026-12-02 14:05")]
    assert len(word_problems(seen)) == len(seen)
    fine = [("a", "Active"), ("b", "Send a test event to check your receiver."), ("c", "https://hooks.example.com/x"),
            ("d", "opk_test_AbCd…wxyz"), ("e", "crm:read logs:read"), ("f", "3 d ago"), ("g", "failed after 5 attempts")]
    assert word_problems(fine) == []
