"""Keeping a churned FTS5 index as small and fast as a fresh one, a few milliseconds at a time.

FTS5 never rewrites old index segments on a delete: it adds a tombstone, and both stay until a
merge reaches the oldest segment. A cache at its row bound deletes a row for every row it adds,
so after 1M puts through the 250k bound a 1-letter search (whose ranking walks every entry of
the prefix, dead ones included) went from 9.8 to 29-45 ms and the file from 275 to 453-565 MB.

One FTS5 `optimize` fixes both but held the cache thread for 3.3 s at 250k rows. The same work
split into `merge` steps (the first with a negative page count, which merges every segment into
one, as `optimize` does; the next ones positive, which carry that merge on) holds it for a
budget of milliseconds per step, and FTS5 frees each input segment's pages as the merge passes
them, so the file does not grow by a second copy of the index while it runs. A merge is started
once the rows deleted since the last one reach `CHURN_FRACTION` of the rows indexed.

A step can only stop between two terms, and the 1-letter prefix terms of a big index hold a
row each for most of its rows: at 1M contacts one step could take 0.5 s whatever its budget.
So `AsyncPageCache` runs the steps through a `SearchMerger`, on a connection and a thread of
their own: SQLite's WAL lets the cache's connection read while another writes, so a read never
waits for a step (a put may, for one step).

A completed merge leaves the pages it freed inside the file, and the WAL as big as the churn
made it: a 10k-contact cache re-synced once was 1.59x its fresh size (2.6 MB of free pages, a
9 MB WAL beside a 12 MB file). So after each whole merge the same steps hand the free pages back
to the file system (`incremental_vacuum`, `COMPACT_PAGES` at a time; files are created with
`auto_vacuum = INCREMENTAL`) and then empty the WAL (a TRUNCATE checkpoint).
"""

from __future__ import annotations

import sqlite3
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from app.cache import database

#: Rows deleted from an index, as a fraction of its live rows, that start a whole merge.
CHURN_FRACTION = 0.25
#: ...but never for fewer deletes than this: a small index is cheap to search anyway.
MIN_CHURN = 2_000
#: What one step aims to hold the cache's thread for (a read queued behind it waits that
#: long). Steps of the same size vary 2-3x in time, so this aims low: at 10 ms, one step in
#: twenty took over 28 ms churning 1M puts through 250k rows; at 5 ms, 14 ms (25 ms at most).
STEP_BUDGET_MS = 5.0
_FIRST_STEP_PAGES = 32
_CHECKPOINT_PAGES = 4_000
_MIN_STEP_PAGES, _MAX_STEP_PAGES = 8, 4_096
#: Free pages one compaction step gives back: each one moved costs a few microseconds.
COMPACT_PAGES = 512


@dataclass
class UpkeepState:
    """One search index's upkeep, mirrored from the `search_upkeep` table."""

    churn: int = 0
    merging: bool = False
    churn_at_start: int = 0
    live_rows: int = 0

    @property
    def due(self) -> bool:
        return self.merging or self.churn >= max(MIN_CHURN, CHURN_FRACTION * self.live_rows)


@dataclass
class UpkeepTally:
    """What upkeep has cost this session: for benchmarks and a bug report."""

    steps: int = 0
    merges_completed: int = 0
    seconds: float = 0.0
    longest_step_ms: float = 0.0
    #: The last steps' durations, to tell a typical wait from the worst.
    recent_steps_ms: deque[float] = field(default_factory=lambda: deque(maxlen=2_000))

    def add(self, seconds: float, *, completed: bool) -> None:
        self.steps += 1
        self.merges_completed += completed
        self.seconds += seconds
        self.longest_step_ms = max(self.longest_step_ms, seconds * 1000)
        self.recent_steps_ms.append(seconds * 1000)


@dataclass(frozen=True)
class UpkeepPlan:
    """One step to take: which index, whether it starts a merge, and what completing it clears."""

    resource: str
    start: bool
    #: The deletes a merge clears when it completes: those counted when it started (the ones
    #: made while it runs may survive it).
    cleared: int
    #: Which cache file the plan is for: a file rebuilt after damage is a new one.
    generation: int
    #: Not a merge: give the file's free pages back, then empty the WAL (`compact_step`).
    compact: bool = False


