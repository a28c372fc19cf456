"""Who the session's credential is: its scopes, workspace and environment, asked once per session.

`load()` asks `GET /me` and `GET /workspace` and keeps the answer in the page cache, so an
offline start still knows what the credential may do. Panels and the sidebar read `scopes` from
here; nothing else asks `/me` again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.api import errors
from app.data.observable import Observable

_IDENTITY = "session_identity"


@dataclass(frozen=True)
class Identity:
    scopes: frozenset[str]
    workspace: str = ""
    environment: str | None = None
    #: `GET /me`'s `kind` ("api_key" or "user") and `id`: the API keys panel marks the console's own key.
    credential_kind: str | None = None
    credential_id: str | None = None


class IdentityStore:
    """`current` is None until the first answer (or cached answer); `changes` on each new one."""

    def __init__(self, client: Any, cache: Any) -> None:
        self._client = client
        self._cache = cache
        self.current: Identity | None = None
        self.changes: Observable[Identity] = Observable()

    @property
    def scopes(self) -> frozenset[str] | None:
        return self.current.scopes if self.current is not None else None

    async def load(self) -> Identity:
        """Ask the server; offline, apply the last known answer and re-raise the connection error."""
        try:
            me = await self._client.me.get()
            # A platform without a workspace call (its manifest) is known by the id the credential names.
            dialect = getattr(self._client, "dialect", None)
            has_workspace = dialect is None or dialect.manifest.supports("workspace.get")
            workspace = await self._client.workspace.get() if has_workspace else None
        except errors.ApiConnectionError:
            cached = await self._cache.get_list(_IDENTITY, None) if self._cache is not None else None
            if cached and cached.rows:
                row = cached.rows[0]
                self._set(Identity(frozenset(row.get("scopes") or []), row.get("workspace") or "",
                                   row.get("environment"), row.get("credential_kind"),
                                   row.get("credential_id")))
            raise
        identity = Identity(frozenset(getattr(me, "scopes", []) or []),
                            getattr(workspace, "name", "") or getattr(me, "workspace_id", "") or "",
                            getattr(workspace, "environment", None), getattr(me, "kind", None), getattr(me, "id", None))
        self._set(identity)
        if self._cache is not None:
            await self._cache.put_list(_IDENTITY, None, [{
                "id": "me", "scopes": sorted(identity.scopes), "workspace": identity.workspace,
                "environment": identity.environment, "credential_kind": identity.credential_kind,
                "credential_id": identity.credential_id,
            }], None)
        return identity

    def _set(self, identity: Identity) -> None:
        self.current = identity
        self.changes.emit(identity)
