"""The contract's error envelope and the exception handlers that always produce it.

Raise `ApiProblem` anywhere in a handler or dependency::

    raise ApiProblem(404, "NOT_FOUND", "No contact con_123 in this workspace.")
    raise ApiProblem(409, "CONFLICT", "Email taken.", {"field": "email", "existing_id": cid})
    raise validation_failed([("email", "not a valid address")])     # 422 VALIDATION_ERROR

The handlers installed by `install_exception_handlers` turn it, FastAPI's request validation
errors (body → 422 VALIDATION_ERROR, malformed JSON / bad query, path or header → 400
INVALID_REQUEST, each with `details.fields = [{field, message}]`), unknown routes (404), wrong
methods (405) and anything unexpected (500, never a stack trace) into
`{"error": {"code", "message", "details"}, "request_id"}` plus the `X-Request-Id` header.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from app.sandbox.request_context import current_request_id

log = logging.getLogger("app.sandbox")


class ApiProblem(Exception):
    """An error answer: HTTP `status`, contract `code`, a human `message`, optional `details`."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def not_found(kind: str, resource_id: str) -> ApiProblem:
    """404 for an id that does not exist *in this workspace* (another tenant's id looks the same)."""
    return ApiProblem(404, "NOT_FOUND", f"No {kind} {resource_id!r} in this workspace.",
                      {"resource": kind, "id": resource_id})


def validation_failed(fields: Iterable[tuple[str, str]], message: str | None = None) -> ApiProblem:
    """422 VALIDATION_ERROR naming each `(field, message)` (business rules a schema cannot express)."""
    items = [{"field": f, "message": m} for f, m in fields]
    text = message or "; ".join(f"{i['field']}: {i['message']}" for i in items) or "Invalid request."
    return ApiProblem(422, "VALIDATION_ERROR", text, {"fields": items})


def invalid_request(field: str, message: str) -> ApiProblem:
    """400 INVALID_REQUEST naming the query parameter or header at fault (bad cursor, bad stamp)."""
    return ApiProblem(400, "INVALID_REQUEST", f"{field}: {message}",
                      {"fields": [{"field": field, "message": message}]})


class ErrorBody(BaseModel):
    code: str = Field(description="Machine-readable: INVALID_REQUEST, NOT_FOUND, VALIDATION_ERROR, …")
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorEnvelope(BaseModel):
    """Every error answer: `{"error": {...}, "request_id": "req_…"}`."""

    error: ErrorBody
    request_id: str


_ERROR_TEXT = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
    409: "Conflict", 412: "Precondition failed", 422: "Validation error", 429: "Rate limited",
    500: "Internal error",
}

#: Pass as `responses=` (app_factory does, for every router) so the OpenAPI document describes
#: the error envelope, not FastAPI's default 422 body.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text} for status, text in _ERROR_TEXT.items()
}


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The envelope as a response (the middleware adds `X-Request-Id`)."""
    body = {"error": {"code": code, "message": message, "details": details or {}},
            "request_id": current_request_id()}
    return JSONResponse(body, status_code=status, headers=headers)


def field_name(loc: Sequence[Any]) -> str:
    """`("body", "line_items", 0, "name")` → `line_items[0].name`; `("query", "limit")` → `limit`."""
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header", "cookie") else list(loc)
    if not parts:
        return "body" if loc and loc[0] == "body" else str(loc[0]) if loc else "request"
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "extra_forbidden":
        return "unknown field"
    if error.get("type") == "missing":
        return "required"
    return str(error.get("msg", "invalid value"))


async def _on_problem(request: Request, exc: ApiProblem) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "INVALID_REQUEST", "The request body is not valid JSON.",
                              {"fields": [{"field": "body", "message": "malformed JSON"}]})
    fields = [{"field": field_name(e.get("loc", ())), "message": _message(e)} for e in errors]
    text = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    if all(e.get("loc", ("body",))[0] == "body" for e in errors):
        return error_response(422, "VALIDATION_ERROR", text, {"fields": fields})
    return error_response(400, "INVALID_REQUEST", text, {"fields": fields})


_HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _method_table(app: Any) -> list[tuple[re.Pattern[str], int, frozenset[str]]]:
    """(path regex, number of path parameters, methods) for every path of the served OpenAPI
    document, built once per app."""
    table = getattr(app.state, "allowed_methods_table", None)
    if table is None:
        table = []
        for template, operations in app.openapi()["paths"].items():
            parts = re.split(r"(\{[^}]+\})", template)
            regex = re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")
            table.append((regex, template.count("{"),
                          frozenset(m.upper() for m in operations if m.upper() in _HTTP_METHODS)))
        app.state.allowed_methods_table = table
    return table


def allowed_methods(request: Request) -> list[str]:
    """Every method served on this request's path, plus OPTIONS (answered on every known path).

    Starlette's 405 names only the first route that matched the path; a path with a GET and a POST
    route (`/contacts`) must list both. The operations are read from the served OpenAPI document,
    so `Allow` always says what the document says; the document's own routes (`/openapi.json`,
    `/docs`) come from the router.
    """
    methods = {"OPTIONS"}
    path = request.url.path
    matched = [(params, route_methods) for regex, params, route_methods in _method_table(request.app)
               if regex.match(path)]
    # The most specific path is the resource (`/events/trigger`, not an id of `/events/{event_id}`).
    fewest = min((params for params, _ in matched), default=0)
    for params, route_methods in matched:
        if params == fewest:
            methods |= route_methods
    for route in request.app.router.routes:
        route_methods = getattr(route, "methods", None)
        if (isinstance(route, Route) and route_methods and not route.include_in_schema
                and route.matches(request.scope)[0] != Match.NONE):
            methods |= set(route_methods)
    return sorted(methods, key=lambda m: (_HTTP_METHODS.index(m) if m in _HTTP_METHODS else len(_HTTP_METHODS), m))


async def _on_http(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 404:
        return error_response(404, "NOT_FOUND", f"No route {request.url.path}.", {"path": request.url.path})
    if exc.status_code == 405:
        allow = ", ".join(allowed_methods(request))
        if request.method == "OPTIONS":
            # No route declares OPTIONS: every known path answers it with what it allows.
            return Response(status_code=204, headers={"Allow": allow})
        return error_response(405, "METHOD_NOT_ALLOWED",
                              f"{request.method} is not allowed on {request.url.path}; allowed: {allow}.",
                              {"method": request.method, "allowed": allow.split(", ")}, {"Allow": allow})
    code = "INVALID_REQUEST" if exc.status_code < 500 else "INTERNAL_ERROR"
    return error_response(exc.status_code, code, str(exc.detail), {}, dict(exc.headers or {}))


def internal_error_response() -> JSONResponse:
    """500 INTERNAL_ERROR: the envelope with no stack trace (the trace goes to stderr)."""
    return error_response(500, "INTERNAL_ERROR", "Something went wrong on the server. It has been logged.")


def install_exception_handlers(app: FastAPI) -> None:
    """Route every error FastAPI or a handler raises through the contract's envelope."""
    app.add_exception_handler(ApiProblem, _on_problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
