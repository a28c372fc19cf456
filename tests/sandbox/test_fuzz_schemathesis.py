"""Fuzz every operation of the served OpenAPI document with schemathesis against a real sandbox
process, authenticated as the workspace owner, with every check on: no 5xx, every answer matches
the schema, status and headers it declares, `Allow` is right, schema-violating requests are
refused, and schema-valid requests are accepted.

That last check (`positive_data_acceptance`, "schema-valid request rejected") is allowed to fail
only for the rules no OpenAPI document can state: a value only the server can mint (a cursor), the
current state of a record (its version for If-Match, an Idempotency-Key already used, an invoice
with no lines), ids that must name a record of this workspace, and rules across fields. Each is
recognised by the answer it gets (`UNSTATABLE`; app/sandbox/README.md lists them with the measured
counts). A refusal of any other kind means the document under-states a rule, and fails the test.

The credential is the owner's user access token (every scope), not the owner API key: schemathesis
reuses ids it has seen in answers, so it finds the owner key in `GET /api-keys` and revokes or
rotates it, and the rest of the run would only test the 401 path. No API call can revoke a user
sign-in other than by refresh-token reuse, which the fuzzer cannot stage.

The run is schemathesis's own CLI (its coverage phase touches every operation with boundary and
invalid values, then property-based fuzzing spends the time budget), bounded by
OPSDESK_FUZZ_SECONDS (default 100; about two minutes in all on 2 cores) and OPSDESK_FUZZ_EXAMPLES
per operation (default 10). The stateful phase is left out to keep the budget on bad input rather
than multi-step scenarios. `-s` prints the counts per kind.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from app.core.sandbox_process import SandboxProcess

FUZZ_SECONDS = os.environ.get("OPSDESK_FUZZ_SECONDS", "100")
FUZZ_EXAMPLES = os.environ.get("OPSDESK_FUZZ_EXAMPLES", "10")
CHECKS = "all"
ACCEPTANCE = "positive_data_acceptance"

#: The kinds of refusal a valid-by-the-document request may get, and why no schema can say so.
UNSTATABLE = {
    "cursor": "a cursor is a position signed by the server; only one it issued is accepted",
    "if_match": "If-Match must name the record's current version (412 otherwise)",
    "idempotency_key_reused": "an Idempotency-Key already used with another request (422 IDEMPOTENCY_KEY_REUSED)",
    "reference": "an id in the body must name a record of this workspace (422 naming the field)",
    "referenced_state": "the record an id names must be usable (a ticket's queue must not be archived)",
    "record_state": "the record's own state: sending an invoice with no lines or a zero total; a payment above"
                    " the amount due or in another currency than the invoice; a recover while another runs"
                    " on the endpoint, or cancelling a finished one",
    "across_fields": "a rule across fields: an invoice total at most 10^15 cents, due_date not before"
                     " issue_date, custom_field_value only with custom_field_key, a recover window of at"
                     " most 31 days ending after it starts",
}


def refusal_kind(status: int, body: bytes) -> str | None:
    """Which `UNSTATABLE` kind a refusal of a schema-valid request is, or None (a stated rule)."""
    try:
        error = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        return None
    code, message = error.get("code"), error.get("message", "")
    fields = [f.get("field") for f in error.get("details", {}).get("fields", [])]
    messages = [f.get("message", "") for f in error.get("details", {}).get("fields", [])]
    if status == 400 and fields == ["cursor"] and "not a cursor this server issued" in messages[0]:
        return "cursor"
    if status == 412 and code == "PRECONDITION_FAILED":
        return "if_match"
    if status == 422 and code == "IDEMPOTENCY_KEY_REUSED":
        return "idempotency_key_reused"
    if status == 422 and fields and all(m.endswith("in this workspace") for m in messages):
        return "reference"
    if status == 422 and fields == ["queue_id"] and "archived" in messages[0]:
        return "referenced_state"
    if status == 409 and code == "CONFLICT" and "recover job" in message.lower():
        return "record_state"
    if status == 422 and (fields == ["line_items"] and "to be sent" in messages[0]
                          or fields == ["amount_cents"] and "amount due" in messages[0]
                          or fields == ["currency"] and messages[0].startswith("the invoice is in")):
        return "record_state"
    if (status == 422 and (fields == ["line_items"] and "the total may be at most" in messages[0]
                           or fields == ["due_date"] and "on or after issue_date" in messages[0])
            or status == 400 and fields == ["custom_field_key"] and "custom_field_value" in message
            or status == 422 and fields == ["since"] and "the window is at most" in messages[0]
            or status == 422 and fields == ["until"] and "later than since" in messages[0]):
        return "across_fields"
    return None


def _response(interaction: dict) -> tuple[int, bytes]:
    response = interaction.get("response") or {}
    content = response.get("content") or b""
    if isinstance(content, dict):
        content = base64.b64decode(content.get("$base64", ""))
    elif isinstance(content, str):
        content = content.encode()
    return response.get("status_code", 0), content


def read_report(path: Path) -> tuple[Counter, Counter, list[str], list[str]]:
    """(refusals per kind, unique (operation, kind) pairs per kind, unexplained failures, errors)."""
    per_kind: Counter[str] = Counter()
    unique: set[tuple[str, str]] = set()
    unexplained: list[str] = []
    errors: list[str] = []
    for line in path.read_text().splitlines():
        event = json.loads(line)
        if "NonFatalError" in event or "FatalError" in event:
            errors.append(line[:600])
        scenario = event.get("ScenarioFinished")
        if not scenario:
            continue
        recorder = scenario["recorder"]
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check["status"] != "failure":
                    continue
                interaction = recorder.get("interactions", {}).get(case_id, {})
                status, body = _response(interaction)
                kind = refusal_kind(status, body) if check["name"] == ACCEPTANCE else None
                if kind is None:
                    unexplained.append(f"{recorder['label']}: {check['name']} → {status} {body[:300]!r}")
                else:
                    per_kind[kind] += 1
                    unique.add((recorder["label"], kind))
    return per_kind, Counter(kind for _, kind in unique), unexplained, errors


@pytest.mark.slow
def test_fuzzing_every_operation_with_every_check_finds_only_unstatable_refusals(tmp_path: Path) -> None:
    process = SandboxProcess.start(tmp_path / "data", seed_size=30, rate_limit=1_000_000)
    try:
        login = process.credentials()["live"]["user"]
        signed_in = httpx.post(process.url + "/auth/token", json=login)
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["data"]["access_token"]
        operations = httpx.get(process.url + "/openapi.json").json()["paths"]
        assert sum(len(methods) for methods in operations.values()) >= 50
        reports = tmp_path / "reports"
        command = [
            sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
            "run", process.url + "/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", CHECKS,
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", FUZZ_EXAMPLES,
            "--max-time", FUZZ_SECONDS,
            "--seed", "20260407",
            "--request-timeout", "30",
            "--no-color",
            "--report", "ndjson", "--report-ndjson-path", str(reports / "run.ndjson"),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=int(FUZZ_SECONDS) + 240,
                                check=False)
        output = (result.stdout + result.stderr).replace(token, "opat_<redacted>")
        cases = re.search(r"(\d+) generated", output)
        assert cases is not None and int(cases[1]) >= 500, output[-4000:]
        per_kind, unique, unexplained, errors = read_report(reports / "run.ndjson")
        print(f"\n{cases[1]} cases; schema-valid requests refused for unstatable rules: {sum(per_kind.values())}"
              f" ({sum(unique.values())} operation × kind pairs)")
        for kind, reason in UNSTATABLE.items():
            print(f"  {kind}: {per_kind[kind]} cases in {unique[kind]} operations — {reason}")
        assert not errors, errors[:5]
        assert not unexplained, f"{len(unexplained)} failures of stated rules or other checks:\n" + "\n".join(
            sorted(set(unexplained))[:30])
        # The fuzzer must have stayed authenticated the whole run, or it proved nothing.
        me = httpx.get(process.url + "/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
    finally:
        assert process.stop() == 0


@pytest.mark.parametrize("status,body,kind", [
    (400, {"code": "INVALID_REQUEST", "message": "cursor: x",
           "details": {"fields": [{"field": "cursor", "message": "not a cursor this server issued (copy next_cursor as is)"}]}},
     "cursor"),
    (412, {"code": "PRECONDITION_FAILED", "message": "changed", "details": {}}, "if_match"),
    (422, {"code": "VALIDATION_ERROR", "message": "x",
           "details": {"fields": [{"field": "invoice_id", "message": "no invoice 'x' in this workspace"}]}}, "reference"),
    (422, {"code": "VALIDATION_ERROR", "message": "x",
           "details": {"fields": [{"field": "email", "message": "not a valid email address"}]}}, None),
    (400, {"code": "INVALID_REQUEST", "message": "updated_since: not an RFC 3339 time stamp",
           "details": {"fields": [{"field": "updated_since", "message": "not an RFC 3339 time stamp"}]}}, None),
    (500, {"code": "INTERNAL_ERROR", "message": "x", "details": {}}, None),
])
def test_only_the_unstatable_kinds_of_refusal_are_excused(status: int, body: dict, kind: str | None) -> None:
    assert refusal_kind(status, json.dumps({"error": body, "request_id": "req_1"}).encode()) == kind
