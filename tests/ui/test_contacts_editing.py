"""Editing contacts in the panel: field errors, duplicate emails, the 412 merge, delete, export."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from app.api import AdminClient, ApiKeyAuth
from app.ui.panels.contacts.contact_rows import ID
from tests.ui.test_contacts_panel import close_panel, make_panel, open_contact, unique
from tests.waiting import wait_until


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def replace_text(qtbot, edit, text: str) -> None:
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def test_create_shows_field_errors_then_duplicate_email_names_the_holder(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            await panel.activate()
            click(panel.new_button)
            name = unique("Ada ")
            qtbot.keyClicks(panel.form.name_edit, name)
            qtbot.keyClicks(panel.form.email_edit, "not-an-email")
            click(panel.save_button)
            await wait_until(lambda: panel.form.error_text("email"), 10, "no error beside the email field")
            assert panel.form.error_text("email").startswith("Not a valid email address"), "checked before sending"
            assert panel.form.name_edit.text() == name, "what the user typed is kept"
            # A rule only the server applies here (phone length): its 422 lands beside the field too.
            replace_text(qtbot, panel.form.email_edit, "")
            qtbot.keyClicks(panel.form.phone_edit, "5" * 60)
            click(panel.save_button)
            await wait_until(lambda: panel.form.error_text("phone"), 10, "no error beside the phone field")
            assert panel.banner.kind == "error" and "req_" in panel.banner.text
            assert "Value error" not in panel.form.error_text("phone")
            replace_text(qtbot, panel.form.phone_edit, "")

            email = f"{unique('ada')}@example.com"
            replace_text(qtbot, panel.form.email_edit, email)
            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind == "success", 10, "the contact was not created")
            created = panel.form.record
            assert created.email == email and panel.model.record(0)[ID] == created.id, "new contact on top"

            click(panel.new_button)
            qtbot.keyClicks(panel.form.name_edit, unique("Copy "))
            qtbot.keyClicks(panel.form.email_edit, email)
            click(panel.save_button)
            await wait_until(lambda: panel.form.error_text("email"), 10, "no duplicate email message")
            assert name in panel.form.error_text("email") and created.id in panel.form.error_text("email")
            assert name in panel.banner.plain_text
        finally:
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_stale_edit_is_held_and_merged_field_by_field(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            contact = await other.contacts.create({"name": unique("Merge "), "phone": "+1 555 0100", "notes": "old"})
            await panel.activate()
            await open_contact(panel, contact.id)
            # A colleague changes the phone after the panel opened the contact.
            await other.contacts.update(contact.id, {"phone": "+1 555 0199"}, if_match=contact.version)
            replace_text(qtbot, panel.form.phone_edit, "+1 555 0123")
            replace_text(qtbot, panel.form.notes_edit, "called back")
            click(panel.save_button)
            await wait_until(lambda: panel.conflict.isVisible(), 10, "the conflict was not shown")
            # Only the phone is asked about: the notes only I changed are merged without asking.
            assert set(panel.conflict.choices) == {"phone"}
            phone_choice = panel.conflict.choices["phone"]
            assert phone_choice.currentData() is None, "both sides changed the phone: the user must choose"
            assert not panel.conflict.merge.isEnabled()
            assert panel.findChild(QLabel, "contacts.conflict.phone.theirs").text() == "+1 555 0199"
            server_now = await other.contacts.get(contact.id)
            assert server_now.notes == "old", "nothing was overwritten while the conflict is open"
            phone_choice.setCurrentIndex(phone_choice.findData("theirs"))
            click(panel.conflict.merge)
            await wait_until(lambda: panel.banner.kind == "success", 10, "the merged contact was not saved")
            merged = await other.contacts.get(contact.id)
            assert (merged.phone, merged.notes) == ("+1 555 0199", "called back")
            assert merged.version == contact.version + 2
            assert panel.form.record.version == merged.version and not panel.form.dirty
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_delete_asks_first(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            contact = await other.contacts.create({"name": unique("Gone ")})
            await panel.activate()
            await open_contact(panel, contact.id)
            click(panel.delete_button)
            assert panel.confirm.isVisible() and contact.name in panel.confirm.text
            click(panel.confirm.cancel_button)
            assert (await other.contacts.get(contact.id)).id == contact.id, "cancel deleted nothing"
            click(panel.delete_button)
            click(panel.confirm.confirm_button)
            await wait_until(lambda: panel.model.row_of_id(contact.id) is None, 10, "the row stayed")
            assert panel.banner.kind == "success"
            page = await other.contacts.list(query=contact.name)
            assert contact.id not in [c.id for c in page.items]
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_export_writes_the_filtered_list_and_cancel_leaves_no_file(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        tag = unique("exp")
        try:
            made = [await other.contacts.create({"name": f"{tag} Person {i}", "tags": [tag], "email": f"{unique('e')}@x.org",
                                                 "notes": "=HYPERLINK(\"x\")"}) for i in range(3)]
            await panel.activate()
            qtbot.keyClicks(panel.search, tag)
            QTest.keyClick(panel.search, Qt.Key.Key_Return)
            await wait_until(lambda: panel.list.query.server and panel.model.rowCount() == 3, 10, "server search")
            target = tmp_path / "out.csv"
            outcomes: list[str] = []
            panel.sig_export_finished.connect(outcomes.append)
            await panel.start_export(target)
            assert outcomes == ["done"]
            with target.open(encoding="utf-8-sig") as handle:
                rows = list(csv.DictReader(handle))
            # The header names columns in words (app.ui.labels): "ID", "Tags", "Notes".
            assert sorted(r["ID"] for r in rows) == sorted(c.id for c in made)
            assert all(r["Tags"] == tag and r["Notes"].startswith("'=") for r in rows)

            # Cancel: the whole cached list in tiny chunks, cancelled at the first progress tick.
            panel.search.clear()
            await wait_until(lambda: not panel.list.query.text and panel.model.rowCount() > 3, 10)
            panel.export_chunk_rows = 5
            cancelled = tmp_path / "cancelled.csv"
            panel.export_progress.valueChanged.connect(lambda v: v > 0 and panel.export_cancel.click())
            await panel.start_export(cancelled)
            assert outcomes == ["done", "cancelled"]
            assert not cancelled.exists() and not list(tmp_path.glob("cancelled.csv*"))
            assert not panel.export_row.isVisible() and "cancelled" in panel.banner.plain_text
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)
