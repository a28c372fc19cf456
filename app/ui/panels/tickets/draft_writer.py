"""The ticket panel's drafts, read and written on a worker thread it owns instead of the Qt thread.

Drafts are saved on every debounced keystroke; a SQLite upsert (and a WAL checkpoint on delete)
on the UI thread would stall typing whenever the disk is slow. One worker thread runs the calls
in the order they were made, so a load after a save sees the saved text and a delete after a
save wins. Each call is handed to the worker at once: a crash of the UI loses at most a write
the worker is doing. Closing waits (a bounded time) until every queued write is done, so the
session can close the DraftStore after it without a write landing on a closed file: `aclose`
before the store closes (the panel's shutdown, the UI thread keeps running), `close` as the
blocking fallback when the panel is destroyed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from typing import Any

log = logging.getLogger(__name__)

#: The longest closing waits for queued draft writes (a few ms each; more means the disk is stuck).
FLUSH_TIMEOUT_SECONDS = 2.0


class DraftWriter:
    """save/mark/load/delete/list of a DraftStore, queued on one worker thread; results come back on the loop."""

    def __init__(self, drafts: Any) -> None:
        self.drafts = drafts
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ticket-drafts")
        #: Runs after every call queued before closing began; None until then.
        self._drained: Future | None = None

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

    async def aclose(self, timeout: float = FLUSH_TIMEOUT_SECONDS) -> bool:
        """Take no more calls and wait, without blocking the loop, for the queued writes (at most
        `timeout`); False if they had not finished by then."""
        drained = self._stop()
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(drained)), timeout)
        except TimeoutError:
            log.error("queued draft writes were not done after %.1f s", timeout)
            return False
        return True

    def close(self) -> bool:
        """Take no more calls and block until the queued writes are done (at most
        `FLUSH_TIMEOUT_SECONDS`; at once when `aclose` already waited); False if they were not."""
        finished = not wait_for_futures([self._stop()], FLUSH_TIMEOUT_SECONDS).not_done
        if not finished:
            log.error("queued draft writes were not done after %.1f s", FLUSH_TIMEOUT_SECONDS)
        return finished

    def _stop(self) -> Future:
        if self._drained is None:
            self._drained = self._executor.submit(lambda: None)  # the queue is first in, first out
            self._executor.shutdown(wait=False)
        return self._drained

    def _submit(self, call: Callable[..., Any], args: tuple, on_done: Callable[[Any], None] | None,
                on_failure: Callable[[BaseException], None] | None) -> Future:
        loop = asyncio.get_event_loop()
        if self._drained is not None:  # closed: the session is closing the file, nothing may land on it now
            future: Future = Future()
            future.set_exception(RuntimeError("The drafts are closed: the console is closing."))
        else:
            future = self._executor.submit(call, *args)

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
