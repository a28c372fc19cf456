"""The server's newest contacts in the start-up preview before the console is connected, as the
launcher shows them; never over the real panels; the exchange in the session's request history."""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableView, QWidget

from app.core import paths
from app.core.keychain import SecretStore
from app.core.profiles import Profile, ProfileStore
from app.ui import launch
from app.ui.shell.cached_preview import (
    PREVIEW_ROWS,
    SERVER_NOTE,
    CachedContacts,
    CachedPreview,
)
from tests.core.conftest import files_containing
from tests.ui.shell_harness import (  # noqa: F401  (the console fixtures)
    console_factory_fixture,
    isolate_home,
    wait_for_rows,
)
from tests.waiting import wait_until


@pytest.fixture(autouse=True)
def own_home(monkeypatch, tmp_path):
    """Profiles, keys and caches of each test in a home of its own (the launcher reads the default paths)."""
    isolate_home(monkeypatch, tmp_path)


def _demo_profile(sandbox, key: str) -> Profile:
    profile = ProfileStore().add(Profile(name="Demo", base_url=sandbox.url))
    SecretStore().set(profile.id, "api_key", key)
    return profile


def _newest_names(sandbox, key: str) -> list[str]:
    answer = httpx.get(f"{sandbox.url}/contacts", params={"limit": PREVIEW_ROWS},
                       headers={"Authorization": f"Bearer {key}"})
    return [row["name"] for row in answer.json()["data"]]


def _shown_names(window) -> list[str]:
    table = window.findChild(QTableView, "shell.preview.table")
    model = table.model()
    return [model.index(row, 0).data(Qt.ItemDataRole.DisplayRole) for row in range(model.rowCount())]


def test_the_servers_newest_contacts_fill_the_preview_before_the_console_connects(
        console_factory, run_async, sandbox, sandbox_credentials):
    key = sandbox_credentials["test"]["owner_key"]
    profile = _demo_profile(sandbox, key)
    options = launch.parse_args(["--profile", "Demo"])
    window, preview = launch._show_window(options, profile)
    assert preview is None, "nothing was cached, so the launcher showed no preview"

    fetch = launch._first_page(profile, None)
    page = fetch.wait(20)
    assert page is not None and launch._show_first_page(options, window, None, page)
    assert _shown_names(window) == _newest_names(sandbox, key)
    assert window.findChild(QLabel, "shell.preview.note").text() == SERVER_NOTE

    async def scenario():
        console = console_factory(store=ProfileStore(), window=window)
        assert await console.start("Demo")
        await wait_for_rows(console.window)
        assert window.findChild(QWidget, "shell.preview") is None, "the real panel replaced the preview"
        # A page that comes after the panels took over is not put back over them.
        assert not launch._show_first_page(options, window, None, page)
        assert window.findChild(QWidget, "shell.preview") is None

        await launch._keep_first_page_record(console.session, fetch)
        request_id = page.exchange.record().request_id
        record = console.session.history.store.find(request_id)
        assert record is not None and record.url.endswith(f"/contacts?limit={PREVIEW_ROWS}")
        assert record.header("Authorization", response=False) == "Bearer [REDACTED]"
        await console.session.history.flush()
        assert request_id in [kept.request_id for kept in await console.session.history.load()]

    run_async(scenario(), timeout=90)
    assert files_containing(paths.profile_cache_file(profile.id).parent, key) == []


def test_the_servers_rows_replace_stale_cached_ones(qapp, sandbox, sandbox_credentials):
    key = sandbox_credentials["test"]["owner_key"]
    preview = CachedPreview(CachedContacts([{"id": "ct_gone", "name": "Deleted since the last run"}]))
    page = launch._first_page(_demo_profile(sandbox, key), None).wait(20)
    preview.show_server_rows(page.rows)
    names = [preview.model.index(row, 0).data(Qt.ItemDataRole.DisplayRole) for row in range(preview.model.rowCount())]
    assert names == _newest_names(sandbox, key) and "Deleted since the last run" not in names
    assert preview.note.text() == SERVER_NOTE
    preview.deleteLater()


def test_a_first_page_that_comes_after_the_launcher_went_on_still_reaches_the_preview(
        qapp, run_async, sandbox, sandbox_credentials):
    """A remote server or a sandbox still starting: the launcher does not wait; the rows are shown
    in the running loop when they come, while the console is still connecting."""
    import threading

    from app.core.first_page import FirstPageFetch

    key = sandbox_credentials["test"]["owner_key"]
    profile = _demo_profile(sandbox, key)
    options = launch.parse_args(["--profile", "Demo"])
    window, preview = launch._show_window(options, profile)
    server_ready = threading.Event()
    fetch = FirstPageFetch(lambda: server_ready.wait(20) and sandbox.url, lambda: key, PREVIEW_ROWS)

    async def scenario():
        launch._show_first_page_when_it_comes(options, window, preview, fetch)
        assert window.findChild(QTableView, "shell.preview.table") is None
        server_ready.set()
        await wait_until(lambda: window.findChild(QTableView, "shell.preview.table") is not None, 20,
                         "the late page never reached the window")
        assert _shown_names(window) == _newest_names(sandbox, key)
        assert window.findChild(QLabel, "shell.preview.note").text() == SERVER_NOTE

    run_async(scenario(), timeout=60)
    window.deleteLater()
