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
#: Every token shape is one of the prefixes and at least 16 more characters, so no shorter text
#: holds a token (tests/api/test_observed_record.py checks each pattern against it).
SHORTEST_TOKEN = min(len(prefix) for prefix in constants.SECRET_TOKEN_PREFIXES) + 16
#: Every token prefix begins with one of these stems (its head up to the first "_", or all of it
#: when it has none), so a text holding no stem holds no token. The stems ending in "_" are found
#: in one search that stops only at each "_" and looks behind it; a substring scan per prefix
#: cost ~2.5 us per 4 KB body each (34 us for sixteen prefixes, 13 us this way).
_TOKEN_STEMS = tuple(dict.fromkeys(prefix[:prefix.find("_") + 1] if "_" in prefix else prefix
                                   for prefix in constants.SECRET_TOKEN_PREFIXES))
_UNDERSCORE_STEM_RE = re.compile("_(?:" + "|".join(f"(?<={re.escape(stem)})" for stem in _TOKEN_STEMS
                                                   if stem.endswith("_")) + ")")
_PLAIN_STEMS = tuple(stem for stem in _TOKEN_STEMS if not stem.endswith("_"))
_BEARER_RE = re.compile(constants.BEARER_PATTERN)
_TOKEN_HEAD_RE = re.compile(constants.SECRET_TOKEN_HEAD_PATTERN)
# Every token head is made of these characters, so one can only sit in the run of them that ends
# the text: the head pattern is searched in that run alone, not in the whole 4 KB body.
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.-"
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
    # Most texts hold no token at all: a text too short for one (most header values and
    # fields) is returned at once, and substring checks are far cheaper than the regex.
    if len(text) < SHORTEST_TOKEN:
        return text
    if _UNDERSCORE_STEM_RE.search(text) is not None:
        return SECRET_TOKEN_RE.sub(mask, text)
    for stem in _PLAIN_STEMS:
        if stem in text:
            return SECRET_TOKEN_RE.sub(mask, text)
    return text


def mask_text(text: str) -> str:
    """Replace every token-shaped secret and every `Bearer …` credential in free text."""
    text = mask_tokens(text)
    if "bearer" in text.lower():
        text = _BEARER_RE.sub(constants.REDACTED, text)
    return text


# The secret keys no other secret key contains ("token" stands for "access_token" too): a body
# naming none of them names no secret key, at a fraction of the substring scans.
_SECRET_KEY_STEMS = tuple(sorted(key for key in constants.SECRET_BODY_KEYS
                                 if not any(other != key and other in key for other in constants.SECRET_BODY_KEYS)))


def _names_a_secret_key(text: str) -> bool:
    lowered = text.lower()
    return any(stem in lowered for stem in _SECRET_KEY_STEMS)


def _mask_token_head(text: str) -> str:
    """`text` with a token head that runs to its very end masked (where truncation cut it)."""
    tail_start = len(text.rstrip(_TOKEN_CHARS))
    return text[:tail_start] + _TOKEN_HEAD_RE.sub(constants.REDACTED, text[tail_start:])


def mask_body(body: bytes | str | None, limit: int = constants.RECORD_BODY_LIMIT_BYTES, *,
              size: int | None = None) -> str:
    """A body cut to `limit` bytes with secret fields and token-shaped values masked.

    `size` is the whole body's length when `body` is only its head (a record that kept just the
    bytes it will show); by default `body` is the whole body.
    """
    if not body:
        return ""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    size = len(raw) if size is None else size
    truncated = size > limit
    text = raw[:limit].decode("utf-8", "replace")
    if _names_a_secret_key(text):
        text = _SECRET_FIELD_RE.sub(lambda m: m.group(1) + '"' + constants.REDACTED + '"', text)
        text = _SECRET_PAIR_RE.sub(lambda m: m.group(1) + constants.REDACTED, text)
    text = mask_text(text)
    if truncated:
        text = _mask_token_head(text) + f"… [{size - limit} more bytes]"
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
    if sep and _names_a_secret_key(query):
        url = path + sep + _SECRET_PAIR_RE.sub(lambda m: m.group(1) + constants.REDACTED, "?" + query)[1:]
    return mask_text(url)
