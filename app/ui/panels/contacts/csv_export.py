"""Write the contacts a list shows to a CSV file, chunk by chunk, with progress and cancel.

The rows arrive as an async stream of chunks (cache slices or server pages), each chunk is
written by a worker thread so the UI never waits on the disk (opening, closing and removing the
file included), and the file only takes its final name when every row is in: a cancelled or
failed export leaves nothing half-written behind.
Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are quoted with `'`.
The header row names each column in words (`Company ID`, `Created at`), from `app.ui.labels`.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from app.ui.labels import humanize

CSV_FIELDS: tuple[str, ...] = (
    "id", "name", "email", "phone", "company_id", "company_name", "tags", "custom_fields",
    "notes", "created_at", "updated_at",
)
#: The header row: each field as people read it ("company_id" → "Company ID").
CSV_HEADERS: tuple[str, ...] = tuple(humanize(name) for name in CSV_FIELDS)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(name: str, value: Any) -> str:
    """One cell's text: tags `;`-joined, custom fields as JSON, formulas defused."""
    if value is None:
        return ""
    if name == "tags" and isinstance(value, (list, tuple)):
        text = ";".join(str(tag) for tag in value)
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


async def export_contacts(
    chunks: AsyncIterator[list[Mapping[str, Any]]],
    path: Path,
    on_progress: Callable[[int], None],
) -> int:
    """Write every contact of `chunks` to `path`; `on_progress(rows_written)` after each chunk.

    Returns the number of rows. Cancelling the awaiting task removes the partial file.
    """
    loop = asyncio.get_running_loop()
    partial = path.with_name(path.name + ".partial")
    written = 0
    # An executor of its own, never left through `with`: that would wait for the thread on the Qt thread.
    disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsdesk-export")
    opened: list[TextIO] = []  # filled by the disk thread, so a cancelled open is still closed

    def open_partial() -> TextIO:
        opened.append(open(partial, "w", newline="", encoding="utf-8-sig"))  # noqa: SIM115
        return opened[0]

    def finish() -> None:
        opened[0].close()
        os.replace(partial, path)

    def discard() -> None:
        for handle in opened:
            handle.close()
        partial.unlink(missing_ok=True)

    try:
        writer = csv.writer(await loop.run_in_executor(disk, open_partial))
        await loop.run_in_executor(disk, writer.writerow, CSV_HEADERS)
        async for chunk in chunks:
            lines = [[csv_cell(name, row.get(name)) for name in CSV_FIELDS] for row in chunk]
            await loop.run_in_executor(disk, writer.writerows, lines)
            written += len(lines)
            on_progress(written)
        await loop.run_in_executor(disk, finish)
    except BaseException:
        # Runs on the disk thread after any write still in progress there; shielded so a second
        # cancel cannot stop the partial file from being removed.
        await asyncio.shield(loop.run_in_executor(disk, discard))
        raise
    finally:
        disk.shutdown(wait=False)
    return written
