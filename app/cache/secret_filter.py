"""Keep secrets out of the cache without deleting what the user wrote.

The cache is a plain file on disk, so anything that reaches it is readable by anyone who can
read the user's home. The API returns a webhook's `signing_secret` or a new API key's `secret`
once; those fields are dropped by name, but only at the top level of a record, where the
platform's schemas put them. Custom fields, notes and other user data are never dropped: a
secret pasted into them is masked by its token shape (the one pattern set of `app.api.redaction`),
only the token replaced and the rest of the text kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.api import constants
from app.api.redaction import mask_tokens

REDACTED = "[redacted]"
_BODY_FIELDS = ("request_body", "response_body")
_HEADER_FIELDS = ("request_headers", "response_headers")


def strip_secrets(record: Any) -> Any:
    """A copy of an API record without its secret fields and with token-shaped values masked."""
    if isinstance(record, Mapping):
        return {key: mask_values(value) for key, value in record.items()
                if str(key).lower() not in constants.SECRET_FIELD_NAMES}
    return mask_values(record)


def mask_values(value: Any) -> Any:
    """A copy of `value` with every token-shaped secret in its strings masked; keys all kept."""
    if isinstance(value, str):
        return mask_tokens(value, REDACTED)
    if isinstance(value, Mapping):
        return {key: mask_values(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_values(item) for item in value]
    return value


def strip_request_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A request-log record fit to keep: credential headers masked, envelope bodies stripped.

    A body that is JSON (`{"data": record or [records]}`) has its records stripped like any cached
    record; a text body (the usual case: already redacted by `app.api`) is token-masked.
    """
    clean = strip_secrets(record)
    for name in _HEADER_FIELDS:
        if name in clean:
            clean[name] = _masked_headers(clean[name])
    for name in _BODY_FIELDS:
        body = clean.get(name)
        if isinstance(body, Mapping) and "data" in body:
            data = body["data"]
            stripped = [strip_secrets(item) for item in data] if isinstance(data, list) else strip_secrets(data)
            clean[name] = {**body, "data": stripped}
    return clean


def _masked_headers(headers: Any) -> Any:
    """Headers as a mapping or as (name, value) pairs, credential values masked, order kept."""
    if isinstance(headers, Mapping):
        return {name: _masked_header(name, value) for name, value in headers.items()}
    if isinstance(headers, list):
        return [[pair[0], _masked_header(pair[0], pair[1])] if isinstance(pair, list) and len(pair) == 2
                else pair for pair in headers]
    return headers


def _masked_header(name: Any, value: Any) -> Any:
    """"Bearer abc" -> "Bearer [redacted]": the scheme is useful when debugging, the rest is not."""
    if str(name).lower() not in constants.SECRET_HEADERS:
        return value
    if not isinstance(value, str):
        return REDACTED
    scheme, _, credential = value.partition(" ")
    return f"{scheme} {REDACTED}" if credential and scheme.isalpha() else REDACTED
