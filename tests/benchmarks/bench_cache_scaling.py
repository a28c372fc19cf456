"""Page cache scaling benchmark: does each cost grow with the data, and no faster (issue 16)?

    python tests/benchmarks/bench_cache_scaling.py [SIZE ...] [--bound N] [--churn-puts N] [--batch N] [--baseline-fills N]

Defaults: 10,000 / 100,000 / 1,000,000 contacts with the bounds lifted, then the cache at its
default 250,000-row bound with 1,000,000 puts churned through it (several minutes in all;
`bench_cache_scaling.py 10000 50000 --bound 25000 --churn-puts 100000` is a one-minute run).
Everything goes through `AsyncPageCache`, as the console uses it, so the background search
upkeep runs between the puts as it would in the app. Per size: put rows/s (whole fill, and the
last tenth of it: the rate at that size), 1- and 3-letter search p95 fresh and after churn
(every row replaced once, as a full re-sync does), keyset slices 100 rows deep anywhere in the
list, and the file after churn against its fresh size. Prints `name: value unit (target: …)`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.cache import AsyncPageCache
from app.cache.page_cache import DEFAULT_MAX_ROWS_PER_RESOURCE
from tests.benchmarks.bench_cache import COMPANY, FIRST, LAST, TAGS

#: What the contacts table reads of each row (app/ui/panels/contacts/contact_rows.py).
ROW_FIELDS = ("id", "name", "email", "phone", "company_id", "company_name", "tags", "updated_at")
LIFTED = {"max_rows_per_resource": 10**12, "max_bytes": 10**15}
SLICE_ROWS = 100
WORDS = sorted({w for name in FIRST + LAST + COMPANY + TAGS for w in name.lower().replace("-", " ").split()})


def contact_batch(start: int, count: int, version: int = 1) -> list[dict]:
    """Contacts `start` .. `start + count - 1`, the same every run; `version` > 1 is a re-sync."""
    rng = random.Random(start * 7 + version)
    rows = []
    for i in range(start, start + count):
        first, last, company = rng.choice(FIRST), rng.choice(LAST), rng.choice(COMPANY)
        # Creation times spread over the year, not in id order: inserts land all over the index.
        created = f"2026-{1 + i % 12:02d}-{1 + i // 12 % 28:02d}T{i // 336 % 24:02d}:{i // 8064 % 60:02d}:{i % 60:02d}Z"
        updated = f"2026-12-{1 + version:02d}T00:00:{i % 60:02d}Z" if version > 1 else created
        rows.append({
            "id": f"con_{i:08d}", "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{i}@{company.lower().replace(' ', '')}.example",
            "phone": f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(1000000, 9999999)}",
            "company_id": f"com_{COMPANY.index(company)}", "company_name": f"{company} Ltd",
            "tags": rng.sample(TAGS, rng.randint(0, 2)), "custom_fields": {"tier": rng.randint(1, 3)},
            "notes": None, "version": version, "created_at": created, "updated_at": updated,
        })
    return rows


def p95(samples: list[float]) -> float:
    # Inclusive: with few samples (upkeep steps) the default method reports more than the worst.
    return statistics.quantiles(samples, n=20, method="inclusive")[-1] if len(samples) > 1 else samples[0]


def bytes_written() -> int | None:
    """Bytes this process has written so far (Linux), or None where that is not known."""
    try:
        with open("/proc/self/io") as io:
            return next(int(l.split()[1]) for l in io if l.startswith("wchar:"))
    except (OSError, StopIteration):
        return None


def file_mb(folder: Path) -> float:
    """The cache file with its WAL and shared-memory files: what the profile takes on disk."""
    return sum(p.stat().st_size for p in folder.iterdir()) / 1e6


def main_file_mb(folder: Path) -> float:
    """The cache file alone: after churn the upkeep empties the WAL, a fresh cache may still have one."""
    return (folder / "cache.sqlite3").stat().st_size / 1e6


async def upkeep_lines(cache: AsyncPageCache, tag: str) -> None:
    """What the background search upkeep cost: how long its steps held the write lock.

    Reads go on alongside a step (it runs on a connection of its own); a put waits for it.
    """
    tally = await cache.run(lambda c: c.search_upkeep_tally)
    if not tally.steps:
        line(f"cache_{tag}_search_upkeep_steps", 0, "", "none, no index churned enough", "d")
        return
    line(f"cache_{tag}_search_upkeep_step_p95", p95(list(tally.recent_steps_ms)), "ms",
         f"none, what a put meeting a step waits (a read waits for none); {tally.steps} steps, "
         f"{tally.merges_completed} whole merges, {tally.seconds:.1f} s in all")
    line(f"cache_{tag}_search_upkeep_longest_step", tally.longest_step_ms, "ms", "none, as above")


def line(name: str, value: float, unit: str, target: str, fmt: str = ".2f") -> None:
    print(f"{name}: {value:{fmt}} {unit} (target: {target})", flush=True)


async def timed_ms(call: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000


async def fill(cache: AsyncPageCache, first: int, count: int, batch: int, version: int = 1,
               on_batch: Callable[[], None] | None = None) -> tuple[float, float, float]:
    """Put contacts in batches as a sync would.

    Returns seconds in puts, the rate in rows/s of the last tenth of them (at least one put),
    and CPU seconds in puts (less sensitive to what else the shared machine runs).
    """
    total = last_tenth = cpu = 0.0
    last_rows = 0
    for start in range(first, first + count, batch):
        rows = contact_batch(start, min(batch, first + count - start), version)
        began, began_cpu = time.perf_counter(), time.process_time()
        await cache.put_records("contacts", rows)
        took = time.perf_counter() - began
        cpu += time.process_time() - began_cpu
        total += took
        if start + batch > first + count * 0.9:
            last_tenth += took
            last_rows += len(rows)
        if on_batch is not None:
            on_batch()
    return total, last_rows / last_tenth, cpu


async def search_p95(cache: AsyncPageCache, rng: random.Random, letters: int, samples: int) -> float:
    prefixes = [rng.choice(WORDS)[:letters] for _ in range(samples)]
    return p95([await timed_ms(lambda p=p: cache.search("contacts", p)) for p in prefixes])


async def deep_slices(cache: AsyncPageCache, n: int, tag: str, rng: random.Random) -> None:
    """Keyset slices at random depths (the key of the row before each), by date and by name."""
    for order_by, descending in (("created_at", True), ("name", False)):
        keys = await cache.query_records("contacts", order_by=order_by, descending=descending,
                                         limit=n, fields=(order_by, "id"))
        # A million key tuples of the benchmark's own would otherwise make a full collection
        # (~30 ms) land inside one of the timed slices.
        gc.collect()
        gc.freeze()
        depths = [rng.randrange(1, n - SLICE_ROWS) for _ in range(80)] + [n - SLICE_ROWS]
        keyset = [await timed_ms(lambda key=tuple(keys[d - 1]), o=order_by, desc=descending: cache.query_records(
            "contacts", order_by=o, descending=desc, limit=SLICE_ROWS, after=key, fields=ROW_FIELDS)) for d in depths]
        line(f"cache_{tag}_keyset_slice_by_{order_by}_p95", p95(keyset), "ms", "≤ 10 ms at any depth")
        line(f"cache_{tag}_keyset_slice_by_{order_by}_max", max(keyset), "ms", "≤ 10 ms at any depth")
        # The old way, for scale: OFFSET as deep as the list goes.
        deep = [await timed_ms(lambda o=order_by, desc=descending: cache.query_records(
            "contacts", order_by=o, descending=desc, limit=SLICE_ROWS, offset=n - SLICE_ROWS,
            fields=ROW_FIELDS)) for _ in range(3)]
        line(f"cache_{tag}_offset_slice_by_{order_by}_at_end", statistics.median(deep), "ms",
             "none, the OFFSET it replaces; the first call of a deep offset has no earlier slice to start from")
        del keys
        gc.unfreeze()
    # Paging down by offset (what callers that do not pass keys yet do): from the previous slice on.
    start = n // 2
    paged = [await timed_ms(lambda o=o: cache.query_records(
        "contacts", limit=SLICE_ROWS, offset=o, fields=ROW_FIELDS)) for o in range(start, start + 40 * SLICE_ROWS, SLICE_ROWS)]
    line(f"cache_{tag}_offset_paging_from_middle_p95", p95(paged[1:]), "ms",
         "≤ 10 ms; each offset slice starts from the key of the one before")


async def lifted(n: int, batch: int, folder: Path) -> tuple[float, float]:
    """Fill with the bounds lifted, measure, re-sync every row, measure again.

    Returns the seconds and CPU seconds per row of the fill.
    """
    rng = random.Random(n)
    cache = await AsyncPageCache.open(folder / "cache.sqlite3", **LIFTED)
    try:
        written = bytes_written()
        seconds, last_rate, cpu = await fill(cache, 0, n, batch)
        if written is not None:
            # What makes a row dearer in a big cache: each row dirties its own pages of the
            # date indexes once they outgrow a batch, written to the WAL and then the file.
            line(f"cache_put_{n}_lifted_written_per_row", (bytes_written() - written) / n, "bytes",
                 "none, WAL and checkpoints", ",.0f")
        line(f"cache_put_{n}_lifted_rows_per_s", n / seconds, "rows/s",
             f"per row at 1M no worse than 1.5x the 10k rate; {seconds:.1f} s in all, {cpu:.1f} s CPU", ",.0f")
        line(f"cache_put_{n}_lifted_last_tenth_rows_per_s", last_rate, "rows/s",
             f"the rate with {int(n * 0.9):,}-{n:,} rows cached", ",.0f")
        await cache.search_upkeep_done()
        fresh_mb, fresh_main_mb = file_mb(folder), main_file_mb(folder)
        line(f"cache_{n}_search_1letter_fresh_p95", await search_p95(cache, rng, 1, 120), "ms", "≤ 30 ms")
        line(f"cache_{n}_search_3letter_fresh_p95", await search_p95(cache, rng, 3, 200), "ms", "≤ 30 ms")
        await deep_slices(cache, n, str(n), rng)

        churn_s, _, _ = await fill(cache, 0, n, batch, version=2)
        line(f"cache_put_{n}_resync_rows_per_s", n / churn_s, "rows/s",
             "none, every row replaced once; search upkeep runs between the puts", ",.0f")
        during = await search_p95(cache, rng, 1, 120)
        waited = await timed_ms(cache.search_upkeep_done) / 1000
        line(f"cache_{n}_search_1letter_right_after_churn_p95", during, "ms",
             f"≤ 30 ms; upkeep then ran {waited:.1f} s more")
        await upkeep_lines(cache, str(n))
        line(f"cache_{n}_search_1letter_after_churn_p95", await search_p95(cache, rng, 1, 120), "ms", "≤ 30 ms")
        line(f"cache_{n}_search_3letter_after_churn_p95", await search_p95(cache, rng, 3, 200), "ms", "≤ 30 ms")
        churned_mb = file_mb(folder)
        line(f"cache_{n}_file_after_churn_vs_fresh", churned_mb / fresh_mb, "x",
             f"≤ 1.2 x; {churned_mb:.0f} MB against {fresh_mb:.0f} MB fresh, WAL included")
        line(f"cache_{n}_main_file_after_churn_vs_fresh", main_file_mb(folder) / fresh_main_mb, "x",
             f"≤ 1.2 x; without the WAL: {main_file_mb(folder):.0f} MB against {fresh_main_mb:.0f} MB")
        return seconds / n, cpu / n
    finally:
        await cache.close()


async def at_bound(bound: int, puts: int, batch: int, folder: Path) -> None:
    """Fill a cache to its row bound, then churn `puts` new contacts in total through it."""
    rng = random.Random(bound)
    cache = await AsyncPageCache.open(folder / "cache.sqlite3", max_rows_per_resource=bound)
    tag = f"bound_{bound}"
    try:
        await fill(cache, 0, bound, batch)
        await cache.search_upkeep_done()
        fresh_mb, fresh_main_mb = file_mb(folder), main_file_mb(folder)
        line(f"cache_{tag}_fresh_file", fresh_mb, "MB", f"none, {bound:,} contacts just put", ".0f")
        line(f"cache_{tag}_search_1letter_fresh_p95", await search_p95(cache, rng, 1, 120), "ms", "≤ 30 ms")
        line(f"cache_{tag}_search_3letter_fresh_p95", await search_p95(cache, rng, 3, 200), "ms", "≤ 30 ms")

        peak = [fresh_mb]
        counter = [0]

        def watch() -> None:
            counter[0] += 1
            if counter[0] % 20 == 0:
                peak[0] = max(peak[0], file_mb(folder))

        churn_s, _, _ = await fill(cache, bound, puts - bound, batch, on_batch=watch)
        line(f"cache_{tag}_churn_put_rows_per_s", (puts - bound) / churn_s, "rows/s",
             f"none, {puts:,} puts in all: each evicts one row", ",.0f")
        during = await search_p95(cache, rng, 1, 120)
        waited = await timed_ms(cache.search_upkeep_done) / 1000
        line(f"cache_{tag}_search_1letter_right_after_churn_p95", during, "ms",
             f"≤ 30 ms; upkeep then ran {waited:.1f} s more")
        await upkeep_lines(cache, tag)
        line(f"cache_{tag}_search_1letter_after_churn_p95", await search_p95(cache, rng, 1, 120), "ms",
             "≤ 30 ms; 29-45 at 250k before the upkeep")
        line(f"cache_{tag}_search_3letter_after_churn_p95", await search_p95(cache, rng, 3, 200), "ms", "≤ 30 ms")
        churned_mb = file_mb(folder)
        line(f"cache_{tag}_file_after_churn_vs_fresh", churned_mb / fresh_mb, "x",
             f"≤ 1.2 x; {churned_mb:.0f} MB against {fresh_mb:.0f} MB fresh; 453-565 against 275 at 250k before")
        line(f"cache_{tag}_main_file_after_churn_vs_fresh", main_file_mb(folder) / fresh_main_mb, "x",
             f"≤ 1.2 x; without the WAL: {main_file_mb(folder):.0f} MB against {fresh_main_mb:.0f} MB")
        line(f"cache_{tag}_file_peak_during_churn_vs_fresh", max(peak[0], churned_mb) / fresh_mb, "x",
             "none, sampled every 20 puts")
        await deep_slices(cache, bound, tag, rng)
    finally:
        await cache.close()


async def fill_cost(n: int, batch: int, folder: Path) -> tuple[float, float]:
    """Seconds and CPU seconds per row of one fresh fill of `n` rows, bounds lifted, nothing else."""
    cache = await AsyncPageCache.open(folder / "cache.sqlite3", **LIFTED)
    try:
        seconds, _, cpu = await fill(cache, 0, n, batch)
        return seconds / n, cpu / n
    finally:
        await cache.close()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--bound", type=int, default=DEFAULT_MAX_ROWS_PER_RESOURCE)
    parser.add_argument("--churn-puts", type=int, default=None, help="puts through the bound (default: largest size)")
    parser.add_argument("--batch", type=int, default=1_000, help="contacts per put_records (a sync page)")
    parser.add_argument("--baseline-fills", type=int, default=5,
                        help="fresh fills of the smallest size whose median per-row cost the largest is held against")
    args = parser.parse_args(argv)
    # The machine is shared: the load says how much the wall-clock figures are inflated.
    line("bench_load_average_1min", os.getloadavg()[0], "", "none, context for the figures")
    per_row = {}
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            per_row[n] = asyncio.run(lifted(n, args.batch, Path(tmp)))
    if len(per_row) > 1:
        smallest, largest = min(per_row), max(per_row)
        # One 10k fill is a few hundred ms of puts: its CPU per row varied by 20% between runs
        # under load, enough to move the ratio across the target on its own.
        fills = [per_row[smallest]]
        for _ in range(args.baseline_fills - 1):
            with tempfile.TemporaryDirectory() as tmp:
                fills.append(asyncio.run(fill_cost(smallest, args.batch, Path(tmp))))
        per_row[smallest] = (statistics.median(f[0] for f in fills), statistics.median(f[1] for f in fills))
        line(f"cache_put_{smallest}_cpu_per_row_median", per_row[smallest][1] * 1e6, "us",
             f"none, the median of {len(fills)} fills: " + ", ".join(f"{f[1] * 1e6:.1f}" for f in fills))
        line(f"cache_put_per_row_{largest}_vs_{smallest}", per_row[largest][0] / per_row[smallest][0], "x", "≤ 1.5 x")
        line(f"cache_put_cpu_per_row_{largest}_vs_{smallest}", per_row[largest][1] / per_row[smallest][1], "x",
             "≤ 1.5 x; CPU time, less load-sensitive")
    puts = args.churn_puts or max(args.sizes)
    if puts > args.bound:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(at_bound(args.bound, puts, args.batch, Path(tmp)))
    line("bench_load_average_1min_at_end", os.getloadavg()[0], "", "none, context for the figures")


if __name__ == "__main__":
    main(sys.argv[1:])
