"""The baseline for the sandbox's throughput: the same server stack with no application in it.

    python tests/benchmarks/bare_asgi.py BODY_FILE PORT_FILE

uvicorn with httptools and uvloop (the sandbox's own stack) serving the bytes of BODY_FILE as
`application/json` from a bare ASGI function, on a free port of 127.0.0.1 written to PORT_FILE.
`bench_sandbox.py` starts it beside the sandbox and puts both under the same load.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import uvicorn


def app_for(body: bytes):
    start = {"type": "http.response.start", "status": 200,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]}
    answer = {"type": "http.response.body", "body": body}

    async def app(scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        await send(start)
        await send(answer)

    return app


def main(argv: list[str]) -> int:
    body_file, port_file = argv
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app_for(Path(body_file).read_bytes()), http="httptools", loop="uvloop",
                            log_level="warning", access_log=False, lifespan="off", ws="none")
    server = uvicorn.Server(config)
    Path(port_file).write_text(str(sock.getsockname()[1]))
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
