"""The sandbox's run-time settings (the `opsdesk sandbox` flags) and the time-scale helper.

`--time-scale F` divides every duration the server waits on or grants (webhook retry delays, key
grace periods and `expires_in_days`, token lifetimes, the rate-limit window), so tests can watch a
24-hour grace period or a 1-hour retry pass in seconds. Use `settings.scaled(seconds)` for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import platformdirs

DEFAULT_SEED_SIZE = 2000
DEFAULT_RATE_LIMIT_PER_MINUTE = 600
DEFAULT_RATE_BURST = 1000
#: The largest request body the server reads (the contract's biggest, an invoice with 100 lines, is
#: ~40 KB); anything larger is answered 413 before it is read.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: Request line plus headers (uvicorn with httptools sets no limit of its own).
DEFAULT_MAX_HEADER_BYTES = 16 * 1024
#: A connection must deliver a whole request head this soon after it opens (or, on a kept-alive
#: connection, after the head's first byte).
DEFAULT_HEADER_TIMEOUT = 3.0
#: Longest pause between two pieces of a request body.
DEFAULT_BODY_TIMEOUT = 10.0
#: An idle kept-alive connection is closed after this long.
DEFAULT_KEEP_ALIVE_TIMEOUT = 5
#: Open connections beyond this are answered 503 and closed.
DEFAULT_MAX_CONNECTIONS = 512


def default_data_dir() -> Path:
    """The platform's user data dir + `/sandbox` (docs/DESIGN.md)."""
    return Path(platformdirs.user_data_dir("opsdesk")) / "sandbox"


@dataclass(frozen=True)
class SandboxSettings:
    """Everything a sandbox process is started with; one instance lives on `app.state.settings`."""

    host: str = "127.0.0.1"
    port: int = 0
    data_dir: Path = Path(".")
    seed_size: int = DEFAULT_SEED_SIZE
    seed_tickets: int | None = None  # support tickets per workspace on first start (None: seed_size / 10)
    time_scale: float = 1.0
    rate_limit: int | None = None  # overrides every credential's per-window limit and burst
    parent_pid: int | None = None  # stop when this process exits (the console's pid)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    keep_alive_timeout: int = DEFAULT_KEEP_ALIVE_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    @property
    def database_path(self) -> Path:
        return self.data_dir / "sandbox.sqlite3"

    @property
    def credentials_path(self) -> Path:
        return self.data_dir / "credentials.json"

    def scaled(self, seconds: float) -> float:
        """`seconds` divided by the time scale: how long the server really waits or grants."""
        return seconds / self.time_scale

    def scaled_delta(self, delta: timedelta) -> timedelta:
        """A timedelta divided by the time scale (see `scaled`)."""
        return delta / self.time_scale
