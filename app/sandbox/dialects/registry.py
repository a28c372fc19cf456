"""Which dialect mounts exist and the module of each one's translator (imported on first use)."""

from __future__ import annotations

import importlib
import logging
from functools import cache

from app.sandbox.dialects.translator import Translator

log = logging.getLogger("app.sandbox")

#: mount name → (module, class). The contract itself is `/v1`, not a mount.
MOUNTS: dict[str, tuple[str, str]] = {
    "platform004": ("app.sandbox.dialects.platform004", "Platform004Translator"),
    "bi369": ("app.sandbox.dialects.bi369", "Bi369Translator"),
    "8bit": ("app.sandbox.dialects.eightbit", "EightBitTranslator"),
    "bivelio": ("app.sandbox.dialects.bivelio", "BiVelioTranslator"),
    "bizbasics": ("app.sandbox.dialects.bizbasics", "BizBasicsTranslator"),
}


@cache
def translator_for(name: str) -> Translator | None:
    """The translator of mount `name`, or None when there is no such mount (or it is not built yet)."""
    spec = MOUNTS.get(name)
    if spec is None:
        return None
    try:
        return getattr(importlib.import_module(spec[0]), spec[1])()
    except ModuleNotFoundError as error:
        if error.name == spec[0]:
            return None
        log.exception("the %s dialect mount cannot load; it is off", name)
    except Exception:  # a broken mount must not take the contract's /v1 down with it
        log.exception("the %s dialect mount cannot load; it is off", name)
    return None
