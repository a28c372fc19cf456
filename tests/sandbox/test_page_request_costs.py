"""The per-request pieces of the contacts page made cheaper answer exactly what they answered before:
cursors (still valid across the change: their MAC is the same HMAC), rate-limit headers, time
stamps, request ids, the query split, the request log's masking, the page boundary."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from app.sandbox import ids, request_log, timeutil
from app.sandbox.auth import Principal
from app.sandbox.errors import ApiProblem
from app.sandbox.hot_path import _query_pairs
from app.sandbox.pagination import CursorCodec
from app.sandbox.ratelimit import RateState
from app.sandbox.request_context import RequestContext
from app.sandbox.request_log import RequestLog
from tests.sandbox.conftest import own_sandbox


def test_a_cursor_is_signed_as_before_so_issued_cursors_stay_valid() -> None:
    key = bytes(range(32))
    payload = b'["2026-04-07T12:00:00.000000Z","con_1"]'
    cursor = CursorCodec(key).encode_payload(payload)
    mac = base64.urlsafe_b64encode(hmac.new(key, payload, hashlib.sha256).digest()[:12]).decode().rstrip("=")
    assert cursor == base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + mac
    assert CursorCodec(key).decode(cursor) == ("2026-04-07T12:00:00.000000Z", "con_1")
    with pytest.raises(ApiProblem):
        CursorCodec(bytes(32)).decode(cursor)


def test_rate_limit_header_pairs_are_the_headers_as_sent() -> None:
    state = RateState(limit=600, burst=1000, remaining=999, reset=1_800_000_000)
    assert state.header_pairs() == [(name.lower().encode(), value.encode()) for name, value in state.headers().items()]


def test_now_stamps_keep_their_fixed_width_form_across_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    second = 1_775_563_200  # 2026-04-07T12:00:00Z
    for ns, expected in ((second * 10**9 + 1_000, "2026-04-07T12:00:00.000001Z"),
                         (second * 10**9 + 999_999_999, "2026-04-07T12:00:00.999999Z"),
                         ((second + 1) * 10**9, "2026-04-07T12:00:01.000000Z"),
                         (second * 10**9, "2026-04-07T12:00:00.000000Z")):
        monkeypatch.setattr(timeutil.time, "time_ns", lambda ns=ns: ns)
        assert timeutil.now_rfc3339() == expected
    monkeypatch.undo()
    now = timeutil.now_rfc3339()
    assert timeutil.to_rfc3339(timeutil.parse_rfc3339(now)) == now


def test_request_ids_carry_their_own_millisecond_and_sort_by_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def stamp(ms: int) -> str:
        text = ""
        for _ in range(10):
            ms, digit = divmod(ms, 62)
            text = ids._BASE62[digit] + text
        return text

    made = []
    for ms in (1_775_563_200_000, 1_775_563_200_000, 1_775_563_200_001, 1_775_563_200_062):
        monkeypatch.setattr(ids.time, "time_ns", lambda ms=ms: ms * 1_000_000)
        made.append((ms, ids.new_id("req")))
    for ms, made_id in made:
        assert made_id.startswith(f"req_{stamp(ms)}") and len(made_id) == 26
    assert [i for _, i in made][2:] == sorted(i for _, i in made)[2:] and len({i for _, i in made}) == 4


def test_random_characters_are_base62_and_all_of_it() -> None:
    text = "".join(ids.base62(62) for _ in range(200))
    assert set(text) == set(ids._BASE62)
    assert len(ids.base62(40)) == 40


@pytest.mark.parametrize("query", [b"limit=100", b"limit=100&cursor=abc.def", b"&&limit", b"a=b=c&", b"limit=&x",
                                   b"=", b"", b"limit=1%30", b"a+b=c", b"cursor=%41"])
def test_the_query_split_is_parse_qsl(query: bytes) -> None:
    assert _query_pairs(query) == parse_qsl(query.decode("latin-1"), keep_blank_values=True)


def test_a_user_agent_with_a_secret_is_masked_every_time_and_never_remembered(tmp_path: Path) -> None:
    log = RequestLog(db=None)  # type: ignore[arg-type] - recording touches no database
    ctx = RequestContext()
    ctx.caller = Principal(workspace_id="wrk_1", credential_id="key_1", kind="api_key", name="k",
                           scopes=frozenset(), environment="live", rate_limit_per_minute=60, key_id="key_1")
    secret_agent = "pager/1 opk_live_" + "s" * 40
    for _ in range(3):
        log.record(ctx, "GET", "/v1/contacts", 200, secret_agent, None)
        log.record(ctx, "GET", "/v1/contacts", 200, "pager/1", None)
    assert [row[8] for row in log._rows] == ["pager/1 opk_live_[redacted]", "pager/1"] * 3
    assert "pager/1" in request_log._clean_texts
    assert not any("opk_live_" in text for text in request_log._clean_texts)


def test_pages_end_exactly_at_the_last_contact(tmp_path: Path) -> None:
    with own_sandbox(tmp_path, seed_size=6) as (_, owner, _):
        total = len(owner.get("contacts", params={"limit": 100}).json()["data"])
        for limit in (1, 2, total - 1, total, total + 1):
            seen, cursor, pages = 0, None, 0
            while True:
                body = owner.get("contacts", params={"limit": limit, **({"cursor": cursor} if cursor else {})}).json()
                seen += len(body["data"])
                pages += 1
                assert body["data"], "no empty last page"
                cursor = body["next_cursor"]
                if cursor is None:
                    break
            assert seen == total and pages == -(-total // limit)


def test_a_flush_writes_every_request_row_in_batched_inserts(tmp_path: Path) -> None:
    from app.sandbox.db import Database

    db = Database(tmp_path / "log.sqlite3")
    log = RequestLog(db)
    ctx = RequestContext()
    ctx.caller = Principal(workspace_id="wrk_1", credential_id="key_1", kind="api_key", name="k",
                           scopes=frozenset(), environment="live", rate_limit_per_minute=60, key_id="key_1")
    made = []
    for n in range(250):  # two full statements and a shorter one
        ctx.request_id = f"req_{n:04d}"
        log.record(ctx, "GET", "/v1/contacts", 200 + n % 3, f"agent/{n}", f"key-{n}" if n % 2 else None)
        made.append(log._rows[-1])
    log.record(ctx, "GET", "/v1/contacts", 500, None, None)  # the same request id again: ignored, as before
    executes: list[str] = []
    db.conn().set_trace_callback(lambda sql: executes.append(sql) if sql.startswith("INSERT OR IGNORE") else None)
    log.flush()
    stored = db.conn().execute(
        "SELECT id, workspace_id, method, path, status, duration_ms, key_id, idempotency_key, user_agent, created_at"
        " FROM api_requests ORDER BY id").fetchall()
    assert [tuple(row) for row in stored] == made
    assert len(executes) == 3  # not one statement per row
    amount = db.conn().execute("SELECT amount FROM quota_usage WHERE credential_id = 'key_1'").fetchone()[0]
    assert amount == 251
