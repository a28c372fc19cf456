"""Ranking typed-search hits: bm25 over the newest matches, so a short prefix stays fast."""

from __future__ import annotations

import json
import sqlite3

from app.cache import database
from app.cache.search_text import (
    DETAIL_WEIGHT,
    SEARCH_PARENT,
    TITLE_WEIGHT,
    searched_resources,
)

#: Newest matches ranked per search: five times the rows the contacts table shows while typing;
#: ranking costs per candidate (bm25): 2,000 took 3-7 ms of a 2-letter keystroke over 100k contacts, 500 take 1-3.
SEARCH_CANDIDATES = 500


def ranked_ids(conn: sqlite3.Connection, resource: str, query: str, limit: int) -> list[str]:
    """Ids of `resource` records matching an FTS5 `query`, by bm25 over the newest candidates;
    a hit on a child record (a ticket message) counts for its parent."""
    scored: list[tuple[float, int]] = []
    for searched in searched_resources(resource):
        table = database.search_table(searched)
        scored += conn.execute(
            f"SELECT bm25({table}, {TITLE_WEIGHT}, {DETAIL_WEIGHT}), -rowid FROM {table} "
            f"WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT ?",
            (query, SEARCH_CANDIDATES),
        ).fetchall()
    scored.sort()
    ids: list[str] = []
    seen: set[str] = set()
    for start in range(0, len(scored), 200):
        rowids = [-negated for _, negated in scored[start:start + 200]]
        marks = ",".join("?" * len(rowids))
        found = {
            rowid: (hit_resource, hit_id, body)
            for rowid, hit_resource, hit_id, body in conn.execute(
                "SELECT rowid, resource, id, CASE WHEN resource = ? THEN NULL ELSE body END "
                f"FROM records WHERE rowid IN ({marks})",
                (resource, *rowids),
            )
        }
        for rowid in rowids:
            if rowid not in found:
                continue
            hit_resource, hit_id, body = found[rowid]
            if hit_resource != resource:
                hit_id = json.loads(body).get(SEARCH_PARENT[hit_resource][1])
            if hit_id and hit_id not in seen:
                seen.add(hit_id)
                ids.append(hit_id)
                if len(ids) == limit:
                    return ids
    return ids
