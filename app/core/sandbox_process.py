"""Start, find and stop the bundled sandbox server.

Two ways to run it, one implementation, so the tests exercise exactly what the console does:

- `SandboxProcess.find_or_start(data_dir)`: the console's way. The sandbox already serving the data
  dir is found through its state file (`sandbox_state`) and used at once; only when there is none
  (or only a stale file) is a new one started, DETACHED (its own session / process group): it
  outlives the console, serves the next console and every profile on that data dir, and stops on
  `--idle-minutes` without a client or when asked (`stop()`). A file lock in the data dir makes two
  consoles starting at once start one sandbox.
- `SandboxProcess.start(data_dir)`: a child bound to this process (`--parent-pid`: it stops when
  this process dies), for tests and benchmarks that need their own server with special flags.

Either way the child is started with `--port 0` and prints one JSON line when it is ready
(`{"url", "credentials", "pid"}`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core import sandbox_state
from app.core.file_lock import exclusive_lock

#: A detached sandbox with no client for this long stops by itself.
DEFAULT_IDLE_MINUTES = 30.0
LOCK_FILE_NAME = "sandbox.lock"


class SandboxStartError(RuntimeError):
    """The sandbox child exited or stayed silent instead of announcing its URL."""


def sandbox_command() -> list[str]:
    """The argv prefix that runs `opsdesk sandbox`, frozen bundle or source tree alike."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "sandbox"]
    return [sys.executable, "-m", "app", "sandbox"]


