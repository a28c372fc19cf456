"""One keychain read per secret at a time, and its answer reused for a short while.

At start-up the early first page (`app.core.first_page`) and the console's own open of the profile
both need its key, from two threads, a fraction of a second apart. On a keychain that asks the user
(a locked Secret Service collection, a macOS item the interpreter may read only with consent) two
reads can mean two prompts for one start. A read of a secret that another thread is already making
waits for that read's answer instead, and an answer is reused for `REUSE_SECONDS`; a write or a
delete of the secret, in this process, forgets it at once. Answers live in memory only, as the
session's secrets do, and are keyed by the keychain backend object (a test's or a second backend
never sees another's).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

#: How long a read's answer is reused (a start's reads come within a second or two of each other).
REUSE_SECONDS = 30.0


class SharedReads:
    """Reads of (service, username) per backend: one at a time, reused while fresh."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        #: backend -> (service, username) -> (the read's future, when it began or, once answered, ended)
        self._reads: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], tuple[Future, float]]] = (
            weakref.WeakKeyDictionary())

    def read(self, backend: Any, service: str, username: str, fetch: Callable[[], str | None]) -> str | None:
        """`fetch()`'s answer, or the answer of the same read in flight or made moments ago."""
        key = (service, username)
        with self._lock:
            try:
                reads = self._reads.setdefault(backend, {})
            except TypeError:  # a backend that cannot be weakly referenced: read it each time
                reads = None
            entry = reads.get(key) if reads is not None else None
            # A read in flight for longer (a prompt nobody answers) is not waited on: ask again.
            if entry is not None and self._clock() - entry[1] < REUSE_SECONDS:
                future, mine = entry[0], False
            else:
                future, mine = Future(), True
                if reads is not None:
                    reads[key] = (future, self._clock())
        if reads is None:
            return fetch()
        if not mine:
            return future.result()
        try:
            answer = fetch()
        except BaseException as error:
            with self._lock:
                if reads.get(key, (None,))[0] is future:
                    del reads[key]  # a failed read is not reused: the next caller asks again
            future.set_exception(error)
            raise
        with self._lock:
            if reads.get(key, (None,))[0] is future:  # not forgotten (a write) meanwhile
                reads[key] = (future, self._clock())
        future.set_result(answer)
        return answer

    def forget(self, backend: Any, service: str, username: str) -> None:
        """The secret changed or went: the next read asks the keychain."""
        with self._lock:
            try:
                self._reads.get(backend, {}).pop((service, username), None)
            except TypeError:
                pass


#: The process's one instance: every `SecretStore` shares it.
SHARED_READS = SharedReads()
