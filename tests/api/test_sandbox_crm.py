"""Contacts, companies, workspace, members and me against the real sandbox process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.api import errors, models
from tests.api.sandbox_clients import owner_client, readonly_client, unique


@pytest.fixture
async def client(sandbox):
    async with owner_client(sandbox) as client:
        yield client


async def test_workspace_members_and_me_describe_the_caller(client, sandbox_credentials):
    workspace = await client.workspace.get()
    assert workspace.id == sandbox_credentials["live"]["workspace_id"]
    assert workspace.environment == "live" and "crm" in workspace.enabled_modules
    members = await client.members.list()
    assert any(m.role == "owner" for m in members.items)
    me = await client.me.get()
    assert me.kind == "api_key" and me.workspace_id == workspace.id
    assert {"crm:write", "keys:write"} <= set(me.scopes)


async def test_contact_lifecycle_with_versions(client):
    company = await client.companies.create(models.CompanyCreate(name=unique("Acme"), domain="acme.example"))
    email = unique("ada") + "@example.com"
    tag = unique("tag")
    created = await client.contacts.create({"name": "Ada Lovelace", "email": email, "company_id": company.id,
                                            "tags": [tag], "custom_fields": {"tier": "gold", "seats": 3}})
    assert created.id.startswith("con_") and created.version == 1
    assert created.company_name == company.name

    fetched = await client.contacts.get(created.id)
    assert fetched == created

    by_query = await client.contacts.list(query=email)
    assert [c.id for c in by_query.items] == [created.id]
    assert [c.id for c in (await client.contacts.list(company_id=company.id)).items] == [created.id]
    assert [c.id for c in (await client.contacts.list(tag=tag)).items] == [created.id]
    since = created.updated_at - timedelta(seconds=1)
    assert created.id in [c.id for c in (await client.contacts.list(updated_since=since, limit=100)).items]

    updated = await client.contacts.update(created.id, models.ContactUpdate(phone="+1 555 0100"),
                                           if_match=created.version)
    assert updated.version == created.version + 1 and updated.phone == "+1 555 0100"
    assert updated.email == email, "PATCH changes only the fields sent"
    cleared = await client.contacts.update(created.id, {"phone": None})
    assert cleared.phone is None

    with pytest.raises(errors.PreconditionFailed):
        await client.contacts.update(created.id, {"notes": "stale edit"}, if_match=created.version)
    assert (await client.contacts.get(created.id)).notes is None, "a stale edit changes nothing"

    with pytest.raises(errors.PreconditionFailed):
        await client.contacts.delete(created.id, if_match=created.version)
    await client.contacts.delete(created.id, if_match=cleared.version)
    with pytest.raises(errors.NotFound):
        await client.contacts.get(created.id)


async def test_contact_rules_come_back_as_typed_errors(client):
    email = unique("grace") + "@example.com"
    await client.contacts.create({"name": "Grace Hopper", "email": email})
    with pytest.raises(errors.Conflict) as taken:
        await client.contacts.create({"name": "Someone Else", "email": email})
    assert taken.value.details.get("field") == "email"
    with pytest.raises(errors.ValidationFailed) as invalid:
        await client.contacts.create({"name": "Bad Mail", "email": "not-an-email"})
    assert "email" in invalid.value.fields
    with pytest.raises(errors.NotFound):
        await client.contacts.get("con_doesnotexist000000000")


async def test_the_same_idempotency_key_creates_once(client):
    key = unique("import-row")
    name = unique("Idem")
    first = await client.contacts.create({"name": name}, idempotency_key=key)
    second = await client.contacts.create({"name": name}, idempotency_key=key)
    assert first.id == second.id
    assert [c.id for c in (await client.contacts.list(query=name)).items] == [first.id]
    with pytest.raises(errors.ValidationFailed):
        await client.contacts.create({"name": name + " changed"}, idempotency_key=key)


async def test_iterate_walks_every_page(client):
    tag = unique("bulk")
    ids = {(await client.contacts.create({"name": f"Bulk {n}", "tags": [tag]})).id for n in range(7)}
    page = await client.contacts.list(tag=tag, limit=3)
    assert len(page.items) == 3 and page.has_next
    seen = [c.id async for c in client.contacts.iterate(tag=tag, limit=3)]
    assert len(seen) == 7 and set(seen) == ids
    created = [c.created_at async for c in client.contacts.iterate(tag=tag, limit=3)]
    assert created == sorted(created, reverse=True), "newest first"


async def test_companies_list_get_create_update(client):
    name = unique("Globex")
    company = await client.companies.create({"name": name, "website": "https://globex.example"})
    assert (await client.companies.get(company.id)).website == "https://globex.example"
    assert [c.id for c in (await client.companies.list(query=name)).items] == [company.id]
    updated = await client.companies.update(company.id, {"notes": "key account"}, if_match=company.version)
    assert updated.notes == "key account" and updated.version == company.version + 1
    later = datetime.now(UTC) + timedelta(days=1)
    assert (await client.companies.list(updated_since=later)).items == []


async def test_a_read_only_key_cannot_write(sandbox):
    async with readonly_client(sandbox) as client:
        assert (await client.contacts.list(limit=1)).items
        with pytest.raises(errors.Forbidden) as refused:
            await client.contacts.create({"name": "Nope"})
        assert refused.value.required_scope == "crm:write"
