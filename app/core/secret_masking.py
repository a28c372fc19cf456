"""Mask secrets in free text (log lines, tracebacks, error messages) before it leaves memory.

Covers the platform's API keys (`opk_live_…`, `opk_test_…`), webhook signing secrets
(`whsec_…`), Bearer credentials and `password=`/`"password": "…"` pairs. Known secrets that
have no recognisable shape (a login password) can be passed in as `extra`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "****"
_PATTERNS = (
    (re.compile(r"\b(opk_(?:live|test)_)[A-Za-z0-9]{4,}"), rf"\1{MASK}"),
    (re.compile(r"\b(whsec_)[A-Za-z0-9+/=_-]{4,}"), rf"\1{MASK}"),
    (re.compile(r"(?i)\b(Bearer\s+)[^\s\"',;]+"), rf"\1{MASK}"),
    (re.compile(r"(?i)(\b(?:password|secret|signing_secret|access_token|refresh_token)[\"']?\s*[:=]\s*[\"']?)"
                r"[^\s\"',;}]+"), rf"\1{MASK}"),
)


def mask_secrets(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with every secret it contains replaced by a mask."""
    for secret in extra:
        if secret:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
