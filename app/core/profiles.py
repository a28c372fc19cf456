"""Connection profiles: the non-secret settings of each server the console talks to.

All profiles live in one JSON file in the user config dir (`paths.profiles_file()`), rewritten
atomically (temporary file + `os.replace`) so a crash never leaves half a file. Secrets are never
here: they are in the OS keychain under the profile's stable `id` (see `keychain.py`).
A config file that cannot be read is moved aside and the store starts empty, reporting
`recovered_from`, rather than refusing to start.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from app.core import paths
from app.core.platform_names import PLATFORMS

AuthKind = Literal["api_key", "login"]
Environment = Literal["live", "test"]
AUTH_KINDS: tuple[str, ...] = ("api_key", "login")
ENVIRONMENTS: tuple[str, ...] = ("live", "test")
FILE_VERSION = 1
MAX_NAME_LENGTH = 100


def _new_id() -> str:
    """A new profile's stable id. uuid (and the platform module it imports) is loaded on first use:
    the start-up preview reads profiles but never makes one."""
    import uuid

    return uuid.uuid4().hex


class ProfileError(ValueError):
    """A profile's settings are invalid or the operation cannot be done; the message says why."""


class ProfileNotFound(ProfileError, LookupError):
    """No profile with that name."""


@dataclass(frozen=True)
class Profile:
    """One connection: where to connect and how to authenticate (never the secret itself)."""

    name: str
    base_url: str
    auth_kind: AuthKind = "api_key"
    environment: Environment = "test"
    login_email: str | None = None
    is_local_sandbox: bool = False
    sandbox_data_dir: str | None = None
    id: str = field(default_factory=_new_id)
    #: The platform's dialect (`app.api.dialects`): which wire format the base URL speaks.
    platform: str = "opsdesk"

    def validated(self) -> Profile:
        """This profile with surrounding spaces trimmed, or ProfileError naming the problem."""
        name = (self.name or "").strip()
        if not name:
            raise ProfileError("The profile name is empty.")
        if len(name) > MAX_NAME_LENGTH:
            raise ProfileError(f"The profile name is longer than {MAX_NAME_LENGTH} characters.")
        base_url = (self.base_url or "").strip().rstrip("/")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProfileError(
                f"The base URL {self.base_url!r} is not an http(s) URL with a host, "
                "for example https://api.example.com/v1."
            )
        if parts.username or parts.password:
            raise ProfileError("The base URL must not contain a user name or password.")
        if self.auth_kind not in AUTH_KINDS:
            raise ProfileError(f"The auth kind {self.auth_kind!r} is not one of: {', '.join(AUTH_KINDS)}.")
        if self.environment not in ENVIRONMENTS:
            raise ProfileError(
                f"The environment {self.environment!r} is not one of: {', '.join(ENVIRONMENTS)}."
            )
        email = (self.login_email or "").strip() or None
        if self.auth_kind == "login":
            if not email:
                raise ProfileError("A login profile needs the login email.")
            if "@" not in email or email.startswith("@") or email.endswith("@"):
                raise ProfileError(f"The login email {email!r} is not an email address.")
        if self.platform not in PLATFORMS:
            raise ProfileError(f"The platform {self.platform!r} is not one of: {', '.join(PLATFORMS)}.")
        if self.is_local_sandbox and not self.sandbox_data_dir:
            raise ProfileError("A local sandbox profile needs its sandbox data dir.")
        if not self.id:
            raise ProfileError("The profile has no id.")
        return replace(self, name=name, base_url=base_url, login_email=email)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class ProfileStore:
    """The list of profiles plus which one is the default and which was used last.

    Every change is written to disk before the method returns. Names are unique,
    compared case-insensitively, because a user cannot tell "Prod" and "prod" apart in a menu.
    Not for concurrent use: one thread at a time (first run hands it to a worker, then back).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else paths.profiles_file()
        self.recovered_from: Path | None = None
        self._profiles: list[Profile] = []
        self._default: str | None = None
        self._last_used: str | None = None
        self._load()

    def list(self) -> list[Profile]:
        """All profiles, in the order they were added."""
        return list(self._profiles)

    def get(self, name: str) -> Profile:
        """The profile called `name` (case-insensitive), or ProfileNotFound."""
        index = self._index(name)
        if index is None:
            raise ProfileNotFound(f"There is no profile named {name!r}.")
        return self._profiles[index]

    def add(self, profile: Profile) -> Profile:
        """Validate and save a new profile; the first profile becomes the default."""
        profile = profile.validated()
        if self._index(profile.name) is not None:
            raise ProfileError(f"A profile named {profile.name!r} already exists.")
        if any(p.id == profile.id for p in self._profiles):
            raise ProfileError(f"A profile with id {profile.id!r} already exists.")
        self._profiles.append(profile)
        if self._default is None:
            self._default = profile.name
        self._save()
        return profile

    def update(self, name: str, /, **changes: Any) -> Profile:
        """Change some settings of profile `name` (a new `name` renames it); returns the result."""
        if "id" in changes:
            raise ProfileError("A profile's id cannot be changed.")
        unknown = set(changes) - {f.name for f in fields(Profile)}
        if unknown:
            raise ProfileError(f"Unknown profile setting(s): {', '.join(sorted(unknown))}.")
        index = self._index(name)
        if index is None:
            raise ProfileNotFound(f"There is no profile named {name!r}.")
        old = self._profiles[index]
        new = replace(old, **changes).validated()
        other = self._index(new.name)
        if other is not None and other != index:
            raise ProfileError(f"A profile named {new.name!r} already exists.")
        self._profiles[index] = new
        if self._default == old.name:
            self._default = new.name
        if self._last_used == old.name:
            self._last_used = new.name
        self._save()
        return new

    def rename(self, old_name: str, new_name: str) -> Profile:
        """Rename a profile; its secrets, cache and drafts follow because they are keyed by id."""
        return self.update(old_name, name=new_name)

    def delete(self, name: str) -> Profile:
        """Remove the profile from the config file only (see `profile_removal.remove_profile`)."""
        index = self._index(name)
        if index is None:
            raise ProfileNotFound(f"There is no profile named {name!r}.")
        removed = self._profiles.pop(index)
        if self._default == removed.name:
            self._default = self._profiles[0].name if self._profiles else None
        if self._last_used == removed.name:
            self._last_used = None
        self._save()
        return removed

    @property
    def default(self) -> Profile | None:
        """The profile the console opens when nothing else says which."""
        return self._named_or_none(self._default)

    def set_default(self, name: str) -> None:
        self._default = self.get(name).name
        self._save()

    @property
    def last_used(self) -> Profile | None:
        """The profile the console had open last time."""
        return self._named_or_none(self._last_used)

    def mark_used(self, name: str) -> None:
        self._last_used = self.get(name).name
        self._save()

    def choose(self, requested: str | None = None) -> Profile | None:
        """The profile to open: `--profile NAME` if given, else last used, default, first."""
        if requested is not None:
            return self.get(requested)
        return self.last_used or self.default or (self._profiles[0] if self._profiles else None)

    def _named_or_none(self, name: str | None) -> Profile | None:
        index = self._index(name) if name else None
        return self._profiles[index] if index is not None else None

    def _index(self, name: str) -> int | None:
        wanted = (name or "").strip().casefold()
        for i, profile in enumerate(self._profiles):
            if profile.name.casefold() == wanted:
                return i
        return None

    def _load(self) -> None:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        try:
            data = json.loads(raw)
            if data.get("version") != FILE_VERSION:
                raise ValueError(f"unsupported version {data.get('version')!r}")
            profiles = [Profile.from_dict(item).validated() for item in data["profiles"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            self.recovered_from = self.path.with_name(
                f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}"
            )
            os.replace(self.path, self.recovered_from)
            return
        self._profiles = profiles
        self._default = data.get("default")
        self._last_used = data.get("last_used")

    def _save(self) -> None:
        data = {
            "version": FILE_VERSION,
            "default": self._default,
            "last_used": self._last_used,
            "profiles": [asdict(p) for p in self._profiles],
        }
        write_atomically(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
