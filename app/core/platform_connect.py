"""Connecting to a platform in its own dialect: credentials → auth, a client, and the connection
check that the profile form's *Test connection* and `opsdesk check` both run.

A profile names its platform (`Profile.platform`, a dialect of `app.api.dialects`). Its secret is
the one keychain entry it always had; a platform that needs two credentials (BizBasics' API key
and internal key) keeps both in that entry as a small JSON object (`pack_credentials`), so no
secret ever goes anywhere but the keychain.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.api import AdminClient, ApiKeyAuth, UserLoginAuth, errors
from app.api.dialects import DIALECTS, dialect_class, dialect_for
from app.api.dialects.base import Dialect

DEFAULT_PLATFORM = "opsdesk"
#: Key prefixes that point at one platform first when detecting (the rest are tried after).
_KEY_HINTS: tuple[tuple[str, str], ...] = (
    ("bv_", "bivelio"), ("bbk_", "bizbasics"), ("{", "bizbasics"), ("b369_", "bi369"), ("8b_", "8bit"),
    ("opk_", "opsdesk"),
)


def pack_credentials(values: Mapping[str, str]) -> str:
    """The one keychain secret for a platform's credentials: the value itself when there is one,
    else a JSON object of them."""
    present = {name: value.strip() for name, value in values.items() if value and value.strip()}
    if list(present) == ["api_key"]:
        return present["api_key"]
    return json.dumps(present, separators=(",", ":"), sort_keys=True)


def unpack_credentials(secret: str) -> dict[str, str]:
    """`pack_credentials` reversed (a plain secret is the API key)."""
    text = (secret or "").strip()
    if text.startswith("{"):
        try:
            values = json.loads(text)
        except ValueError:
            raise ValueError("the stored credentials are damaged; enter them again in Profiles") from None
        if isinstance(values, dict) and all(isinstance(v, str) for v in values.values()):
            return values
        raise ValueError("the stored credentials are damaged; enter them again in Profiles")
    return {"api_key": text}


def platform_auth(platform: str, auth_kind: str, secret: str, *, login_email: str | None = None,
                  on_refresh_token: Callable[[str], None] | None = None,
                  dialect: Dialect | None = None) -> httpx.Auth:
    """The auth flow for `secret` (an API key, packed credentials, or a login password)."""
    dialect = dialect or dialect_for(platform)
    if auth_kind == "login":
        if dialect.name == DEFAULT_PLATFORM:
            return UserLoginAuth(login_email or "", secret, on_refresh_token=on_refresh_token)
        return dialect.auth({"email": login_email or "", "password": secret})
    if dialect.name == DEFAULT_PLATFORM:
        return ApiKeyAuth(unpack_credentials(secret)["api_key"])
    return dialect.auth(unpack_credentials(secret))


def client_for(base_url: str, platform: str, auth_kind: str, secret: str, *, login_email: str | None = None,
               on_refresh_token: Callable[[str], None] | None = None, **options: Any) -> AdminClient:
    """An `AdminClient` speaking `platform`'s dialect at `base_url` with `secret`."""
    dialect = dialect_for(platform)
    auth = platform_auth(platform, auth_kind, secret, login_email=login_email,
                         on_refresh_token=on_refresh_token, dialect=dialect)
    return AdminClient(base_url, auth, dialect=dialect, **options)


@dataclass
class PlatformCheck:
    """What a connection check found: the platform, who the credential is, what the platform offers."""

    platform: str = ""
    display_name: str = ""
    workspace: str = ""
    workspace_id: str = ""
    environment: str = ""
    scopes: frozenset[str] = frozenset()
    identity: dict[str, Any] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    detected: bool = False
    """True when the platform was found by trying (none was named)."""
    tried: list[tuple[str, str]] = field(default_factory=list)
    """(platform, what happened) for each platform tried before the answer."""
    error: errors.ApiError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.platform)

    def summary(self) -> str:
        """One sentence for the profile form."""
        if not self.ok:
            return f"Could not connect: {self.error}" if self.error else "Could not connect."
        found = "Detected" if self.detected else "Connected to"
        missing = self.manifest.get("missing_guarantees") or {}
        note = f"; it lacks: {', '.join(missing)}" if missing else ""
        return (f"{found} {self.display_name}: workspace {self.workspace or self.workspace_id}"
                f" ({self.environment or 'environment unknown'}), {len(self.scopes)} scopes{note}.")

    def to_json(self) -> dict[str, Any]:
        """What `opsdesk check` prints (never a secret: identities and manifests hold none)."""
        return {
            "platform": self.platform, "display_name": self.display_name, "detected": self.detected,
            "workspace": {"id": self.workspace_id, "name": self.workspace, "environment": self.environment},
            "identity": self.identity, "scopes": sorted(self.scopes), "manifest": self.manifest,
            "tried": [{"platform": name, "outcome": outcome} for name, outcome in self.tried],
        }


def candidate_platforms(secret: str) -> list[str]:
    """Every platform whose adapter is installed, the ones the secret's shape points at first."""
    first = [name for prefix, name in _KEY_HINTS if secret.strip().startswith(prefix)]
    return [name for name in dict.fromkeys(first + list(DIALECTS)) if _installed(name)]


def _installed(name: str) -> bool:
    try:
        dialect_class(name)
    except ImportError:
        return False
    return True


async def check_platform(base_url: str, secret: str, platform: str | None = None, *, auth_kind: str = "api_key",
                         login_email: str | None = None, **client_options: Any) -> PlatformCheck:
    """Connect to `base_url` as `platform` (or find which platform answers) and report what it offers.

    When none answers, the result carries the error of the first platform tried (the one the
    key's shape points at); a host that does not answer at all is not tried again.
    """
    names = [platform] if platform else candidate_platforms(secret)
    tried: list[tuple[str, str]] = []
    first: PlatformCheck | None = None
    for name in names:
        result = await _check_one(base_url, secret, name, auth_kind, login_email, client_options)
        if result.ok:
            result.detected = platform is None
            result.tried = tried
            return result
        tried.append((name, str(result.error)))
        first = first or result
        if isinstance(result.error, errors.ApiConnectionError):
            break
    assert first is not None
    first.tried = tried
    return first


async def _check_one(base_url: str, secret: str, name: str, auth_kind: str, login_email: str | None,
                     options: dict[str, Any]) -> PlatformCheck:
    try:
        client = client_for(base_url, name, auth_kind, secret, login_email=login_email,
                            **{"max_retries": 0, **options})
    except ValueError as error:
        return PlatformCheck(platform="", error=errors.ApiError(str(error)))
    manifest = client.dialect.manifest
    async with client:
        try:
            me = await client.me.get()
            workspace = await client.workspace.get() if manifest.supports("workspace.get") else None
        except errors.ApiError as error:
            return PlatformCheck(error=error)
    return PlatformCheck(
        platform=name, display_name=manifest.display_name,
        workspace=workspace.name if workspace else "", workspace_id=me.workspace_id,
        environment=workspace.environment if workspace else "", scopes=frozenset(me.scopes),
        identity={"kind": me.kind, "id": me.id, "name": me.name, "workspace_id": me.workspace_id},
        manifest=manifest.to_json())
