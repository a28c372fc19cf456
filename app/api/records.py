"""`RequestRecord`: one HTTP exchange as the troubleshooting views show it, already redacted.

A record is built only from masked headers and masked, truncated bodies, so holding, listing or
exporting records can never leak a secret. Retries are separate records with their attempt number.

`ObservedRecord` is the one the client's transport hands its listeners: the cheap fields (time,
method, masked URL, status, sizes) are set at once, and the masked headers and bodies are built
on first read, by the function the transport gave it. Most records are only counted, keyed and
shown in a status line while a burst of requests runs, so the masking moves off that hot path to
whoever reads them (the request log, the history's write to the cache) — and, read or copied in
any way, the record still yields only masked values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any


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


Headers = tuple[tuple[str, str], ...]
#: Returns the masked (request_headers, response_headers, request_body, response_body).
RedactedParts = Callable[[], tuple[Headers, Headers, str, str]]

_LAZY_FIELDS = ("request_headers", "response_headers", "request_body", "response_body")
_FIELD_NAMES = tuple(f.name for f in fields(RequestRecord))
# RequestRecord's own slots: a built value is stored there, where the dataclass methods expect it.
_SLOT = {name: RequestRecord.__dict__[name] for name in _FIELD_NAMES}


def _lazy_field(name: str) -> property:
    slot = _SLOT[name]

    def read(self: ObservedRecord) -> Any:
        try:
            return slot.__get__(self, RequestRecord)
        except AttributeError:  # not built yet
            self._build()
            return slot.__get__(self, RequestRecord)

    return property(read, doc=f"The masked {name.replace('_', ' ')}, built on first read.")


class ObservedRecord(RequestRecord):
    """A `RequestRecord` whose masked headers and bodies are built on first read (see the module)."""

    __slots__ = ("_parts",)

    request_headers = _lazy_field("request_headers")
    response_headers = _lazy_field("response_headers")
    request_body = _lazy_field("request_body")
    response_body = _lazy_field("response_body")

    def __init__(self, *, started_at: datetime, method: str, url: str, status: int | None,
                 duration_ms: float, attempt: int, request_id: str | None, idempotency_key: str | None,
                 request_size: int, response_size: int, parts: RedactedParts, error: str | None = None) -> None:
        for name, value in (("started_at", started_at), ("method", method), ("url", url), ("status", status),
                            ("duration_ms", duration_ms), ("attempt", attempt), ("request_id", request_id),
                            ("idempotency_key", idempotency_key), ("request_size", request_size),
                            ("response_size", response_size), ("error", error)):
            _SLOT[name].__set__(self, value)
        object.__setattr__(self, "_parts", parts)

    def _build(self) -> None:
        parts = self._parts
        if parts is None:  # another thread built it meanwhile
            return
        for name, value in zip(_LAZY_FIELDS, parts(), strict=True):
            _SLOT[name].__set__(self, value)
        # The unmasked exchange the parts were made from is let go as soon as they exist.
        object.__setattr__(self, "_parts", None)

    def __reduce__(self) -> tuple[type[RequestRecord], tuple[Any, ...]]:
        """Copies and pickles are plain, fully masked `RequestRecord`s (never the raw exchange)."""
        return RequestRecord, tuple(getattr(self, name) for name in _FIELD_NAMES)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RequestRecord):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _FIELD_NAMES)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in _FIELD_NAMES))
