"""The `opsdesk sandbox` process: ready line, credentials file, data reused on restart, graceful SIGTERM."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import threading
from pathlib import Path

import httpx

from app.core.sandbox_process import SandboxProcess, sandbox_command
from tests.sandbox.conftest import bearer, unique, wait_for


def test_first_start_writes_private_credentials_and_restart_reuses_the_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    process = SandboxProcess.start(data_dir, seed_size=25)
    try:
        assert process.url.startswith("http://127.0.0.1:") and process.url.endswith("/v1")
        assert stat.S_IMODE(os.stat(process.credentials_path).st_mode) == 0o600
        credentials = process.credentials()
        for env in ("live", "test"):
            entry = credentials[env]
            assert entry["environment"] == env and entry["workspace_id"].startswith("wrk_")
            assert entry["owner_key"].startswith(f"opk_{env}_") and entry["readonly_key"].startswith(f"opk_{env}_")
            assert entry["user"]["email"] and entry["user"]["password"]
            assert entry["agent_user"]["email"] and entry["agent_user"]["password"]
        owner = bearer(credentials["live"]["owner_key"])
        marker = httpx.post(process.url + "/contacts", headers=owner, json={"name": unique("Keep ")}).json()["data"]
        contacts = httpx.get(process.url + "/contacts", headers=owner, params={"limit": 100}).json()["data"]
        assert len(contacts) >= 25
    finally:
        assert process.stop() == 0
    again = SandboxProcess.start(data_dir, seed_size=25)
    try:
        assert again.credentials() == credentials
        response = httpx.get(again.url + f"/contacts/{marker['id']}", headers=owner)
        assert response.status_code == 200 and response.json()["data"]["name"] == marker["name"]
    finally:
        again.stop()


def test_sigterm_finishes_the_request_in_flight_then_exits_cleanly(tmp_path: Path) -> None:
    process = SandboxProcess.start(tmp_path / "data", seed_size=5, env={"OPSDESK_SANDBOX_TEST_HOOKS": "1",
                                                                          "OPSDESK_SANDBOX_TEST_HOLD_SECONDS": "2"})
    try:
        owner = bearer(process.credentials()["live"]["owner_key"])
        key = unique("inflight-")
        result: dict[str, httpx.Response] = {}

        def slow_create() -> None:
            result["response"] = httpx.post(process.url + "/contacts", json={"name": "In flight"}, timeout=30,
                                            headers={**owner, "Idempotency-Key": key, "X-Test-Hold": "idempotency"})

        thread = threading.Thread(target=slow_create)
        thread.start()
        database = process.data_dir / "sandbox.sqlite3"

        def in_flight() -> bool:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
                return conn.execute("SELECT 1 FROM idempotency_keys WHERE key = ?", (key,)).fetchone() is not None

        wait_for(in_flight, message="the request never reached the server")
        assert process.stop(timeout=20) == 0
        thread.join(30)
        assert result["response"].status_code == 201
        created_id = result["response"].json()["data"]["id"]
    finally:
        process.stop()
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT name FROM contacts WHERE id = ?", (created_id,)).fetchone() == ("In flight",)
    assert "Traceback" not in process.stderr_path.read_text()


def test_a_taken_port_fails_fast_with_a_clear_message_and_seeds_nothing(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run([*sandbox_command(), "--port", str(port), "--data-dir", str(tmp_path / "d")],
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and result.stdout == ""
    assert not (tmp_path / "d").exists()


def test_bad_flags_are_refused_by_name(tmp_path: Path) -> None:
    for flag, value in (("--port", "70000"), ("--time-scale", "0"), ("--rate-limit", "zero")):
        result = subprocess.run([*sandbox_command(), flag, value, "--data-dir", str(tmp_path / "d")],
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 2 and flag in result.stderr
