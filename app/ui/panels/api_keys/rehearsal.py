"""The rotation rehearsal: prove a freshly rotated key works before the old one is let go.

A separate, short-lived client calls `GET /me` with the new secret and checks that the platform
answers as the new key with the same scopes. Nothing about the profile's own connection changes
unless the rehearsal passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.api import AdminClient, ApiKeyAuth, errors
from app.ui.error_messages import describe

#: One attempt each, a short wait: a rehearsal reports a fault, it does not ride it out.
_REHEARSAL_RETRIES = 1


@dataclass(frozen=True)
class RehearsalResult:
    """Whether the test call with the new key succeeded, and a sentence saying what was seen."""

    ok: bool
    message: str


async def rehearse(base_url: str, secret: str, key_id: str, scopes: list[str]) -> RehearsalResult:
    """Call `GET /me` with `secret`; ok when it answers as `key_id` holding `scopes`."""
    client = AdminClient(base_url, ApiKeyAuth(secret), max_retries=_REHEARSAL_RETRIES)
    try:
        me = await client.me.get()
    except errors.ApiError as error:
        return RehearsalResult(False, f"The test call with the new key failed: {describe(error)}")
    finally:
        await client.aclose()
    if me.id != key_id:
        return RehearsalResult(False, f"The test call answered as {me.id}, not as the new key {key_id}.")
    missing = sorted(set(scopes) - set(me.scopes))
    if missing:
        return RehearsalResult(False, f"The new key lacks scopes the old one had: {', '.join(missing)}.")
    return RehearsalResult(True, f"Test call with the new key succeeded (GET /me answered as {key_id}).")
