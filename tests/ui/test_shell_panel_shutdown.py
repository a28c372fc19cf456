"""Closing a session lets panels put back what they hold on the server: "Listen locally" is undone
(the chosen endpoint's URL restored, a temporary endpoint deleted) on a profile switch, a sign-out
and a quit, checked on the real sandbox."""

from __future__ import annotations

import uuid

import pytest

from app.api import AdminClient, ApiKeyAuth, errors
from tests.ui.shell_harness import (  # noqa: F401  (the console fixtures)
    add_profile,
    console_factory_fixture,
    console_fixture,
    wait_for_identity,
)
from tests.waiting import wait_until

ORIGINAL_URL = "https://example.com/hooks/opsdesk-shell-test"


async def start_listening(console, endpoint_id: str | None) -> str:
    """Open the webhooks panel, point `endpoint_id` (None: a new temporary one) here, click Start."""
    await wait_for_identity(console)  # the panel reads its write scope when it is built
    page = console.window.open_module("webhooks")
    await console.window.activation("webhooks")
    listen = page.listen
    page.tabs.setCurrentWidget(listen)
    await wait_until(lambda: any(getattr(listen.target.itemData(i), "id", None) == endpoint_id
                                 for i in range(listen.target.count())), 10, "the endpoint was never listed")
    await wait_until(listen.start_button.isEnabled, 10, "Start listening stayed disabled")
    index = next(i for i in range(listen.target.count())
                 if getattr(listen.target.itemData(i), "id", None) == endpoint_id)
    listen.target.setCurrentIndex(index)
    listen.start_button.click()
    await wait_until(lambda: listen.endpoint_id is not None and listen.listener.running, 15,
                     "listening did not start")
    return listen.endpoint_id


@pytest.mark.parametrize("closing", ["switch profile", "sign out", "quit"])
def test_closing_the_session_restores_an_endpoint_pointed_here(console, run_async, sandbox, sandbox_credentials,
                                                               closing):
    key = sandbox_credentials["test"]["owner_key"]
    add_profile(console, "One", sandbox.url, key)
    add_profile(console, "Two", sandbox.url, key)

    async def scenario():
        async with AdminClient(sandbox.url, ApiKeyAuth(key)) as owner:
            endpoint = await owner.webhooks.create({
                "name": f"Shell shutdown {uuid.uuid4().hex[:8]}", "url": ORIGINAL_URL, "event_types": ["contact.created"],
            })
            try:
                assert await console.start("One")
                await start_listening(console, endpoint.id)
                assert (await owner.webhooks.get(endpoint.id)).url.startswith("http://127.0.0.1:")
                if closing == "switch profile":
                    assert await console.switch_profile("Two")
                elif closing == "sign out":
                    await console.sign_out("the key was revoked")
                else:
                    await console.shutdown()
                assert (await owner.webhooks.get(endpoint.id)).url == ORIGINAL_URL
            finally:
                await owner.webhooks.delete(endpoint.id)

    run_async(scenario(), timeout=90)


def test_quitting_deletes_the_temporary_endpoint(console, run_async, sandbox, sandbox_credentials):
    key = sandbox_credentials["test"]["owner_key"]
    add_profile(console, "One", sandbox.url, key)

    async def scenario():
        assert await console.start("One")
        temporary = await start_listening(console, None)
        await console.shutdown()
        async with AdminClient(sandbox.url, ApiKeyAuth(key)) as owner:
            with pytest.raises(errors.NotFound):
                await owner.webhooks.get(temporary)

    run_async(scenario(), timeout=90)
