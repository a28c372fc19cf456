"""A list of strings kept in tuples of a few thousand, which CPython's cyclic collector never walks.

A list of 250,000 strings is one object to the collector, but each full pass visits every item
(two passes over 500,000 scattered strings for a contacts table's ids and rows: 9-12 ms, enough
to stall a scroll once the rows were built after start-up's `gc.freeze()`). A tuple holding only
strings is untracked by the first collection that sees it, and then never visited again; so
all but the last few thousand strings sit in such tuples ("sealed" chunks), and the collector
walks one short list of chunks and the open tail.

Reads are a bisect over chunk starts; appends go to the tail, sealed every `CHUNK_ROWS` (and
looked into by a young collection pass at once, which untracks it); a change inside a sealed
chunk rebuilds that one tuple (a few microseconds) and leaves it tracked until the next pass.
Used on the UI thread, where the console runs its collection passes (`runtime_tuning`).
"""

from __future__ import annotations

import bisect
import gc
from collections.abc import Iterable, Iterator, MutableSequence
from itertools import chain
from typing import Any

#: Strings per sealed chunk: a rebuild copies at most twice this many pointers.
CHUNK_ROWS = 4096


class RowChunks(MutableSequence[str]):
    """A mutable sequence of strings: sealed tuple chunks, then an open tail list."""

    __slots__ = ("_chunk_rows", "_chunks", "_sealed", "_starts", "_tail")

    def __init__(self, values: Iterable[str] = (), chunk_rows: int | None = None) -> None:
        self._chunk_rows = chunk_rows or CHUNK_ROWS
        self._chunks: list[tuple[str, ...]] = []
        #: Where each sealed chunk starts, and how many strings they hold in all.
        self._starts: list[int] = []
        self._sealed = 0
        self._tail: list[str] = []
        self.extend(values)

    # ---- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._sealed + len(self._tail)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self._range(index) if index.step in (None, 1) else list(self)[index]
        position = self._position(index)
        if position >= self._sealed:
            return self._tail[position - self._sealed]
        chunk = bisect.bisect_right(self._starts, position) - 1
        return self._chunks[chunk][position - self._starts[chunk]]

    def __iter__(self) -> Iterator[str]:
        return chain(chain.from_iterable(self._chunks), self._tail)

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """Where `value` first is (each chunk searched in C, as `list.index` does)."""
        if start or stop is not None:
            return list(self).index(value, start, len(self) if stop is None else stop)
        for first, chunk in zip(self._starts, self._chunks):
            if value in chunk:
                return first + chunk.index(value)
        return self._sealed + self._tail.index(value)

    # ---- writing ---------------------------------------------------------------------------
    def __setitem__(self, index: int | slice, value: Any) -> None:
        if isinstance(index, slice):
            values = list(self)
            values[index] = value
            self._rebuild(values)
            return
        position = self._position(index)
        if position >= self._sealed:
            self._tail[position - self._sealed] = value
            return
        chunk, at = self._locate(position)
        old = self._chunks[chunk]
        self._chunks[chunk] = (*old[:at], value, *old[at + 1:])

    def __delitem__(self, index: int | slice) -> None:
        if isinstance(index, slice):
            values = list(self)
            del values[index]
            self._rebuild(values)
            return
        position = self._position(index)
        if position >= self._sealed:
            del self._tail[position - self._sealed]
            return
        chunk, at = self._locate(position)
        old = self._chunks[chunk]
        if len(old) == 1:
            del self._chunks[chunk], self._starts[chunk]
        else:
            self._chunks[chunk] = (*old[:at], *old[at + 1:])
            chunk += 1
        self._shift(chunk, -1)

    def insert(self, index: int, value: str) -> None:
        count = len(self)
        position = max(0, min(count, index + count if index < 0 else index))
        if position >= self._sealed:
            self._tail.insert(position - self._sealed, value)
            self._seal_full_tail()
            return
        chunk, at = self._locate(position)
        old = self._chunks[chunk]
        grown = (*old[:at], value, *old[at:])
        if len(grown) > 2 * self._chunk_rows:
            half = len(grown) // 2
            self._chunks[chunk:chunk + 1] = [grown[:half], grown[half:]]
            self._starts.insert(chunk + 1, self._starts[chunk] + half)
            chunk += 1
        else:
            self._chunks[chunk] = grown
        self._shift(chunk + 1, 1)

    def extend(self, values: Iterable[str]) -> None:
        self._tail.extend(values)
        self._seal_full_tail()

    # ---- internals -------------------------------------------------------------------------
    def _range(self, span: slice) -> list[str]:
        """`self[start:stop]` from the chunks it overlaps only (a pass over 20k rows of 250k)."""
        start, stop, _ = span.indices(len(self))
        if start >= stop:
            return []
        values: list[str] = []
        chunk = max(0, bisect.bisect_right(self._starts, start) - 1)
        while chunk < len(self._chunks) and self._starts[chunk] < stop:
            first = self._starts[chunk]
            values += self._chunks[chunk][max(0, start - first):stop - first]
            chunk += 1
        if stop > self._sealed:
            values += self._tail[max(0, start - self._sealed):stop - self._sealed]
        return values

    def _position(self, index: int) -> int:
        count = len(self)
        position = index + count if index < 0 else index
        if not 0 <= position < count:
            raise IndexError("row index out of range")
        return position

    def _locate(self, position: int) -> tuple[int, int]:
        chunk = bisect.bisect_right(self._starts, position) - 1
        return chunk, position - self._starts[chunk]

    def _shift(self, first_chunk: int, by: int) -> None:
        """Chunks from `first_chunk` on start `by` later; the sealed count follows."""
        for chunk in range(first_chunk, len(self._starts)):
            self._starts[chunk] += by
        self._sealed += by

    def _seal_full_tail(self) -> None:
        rows = self._chunk_rows
        if len(self._tail) < rows:
            return
        full = len(self._tail) - len(self._tail) % rows
        for start in range(0, full, rows):
            self._starts.append(self._sealed)
            self._chunks.append(tuple(self._tail[start:start + rows]))
            self._sealed += rows
        del self._tail[:full]
        # A new tuple is tracked until a pass looks into it; the console's collector runs rarely,
        # and the first full pass then looked into every chunk at once (20 ms for 250k rows).
        # A young pass now looks into just the new ones (a few thousand strings: ~0.2 ms).
        gc.collect(0)

    def _rebuild(self, values: list[str]) -> None:
        self._chunks, self._starts, self._sealed, self._tail = [], [], 0, []
        self.extend(values)
