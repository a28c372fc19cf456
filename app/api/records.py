"""`RequestRecord`: one HTTP exchange as the troubleshooting views show it, already redacted.

A record is built only from masked headers and masked, truncated bodies, so holding, listing or
exporting records can never leak a secret. Retries are separate records with their attempt number.

`ObservedRecord` is the one the client's transport hands its listeners: the cheap fields (time,
method, status, sizes) are set at once; the masked URL (with the request id and idempotency key)
and, apart from it, the masked headers and bodies are built on first read, from the raw exchange
the transport kept (`_parts`, read by its subclass's `_identity` and `_redacted`). While a burst
of requests runs most records are only counted, stored and looked at for their status, so the
masking moves off that hot path to whoever reads them (the request log, the history's write to
the cache) — and, read or copied in any way, the record still yields only masked values.
"""

from __future__ import annotations

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


_IDENTITY_FIELDS = ("url", "request_id", "idempotency_key")
_REDACTED_FIELDS = ("request_headers", "response_headers", "request_body", "response_body")
_FIELD_NAMES = tuple(f.name for f in fields(RequestRecord))
# RequestRecord's own slots: a built value is stored there, where the dataclass methods expect it.
_SLOT = {name: RequestRecord.__dict__[name] for name in _FIELD_NAMES}
_URL_SLOT = _SLOT["url"]


def _lazy_field(name: str, build: str) -> property:
    slot = _SLOT[name]

    def read(self: ObservedRecord) -> Any:
        try:
            return slot.__get__(self, RequestRecord)
        except AttributeError:  # not built yet
            getattr(self, build)()
            return slot.__get__(self, RequestRecord)

    return property(read, doc=f"The masked {name.replace('_', ' ')}, built on first read.")


class ObservedRecord(RequestRecord):
    """A `RequestRecord` whose masked fields are built on first read (see the module).

    Two groups are built apart: the URL with the request id and idempotency key (cheap, read by
    whoever shows which exchange it was), and the headers and bodies (read by whoever shows or
    stores the whole record). Building the second lets the raw exchange go.

    A subclass says what `parts` is and how both groups are built from it (`_identity`,
    `_redacted`). The record is the only object of its own the collector has to track when
    `parts` is a plain tuple of strings, bytes, numbers and tuples of those (the collector stops
    tracking such tuples within its first few passes): a history of thousands of unread records then adds one object per
    record to the collector's passes, and fewer passes come due while requests run.
    """

    __slots__ = ("_parts",)

    url = _lazy_field("url", "_build_identity")
    request_id = _lazy_field("request_id", "_build_identity")
    idempotency_key = _lazy_field("idempotency_key", "_build_identity")
    request_headers = _lazy_field("request_headers", "_build")
    response_headers = _lazy_field("response_headers", "_build")
    request_body = _lazy_field("request_body", "_build")
    response_body = _lazy_field("response_body", "_build")

    def __init__(self, *, started_at: datetime, method: str, status: int | None, duration_ms: float,
                 attempt: int, request_size: int, response_size: int, parts: Any,
                 error: str | None = None) -> None:
        # The slots' own setters, bound once (`_SET`): one record per exchange is made on the
        # caller's path, and a lookup of each descriptor per field cost more than the stores.
        set_started_at, set_method, set_status, set_duration, set_attempt, set_request_size, \
            set_response_size, set_error, set_parts = _SET
        set_started_at(self, started_at)
        set_method(self, method)
        set_status(self, status)
        set_duration(self, duration_ms)
        set_attempt(self, attempt)
        set_request_size(self, request_size)
        set_response_size(self, response_size)
        set_error(self, error)
        set_parts(self, parts)

    @staticmethod
    def _identity(parts: Any) -> tuple[str, str | None, str | None]:
        """The masked URL, the response's request id and the request's idempotency key."""
        raise NotImplementedError

    @staticmethod
    def _redacted(parts: Any) -> tuple[Headers, Headers, str, str]:
        """The masked request and response headers, and the masked, truncated bodies."""
        raise NotImplementedError

    def _build_identity(self) -> None:
        parts = self._parts
        if parts is None:  # another thread built everything meanwhile
            return
        for name, value in zip(_IDENTITY_FIELDS, self._identity(parts), strict=True):
            _SLOT[name].__set__(self, value)

    def _build(self) -> None:
        parts = self._parts
        if parts is None:  # another thread built it meanwhile
            return
        try:
            _URL_SLOT.__get__(self, RequestRecord)
        except AttributeError:
            self._build_identity()
        for name, value in zip(_REDACTED_FIELDS, self._redacted(parts), strict=True):
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


_SET = (*(_SLOT[name].__set__ for name in ("started_at", "method", "status", "duration_ms", "attempt",
                                           "request_size", "response_size", "error")),
        ObservedRecord.__dict__["_parts"].__set__)
