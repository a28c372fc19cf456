"""A contact's table row is the same whether it is made from a body fresh from the server or from
the few fields the cache reads out of the cached body: the table must not change on a refresh."""

from __future__ import annotations

from app.cache import PageCache
from app.ui.panels.contacts.contact_rows import (
    COMPANY_NAME,
    CONTACT_FIELDS,
    TAGS,
    contact_row,
    contact_row_of_fields,
)

BODIES = [
    {"id": "con_1", "name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0000",
     "company_id": "com_1", "company_name": "Acme", "tags": ["vip", "Zürich", "a, b"],
     "updated_at": "2026-11-20T10:00:00Z", "custom_fields": {"tier": "gold"}},
    {"id": "con_2", "name": "Grace Hopper", "email": "grace@example.com", "tags": [], "company_id": None},
    {"id": "con_3", "name": "日本語 名前", "email": "x@example.jp", "tags": None, "phone": None},
    {"id": "con_4", "name": "Lone Tag", "email": "lone@example.com", "tags": "single"},
    {"id": "con_5", "name": "Numbers", "email": "n@example.com", "tags": [1, 2], "phone": 5551234},
    {"id": "con_6", "name": "Bracket", "email": "b@example.com", "tags": "[beta"},
]


def test_rows_from_cached_fields_equal_rows_from_bodies(tmp_path):
    with PageCache(tmp_path / "cache.sqlite3") as cache:
        cache.put_records("contacts", BODIES)
        from_cache = cache.get_records("contacts", [body["id"] for body in BODIES],
                                       fields=CONTACT_FIELDS, convert=contact_row_of_fields)
    assert from_cache == [contact_row(body) for body in BODIES]
    assert from_cache[0][TAGS] == "vip, Zürich, a, b" and from_cache[0][COMPANY_NAME] == "Acme"
    assert from_cache[1][TAGS] == "" and from_cache[2][TAGS] == "" and from_cache[3][TAGS] == "single"
    assert from_cache[5][TAGS] == "[beta"
