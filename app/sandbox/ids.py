"""Prefixed, time-ordered random ids (`con_…`, `ticket_…`) and secret tokens."""

from __future__ import annotations

import secrets
import time

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(n: int) -> str:
    """`n` random base62 characters from the OS's CSPRNG."""
    return "".join(secrets.choice(_BASE62) for _ in range(n))


def new_id(prefix: str) -> str:
    """`prefix_` + 10 chars of millisecond time + 12 random chars: unique and sortable by creation."""
    ms = time.time_ns() // 1_000_000
    stamp = ""
    for _ in range(10):
        ms, digit = divmod(ms, 62)
        stamp = _BASE62[digit] + stamp
    return f"{prefix}_{stamp}{base62(12)}"
