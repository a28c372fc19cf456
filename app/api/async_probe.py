"""httpcore's per-request `import sniffio`, made to fail at once when sniffio is not installed.

httpcore asks which async library runs (`import sniffio`, falling back to asyncio when the import
fails) each time it sets up a lock, a semaphore or an event: four times a request. sniffio is
optional (anyio no longer needs it) and is not installed with the console, and Python remembers
no failed import: every ask searches every `sys.path` entry again, ~47 µs each, so ~0.2-0.3 ms
of CPU a request (a third of a page walk's per-page cost beyond the JSON; measured on this
project's machine). A `None` entry in `sys.modules` is Python's own "no such module": the same
import then fails at once, and httpcore takes asyncio as before. When sniffio is installed nothing
changes.
"""

from __future__ import annotations

import importlib.util
import sys


def stop_repeated_sniffio_search() -> None:
    """Make `import sniffio` fail at once, unless sniffio is installed (or already imported)."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None
