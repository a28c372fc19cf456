"""The Qt-free modules the launcher's first paint needs, imported by a thread while PySide6 loads.

Importing PySide6 takes ~100 ms, much of it outside the GIL (reading and mapping the Qt
libraries), so the pure-Python imports the cached paint needs next (the profile store and its
platformdirs and json, sqlite3 for the cached rows, ...) can run in that time on a second core
instead of after it. The thread only imports: the launcher imports the same modules again and
finds them loaded, or waits on the import lock for one still loading, as any second importer does.
"""

from __future__ import annotations

import importlib
import threading

#: What `app.ui.launch` imports on its way to the cached rows that PySide6 does not.
FIRST_PAINT_MODULES = (
    "json",
    "sqlite3",
    "dataclasses",
    "tempfile",
    "urllib.parse",
    "datetime",
    "platformdirs",
    "app.core.paths",
    "app.core.profiles",
)


def warm_in_background() -> threading.Thread:
    """Start importing `FIRST_PAINT_MODULES` in a daemon thread; returns the started thread."""
    thread = threading.Thread(target=_import_all, name="opsdesk-warm-imports", daemon=True)
    thread.start()
    return thread


def _import_all() -> None:
    for name in FIRST_PAINT_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001
            # Not this thread's to report: the launcher's own import of it raises the same error
            # where it is handled and shown.
            return
