"""The typed async client of the Platform API v1: the only way the console talks to a platform.

Qt-free (import-linter enforces it); the UI adapts its plain callbacks to signals.

The names below are exported lazily (PEP 562): importing a light submodule such as
`app.api.redaction` runs this file, and the client's httpx and pydantic imports (most of a
second) must not come with it, least of all before the start-up preview has painted.
`from app.api import AdminClient, errors, models` still works; type checkers see the real imports.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.api import errors, models
    from app.api.auth import ApiKeyAuth, UserLoginAuth
    from app.api.client import AdminClient
    from app.api.clock import Clock
    from app.api.pagination import CursorPage
    from app.api.rate_limit import RateLimitState
    from app.api.records import RequestRecord
    from app.api.retry_policy import RetryPolicy

#: Exported name -> the submodule defining it (None: the name is that submodule).
_EXPORTS: dict[str, str | None] = {
    "AdminClient": "app.api.client",
    "ApiKeyAuth": "app.api.auth",
    "Clock": "app.api.clock",
    "CursorPage": "app.api.pagination",
    "RateLimitState": "app.api.rate_limit",
    "RequestRecord": "app.api.records",
    "RetryPolicy": "app.api.retry_policy",
    "UserLoginAuth": "app.api.auth",
    "errors": None,
    "models": None,
}

__all__ = [
    "AdminClient", "ApiKeyAuth", "Clock", "CursorPage", "RateLimitState", "RequestRecord", "RetryPolicy",
    "UserLoginAuth", "errors", "models",
]


def __getattr__(name: str) -> Any:
    """Import an exported name on first use and keep it as a module attribute."""
    try:
        module_name = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = import_module(f"{__name__}.{name}") if module_name is None else getattr(import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
