"""Local full-text search finds cached contacts and tickets by what the user types."""

from __future__ import annotations

from app.cache import PageCache
from tests.cache.conftest import contact


def test_contacts_found_by_name_email_phone_company_and_tag_prefixes(cache: PageCache) -> None:
    cache.put_records("contacts", [
        contact(1, name="Alice Smith", email="alice@wonder.io", phone="+44 20 7946 0001",
                company_name="Wonder Labs", tags=["vip", "beta"]),
        contact(2, name="Bob Alison", email="bob@builders.com", company_name="Builders"),
        contact(3, name="Carol Jones", email="carol@example.com", tags=["churned"]),
        contact(4, name="Wonder Woman", email="ww@example.com", company_name="Themyscira"),
    ])
    assert sorted(cache.search("contacts", "ali")) == ["con_000001", "con_000002"]
    assert cache.search("contacts", "wonder") == ["con_000004", "con_000001"]  # name hits rank first
    assert cache.search("contacts", "7946") == ["con_000001"]
    assert cache.search("contacts", "churn") == ["con_000003"]
    assert cache.search("contacts", "alice smi") == ["con_000001"]
    assert cache.search("contacts", "builders") == ["con_000002"]
    assert cache.search("contacts", "zzz") == []
    assert cache.search("contacts", '"*()') == []  # punctuation only: no query, no error
    assert cache.search("contacts", "Álice") == ["con_000001"]  # accents ignored


def test_search_follows_updates_and_deletes(cache: PageCache) -> None:
    cache.put_records("contacts", [contact(1, name="Dana Old")])
    cache.put_records("contacts", [contact(1, name="Dana Newname")])
    assert cache.search("contacts", "old") == []
    assert cache.search("contacts", "newn") == ["con_000001"]
    cache.delete_record("contacts", "con_000001")
    assert cache.search("contacts", "dana") == []
    # The index and the records agree (raises if the external-content index drifted).
    cache._conn.execute("INSERT INTO search_contacts (search_contacts, rank) VALUES ('integrity-check', 1)")


def test_tickets_found_by_subject_and_cached_message_bodies(cache: PageCache) -> None:
    cache.put_records("tickets", [
        {"id": "ticket_1", "subject": "Invoice is wrong"},
        {"id": "ticket_2", "subject": "Cannot log in"},
    ])
    cache.put_records("ticket_messages", [
        {"id": "msg_1", "ticket_id": "ticket_2", "body": "The password reset email never arrives"},
        {"id": "msg_2", "ticket_id": "ticket_2", "body": "Reset again, still nothing"},
    ])
    assert cache.search("tickets", "invo") == ["ticket_1"]
    assert cache.search("tickets", "reset") == ["ticket_2"]  # two message hits, one ticket
    assert cache.search("contacts", "reset") == []
