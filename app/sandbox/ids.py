"""Prefixed, time-ordered random ids (`con_…`, `ticket_…`) and secret tokens."""

from __future__ import annotations

import secrets
import time

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


_UNBIASED_BELOW = 62 * 4  # bytes at or above this are skipped, so `byte % 62` stays uniform


def base62(n: int) -> str:
    """`n` uniformly random base62 characters from the OS's CSPRNG.

    One read of random bytes per call (not one per character): a request id is made per request.
    """
    chars: list[str] = []
    while len(chars) < n:
        chars += [_BASE62[b % 62] for b in secrets.token_bytes(n + n // 4 + 2) if b < _UNBIASED_BELOW]
    return "".join(chars[:n])


def new_id(prefix: str) -> str:
    """`prefix_` + 10 chars of millisecond time + 12 random chars: unique and sortable by creation."""
    ms = time.time_ns() // 1_000_000
    stamp = ""
    for _ in range(10):
        ms, digit = divmod(ms, 62)
        stamp = _BASE62[digit] + stamp
    return f"{prefix}_{stamp}{base62(12)}"
