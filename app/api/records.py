"""`RequestRecord`: one HTTP exchange as the troubleshooting views show it, already redacted.

A record is built only from masked headers and masked, truncated bodies, so holding, listing or
exporting records can never leak a secret. Retries are separate records with their attempt number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request/response exchange on the wire (or the failure that ended it)."""

    started_at: datetime
    method: str
    url: str
    status: int | None
    duration_ms: float
    attempt: int
    request_id: str | None
    idempotency_key: str | None
    request_size: int
    response_size: int
    request_headers: tuple[tuple[str, str], ...]
    response_headers: tuple[tuple[str, str], ...]
    request_body: str
    response_body: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the platform answered 2xx."""
        return self.status is not None and 200 <= self.status < 300

    def header(self, name: str, *, response: bool = True) -> str | None:
        """The first (masked) value of header `name` on the response, or on the request."""
        wanted = name.lower()
        for key, value in self.response_headers if response else self.request_headers:
            if key.lower() == wanted:
                return value
        return None
