"""Opsdesk: a desktop admin console for the Platform API v1, with its own local sandbox server."""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("opsdesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
