"""The console's list of webhook event types is the one the real sandbox serves in its OpenAPI.

A type missing from the console cannot be subscribed to from the endpoint form; an extra one
is refused by the platform with a 422 when the form is saved.
"""

from __future__ import annotations

import httpx

from app.api.models.webhooks import EVENT_TYPES


def test_event_types_match_the_served_openapi(sandbox) -> None:
    document = httpx.get(sandbox.url + "/openapi.json", timeout=10).raise_for_status().json()
    schemas = document["components"]["schemas"]
    subscribable = schemas["WebhookCreate"]["properties"]["event_types"]["items"]["enum"]
    logged = schemas["Event"]["properties"]["type"]["enum"]

    assert len(EVENT_TYPES) == len(set(EVENT_TYPES)), "the console lists a type twice"
    assert sorted(subscribable) == sorted(EVENT_TYPES)
    assert sorted(logged) == sorted(EVENT_TYPES)
