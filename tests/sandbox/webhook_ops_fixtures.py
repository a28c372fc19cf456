"""Staging an outage for the webhook-operations tests and benchmark: an endpoint whose receiver
fails, contacts whose `contact.created` deliveries fail for good, and waiting on a recover job."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.conftest import unique, wait_for


def make_endpoint(client: httpx.Client, url: str, event_types: list[str] | None = None) -> dict[str, Any]:
    response = client.post("webhooks", json={"name": unique("ops"), "url": url,
                                             "event_types": event_types or ["contact.created"]})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def create_contacts(client: httpx.Client, label: str, count: int) -> list[str]:
    """`count` contacts named `label-<n>` (each one fires contact.created); their ids."""
    ids = []
    for n in range(count):
        response = client.post("contacts", json={"name": f"{label}-{n}"})
        assert response.status_code == 201, response.text
        ids.append(response.json()["data"]["id"])
    return ids


def deliveries(client: httpx.Client, webhook_id: str) -> list[dict[str, Any]]:
    """Every delivery of the endpoint (walks the pages)."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"webhooks/{webhook_id}/deliveries", params=params).json()
        found += body["data"]
        cursor = body["next_cursor"]
        if not cursor:
            return found


def settle_failed(client: httpx.Client, webhook_id: str, timeout: float = 120.0) -> None:
    """Wait until none of the endpoint's deliveries is still pending or retrying. The endpoint
    disables itself after 5 failed deliveries, which parks the rest; turning it on again lets
    them go on to fail for good."""
    def settled() -> bool:
        open_ = [s for s in ("pending", "retrying")
                 if client.get(f"webhooks/{webhook_id}/deliveries", params={"status": s, "limit": 1}).json()["data"]]
        if not open_:
            return True
        if client.get(f"webhooks/{webhook_id}").json()["data"]["status"] == "disabled":
            client.patch(f"webhooks/{webhook_id}", json={"status": "active"})
        return False

    wait_for(settled, timeout, "the endpoint's deliveries did not all finish")


def wait_job(client: httpx.Client, webhook_id: str, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
    """The recover job once it is no longer running."""
    def finished() -> dict[str, Any] | None:
        job = client.get(f"webhooks/{webhook_id}/recover/{job_id}").json()["data"]
        return job if job["status"] != "running" else None

    return wait_for(finished, timeout, f"recover job {job_id} did not finish")
