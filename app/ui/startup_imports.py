"""Import work the console's start-up needs done more cheaply (measured, issue 17).

PySide6 (6.11/6.12) hooks every import after its own and calls `inspect.getsource()` on each
new module to see whether its text mentions "PySide6" (for `from __feature__ import …`): about
45 ms over the ~500 modules the console imports, and every source kept in `linecache`.
`cheap_pyside_feature_scan` answers the same question by reading the module's `.py` file as
bytes; anything else still goes to PySide6's own check. (httpx's CLI imports are skipped for
every subcommand in `app.__main__`.)

For the console process only (`app.ui.launch.main`), before the imports it makes cheaper.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

_FEATURE_MODULE = "shibokensupport.feature"
_MARK = "_opsdesk_cheap_scan"


def cheap_pyside_feature_scan() -> bool:
    """Make PySide6's per-import "does this module use PySide6?" check a plain file read.

    False (nothing changed) when this PySide6 has no such check: then its own stays in place.
    """
    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if not callable(original):
        return False
    if getattr(original, _MARK, False):
        return True
    feature._mod_uses_pyside = uses_pyside_by_file(original)
    return True


def uses_pyside_by_file(fallback: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    """The check PySide6 makes ("PySide6" in the module's source), answered from the raw `.py` file."""

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return fallback(module)  # built-in, extension, zip or source-less: PySide6 decides
        try:
            with open(path, "rb") as source:
                # ASCII bytes: the same answer in any ASCII-compatible encoding the source declares.
                return b"PySide6" in source.read()
        except OSError:
            return fallback(module)

    setattr(uses_pyside, _MARK, True)
    return uses_pyside
