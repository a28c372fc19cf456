"""The client's resource calls on every dialect's sandbox mount: the same bodies for every platform.

What a platform's manifest says it lacks is asserted absent (the call raises `NotSupported` and
nothing goes over the wire); everything it offers must behave as the contract says.
"""

from __future__ import annotations

import uuid

import pytest

from app.api import errors
from tests.api.sandbox_clients import unique
from tests.dialects.conftest import (
    REFUSING_RECEIVER,
    delete_webhook,
    dialect_client,
    dialect_section,
)


def _require(client, operation: str) -> None:
    if not client.dialect.manifest.supports(operation):
        pytest.skip(f"{client.dialect.manifest.display_name} has no {operation} (asserted in test_absent_operations)")


async def test_absent_operations_are_refused_without_a_request(sandbox, dialect_name):
    async with dialect_client(sandbox, dialect_name) as client:
        sent = []
        client.add_request_listener(sent.append)
        manifest = client.dialect.manifest
        probes = {"contacts.list": client.contacts.list, "companies.list": client.companies.list,
                  "tickets.list": client.tickets.list, "invoices.list": client.invoices.list,
                  "webhooks.list": client.webhooks.list, "api_keys.list": client.api_keys.list,
                  "events.list": client.events.list}
        for operation, call in probes.items():
            if manifest.supports(operation):
                continue
            with pytest.raises(errors.NotSupported) as refused:
                await call()
            assert refused.value.message  # the sentence the console shows
        assert sent == []


async def test_contacts_list_get_create_update(sandbox, dialect_name):
    async with dialect_client(sandbox, dialect_name) as client:
        _require(client, "contacts.list")
        page = await client.contacts.list(limit=5)
        assert 0 < len(page.items) <= 5
        assert page.has_next  # the demo workspace has hundreds
        second = await page.next_page()
        assert second is not None and {c.id for c in second.items}.isdisjoint({c.id for c in page.items})
        if client.dialect.manifest.supports("contacts.get"):
            one = await client.contacts.get(page.items[0].id)
            assert one.id == page.items[0].id and one.name == page.items[0].name
        if client.dialect.manifest.supports("contacts.create"):
            name = unique("Dialect Person")
            created = await client.contacts.create({"name": name, "email": f"{uuid.uuid4().hex[:12]}@example.com"})
            assert created.name == name
            if client.dialect.manifest.supports("contacts.update"):
                changed = await client.contacts.update(created.id, {"notes": "called back"},
                                                       if_match=created.version)
                assert changed.notes == "called back"
                with pytest.raises(errors.PreconditionFailed):
                    await client.contacts.update(created.id, {"notes": "stale"}, if_match=created.version)


async def test_contacts_paging_walks_every_record_once(sandbox, dialect_name):
    async with dialect_client(sandbox, dialect_name) as client:
        _require(client, "contacts.list")
        seen: list[str] = []
        page = await client.contacts.list(limit=100)
        async for contact in page:
            seen.append(contact.id)
        assert len(seen) == len(set(seen)) >= 300


async def test_companies(sandbox, dialect_name):
    async with dialect_client(sandbox, dialect_name) as client:
        _require(client, "companies.list")
        page = await client.companies.list(limit=3)
        assert page.items and all(company.name for company in page.items)


async def test_invoices_list_and_get(sandbox, dialect_name):
    async with dialect_client(sandbox, dialect_name) as client:
        _require(client, "invoices.list")
        page = await client.invoices.list(limit=5)
        assert page.items
        invoice = page.items[0]
        assert invoice.total_cents >= 0 and invoice.currency
        if client.dialect.manifest.supports("invoices.get"):
            again = await client.invoices.get(invoice.id)
            assert again.id == invoice.id and again.total_cents == invoice.total_cents


async def test_webhooks_list_and_create(sandbox, dialect_name):
    async with dialect_client(sandbox, dialect_name) as client:
        _require(client, "webhooks.list")
        await client.webhooks.list()
        if client.dialect.manifest.supports("webhooks.create"):
            # A receiver that refuses at once: the shared sandbox's worker never waits on it.
            created = await client.webhooks.create({"name": unique("Dialect hook"),
                                                    "url": f"{REFUSING_RECEIVER}/{unique('d')}",
                                                    "event_types": ["contact.created"]})
            try:
                assert created.url.startswith(REFUSING_RECEIVER)
                listed = [hook.id async for hook in await client.webhooks.list(limit=100)]
                assert created.id in listed
            finally:
                await delete_webhook(sandbox, created.id)


async def test_tickets_list(sandbox, dialect_name):
    async with dialect_client(sandbox, dialect_name) as client:
        _require(client, "tickets.list")
        page = await client.tickets.list(limit=5)
        assert page.items and all(ticket.subject for ticket in page.items)


async def test_identity(sandbox, dialect_name):
    """Every dialect can say which workspace the credential is in (GET /me or its own way)."""
    async with dialect_client(sandbox, dialect_name) as client:
        me = await client.me.get()
        workspace = sandbox.credentials()["live"]["workspace_id"]
        assert me.workspace_id == workspace


async def test_read_only_credentials_cannot_write(sandbox, dialect_name):
    if "readonly" not in dialect_section(sandbox, dialect_name):
        pytest.skip("this platform has no read-only credential")
    async with dialect_client(sandbox, dialect_name, readonly=True) as client:
        manifest = client.dialect.manifest
        if manifest.supports("contacts.create"):
            with pytest.raises(errors.Forbidden):
                await client.contacts.create({"name": unique("Nope")})
        elif manifest.supports("webhooks.create"):
            with pytest.raises(errors.ApiError) as refused:
                await client.webhooks.create({"name": unique("Nope"), "url": f"{REFUSING_RECEIVER}/nope",
                                              "event_types": ["contact.created"]})
            # Refused by the server, or before sending because the read-only set lacks the write credential.
            assert isinstance(refused.value, errors.Forbidden) or "key" in refused.value.message
        else:
            pytest.skip("this platform has no write to try")
