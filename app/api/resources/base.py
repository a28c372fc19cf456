"""What every resource object shares: sending through the request loop and decoding the envelope.

Responses are validated straight from bytes (pydantic-core parses the JSON), with one cached
validator per shape, so a page of 100 records costs little more than `json.loads` would.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from app.api import errors
from app.api.models.base import ApiModel
from app.api.pagination import CursorPage
from app.api.request_loop import QueryValue, RequestLoop

M = TypeVar("M", bound=ApiModel)
T = TypeVar("T")


class _ItemEnvelope(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="allow", cache_strings="keys")
    data: T
    request_id: str | None = None


class _ListEnvelope(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="allow", cache_strings="keys")
    data: list[T]
    next_cursor: str | None = None
    request_id: str | None = None


@cache
def _item_adapter(model: type) -> TypeAdapter:
    return TypeAdapter(_ItemEnvelope[model])


@cache
def _list_adapter(model: type) -> TypeAdapter:
    return TypeAdapter(_ListEnvelope[model])


def as_body(value: ApiModel | dict[str, Any], model: type[ApiModel]) -> dict[str, Any]:
    """A request body from a model or a plain dict (validated against `model`, so typos fail here)."""
    if isinstance(value, ApiModel):
        return value.to_body()
    if isinstance(value, dict):
        return model.model_validate(value).to_body()
    raise TypeError(f"expected a {model.__name__} or a dict, not {type(value).__name__}")


class Resource:
    """One API area (`client.contacts`, …): thin verb-named methods over the request loop."""

    def __init__(self, loop: RequestLoop) -> None:
        self._loop = loop

    async def _item(self, method: str, path: str, model: type[M], *, body: Any = None,
                    params: dict[str, QueryValue] | None = None, idempotency_key: str | None = None,
                    if_match: int | None = None) -> M:
        response = await self._loop.send(method, path, params=params, body=body,
                                         idempotency_key=idempotency_key, if_match=if_match)
        try:
            return _item_adapter(model).validate_json(response.content).data
        except ValidationError as exc:
            raise errors.unexpected_response(method, path, exc.errors(include_input=False)) from None

    async def _none(self, method: str, path: str, *, if_match: int | None = None,
                    idempotency_key: str | None = None) -> None:
        await self._loop.send(method, path, if_match=if_match, idempotency_key=idempotency_key)

    async def _page(self, path: str, model: type[M], params: dict[str, QueryValue]) -> CursorPage[M]:
        response = await self._loop.send("GET", path, params=params)
        try:
            envelope = _list_adapter(model).validate_json(response.content)
        except ValidationError as exc:
            raise errors.unexpected_response("GET", path, exc.errors(include_input=False)) from None

        async def fetch(cursor: str) -> CursorPage[M]:
            return await self._page(path, model, {**params, "cursor": cursor})

        return CursorPage(envelope.data, envelope.next_cursor, fetch, envelope.request_id)
