"""Keyset slices of a sorted local list: rows after a (sort value, id) key, without OFFSET.

`LIMIT 100 OFFSET n` walks n index entries before it returns anything (58.6 ms at OFFSET 1M);
"the 100 rows after (value, id)" is a range seek on the (resource, sort key, id) index, as fast
at the millionth row as at the first. `query_records(after=...)` takes such a key, and
`SliceAnchors` turns plain offsets into keys where it can, so callers that still page by offset
(scrolling down, an export walking every row) pay for the gap since their last slice only.

`read_packed` reads a slice's rows as a table keeps them, an id and its fields joined into one
text, in a single SQLite step (see there why).
"""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import Any

#: Offsets below this are cheap enough as OFFSET (about 1 µs per row skipped).
ANCHORED_FROM_OFFSET = 2_000
_ANCHORS_PER_QUERY = 512
_QUERIES_REMEMBERED = 8
# Below every number and every text in SQLite's ordering: "any value that is not NULL",
# as a range an index can seek to (`IS NOT NULL` would walk the NULL entries first).
_LOWEST_VALUE = float("-inf")

#: One part of a keyset slice: (extra WHERE condition, its parameters, ORDER BY clause).
Segment = tuple[str, list[Any], str]


def keyset_segments(order: str, *, row_value: bool, descending: bool, key: tuple[Any, str]) -> list[Segment]:
    """The queries that together give, in order, the rows sorted after `key` = (value, id).

    Rows are sorted by `order` then id, both ascending or both descending, with NULLs first
    ascending and last descending (SQLite's order). `row_value` says `order` is a column whose
    index ends in id, so `(order, id) > (?, ?)` is one range seek. SQLite does not seek an
    expression index by a row value (it walked from the first entry), so there the rows tied
    with the key's value come first (`order = ? AND id > ?`), then the greater values: two
    seeks, where `order >= ?` with an id filter walked the whole tie (~1,200 rows for a name
    shared across 1M contacts: 5 ms).
    """
    value, last_id = key
    direction = "DESC" if descending else "ASC"
    after = "<" if descending else ">"
    ordered = f"ORDER BY {order} {direction}, id {direction}"
    by_id = f"ORDER BY id {direction}"
    null_group = f"{order} IS NULL"
    if value is None:
        segments: list[Segment] = [(f"{null_group} AND id {after} ?", [last_id], by_id)]
        if not descending:
            segments.append((f"{order} >= ?", [_LOWEST_VALUE], ordered))
        return segments
    if row_value:
        segments = [(f"({order}, id) {after} (?, ?)", [value, last_id], ordered)]
    else:
        segments = [(f"{order} = ? AND id {after} ?", [value, last_id], by_id),
                    (f"{order} {after} ?", [value], ordered)]
    if descending:
        segments.append((null_group, [], by_id))
    return segments


class SliceAnchors:
    """Where rows of recent sorted slices stand: offset -> (sort value, id) of the row there.

    Valid only while the data is unchanged: the owner calls `forget()` on every write.
    """

    def __init__(self) -> None:
        self._queries: OrderedDict[Hashable, tuple[list[int], list[tuple[Any, str]]]] = OrderedDict()

    def nearest(self, query: Hashable, offset: int) -> tuple[int, tuple[Any, str]] | None:
        """The remembered (offset, key) closest below `offset` for this query, if any."""
        entry = self._queries.get(query)
        if entry is None:
            return None
        self._queries.move_to_end(query)
        offsets, keys = entry
        index = bisect.bisect_left(offsets, offset) - 1
        return (offsets[index], keys[index]) if index >= 0 else None

    def remember(self, query: Hashable, offset: int, key: tuple[Any, str]) -> None:
        offsets, keys = self._queries.setdefault(query, ([], []))
        self._queries.move_to_end(query)
        index = bisect.bisect_left(offsets, offset)
        if index < len(offsets) and offsets[index] == offset:
            keys[index] = key
        else:
            offsets.insert(index, offset)
            keys.insert(index, key)
            if len(offsets) > _ANCHORS_PER_QUERY:
                # Keep every other anchor: the spacing doubles, a jump still lands near one.
                offsets[:] = offsets[::2]
                keys[:] = keys[::2]
        while len(self._queries) > _QUERIES_REMEMBERED:
            self._queries.popitem(last=False)

    def forget(self) -> None:
        self._queries.clear()


#: Between two rows of a packed slice (ASCII's record separator): never inside a packed row.
ROW_SEP = "\x1e"
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class PackedSlice:
    """Rows of a slice as two lists: the ids, and each row's fields as one text (see `read_packed`).

    Each list may be held as its values joined by `ROW_SEP`, split only when `ids` or `texts` is
    read (each read splits again: read once). Splitting 500 rows holds the GIL for ~0.3 ms; in
    the cache's thread a preemption in that window (a loaded machine) left the UI thread waiting
    for the GIL until the cache thread got a core back, so the thread that uses the rows splits.
    `after` is the key the next slice starts after (the last row's), None when no rows follow.
    """

    __slots__ = ("_ids", "_texts", "after")

    def __init__(self, ids: str | list[str], texts: str | list[str], after: tuple[Any, str] | None = None) -> None:
        self._ids = ids
        self._texts = texts
        self.after = after

    @property
    def ids(self) -> list[str]:
        return self._ids.split(ROW_SEP) if isinstance(self._ids, str) else self._ids

    @property
    def texts(self) -> list[str]:
        return self._texts.split(ROW_SEP) if isinstance(self._texts, str) else self._texts

    def followed_by(self, after: tuple[Any, str] | None) -> PackedSlice:
        """The same rows with the key of the next slice."""
        return PackedSlice(self._ids, self._texts, after)

    def __repr__(self) -> str:
        return f"PackedSlice(ids={self.ids!r}, texts={self.texts!r}, after={self.after!r})"


