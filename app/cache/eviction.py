"""Keeping the cache file bounded: rows per resource, bytes and list pages, oldest fetched first."""

from __future__ import annotations


class Eviction:
    """`PageCache`'s bounds, held after every write by evicting what was fetched longest ago."""

    def _evict(self, resource: str) -> None:
        """Drop what was fetched longest ago until the row and byte bounds hold again.

        The counts come from `record_totals` (kept by triggers), so a put costs the same at 1M
        cached rows as at 10k; only the rows evicted are read.
        """
        row = self._conn.execute(
            "SELECT rows FROM record_totals WHERE resource = ?", (resource,)
        ).fetchone()
        count = row[0] if row else 0
        if count > self.max_rows_per_resource:
            self._delete_rows(self._conn.execute(
                "SELECT rowid, resource FROM records WHERE resource = ? ORDER BY fetched_at, rowid LIMIT ?",
                (resource, count - self.max_rows_per_resource),
            ).fetchall())
        total = self._total_bytes()
        while total > self.max_bytes:
            doomed = []
            for rowid, owner, size in self._oldest_rows(1000):
                if total <= self.max_bytes:
                    break
                doomed.append((rowid, owner))
                total -= size
            if not doomed:
                break
            self._delete_rows(doomed)

    def _evict_list_pages(self) -> None:
        self._conn.execute(
            "DELETE FROM list_pages WHERE rowid IN (SELECT rowid FROM list_pages "
            "ORDER BY fetched_at DESC LIMIT -1 OFFSET ?)",
            (self.max_list_pages,),
        )

    def _total_bytes(self) -> int:
        return self._conn.execute("SELECT COALESCE(SUM(bytes), 0) FROM record_totals").fetchone()[0]

    def _oldest_rows(self, limit: int) -> list[tuple[int, str, int]]:
        """The `limit` rows fetched longest ago over all resources, as (rowid, resource, size).

        Merged from each resource's (resource, fetched_at) index: one global ORDER BY fetched_at
        would sort the whole table on every put once the byte bound is reached.
        """
        candidates: list[tuple[float, int, str, int]] = []
        for (owner,) in self._conn.execute("SELECT resource FROM record_totals WHERE rows > 0").fetchall():
            candidates += [(fetched_at, rowid, owner, size) for rowid, fetched_at, size in self._conn.execute(
                "SELECT rowid, fetched_at, size FROM records WHERE resource = ? "
                "ORDER BY fetched_at, rowid LIMIT ?", (owner, limit))]
        candidates.sort()
        return [(rowid, owner, size) for _, rowid, owner, size in candidates[:limit]]
