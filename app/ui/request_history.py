"""The Qt side of the session's request history: the session's handle on its store.

The records themselves, their persistence and their bound live in the Qt-free
`app.data.request_history.RequestHistory`; this adapter owns one (or wraps the one it is given)
for the session, which feeds it from the client's request listener and closes it on sign-out.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from app.api import RequestRecord
from app.data import request_history as data


class RequestHistory(QObject):
    """`source` is the session's history store, or a page cache to build one over (or None)."""

    def __init__(self, source: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = source if isinstance(source, data.RequestHistory) else data.RequestHistory(source)

    def add(self, record: RequestRecord) -> None:
        """Take one record from the client (its request listener)."""
        self.store.add(record)

    async def flush(self) -> None:
        await self.store.flush()

    async def load(self, limit: int = data.MAX_RECORDS) -> list[RequestRecord]:
        """Every persisted record (this session's included), newest first."""
        return await self.store.load(limit)

    async def close(self) -> None:
        """Persist what is pending and stop taking records."""
        await self.store.close()
