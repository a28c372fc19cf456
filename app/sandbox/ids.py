"""Prefixed, time-ordered random ids (`con_…`, `ticket_…`) and secret tokens."""

from __future__ import annotations

import secrets
import time

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


_UNBIASED_BELOW = 62 * 4  # bytes at or above this are skipped, so `byte % 62` stays uniform
_TO_BASE62 = bytes(ord(_BASE62[b % 62]) for b in range(256))
_BIASED = bytes(range(_UNBIASED_BELOW, 256))


def base62(n: int) -> str:
    """`n` uniformly random base62 characters from the OS's CSPRNG.

    One read of random bytes per call (not one per character), mapped in C (`bytes.translate`,
    dropping the bytes that would bias the mapping): a request id is made per request.
    """
    chars = b""
    while len(chars) < n:
        chars += secrets.token_bytes(n + n // 4 + 2).translate(_TO_BASE62, _BIASED)
    return chars[:n].decode("ascii")


_stamp: tuple[int, str] = (-1, "")  # the last millisecond written out, and its 10 characters


def _millisecond_stamp(ms: int) -> str:
    global _stamp
    last_ms, text = _stamp
    if ms != last_ms:
        text = ""
        rest = ms
        for _ in range(10):
            rest, digit = divmod(rest, 62)
            text = _BASE62[digit] + text
        _stamp = (ms, text)  # one tuple, replaced whole: another thread reads the old or the new one
    return text


def new_id(prefix: str) -> str:
    """`prefix_` + 10 chars of millisecond time + 12 random chars: unique and sortable by creation."""
    return f"{prefix}_{_millisecond_stamp(time.time_ns() // 1_000_000)}{base62(12)}"
