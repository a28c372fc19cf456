"""What the operator types while a contact's save is on its way is not lost when the answer comes.

The sandbox saves at once; the answer is held at the console's end of the connection (`AnswersHeld`)
while the operator types into another field, then let through. Untouched fields take the saved
record's values and its version; the field typed meanwhile keeps its text, the form stays dirty,
and the next save sends it against the new version, once.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import httpx
import pytest

from app.api import AdminClient, ApiKeyAuth
from tests.ui.test_contacts_editing import click, replace_text
from tests.ui.test_contacts_panel import close_panel, make_panel, open_contact, unique
from tests.waiting import wait_until


class AnswersHeld(httpx.AsyncBaseTransport):
    """A real connection to the sandbox on which the answers to contact writes (POST, PATCH) wait
    at the console until `release()`: the server has saved, the console has not heard yet."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._released = asyncio.Event()
        #: Contact writes the server has answered (held or not).
        self.writes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method in ("POST", "PATCH") and "/contacts" in request.url.path:
            self.writes += 1
            await self._released.wait()
        return response

    def release(self) -> None:
        self._released.set()

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture
def owner_key(sandbox_credentials) -> str:
    return sandbox_credentials["test"]["owner_key"]


@asynccontextmanager
async def panel_with_held_answers(qtbot, sandbox, owner_key: str, tmp_path):
    """A contacts panel whose write answers are held (`AnswersHeld`), and a colleague's client; all
    closed afterwards, the held answers let go first."""
    other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
    line = AnswersHeld()
    panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite", transport=line)
    try:
        yield panel, line, other
    finally:
        line.release()
        await other.aclose()
        await close_panel(panel)


async def held_saving(panel, line: AnswersHeld, writes: int = 1) -> None:
    """Wait until the save's answer is held: the server has it, the form still waits."""
    await wait_until(lambda: line.writes >= writes and panel.banner.plain_text.startswith("Saving"),
                     10, f"the save never reached the server: {panel.banner.plain_text}")


def test_a_field_typed_while_the_save_is_on_its_way_keeps_its_text_and_is_saved_next(
        qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        async with panel_with_held_answers(qtbot, sandbox, owner_key, tmp_path) as (panel, line, other):
            contact = await other.contacts.create({"name": unique("Typing "), "phone": "+1 555 000 0100",
                                                   "email": f"{unique('typing')}@example.com", "notes": "old"})
            await panel.activate()
            await open_contact(panel, contact.id)
            replace_text(qtbot, panel.form.phone_edit, "+1 555 000 0199")
            # A colleague's change to the email, which I did not touch: the save merges it in.
            colleague_email = f"{unique('moved')}@example.com"
            await other.contacts.update(contact.id, {"email": colleague_email}, if_match=contact.version)
            click(panel.save_button)
            await held_saving(panel, line)

            replace_text(qtbot, panel.form.notes_edit, "typed while saving")
            assert not panel.save_button.isEnabled() and not panel.discard_button.isEnabled(), \
                "the edit on its way can be neither sent again nor discarded"
            line.release()
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)

            assert panel.form.notes_edit.toPlainText() == "typed while saving", "the answer replaced my typing"
            assert panel.form.email_edit.text() == colleague_email, "untouched fields show the saved record"
            assert panel.form.phone_edit.text() == "+1 555 000 0199"
            assert panel.form.record.version == contact.version + 2, "the next save must send the new version"
            assert f"version {contact.version + 2}" in panel.form.info.text()
            assert panel.form.dirty and panel.save_button.isEnabled(), "the typed notes are not saved yet"
            assert "Notes" in panel.banner.plain_text and "not saved yet" in panel.banner.plain_text
            assert (await other.contacts.get(contact.id)).notes == "old", "nothing typed meanwhile was sent"

            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind == "success" and not panel.form.dirty, 10,
                             panel.banner.plain_text)
            server = await other.contacts.get(contact.id)
            assert (server.phone, server.email, server.notes) == ("+1 555 000 0199", colleague_email,
                                                                  "typed while saving")
            assert server.version == contact.version + 3, "the second save went straight in, no merge"
            assert panel.form.record.version == server.version and not panel.conflict.isVisible()

    run_async(scenario(), timeout=60)


