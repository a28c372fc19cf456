"""Start and stop the bundled sandbox server as a child process.

The console's first run and the test suite both use this: the child is started with
`--port 0`, prints one JSON line when it is ready (`{"url", "credentials", "pid"}`), and is
stopped with SIGTERM so it finishes in-flight requests. One implementation, so the tests exercise
exactly what the console does.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SandboxStartError(RuntimeError):
    """The sandbox child exited or stayed silent instead of announcing its URL."""


def sandbox_command() -> list[str]:
    """The argv prefix that runs `opsdesk sandbox`, frozen bundle or source tree alike."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "sandbox"]
    return [sys.executable, "-m", "app", "sandbox"]


@dataclass
class SandboxProcess:
    """A running sandbox child: its URL, credentials file and process handle."""

    url: str
    credentials_path: Path
    data_dir: Path
    process: subprocess.Popen = field(repr=False)
    stderr_path: Path = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def origin(self) -> str:
        """The URL without the `/v1` suffix."""
        return self.url.removesuffix("/v1")

    @classmethod
    def start(
        cls,
        data_dir: str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed_size: int | None = None,
        time_scale: float | None = None,
        rate_limit: int | None = None,
        timeout: float = 120.0,
        env: dict[str, str] | None = None,
    ) -> "SandboxProcess":
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        argv = [*sandbox_command(), "--host", host, "--port", str(port), "--data-dir", str(data_dir)]
        if seed_size is not None:
            argv += ["--seed-size", str(seed_size)]
        if time_scale is not None:
            argv += ["--time-scale", str(time_scale)]
        if rate_limit is not None:
            argv += ["--rate-limit", str(rate_limit)]
        # The child stops by itself if this process dies without stopping it (SIGKILL, a crash).
        argv += ["--parent-pid", str(os.getpid())]
        stderr_path = data_dir / "sandbox.stderr.log"
        stderr = open(stderr_path, "ab")
        child_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=child_env,
            cwd=_source_root(),
        )
        stderr.close()
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
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        return cls(url=url, credentials_path=Path(credentials), data_dir=data_dir,
                   process=process, stderr_path=stderr_path)

    def credentials(self) -> dict[str, Any]:
        """The demo credentials the sandbox wrote on first start (see `app/sandbox/README`)."""
        return json.loads(self.credentials_path.read_text())

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM and wait: the server finishes in-flight requests, then exits."""
        return _terminate(self.process, timeout)

    def kill(self) -> int:
        """SIGKILL, as a crash would: nothing gets to clean up."""
        self.process.kill()
        return self.process.wait()


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


def _drain(stream) -> None:
    """Keep reading the child's stdout so a full pipe never blocks it."""
    for _ in stream:
        pass


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
