"""Mask secrets in free text (log lines, tracebacks, error messages) before it leaves memory.

Token shapes (API keys, webhook signing secrets, user access and refresh tokens) come from the one
pattern set in `app.api.redaction`; this module adds what only free text has: Bearer credentials
and `password=…` / `"password": "…"` pairs, whose quoted value is masked whole, spaces and all.
"""

from __future__ import annotations

import re

from app.api import constants
from app.api.redaction import mask_tokens

MASK = "****"
_FIELD_ALTERNATION = "|".join(re.escape(name) for name in sorted(constants.SECRET_FIELD_NAMES))
_PATTERNS = (
    (re.compile(r"(?i)\b(Bearer\s+)[^\s\"',;]+"), rf"\1{MASK}"),
    # A quoted value runs to its closing quote (escaped quotes included); a bare one to a separator.
    (re.compile(r"(?i)(\b(?:" + _FIELD_ALTERNATION + r")[\"']?\s*[:=]\s*)"
                r"(?:\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?|[^\s\"',;}]+)"), rf"\1{MASK}"),
)


def mask_secrets(text: str) -> str:
    """`text` with every secret it contains replaced by a mask."""
    text = mask_tokens(text, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