def test_typing_while_a_new_contact_is_created_updates_that_contact_next(
        qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        async with panel_with_held_answers(qtbot, sandbox, owner_key, tmp_path) as (panel, line, other):
            await panel.activate()
            click(panel.new_button)
            name, email = unique("Fresh "), f"{unique('fresh')}@example.com"
            qtbot.keyClicks(panel.form.name_edit, name)
            qtbot.keyClicks(panel.form.email_edit, email)
            click(panel.save_button)
            await held_saving(panel, line)

            qtbot.keyClicks(panel.form.phone_edit, "+1 555 000 0300")
            line.release()
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)

            created = panel.form.record
            assert created is not None and created.email == email and created.phone is None
            assert panel.form.phone_edit.text() == "+1 555 000 0300", "the answer replaced my typing"
            assert panel.form.name_edit.text() == name and panel.form.dirty

            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind == "success" and not panel.form.dirty, 10,
                             panel.banner.plain_text)
            server = await other.contacts.get(created.id)
            assert server.phone == "+1 555 000 0300" and server.version == created.version + 1
            namesakes = [c async for c in other.contacts.iterate(query=email)]
            assert [c.id for c in namesakes] == [created.id], "the contact was created once"

    run_async(scenario(), timeout=60)


def test_save_stays_off_while_on_its_way_even_when_the_form_goes_clean_and_dirty_again(
        qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        async with panel_with_held_answers(qtbot, sandbox, owner_key, tmp_path) as (panel, line, other):
            contact = await other.contacts.create({"name": unique("Twice "), "notes": "old"})
            await panel.activate()
            await open_contact(panel, contact.id)
            replace_text(qtbot, panel.form.notes_edit, "first")
            click(panel.save_button)
            await held_saving(panel, line)

            replace_text(qtbot, panel.form.notes_edit, "old")  # back as loaded: clean, then dirty again
            qtbot.keyClicks(panel.form.notes_edit, " and second")
            assert panel.form.dirty and not panel.save_button.isEnabled(), "a second save could leave"
            click(panel.save_button)
            line.release()
            await wait_until(lambda: panel.banner.kind == "success", 10, panel.banner.plain_text)

            assert line.writes == 1, "the edit was sent twice"
            assert panel.form.notes_edit.toPlainText() == "old and second" and panel.form.dirty
            server = await other.contacts.get(contact.id)
            assert server.notes == "first" and server.version == contact.version + 1

    run_async(scenario(), timeout=60)


def test_typing_while_a_conflict_is_asked_survives_the_merged_save(qtbot, run_async, sandbox, owner_key, tmp_path):
    async def scenario():
        other = AdminClient(sandbox.url, ApiKeyAuth(owner_key))
        panel = await make_panel(qtbot, sandbox.url, owner_key, tmp_path / "cache.sqlite")
        try:
            contact = await other.contacts.create({"name": unique("Asked "), "phone": "+1 555 000 0400"})
            await panel.activate()
            await open_contact(panel, contact.id)
            replace_text(qtbot, panel.form.phone_edit, "+1 555 000 0411")
            await other.contacts.update(contact.id, {"phone": "+1 555 000 0422"}, if_match=contact.version)
            click(panel.save_button)
            await wait_until(lambda: panel.conflict.isVisible(), 10, panel.banner.plain_text)

            qtbot.keyClicks(panel.form.tags_edit, "vip")  # while it asks about the phone
            choice = panel.conflict.choices["phone"]
            choice.setCurrentIndex(choice.findData("theirs"))
            click(panel.conflict.merge)
            await wait_until(lambda: panel.banner.kind in ("success", "info") and not panel.conflict.isVisible(),
                             10, panel.banner.plain_text)

            assert panel.form.tags_edit.text() == "vip", "the merged save's answer replaced my typing"
            assert panel.form.phone_edit.text() == "+1 555 000 0422", "the phone as chosen: theirs"
            assert panel.form.dirty
            click(panel.save_button)
            await wait_until(lambda: panel.banner.kind == "success" and not panel.form.dirty, 10,
                             panel.banner.plain_text)
            server = await other.contacts.get(contact.id)
            assert server.tags == ["vip"] and server.phone == "+1 555 000 0422"
        finally:
            await other.aclose()
            await close_panel(panel)

    run_async(scenario(), timeout=60)
