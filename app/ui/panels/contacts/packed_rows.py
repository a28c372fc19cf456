"""Table rows of text kept compact: an id list and one packed string per row for the rest.

A contacts table holds every cached contact it has scrolled past, up to the cache's 250,000. As
tuples of eight strings each row cost about 440 bytes (a string object is 49 bytes before its
first character), so 250k rows took 110 MB and the panel 273 MB; kept as its id plus the other
fields joined into one string, a row costs about 200 bytes, and the ids stay the very objects
the list's set of shown ids holds. Both are `RowChunks`, which a full pass of the cyclic
collector does not walk string by string.

`PackedRows` is the table model's row container (`RecordTableModel(storage=PackedRows)`): it
takes and hands out the same tuples of strings, so the model, its columns and the panel see
rows as before; only what is kept between is packed. A row is unpacked when it is read (a
painted cell, a selected row), about a microsecond, and the last one read is kept, since a
repaint reads a row's cells one after another.

Rows the cache has already packed this way (`PackedBatch`: SQLite joins the fields, see
`ContactStore.cached_packed_slice`) are taken as they come, with no Python per row.
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    Container,
    Iterable,
    Iterator,
    MutableSequence,
    Sequence,
)
from typing import Any

from app.ui.panels.contacts.row_chunks import RowChunks

#: Between two fields of a packed row: ASCII's unit separator, which no name or email holds;
#: a field that does hold one has it shown as a space.
SEP = "\x1f"

Row = tuple[str, ...]


def _packed(row: Row) -> str:
    text = SEP.join(row[1:])
    if text.count(SEP) != len(row) - 2:
        text = SEP.join(value.replace(SEP, " ") for value in row[1:])
    return text


class PackedBatch(Sequence[Row]):
    """Rows already packed: their ids, and the other fields of each joined by `SEP` (as the cache
    packs them). Read as tuples like any rows; `PackedRows.extend` takes the two lists as they are.
    """

    __slots__ = ("ids", "texts")

    def __init__(self, ids: list[str], texts: list[str]) -> None:
        if len(ids) != len(texts):
            raise ValueError("a packed batch needs one text per id")
        self.ids = ids
        self.texts = texts

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return PackedBatch(self.ids[index], self.texts[index])
        return (self.ids[index], *self.texts[index].split(SEP))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedBatch):
            return self.ids == other.ids and self.texts == other.texts
        if not isinstance(other, (PackedRows, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(mine == theirs for mine, theirs in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # compared by value, like a list

    def without(self, unwanted: Container[str]) -> PackedBatch:
        """The rows whose id is not in `unwanted` (the whole batch itself when none is)."""
        kept = [position for position, record_id in enumerate(self.ids) if record_id not in unwanted]
        if len(kept) == len(self.ids):
            return self
        return PackedBatch([self.ids[position] for position in kept], [self.texts[position] for position in kept])


class PackedRows(MutableSequence[Row]):
    """A list of rows (tuples of strings, the id first) that keeps each as (id, packed rest)."""

    __slots__ = ("_ids", "_last", "_rest")

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        # In sealed chunks, not lists: the cyclic collector would visit every string of a list.
        self._ids = RowChunks()
        self._rest = RowChunks()
        #: (position, row) of the last row unpacked.
        self._last: tuple[int, Row | None] = (-1, None)
        self.extend(rows)

    # ---- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._row(position) for position in range(*index.indices(len(self._ids)))]
        return self._row(self._position(index))

    def __iter__(self) -> Iterator[Row]:
        for record_id, rest in zip(self._ids, self._rest):
            yield (record_id, *rest.split(SEP))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedBatch):
            return len(self) == len(other) and list(self._ids) == other.ids and list(self._rest) == other.texts
        if not isinstance(other, (PackedRows, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(mine == theirs for mine, theirs in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def id_at(self, position: int) -> str:
        """The id of the row at `position`, without unpacking the row."""
        return self._ids[position]

    def ids_between(self, start: int, stop: int) -> list[str]:
        """The ids of rows `start` .. `stop` - 1, without unpacking them (a pass over many rows)."""
        return self._ids[start:stop]

    def index_of_id(self, record_id: str) -> int | None:
        """Where the row with `record_id` is (the first, if several), or None."""
        try:
            return self._ids.index(record_id)
        except ValueError:
            return None

    # ---- writing ---------------------------------------------------------------------------
    def __setitem__(self, index: int | slice, value: Any) -> None:
        self._last = (-1, None)
        if isinstance(index, slice):
            rows = list(value)
            self._ids[index] = [row[0] for row in rows]
            self._rest[index] = [_packed(row) for row in rows]
            return
        position = self._position(index)
        self._ids[position] = value[0]
        self._rest[position] = _packed(value)

    def __delitem__(self, index: int | slice) -> None:
        self._last = (-1, None)
        del self._ids[index]
        del self._rest[index]

    def insert(self, index: int, value: Row) -> None:
        self._last = (-1, None)
        self._ids.insert(index, value[0])
        self._rest.insert(index, _packed(value))

    def extend(self, rows: Iterable[Row]) -> None:
        if isinstance(rows, PackedBatch):
            self._ids.extend(rows.ids)
            self._rest.extend(rows.texts)
            return
        rows = list(rows)
        self._ids.extend(row[0] for row in rows)
        self._rest.extend(_packed(row) for row in rows)

    def sort(self, *, key: Callable[[Row], Any] | None = None, reverse: bool = False) -> None:
        """Sort like `list.sort` (stable), by `key` of each unpacked row."""
        rows = list(self)
        order = sorted(range(len(rows)), key=(lambda i: rows[i]) if key is None else (lambda i: key(rows[i])),
                       reverse=reverse)
        self._last = (-1, None)
        self._ids[:] = [self._ids[i] for i in order]
        self._rest[:] = [self._rest[i] for i in order]

    # ---- internals -------------------------------------------------------------------------
    def _position(self, index: int) -> int:
        count = len(self._ids)
        position = index + count if index < 0 else index
        if not 0 <= position < count:
            raise IndexError("row index out of range")
        return position

    def _row(self, position: int) -> Row:
        last_position, last = self._last
        if last_position == position and last is not None:
            return last
        row = (self._ids[position], *self._rest[position].split(SEP))
        self._last = (position, row)
        return row
