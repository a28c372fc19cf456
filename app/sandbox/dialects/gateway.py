"""The ASGI layer that serves every dialect mount (`/dialects/<name>/…`) over the contract's routers.

It sits inside `RequestContextMiddleware`, so the request log, the request id, the body limit and
the rate-limit headers cover the request as the platform's client sent it (the log shows the
dialect's path). For each request it finds the mount's translator, marks the request context
with the dialect (credentials minted for one dialect work only on its mount), and lets the
translator call the contract in-process: each call is a fresh ASGI request to the inner
application with the translated path, query, headers and body, answered fully in memory. A
stored idempotent answer (`Idempotent-Replayed`) already is the platform's shape and passes as is.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.sandbox.dialects.registry import translator_for
from app.sandbox.dialects.translator import (
    ContractAnswer,
    ContractCall,
    DialectRequest,
    DialectResponse,
)
from app.sandbox.request_context import current

MOUNT_ROOT = "/dialects/"


async def _read_all(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts)
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


class DialectGateway:
    """Serve `/dialects/<name>/<prefix>/…` through that dialect's translator; pass the rest on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(MOUNT_ROOT):
            await self.app(scope, receive, send)
            return
        name, _, rest = path[len(MOUNT_ROOT):].partition("/")
        translator = translator_for(name)
        rest = "/" + rest
        if translator is None or not (rest == translator.prefix or rest.startswith(translator.prefix + "/")):
            await _answer(send, DialectResponse(404, {"error": {
                "code": "NOT_FOUND", "message": f"No dialect mount at {path}"}}))
            return
        below = rest[len(translator.prefix):] or "/"
        ctx = current()
        ctx.dialect = name
        request = DialectRequest(
            method=scope["method"], path=below,
            query=parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True),
            headers=Headers(scope=scope), body=await _read_all(receive),
            state=scope["app"].state if "app" in scope else None)
        if request.method == "GET" and below == "/openapi.json":
            await _answer(send, DialectResponse(200, translator.openapi()))
            return

        async def call(contract: ContractCall) -> ContractAnswer:
            return await self._call_contract(scope, contract)

        response = await translator.handle(request, call)
        await _answer(send, response)

    async def _call_contract(self, scope: Scope, contract: ContractCall) -> ContractAnswer:
        body = b""
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in contract.headers.items()]
        if contract.body is not None:
            body = contract.body if isinstance(contract.body, bytes) else json.dumps(contract.body).encode("utf-8")
            headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(body)).encode()))
        query = contract.query or {}
        query_string = urlencode(list(query.items()) if isinstance(query, dict) else query, doseq=True)
        inner: dict[str, Any] = {
            **scope, "path": "/v1" + contract.path, "raw_path": ("/v1" + contract.path).encode("latin-1"),
            "query_string": query_string.encode("latin-1"), "method": contract.method.upper(),
            "headers": headers,
        }
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 500
        response_headers: list[tuple[bytes, bytes]] = []
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.app(inner, receive, capture)
        raw = b"".join(parts)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return ContractAnswer(status, Headers(raw=response_headers), parsed, raw)


async def _answer(send: Send, response: DialectResponse) -> None:
    if isinstance(response.body, bytes):
        payload, content_type = response.body, "application/octet-stream"
    else:
        payload, content_type = json.dumps(response.body, separators=(",", ":")).encode("utf-8"), "application/json"
    headers = {"content-type": content_type, **{k.lower(): v for k, v in response.headers.items()}}
    headers["content-length"] = str(len(payload))
    await send({"type": "http.response.start", "status": response.status,
                "headers": [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]})
    await send({"type": "http.response.body", "body": payload})
