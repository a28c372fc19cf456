"""Masking secret-shaped text before the sandbox stores or logs what a client sent.

The request log (`/dev/api-requests`, `sandbox.sqlite3`) keeps a request's path, Idempotency-Key
and User-Agent, and a client may put a secret in any of them (a key pasted into a URL, a token as
an idempotency key). Every secret the platform mints has a recognisable prefix; this module masks
each such token, also behind percent-escapes (`opk%5Flive%5F…`), and any `Bearer …` credential.
The sandbox shares nothing with the console's code, so the shapes are listed here again: the
contract's (`opk_live_`/`opk_test_` keys, `whsec_` signing secrets, `opat_` access and `oprt_`
refresh tokens) and the seed dialects' (`bv_live_sk_`/`bv_test_sk_`, `bbk_`, `bbas_`).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote

MASK = "[redacted]"

#: Every secret prefix the platform and its dialects mint.
SECRET_PREFIXES = ("opk_live_", "opk_test_", "whsec_", "opat_", "oprt_", "bv_live_sk_", "bv_test_sk_",
                   "bv_live_pk_", "bv_test_pk_", "bbk_", "bbas_", "b369_full_", "b369_read_", "8b_sk_",
                   "8b_rt_", "eyJ")
# The whole token after its prefix, however short (a cut-off secret is still masked), and wherever
# it starts (`xopk_live_…` is masked too: masking too much costs nothing here).
_SECRET_RE = re.compile(r"eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}|"  # a JWT, all three parts
                        "(" + "|".join(re.escape(p) for p in SECRET_PREFIXES) + r")[A-Za-z0-9+/=_-]*")
_BEARER_RE = re.compile(r"(?i:bearer)\s+[^\s,;]+")


def _could_hold_secret(text: str) -> bool:
    lowered = text.lower()
    return "%" in text or "bearer" in lowered or any(p in text for p in SECRET_PREFIXES)


def _mask_plain(text: str) -> str:
    return _BEARER_RE.sub("Bearer " + MASK, _SECRET_RE.sub(lambda m: (m.group(1) or "") + MASK, text))


def _unescaped(text: str) -> str:
    # A few rounds: a double-encoded path (`%255F`) is decoded once by the server, once here.
    for _ in range(3):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def mask_secrets(text: str) -> str:
    """`text` with every secret-shaped token replaced by its prefix + `[redacted]`.

    When a secret hides behind percent-escapes, the decoded text is returned masked.
    """
    if not _could_hold_secret(text):
        return text
    masked = _mask_plain(text)
    if "%" in text:
        decoded = _unescaped(text)
        if decoded != text and _mask_plain(decoded) != decoded:
            return _mask_plain(decoded)
    return masked


def holds_secret(text: str) -> bool:
    """True when `mask_secrets` would change `text`."""
    return mask_secrets(text) != text


def storable(text: str) -> str:
    """`text` itself, or, when it holds a secret, its masked form plus a digest of the original.

    For values stored to be compared later (an Idempotency-Key, the path it was used on): two
    different secrets still give two different stored values, and neither can be read back.
    """
    if not holds_secret(text):
        return text
    return f"{mask_secrets(text)} sha256:{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}"