@lru_cache(maxsize=32)
def packed_expression(fields: tuple[str, ...], sep: str, lists: tuple[str, ...] = (), *, clean: bool = True) -> str:
    """SQL for one record's `fields` (top-level fields of its JSON body) joined by `sep`.

    A missing or null field is empty text; a field named in `lists` is its array's items joined
    by ", " (a single value as itself). `clean`: `sep` and `ROW_SEP` inside a value become
    spaces, so the text splits back into exactly `len(fields)` values (replacing costs 60% more
    than the rest: `read_packed` reads without it and cleans only a slice that needs it).
    """
    if not fields:
        raise ValueError("fields must name at least one field")
    if len(sep) != 1 or sep == ROW_SEP or sep in "',":
        raise ValueError("sep must be one character other than the row separator, a quote or a comma")
    parts = []
    for field in fields:
        if not _FIELD_NAME.match(field):
            raise ValueError(f"{field!r} is not a field name a cached record can be read by")
        value = (f"(SELECT group_concat(value, ', ') FROM json_each(body, '$.{field}'))" if field in lists
                 else f"json_extract(body, '$.{field}')")
        value = f"coalesce({value}, '')"
        if clean:
            value = f"replace(replace({value}, char({ord(sep)}), ' '), char({ord(ROW_SEP)}), ' ')"
        parts.append(value)
    return f" || char({ord(sep)}) || ".join(parts)


def joined_rowids(conn: sqlite3.Connection, where: str, params: Sequence[Any], order: str, *, row_value: bool,
                  descending: bool, after: tuple[Any, str] | None, limit: int) -> str | None:
    """The rowids of up to `limit` rows of `where` sorted after `after` (None: from the first),
    as one text of comma-separated numbers (None: no rows); see `keyset_segments` for the rest.

    One step per keyset segment: rowids read row by row (501 for a slice) handed the GIL back
    and forth as often, and each time the UI thread held it the cache thread forced it to let go
    and then took it back before the UI thread woke up, a switch interval (5 ms) lost each time.
    The aggregate keeps the sorted subquery's order (SQLite does not flatten a subquery with a
    LIMIT into an aggregate; the packed slice tests hold it to the record slices' order).
    """
    direction = "DESC" if descending else "ASC"
    if after is None:
        segments: list[Segment] = [("1", [], f"ORDER BY {order} {direction}, id {direction}")]
    else:
        segments = keyset_segments(order, row_value=row_value, descending=descending, key=(after[0], after[1]))
    found: list[str] = []
    count = 0
    for condition, extra, ordered in segments:
        (joined,) = conn.execute(
            f"SELECT group_concat(rowid) FROM (SELECT rowid FROM records WHERE {where} AND {condition} "
            f"{ordered} LIMIT ?)", (*params, *extra, limit - count)).fetchone()
        if joined:
            found.append(joined)
            count += joined.count(",") + 1
            if count >= limit:
                break
    return ",".join(found) or None


def read_packed(conn: sqlite3.Connection, rowids: str, fields: Sequence[str], sep: str,
                lists: Sequence[str] = ()) -> PackedSlice:
    """The ids of `rowids` (comma-separated, as `joined_rowids` gives them) and their `fields`
    packed (`packed_expression`), in the order given.

    One statement, one step, one row back: SQLite packs every row and concatenates the slice;
    this thread only checks it (`PackedSlice` is split where it is used). Read row by row, a
    slice's 500 rows were 500 hand-overs of the GIL between this (cache) thread and the UI
    thread, and in each the UI thread, woken too late to take it, waited again: it stalled a
    scroll for as long as the whole read (5-8 ms; longer when the cache thread itself waited for
    a core). Converting the rows in Python held the GIL outright. The row order is checked, not
    assumed (SQLite keeps a sorted subquery's order into an aggregate, but does not promise it),
    and so is every separator.
    """
    wanted = f"[{rowids}]"
    order, ids, texts = conn.execute(
        f"SELECT group_concat(position), group_concat(id, char({ord(ROW_SEP)})), "
        f"group_concat(packed, char({ord(ROW_SEP)})) FROM ("
        f"SELECT wanted.key AS position, records.id AS id, {packed_expression(fields, sep, lists, clean=False)} "
        f"AS packed FROM json_each(?) AS wanted JOIN records ON records.rowid = wanted.value ORDER BY wanted.key)",
        (wanted,)).fetchone()
    rows = rowids.count(",") + 1
    if (order == _positions(rows) and ids.count(ROW_SEP) == texts.count(ROW_SEP) == rows - 1
            and texts.count(sep) == rows * (len(fields) - 1)):
        return PackedSlice(ids, texts)
    # A separator inside a value, or another order: row by row, values cleaned.
    found = conn.execute(
        f"SELECT wanted.key, records.id, {packed_expression(tuple(fields), sep, tuple(lists))} "
        f"FROM json_each(?) AS wanted JOIN records ON records.rowid = wanted.value", (wanted,)).fetchall()
    found.sort()
    return PackedSlice([row[1] for row in found], [row[2] for row in found])


@lru_cache(maxsize=8)
def _positions(count: int) -> str:
    """What `group_concat(position)` reads for rows 0 .. count - 1 in order."""
    return ",".join(map(str, range(count)))
