"""Keep secrets out of the cache: drop secret-named fields and blank secret-looking values.

The cache is a plain file on disk, so anything that reaches it is readable by anyone who can
read the user's home. The API only returns a webhook's `signing_secret` or a new API key once;
this filter makes sure such a response, or a request log entry, is stored without them.
(`app.core` keeps its own masking for logs: the layer rules keep cache and core independent.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

SECRET_FIELD_NAMES = frozenset({"secret", "signing_secret", "password", "api_key", "secret_key"})
SECRET_VALUE = re.compile(r"(?:opk_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/=_-]{8,})")
# Headers that carry credentials: kept (the log shows they were sent), values masked.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})
REDACTED = "[redacted]"


@lru_cache(maxsize=4096)  # field names repeat on every record of a page
def is_secret_field(name: str) -> bool:
    """True for field names that hold secrets: secret, signing_secret, password, token* …"""
    lowered = name.lower()
    return (
        lowered in SECRET_FIELD_NAMES
        or lowered.startswith("token")
        or lowered.endswith(("_token", "_secret", "_password"))
    )


def strip_secrets(value: Any) -> Any:
    """A copy of `value` without secret fields and with secret-looking strings redacted."""
    if isinstance(value, Mapping):
        return {
            k: _masked_credential(v) if str(k).lower() in CREDENTIAL_HEADERS else strip_secrets(v)
            for k, v in value.items()
            if not is_secret_field(str(k))
        }
    if isinstance(value, (list, tuple)):
        return [strip_secrets(v) for v in value]
    if isinstance(value, str) and ("opk_" in value or "whsec_" in value):
        return SECRET_VALUE.sub(REDACTED, value)
    return value


def _masked_credential(value: Any) -> Any:
    """"Bearer abc" -> "Bearer [redacted]": the scheme is useful when debugging, the rest is not."""
    if not isinstance(value, str):
        return REDACTED
    scheme, _, credential = value.partition(" ")
    return f"{scheme} {REDACTED}" if credential and scheme.isalpha() else REDACTED
