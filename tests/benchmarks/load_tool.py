"""The load generator the sandbox benchmark puts on a server: wrk, installed here when missing.

`ensure_wrk()` finds `wrk`, or installs it (`apt-get install -y wrk`) when this process is root
and apt is there; otherwise it says why and the benchmarks fall back to `python_load`, a
keep-alive load generator in threads (far weaker than wrk: its figures are not comparable with
wrk's, and it says so). `run_load` answers requests per second and latency percentiles.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Load:
    """What one load run measured."""

    tool: str
    rate: float
    """Requests per second (2xx answers only for the Python generator; wrk counts all, see errors)."""
    p50_ms: float
    p99_ms: float
    errors: int
    """Non-2xx answers and socket errors."""


def ensure_wrk() -> str | None:
    """The path of wrk, installing it with apt when possible; None (and a message) otherwise."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        print("# wrk is missing: apt-get install -y wrk", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, check=False, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], check=False, env=env, capture_output=True)
            subprocess.run(install, check=False, env=env, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    print("# wrk is not installed and could not be installed here (needs root and apt-get; "
          "or install it yourself, e.g. `apt-get install wrk` / `brew install wrk`): "
          "falling back to a Python load generator, whose figures are far below wrk's", flush=True)
    return None


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNIT_MS[unit]


def run_wrk(wrk: str, url: str, headers: dict[str, str], *, connections: int, seconds: float,
            threads: int = 2) -> Load:
    command = [wrk, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load("wrk", rate, p50, p99, errors + (int(non2xx.group(1)) if non2xx else 0))


def python_load(url: str, headers: dict[str, str], *, connections: int, seconds: float) -> Load:
    """`connections` keep-alive connections in threads, each sending the next request on an answer."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop = threading.Event()

    def hammer(slot: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while not stop.is_set():
            began = time.perf_counter()
            conn.request("GET", target, headers=headers)
            response = conn.getresponse()
            response.read()
            if 200 <= response.status < 300:
                latencies[slot].append(time.perf_counter() - began)
            else:
                errors[slot] += 1

    workers = [threading.Thread(target=hammer, args=(n,), daemon=True) for n in range(connections)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    stop.wait(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    every = sorted(x for slot in latencies for x in slot)
    pick = (lambda q: every[min(len(every) - 1, int(len(every) * q))] * 1000) if every else (lambda q: float("nan"))
    return Load("python", len(every) / elapsed, pick(0.50), pick(0.99), sum(errors))


def run_load(wrk: str | None, url: str, headers: dict[str, str], *, connections: int, seconds: float) -> Load:
    if wrk is not None:
        return run_wrk(wrk, url, headers, connections=connections, seconds=seconds)
    return python_load(url, headers, connections=connections, seconds=seconds)
