"""The request log kept in the cache file, so the log panel shows requests from before a restart."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.cache.record_json import epoch_seconds, json_default
from app.cache.secret_filter import strip_request_record


class RequestLog:
    """`PageCache`'s request log: records stripped of secrets once more, bounded to the newest."""

    def append_request_records(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Keep the client's (already redacted) request records; the oldest beyond the bound go.

        Plain dicts with the fields of `app.api`'s RequestRecord (time, method, url, status …).
        Secrets are stripped once more before writing, in case a redaction was missed.
        """
        rows = []
        for record in records:
            clean = json.loads(json.dumps(strip_request_record(record), default=json_default))
            status = clean.get("status")
            rows.append((
                epoch_seconds(record.get("time")),
                clean.get("method"),
                clean.get("url"),
                status if isinstance(status, int) else None,
                json.dumps(clean, separators=(",", ":")),
            ))
        if not rows:
            return 0

        def append() -> int:
            with self._transaction(records_change=False):
                self._conn.executemany(
                    "INSERT INTO request_log (time, method, url, status, record) VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
                self._conn.execute(
                    "DELETE FROM request_log WHERE seq <= (SELECT MAX(seq) FROM request_log) - ?",
                    (self.max_request_records,),
                )
            return len(rows)

        return self._guarded(append)

    def recent_request_records(
        self,
        *,
        method: str | None = None,
        status_class: int | str | None = None,
        text: str | None = None,
        since: float | datetime | str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Persisted request records, newest first, filtered like the request log panel does.

        `status_class` is 1–5 (e.g. 4 for 4xx) or "error" for exchanges without a status
        (connection errors, timeouts); `text` is a case-insensitive substring of the URL;
        `since` is a time (epoch seconds, datetime or RFC 3339) records must not be older than.
        """
        clauses, params = ["1"], []
        if method:
            clauses.append("method = ?")
            params.append(method.upper())
        if status_class == "error":
            clauses.append("status IS NULL")
        elif status_class is not None:
            klass = int(status_class)
            clauses.append("status BETWEEN ? AND ?")
            params += [klass * 100, klass * 100 + 99]
        if text:
            clauses.append("url LIKE ? ESCAPE '\\'")
            params.append("%" + re.sub(r"([\\%_])", r"\\\1", text) + "%")
        if since is not None:
            clauses.append("time >= ?")
            params.append(epoch_seconds(since))
        sql = f"SELECT record FROM request_log WHERE {' AND '.join(clauses)} ORDER BY seq DESC LIMIT ?"
        rows = self._guarded(lambda: self._conn.execute(sql, (*params, limit)).fetchall())
        return [json.loads(record) for (record,) in rows]
