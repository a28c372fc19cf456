"""The typed async client of the Platform API v1: the only way the console talks to a platform.

Qt-free (import-linter enforces it); the UI adapts its plain callbacks to signals.
"""

from app.api import errors, models
from app.api.auth import ApiKeyAuth, UserLoginAuth
from app.api.client import AdminClient
from app.api.clock import Clock
from app.api.pagination import CursorPage
from app.api.rate_limit import RateLimitState
from app.api.records import RequestRecord
from app.api.retry_policy import RetryPolicy

__all__ = [
    "AdminClient", "ApiKeyAuth", "Clock", "CursorPage", "RateLimitState", "RequestRecord", "RetryPolicy",
    "UserLoginAuth", "errors", "models",
]
