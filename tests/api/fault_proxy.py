"""A loopback HTTP/1.1 proxy that injects faults by seeded chance, for the retry tests.

Between the client and a real sandbox it can: reset the connection before forwarding (the server
never saw the request), reset it after forwarding but before replying (the server did the write,
the client never heard), hold the request for a while (sometimes past the client's read
timeout), or answer 502/503 itself (503 before forwarding, 502 after: the write happened).
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import time
from collections import Counter
from dataclasses import dataclass, field

FAULTS = ("reset_before", "reset_after", "delay", "bad_gateway", "unavailable")


@dataclass(frozen=True)
class WireExchange:
    """One request the proxy forwarded: when (monotonic seconds), the answer's status and Retry-After."""

    sent_at: float
    answered_at: float
    status: int
    retry_after: float | None


@dataclass
class FaultProxy:
    upstream_host: str
    upstream_port: int
    fault_rate: float = 0.2
    seed: int = 1234
    max_delay: float = 1.5
    injected: Counter = field(default_factory=Counter)
    forwarded: int = 0
    #: Every request forwarded upstream, in order (what really went over the wire).
    wire: list[WireExchange] = field(default_factory=list)
    #: While True every request is reset before forwarding: the network is down.
    down: bool = False

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._server: asyncio.base_events.Server | None = None
        self._handlers: set[asyncio.Task] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    def _choose(self) -> str | None:
        if self._rng.random() >= self.fault_rate:
            return None
        return self._rng.choice(FAULTS)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._handlers.add(asyncio.current_task())
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                body = await reader.readexactly(_content_length(head))
                fault = "reset_before" if self.down else self._choose()
                if fault:
                    self.injected[fault] += 1
                if fault == "reset_before":
                    _reset(writer)
                    return
                if fault == "unavailable":
                    writer.write(_gateway_answer(503, "Service Unavailable"))
                    await writer.drain()
                    continue
                if fault == "delay":
                    await asyncio.sleep(self._rng.uniform(0.05, self.max_delay))
                sent_at = time.monotonic()
                answer = await self._forward(head, body)
                self.wire.append(_exchange(sent_at, answer))
                self.forwarded += 1
                if fault == "reset_after":
                    _reset(writer)
                    return
                writer.write(_gateway_answer(502, "Bad Gateway") if fault == "bad_gateway" else answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            # Stopped: end as finished, since asyncio's stream callback calls exception() on a
            # cancelled handler task and logs the CancelledError it raises.
            return
        finally:
            self._handlers.discard(asyncio.current_task())
            writer.close()

    async def _forward(self, head: bytes, body: bytes) -> bytes:
        """Send one request upstream on its own connection and return the answer, keep-alive framed."""
        lines = [line for line in head.split(b"\r\n") if line and not line.lower().startswith(b"connection:")]
        request = b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body
        up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        try:
            up_writer.write(request)
            await up_writer.drain()
            raw = await up_reader.read()
        finally:
            up_writer.close()
        answer_head, _, answer_body = raw.partition(b"\r\n\r\n")
        kept = [line for line in answer_head.split(b"\r\n")
                if not line.lower().startswith((b"connection:", b"content-length:"))]
        kept.append(b"Content-Length: " + str(len(answer_body)).encode())
        return b"\r\n".join(kept) + b"\r\n\r\n" + answer_body


def _exchange(sent_at: float, answer: bytes) -> WireExchange:
    head = answer.partition(b"\r\n\r\n")[0].split(b"\r\n")
    status = int(head[0].split()[1])
    retry_after = None
    for line in head[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"retry-after":
            retry_after = float(value.strip())
    return WireExchange(sent_at, time.monotonic(), status, retry_after)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _gateway_answer(status: int, reason: str) -> bytes:
    body = f'{{"error": {{"code": "BAD_GATEWAY", "message": "{reason} (injected)", "details": {{}}}}}}'.encode()
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (linger 0), as a crashed peer or a dropped middlebox would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
