"""The launcher's early find-or-start of the opening profile's sandbox: used once, failures not retried."""

from __future__ import annotations

import pytest

from app.core import sandbox_process
from app.ui.early_sandbox import EarlySandbox


def test_the_console_start_takes_the_early_result_once_then_finds_or_starts_again(monkeypatch, tmp_path):
    calls = []

    def find_or_start(data_dir, **options):
        calls.append((str(data_dir), options))
        return f"sandbox #{len(calls)}"

    monkeypatch.setattr(sandbox_process.SandboxProcess, "find_or_start", staticmethod(find_or_start))
    early = EarlySandbox(tmp_path / "sandbox")
    assert early.start(tmp_path / "sandbox", port=0) == "sandbox #1"  # the early one, not a second start
    assert early.start(tmp_path / "sandbox", port=0) == "sandbox #2"  # a restart after a crash starts anew
    assert early.start(tmp_path / "other", port=0) == "sandbox #3"
    assert [options for _, options in calls] == [{"port": 0}] * 3


def test_an_early_failure_is_the_console_starts_failure_not_tried_twice(monkeypatch, tmp_path):
    calls = []

    def find_or_start(data_dir, **options):
        calls.append(data_dir)
        raise sandbox_process.SandboxStartError("the sandbox exited before it was ready")

    monkeypatch.setattr(sandbox_process.SandboxProcess, "find_or_start", staticmethod(find_or_start))
    early = EarlySandbox(tmp_path / "sandbox")
    with pytest.raises(sandbox_process.SandboxStartError, match="exited before it was ready"):
        early.start(tmp_path / "sandbox", port=0)
    assert len(calls) == 1
