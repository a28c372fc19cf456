"""A contact's email is checked beside the field before anything is sent, in the server's words."""

from __future__ import annotations

import pytest

from app.api.errors import field_text
from tests.ui.test_contacts_editing import click, replace_text
from tests.ui.test_contacts_panel import close_panel, make_panel, open_contact
from tests.waiting import wait_until


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


def test_a_bad_email_is_refused_beside_the_field_without_a_request(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        sent: list[str] = []
        try:
            await panel.activate()
            contact = (await panel.stores.contacts.cached_where(limit=1))[0]
            await open_contact(panel, contact.id)
            stop = panel.stores.client.add_request_listener(lambda record: sent.append(record.method))
            replace_text(qtbot, panel.form.email_edit, "ada at example")
            click(panel.save_button)
            await wait_until(lambda: panel.form.error_text("email") != "", 5, "no error beside the field")
            message = panel.form.error_text("email")
            assert message.startswith("Not a valid email address") and "Value error" not in message
            assert "PATCH" not in sent, "the form sent what it already knew the server refuses"
            stop()
        finally:
            await close_panel(panel)

    run_async(scenario(), timeout=60)


def test_a_servers_field_message_loses_the_validation_librarys_prefix():
    assert field_text("Value error, not a valid email address, e.g. ada@example.com") == \
        "Not a valid email address, e.g. ada@example.com"
    assert field_text("must be at least 1") == "must be at least 1"
