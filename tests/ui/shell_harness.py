"""Building a whole console for shell tests: an isolated home, a profile, a Console on a real sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractItemView

from app.core.keychain import SecretStore
from app.core.profiles import Profile, ProfileStore
from app.ui.console import Console
from tests.waiting import wait_until

XDG_NAMES = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
#: How long the fixtures give a console to shut down (tasks, client, cache, sandbox child).
SHUTDOWN_TIMEOUT_SECONDS = 60.0


def isolate_home(monkeypatch, root: Path) -> Path:
    """Point every user dir (config, cache, data, log) at `root` for this test."""
    for name in XDG_NAMES:
        monkeypatch.setenv(name, str(root / name.lower()))
    return root


def make_console(home: Path, **options) -> Console:
    """A Console whose profile file and window state live under `home`."""
    options.setdefault("store", ProfileStore(home / "profiles.json"))
    options.setdefault("secrets", SecretStore())
    options.setdefault("settings", QSettings(str(home / "ui-state.ini"), QSettings.Format.IniFormat))
    return Console(**options)


def add_profile(console: Console, name: str, url: str, key: str, environment: str = "test") -> Profile:
    """Store a profile and its key the way the profiles dialog does (blocking; for test setup)."""
    profile = console.store.add(Profile(name=name, base_url=url, environment=environment))
    console.secrets.set(profile.id, "api_key", key)
    return profile


def table_of(window, module: str) -> QAbstractItemView | None:
    page = window.page(module)
    return page.findChild(QAbstractItemView, f"{module}.table") if page is not None else None


def row_count(window, module: str) -> int:
    table = table_of(window, module)
    return table.model().rowCount() if table is not None and table.model() is not None else 0


async def wait_for_rows(window, module: str = "contacts", timeout: float = 30.0) -> int:
    await wait_until(lambda: row_count(window, module) > 0, timeout, f"the {module} table shows no rows")
    return row_count(window, module)


async def wait_for_identity(console: Console, timeout: float = 20.0) -> None:
    await wait_until(lambda: console.session is not None and console.session.scopes is not None, timeout,
                     "GET /me never answered")



@pytest.fixture(name="console_factory")
def console_factory_fixture(qapp, qloop, monkeypatch, tmp_path) -> Callable[..., Console]:
    """`console_factory(**options)`: a Console in an isolated home (`tmp_path`); every console made
    is shut down when the test ends, passed or failed, so a failed assert never leaks a session,
    its sockets, threads or a sandbox child into the next test. Its window is deleted after that
    (not by qtbot, whose teardown would delete it before the shutdown could save its state).

    A test module imports it: `from tests.ui.shell_harness import console_factory_fixture`.
    """
    home = isolate_home(monkeypatch, tmp_path)
    made: list[Console] = []

    def make(**options) -> Console:
        console = make_console(home, **options)
        made.append(console)
        return console

    try:
        yield make
    finally:
        failures = []
        for console in made:
            try:
                qloop.run_until_complete(asyncio.wait_for(console.shutdown(), SHUTDOWN_TIMEOUT_SECONDS))
            except Exception as error:  # noqa: BLE001  (the others are still shut down; then the test errors)
                failures.append(error)
            finally:
                console.window.close()
                console.window.deleteLater()
        if failures:
            raise failures[0]


@pytest.fixture(name="console")
def console_fixture(console_factory) -> Console:
    """One Console in an isolated home, always shut down at the end of the test (see console_factory)."""
    return console_factory()
