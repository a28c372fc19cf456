"""Switching back to a panel seen a moment ago paints what it has and sends nothing; F5 reloads."""

from __future__ import annotations

import asyncio

from tests.ui.shell_harness import (  # noqa: F401  (the console fixtures)
    add_profile,
    console_factory_fixture,
    console_fixture,
    wait_for_identity,
    wait_for_rows,
)


def test_switching_back_sends_no_request_until_asked_to_refresh(console, run_async, sandbox, sandbox_credentials):
    add_profile(console, "Demo", sandbox.url, sandbox_credentials["test"]["owner_key"])

    async def scenario():
        assert await console.start()
        window = console.window
        await wait_for_rows(window)
        await wait_for_identity(console)
        for name in ("tickets", "contacts"):
            window.open_module(name)
            await asyncio.shield(window.activation(name))
        sent: list[str] = []
        stop = console.session.client.add_request_listener(lambda record: sent.append(record.url))
        try:
            first = window.activation("contacts")
            window.open_module("tickets")
            window.open_module("contacts")
            assert window.activation("contacts") is first, "a panel seen a moment ago was loaded again"
            await asyncio.sleep(0)
            assert not [url for url in sent if "/contacts" in url or "/tickets" in url], sent
            window.refresh_current()
            again = window.activation("contacts")
            assert again is not first
            await asyncio.shield(again)
            assert any("/contacts" in url for url in sent), "refresh did not ask the server"
        finally:
            stop()
        await console.shutdown()

    run_async(scenario(), timeout=90)
