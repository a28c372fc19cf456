"""What a public reply must not carry: secrets (API keys, signing secrets, long tokens) and
leftover template placeholders. Qt-free so the rules are unit-tested on their own.

A reply goes to a customer and cannot be unsent, so the composer asks for confirmation when any
of these match. Excerpts of secrets are masked: the warning itself must not echo the secret.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

#: (pattern, what it looks like); order matters: the first pattern to claim a span names it.
_SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"opk_live_[A-Za-z0-9]+"), "a live API key (opk_live_…)"),
    (re.compile(r"opk_test_[A-Za-z0-9]+"), "a test API key (opk_test_…)"),
    (re.compile(r"whsec_[A-Za-z0-9+/=_-]+"), "a webhook signing secret (whsec_…)"),
    (re.compile(r"opat_[A-Za-z0-9]+"), "a user access token (opat_…)"),
    (re.compile(r"oprt_[A-Za-z0-9]+"), "a user refresh token (oprt_…)"),
    (re.compile(r"[sr]k_live\w*"), "a live secret key (sk_live…)"),
    (re.compile(r"(?<![A-Za-z0-9])[0-9a-fA-F]{32,}(?![A-Za-z0-9])"), "a long hex token"),
    (re.compile(r"(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_-]*[0-9])(?=[A-Za-z0-9+/_-]*[A-Za-z])"
                r"[A-Za-z0-9+/_-]{32,}={0,2}"), "a long base64 token"),
)

_PLACEHOLDER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\{\{[^{}\n]{0,60}\}\}"), "a template placeholder"),
    (re.compile(r"\[[A-Z][A-Z0-9 _-]{0,40}\]"), "a bracketed placeholder"),
    (re.compile(r"\bTODO\b"), "a TODO marker"),
    (re.compile(r"\bXXX+\b"), "an XXX marker"),
    (re.compile(r"\blorem ipsum\b", re.IGNORECASE), "lorem ipsum filler text"),
)


@dataclass(frozen=True)
class ReplyWarning:
    """One suspicious span in a reply: `kind` is "secret" or "placeholder"."""

    kind: str
    what: str
    excerpt: str
    start: int
    end: int

    def describe(self) -> str:
        return f"{self.what}: {self.excerpt}"


def mask_secret(text: str) -> str:
    """Enough of a secret to recognise it (its prefix and last four), never the whole of it."""
    prefix_match = re.match(r"[A-Za-z]+_(?:live_|test_)?", text)
    prefix = prefix_match.group(0) if prefix_match and len(prefix_match.group(0)) < len(text) else ""
    tail = text[-4:] if len(text) >= 16 else ""
    return f"{prefix}…{tail}"


def check_reply(text: str) -> list[ReplyWarning]:
    """Every secret-looking or placeholder-looking span in `text`, in order of appearance."""
    found: list[ReplyWarning] = []
    claimed: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in claimed)

    for pattern, what in _SECRET_PATTERNS:
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                claimed.append((match.start(), match.end()))
                found.append(ReplyWarning("secret", what, mask_secret(match.group(0)), match.start(), match.end()))
    for pattern, what in _PLACEHOLDER_PATTERNS:
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                claimed.append((match.start(), match.end()))
                found.append(ReplyWarning("placeholder", what, match.group(0), match.start(), match.end()))
    return sorted(found, key=lambda warning: warning.start)


def warning_html(warnings: Sequence[ReplyWarning]) -> str:
    """What the composer's warning says (rich text, every value escaped)."""
    lines = "".join(f"<li>{escape(w.describe())}</li>" for w in warnings)
    return ("<b>Check before sending:</b> this reply goes to the customer and looks like it contains"
            f"<ul style='margin:0'>{lines}</ul>Edit the text, or choose <b>Send anyway</b>.")
