"""What the shell hands every module panel: the connection's services, in one object.

Panels take this in their constructor (STYLE.md: views take their services) and never build URLs,
parse JSON or touch the keychain themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.api.dialects.base import Dialect
from app.api.dialects.manifest import Manifest
from app.data.stores import Stores
from app.ui.task_set import TaskSet

if TYPE_CHECKING:
    from app.api import AdminClient


@dataclass
class PanelContext:
    """The active profile's services. `client` is None while signed out or before connecting.

    Panels use `stores` (the data layer) only; `client` and `cache` are here for the shell and
    the session, which build the stores from them.
    """

    client: AdminClient | None
    cache: Any  # app.cache AsyncPageCache for the active profile
    profile: Any  # app.core Profile
    scopes: frozenset[str] = frozenset()
    drafts: Any = None  # app.core DraftStore
    tasks: TaskSet = field(default_factory=TaskSet)
    environment: str = "test"
    #: Jump to the request log entry with this request id (shell-provided).
    open_request_log: Callable[[str], None] = lambda request_id: None
    #: Tell the shell the profile's own credential changed (e.g. after rotating its API key).
    credential_changed: Callable[[str], None] = lambda secret: None
    #: Tell the shell the session must end (e.g. the console's own key was revoked).
    sign_out: Callable[[str], None] = lambda reason: None
    #: This profile's request records, persisted and live (app.ui RequestHistory; the request log reads it).
    request_history: Any = None
    #: The data layer of this session (built from `client` and `cache` when not given).
    stores: Stores | None = None
    #: The window's message strip, shared by the panels (None: each panel makes its own).
    message_strip: Any = None

    def __post_init__(self) -> None:
        if self.stores is None:
            self.stores = Stores(self.client, self.cache)

    @property
    def manifest(self) -> Manifest:
        """What the profile's platform offers (the contract's full manifest while not connected)."""
        return self.client.dialect.manifest if self.client is not None else Dialect.manifest

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_live(self) -> bool:
        return self.environment == "live"
