"""Issue 12, defect 1: a colleague's concurrent change survives my save, merged three ways.

Driven as a person would: open a contact, type, and while the form is dirty a colleague PATCHes
the same contact through the API; then Save. Fields only one of us changed merge without asking;
only a field we both changed differently is asked about, and the answer ends on the server with
every other change of both sides kept.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from app.api import AdminClient, ApiKeyAuth
from tests.ui.test_contacts_editing import click, replace_text
from tests.ui.test_contacts_panel import close_panel, make_panel, open_contact, unique
from tests.waiting import wait_until


def type_lines(qtbot, edit, lines: list[str]) -> None:
    """Replace a multi-line box's text, typed line by line with Enter between."""
    replace_text(qtbot, edit, lines[0])
    for line in lines[1:]:
        QTest.keyClick(edit, Qt.Key.Key_Return)
        qtbot.keyClicks(edit, line)


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def test_a_colleagues_change_to_other_fields_is_merged_without_asking(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            contact = await other.contacts.create({"name": unique("Clean "), "phone": "+1 555 000 0000",
                                                   "email": f"{unique('clean')}@example.com", "notes": "old"})
            await panel.activate()
            await open_contact(panel, contact.id)
            replace_text(qtbot, panel.form.notes_edit, "called back, wants a quote")
            assert panel.form.dirty
            # Meanwhile a colleague changes the phone (and the email), which I did not touch.
            colleague_email = f"{unique('moved')}@example.com"
            await other.contacts.update(contact.id, {"phone": "+1 555 111 2222", "email": colleague_email},
                                        if_match=contact.version)
            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind == "success" or panel.conflict.isVisible(), 10, "no outcome")
            assert not panel.conflict.isVisible(), "nothing to ask: we changed different fields"
            server = await other.contacts.get(contact.id)
            assert (server.phone, server.email, server.notes) == ("+1 555 111 2222", colleague_email,
                                                                  "called back, wants a quote")
            assert server.version == contact.version + 2
            notice = panel.banner.plain_text
            assert "Merged" in notice and "Phone" in notice and "Email" in notice, notice
            # The form shows the saved contact: the colleague's phone beside my notes, nothing left to save.
            assert panel.form.phone_edit.text() == "+1 555 111 2222" and not panel.form.dirty
            assert panel.form.record.version == server.version
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


@pytest.mark.parametrize("keep", ["mine", "theirs"])
def test_only_the_field_we_both_changed_is_asked_and_the_answer_keeps_the_rest(qtbot, run_async, sandbox, owner_key,
                                                                               tmp_path, keep):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            contact = await other.contacts.create({"name": unique("Both "), "phone": "+1 555 000 0000",
                                                   "email": f"{unique('both')}@example.com", "notes": "old"})
            await panel.activate()
            await open_contact(panel, contact.id)
            replace_text(qtbot, panel.form.phone_edit, "+1 555 333 4444")
            replace_text(qtbot, panel.form.notes_edit, "my notes")
            colleague_email = f"{unique('theirs')}@example.com"
            await other.contacts.update(contact.id, {"phone": "+1 555 111 2222", "email": colleague_email},
                                        if_match=contact.version)
            click(panel.save_button)
            await wait_until(lambda: panel.conflict.isVisible(), 10, panel.banner.plain_text)

            assert set(panel.conflict.choices) == {"phone"}, "only the phone was changed by both of us"
            assert panel.banner.kind == "warning" and "Phone" in panel.banner.plain_text
            assert "Email" not in panel.banner.plain_text and "req_" in panel.banner.plain_text
            assert panel.findChild(QLabel, "contacts.conflict.phone.mine").text() == "+1 555 333 4444"
            assert panel.findChild(QLabel, "contacts.conflict.phone.theirs").text() == "+1 555 111 2222"
            assert panel.findChild(QLabel, "contacts.conflict.phone.base").text() == "+1 555 000 0000"
            assert not panel.conflict.merge.isEnabled(), "undecided: nothing can be saved yet"
            assert (await other.contacts.get(contact.id)).notes == "old", "nothing is sent while it asks"

            choice = panel.conflict.choices["phone"]
            choice.setCurrentIndex(choice.findData(keep))
            assert panel.conflict.merge.isEnabled()
            click(panel.conflict.merge)
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)

            server = await other.contacts.get(contact.id)
            assert server.phone == ("+1 555 333 4444" if keep == "mine" else "+1 555 111 2222")
            assert server.email == colleague_email, "the colleague's other change survives"
            assert server.notes == "my notes", "my other change survives"
            assert not panel.conflict.isVisible() and not panel.form.dirty
            assert panel.form.phone_edit.text() == server.phone
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_custom_fields_merge_per_key_and_only_the_shared_key_is_asked(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            contact = await other.contacts.create({"name": unique("Custom "),
                                                   "custom_fields": {"tier": "silver", "seats": 5}})
            await panel.activate()
            await open_contact(panel, contact.id)
            type_lines(qtbot, panel.form.custom_edit, ["tier: gold", "seats: 5", "region: emea"])
            await other.contacts.update(contact.id, {"custom_fields": {"tier": "bronze", "seats": 9}},
                                        if_match=contact.version)
            QTest.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
            await wait_until(lambda: panel.conflict.isVisible(), 10, panel.banner.plain_text)
            assert set(panel.conflict.choices) == {"custom_fields.tier"}
            click(panel.conflict.keep_mine)
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)
            server = await other.contacts.get(contact.id)
            assert server.custom_fields == {"tier": "gold", "seats": 9, "region": "emea"}
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_discarding_while_asked_drops_the_question_and_shows_the_servers_version(qtbot, run_async, sandbox, owner_key,
                                                                                 tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            contact = await other.contacts.create({"name": unique("Drop "), "phone": "+1 555 000 0000"})
            await panel.activate()
            await open_contact(panel, contact.id)
            replace_text(qtbot, panel.form.phone_edit, "+1 555 333 4444")
            await other.contacts.update(contact.id, {"phone": "+1 555 111 2222"}, if_match=contact.version)
            click(panel.save_button)
            await wait_until(lambda: panel.conflict.isVisible(), 10, panel.banner.plain_text)
            assert panel.banner.kind == "warning"
            click(panel.discard_button)
            assert not panel.conflict.isVisible() and not panel.form.dirty
            assert panel.banner.kind != "warning", "the question's warning outlived it"
            assert panel.form.phone_edit.text() == "+1 555 111 2222", "the form shows the server's version"
            assert panel.form.record.version == contact.version + 1
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)
