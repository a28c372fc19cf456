"""8bit-ai's sign-in (seed 001): 15-minute JWT access tokens renewed with a refresh token.

`UserLoginAuth` already does what the seed asks of a client: sign in at `POST /auth/token`
(`{email, password}`), renew at `POST /auth/refresh` (`{refresh_token}`) shortly before the access
token expires and once more on a 401, one renewal at a time (single flight), and surface a refused
renewal as one `SignInRequired`. 8bit-ai's token answers are `{success, data: {access_token,
token_type, expires_in, refresh_token (8b_rt_…), user}}`, which `UserLoginAuth` reads as they are.
What this adds is the JWT itself: its claims (`sub`, `org`, `role`, `scope`, `exp`) are the
identity the console shows, since 8bit-ai has no `/me`. Claims are read, never trusted for
access: the platform checks the signature on every request.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from app.api.auth import UserLoginAuth


def jwt_claims(token: str | None) -> dict[str, Any]:
    """The payload of a JWT (unverified), or `{}` when `token` is not one."""
    if not token or token.count(".") != 2:
        return {}
    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return {}
    return claims if isinstance(claims, dict) else {}


class EightBitLoginAuth(UserLoginAuth):
    """An 8bit-ai user login: `UserLoginAuth`'s renewal, plus the access token's claims."""

    @property
    def claims(self) -> dict[str, Any]:
        """The current access token's claims (`{}` before the first sign-in)."""
        return jwt_claims(self._access_token)

    def __repr__(self) -> str:
        return f"EightBitLoginAuth(email={self.email!r}, <tokens redacted>)"
