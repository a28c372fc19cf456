"""The ticket panel's drafts, read and written on a worker thread it owns instead of the Qt thread.

Drafts are saved on every debounced keystroke; a SQLite upsert (and a WAL checkpoint on delete)
on the UI thread would stall typing whenever the disk is slow. One worker thread runs the calls
in the order they were made, so a load after a save sees the saved text and a delete after a
save wins. Each call is handed to the worker at once: a crash of the UI loses at most a write
the worker is doing, and leaving the panel lets queued writes finish (the interpreter joins the
worker at exit) without making the UI wait for them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class DraftWriter:
    """save/mark/load/delete/list of a DraftStore, queued on one worker thread; results come back on the loop."""

    def __init__(self, drafts: Any) -> None:
        self.drafts = drafts
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ticket-drafts")

    def save(self, key: str, text: str, on_failure: Callable[[BaseException], None] | None = None,
             on_saved: Callable[[], None] | None = None) -> Future:
        """Queue the draft for `key` (empty text deletes it); `on_saved()` runs on the loop once it is."""
        return self._submit(self.drafts.save, (key, text), on_saved and (lambda _none: on_saved()), on_failure)

    def delete(self, key: str, on_failure: Callable[[BaseException], None] | None = None) -> Future:
        """Queue forgetting the draft for `key`."""
        return self._submit(self.drafts.delete, (key,), None, on_failure)

    def mark(self, key: str, mark: str | None, on_failure: Callable[[BaseException], None] | None = None) -> Future:
        """Queue putting `mark` on the draft for `key` (after the saves queued before it; None takes it off)."""
        return self._submit(self.drafts.mark, (key, mark), None, on_failure)

    def load(self, key: str, on_done: Callable[[str | None], None],
             on_failure: Callable[[BaseException], None] | None = None) -> Future:
        """Read the draft for `key` after every queued write; `on_done(text)` runs on the event loop."""
        return self._submit(self.drafts.load, (key,), on_done, on_failure)

    def list(self, prefix: str, on_done: Callable[[list], None],
             on_failure: Callable[[BaseException], None] | None = None) -> Future:
        """The drafts whose key starts with `prefix`; `on_done(drafts)` runs on the event loop."""
        return self._submit(self.drafts.list, (prefix,), on_done, on_failure)

    def close(self) -> None:
        """Take no more calls; queued writes still finish, without waiting for them here."""
        self._executor.shutdown(wait=False)

    def _submit(self, call: Callable[..., Any], args: tuple, on_done: Callable[[Any], None] | None,
                on_failure: Callable[[BaseException], None] | None) -> Future:
        future = self._executor.submit(call, *args)
        loop = asyncio.get_event_loop()

        def deliver(done: Future) -> None:
            error = done.exception()
            if error is not None:
                log.error("a draft could not be read or written", exc_info=error)
                if on_failure is not None:
                    on_failure(error)
            elif on_done is not None:
                on_done(done.result())

        def hand_over(done: Future) -> None:
            if loop.is_closed():  # the app is quitting: the write itself is done, nobody is left to tell
                return
            loop.call_soon_threadsafe(deliver, done)

        future.add_done_callback(hand_over)
        return future
