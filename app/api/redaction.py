"""Masking secrets out of headers, bodies and free text before anything is kept or shown.

Request records, curl renderings, HAR exports and error messages all pass through here, so a
secret (API key, signing secret, password, token) never reaches a log, a cache or an export.
Bodies are cut to a bound first and masked textually, so a masked body costs the same whatever
its size and a value cut in half is masked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.api import constants

SECRET_TOKEN_RE = re.compile("|".join(constants.SECRET_TOKEN_PATTERNS))
"""Every token-shaped secret the platform mints; the one pattern set the cache and core use too."""
_BEARER_RE = re.compile(constants.BEARER_PATTERN)
_TOKEN_HEAD_RE = re.compile(constants.SECRET_TOKEN_HEAD_PATTERN)
# `"password": "…"` (or a value cut off by truncation), and non-string values up to , } or end.
_KEY_ALTERNATION = "|".join(re.escape(key) for key in sorted(constants.SECRET_BODY_KEYS))
_SECRET_FIELD_RE = re.compile(
    r'("(?i:' + _KEY_ALTERNATION + r')"\s*:\s*)("(?:[^"\\]|\\.)*(?:"|\\?$)|(?!null\b)[^,}\]\s"][^,}\]]*)'
)
# `password=…` in form bodies and query strings.
_SECRET_PAIR_RE = re.compile(r"((?:^|[?&])(?i:" + _KEY_ALTERNATION + r")=)[^&]*")


# What `mask_body` appends to a body it cut short.
_TRUNCATION_MARK_RE = re.compile(r"… \[(\d+) more bytes\]$")


def truncated_bytes(masked_body: str) -> int:
    """How many bytes `mask_body` cut off the end of this body (0 when it was kept whole)."""
    match = _TRUNCATION_MARK_RE.search(masked_body)
    return int(match.group(1)) if match else 0


def mask_tokens(text: str, mask: str = constants.REDACTED) -> str:
    """`text` with every token-shaped secret (`opk_live_…`, `whsec_…`, `opat_…`, `oprt_…`) replaced
    by `mask`; the rest of the text is kept as it is."""
    # Most texts hold no token at all; substring checks are far cheaper than the regex.
    if not any(prefix in text for prefix in constants.SECRET_TOKEN_PREFIXES):
        return text
    return SECRET_TOKEN_RE.sub(mask, text)


def mask_text(text: str) -> str:
    """Replace every token-shaped secret and every `Bearer …` credential in free text."""
    text = mask_tokens(text)
    if "bearer" in text.lower():
        text = _BEARER_RE.sub(constants.REDACTED, text)
    return text


def _names_a_secret_key(text: str) -> bool:
    lowered = text.lower()
    return any(key in lowered for key in constants.SECRET_BODY_KEYS)


def mask_body(body: bytes | str | None, limit: int = constants.RECORD_BODY_LIMIT_BYTES) -> str:
    """A body cut to `limit` bytes with secret fields and token-shaped values masked."""
    if not body:
        return ""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    truncated = len(raw) > limit
    text = raw[:limit].decode("utf-8", "replace")
    if _names_a_secret_key(text):
        text = _SECRET_FIELD_RE.sub(lambda m: m.group(1) + '"' + constants.REDACTED + '"', text)
        text = _SECRET_PAIR_RE.sub(lambda m: m.group(1) + constants.REDACTED, text)
    text = mask_text(text)
    if truncated:
        text = _TOKEN_HEAD_RE.sub(constants.REDACTED, text)
        text += f"… [{len(raw) - limit} more bytes]"
    return text


def mask_header_value(name: str, value: str) -> str:
    """A header value fit to keep: always masked for credential headers, else token-masked."""
    if name.lower() in constants.SECRET_HEADERS:
        scheme, _, rest = value.partition(" ")
        return f"{scheme} {constants.REDACTED}" if rest else constants.REDACTED
    return mask_text(value)


def mask_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Every header as (name, masked value), order kept."""
    return tuple((name, mask_header_value(name, value)) for name, value in headers)


def mask_url(url: str) -> str:
    """A URL with secret query parameters and token-shaped values masked."""
    path, sep, query = url.partition("?")
    if sep:
        query = _SECRET_PAIR_RE.sub(lambda m: m.group(1) + constants.REDACTED, "?" + query)[1:]
    return mask_text(path + sep + query)
