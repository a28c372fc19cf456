"""The BiVelio manifest lists exactly what seed 002 documents."""

from __future__ import annotations

from app.api.dialects import dialect_for


def test_manifest_matches_seed_002() -> None:
    manifest = dialect_for("bivelio").manifest
    # Seed 002 "Endpoints": Contacts/CRM (POST /contacts list, /contacts/create, /contacts/update —
    # companies are contacts of type "company"), Billing (/invoices/list, /invoices/create),
    # Webhooks (/webhooks/create, /webhooks/list). Reading one record by id and the key's identity
    # are the sandbox's two named extensions. No delete, no invoice update/send/void, no payments.
    assert manifest.operations == {
        "me.get",
        "contacts.list", "contacts.get", "contacts.create", "contacts.update",
        "companies.list", "companies.get", "companies.create", "companies.update",
        "invoices.list", "invoices.get", "invoices.create",
        "webhooks.list", "webhooks.get", "webhooks.create",
    }
    assert manifest.modules == ("crm", "billing", "integrations")
    # Nothing in seed 002 about tickets, quotas, key management by API (the dashboard does it) or logs.
    assert set(manifest.absent) == {"support", "quota", "keys", "logs"}
    assert "ticketing" in manifest.why_absent("support")
    # Seed 002: no versions/ETag, no Idempotency-Key, no updated_since filter, no deletions, no
    # identity call for API keys; it does document X-RateLimit-Limit/-Remaining/-Reset.
    assert set(manifest.missing) == {"etag", "idempotency_key", "updated_since", "deletions", "me"}
    assert manifest.has("rate_limit_headers")
    assert manifest.to_json()["platform"] == "bivelio"


def test_credentials_are_one_api_key() -> None:
    dialect = dialect_for("bivelio")
    assert [name for name, _ in dialect.credential_fields] == ["api_key"]
