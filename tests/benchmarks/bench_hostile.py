"""Sandbox under hostile clients (issue 13): what oversized bodies and slow request heads cost.

    python tests/benchmarks/bench_hostile.py [--oversized N] [--dribblers N]

Starts a real sandbox process (as the console does) and measures, from outside:
- the server's peak and current RSS (/proc/<pid>/status VmHWM, VmRSS) before and after N requests with 100 MiB bodies (half with
  a Content-Length, half chunked; half without a credential, half with the owner key), and how
  long each took to be answered 413;
- how soon connections that dribble header bytes (one byte every 0.25 s) are closed, and the
  latency of ordinary `GET /me` requests made meanwhile on another connection;
- the server CPU time per plain `GET /me`, which the new protocol layer must not make dearer.
Prints `name: value unit (target: …)` lines.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.sandbox_process import SandboxProcess

MIB = 1024 * 1024


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """The process's resident memory now (VmRSS) or at its peak so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dribble(host: str, port: int, results: list[float]) -> None:
    sock = socket.create_connection((host, port), timeout=20)
    started = time.monotonic()
    try:
        sock.sendall(b"GET /v1/me HTTP/1.1\r\nHost: bench\r\nX-Slow: ")
        sock.settimeout(0.25)
        while time.monotonic() - started < 15:
            try:
                if sock.recv(65536) == b"":
                    break
            except TimeoutError:
                try:
                    sock.sendall(b"x")
                except OSError:
                    break
            except OSError:
                break
        results.append(time.monotonic() - started)
    finally:
        sock.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--oversized", type=int, default=20)
    parser.add_argument("--dribblers", type=int, default=40)
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        process = SandboxProcess.start(Path(tmp) / "data", seed_size=200)
        try:
            key = process.credentials()["live"]["owner_key"]
            client = httpx.Client(base_url=process.url + "/", headers={"Authorization": f"Bearer {key}"}, timeout=60)
            for _ in range(50):
                client.get("me")
            before, peak_before = rss_mib(process.pid), rss_mib(process.pid, "VmHWM")
            body = b"{" + b" " * (100 * MIB) + b"}"

            def streamed():
                for _ in range(100):
                    yield b" " * MIB

            answers, seconds = [], []
            for i in range(args.oversized):
                headers = {"Content-Type": "application/json"} | ({} if i % 2 else {"Authorization": ""})
                started = time.monotonic()
                response = client.post("contacts", content=body if i % 4 < 2 else streamed(), headers=headers)
                seconds.append(time.monotonic() - started)
                answers.append(response.status_code)
            after, peak_after = rss_mib(process.pid), rss_mib(process.pid, "VmHWM")
            print(f"oversized bodies answered 413: {answers.count(413)} of {len(answers)} (others: {sorted(set(answers))})")
            print(f"peak RSS growth over {args.oversized} x 100 MiB bodies: {peak_after - peak_before:.1f} MiB"
                  f" ({peak_before:.0f} -> {peak_after:.0f}) (target: < 20 MiB)")
            print(f"RSS afterwards: {after - before:+.1f} MiB ({before:.0f} -> {after:.0f})")
            print(f"413 answer time, median / max: {statistics.median(seconds) * 1000:.0f} /"
                  f" {max(seconds) * 1000:.0f} ms (client still sending when cut off)")

            parts = urlsplit(process.url)
            closed: list[float] = []
            threads = [threading.Thread(target=dribble, args=(parts.hostname, parts.port, closed))
                       for _ in range(args.dribblers)]
            for thread in threads:
                thread.start()
            latencies = []
            deadline = time.monotonic() + 4
            while time.monotonic() < deadline:
                started = time.monotonic()
                assert client.get("me").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.02)
            for thread in threads:
                thread.join(30)
            closed.sort()
            print(f"slow-header connections closed after, min / median / max: {closed[0]:.2f} /"
                  f" {statistics.median(closed):.2f} / {closed[-1]:.2f} s of {len(closed)} (target: < 5 s)")
            print(f"GET /me meanwhile, median / max: {statistics.median(latencies) * 1000:.1f} /"
                  f" {max(latencies) * 1000:.1f} ms over {len(latencies)} requests")

            cpu_before = cpu_seconds(process.pid)
            for _ in range(2000):
                client.get("me")
            print(f"server CPU per GET /me: {(cpu_seconds(process.pid) - cpu_before) / 2000 * 1000:.3f} ms")
            client.close()
        finally:
            process.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
