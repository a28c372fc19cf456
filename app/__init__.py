"""Opsdesk: a desktop admin console for the Platform API v1, with its own local sandbox server."""

#: The one place the version is written: pyproject.toml reads it from here (setuptools' `attr`), so
#: the console's User-Agent and About box need no `importlib.metadata` lookup (~40 ms of start-up).
__version__ = "0.1.0"
