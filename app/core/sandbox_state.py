"""Finding the sandbox already running in a data dir: its state file, checked against the server.

The sandbox writes `sandbox.state.json` when it starts serving and removes it on a clean stop
(see `app/sandbox/state_file.py`; the two sides share only the file's shape, as they share the
API contract). A file is trusted only when its process lives and the server at its port answers
`GET /_sandbox/instance` for its nonce; anything less (a killed sandbox, a port another program
took since, a half-written file) is stale. Blocking, with short timeouts: call from a worker thread.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

STATE_FILE_NAME = "sandbox.state.json"
INSTANCE_PATH = "/_sandbox/instance"
SHUTDOWN_PATH = "/_sandbox/shutdown"
NONCE_HEADER = "X-Sandbox-Nonce"
#: A local server answers in milliseconds; a port held by something that never answers must not stall start-up.
PROBE_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class SandboxState:
    """What the sandbox wrote about itself."""

    pid: int
    host: str
    port: int
    url: str
    credentials: Path
    nonce: str = field(repr=False)
    started_at: str = ""
    idle_minutes: float | None = None


def state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE_NAME


def read_state(data_dir: Path) -> SandboxState | None:
    """The data dir's state file, or None when there is none or it cannot be read."""
    try:
        raw = json.loads(state_path(data_dir).read_text(encoding="utf-8"))
        return SandboxState(pid=int(raw["pid"]), host=str(raw["host"]), port=int(raw["port"]), url=str(raw["url"]),
                            credentials=Path(raw["credentials"]), nonce=str(raw["nonce"]),
                            started_at=str(raw.get("started_at", "")), idle_minutes=raw.get("idle_minutes"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def is_live(state: SandboxState) -> bool:
    """True when the state's process runs and the server at its port knows its nonce."""
    return pid_alive(state.pid) and _ask(state, "GET", INSTANCE_PATH) == 200


def request_shutdown(state: SandboxState) -> bool:
    """Ask the sandbox for its clean stop; True when it accepted."""
    return _ask(state, "POST", SHUTDOWN_PATH) == 202


def forget_stale(data_dir: Path, state: SandboxState) -> None:
    """Remove a stale state file, unless a new sandbox has written its own meanwhile."""
    current = read_state(data_dir)
    if current is not None and current.nonce == state.nonce:
        with contextlib.suppress(OSError):
            state_path(data_dir).unlink()


def _ask(state: SandboxState, method: str, path: str) -> int | None:
    host = state.host.strip("[]")
    connection = http.client.HTTPConnection(host, state.port, timeout=PROBE_TIMEOUT_SECONDS)
    try:
        connection.request(method, path, headers={NONCE_HEADER: state.nonce, "Content-Length": "0"})
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def pid_alive(pid: int) -> bool:
    """True while process `pid` runs (a zombie, dead but not yet reaped, counts as gone)."""
    if os.name == "nt":
        import ctypes

        synchronize, wait_timeout = 0x00100000, 0x102
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(synchronize, False, pid)
        if not handle:
            return False
        try:
            return kernel32.WaitForSingleObject(handle, 0) == wait_timeout
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not Path("/proc/self/stat").exists():
        return True  # no procfs (macOS): a zombie there is one's own child, whose handle knows
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        return True
