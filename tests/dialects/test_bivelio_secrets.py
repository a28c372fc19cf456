"""After a BiVelio session (list, create, an error), none of its secrets is anywhere a person or a
file could read them: the client's request records, cURL and HAR exports, the sandbox's request
log and the sandbox's own log output."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from app.api import errors
from app.api.export import to_curl, to_har
from tests.dialects.conftest import dialect_client, dialect_section


async def test_no_bivelio_secret_leaks(sandbox):
    section = dialect_section(sandbox, "bivelio")
    secrets = [section["api_key"], section["readonly"]["api_key"]]
    records = []
    async with dialect_client(sandbox, "bivelio") as client:
        client.add_request_listener(records.append)
        await client.contacts.list(limit=3)
        await client.contacts.create({"name": "Secret Scan", "email": f"{uuid.uuid4().hex[:10]}@example.com"})
        hook = await client.webhooks.create({"name": "scan", "url": "http://127.0.0.1:9/scan",
                                             "event_types": ["contact.created"]})
        secrets.append(hook.signing_secret)
    async with dialect_client(sandbox, "bivelio", readonly=True) as client:
        client.add_request_listener(records.append)
        with pytest.raises(errors.Forbidden):
            await client.contacts.create({"name": "Nope"})
    assert len(records) >= 4 and any(record.header("X-API-Key", response=False) for record in records)

    texts = {"records": repr(records), "curl": "\n".join(to_curl(record) for record in records),
             "har": json.dumps(to_har(records))}
    owner = sandbox.credentials()["live"]["owner_key"]
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        log = await http.get("/dev/api-requests", params={"limit": 100}, headers={"Authorization": f"Bearer {owner}"})
    assert log.status_code == 200 and any("/dialects/bivelio/" in row["path"] for row in log.json()["data"])
    texts["sandbox request log"] = log.text
    assert "x-api-key" in texts["har"].lower() and "x-api-key: [REDACTED]" in texts["curl"]  # there, masked
    texts["sandbox log output"] = sandbox.stderr_path.read_text(errors="replace")
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"a BiVelio secret in the {where}"
            assert secret[-12:] not in text, f"the end of a BiVelio secret in the {where}"
