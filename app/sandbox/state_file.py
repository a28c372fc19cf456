"""The sandbox's state file: how a console finds the sandbox already running in a data dir.

Once the server accepts connections it writes `sandbox.state.json` (pid, host, port, URL,
credentials path, start time, idle limit and a random nonce) atomically (a temporary file
renamed over the old one, so a reader never sees half a file), and removes it on a clean stop.
A console trusts the file only after the server at that port proved it knows the nonce
(`app.sandbox.instance`): a file left by a killed sandbox, or a port since taken by another
program, is then seen as stale. The nonce is no secret beyond the data dir; the file is 0600.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

STATE_FILE_NAME = "sandbox.state.json"


def state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE_NAME


def write_state(data_dir: Path, state: dict[str, Any]) -> Path:
    """Replace the data dir's state file with `state` in one rename."""
    path = state_path(data_dir)
    temporary = path.with_name(f".{STATE_FILE_NAME}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(state, file)
    os.replace(temporary, path)
    return path


def remove_state(data_dir: Path, nonce: str) -> None:
    """Remove the state file if it is still this sandbox's (a newer one may have replaced it)."""
    path = state_path(data_dir)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("nonce") != nonce:
            return
    except (OSError, ValueError, AttributeError):
        return
    with contextlib.suppress(OSError):
        path.unlink()
