"""`opsdesk sandbox`: run the Platform API sandbox server in the foreground.

    opsdesk sandbox [--host 127.0.0.1] [--port N|0] [--data-dir DIR] [--seed-size N] [--tickets N]
                    [--time-scale F] [--rate-limit N] [--idle-minutes F] [--parent-pid PID]
                    [--max-body-bytes N] [--max-header-bytes N] [--header-timeout S] [--body-timeout S]
                    [--keep-alive-timeout S] [--max-connections N]

The socket is bound here (so `--port 0` picks a free port we can report); once uvicorn accepts
connections the state file is written in the data dir (`state_file.py`: how the next console
finds this server) and exactly one JSON line goes to stdout: `{"url", "credentials", "pid"}`.
Logs go to stderr. SIGTERM, Ctrl-C, `POST /_sandbox/shutdown` (`instance.py`), `--idle-minutes`
without a client, or the `--parent-pid` process exiting: stop accepting, finish in-flight
requests, remove the state file, exit 0.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import secrets
import socket
import sqlite3
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from app.sandbox import settings as defaults
from app.sandbox.app_factory import create_app
from app.sandbox.bootstrap import ensure_initialized
from app.sandbox.db import Database
from app.sandbox.hot_path import ContactsListFastPath
from app.sandbox.http_protocol import sandbox_http_protocol
from app.sandbox.idle_shutdown import IdleWatch
from app.sandbox.instance import InstanceLayer
from app.sandbox.parent_watch import watch_parent
from app.sandbox.settings import DEFAULT_SEED_SIZE, SandboxSettings, default_data_dir
from app.sandbox.state_file import remove_state, write_state

log = logging.getLogger("app.sandbox")
GRACEFUL_SHUTDOWN_SECONDS = 10


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _int_between(minimum: int, maximum: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"must be between {minimum} and {maximum}" if maximum is not None
                                             else f"must be at least {minimum}")
        return value
    return parse


@dataclass(frozen=True)
class RunOptions:
    """How this process runs, beside what the server serves (`SandboxSettings`)."""

    idle_minutes: float | None = None
    """Stop after this long without a client (the console starts its detached sandbox with it)."""


def parse_args(argv: list[str]) -> SandboxSettings:
    """The server's settings from the command line."""
    return parse_command(argv)[0]


def parse_command(argv: list[str]) -> tuple[SandboxSettings, RunOptions]:
    parser = argparse.ArgumentParser(prog="opsdesk sandbox", description="Run the local Platform API sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_int_between(0, 65535), default=0, help="0 picks a free port")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: the user data dir + /sandbox")
    parser.add_argument("--seed-size", type=_int_between(0), default=DEFAULT_SEED_SIZE,
                        help="demo contacts per workspace on first start")
    parser.add_argument("--tickets", type=_int_between(0), default=None,
                        help="demo support tickets per workspace on first start (default: a tenth of --seed-size,"
                             " at least 24)")
    parser.add_argument("--time-scale", type=_positive_float, default=1.0,
                        help="divide every duration (retries, grace periods, token lifetimes, rate window)")
    parser.add_argument("--rate-limit", type=_int_between(1), default=None,
                        help="per-credential calls per window (and burst)")
    parser.add_argument("--parent-pid", type=_int_between(1), default=None,
                        help="stop cleanly when this process exits (a child that must not outlive its parent)")
    parser.add_argument("--idle-minutes", type=_positive_float, default=None,
                        help="stop cleanly after this many minutes without a client request (default: never)")
    limits = parser.add_argument_group("limits against hostile or broken clients (answered in the error envelope)")
    limits.add_argument("--max-body-bytes", type=_int_between(1), default=defaults.DEFAULT_MAX_BODY_BYTES,
                        help="larger request bodies are answered 413 before they are read (default: 1 MiB)")
    limits.add_argument("--max-header-bytes", type=_int_between(1024), default=defaults.DEFAULT_MAX_HEADER_BYTES,
                        help="request line plus headers; larger is 414/431 (default: 16 KiB)")
    limits.add_argument("--header-timeout", type=_positive_float, default=defaults.DEFAULT_HEADER_TIMEOUT,
                        help="seconds to deliver a whole request head; slower is 408 and closed (default: 3)")
    limits.add_argument("--body-timeout", type=_positive_float, default=defaults.DEFAULT_BODY_TIMEOUT,
                        help="longest pause in seconds inside a request body (default: 10)")
    limits.add_argument("--keep-alive-timeout", type=_int_between(1), default=defaults.DEFAULT_KEEP_ALIVE_TIMEOUT,
                        help="seconds an idle kept-alive connection stays open (default: 5)")
    limits.add_argument("--max-connections", type=_int_between(1), default=defaults.DEFAULT_MAX_CONNECTIONS,
                        help="open connections beyond this are answered 503 and closed (default: 512)")
    args = parser.parse_args(argv)
    settings = SandboxSettings(host=args.host, port=args.port, data_dir=(args.data_dir or default_data_dir()).resolve(),
                           seed_size=args.seed_size, seed_tickets=args.tickets, time_scale=args.time_scale, rate_limit=args.rate_limit,
                           parent_pid=args.parent_pid, max_body_bytes=args.max_body_bytes,
                           max_header_bytes=args.max_header_bytes, header_timeout=args.header_timeout,
                           body_timeout=args.body_timeout, keep_alive_timeout=args.keep_alive_timeout,
                           max_connections=args.max_connections)
    return settings, RunOptions(idle_minutes=args.idle_minutes)


