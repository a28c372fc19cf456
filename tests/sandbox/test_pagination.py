"""Keyset pagination: newest first, no repeats and no gaps while rows are inserted mid-paging."""

from __future__ import annotations

import httpx

from tests.sandbox.conftest import unique


def test_paging_while_inserting_neither_repeats_nor_skips(owner: httpx.Client) -> None:
    before = set()
    cursor = None
    while True:
        body = owner.get("contacts", params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        before |= {c["id"] for c in body["data"]}
        cursor = body["next_cursor"]
        if cursor is None:
            break

    seen: list[str] = []
    inserted: list[str] = []
    cursor = None
    while True:
        body = owner.get("contacts", params={"limit": 7, **({"cursor": cursor} if cursor else {})}).json()
        page = body["data"]
        seen += [c["id"] for c in page]
        stamps = [(c["created_at"], c["id"]) for c in page]
        assert stamps == sorted(stamps, reverse=True)
        response = owner.post("contacts", json={"name": "Inserted mid-paging", "email": f"{unique()}@example.com"})
        inserted.append(response.json()["data"]["id"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "a row was served twice"
    assert before <= set(seen), "a row that existed before paging began was skipped"
    assert set(seen) == before, "rows inserted during paging are newer than the first page: never served"
    assert not set(inserted) & set(seen)


def test_last_page_has_null_cursor_and_limit_is_honoured(owner: httpx.Client) -> None:
    body = owner.get("contacts", params={"limit": 3}).json()
    assert len(body["data"]) == 3 and body["next_cursor"]
    assert owner.get("members").json()["next_cursor"] is None


def test_updated_since_returns_only_rows_changed_after_the_stamp(owner: httpx.Client) -> None:
    first = owner.post("contacts", json={"name": "Old"}).json()["data"]
    second = owner.post("contacts", json={"name": "New"}).json()["data"]
    since = second["updated_at"]
    ids = [c["id"] for c in owner.get("contacts", params={"updated_since": since, "limit": 100}).json()["data"]]
    assert second["id"] in ids and first["id"] not in ids
    touched = owner.patch(f"contacts/{first['id']}", json={"notes": "touched"}).json()["data"]
    ids = [c["id"] for c in owner.get("contacts", params={"updated_since": since, "limit": 100}).json()["data"]]
    assert first["id"] in ids and touched["updated_at"] >= since
    offset = since.replace("Z", "+00:00")
    assert owner.get("contacts", params={"updated_since": offset}).status_code == 200
