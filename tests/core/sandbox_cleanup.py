"""No detached sandbox outlives the test that started it: found by their state files, stopped cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.sandbox_process import SandboxProcess
from app.core.sandbox_state import STATE_FILE_NAME


def stop_sandboxes_under(root: Path) -> int:
    """Stop every live sandbox whose data dir lies under `root`; how many were running."""
    stopped = 0
    for state_file in root.rglob(STATE_FILE_NAME):
        process = SandboxProcess.find(state_file.parent)
        if process is not None:
            process.stop()
            stopped += 1
    return stopped


@pytest.fixture(name="no_sandbox_left")
def no_sandbox_left_fixture(tmp_path: Path) -> Iterator[Path]:
    """Stops, after the test, the detached sandboxes it left under its `tmp_path` (passed or failed).

    A test module imports it: `from tests.core.sandbox_cleanup import no_sandbox_left_fixture`.
    """
    yield tmp_path
    stop_sandboxes_under(tmp_path)