class _AnnouncingServer(uvicorn.Server):
    """uvicorn, plus the state file and the ready line once the socket is served, and the idle stop."""

    def __init__(self, config: uvicorn.Config, ready_line: str, announce, idle: IdleWatch | None) -> None:
        super().__init__(config)
        self._ready_line = ready_line
        self._announce = announce
        self._idle = idle

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._announce()
            sys.stdout.write(self._ready_line + "\n")
            sys.stdout.flush()
            if not sys.stdout.isatty():
                # Nothing more goes to stdout; a pipe whose reader exits (the console that started a
                # detached sandbox) must never break a later write, so it points at the null device.
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, sys.stdout.fileno())
                os.close(null)

    async def on_tick(self, counter: int) -> bool:
        if self._idle is not None and counter % 10 == 0:
            state = self.server_state
            if self._idle.expired(state.total_requests, bool(state.connections or state.tasks)):
                log.info("no client for %g minutes: shutting down", self._idle.limit_seconds / 60)
                self.should_exit = True
        return await super().on_tick(counter)

    @contextlib.contextmanager
    def capture_signals(self):
        # uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, which would turn a clean
        # stop into death by signal; a finished shutdown is a normal exit here.
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def main(argv: list[str] | None = None) -> int:
    """Run the server until SIGTERM/SIGINT; return the exit status."""
    settings, options = parse_command(list(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Bind first: a taken port should fail in a second, not after seeding 100k contacts.
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    # proto must say TCP: asyncio only turns Nagle off (TCP_NODELAY) on accepted sockets whose
    # proto is IPPROTO_TCP, and with Nagle on, keep-alive clients wait 40 ms per request on a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        sock.close()
        print(f"opsdesk sandbox: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    sock.listen(2048)
    port = sock.getsockname()[1]

    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.database_path)
        if ensure_initialized(db, settings):
            log.info("seeded a new sandbox in %s", settings.data_dir)
        app = create_app(settings, db)
    except (OSError, sqlite3.Error) as exc:
        sock.close()
        print(f"opsdesk sandbox: cannot use the data dir {settings.data_dir}: {exc}", file=sys.stderr)
        return 2

    host = f"[{settings.host}]" if family == socket.AF_INET6 else settings.host
    url = f"http://{host}:{port}/v1"
    ready = json.dumps({"url": url, "credentials": str(settings.credentials_path), "pid": os.getpid()})
    nonce = secrets.token_urlsafe(24)
    state = {"pid": os.getpid(), "host": settings.host, "port": port, "url": url,
             "credentials": str(settings.credentials_path), "nonce": nonce,
             "started_at": datetime.now(UTC).isoformat(timespec="seconds"), "idle_minutes": options.idle_minutes}
    # proxy_headers off: nothing sits in front of the sandbox, and a client must not be able to pick
    # its own address (X-Forwarded-For) to slip past the per-address sign-in limit.
    # The HTTP protocol is uvicorn's httptools one with the limits above (http_protocol.py); the
    # sandbox speaks no WebSocket. uvicorn's own limit_concurrency stays off: its 503 is plain text,
    # the protocol's connection limit answers in the envelope.
    def stop_requested() -> None:
        log.info("asked to stop (POST /_sandbox/shutdown)")
        server.should_exit = True

    # The contacts page the console pages through is answered in front of FastAPI (hot_path.py),
    # by the HTTP protocol itself when the request allows it (http_protocol.py).
    contacts_page = ContactsListFastPath(app)
    served = InstanceLayer(contacts_page, nonce, stop_requested)
    config = uvicorn.Config(served, log_config=None, log_level="warning", access_log=False, lifespan="on",
                            proxy_headers=False, http=sandbox_http_protocol(settings, contacts_page.answer_target),
                            ws="none",
                            timeout_keep_alive=settings.keep_alive_timeout,
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS, server_header=False)
    idle = IdleWatch(options.idle_minutes * 60) if options.idle_minutes is not None else None
    server = _AnnouncingServer(config, ready, lambda: write_state(settings.data_dir, state), idle)
    if settings.parent_pid is not None:
        def parent_gone() -> None:
            log.warning("the parent process %s exited: shutting down", settings.parent_pid)
            server.should_exit = True

        watch_parent(settings.parent_pid, parent_gone)
    # What exists now (the application, its routes, models and schemas: ~75k objects) lives as long
    # as the process; frozen, the collector's full passes skip it instead of walking it all in the
    # middle of serving (one such pass measured 23 ms).
    gc.freeze()
    try:
        server.run(sockets=[sock])
    finally:
        remove_state(settings.data_dir, nonce)
    log.info("sandbox stopped")
    return 0
