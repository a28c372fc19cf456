"""The early first page against a real sandbox: the newest contacts in the contract's order, the
exchange kept as a masked record, and every way it can go wrong giving no rows (never a secret)."""

from __future__ import annotations

import logging
import socket

import httpx
import pytest

from app.core import first_page
from app.core.first_page import FirstPageFetch, fetch_first_page

#: Not the preview's 60: the page asked for is the size the caller passes.
ROWS = 25


def _newest(sandbox, key: str, limit: int) -> list[dict]:
    answer = httpx.get(f"{sandbox.url}/contacts", params={"limit": limit}, headers={"Authorization": f"Bearer {key}"})
    answer.raise_for_status()
    return answer.json()["data"]


def test_the_first_page_is_the_servers_newest_contacts_and_its_record_is_masked(sandbox, sandbox_credentials):
    key = sandbox_credentials["test"]["owner_key"]
    page = fetch_first_page(sandbox.url, key, ROWS)
    assert page is not None and page.rows is not None
    assert [row["id"] for row in page.rows] == [row["id"] for row in _newest(sandbox, key, ROWS)]
    record = page.exchange.record()
    assert (record.method, record.status, record.attempt) == ("GET", 200, 1)
    assert record.url == f"{sandbox.url}/contacts?limit={ROWS}"
    assert record.request_id and record.request_id.startswith("req_")
    assert record.header("Authorization", response=False) == "Bearer [REDACTED]"
    assert record.response_size > 0 and page.rows[0]["id"] in record.response_body
    for shown in (repr(page), repr(page.exchange), repr(record)):
        assert key not in shown


def test_a_refused_key_gives_no_rows_but_keeps_the_exchange(sandbox):
    page = fetch_first_page(sandbox.url, "opk_test_" + "x" * 32, ROWS)
    assert page is not None and page.rows is None
    record = page.exchange.record()
    assert record.status == 401 and "x" * 32 not in repr(record)


def test_a_reply_that_is_not_a_page_gives_no_rows(sandbox, sandbox_credentials):
    key = sandbox_credentials["test"]["owner_key"]
    page = fetch_first_page(sandbox.url.rsplit("/v1", 1)[0] + "/not-the-api", key, ROWS)
    assert page is not None and page.rows is None and page.exchange.status == 404


def test_a_reply_larger_than_the_bound_gives_no_rows(sandbox, sandbox_credentials, monkeypatch):
    monkeypatch.setattr(first_page, "MAX_BODY_BYTES", 1_000)
    page = fetch_first_page(sandbox.url, sandbox_credentials["test"]["owner_key"], ROWS)
    assert page is not None and page.rows is None
    assert page.exchange.status == 200 and len(page.exchange.body) == 1_001, "read past the bound"


def test_no_key_means_no_request_and_no_page(sandbox):
    asked = []
    fetch = FirstPageFetch(lambda: asked.append(True) or sandbox.url, lambda: None, ROWS)
    assert fetch.future.result(10) is None
    assert asked == []


def test_a_failure_gives_no_page_and_its_text_never_reaches_the_log(sandbox_credentials, caplog):
    key = sandbox_credentials["test"]["owner_key"]

    def broken_url() -> str:
        raise RuntimeError(f"cannot reach the server with {key}")

    with caplog.at_level(logging.INFO, logger="app.core.first_page"):
        assert FirstPageFetch(broken_url, lambda: key, ROWS).future.result(10) is None
    assert "RuntimeError" in caplog.text and key not in caplog.text


def test_a_server_that_is_gone_gives_no_page():
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    fetch = FirstPageFetch(lambda: f"http://127.0.0.1:{port}/v1", lambda: "opk_test_" + "y" * 32, ROWS)
    assert fetch.future.result(10) is None
    assert fetch.wait(0) is None


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/v1", "not a url"])
def test_a_base_url_it_cannot_send_to_gives_no_page(url):
    assert fetch_first_page(url, "opk_test_" + "z" * 32, ROWS) is None
