"""Tenant isolation: a live credential never sees the test workspace's rows (404, absent from lists)."""

from __future__ import annotations

import httpx
import pytest

# (list path, item path template) for every resource type with a single-item GET.
RESOURCES = [
    ("contacts", "contacts/{id}"),
    ("companies", "companies/{id}"),
    ("support/tickets", "support/tickets/{id}"),
    ("invoices", "invoices/{id}"),
    ("webhooks", "webhooks/{id}"),
    ("api-keys", "api-keys/{id}"),
    ("events", "events/{id}"),
]


@pytest.mark.parametrize("list_path,item_path", RESOURCES)
def test_another_workspaces_id_is_404_and_never_listed(owner: httpx.Client, owner_test: httpx.Client,
                                                     list_path: str, item_path: str) -> None:
    if list_path == "events":
        owner_test.post("companies", json={"name": "Event source"})
    foreign = owner_test.get(list_path, params={"limit": 5}).json()["data"]
    assert foreign, f"the test workspace has no {list_path} to try"
    foreign_id = foreign[0]["id"]
    assert owner_test.get(item_path.format(id=foreign_id)).status_code == 200
    response = owner.get(item_path.format(id=foreign_id))
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "NOT_FOUND"
    own_ids = {r["id"] for r in owner.get(list_path, params={"limit": 100}).json()["data"]}
    assert foreign_id not in own_ids


def test_writes_to_another_workspaces_rows_are_404(owner: httpx.Client, owner_test: httpx.Client) -> None:
    contact = owner_test.get("contacts", params={"limit": 1}).json()["data"][0]
    assert owner.patch(f"contacts/{contact['id']}", json={"notes": "pwned"}).status_code == 404
    assert owner.delete(f"contacts/{contact['id']}").status_code == 404
    key = owner_test.get("api-keys", params={"limit": 1}).json()["data"][0]
    assert owner.post(f"api-keys/{key['id']}/revoke").status_code == 404
    company = owner_test.get("companies", params={"limit": 1}).json()["data"][0]
    response = owner.post("contacts", json={"name": "Cross", "company_id": company["id"]})
    assert response.status_code == 422
    assert owner_test.get(f"contacts/{contact['id']}").json()["data"]["notes"] == contact["notes"]


def test_each_workspace_reports_its_environment(owner: httpx.Client, owner_test: httpx.Client, live, test_env) -> None:
    assert owner.get("workspace").json()["data"]["environment"] == "live"
    assert owner_test.get("workspace").json()["data"]["environment"] == "test"
    assert live["owner_key"].startswith("opk_live_") and test_env["owner_key"].startswith("opk_test_")
    assert owner.get("workspace").json()["data"]["id"] == live["workspace_id"]


@pytest.mark.parametrize("child", ["support/tickets/{id}/messages", "support/tickets/{id}/comments"])
def test_another_workspaces_ticket_threads_are_404(owner: httpx.Client, owner_test: httpx.Client, child: str) -> None:
    ticket = owner_test.get("support/tickets", params={"limit": 1}).json()["data"][0]
    assert owner_test.get(child.format(id=ticket["id"])).status_code == 200
    assert owner.get(child.format(id=ticket["id"])).status_code == 404


def test_another_workspaces_webhook_deliveries_are_404(owner: httpx.Client, owner_test: httpx.Client) -> None:
    webhook = owner_test.get("webhooks", params={"limit": 1}).json()["data"][0]
    assert owner_test.get(f"webhooks/{webhook['id']}/deliveries").status_code == 200
    assert owner.get(f"webhooks/{webhook['id']}/deliveries").status_code == 404


def test_filters_naming_another_workspaces_ids_find_nothing(owner: httpx.Client, owner_test: httpx.Client) -> None:
    invoice = owner_test.get("invoices", params={"limit": 1}).json()["data"][0]
    assert owner.get("payments", params={"invoice_id": invoice["id"]}).json()["data"] == []
    company = owner_test.get("companies", params={"limit": 1}).json()["data"][0]
    assert owner.get("contacts", params={"company_id": company["id"]}).json()["data"] == []


def test_members_are_the_workspaces_own_people(owner: httpx.Client, owner_test: httpx.Client, live) -> None:
    members = owner.get("members").json()["data"]
    assert {m["role"] for m in members} == {"owner", "admin", "agent", "viewer"}
    assert live["user"]["email"] in {m["email"] for m in members}
    assert all(set(m) == {"id", "name", "email", "role", "status"} for m in members)
    assert not {m["id"] for m in members} & {m["id"] for m in owner_test.get("members").json()["data"]}


def test_the_workspace_names_its_issuer_for_invoices(owner: httpx.Client, owner_test: httpx.Client) -> None:
    """What an invoice PDF's issuer block prints: legal name, postal address, tax id, billing email."""
    workspace = owner.get("workspace").json()["data"]
    assert workspace["legal_name"] == "Northwind Outfitters, Inc."
    address = workspace["billing_address"]
    assert address["country"] == "US" and address["city"] == "Portland"
    assert address["formatted"] == ["1200 NW Naito Parkway", "Suite 400", "Portland, OR 97209", "United States"]
    assert workspace["tax_id"] and workspace["billing_email"].startswith("billing@")
    assert owner_test.get("workspace").json()["data"]["billing_address"] == address
