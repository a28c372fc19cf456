"""Shared field types for request schemas: bounded strings, emails, custom fields, ids, search text.

Use these in `…Create` / `…Update` models so every router applies the same sane maximums and a
request that breaks them gets 422 VALIDATION_ERROR naming the field.
"""

from __future__ import annotations

import re
from typing import Annotated, Union

from pydantic import AfterValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr

#: Request bodies refuse unknown fields (a typo must not be silently dropped).
STRICT_BODY = ConfigDict(extra="forbid", str_strip_whitespace=False)

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("not a valid email address, e.g. ada@example.com")
    return value


def _domain(value: str) -> str:
    if not _DOMAIN.match(value):
        raise ValueError("not a valid domain name, e.g. example.com")
    return value.lower()


def _url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError("not a valid http(s) URL")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Name = Annotated[StrictStr, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]
Email = Annotated[StrictStr, Field(max_length=254), AfterValidator(_email)]
Phone = Annotated[StrictStr, Field(max_length=50)]
Domain = Annotated[StrictStr, Field(max_length=253), AfterValidator(_domain)]
Url = Annotated[StrictStr, Field(max_length=2048), AfterValidator(_url)]
Notes = Annotated[StrictStr, Field(max_length=10_000)]
ResourceId = Annotated[StrictStr, Field(min_length=1, max_length=64, pattern=r"^[a-z]+_[A-Za-z0-9]+$")]
Tag = Annotated[StrictStr, Field(min_length=1, max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=50)]
CustomValue = Union[StrictBool, StrictInt, Annotated[float, Field(allow_inf_nan=False, strict=True)],
                    Annotated[StrictStr, Field(max_length=1000)]]
CustomFields = Annotated[dict[Annotated[str, Field(min_length=1, max_length=64)], CustomValue],
                         Field(max_length=50)]
SearchText = Annotated[str, Field(max_length=200, description="Free-text search")]
IdFilter = Annotated[str, Field(max_length=64)]


def like_pattern(text: str) -> str:
    """`text` as a LIKE substring pattern (with `ESCAPE '\\'`)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
