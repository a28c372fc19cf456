"""Opsdesk: a desktop admin console for the Platform API v1, with its own local sandbox server."""

from typing import Any


def __getattr__(name: str) -> Any:
    """`__version__`, looked up on first use: importlib.metadata costs ~50 ms of start-up."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("opsdesk")
    except PackageNotFoundError:  # running from a source tree that was never installed
        value = "0.0.0+source"
    globals()["__version__"] = value
    return value
