"""The workspace's API keys: list, create, rotate with a rehearsal, revoke.

The store holds the short list (`listed`) and knows which key is the console's own from the
session's identity (`IdentityStore`, asked once per session; asked again only when a rotation
switched the console to a new key, to see the platform answer as that key). Secrets come back
once, as `Revealed` or on the `KeyRotation`; only the records without them are kept and cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.api import AdminClient, ApiKeyAuth, errors
from app.api.models import ApiKey, ApiKeyCreate
from app.data.identity import IdentityStore
from app.data.listed_store import ListedStore, Revealed
from app.data.record_store import Offline

#: Every scope the contract defines, in the order the create dialog lists them.
ALL_SCOPES: tuple[str, ...] = (
    "crm:read", "crm:write", "support:read", "support:write", "integrations:read", "integrations:write",
    "quota:read", "keys:read", "keys:write", "logs:read",
)
#: A key this close to its expiry is shown as "expiring soon".
EXPIRING_SOON = timedelta(days=7)
#: Statuses of a key that still signs calls.
USABLE = frozenset({"active", "expiring soon"})
#: A "now" rotation keeps the old key alive this long until the rehearsal passed and it is revoked.
SAFETY_GRACE_HOURS = 1
#: One attempt each, a short wait: a rehearsal reports a fault, it does not ride it out.
_REHEARSAL_RETRIES = 1


def key_status(key: Any, now: datetime | None = None) -> str:
    """active | expiring soon | expired | revoked, from the server's status and the expiry time."""
    now = now or datetime.now(UTC)
    if key.status == "revoked":
        return "revoked"
    if key.status == "expired" or (key.expires_at is not None and key.expires_at <= now):
        return "expired"
    if key.status == "expiring" or (key.expires_at is not None and key.expires_at - now <= EXPIRING_SOON):
        return "expiring soon"
    return "active"


def masked(key: Any) -> str:
    """`opk_test_ab…wxyz`: the prefix and last four characters the platform lists."""
    return f"{key.prefix}…{key.last4}"


@dataclass(frozen=True)
class Rehearsal:
    """Whether the test call with the new key succeeded, what was seen, and the error if it failed."""

    ok: bool
    message: str
    error: errors.ApiError | None = None


async def rehearse(base_url: str, secret: str, key_id: str, scopes: list[str]) -> Rehearsal:
    """Call `GET /me` with `secret` on a short-lived client of its own; ok when it answers as
    `key_id` holding `scopes`. The session's own connection is not touched."""
    client = AdminClient(base_url, ApiKeyAuth(secret), max_retries=_REHEARSAL_RETRIES)
    try:
        me = await client.me.get()
    except errors.ApiError as error:
        return Rehearsal(False, "The test call with the new key failed", error)
    finally:
        await client.aclose()
    if me.id != key_id:
        return Rehearsal(False, f"The test call answered as {me.id}, not as the new key {key_id}.")
    missing = sorted(set(scopes) - set(me.scopes))
    if missing:
        return Rehearsal(False, f"The new key lacks scopes the old one had: {', '.join(missing)}.")
    return Rehearsal(True, f"Test call with the new key succeeded (GET /me answered as {key_id}).")


@dataclass
class KeyRotation:
    """One rotation of `old` and what each step found. The new key and its secret are here from
    the first step on, so a later step that fails does not lose them; `run` may be tried again
    only while nothing was rotated yet."""

    old: ApiKey
    is_own: bool
    new_key: ApiKey | None = None
    previous: ApiKey | None = None
    secret: str = field(default="", repr=False)
    rehearsal: Rehearsal | None = None
    switched: bool = False
    revoked_old: bool = False


class ApiKeyStore(ListedStore[ApiKey]):
    """API keys, cached and on the server; `own_key_id` is the console's own."""

    resource = "api_keys"
    endpoint = "api_keys"
    model = ApiKey

    def __init__(self, client: Any, cache: Any, connection: Any, identity: IdentityStore) -> None:
        super().__init__(client, cache, connection)
        self.identity = identity
        self._creator_names: dict[str, str] = {}

    def keepable(self, record: ApiKey) -> ApiKey:
        if type(record) is ApiKey:
            return record
        return ApiKey.model_validate(record.model_dump(exclude={"secret", "previous_key"}))

    # ---- derived ---------------------------------------------------------------------------
    @property
    def own_key_id(self) -> str | None:
        """The key this console signs in with (None for a signed-in user, or before the identity is known)."""
        current = self.identity.current
        return current.credential_id if current is not None and current.credential_kind == "api_key" else None

    def creator_name(self, creator_id: str | None) -> str:
        """A creator's id (a member or a key) as a name."""
        return self._creator_names.get(creator_id or "", creator_id or "")

    def usable_count(self, now: datetime | None = None) -> int:
        return sum(1 for key in self.listed if key_status(key, now) in USABLE)

    # ---- reads -----------------------------------------------------------------------------
    async def reload(self) -> list[ApiKey]:
        """Every key, and the names of who created them; the identity is asked once per session."""
        if self._client is None:
            raise Offline()
        if self.identity.current is None:
            await self.identity.load()
        members = [member async for member in (await self._client.members.list()).iter_items()]
        keys = await super().reload()
        self._creator_names = {**{key.id: f"key “{key.name}”" for key in keys},
                               **{member.id: member.name for member in members}}
        return keys

    # ---- writes ----------------------------------------------------------------------------
    async def create_key(self, body: ApiKeyCreate) -> Revealed[ApiKey]:
        """Create it; its secret comes back once, beside the record that is kept."""
        created = await self.api.create(body)
        secret = created.secret
        key = self.keepable(created)
        del created
        await self.remember([key])
        self._creator_names.setdefault(key.id, f"key “{key.name}”")
        return Revealed(key, secret)

    async def revoke(self, key: ApiKey) -> ApiKey:
        """Stop the key at once."""
        revoked = await self.api.revoke(key.id)
        await self.remember([revoked])
        return revoked

    def rotation(self, key: ApiKey) -> KeyRotation:
        return KeyRotation(key, is_own=key.id == self.own_key_id)

    async def rotate(self, rotation: KeyRotation, grace_hours: int, *, switch_credential: Callable[[str], None],
                     progress: Callable[[str], None]) -> None:
        """Rotate with a grace period; rehearse with the new key; switch the console if it is its own.

        The old key is only retired early (`grace_hours == 0`) after the rehearsal passed and, for
        the console's own key, after the platform was seen answering the console as the new key:
        a failed step never cuts the console off.
        """
        if rotation.new_key is not None:
            raise RuntimeError("this rotation already ran")
        old = rotation.old
        progress("Rotating…")
        # A "now" rotation keeps a safety net until the rehearsal passed; the old key is then revoked.
        rotated = await self.api.rotate(old.id, grace_hours or SAFETY_GRACE_HOURS)
        rotation.secret, rotation.previous = rotated.secret, rotated.previous_key
        rotation.new_key = self.keepable(rotated)
        del rotated
        await self.remember([rotation.new_key, *([rotation.previous] if rotation.previous else [])])
        progress("Rehearsing: a test call with the new key…")
        rotation.rehearsal = await rehearse(self._client.base_url, rotation.secret, rotation.new_key.id, old.scopes)
        if not rotation.rehearsal.ok:
            return
        if rotation.is_own:
            progress("Switching the console to the new key…")
            switch_credential(rotation.secret)
            identity = await self.identity.load()
            rotation.switched = identity.credential_id == rotation.new_key.id
            if not rotation.switched:
                return
        if grace_hours == 0:
            progress("Retiring the old key…")
            await self.revoke(old)
            rotation.revoked_old = True
