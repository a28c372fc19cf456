"""The contacts list pages the cache by keyset: a slice deep in the list costs the same right after
a write (a sync, a saved contact) as before it, and the rows go on exactly where they stopped.

Cost is counted in SQLite virtual-machine steps (a progress handler on the cache's connection),
not in time: a page read by OFFSET after a write walks every earlier row of the index again.
"""

from __future__ import annotations

import asyncio
import sys

from app.cache import AsyncPageCache
from app.data.contacts import SLICE_ROWS, ContactQuery
from app.data.stores import Stores
from app.ui.panels.contacts.contact_list import ContactList
from app.ui.panels.contacts.contact_rows import (
    CONTACT_FIELDS,
    ID,
    PACKED_FIELDS,
    PACKED_LISTS,
    contact_row_of_fields,
)
from app.ui.panels.contacts.contact_table import contact_table_model
from app.ui.panels.contacts.packed_rows import SEP

ROWS = 12_000
#: Progress-handler granularity: one count per this many VM instructions.
STEP = 100


def contact(n: int) -> dict:
    # Dates repeat (ties broken by id) and are not in id order: the sort key is (created_at, id).
    stamp = f"2026-0{1 + n % 9}-{1 + n % 27:02d}T10:00:00Z"
    return {"id": f"con_{n:06d}", "name": f"Person {n % 97}", "email": f"p{n}@example.com",
            "tags": ["vip"] if n % 3 == 0 else [], "version": 1, "created_at": stamp, "updated_at": stamp}


async def steps_of(cache: AsyncPageCache, work) -> tuple[int, object]:
    """How many VM steps (in units of STEP) the cache's connection took for `work`, and its result."""
    counted = [0]

    def count() -> int:
        counted[0] += 1
        return 0

    await cache.run(lambda c: c._conn.set_progress_handler(count, STEP))
    try:
        result = await work()
    finally:
        await cache.run(lambda c: c._conn.set_progress_handler(None, STEP))
    return counted[0], result


def _offline_listing(cache):
    """The contacts list over `cache` with no server: (stores, model, listing, the tasks it started)."""
    stores = Stores(None, cache)
    tasks: list[asyncio.Task] = []
    model = contact_table_model(None)
    listing = ContactList(model, stores.contacts, lambda job: tasks.append(asyncio.ensure_future(job)) or tasks[-1])
    return stores, model, listing, tasks


def test_a_slice_deep_in_the_list_after_a_write_is_a_seek_and_continues_exactly(qapp, run_async, tmp_path):
    async def scenario():
        cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
        stores, model, listing, tasks = _offline_listing(cache)
        try:
            for start in range(0, ROWS, 3_000):
                await cache.put_records("contacts", [contact(n) for n in range(start, start + 3_000)])
            expected = [r[0] for r in await cache.query_records("contacts", limit=ROWS, fields=("id",))]
            await listing.show(ContactQuery())

            async def next_slice():
                model.fetchMore()
                await tasks[-1]

            while model.rowCount() < ROWS - 2 * SLICE_ROWS:
                await next_slice()
            shown = model.rowCount()
            # A write: the cache forgets where its recent slices ended (a sync, a saved contact).
            await cache.put_records("contacts", [contact(5)])
            keyset_steps, _ = await steps_of(cache, next_slice)
            assert [model.rows.id_at(i) for i in range(model.rowCount())] == expected[:shown + SLICE_ROWS], (
                "after the write the list went on with other rows than the next ones")

            # The same depth by OFFSET right after a write, as the list paged before.
            await cache.put_records("contacts", [contact(6)])
            offset_steps, (rows, _) = await steps_of(cache, lambda: stores.contacts.cached_slice(
                ContactQuery(), shown, CONTACT_FIELDS, contact_row_of_fields))
            assert [row[ID] for row in rows] == expected[shown:shown + SLICE_ROWS]
            # And the first slice, read both ways: what 500 rows cost with no depth at all.
            await cache.put_records("contacts", [contact(7)])
            top_offset_steps, _ = await steps_of(cache, lambda: stores.contacts.cached_slice(
                ContactQuery(), 0, CONTACT_FIELDS, contact_row_of_fields))
            assert offset_steps > 2 * top_offset_steps, (
                "the OFFSET slice did not walk its depth: this test measures nothing")
            await cache.put_records("contacts", [contact(8)])
            top_steps, _ = await steps_of(cache, lambda: stores.contacts.cached_packed_slice(
                ContactQuery(), PACKED_FIELDS, SEP, lists=PACKED_LISTS))
            assert keyset_steps < 1.25 * top_steps, (
                f"a slice {shown} rows deep took {keyset_steps * STEP} VM steps (by OFFSET {offset_steps * STEP}, "
                f"the first slice {top_steps * STEP}): the list is not seeking by key")

            while model.has_more:
                await next_slice()
            assert [model.rows.id_at(i) for i in range(model.rowCount())] == expected, "rows skipped or repeated"
        finally:
            stores.close()
            await cache.close()

    run_async(scenario(), timeout=120)


def test_keyset_paging_keeps_a_tag_filter_exact_across_slices(qapp, run_async, tmp_path):
    async def scenario():
        cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
        stores = Stores(None, cache)
        try:
            await cache.put_records("contacts", [contact(n) for n in range(1_300)])
            query = ContactQuery(tag="vip", order_by="name", descending=False)
            rows, after = await stores.contacts.cached_slice(query, 0, CONTACT_FIELDS, contact_row_of_fields, limit=200)
            seen = [row[ID] for row in rows]
            while after is not None:
                rows, after = await stores.contacts.cached_slice(query, 0, CONTACT_FIELDS, contact_row_of_fields,
                                                                 limit=200, after=after)
                seen += [row[ID] for row in rows]
            by_name = sorted((contact(n) for n in range(1_300) if n % 3 == 0), key=lambda c: (c["name"], c["id"]))
            assert seen == [c["id"] for c in by_name], "a tagged contact was skipped or repeated between slices"
        finally:
            stores.close()
            await cache.close()

    run_async(scenario(), timeout=60)


def test_the_cache_thread_reads_a_slice_without_python_per_row(qapp, run_async, tmp_path):
    """While the cache's thread runs Python it holds the GIL, and the UI thread, scrolling, waits:
    a slice must come back packed by SQLite, not built row by row (and the rows be the same)."""
    async def scenario():
        cache = await AsyncPageCache.open(tmp_path / "cache.sqlite3")
        stores, model, listing, tasks = _offline_listing(cache)
        calls = [0]

        def count(_frame, event, _arg):
            if event in ("call", "c_call"):
                calls[0] += 1

        try:
            await cache.put_records("contacts", [contact(n) for n in range(3 * SLICE_ROWS)])
            expected = await stores.contacts.cached_slice(ContactQuery(), SLICE_ROWS, CONTACT_FIELDS,
                                                          contact_row_of_fields)
            await listing.show(ContactQuery())
            await cache.run(lambda _: sys.setprofile(count))  # the cache thread's own profiler
            try:
                model.fetchMore()
                await tasks[-1]
            finally:
                await cache.run(lambda _: sys.setprofile(None))
            assert model.rowCount() == 2 * SLICE_ROWS
            assert list(model.rows[SLICE_ROWS:]) == expected[0], "the packed slice shows other rows"
            assert calls[0] < SLICE_ROWS / 2, f"{calls[0]} Python calls in the cache thread for {SLICE_ROWS} rows"
        finally:
            stores.close()
            await cache.close()

    run_async(scenario(), timeout=60)
