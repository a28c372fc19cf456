"""The contacts list assembled by SQLite is byte for byte the list assembled row by row in Python.

`fetch_page_text` (the plain list: one statement, `group_concat` over a covering index) and
`fetch_page` (filtered lists: rows joined in Python) must serve the same pages and cursors, over
the shared sandbox's whole contact list, at several page sizes; and the plain page must read the
covering index, not a table row per contact.
"""

from __future__ import annotations

import sqlite3

import pytest

from app.sandbox.pagination import CursorCodec, PageQuery, fetch_page, fetch_page_text
from app.sandbox.routers.contacts import _LIST_COLUMNS, _LISTED, _LISTED_SOURCE


@pytest.fixture
def conn(sandbox):
    conn = sqlite3.connect(f"file:{sandbox.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def _workspace(conn: sqlite3.Connection) -> str:
    return conn.execute("SELECT workspace_id FROM contacts GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_every_page_and_cursor_is_the_same_either_way(conn, limit):
    workspace = _workspace(conn)
    codec = CursorCodec(b"k" * 32)
    after, pages, contacts = None, 0, 0
    while True:
        query = PageQuery(limit=limit, after=after, updated_since=None, codec=codec)
        rows, python_cursor = fetch_page(conn, _LISTED_SOURCE, workspace, query, alias="c", columns=_LIST_COLUMNS)
        joined, sql_cursor = fetch_page_text(conn, _LISTED_SOURCE, workspace, query, listed=_LISTED, alias="c")
        assert joined == ",".join(row[2] for row in rows).encode()
        assert sql_cursor == python_cursor
        pages += 1
        contacts += len(rows)
        if python_cursor is None:
            break
        after = codec.decode(python_cursor)
    total = conn.execute("SELECT count(*) FROM contacts WHERE workspace_id = ?", (workspace,)).fetchone()[0]
    assert contacts == total > limit, "the walk did not cover the whole list"
    assert pages == -(-total // limit)


def test_the_plain_page_reads_only_covering_indexes(conn):
    workspace = _workspace(conn)
    listed = f"SELECT {_LISTED} FROM {_LISTED_SOURCE} WHERE c.workspace_id = ? ORDER BY c.created_at DESC, c.id DESC LIMIT 100"
    plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {listed}", (workspace,)))
    assert "COVERING INDEX contacts_listed" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
