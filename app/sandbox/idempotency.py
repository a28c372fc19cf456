"""Idempotency-Key on every POST and PATCH, applied to every router by `app_factory` (no per-route code).

Keyed per credential. The first request with a key claims it (a row with no response yet) and
runs; the middleware stores its answer when it finishes (`finish`). Then, within 24 hours:
- same method, path and body → the stored answer again, with `Idempotent-Replayed: true`;
- another method, path or body → 422 IDEMPOTENCY_KEY_REUSED;
- while the first is still running → 409 IDEMPOTENCY_KEY_IN_USE.
Answers 5xx, 401, 403 and 429 are not stored (the claim is dropped), so a retry really runs again.
Bodies are compared as canonical JSON (key order and whitespace do not matter).

A key or path holding something secret-shaped (a token pasted as the key, a key in a URL) is
stored masked plus a digest (`redaction.storable`), so the table never holds it readable and two
different values still never collide; a stored error answer (which may echo the path) is masked too. The body read here is bounded: the middleware answers 413
before any body over `--max-body-bytes` is read.

An answer that carries a secret (an API key's `secret`, a webhook's `signing_secret`) is kept
whole only in this process's memory; the database row holds it with the secret masked. A replay
after a restart therefore cannot return the secret and answers 409 saying so, instead of ever
writing a secret to disk.

Test hook (only when the process runs with OPSDESK_SANDBOX_TEST_HOOKS=1): a request carrying
`X-Test-Hold: idempotency` holds right after claiming its key until another request with the same
key has been refused with 409 (or OPSDESK_SANDBOX_TEST_HOLD_SECONDS, default 10, pass), so tests
can make a genuinely concurrent duplicate, or a request in flight, without guessing at timings.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from app.sandbox.db import Database
from app.sandbox.deps import Caller
from app.sandbox.errors import ApiProblem, invalid_request
from app.sandbox.redaction import mask_secrets, storable
from app.sandbox.request_context import current, current_request_id
from app.sandbox.test_hooks import hold_seconds, hooks_enabled
from app.sandbox.timeutil import parse_rfc3339, to_rfc3339, utcnow

MAX_KEY_LENGTH = 255
#: The header as the OpenAPI document states it on every POST and PATCH the guard covers.
HEADER_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Makes a retry safe: the same key with the same request within 24 h replays the first"
                   " answer (`Idempotent-Replayed: true`); with another body it is 422 IDEMPOTENCY_KEY_REUSED,"
                   " while the first is still running 409 IDEMPOTENCY_KEY_IN_USE.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"\S"},
}
RETENTION = timedelta(hours=24)
_STORED_HEADERS = ("content-type", "etag", "location")
_NOT_STORED = {401, 403, 429}


@dataclass(frozen=True)
class Claim:
    """This request owns `key` for `credential_id` and must store its answer when done."""

    credential_id: str
    key: str


class IdempotentReplay(Exception):
    """Raised by the guard to answer with a stored response."""

    def __init__(self, status: int, body: str, headers: dict[str, str]) -> None:
        super().__init__("replay")
        self.status, self.body, self.headers = status, body, headers


def _body_hash(body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


_holds: dict[tuple[str, str], asyncio.Event] = {}

_SECRET_FIELDS = ("secret", "signing_secret")
_SECRET_MASK = "[not retained]"
#: (credential id, key) → the full answer body of a secret-bearing response, in memory only.
_secret_answers: dict[tuple[str, str], str] = {}


def _mask_secrets(body: str) -> str | None:
    """The body with its secret fields masked, or None when it carries no secret."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not any(isinstance(data.get(f), str) for f in _SECRET_FIELDS):
        return None
    for name in _SECRET_FIELDS:
        if isinstance(data.get(name), str):
            data[name] = _SECRET_MASK
    return json.dumps(document, separators=(",", ":"))


