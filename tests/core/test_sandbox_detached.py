"""The detached local sandbox as real processes: found again, stale files replaced, idle shutdown, one per data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from app.core.sandbox_process import SandboxProcess
from app.core.sandbox_state import pid_alive, read_state, state_path
from tests.core.sandbox_cleanup import no_sandbox_left_fixture  # noqa: F401  (fixture)
from tests.waiting import wait_until_sync

ROOT = Path(__file__).resolve().parents[2]
SEED = {"seed_size": 10}


def test_a_second_start_uses_the_running_sandbox_and_a_stale_state_file_is_replaced(no_sandbox_left: Path) -> None:
    data_dir = no_sandbox_left / "sandbox"
    first = SandboxProcess.find_or_start(data_dir, **SEED)
    assert first.detached and first.started_here
    state = read_state(data_dir)
    assert state is not None and state.pid == first.pid and state.url == first.url
    assert oct(state_path(data_dir).stat().st_mode & 0o777) == "0o600"

    again = SandboxProcess.find_or_start(data_dir, **SEED)
    assert again.pid == first.pid and again.url == first.url and not again.started_here, "a second sandbox started"
    assert again.answers()

    first.kill()  # a crash: nothing removes the state file
    assert state_path(data_dir).exists() and not again.running()
    replaced = SandboxProcess.find_or_start(data_dir, **SEED)
    assert replaced.started_here and replaced.pid != first.pid
    assert read_state(data_dir).pid == replaced.pid
    assert replaced.stop() == 0
    assert not state_path(data_dir).exists(), "a clean stop removes the state file"


def test_a_state_file_whose_port_another_server_holds_is_stale(no_sandbox_left: Path, sandbox: SandboxProcess) -> None:
    data_dir = no_sandbox_left / "sandbox"
    data_dir.mkdir()
    # A live pid (this test's own) and a port where another sandbox answers: only the nonce tells them apart.
    port = int(sandbox.url.rsplit(":", 1)[1].split("/")[0])
    state_path(data_dir).write_text(json.dumps({
        "pid": os.getpid(), "host": "127.0.0.1", "port": port, "url": sandbox.url,
        "credentials": str(sandbox.credentials_path), "nonce": "not-the-other-servers-nonce"}))
    assert SandboxProcess.find(data_dir) is None
    assert not state_path(data_dir).exists(), "the stale file is removed"
    started = SandboxProcess.find_or_start(data_dir, **SEED)
    assert started.started_here and started.url != sandbox.url
    assert started.credentials() != sandbox.credentials()


def test_idle_shutdown_waits_for_a_quiet_spell_then_stops_cleanly(no_sandbox_left: Path) -> None:
    data_dir = no_sandbox_left / "sandbox"
    process = SandboxProcess.find_or_start(data_dir, idle_minutes=0.03, **SEED)  # 1.8 s without a client
    # A client that calls every 0.2 s keeps it up well past its idle limit.
    calls, pause = 0, threading.Event()
    while calls < 20:
        assert process.answers(), f"the sandbox stopped while a client was calling (call {calls})"
        calls += 1
        pause.wait(0.2)
    assert process.process.wait(30) == 0
    assert not state_path(data_dir).exists()
    assert "no client for 0.03 minutes" in (data_dir / "sandbox.stderr.log").read_text()


def test_two_consoles_starting_at_once_start_one_sandbox(no_sandbox_left: Path) -> None:
    data_dir = no_sandbox_left / "sandbox"
    script = textwrap.dedent(f"""
        from app.core.sandbox_process import SandboxProcess
        process = SandboxProcess.find_or_start({str(data_dir)!r}, seed_size=10)
        print(process.pid, process.started_here, flush=True)
    """)
    starters = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
                for _ in range(2)]
    results = [starter.communicate(timeout=120)[0].split() for starter in starters]
    assert all(starter.returncode == 0 for starter in starters)
    assert results[0][0] == results[1][0], f"two sandboxes started: {results}"
    assert sorted(started for _, started in results) == ["False", "True"]
    pid = int(results[0][0])
    # Both starters have exited: the detached sandbox outlives them.
    assert pid_alive(pid) and SandboxProcess.find(data_dir).pid == pid


def test_stopping_a_sandbox_found_running_asks_it_over_http(no_sandbox_left: Path) -> None:
    data_dir = no_sandbox_left / "sandbox"
    started = SandboxProcess.find_or_start(data_dir, **SEED)
    found = SandboxProcess.find(data_dir)
    assert found is not None and found.process is None
    assert found.stop() is None
    assert started.process.wait(15) == 0, "asked over HTTP, it stops cleanly"
    wait_until_sync(lambda: not pid_alive(found.pid), 10, "the found sandbox never exited")
    assert "asked to stop" in (data_dir / "sandbox.stderr.log").read_text()
    assert not state_path(data_dir).exists()
