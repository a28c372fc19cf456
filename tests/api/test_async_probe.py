"""httpcore's `import sniffio` on every request fails at once instead of searching `sys.path`
again (sniffio is not installed with the console); an installed sniffio is left alone."""

from __future__ import annotations

import importlib.abc
import sys

from app.api import AdminClient, ApiKeyAuth, async_probe


class _SearchSpy(importlib.abc.MetaPathFinder):
    """Records every module name Python searches the import path for (and finds none itself)."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    def find_spec(self, name, path=None, target=None):
        self.searched.append(name)


async def test_a_request_searches_the_import_path_for_no_module(sandbox):
    spy = _SearchSpy()
    async with AdminClient(sandbox.url, ApiKeyAuth(sandbox.credentials()["live"]["owner_key"])) as client:
        await client.contacts.list(limit=1)  # the first request may still import httpcore's parts
        sys.meta_path.insert(0, spy)
        try:
            for _ in range(3):
                await client.contacts.list(limit=1)
        finally:
            sys.meta_path.remove(spy)
    assert spy.searched == [], f"each request searched the import path for {sorted(set(spy.searched))}"


def test_an_installed_sniffio_is_left_to_import(monkeypatch):
    monkeypatch.delitem(sys.modules, "sniffio", raising=False)
    monkeypatch.setattr(async_probe.importlib.util, "find_spec", lambda name: object())
    async_probe.stop_repeated_sniffio_search()
    assert "sniffio" not in sys.modules
