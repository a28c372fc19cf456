"""Where the ticket list's rows and its "n shown of m" come from: the store's tickets at once,
then the server's pages, fetched as the agent scrolls.

A query's first answer is the tickets the store already holds (the cached ones at first, the
server's pages since), filtered here the way the server filters: it is instant, and offline it
is the answer ("searched 3,120 cached tickets", "from the cache"). Online, the server's first
page and its count follow in one round trip and replace it; scrolling near the end asks for the
next page by cursor. The count is a live count of the store's, so it moves with every change the
store takes (a ticket closed here leaves "open" at once) and is asked again on every poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from app.api import errors
from app.api.models import Ticket
from app.data.ticket_counts import CACHE, LiveCount
from app.data.ticket_query import TicketQuery
from app.data.tickets import TicketStore

#: A typed search shorter than this is answered from the cache only until Enter: the server has
#: no index for one or two characters (docs/API.md) and every keystroke would cost a scan.
MIN_SERVER_SEARCH = 3

Spawn = Callable[[Coroutine[Any, Any, Any]], Any]


@dataclass(frozen=True)
class Summary:
    """What the summary label says, and its tooltip."""

    text: str
    tip: str


class TicketPaging:
    """Runs one query at a time for the list: `show(query)` answers at once and asks the server;
    `more()` fetches the next page. `on_rows(rows, append)` fills the list; `on_summary()` asks
    the list to say again how many there are."""

    def __init__(self, store: TicketStore, spawn: Spawn | None, on_rows: Callable[[list[Ticket], bool], None],
                 on_summary: Callable[[], None]) -> None:
        self._store = store
        self._spawn = spawn or self._own_task
        self._tasks: set[asyncio.Task] = set()
        self._on_rows = on_rows
        self._on_summary = on_summary
        self.query = TicketQuery()
        self._count: LiveCount | None = None
        self._cursor: str | None = None
        self._generation = 0
        self._task: Any = None
        #: The rows are the server's (False: the held/cached tickets, offline or before it answers).
        self.from_server = False
        self.searching_server = False
        #: How many held tickets the instant answer looked through.
        self.searched = 0

    def _own_task(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        """Without the panel's task runner (a list on its own, in tests): tasks kept here."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def count(self) -> LiveCount | None:
        return self._count

    @property
    def has_more(self) -> bool:
        return self.from_server and self._cursor is not None

    def show(self, query: TicketQuery, *, search_server: bool = False, instant_only: bool = False) -> None:
        """The instant answer now; the server's (if it can be asked) in the background.
        `search_server`: asked for (Enter), even for a text too short to search as it is typed;
        `instant_only`: what is held, nothing asked (the cache was read)."""
        self._start(query)
        held = self._store.instant(query)
        self.searched = len(self._store.tickets)
        self._on_rows(held, False)
        if not instant_only and self._server_can_answer(query, search_server):
            self.searching_server = True
            self._task = self._spawn(self._first_page(self._generation))
        else:
            self._store.count_locally(self._count)
        self._on_summary()

    async def load(self, query: TicketQuery) -> None:
        """`show(query)` and wait for the server's answer (a refresh returns with its rows shown)."""
        self.show(query, search_server=True)
        await self.settled()

    async def settled(self) -> None:
        task = self._task
        if task is not None and not task.done():
            await asyncio.wait([task])

    def _start(self, query: TicketQuery) -> None:
        self._generation += 1
        self.query = query
        self._cursor = None
        self.from_server = self.searching_server = False
        if self._count is not None:
            self._store.release(self._count)
        self._count = self._store.live_count(query)
        if self._task is not None and not self._task.done():
            self._task.cancel()  # a newer query wants the server now

    def _server_can_answer(self, query: TicketQuery, asked: bool) -> bool:
        text = query.text.strip()
        return self._store.online and not query.contradictory() and (
            asked or not text or len(text) >= MIN_SERVER_SEARCH)

    async def _first_page(self, generation: int) -> None:
        store, count = self._store, self._count
        try:
            (rows, cursor), _ = await asyncio.gather(store.list_page(self.query), store.recount(count))
        except errors.ApiConnectionError:
            if generation == self._generation:
                self.searching_server = False
                store.count_locally(count)
                self._on_summary()
            raise
        finally:
            if generation == self._generation:
                self.searching_server = False
        if generation != self._generation:
            return
        self._cursor = cursor
        self.from_server = True
        self._on_rows(rows, False)
        self._on_summary()

    def more(self) -> None:
        """The next server page (the list's fetchMore); nothing when there is none."""
        if self.has_more:
            self._task = self._spawn(self._next_page(self._generation, self._cursor))
        else:
            self._on_rows([], True)

    async def _next_page(self, generation: int, cursor: str) -> None:
        try:
            rows, following = await self._store.list_page(self.query, cursor)
        except errors.ApiError:
            if generation == self._generation:
                self._on_rows([], True)  # the list may ask again on the next scroll
            raise
        if generation != self._generation:
            return
        self._cursor = following
        self._on_rows(rows, True)
        self._on_summary()

    def concerns(self, count: LiveCount) -> bool:
        """Whether a count that moved is the one the summary shows."""
        return count is self._count

    def summary(self, shown: int) -> Summary:
        """ "100 shown of 12,345" (the server's count), or what the cache answered and how much it searched."""
        count = self._count
        if self.from_server and count is not None and count.total is not None and count.source != CACHE:
            more = " Scroll down for more." if self.has_more else ""
            return Summary(f"{shown:,} shown of {count.total:,}",
                           f"The server counts {count.total:,} tickets for these filters; {shown:,} are "
                           f"loaded.{more}")
        searched = f"searched {self.searched:,} cached tickets"
        if self.searching_server:
            return Summary(f"{shown:,} found · {searched} · asking the server…",
                           "These are the cached tickets that match; the server's answer replaces them.")
        if self._store.online:
            return Summary(f"{shown:,} found · {searched}",
                           "Type three characters (or press Enter) for the server to search every ticket.")
        return Summary(f"{shown:,} found · {searched} (offline: from the cache)",
                       "The server cannot be reached: these are the cached tickets that match. The list "
                       "asks the server again when it answers.")

    def close(self) -> None:
        if self._count is not None:
            self._store.release(self._count)
            self._count = None