async def idempotency_guard(request: Request, caller: Caller) -> None:
    """Router-level dependency: claim, replay or refuse the request's Idempotency-Key."""
    if request.method not in ("POST", "PATCH"):
        return
    key = request.headers.get("idempotency-key")
    if key is None:
        return
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise invalid_request("Idempotency-Key", f"must be 1–{MAX_KEY_LENGTH} characters")
    body_hash = _body_hash(await request.body())
    key = storable(key)
    path = storable(request.url.path)
    db: Database = request.app.state.db
    now = utcnow()
    with db.transaction() as conn:
        row = conn.execute("SELECT * FROM idempotency_keys WHERE credential_id = ? AND key = ?",
                           (caller.credential_id, key)).fetchone()
        if row is not None and parse_rfc3339(row["created_at"]) < now - RETENTION:
            conn.execute("DELETE FROM idempotency_keys WHERE credential_id = ? AND key = ?",
                         (caller.credential_id, key))
            _secret_answers.pop((caller.credential_id, key), None)
            row = None
        if row is None:
            conn.execute(
                "INSERT INTO idempotency_keys (credential_id, key, method, path, body_hash, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (caller.credential_id, key, request.method, path, body_hash, to_rfc3339(now)))
    if row is None:
        current().idempotency = Claim(caller.credential_id, key)
        if hooks_enabled() and request.headers.get("x-test-hold") == "idempotency":
            event = _holds.setdefault((caller.credential_id, key), asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), hold_seconds())
            except asyncio.TimeoutError:
                pass
            finally:
                _holds.pop((caller.credential_id, key), None)
        return
    if (row["method"], row["path"], row["body_hash"]) != (request.method, path, body_hash):
        raise ApiProblem(422, "IDEMPOTENCY_KEY_REUSED",
                         "This Idempotency-Key was already used for a different request; use a new key.",
                         {"fields": [{"field": "Idempotency-Key", "message": "reused with another request"}],
                          "original_method": row["method"], "original_path": row["path"]})
    if row["response_status"] is None:
        held = _holds.get((caller.credential_id, key))
        if held is not None:
            held.set()
        raise ApiProblem(409, "IDEMPOTENCY_KEY_IN_USE",
                         "A request with this Idempotency-Key is still running; retry shortly.",
                         {"field": "Idempotency-Key"}, {"Retry-After": "1"})
    body = row["response_body"]
    if _SECRET_MASK in body and _mask_secrets(body) is not None:
        body = _secret_answers.get((caller.credential_id, key))
        if body is None:
            raise ApiProblem(409, "CONFLICT",
                             "This request already succeeded, but its answer held a secret that the server "
                             "does not keep across restarts. Find the record it created and rotate its secret.",
                             {"field": "Idempotency-Key", "reason": "secret_not_retained"})
    raise IdempotentReplay(row["response_status"], body, json.loads(row["response_headers"]))


def finish(db: Database, claim: Claim, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    """Store the answer for `claim` (called by the middleware once the response is complete)."""
    with db.transaction() as conn:
        if status >= 500 or status in _NOT_STORED:
            conn.execute("DELETE FROM idempotency_keys WHERE credential_id = ? AND key = ?",
                         (claim.credential_id, claim.key))
            return
        kept = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers
                if k.decode("latin-1").lower() in _STORED_HEADERS}
        text = body.decode("utf-8", "replace")
        if status >= 400:
            # An error answer may echo what the client sent (a 404 names the id in the path, and
            # that id may be a pasted key); its replay is masked the same way.
            text = mask_secrets(text)
        masked = _mask_secrets(text)
        if masked is not None:
            _secret_answers[(claim.credential_id, claim.key)] = text
            text = masked
        conn.execute(
            "UPDATE idempotency_keys SET response_status = ?, response_body = ?, response_headers = ?"
            " WHERE credential_id = ? AND key = ?",
            (status, text, json.dumps(kept), claim.credential_id, claim.key))


def drop(db: Database, claim: Claim) -> None:
    """Release a claim whose request crashed, so a retry runs for real."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM idempotency_keys WHERE credential_id = ? AND key = ?",
                     (claim.credential_id, claim.key))


async def _on_replay(request: Request, exc: IdempotentReplay) -> Response:
    body = exc.body
    try:
        document: Any = json.loads(body)
        if isinstance(document, dict) and "request_id" in document:
            document["request_id"] = current_request_id()
            body = json.dumps(document, separators=(",", ":"))
    except ValueError:
        pass
    headers = {k: v for k, v in exc.headers.items() if k != "content-type"}
    headers["Idempotent-Replayed"] = "true"
    return Response(body, status_code=exc.status, headers=headers,
                    media_type=exc.headers.get("content-type", "application/json"))


def install(app: FastAPI) -> None:
    """Register the replay answer (app_factory calls this)."""
    app.add_exception_handler(IdempotentReplay, _on_replay)  # type: ignore[arg-type]


def document(openapi: dict[str, Any], unguarded_prefixes: tuple[str, ...]) -> None:
    """Add the Idempotency-Key header to every POST and PATCH operation the guard covers.

    The guard reads the header itself (it is a router-wide dependency, so declaring it as a
    parameter would document it on GET and DELETE too); this states it where it applies.
    """
    for path, operations in openapi.get("paths", {}).items():
        if path.startswith(unguarded_prefixes):
            continue
        for method, operation in operations.items():
            if method in ("post", "patch"):
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == HEADER_PARAMETER["name"] for p in parameters):
                    parameters.append(dict(HEADER_PARAMETER))
