"""The client's default timeout and User-Agent, built from `constants` where the HTTP stack is
already loaded (kept out of `constants` so reading the secret patterns stays cheap)."""

from __future__ import annotations

import httpx

from app import __version__
from app.api import constants

USER_AGENT = f"opsdesk/{__version__}"

DEFAULT_TIMEOUT = httpx.Timeout(
    connect=constants.CONNECT_TIMEOUT_SECONDS,
    read=constants.READ_TIMEOUT_SECONDS,
    write=constants.WRITE_TIMEOUT_SECONDS,
    pool=constants.POOL_TIMEOUT_SECONDS,
)
