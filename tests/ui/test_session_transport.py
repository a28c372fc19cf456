"""A plain-HTTP profile's client skips the CA bundle at start-up, and still never trusts a certificate."""

from __future__ import annotations

import ssl

from app.api import ApiKeyAuth
from app.ui.session import _build_client


def _inner_context(client) -> ssl.SSLContext:
    pool = client._transport._inner._pool  # the httpcore pool behind the observed transport
    return pool._ssl_context


def test_a_plain_http_profile_trusts_no_certificate_and_loads_no_bundle():
    client = _build_client("http://127.0.0.1:9/v1", ApiKeyAuth("opk_test_x"), {})
    context = _inner_context(client)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0  # any https request would fail verification


def test_an_https_profile_verifies_against_the_ca_bundle():
    client = _build_client("https://api.example.com/v1", ApiKeyAuth("opk_test_x"), {})
    context = _inner_context(client)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 10
