"""Issue 12, defect 6 (contacts): "Save or discard your changes…" lasts only as long as the changes."""

from __future__ import annotations

import pytest

from app.api import AdminClient, ApiKeyAuth
from tests.ui.test_contacts_editing import click, replace_text
from tests.ui.test_contacts_panel import (
    close_panel,
    make_panel,
    open_contact,
    record_id,
    select_row_of,
    unique,
)
from tests.waiting import wait_until

NOTICE = "Save or discard your changes"


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def test_the_unsaved_changes_warning_goes_with_discard_and_with_save(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            first = await other.contacts.create({"name": unique("First ")})
            second = await other.contacts.create({"name": unique("Second ")})
            await panel.activate()
            await open_contact(panel, first.id)

            replace_text(qtbot, panel.form.notes_edit, "half-typed")
            select_row_of(panel, second.id)
            assert NOTICE in panel.banner.plain_text and panel.banner.isVisible()
            assert record_id(panel) == first.id, "the edited contact stays open"
            click(panel.discard_button)
            assert not panel.form.dirty
            assert NOTICE not in panel.banner.plain_text, "the warning outlived the changes it was about"
            await open_contact(panel, second.id)  # and opening another now works

            # The same for New contact, and for a save instead of a discard.
            replace_text(qtbot, panel.form.notes_edit, "typed again")
            click(panel.new_button)
            assert NOTICE in panel.banner.plain_text
            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)
            assert NOTICE not in panel.banner.plain_text and not panel.form.dirty
            # Typing the text back as it was makes the form clean: the warning goes too.
            replace_text(qtbot, panel.form.notes_edit, "typed again and more")
            select_row_of(panel, first.id)
            assert NOTICE in panel.banner.plain_text
            replace_text(qtbot, panel.form.notes_edit, "typed again")
            assert not panel.form.dirty and NOTICE not in panel.banner.plain_text
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_an_error_about_the_unsaved_edit_goes_when_the_edit_is_discarded(qtbot, run_async, sandbox, owner_key,
                                                                          tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            email = f"{unique('taken')}@example.com"
            holder = await other.contacts.create({"name": unique("Holder "), "email": email})
            await panel.activate()
            click(panel.new_button)
            qtbot.keyClicks(panel.form.name_edit, unique("Copy "))
            qtbot.keyClicks(panel.form.email_edit, email)
            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind == "error", 10, "no duplicate email error")
            assert holder.id in panel.banner.plain_text
            click(panel.discard_button)
            assert not panel.form.dirty and panel.banner.kind != "error", "the error outlived the edit"
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)