@dataclass
class SandboxProcess:
    """A running sandbox: its URL, credentials file, pid and, when this process started it, its handle."""

    url: str
    credentials_path: Path
    data_dir: Path
    pid: int
    process: subprocess.Popen | None = field(default=None, repr=False)
    """The child's handle when this process started it; None for a sandbox found running."""
    stderr_path: Path = field(default=Path(), repr=False)
    detached: bool = False
    """Outlives this process (found, or started by `find_or_start`); stopped by asking it over HTTP."""
    state: sandbox_state.SandboxState | None = field(default=None, repr=False)

    @property
    def origin(self) -> str:
        """The URL without the `/v1` suffix."""
        return self.url.removesuffix("/v1")

    @property
    def started_here(self) -> bool:
        """True when this process started the sandbox (rather than finding it running)."""
        return self.process is not None

    @property
    def idle_minutes(self) -> float | None:
        return self.state.idle_minutes if self.state is not None else None

    @classmethod
    def find_or_start(cls, data_dir: str | os.PathLike[str], *, idle_minutes: float = DEFAULT_IDLE_MINUTES,
                      timeout: float = 120.0, **options: Any) -> SandboxProcess:
        """The sandbox serving `data_dir`: the running one if its state file proves alive, else a new
        detached one (`options` as for `start`; they only matter for a new one). Blocking."""
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            with exclusive_lock(data_dir / LOCK_FILE_NAME, timeout + 30):
                found = cls.find(data_dir)
                if found is not None:
                    return found
                return cls.start(data_dir, detached=True, idle_minutes=idle_minutes, timeout=timeout, **options)
        except TimeoutError as error:
            raise SandboxStartError(f"another console is still starting the sandbox: {error}") from None

    @classmethod
    def find(cls, data_dir: str | os.PathLike[str]) -> SandboxProcess | None:
        """The sandbox running in `data_dir` (proved by its nonce), or None; a stale state file is removed."""
        data_dir = Path(data_dir)
        state = sandbox_state.read_state(data_dir)
        if state is None:
            return None
        if not sandbox_state.is_live(state):
            sandbox_state.forget_stale(data_dir, state)
            return None
        return cls(url=state.url, credentials_path=state.credentials, data_dir=data_dir, pid=state.pid,
                   stderr_path=data_dir / "sandbox.stderr.log", detached=True, state=state)

    @classmethod
    def start(
        cls,
        data_dir: str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed_size: int | None = None,
        tickets: int | None = None,
        time_scale: float | None = None,
        rate_limit: int | None = None,
        detached: bool = False,
        idle_minutes: float | None = None,
        timeout: float = 120.0,
        env: dict[str, str] | None = None,
    ) -> SandboxProcess:
        """Start a new sandbox on `data_dir` and wait for its ready line (blocking).

        Bound to this process unless `detached`; `idle_minutes` stops it after that long without a client.
        """
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        argv = [*sandbox_command(), "--host", host, "--port", str(port), "--data-dir", str(data_dir)]
        for flag, value in (("--seed-size", seed_size), ("--tickets", tickets), ("--time-scale", time_scale),
                            ("--rate-limit", rate_limit), ("--idle-minutes", idle_minutes)):
            if value is not None:
                argv += [flag, str(value)]
        if not detached:
            # The child stops by itself if this process dies without stopping it (SIGKILL, a crash).
            argv += ["--parent-pid", str(os.getpid())]
        stderr_path = data_dir / "sandbox.stderr.log"
        child_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        with open(stderr_path, "ab") as stderr:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=child_env,
                cwd=_source_root(),
                **(_detached_options() if detached else {}),
            )
        line = _read_ready_line(process, timeout)
        if line is None:
            _terminate(process)
            tail = stderr_path.read_text(errors="replace")[-2000:]
            raise SandboxStartError(f"the sandbox did not announce itself within {timeout:.0f} s:\n{tail}")
        try:
            ready = json.loads(line)
            url, credentials = ready["url"], ready["credentials"]
        except (ValueError, KeyError, TypeError) as exc:
            _terminate(process)
            raise SandboxStartError(f"the sandbox printed an unreadable ready line: {line!r}") from exc
        # The child writes nothing more to stdout (it points it at the null device after the ready line).
        assert process.stdout is not None
        process.stdout.close()
        return cls(url=url, credentials_path=Path(credentials), data_dir=data_dir, pid=process.pid,
                   process=process, stderr_path=stderr_path, detached=detached,
                   state=sandbox_state.read_state(data_dir))

    def credentials(self) -> dict[str, Any]:
        """The demo credentials the sandbox wrote on first start (see `app/sandbox/README`)."""
        return json.loads(self.credentials_path.read_text())

    def running(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return sandbox_state.pid_alive(self.pid)

    def answers(self) -> bool:
        """True when the sandbox answers for its nonce (it is alive and still itself). Blocking."""
        return self.state is not None and sandbox_state.is_live(self.state)

    def stop(self, timeout: float = 15.0) -> int | None:
        """Stop cleanly and wait: in-flight requests finish, the state file goes. The exit code when
        this process started it (None for a sandbox found running)."""
        if self.process is not None and not self.detached:
            return _terminate(self.process, timeout)
        if self.running() and not (self.state is not None and sandbox_state.request_shutdown(self.state)):
            self._signal(signal.SIGTERM)
        if not self._wait_gone(timeout):
            self.kill()
        return self.process.wait() if self.process is not None else None

    def kill(self) -> int | None:
        """SIGKILL, as a crash would: nothing gets to clean up."""
        if self.process is not None:
            self.process.kill()
            return self.process.wait()
        self._signal(getattr(signal, "SIGKILL", signal.SIGTERM))
        self._wait_gone(15.0)
        return None

    def _signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except (ProcessLookupError, PermissionError, OSError):
            pass

    def _wait_gone(self, timeout: float) -> bool:
        if self.process is not None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        while self.running():
            if time.monotonic() > deadline:
                return False
            pause.wait(0.02)
        return True


def _detached_options() -> dict[str, Any]:
    """Popen options for a child that outlives this process and its terminal."""
    if os.name == "nt":
        return {"creationflags": subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _source_root() -> str | None:
    """Run from the tree that holds `app`, so `python -m app` finds this very code."""
    if getattr(sys, "frozen", False):
        return None
    return str(Path(__file__).resolve().parents[2])


def _read_ready_line(process: subprocess.Popen, timeout: float) -> str | None:
    result: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            text = raw.decode("utf-8", "replace").strip()
            if text.startswith("{"):
                result.append(text)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else None


def _terminate(process: subprocess.Popen, timeout: float = 15.0) -> int:
    if process.poll() is not None:
        return process.returncode
    if os.name == "nt":
        process.terminate()
    else:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
