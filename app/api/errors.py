"""Every failure the client raises, built by one factory from the platform's error envelope.

The UI maps these classes to messages; it never reads status numbers.

    ApiError                         anything this client raises on purpose
    ├── ApiStatusError               the platform answered with an error: .status .code .message
    │   │                            .details .request_id
    │   ├── BadRequest               400 INVALID_REQUEST (malformed JSON, bad cursor, bad query value)
    │   ├── Unauthorized             401 missing, unknown, revoked or expired credential (.reason)
    │   │   └── SignInRequired       a user login could not be renewed: sign in again
    │   ├── Forbidden                403 the credential lacks a scope (.required_scope)
    │   ├── NotFound                 404 no such resource in this workspace
    │   ├── Conflict                 409 unique field taken, illegal state change, key in use
    │   ├── PreconditionFailed       412 If-Match no longer matches: someone else changed it
    │   ├── ValidationFailed         422 the body broke the rules (.fields: {field: message})
    │   ├── RateLimited              429 over the rate limit (.retry_after seconds or None)
    │   └── ServerError              5xx the platform failed
    ├── UnexpectedResponse           a 2xx answer that does not fit the contract
    └── ApiConnectionError           no answer: refused, reset, DNS, TLS, protocol garbage
        └── ApiTimeout               no answer in time (connect, read, write or pool)
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.api import constants
from app.api.redaction import mask_text


class ApiError(Exception):
    """Base of everything the client raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiStatusError(ApiError):
    """The platform answered with an error status and (usually) its error envelope."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str,
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details or {}
        self.request_id = request_id

    def __str__(self) -> str:
        suffix = f" (request {self.request_id})" if self.request_id else ""
        return f"{self.status} {self.code}: {self.message}{suffix}"


class BadRequest(ApiStatusError):
    """400: the request itself was malformed (bad JSON, tampered cursor, unknown query value)."""


class Unauthorized(ApiStatusError):
    """401: the credential is missing, unknown, revoked or expired (see `.reason`)."""

    @property
    def reason(self) -> str | None:
        """Why the credential was refused: missing, invalid, expired or revoked."""
        return self.details.get("reason")


class SignInRequired(Unauthorized):
    """A user login's tokens could not be renewed: the person has to sign in again."""


class Forbidden(ApiStatusError):
    """403: the credential lacks a scope (see `.required_scope`)."""

    @property
    def required_scope(self) -> str | None:
        """The scope the call needed."""
        return self.details.get("required_scope")


class NotFound(ApiStatusError):
    """404: no such resource in this workspace."""


class Conflict(ApiStatusError):
    """409: a unique field is taken, a state change is illegal, or a write with this key is running."""


class PreconditionFailed(ApiStatusError):
    """412: the `If-Match` version is stale: someone else changed the resource first."""


class ValidationFailed(ApiStatusError):
    """422: the body broke the schema or a business rule; `.fields` maps field to message."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.fields: dict[str, str] = _field_messages(self.details)


class RateLimited(ApiStatusError):
    """429: over the rate limit; `.retry_after` is how many seconds the platform asked to wait."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiStatusError):
    """5xx: the platform failed; retried automatically, raised once retries are spent."""


class UnexpectedResponse(ApiError):
    """The platform said yes, but its answer does not fit the contract (a proxy page, a changed field)."""


class NotSupported(ApiError):
    """The platform has no such operation (its dialect's manifest says so); nothing was sent.

    `operation` is the contract operation ("tickets.list"); the message is the sentence the
    console shows ("BizBasics has no ticketing API").
    """

    def __init__(self, message: str, *, platform: str, operation: str) -> None:
        super().__init__(message)
        self.platform = platform
        self.operation = operation


class ApiConnectionError(ApiError):
    """No answer from the platform: refused, reset, name lookup, TLS or protocol failure."""


class ApiTimeout(ApiConnectionError):
    """No answer in time: the connect, read, write or pool timeout ran out."""


_STATUS_CLASSES: dict[int, type[ApiStatusError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    422: ValidationFailed,
    429: RateLimited,
}


def error_from_response(response: httpx.Response, *, retry_after: float | None = None) -> ApiStatusError:
    """Build the typed error for an error response; the one place status codes become classes."""
    envelope = _envelope(response)
    error = envelope.get("error") if isinstance(envelope.get("error"), dict) else {}
    status = response.status_code
    code = str(error.get("code") or f"HTTP_{status}")
    message = mask_text(str(error.get("message") or response.reason_phrase or "request failed"))
    details = error.get("details") if isinstance(error.get("details"), dict) else {}
    request_id = envelope.get("request_id") or response.headers.get(constants.HEADER_REQUEST_ID)
    kwargs: dict[str, Any] = {"status": status, "code": code, "details": details, "request_id": request_id}
    if status == 429:
        return RateLimited(message, retry_after=retry_after, **kwargs)
    if status >= 500:
        return ServerError(message, **kwargs)
    return _STATUS_CLASSES.get(status, ApiStatusError)(message, **kwargs)


def sign_in_required(cause: ApiStatusError | None = None) -> SignInRequired:
    """The one "sign in again" error, carrying the refusal that caused it when there was one."""
    message = "Your session has ended: sign in again."
    if cause is None:
        return SignInRequired(message, status=401, code="UNAUTHORIZED", details={"reason": "expired"})
    return SignInRequired(
        message, status=cause.status, code=cause.code, details=cause.details, request_id=cause.request_id
    )


def unexpected_response(method: str, path: str, problems: list[dict[str, Any]]) -> UnexpectedResponse:
    """Describe a 2xx body that failed validation by field location only, never by value."""
    where = "; ".join(
        f"{'.'.join(str(part) for part in problem.get('loc', ()))}: {problem.get('msg', 'invalid')}"
        for problem in problems[:5]
    )
    more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
    return UnexpectedResponse(f"The platform's answer to {method} {path} does not fit the contract: {where}{more}")


def connection_error(exc: httpx.RequestError, method: str, url: str) -> ApiConnectionError:
    """Translate an httpx transport failure; the URL is masked in case a token rode in a query."""
    where = mask_text(f"{method} {url}")
    if isinstance(exc, httpx.TimeoutException):
        return ApiTimeout(f"{where} timed out ({type(exc).__name__})")
    return ApiConnectionError(f"{where} failed: {type(exc).__name__}: {mask_text(str(exc))}")


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


#: What a validation library puts before a rule's own words ("Value error, not a valid email").
_LIBRARY_PREFIXES = ("Value error, ", "Assertion failed, ")


def field_text(message: str) -> str:
    """A field's message as an operator reads it: without a validation library's prefix."""
    for prefix in _LIBRARY_PREFIXES:
        if message.startswith(prefix):
            message = message[len(prefix):]
            return message[:1].upper() + message[1:]
    return message


def _field_messages(details: dict[str, Any]) -> dict[str, str]:
    fields = details.get("fields")
    result: dict[str, str] = {}
    if isinstance(fields, list):
        for entry in fields:
            if isinstance(entry, dict) and "field" in entry:
                result[str(entry["field"])] = field_text(str(entry.get("message", "")))
    elif isinstance(fields, dict):
        result = {str(key): field_text(str(value)) for key, value in fields.items()}
    return result
