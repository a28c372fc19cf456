"""Two rotated keys both named "Audit key": the list and the revoke question tell them apart by
prefix…last4 and creation time, and typing the name alone cannot revoke either; the panel reads as
words at 1200×760 and 1024×700 (statuses, environments, relative times with the exact on hover)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.api import AdminClient, ApiKeyAuth
from app.ui.time_text import exact, relative
from tests.ui.test_api_keys import child, click, dialog, open_session, top_level
from tests.ui.test_webhooks_layout import (  # noqa: F401  (first_run_columns: autouse)
    SIZES,
    first_run_columns,
    needed_width,
    visible_width,
    window_with,
)
from tests.ui.test_webhooks_words import column_of, shown_texts, word_problems
from tests.waiting import wait_until


async def rotated_audit_keys(client) -> tuple:
    """An "Audit key" rotated with a day's grace: the old one (still working) and the new one."""
    original = await client.api_keys.create({"name": "Audit key", "scopes": ["logs:read"]})
    rotated = await client.api_keys.rotate(original.id, 24)
    return original, rotated


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_same_named_keys_read_apart_in_the_list(qtbot, run_async, sandbox, sandbox_credentials, tmp_path,
                                                size) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        old, new = await rotated_audit_keys(session.client)
        try:
            _window, panel = await window_with(qtbot, session, "api_keys", size, tmp_path)
            table, model = panel.table, panel.model
            columns = {title: column_of(model, title) for title in ("Name", "Key", "Status", "Created", "Expires")}
            shown = {title: visible_width(table, column) for title, column in columns.items()}
            print(f"api keys at {size[0]}x{size[1]}: visible widths {shown}")
            rows = [model.row_of_id(old.id), model.row_of_id(new.id)]
            cells = {title: [model.index(row, column).data() for row in rows] for title, column in columns.items()}
            assert cells["Name"] == ["Audit key", "Audit key"]
            assert cells["Key"] == [f"{old.prefix}…{old.last4}", f"{new.prefix}…{new.last4}"]
            assert cells["Status"] == ["Expiring soon", "Active"]  # the old one works through its grace day
            for title in ("Name", "Key", "Status", "Created", "Expires"):
                every = cells[title] if title == "Name" else [
                    model.index(row, columns[title]).data() for row in range(model.rowCount())]
                assert shown[title] >= needed_width(table, every + [title]), f"{title} is cut or off-screen"
            for row, key in zip(rows, (old, new)):
                created = model.index(row, columns["Created"])
                assert created.data() == relative(key.created_at)
                assert created.data(Qt.ItemDataRole.ToolTipRole) == exact(key.created_at)
            assert word_problems(shown_texts(panel)) == []
        finally:
            await session.close()

    run_async(scenario(), timeout=60)


def test_revoking_one_of_two_same_named_keys_needs_its_prefix_and_last_four(qtbot, run_async, sandbox,
                                                                           sandbox_credentials, tmp_path) -> None:
    async def scenario() -> None:
        session = await open_session(sandbox.url, sandbox_credentials["test"]["owner_key"], tmp_path)
        old, new = await rotated_audit_keys(session.client)
        new_secret = new.secret
        try:
            _window, panel = await window_with(qtbot, session, "api_keys", (1200, 760), tmp_path)
            panel.select_key(old.id)
            click(panel.revoke_button)
            confirm = await dialog("confirm_dialog")
            message = child(confirm, "confirm_dialog.message").text()
            assert f"{old.prefix}…{old.last4}" in message and relative(old.created_at) in message
            assert f"{new.prefix}…{new.last4}" in message  # the namesake that stays, named too
            typed, button = child(confirm, "confirm_dialog.typed"), child(confirm, "confirm_dialog.confirm")
            QTest.keyClicks(typed, "Audit key")
            assert not button.isEnabled(), "the name alone fits both keys"
            typed.clear()
            QTest.keyClicks(typed, f"{new.prefix}...{new.last4}")
            assert not button.isEnabled(), "the other key's prefix…last4 revokes nothing here"
            typed.clear()
            QTest.keyClicks(typed, f"{old.prefix}...{old.last4}")  # three dots do for the ellipsis
            click(button)
            await wait_until(lambda: top_level("confirm_dialog") is None and not session.context.tasks, 10)
            statuses = {key.id: key.status async for key in (await session.client.api_keys.list()).iter_items()}
            assert statuses[old.id] == "revoked" and statuses[new.id] != "revoked"
            assert f"{old.prefix}…{old.last4}" in panel.banner.plain_text
            async with AdminClient(sandbox.url, ApiKeyAuth(new_secret), max_retries=0) as kept:
                assert (await kept.me.get()).id == new.id
        finally:
            await session.close()

    run_async(scenario(), timeout=60)
