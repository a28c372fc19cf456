"""Keyset slices of a sorted local list: rows after a (sort value, id) key, without OFFSET.

`LIMIT 100 OFFSET n` walks n index entries before it returns anything (58.6 ms at OFFSET 1M);
"the 100 rows after (value, id)" is a range seek on the (resource, sort key, id) index, as fast
at the millionth row as at the first. `query_records(after=...)` takes such a key, and
`SliceAnchors` turns plain offsets into keys where it can, so callers that still page by offset
(scrolling down, an export walking every row) pay for the gap since their last slice only.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Hashable
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
