"""`GET /deletions` against the real sandbox: what a syncing client needs to drop deleted records
from its cache (contract v1.1): every deletion listed once, oldest first, paged without gaps,
per resource with the resource's own read scope, never another workspace's."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

import app.sandbox
from app.sandbox import deletions
from app.sandbox.timeutil import parse_rfc3339, to_rfc3339
from tests.sandbox.conftest import assert_error, bearer, own_sandbox, unique


def _contact(client: httpx.Client) -> str:
    response = client.post("contacts", json={"name": "Gone Soon", "email": f"{unique('gone')}@example.com"})
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def _delete(client: httpx.Client, path: str) -> None:
    response = client.delete(path)
    assert response.status_code == 200, response.text


def _all(client: httpx.Client, resource: str, since: str | None = None, limit: int = 100) -> list[dict]:
    """Every page of deletions, following next_cursor."""
    params: dict = {"resource": resource, "limit": limit, **({"since": since} if since else {})}
    items: list[dict] = []
    while True:
        response = client.get("deletions", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["data"]
        if body["next_cursor"] is None:
            return items
        params["cursor"] = body["next_cursor"]


def test_a_deleted_contact_is_listed_with_its_time_and_since_leaves_out_older_ones(owner: httpx.Client) -> None:
    contact_id = _contact(owner)
    _delete(owner, f"contacts/{contact_id}")
    [entry] = [d for d in _all(owner, "contact") if d["id"] == contact_id]
    assert entry["resource"] == "contact"
    deleted_at = parse_rfc3339(entry["deleted_at"])
    assert abs(datetime.now(UTC) - deleted_at) < timedelta(minutes=1)

    # since is inclusive: a client that synced at exactly that moment still hears of it.
    assert next(d["id"] for d in _all(owner, "contact", since=entry["deleted_at"])) == contact_id
    later = to_rfc3339(deleted_at + timedelta(microseconds=1))
    assert contact_id not in {d["id"] for d in _all(owner, "contact", since=later)}
    # The record is really gone, and the answer says from when the log is complete.
    assert owner.get(f"contacts/{contact_id}").status_code == 404
    complete = owner.get("deletions", params={"resource": "contact"}).headers["X-Deletions-Complete-Since"]
    assert parse_rfc3339(complete) <= deleted_at


def test_pages_run_oldest_first_and_a_deletion_made_while_paging_is_neither_lost_nor_repeated(
        owner: httpx.Client) -> None:
    ids = [_contact(owner) for _ in range(5)]
    for contact_id in ids:
        _delete(owner, f"contacts/{contact_id}")
    first = next(d for d in _all(owner, "contact") if d["id"] == ids[0])
    since = first["deleted_at"]

    page = owner.get("deletions", params={"resource": "contact", "since": since, "limit": 2}).json()
    seen = [d["id"] for d in page["data"]]
    late = _contact(owner)
    _delete(owner, f"contacts/{late}")
    cursor = page["next_cursor"]
    while cursor:
        page = owner.get("deletions", params={"resource": "contact", "since": since, "limit": 2,
                                              "cursor": cursor}).json()
        seen += [d["id"] for d in page["data"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)), "no deletion twice"
    mine = [i for i in seen if i in {*ids, late}]
    assert mine == [*ids, late], "oldest first, the one deleted mid-way last"
    stamps = [d["deleted_at"] for d in _all(owner, "contact", since=since)]
    assert stamps == sorted(stamps)


def test_each_resource_has_its_own_list_and_needs_that_resource_s_read_scope(
        owner: httpx.Client, client_for) -> None:
    webhook = owner.post("webhooks", json={"name": "Short-lived", "url": "https://example.com/hook",
                                            "event_types": ["contact.created"]}).json()["data"]
    _delete(owner, f"webhooks/{webhook['id']}")
    assert webhook["id"] in {d["id"] for d in _all(owner, "webhook")}
    assert webhook["id"] not in {d["id"] for d in _all(owner, "contact")}

    crm_only = owner.post("api-keys", json={"name": "CRM sync", "scopes": ["crm:read"]}).json()["data"]["secret"]
    reader = client_for(crm_only)
    assert reader.get("deletions", params={"resource": "contact"}).status_code == 200
    assert reader.get("deletions", params={"resource": "invoice"}).status_code == 200
    for resource, scope in (("webhook", "integrations:read"), ("ticket", "support:read"), ("api_key", "keys:read")):
        details = assert_error(reader.get("deletions", params={"resource": resource}), 403, "FORBIDDEN")
        assert details == {"required_scope": scope}
    # A resource nothing deletes yet answers an empty list, not an error.
    assert owner.get("deletions", params={"resource": "invoice"}).json()["data"] == []


def test_another_workspace_never_sees_these_deletions(owner: httpx.Client, owner_test: httpx.Client) -> None:
    contact_id = _contact(owner)
    _delete(owner, f"contacts/{contact_id}")
    assert contact_id in {d["id"] for d in _all(owner, "contact")}
    assert contact_id not in {d["id"] for d in _all(owner_test, "contact")}


def test_a_refused_delete_logs_nothing(owner: httpx.Client) -> None:
    contact_id = _contact(owner)
    ticket = owner.post("support/tickets", json={"subject": "Keeps the contact", "contact_id": contact_id})
    assert ticket.status_code == 201, ticket.text
    assert_error(owner.delete(f"contacts/{contact_id}"), 409, "CONFLICT")
    other = _contact(owner)
    owner.patch(f"contacts/{other}", json={"notes": "v2"})
    assert_error(owner.delete(f"contacts/{other}", headers={"If-Match": '"1"'}), 412, "PRECONDITION_FAILED")
    listed = {d["id"] for d in _all(owner, "contact")}
    assert contact_id not in listed and other not in listed


def test_bad_parameters_are_400_naming_the_parameter(owner: httpx.Client, client_for) -> None:
    for params, field in (({}, "resource"), ({"resource": "lead"}, "resource"),
                          ({"resource": "contact", "since": "2026-04-07"}, "since"),
                          ({"resource": "contact", "since": "2026-04-07T12:00:00"}, "since"),
                          ({"resource": "contact", "limit": 0}, "limit"),
                          ({"resource": "contact", "cursor": "eyJhIjoxfQ.AAAAAAAAAAAAAAAA"}, "cursor")):
        details = assert_error(owner.get("deletions", params=params), 400, "INVALID_REQUEST")
        assert details["fields"][0]["field"] == field, (params, details)
    assert_error(client_for(None).get("deletions", params={"resource": "contact"}), 401, "UNAUTHORIZED")


def test_the_log_survives_a_restart_and_keeps_its_complete_since(tmp_path: Path) -> None:
    with own_sandbox(tmp_path) as (process, client, _):
        contact_id = _contact(client)
        _delete(client, f"contacts/{contact_id}")
        before = client.get("deletions", params={"resource": "contact"})
        complete = before.headers["X-Deletions-Complete-Since"]
        data_dir = process.data_dir
    with own_sandbox(tmp_path) as (process, client, _):
        assert process.data_dir == data_dir
        after = client.get("deletions", params={"resource": "contact"})
        assert [d["id"] for d in after.json()["data"]] == [contact_id]
        assert after.headers["X-Deletions-Complete-Since"] == complete


def test_entries_are_kept_the_retention_period_and_older_ones_pruned(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
    conn.executescript((Path(app.sandbox.__file__).parent / "schema.sql").read_text())
    start = datetime(2026, 1, 1, tzinfo=UTC)
    deletions.record_deletion(conn, "wrk_a", "contact", "con_old", now=start)
    deletions.record_deletion(conn, "wrk_a", "webhook", "wh_old", now=start)
    deletions.record_deletion(conn, "wrk_b", "contact", "con_b", now=start)
    assert deletions.RETENTION_DAYS >= 30
    within = start + timedelta(days=deletions.RETENTION_DAYS)
    deletions.record_deletion(conn, "wrk_a", "contact", "con_1", now=within)
    def kept() -> set[str]:
        return {r[0] for r in conn.execute("SELECT record_id FROM deletions")}

    assert kept() == {"con_old", "wh_old", "con_b", "con_1"}, "exactly the retention period is still kept"
    deletions.record_deletion(conn, "wrk_a", "contact", "con_2", now=within + timedelta(seconds=1))
    assert kept() == {"wh_old", "con_b", "con_1", "con_2"}, "only that workspace's and resource's old entries go"
    tracked = to_rfc3339(start)
    assert deletions.complete_since(tracked, now=start + timedelta(days=1)) == tracked
    assert deletions.complete_since(tracked, now=within + timedelta(days=1)) == to_rfc3339(start + timedelta(days=1))


def test_entries_hold_ids_only_and_a_read_only_key_may_list_them(owner: httpx.Client, live) -> None:
    """Nothing of the deleted record survives in the log but its id."""
    webhook = owner.post("webhooks", json={"name": "Id only", "url": "https://example.com/h2",
                                            "event_types": ["contact.created"]}).json()["data"]
    _delete(owner, f"webhooks/{webhook['id']}")
    [entry] = [d for d in _all(owner, "webhook") if d["id"] == webhook["id"]]
    assert set(entry) == {"id", "resource", "deleted_at"}
    assert httpx.get(owner.base_url.join("deletions"), params={"resource": "webhook"},
                     headers=bearer(live["readonly_key"])).status_code == 200
