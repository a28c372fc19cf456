"""Dialects: one adapter per platform the console speaks (see docs/PLATFORMS.md and CONTRACT.md).

    dialect = dialect_for("bivelio")
    client = AdminClient(base_url, dialect.auth(credentials), dialect=dialect)

`DIALECTS` maps each name to the module holding its `Dialect` subclass; modules are imported on
first use so a console that speaks one platform never loads the others.
"""

from __future__ import annotations

import importlib

from app.api.dialects.base import Call, Dialect, Wire
from app.api.dialects.manifest import Manifest

#: dialect name → (module, class name). Order is the order the console lists platforms in.
DIALECTS: dict[str, tuple[str, str]] = {
    "opsdesk": ("app.api.dialects.base", "Dialect"),
    "platform004": ("app.api.dialects.platform004", "Platform004Dialect"),
    "bi369": ("app.api.dialects.bi369", "Bi369Dialect"),
    "8bit": ("app.api.dialects.eightbit", "EightBitDialect"),
    "bivelio": ("app.api.dialects.bivelio", "BiVelioDialect"),
    "bizbasics": ("app.api.dialects.bizbasics", "BizBasicsDialect"),
}


def dialect_class(name: str) -> type[Dialect]:
    """The `Dialect` subclass for `name`; ValueError naming the known dialects otherwise."""
    try:
        module, attribute = DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown platform {name!r}; known: {', '.join(DIALECTS)}") from None
    return getattr(importlib.import_module(module), attribute)


def dialect_for(name: str) -> Dialect:
    """A fresh dialect instance (per client: dialects may keep state such as learned scopes)."""
    return dialect_class(name)()


__all__ = ["DIALECTS", "Call", "Dialect", "Manifest", "Wire", "dialect_class", "dialect_for"]
