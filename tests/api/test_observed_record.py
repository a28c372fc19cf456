"""The records the transport hands its listeners are built lazily, and still never carry a secret.

A record's masked headers and bodies are built on first read (`ObservedRecord`), off the path of
the call it records. These tests hold a record that has not been read yet, with a real sandbox
answering, and check that whatever way it is read — a field, `repr`, `asdict`, a copy, a pickle,
the history's write to the cache — no secret comes out, and that the raw exchange is let go.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
import re

import pytest

from app.api import AdminClient, ApiKeyAuth, constants
from app.api.records import ObservedRecord, RequestRecord
from app.api.redaction import SECRET_TOKEN_RE, SHORTEST_TOKEN, mask_body
from app.data.request_history import record_to_dict
from tests.api.sandbox_clients import unique


async def _unread_records_of_a_key_creation(sandbox) -> tuple[list[ObservedRecord], set[str]]:
    owner_key = sandbox.credentials()["live"]["owner_key"]
    records: list[ObservedRecord] = []
    async with AdminClient(sandbox.url, ApiKeyAuth(owner_key)) as owner:
        owner.add_request_listener(records.append)
        created = await owner.api_keys.create({"name": unique("lazy"), "scopes": ["crm:read"]})
        await owner.contacts.list(limit=100)  # a streamed body, longer than a record keeps
        await owner.api_keys.revoke(created.id)
    return records, {owner_key, created.secret}


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return [secret[:12] + "…" for secret in secrets if secret in text]


@pytest.mark.parametrize("read", ["fields", "repr", "asdict", "copy", "pickle", "history"])
async def test_a_record_read_after_the_call_shows_no_secret(sandbox, read):
    records, secrets = await _unread_records_of_a_key_creation(sandbox)
    assert records and all(isinstance(r, ObservedRecord) and r._parts is not None for r in records), \
        "the records were built before anyone read them"
    if read == "fields":
        text = "\n".join(f"{r.request_headers} {r.response_headers} {r.request_body} {r.response_body}"
                         for r in records)
    elif read == "repr":
        text = "\n".join(repr(r) for r in records)
    elif read == "asdict":
        text = "\n".join(json.dumps(dataclasses.asdict(r), default=str) for r in records)
    elif read == "copy":
        copies = [copy.copy(r) for r in records]
        assert all(type(c) is RequestRecord for c in copies)
        text = "\n".join(repr(c) for c in copies)
    elif read == "pickle":
        text = "\n".join(repr(pickle.loads(pickle.dumps(r))) for r in records)
    else:
        text = "\n".join(json.dumps(record_to_dict(r), default=str) for r in records)
    assert not _leaks(text, secrets)
    assert "Bearer [REDACTED]" in text, "the Authorization header was not recorded (masked)"
    assert all(r._parts is None for r in records), "a built record still holds the raw exchange"


async def test_a_lazily_built_record_is_the_record_an_eager_build_makes(sandbox):
    records, _ = await _unread_records_of_a_key_creation(sandbox)
    page = next(r for r in records if r.method == "GET" and "/contacts" in r.url)
    assert page.response_size > constants.RECORD_BODY_LIMIT_BYTES
    assert page.response_body.endswith(f"[{page.response_size - constants.RECORD_BODY_LIMIT_BYTES} more bytes]")
    eager = RequestRecord(**{f.name: getattr(page, f.name) for f in dataclasses.fields(RequestRecord)})
    assert eager == page and page == eager and hash(eager) == hash(page)
    assert page.header("x-request-id") == page.request_id


def test_every_token_shape_is_at_least_as_long_as_the_shortcut_assumes():
    # mask_tokens returns texts shorter than SHORTEST_TOKEN untouched: no pattern may match one.
    for pattern in constants.SECRET_TOKEN_PATTERNS:
        shortest = re._parser.parse(pattern).getwidth()[0]
        assert shortest >= SHORTEST_TOKEN, pattern


@pytest.mark.parametrize("prefix", ["opk_live_", "whsec_", "eyJ", "bbk_"])
def test_a_token_head_at_the_cut_is_masked_after_a_long_clean_body(prefix):
    if prefix not in constants.SECRET_TOKEN_PREFIXES:
        pytest.skip(f"{prefix} is not a token shape here")
    body = ('{"note": "' + "x y " * 2000 + prefix + "Q" * 60 + '"}').encode()
    cut = body.index(prefix.encode()) + len(prefix) + 5
    masked = mask_body(body, limit=cut)
    assert "QQQQ" not in masked and masked.count(constants.REDACTED) == 1


@pytest.mark.parametrize("prefix", constants.SECRET_TOKEN_PREFIXES)
def test_every_token_shape_in_a_long_body_is_masked(prefix):
    # mask_tokens only runs its pattern when a prefix's stem is found: every prefix must be found.
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl" if prefix == "eyJ" else prefix + "A1b2" * 6
    assert SECRET_TOKEN_RE.fullmatch(token), token
    body = ('{"data": [' + '{"id": "con_000VcerpTNIf7Vk1", "company_id": "com_000Uzj57"}, ' * 40
            + '{"note": "left here: ' + token + '"}]}').encode()
    masked = mask_body(body, limit=len(body))
    assert token not in masked and masked.count(constants.REDACTED) == 1
