"""Contacts over HTTP against the real sandbox: CRUD, merge PATCH, unique email, ETag/If-Match, filters, events."""

from __future__ import annotations

import httpx

from tests.sandbox.conftest import assert_error, unique


def _create(client: httpx.Client, **fields) -> dict:
    body = {"name": "Ada Lovelace", "email": f"{unique('ada')}@example.com", **fields}
    response = client.post("contacts", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_create_then_get_returns_what_was_stored_with_an_etag(owner: httpx.Client) -> None:
    company = owner.post("companies", json={"name": "Analytical Engines Ltd"}).json()["data"]
    created = _create(owner, phone="+44 20 7946 0000", company_id=company["id"], tags=["vip", "beta"],
                      custom_fields={"tier": "gold", "seats": 12, "trial": False}, notes="Met at the fair")
    assert created["id"].startswith("con_") and created["version"] == 1
    assert created["company_name"] == "Analytical Engines Ltd"

    fetched = owner.get(f"contacts/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.headers["ETag"] == '"1"'
    assert fetched.json()["data"] == created


def test_patch_changes_only_the_fields_sent_and_null_clears(owner: httpx.Client) -> None:
    created = _create(owner, phone="555-0100", notes="keep me", tags=["a"])
    response = owner.patch(f"contacts/{created['id']}", json={"phone": None, "tags": ["a", "b"]})
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated["phone"] is None
    assert updated["tags"] == ["a", "b"]
    assert updated["notes"] == "keep me" and updated["email"] == created["email"]
    assert updated["version"] == 2 and response.headers["ETag"] == '"2"'
    assert updated["updated_at"] >= created["updated_at"]


def test_name_cannot_be_cleared(owner: httpx.Client) -> None:
    created = _create(owner)
    details = assert_error(owner.patch(f"contacts/{created['id']}", json={"name": None}), 422, "VALIDATION_ERROR")
    assert details["fields"][0]["field"] == "name"


def test_a_taken_email_is_409_naming_the_field_and_the_existing_contact(owner: httpx.Client) -> None:
    first = _create(owner)
    details = assert_error(owner.post("contacts", json={"name": "Twin", "email": first["email"].upper()}),
                           409, "CONFLICT")
    assert details == {"field": "email", "existing_id": first["id"]}
    other = _create(owner)
    details = assert_error(owner.patch(f"contacts/{other['id']}", json={"email": first["email"]}), 409, "CONFLICT")
    assert details["existing_id"] == first["id"]


def test_stale_if_match_is_412_and_changes_nothing(owner: httpx.Client) -> None:
    created = _create(owner, notes="original")
    assert owner.patch(f"contacts/{created['id']}", json={"notes": "agent A"},
                       headers={"If-Match": '"1"'}).status_code == 200
    details = assert_error(owner.patch(f"contacts/{created['id']}", json={"notes": "agent B"},
                                       headers={"If-Match": '"1"'}), 412, "PRECONDITION_FAILED")
    assert details["current_etag"] == '"2"'
    assert owner.get(f"contacts/{created['id']}").json()["data"]["notes"] == "agent A"
    assert_error(owner.delete(f"contacts/{created['id']}", headers={"If-Match": '"1"'}), 412, "PRECONDITION_FAILED")
    assert owner.get(f"contacts/{created['id']}").status_code == 200


def test_delete_removes_the_contact(owner: httpx.Client) -> None:
    created = _create(owner)
    response = owner.delete(f"contacts/{created['id']}", headers={"If-Match": '"1"'})
    assert response.status_code == 200 and response.json()["data"] == {"id": created["id"], "deleted": True}
    assert_error(owner.get(f"contacts/{created['id']}"), 404, "NOT_FOUND")


def test_filters_by_query_tag_and_company(owner: httpx.Client) -> None:
    marker = unique("zz")
    company = owner.post("companies", json={"name": f"{marker} Corp"}).json()["data"]
    tagged = _create(owner, name=f"{marker} Tagged", tags=[marker])
    employed = _create(owner, name="Employee", company_id=company["id"])
    by_query = owner.get("contacts", params={"query": marker}).json()["data"]
    assert [c["id"] for c in by_query] == [tagged["id"]]
    assert [c["id"] for c in owner.get("contacts", params={"tag": marker}).json()["data"]] == [tagged["id"]]
    by_company = owner.get("contacts", params={"company_id": company["id"]}).json()["data"]
    assert [c["id"] for c in by_company] == [employed["id"]]
    wildcard = owner.get("contacts", params={"query": "%"}).json()["data"]
    assert all("%" in (c["name"] + (c["email"] or "") + (c["phone"] or "")) for c in wildcard)


def test_unknown_company_is_422_naming_company_id(owner: httpx.Client) -> None:
    details = assert_error(owner.post("contacts", json={"name": "X", "company_id": "com_doesnotexist"}),
                           422, "VALIDATION_ERROR")
    assert details["fields"][0]["field"] == "company_id"


def test_every_write_is_in_the_event_log(owner: httpx.Client) -> None:
    created = _create(owner)
    owner.patch(f"contacts/{created['id']}", json={"notes": "n"})
    owner.delete(f"contacts/{created['id']}")
    seen = {}
    for kind in ("contact.created", "contact.updated", "contact.deleted"):
        events = owner.get("events", params={"type": kind, "limit": 50}).json()["data"]
        seen[kind] = [e for e in events if e["data"]["id"] == created["id"]]
    assert seen["contact.created"][0]["data"]["version"] == 1
    assert seen["contact.updated"][0]["data"]["notes"] == "n"
    assert len(seen["contact.deleted"]) == 1
    event = seen["contact.created"][0]
    detail = owner.get(f"events/{event['id']}").json()["data"]
    assert {key: detail[key] for key in event} == event  # the detail adds payload and deliveries


def test_companies_crud_and_merge_patch(owner: httpx.Client) -> None:
    response = owner.post("companies", json={"name": "Babbage & Co", "domain": "Babbage.Example",
                                             "website": "https://babbage.example"})
    assert response.status_code == 201, response.text
    company = response.json()["data"]
    assert company["domain"] == "babbage.example"
    got = owner.get(f"companies/{company['id']}")
    assert got.headers["ETag"] == '"1"' and got.json()["data"] == company
    patched = owner.patch(f"companies/{company['id']}", json={"website": None}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200
    assert patched.json()["data"]["website"] is None and patched.json()["data"]["domain"] == "babbage.example"
    assert_error(owner.patch(f"companies/{company['id']}", json={"notes": "x"}, headers={"If-Match": '"1"'}),
                 412, "PRECONDITION_FAILED")
    listed = owner.get("companies", params={"query": "Babbage"}).json()["data"]
    assert company["id"] in [c["id"] for c in listed]
    details = assert_error(owner.post("companies", json={"name": "Bad", "website": "ftp://x"}), 422, "VALIDATION_ERROR")
    assert details["fields"][0]["field"] == "website"


def test_a_listed_contact_is_exactly_the_contact_fetched_alone(owner: httpx.Client) -> None:
    company = owner.post("companies", json={"name": "Listed Co"}).json()["data"]
    created = _create(owner, company_id=company["id"], tags=["x", "ünï"], notes='quote " and \\ backslash',
                      custom_fields={"score": 1.5, "ok": True, "n": 3, "s": "v"})
    listed = owner.get("contacts", params={"limit": 5}).json()["data"]
    assert listed[0] == owner.get(f"contacts/{created['id']}").json()["data"] == created


def test_a_renamed_company_shows_its_new_name_on_every_contact_list(owner: httpx.Client) -> None:
    company = owner.post("companies", json={"name": "Difference Engines"}).json()["data"]
    other = owner.post("companies", json={"name": "Jacquard Looms"}).json()["data"]
    moved = _create(owner, company_id=other["id"])
    mine = _create(owner, company_id=company["id"])
    renamed = owner.patch(f"companies/{company['id']}", json={"name": "Analytical Engines"})
    assert renamed.status_code == 200, renamed.text
    moved = owner.patch(f"contacts/{moved['id']}", json={"company_id": company["id"]}).json()["data"]
    assert moved["company_name"] == "Analytical Engines"
    # The plain page (newest first) and the list filtered by the company both show the new name.
    plain = {c["id"]: c for c in owner.get("contacts", params={"limit": 5}).json()["data"]}
    filtered = {c["id"]: c for c in owner.get("contacts", params={"company_id": company["id"]}).json()["data"]}
    for listed in (plain, filtered):
        assert listed[mine["id"]]["company_name"] == "Analytical Engines"
        assert listed[mine["id"]] == owner.get(f"contacts/{mine['id']}").json()["data"]
        assert listed[moved["id"]] == moved
    # A contact of a company that was not renamed keeps its company's name.
    bystander = _create(owner, company_id=other["id"])
    owner.patch(f"companies/{company['id']}", json={"name": "Engines Again"})
    assert owner.get("contacts", params={"limit": 1}).json()["data"][0] == bystander
    assert bystander["company_name"] == "Jacquard Looms"
