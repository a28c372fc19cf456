"""Shared field types for request schemas: bounded strings, emails, URLs, whole numbers, ids.

Use these in `…Create` / `…Update` models so every router applies the same sane maximums and a
request that breaks them gets 422 VALIDATION_ERROR naming the field.

Every rule a type enforces is also stated in the OpenAPI document (`pattern`, `format`, lengths),
so a client or a fuzzer reading the document knows exactly which values are accepted. Where the
check is a Python function (the patterns use lookarounds or Unicode rules the JSON Schema regex
dialect lacks), the document carries an equivalent `pattern` that the function agrees with.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Union

from typing import Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic.json_schema import SkipJsonSchema

from app.sandbox.timeutil import parse_rfc3339

#: Request bodies refuse unknown fields (a typo must not be silently dropped).
STRICT_BODY = ConfigDict(extra="forbid", str_strip_whitespace=False)

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

# The same rules as JSON Schema patterns (ECMA 262: no lookarounds, no inline flags).
EMAIL_PATTERN = _EMAIL.pattern
DOMAIN_PATTERN = _DOMAIN.pattern.replace("(?=.{1,253}$)", "")  # the length is maxLength's job
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/$.?#][^\s]*$"
#: At least one character that is not white space (what `str.strip()` would leave).
NOT_BLANK_PATTERN = r"\S"


def _ipv6_pattern() -> str:
    """RFC 3986's IPv6address, the literal a URL carries in brackets."""
    h16 = r"[0-9A-Fa-f]{1,4}"
    octet = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
    ls32 = rf"(?:{h16}:{h16}|{octet}\.{octet}\.{octet}\.{octet})"

    def groups(n: int) -> str:
        return rf"(?:{h16}:){{{n}}}" if n else ""

    def head(n: int) -> str:  # [ *n( h16 ":" ) h16 ]
        return rf"(?:(?:{h16}:){{0,{n}}}{h16})?"

    forms = [rf"{groups(6)}{ls32}", rf"::{groups(5)}{ls32}", rf"{head(0)}::{groups(4)}{ls32}",
             rf"{head(1)}::{groups(3)}{ls32}", rf"{head(2)}::{groups(2)}{ls32}", rf"{head(3)}::{h16}:{ls32}",
             rf"{head(4)}::{ls32}", rf"{head(5)}::{h16}", rf"{head(6)}::"]
    return "(?:" + "|".join(forms) + ")"


#: An absolute http(s) URL naming a host (a name, an IPv4 address or a bracketed IPv6 one),
#: optionally user info and a port, then anything without white space. Exactly the URLs whose
#: `urlsplit` has an http(s) scheme and a host name (tests/sandbox/test_validation_rules.py).
WEBHOOK_URL_PATTERN = (r"^[Hh][Tt][Tt][Pp][Ss]?://(?:[^\s/?#@\[\]]*@)?(?:\[" + _ipv6_pattern()
                       + r"\]|[^\s/?#@:\[\]]+)(?::[0-9]*)?(?:[/?#]\S*)?$")
_WEBHOOK_URL = re.compile(WEBHOOK_URL_PATTERN)


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


def _webhook_url(value: str) -> str:
    if not _WEBHOOK_URL.match(value):
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


_NOT_BLANK = re.compile(NOT_BLANK_PATTERN)

# RFC 3339 (section 5.6) as JSON Schema's `date-time` and `date` formats mean it: a full date,
# `T`, a full time and an offset (`Z` or ±hh:mm). `datetime.fromisoformat` alone takes far more
# (no offset, week dates, `20260407`), which the document would not admit.
_RFC3339_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RFC3339_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _not_blank(value: str) -> str:
    if not _NOT_BLANK.search(value):
        raise ValueError("must not be blank")
    return value


def parse_date(value: str) -> date:
    """An RFC 3339 `full-date` (`2026-04-07`); ValueError otherwise."""
    match = _RFC3339_DATE.match(value)
    if not match:
        raise ValueError("not a date like 2026-04-07")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError("not a real calendar day") from None


def parse_date_time(value: str) -> datetime:
    """An RFC 3339 `date-time` with its offset (`2026-04-07T12:00:00Z`) as an aware datetime in UTC.

    A leap second reads as the second before it; ValueError for anything else.
    """
    match = _RFC3339_DATE_TIME.match(value)
    if not match:
        raise ValueError("not an RFC 3339 time stamp with an offset, e.g. 2026-04-07T12:00:00Z")
    if match[6] == "60":
        value = value[:17] + "59" + value[19:]
    if not (int(match[4]) <= 23 and int(match[5]) <= 59):
        raise ValueError("not a real time of day")
    return parse_rfc3339(value[:10] + "T" + value[11:])


def _whole_number(value: object) -> object:
    # JSON has one number type: 3.0 is the integer 3 (JSON Schema's `integer` says so too).
    # Anything else (a bool, a string, 3.5) is left for StrictInt to refuse.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _documented(**schema: Any) -> Any:
    """Field metadata that only adds to the JSON schema (the check itself is a validator)."""
    return Field(json_schema_extra=schema)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def whole(**bounds: int) -> Any:
    """An integer (`ge`/`le` bounds) that also takes a JSON number with no fraction (`3.0`), never
    a bool or a string. The bounds come before the validator, so the document states them."""
    return Annotated[StrictInt, Field(**bounds), BeforeValidator(_whole_number)]


#: For PATCH fields that may be left out but never sent as `null` (`subject: Subject | NotNull =
#: unset()`): the handler refuses `null` with 422 naming the field, and the document does not
#: offer it. Constraints go on the inner type, not on `unset()`.
NotNull = SkipJsonSchema[None]


def unset() -> Any:
    """The default of a `NotNull` field, left out of the document (it means "not sent", not `null`)."""
    return Field(default=None, json_schema_extra=_no_default)

Name = Annotated[StrictStr, Field(min_length=1, max_length=200), _documented(pattern=NOT_BLANK_PATTERN),
                 AfterValidator(_not_blank)]
Email = Annotated[StrictStr, Field(max_length=254), _documented(format="email", pattern=EMAIL_PATTERN),
                  AfterValidator(_email)]
Phone = Annotated[StrictStr, Field(max_length=50)]
#: `2026-04-07`, as JSON Schema's `date` format (a JSON string, never a number).
Date = Annotated[StrictStr, Field(max_length=10), _documented(format="date"), AfterValidator(parse_date)]
#: `2026-04-07T12:00:00Z` or with an offset, as JSON Schema's `date-time` format.
DateTime = Annotated[StrictStr, Field(max_length=64), _documented(format="date-time"), AfterValidator(parse_date_time)]
Domain = Annotated[StrictStr, Field(max_length=253), _documented(pattern=DOMAIN_PATTERN), AfterValidator(_domain)]
Url = Annotated[StrictStr, Field(max_length=2048), _documented(format="uri", pattern=URL_PATTERN),
                AfterValidator(_url)]
WebhookUrl = Annotated[StrictStr, Field(min_length=1, max_length=2_000),
                       _documented(format="uri", pattern=WEBHOOK_URL_PATTERN), AfterValidator(_webhook_url)]
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
