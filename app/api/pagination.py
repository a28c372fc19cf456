"""`CursorPage[T]`: one page of a list, the way to the next, and iteration over every item.

The platform pages by opaque cursor (`next_cursor` null on the last page); a page knows how to
fetch its successor, so callers never handle cursors unless they want to (the UI's fetch-more).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

PageFetcher = Callable[[str], Awaitable["CursorPage[T]"]]


class CursorPage(Generic[T]):
    """`items` of this page, `next_cursor` (None on the last page), `has_next`, `next_page()`."""

    def __init__(self, items: list[T], next_cursor: str | None, fetch: PageFetcher[T] | None = None,
                 request_id: str | None = None) -> None:
        self.items = items
        self.next_cursor = next_cursor
        self.request_id = request_id
        self._fetch = fetch

    @property
    def has_next(self) -> bool:
        """True when another page follows."""
        return bool(self.next_cursor) and self._fetch is not None

    async def next_page(self) -> CursorPage[T] | None:
        """The following page, or None when this is the last one."""
        if not self.has_next:
            return None
        assert self._fetch is not None and self.next_cursor is not None
        return await self._fetch(self.next_cursor)

    async def iter_items(self) -> AsyncIterator[T]:
        """Every item of this page and every page after it, fetched as iteration reaches them."""
        page: CursorPage[T] | None = self
        while page is not None:
            for item in page.items:
                yield item
            page = await page.next_page()

    def __aiter__(self) -> AsyncIterator[T]:
        return self.iter_items()

    def __repr__(self) -> str:
        return f"CursorPage(items={len(self.items)}, next_cursor={self.next_cursor!r})"