def merge_step(conn: sqlite3.Connection, pacer: MergePacer, plan: UpkeepPlan, budget_ms: float) -> tuple[bool, float]:
    """Run one step of `plan`; (did it merge anything, seconds it held the write lock).

    The merge is a statement of its own, committed as it ends (`conn` is in autocommit): in an
    explicit transaction the write lock was also held while this thread waited for the GIL
    between statements, up to 5 ms each time another thread ran Python, which made a 0.6 ms
    merge hold the lock for 10. Progress is then noted in `search_upkeep`; a crash in between
    only makes the next step start or finish a merge that is already started or finished,
    which FTS5 handles.
    """
    if plan.compact:
        return compact_step(conn)
    began = time.perf_counter()
    merged = pacer.merge(conn, database.search_table(plan.resource), start=plan.start)
    elapsed = time.perf_counter() - began
    if merged:
        conn.execute("UPDATE search_upkeep SET merging = 1, churn_at_start = ? WHERE resource = ?",
                     (plan.cleared, plan.resource))
        pacer.took(elapsed * 1000, budget_ms=budget_ms)  # a step that found nothing says nothing of the pace
    else:
        conn.execute("UPDATE search_upkeep SET merging = 0, churn = MAX(0, churn - ?), churn_at_start = 0 "
                     "WHERE resource = ?", (plan.cleared, plan.resource))
    return merged, elapsed


def compact_step(conn: sqlite3.Connection, pages: int = COMPACT_PAGES) -> tuple[bool, float]:
    """Give up to `pages` free pages back, or empty the WAL once none are left; (more to do, seconds).

    A file made before `auto_vacuum = INCREMENTAL` keeps its free pages (they are reused by
    later writes); its WAL is still emptied.
    """
    began = time.perf_counter()
    (free,) = conn.execute("PRAGMA freelist_count").fetchone()
    (auto_vacuum,) = conn.execute("PRAGMA auto_vacuum").fetchone()
    if free and auto_vacuum == _INCREMENTAL:
        conn.execute(f"PRAGMA incremental_vacuum({int(pages)})").fetchall()
        return True, time.perf_counter() - began
    # TRUNCATE waits for readers to reach the newest snapshot; a put waits for it in turn.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return False, time.perf_counter() - began


_INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


class SearchMerger:
    """Runs upkeep steps on a connection of its own: use it from one thread (not the cache's)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._generation: int | None = None
        self._pacer = MergePacer()

    def step(self, plan: UpkeepPlan, budget_ms: float = STEP_BUDGET_MS) -> tuple[bool, float]:
        """One step of `plan` (from `PageCache.plan_search_upkeep`); (merged, seconds)."""
        if self._conn is None or self._generation != plan.generation:
            self.close()
            self._conn = database.connect(self._path)
            # The cache's own commits checkpoint the WAL (puts write far more); left at 1,000
            # pages here, nearly every step's commit also copied the puts' pages to the file
            # (a 0.6 ms merge took 10 ms). At 16 MB this only catches up when the cache is idle.
            self._conn.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_PAGES}")
            self._generation = plan.generation
        return merge_step(self._conn, self._pacer, plan, budget_ms)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class MergePacer:
    """How many pages a merge step writes, adjusted so a step takes about its budget.

    FTS5 counts the pages a step writes, but its time goes with the pages it reads and with
    committing what it changed, and that swings with how much of the input is dead (0.05 to
    0.3 ms per page written within one merge). So each step is sized from the last one's whole
    time, growing at most 2x a step, and every merge starts small.
    """

    def __init__(self) -> None:
        self.pages = _FIRST_STEP_PAGES

    def merge(self, conn: sqlite3.Connection, table: str, *, start: bool) -> bool:
        """Run one merge step on `table`; True if it did work (False: the merge is complete)."""
        if start:
            self.pages = min(self.pages, _FIRST_STEP_PAGES)
        before = conn.total_changes
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('merge', ?)",
                     (-self.pages if start else self.pages,))
        # FTS5's documented test: a step that merged anything changed at least two rows.
        return conn.total_changes - before >= 2

    def took(self, elapsed_ms: float, *, budget_ms: float) -> None:
        """Size the next step from how long this one took, commit included."""
        wanted = self.pages * budget_ms / max(elapsed_ms, 0.1)
        self.pages = int(min(max(wanted, self.pages / 2, _MIN_STEP_PAGES), self.pages * 2, _MAX_STEP_PAGES))
